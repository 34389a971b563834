package handlers_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/booking"
	"marquee/config"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/internal/app"
	"marquee/mail"
	"marquee/payment"
	"marquee/payment/paymenttest"
)

const testWebhookSecret = "whsec_test"

// fakeGateway is a provider in memory whose webhooks are verified by the real
// Stripe code (ParseWebhook of payment.Stripe): a test double for the
// provider's side (sessions completing without a webhook, refusals, a
// provider that hangs).
type fakeGateway struct {
	verifier *payment.Stripe

	mu       sync.Mutex
	n        int
	sessions map[string]*payment.CheckoutState
	byKey    map[string]string
	requests []payment.CheckoutRequest
	refunds  []fakeRefund
	refuse   bool
	down     bool // refunds fail as if the provider were unreachable
	noList   bool // listing sessions fails (an outage, a key without list rights)
	// hang, when set, makes the next gateway call named in it announce
	// itself on entered and wait for release.
	hang     map[string]bool
	entered  chan string
	release  chan struct{}
	expireCt int
}

type fakeRefund struct {
	Ref    string
	Amount int64
	Key    string
}

func newFakeGateway(t *testing.T) *fakeGateway {
	v, err := payment.NewStripe(payment.StripeConfig{SecretKey: "sk_test_fake", WebhookSecret: testWebhookSecret})
	if err != nil {
		t.Fatal(err)
	}
	return &fakeGateway{verifier: v, sessions: map[string]*payment.CheckoutState{}, byKey: map[string]string{},
		hang: map[string]bool{}, entered: make(chan string, 1), release: make(chan struct{})}
}

func (f *fakeGateway) maybeHang(op string) {
	f.mu.Lock()
	h := f.hang[op]
	delete(f.hang, op)
	f.mu.Unlock()
	if h {
		f.entered <- op
		<-f.release
	}
}

func (f *fakeGateway) Name() string { return "stripe" }

func (f *fakeGateway) CreateCheckout(_ context.Context, req payment.CheckoutRequest) (payment.Checkout, error) {
	f.maybeHang("create")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, req)
	if id, ok := f.byKey[req.IdempotencyKey]; ok {
		return payment.Checkout{ID: id, URL: "https://checkout.example/" + id, ExpiresAt: req.ExpiresAt}, nil
	}
	f.n++
	id := fmt.Sprintf("cs_test_%d", f.n)
	var total int64
	for _, l := range req.Lines {
		total += l.UnitCents * l.Quantity
	}
	f.sessions[id] = &payment.CheckoutState{ID: id, OrderCode: req.OrderCode, Status: payment.StatusOpen,
		PaymentStatus: payment.PaymentUnpaid, AmountCents: total, Currency: req.Currency, Created: time.Now()}
	f.byKey[req.IdempotencyKey] = id
	return payment.Checkout{ID: id, URL: "https://checkout.example/" + id, ExpiresAt: req.ExpiresAt}, nil
}

func (f *fakeGateway) ExpireCheckout(_ context.Context, id string) error {
	f.maybeHang("expire")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expireCt++
	s, ok := f.sessions[id]
	if !ok {
		return errors.New("no such session")
	}
	switch s.Status {
	case payment.StatusComplete:
		return payment.ErrAlreadyPaid
	case payment.StatusOpen:
		s.Status = payment.StatusExpired
	}
	return nil
}

func (f *fakeGateway) GetCheckout(_ context.Context, id string) (payment.CheckoutState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sessions[id]
	if !ok {
		return payment.CheckoutState{}, errors.New("no such session")
	}
	return *s, nil
}

func (f *fakeGateway) RecentCheckouts(context.Context, time.Time) ([]payment.CheckoutState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.noList {
		return nil, errors.New("fake provider: listing sessions failed")
	}
	var out []payment.CheckoutState
	for _, s := range f.sessions {
		out = append(out, *s)
	}
	return out, nil
}

func (f *fakeGateway) Refund(_ context.Context, ref string, amount int64, key string) (payment.Refund, error) {
	f.maybeHang("refund")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refuse {
		return payment.Refund{}, fmt.Errorf("%w: charge disputed", payment.ErrDeclined)
	}
	if f.down {
		return payment.Refund{}, errors.New("connection reset by peer")
	}
	for i, r := range f.refunds {
		if r.Key == key { // idempotent, as Stripe
			return payment.Refund{ID: fmt.Sprintf("re_%d", i+1), AmountCents: r.Amount, Status: "succeeded"}, nil
		}
	}
	f.refunds = append(f.refunds, fakeRefund{Ref: ref, Amount: amount, Key: key})
	return payment.Refund{ID: fmt.Sprintf("re_%d", len(f.refunds)), AmountCents: amount, Status: "succeeded"}, nil
}

func (f *fakeGateway) ParseWebhook(payload []byte, sig string) (payment.Event, error) {
	return f.verifier.ParseWebhook(payload, sig)
}

// complete marks a session paid (or completed unpaid: an async method) at
// the provider, without telling us: as if the webhook got lost.
func (f *fakeGateway) complete(id string, paid bool) payment.CheckoutState {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.sessions[id]
	s.Status = payment.StatusComplete
	s.PaymentRef = "pi_" + strings.TrimPrefix(id, "cs_test_")
	if paid {
		s.PaymentStatus = payment.PaymentPaid
	}
	return *s
}

func (f *fakeGateway) refundList() []fakeRefund {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRefund(nil), f.refunds...)
}

// payEnv is a booking environment whose payment service uses gw.
type payEnv struct {
	*bkEnv
	svc  *payment.Service
	mail *mail.Capture
}

func newPayEnv(t *testing.T, gw payment.Gateway) *payEnv {
	t.Helper()
	clock, dsn, store, show := newShowStore(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	capture := mail.NewCapture(100, logger)
	// gw nil: the configuration's gateway (the offline demo one).
	a := newApp(t, config.ForTest(), app.Deps{DB: store, Clock: clock, Logger: logger, Mailer: capture, Gateway: gw})
	return &payEnv{bkEnv: &bkEnv{testEnv: &testEnv{t: t, app: a.Fiber, db: store, clock: clock}, h: a.Handler, sales: a.Sales, show: show, dsn: dsn},
		svc: a.Payments, mail: capture}
}

// order holds the seats (row, index pairs) in a new browser and checks out.
func (e *payEnv) order(seats ...int64) (*browser, string) {
	e.t.Helper()
	b := e.browser()
	b.open(e.path(""))
	for _, s := range seats {
		resp, _, body := b.hold(s)
		status(e.t, resp, 200, body)
	}
	resp, _, body := b.htmx(e.path("/checkout"), url.Values{"email": {"guest@example.com"}})
	status(e.t, resp, 200, body)
	return b, strings.TrimPrefix(resp.Header.Get("HX-Redirect"), "/orders/")
}

// post sends a plain form POST with the browser's CSRF token.
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", b.csrf)
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, _, body := b.send(req)
	return resp, body
}

func (e *payEnv) orderOf(code string) booking.Order {
	e.t.Helper()
	o, err := e.db.OrderByCode(context.Background(), code)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

// pay presses "Pay" on the order page and returns the session id.
func (e *payEnv) pay(b *browser, code string) string {
	e.t.Helper()
	_, doc := b.open("/orders/" + code)
	if doc.Find(`[data-testid="pay"]`).Length() != 1 {
		e.t.Fatalf("no Pay button: %s", doc.Find("main").Text())
	}
	resp, body := b.post("/orders/"+code+"/pay", nil)
	status(e.t, resp, http.StatusSeeOther, body)
	loc := resp.Header.Get("Location")
	return loc[strings.LastIndex(loc, "/")+1:]
}

func sessionEventJSON(id, typ string, st payment.CheckoutState) []byte {
	obj := map[string]any{"id": st.ID, "object": "checkout.session", "client_reference_id": st.OrderCode,
		"status": st.Status, "payment_status": st.PaymentStatus, "amount_total": st.AmountCents, "currency": cmp.Or(st.Currency, "usd"),
		"metadata": map[string]string{"order_code": st.OrderCode}}
	if st.PaymentRef != "" {
		obj["payment_intent"] = st.PaymentRef
	}
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": "2023-10-16", "created": 1764000000,
		"type": typ, "data": map[string]any{"object": obj}})
	return b
}

// webhook posts a payload signed with secret to /webhooks/stripe (no cookies, no CSRF token).
func (e *payEnv) webhook(payload []byte, secret string) (*http.Response, string) {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/stripe", strings.NewReader(string(payload)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", paymenttest.SignWebhook(payload, secret, time.Now()))
	return e.do(req)
}

func (e *payEnv) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := dbtest.SQL(e.t, e.db).GetContext(context.Background(), &n, query, args...); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// soldSeats counts the order's seat claims that are sales (no expiry).
func (e *payEnv) soldSeats(o booking.Order) int {
	return e.count(`SELECT count(*) FROM seat_claims WHERE order_id = $1 AND expires_at IS NULL`, o.ID)
}

func TestPayWebhookFulfilsOnce(t *testing.T) {
	gw := newFakeGateway(t)
	e := newPayEnv(t, gw)
	b, code := e.order(e.seat(2, 6), e.seat(2, 7))
	sid := e.pay(b, code)
	req := gw.requests[0]
	if req.OrderCode != code || req.Email != "guest@example.com" || req.Currency != "usd" ||
		req.SuccessURL != "http://marquee.test/orders/"+code+"/paid?session_id={CHECKOUT_SESSION_ID}" ||
		req.CancelURL != "http://marquee.test/orders/"+code || req.IdempotencyKey == "" ||
		req.ExpiresAt.Sub(e.clock.Now()) < 30*time.Minute || len(req.Lines) != 2 ||
		req.Lines[0].Quantity != 2 || req.Lines[1].Name != "Booking fee" {
		t.Fatalf("checkout request %+v", req)
	}
	// Pressing "Pay" again (htmx this time) reuses the open session.
	resp, _, body := b.htmx("/orders/"+code+"/pay", nil)
	status(t, resp, 200, body)
	if resp.Header.Get("HX-Redirect") != "https://checkout.example/"+sid || len(gw.sessions) != 1 {
		t.Fatalf("second Pay: %q, %d sessions", resp.Header.Get("HX-Redirect"), len(gw.sessions))
	}

	// A forged webhook: 400, nothing recorded.
	st := gw.complete(sid, true)
	payload := sessionEventJSON("evt_1", payment.EventCheckoutCompleted, st)
	resp, body = e.webhook(payload, "whsec_wrong")
	status(t, resp, 400, body)
	if o := e.orderOf(code); o.Status != booking.OrderPendingPayment || e.count(`SELECT count(*) FROM payment_events`) != 0 {
		t.Fatalf("bad signature changed something: %s", o.Status)
	}

	resp, body = e.webhook(payload, testWebhookSecret)
	status(t, resp, 200, body)
	o := e.orderOf(code)
	if o.Status != booking.OrderPaid || o.PaidAt == nil || e.soldSeats(o) != 2 || o.Items[0].Status != booking.ItemSold {
		t.Fatalf("after webhook: %s sold=%d", o.Status, e.soldSeats(o))
	}
	paidAt := *o.PaidAt
	// The same event again, and the success redirect: applied once.
	e.clock.Advance(time.Minute)
	resp, body = e.webhook(payload, testWebhookSecret)
	status(t, resp, 200, body)
	resp, _ = b.open("/orders/" + code + "/paid?session_id=" + sid)
	status(t, resp, http.StatusSeeOther, "")
	o = e.orderOf(code)
	if !o.PaidAt.Equal(paidAt) || e.count(`SELECT count(*) FROM payments WHERE order_id = $1`, o.ID) != 1 ||
		e.count(`SELECT count(*) FROM payment_events`) != 1 || len(gw.refundList()) != 0 {
		t.Fatal("duplicate delivery applied twice")
	}
	_, doc := b.open("/orders/" + code)
	if doc.Find(`[data-testid="order"]`).AttrOr("data-status", "") != "paid" || doc.Find(`[data-testid="pay"]`).Length() != 0 {
		t.Fatalf("paid order page: %s", doc.Find("main").Text())
	}
	// Out of order: the session's "expired" event arriving after it completed does nothing.
	exp := st
	exp.Status = payment.StatusExpired
	resp, body = e.webhook(sessionEventJSON("evt_2", payment.EventCheckoutExpired, exp), testWebhookSecret)
	status(t, resp, 200, body)
	if o := e.orderOf(code); o.Status != booking.OrderPaid || e.soldSeats(o) != 2 {
		t.Fatalf("expired after completed: %s", o.Status)
	}
	// charge.refunded is recorded on the payment.
	charge, _ := json.Marshal(map[string]any{"id": "evt_3", "object": "event", "api_version": "2023-10-16", "created": 1764000000,
		"type": "charge.refunded", "data": map[string]any{"object": map[string]any{"id": "ch_1", "object": "charge",
			"payment_intent": st.PaymentRef, "amount_refunded": 500}}})
	resp, body = e.webhook(charge, testWebhookSecret)
	status(t, resp, 200, body)
	if e.count(`SELECT refunded_cents FROM payments WHERE provider_ref = $1`, st.PaymentRef) != 500 {
		t.Fatal("charge.refunded not recorded")
	}
}

func TestPayAsyncPaymentOutOfOrder(t *testing.T) {
	gw := newFakeGateway(t)
	e := newPayEnv(t, gw)
	b, code := e.order(e.seat(3, 6))
	sid := e.pay(b, code)
	st := gw.complete(sid, false) // completed with a "pay later" method
	resp, body := e.webhook(sessionEventJSON("evt_a1", payment.EventCheckoutCompleted, st), testWebhookSecret)
	status(t, resp, 200, body)
	o := e.orderOf(code)
	if o.Status != booking.OrderPendingPayment || !o.HoldExpiresAt.Equal(showStart) {
		t.Fatalf("async completed: %s hold until %s", o.Status, o.HoldExpiresAt)
	}
	_, doc := b.open("/orders/" + code)
	if doc.Find(`[data-testid="payment-processing"]`).Length() != 1 || doc.Find(`[data-testid="pay"]`).Length() != 0 {
		t.Fatalf("processing page: %s", doc.Find("main").Text())
	}
	resp, body = b.post("/orders/"+code+"/pay", nil)
	status(t, resp, http.StatusConflict, body)
	// The hold outlives the normal length; the expiry job leaves the session alone.
	e.clock.Advance(30 * time.Minute)
	e.db.Sweep(context.Background(), e.clock.Now())
	e.svc.Tick(context.Background(), time.Hour)
	if o := e.orderOf(code); o.Status != booking.OrderPendingPayment {
		t.Fatalf("swept while the payment settles: %s", o.Status)
	}
	st = gw.complete(sid, true)
	resp, body = e.webhook(sessionEventJSON("evt_a2", payment.EventAsyncPaymentSucceeded, st), testWebhookSecret)
	status(t, resp, 200, body)
	// A stale completed(unpaid) and a failure arriving afterwards change nothing.
	unpaid := st
	unpaid.PaymentStatus = payment.PaymentUnpaid
	e.webhook(sessionEventJSON("evt_a1b", payment.EventCheckoutCompleted, unpaid), testWebhookSecret)
	e.webhook(sessionEventJSON("evt_a3", payment.EventAsyncPaymentFailed, unpaid), testWebhookSecret)
	if o := e.orderOf(code); o.Status != booking.OrderPaid || e.soldSeats(o) != 1 {
		t.Fatalf("async succeeded: %s", o.Status)
	}

	// A failed asynchronous payment: the order fails, the seat goes back on sale.
	b2, code2 := e.order(e.seat(4, 6))
	sid2 := e.pay(b2, code2)
	st2 := gw.complete(sid2, false)
	e.webhook(sessionEventJSON("evt_b1", payment.EventCheckoutCompleted, st2), testWebhookSecret)
	resp, body = e.webhook(sessionEventJSON("evt_b2", payment.EventAsyncPaymentFailed, st2), testWebhookSecret)
	status(t, resp, 200, body)
	if o := e.orderOf(code2); o.Status != booking.OrderFailed || e.count(`SELECT count(*) FROM seat_claims WHERE order_id = $1`, o.ID) != 0 {
		t.Fatalf("async failed: %s", o.Status)
	}
}

func TestPayLatePaymentRetakesSeats(t *testing.T) {
	gw := newFakeGateway(t)
	e := newPayEnv(t, gw)
	b, code := e.order(e.seat(5, 1), e.seat(5, 2))
	sid := e.pay(b, code)
	// The hold runs out and the sweeper gives the seats back before the money arrives.
	e.clock.Advance(11 * time.Minute)
	if n, _, _ := e.db.Sweep(context.Background(), e.clock.Now()); n != 1 {
		t.Fatal("not swept")
	}
	st := gw.complete(sid, true)
	resp, body := e.webhook(sessionEventJSON("evt_l1", payment.EventCheckoutCompleted, st), testWebhookSecret)
	status(t, resp, 200, body)
	o := e.orderOf(code)
	if o.Status != booking.OrderPaid || e.soldSeats(o) != 2 || len(gw.refundList()) != 0 {
		t.Fatalf("late payment with free seats: %s sold=%d", o.Status, e.soldSeats(o))
	}
}

func TestPayLatePaymentRefundedWhenSeatsTaken(t *testing.T) {
	gw := newFakeGateway(t)
	e := newPayEnv(t, gw)
	b, code := e.order(e.seat(5, 1), e.seat(5, 2))
	sid := e.pay(b, code)
	e.clock.Advance(11 * time.Minute)
	e.db.Sweep(context.Background(), e.clock.Now())
	// Someone else takes one of the seats.
	other := e.browser()
	other.open(e.path(""))
	if resp, _, body := other.hold(e.seat(5, 2)); resp.StatusCode != 200 {
		t.Fatalf("other hold: %d %s", resp.StatusCode, body)
	}
	st := gw.complete(sid, true)
	resp, body := e.webhook(sessionEventJSON("evt_l2", payment.EventCheckoutCompleted, st), testWebhookSecret)
	status(t, resp, 200, body)
	o := e.orderOf(code)
	refunds := gw.refundList()
	if o.Status != booking.OrderFailed || len(refunds) != 1 || refunds[0].Amount != o.TotalCents || refunds[0].Ref != st.PaymentRef {
		t.Fatalf("late payment, seat gone: %s refunds=%+v", o.Status, refunds)
	}
	// All or nothing: the free seat was not taken either; the other customer keeps theirs.
	if e.count(`SELECT count(*) FROM seat_claims WHERE order_id = $1`, o.ID) != 0 ||
		e.count(`SELECT count(*) FROM seat_claims WHERE seat_id = $1 AND cart_id IS NOT NULL`, e.seat(5, 2)) != 1 {
		t.Fatal("seats after refused late payment")
	}
	if e.count(`SELECT count(*) FROM refunds WHERE order_id = $1 AND status = 'succeeded' AND reason = 'late_payment'`, o.ID) != 1 {
		t.Fatal("refund not recorded")
	}
	_, doc := b.open("/orders/" + code)
	if !strings.Contains(doc.Find(`[data-testid="auto-refund"]`).Text(), "refunded $27.00 in full") {
		t.Fatalf("order page: %s", doc.Find("main").Text())
	}
	// The payment service recorded the refund; the after-sale job tells the customer.
	if n, err := e.h.AfterSale().TellRefunds(context.Background()); err != nil || n != 1 {
		t.Fatalf("tell refunds: %d %v", n, err)
	}
	m, ok := e.mail.Last("guest@example.com")
	if !ok || !strings.Contains(m.Subject, code) || !strings.Contains(m.Text, "$27.00") {
		t.Fatalf("mail: %+v", m)
	}
	// The webhook again, and the success redirect: no second refund, no second e-mail.
	e.webhook(sessionEventJSON("evt_l2", payment.EventCheckoutCompleted, st), testWebhookSecret)
	b.open("/orders/" + code + "/paid?session_id=" + sid)
	if _, err := e.h.AfterSale().TellRefunds(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(gw.refundList()) != 1 || len(e.mail.Messages()) != 1 {
		t.Fatal("refunded or mailed twice")
	}
}

// TestPayLateRefundRetriedThenTold: the automatic refund of a late payment
// meets an unreachable provider; reconciliation (the ledger's one retry job)
// sends it again with the same key, and only then is the customer told, once.
func TestPayLateRefundRetriedThenTold(t *testing.T) {
	gw := newFakeGateway(t)
	e := newPayEnv(t, gw)
	ctx := context.Background()
	b, code := e.order(e.seat(5, 1))
	sid := e.pay(b, code)
	e.clock.Advance(11 * time.Minute)
	e.db.Sweep(ctx, e.clock.Now())
	other := e.browser()
	other.open(e.path(""))
	if resp, _, body := other.hold(e.seat(5, 1)); resp.StatusCode != 200 {
		t.Fatalf("other hold: %d %s", resp.StatusCode, body)
	}
	gw.mu.Lock()
	gw.down = true
	gw.mu.Unlock()
	st := gw.complete(sid, true)
	resp, body := e.webhook(sessionEventJSON("evt_r1", payment.EventCheckoutCompleted, st), testWebhookSecret)
	status(t, resp, 200, body)
	o := e.orderOf(code)
	if o.Status != booking.OrderFailed || len(gw.refundList()) != 0 ||
		e.count(`SELECT count(*) FROM refunds WHERE order_id = $1 AND status = 'pending' AND reason = 'late_payment'`, o.ID) != 1 {
		t.Fatalf("late payment, provider down: %s", o.Status)
	}
	if n, err := e.h.AfterSale().TellRefunds(ctx); err != nil || n != 0 || len(e.mail.Messages()) != 0 {
		t.Fatalf("told before the refund went through: %d %v", n, err)
	}
	gw.mu.Lock()
	gw.down = false
	gw.mu.Unlock()
	e.clock.Advance(2 * time.Minute)
	gw.mu.Lock()
	gw.noList = true // the retry must not depend on the provider's session listing
	gw.mu.Unlock()
	e.svc.Tick(ctx, time.Hour)
	refunds := gw.refundList()
	if len(refunds) != 1 || refunds[0].Amount != o.TotalCents || refunds[0].Key != fmt.Sprint("marquee-refund-late_payment-", e.count(`SELECT id FROM payments WHERE checkout_session_id = $1`, sid)) ||
		e.count(`SELECT count(*) FROM refunds WHERE order_id = $1 AND status = 'succeeded'`, o.ID) != 1 ||
		int64(e.count(`SELECT refunded_cents FROM payments WHERE checkout_session_id = $1`, sid)) != o.TotalCents {
		t.Fatalf("retried refund: %+v", refunds)
	}
	if n, err := e.h.AfterSale().TellRefunds(ctx); err != nil || n != 1 {
		t.Fatalf("tell: %d %v", n, err)
	}
	if m, ok := e.mail.Last("guest@example.com"); !ok || !strings.Contains(m.Subject, code) || !strings.Contains(m.Text, "refunded") {
		t.Fatalf("mail: %+v", m)
	}
	e.clock.Advance(2 * time.Minute)
	e.svc.Tick(ctx, time.Hour)
	if n, err := e.svc.RetryRefunds(ctx, 0); err != nil || n != 0 || len(gw.refundList()) != 1 {
		t.Fatal("refunded twice")
	}
	if n, _ := e.h.AfterSale().TellRefunds(ctx); n != 0 || len(e.mail.Messages()) != 1 {
		t.Fatal("told twice")
	}
}

func TestPayHoldTimerExpiresSession(t *testing.T) {
	gw := newFakeGateway(t)
	e := newPayEnv(t, gw)
	ctx := context.Background()
	b, code := e.order(e.seat(6, 1))
	sid := e.pay(b, code)
	b2, code2 := e.order(e.seat(6, 3))
	sid2 := e.pay(b2, code2)
	gw.complete(sid2, true) // paid at the provider just before our hold ran out; the webhook is late
	e.clock.Advance(10 * time.Minute)
	e.db.Sweep(ctx, e.clock.Now())
	e.svc.Tick(ctx, time.Hour)
	if st, _ := gw.GetCheckout(ctx, sid); st.Status != payment.StatusExpired ||
		e.count(`SELECT count(*) FROM payments WHERE checkout_session_id = $1 AND status = 'expired'`, sid) != 1 {
		t.Fatalf("session not expired: %s", st.Status)
	}
	if o := e.orderOf(code); o.Status != booking.OrderExpired {
		t.Fatalf("order: %s", o.Status)
	}
	// Expiring the paid one said "already paid": it was fulfilled instead (late payment, seat free).
	if o := e.orderOf(code2); o.Status != booking.OrderPaid || e.soldSeats(o) != 1 {
		t.Fatalf("already paid session: %s", o.Status)
	}
	// Pay on an expired order is refused.
	resp, body := b.post("/orders/"+code+"/pay", nil)
	status(t, resp, http.StatusGone, body)
}

func TestPayReconciliationRepairsMissedWebhook(t *testing.T) {
	gw := newFakeGateway(t)
	e := newPayEnv(t, gw)
	ctx := context.Background()
	b, code := e.order(e.seat(7, 1), e.seat(7, 2))
	sid := e.pay(b, code)
	// The customer paid; we crashed before the webhook was processed (it never arrives).
	gw.complete(sid, true)
	rep, err := e.svc.Reconcile(ctx)
	if err != nil || rep.Repaired != 1 {
		t.Fatalf("reconcile: %+v %v", rep, err)
	}
	if o := e.orderOf(code); o.Status != booking.OrderPaid || e.soldSeats(o) != 2 {
		t.Fatalf("after reconcile: %s", o.Status)
	}
	if rep, _ := e.svc.Reconcile(ctx); rep.Repaired != 0 {
		t.Fatalf("second pass repaired again: %+v", rep)
	}
	// The job reconciles once per lease across instances.
	e.svc.Tick(ctx, time.Hour)
	if ok, _ := e.db.TryPaymentLease(ctx, "reconcile", e.clock.Now(), e.clock.Now().Add(time.Hour)); ok {
		t.Fatal("lease not held after a tick")
	}
}

func TestPayRefunds(t *testing.T) {
	gw := newFakeGateway(t)
	e := newPayEnv(t, gw)
	ctx := context.Background()
	b, code := e.order(e.seat(8, 1), e.seat(8, 2))
	sid := e.pay(b, code)
	st := gw.complete(sid, true)
	e.webhook(sessionEventJSON("evt_r1", payment.EventCheckoutCompleted, st), testWebhookSecret)

	r, err := e.svc.Refund(ctx, code, 1300, "customer", "refund-k1")
	if err != nil || r.Status != booking.RefundSucceeded || r.ProviderRef == "" {
		t.Fatalf("partial refund: %+v %v", r, err)
	}
	again, err := e.svc.Refund(ctx, code, 1300, "customer", "refund-k1")
	if err != nil || again.ID != r.ID || len(gw.refundList()) != 1 {
		t.Fatalf("same key refunded twice: %+v %v", again, err)
	}
	if _, err := e.svc.Refund(ctx, code, 1500, "customer", "refund-k2"); booking.ErrorCode(err) != booking.EINVALID {
		t.Fatalf("over-refund: %v", err)
	}
	// The adapter the after-sale service uses.
	ref, err := payment.Refunder{Service: e.svc}.Refund(ctx, code, 1400, "customer", "refund-k3")
	if err != nil || ref == "" {
		t.Fatalf("refunder: %q %v", ref, err)
	}
	if e.count(`SELECT refunded_cents FROM payments WHERE checkout_session_id = $1`, sid) != 2700 ||
		e.count(`SELECT count(*) FROM payments WHERE checkout_session_id = $1 AND status = 'refunded'`, sid) != 1 {
		t.Fatal("refunded amount not recorded")
	}

	// A refusal: a clear domain error that also says ErrDeclined; nothing else changes.
	b2, code2 := e.order(e.seat(8, 5))
	sid2 := e.pay(b2, code2)
	st2 := gw.complete(sid2, true)
	e.webhook(sessionEventJSON("evt_r2", payment.EventCheckoutCompleted, st2), testWebhookSecret)
	gw.refuse = true
	_, err = e.svc.Refund(ctx, code2, 500, "customer", "refund-k4")
	if booking.ErrorCode(err) != booking.ECONFLICT || !errors.Is(err, payment.ErrDeclined) {
		t.Fatalf("refused refund: %v", err)
	}
	if o := e.orderOf(code2); o.Status != booking.OrderPaid ||
		e.count(`SELECT refunded_cents FROM payments WHERE checkout_session_id = $1`, sid2) != 0 ||
		e.count(`SELECT count(*) FROM refunds WHERE idempotency_key = 'refund-k4' AND status = 'failed'`) != 1 {
		t.Fatal("refused refund changed the order")
	}
	if _, err := e.svc.Refund(ctx, "NOSUCHORDER1", 100, "customer", "refund-k5"); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("unknown order: %v", err)
	}
}

// TestPayNoTransactionAcrossGatewayCalls holds the gateway inside each call
// while another connection updates the same order, claim and payment rows
// with a short lock_timeout: had any code path kept a transaction (and its
// row locks) open across the call, the update would fail.
func TestPayNoTransactionAcrossGatewayCalls(t *testing.T) {
	gw := newFakeGateway(t)
	e := newPayEnv(t, gw)
	ctx := context.Background()
	touch := func(what string, o booking.Order) {
		t.Helper()
		conn, err := dbtest.SQL(t, e.db).Connx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		tx, err := conn.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		for _, q := range []string{
			`SET LOCAL lock_timeout = '300ms'`,
			`UPDATE orders SET email = email WHERE id = $1`,
			`UPDATE seat_claims SET ticket_type = ticket_type WHERE order_id = $1`,
			`UPDATE order_items SET price_cents = price_cents WHERE order_id = $1`,
			`UPDATE payments SET updated_at = updated_at WHERE order_id = $1`,
			`UPDATE refunds SET updated_at = updated_at WHERE order_id = $1`,
		} {
			var args []any
			if strings.Contains(q, "$1") {
				args = []any{o.ID}
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: rows locked during the gateway call (%s): %v", what, q, err)
			}
		}
	}
	during := func(op string, o booking.Order, call func()) {
		t.Helper()
		gw.mu.Lock()
		gw.hang[op] = true
		gw.mu.Unlock()
		done := make(chan struct{})
		go func() { defer close(done); call() }()
		<-gw.entered
		touch(op, o)
		gw.release <- struct{}{}
		<-done
	}

	b, code := e.order(e.seat(9, 1), e.seat(9, 2))
	o := e.orderOf(code)
	var sid string
	during("create", o, func() {
		req := httptest.NewRequest(http.MethodPost, "/orders/"+code+"/pay", strings.NewReader("_csrf="+url.QueryEscape(b.csrf)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range b.cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		resp, err := e.app.Test(req, -1)
		if err == nil {
			loc := resp.Header.Get("Location")
			sid = loc[strings.LastIndex(loc, "/")+1:]
		}
	})
	if sid == "" {
		t.Fatal("no session created")
	}
	st := gw.complete(sid, true)
	// Late payment with the seat gone: the automatic refund is sent after the commit.
	e.clock.Advance(11 * time.Minute)
	e.db.Sweep(ctx, e.clock.Now())
	other := e.browser()
	other.open(e.path(""))
	other.hold(e.seat(9, 1))
	during("refund", o, func() {
		e.webhook(sessionEventJSON("evt_t1", payment.EventCheckoutCompleted, st), testWebhookSecret)
	})
	if o := e.orderOf(code); o.Status != booking.OrderFailed || len(gw.refundList()) != 1 {
		t.Fatalf("late refund: %s", o.Status)
	}
	// The expiry job: an order whose hold ran out with its session open.
	b3, code3 := e.order(e.seat(9, 5))
	e.pay(b3, code3)
	e.clock.Advance(11 * time.Minute)
	e.db.Sweep(ctx, e.clock.Now())
	during("expire", e.orderOf(code3), func() { e.svc.Tick(ctx, time.Hour) })
	// A refund asked for by the cancellation flow.
	b4, code4 := e.order(e.seat(9, 7))
	st4 := gw.complete(e.pay(b4, code4), true)
	e.webhook(sessionEventJSON("evt_t4", payment.EventCheckoutCompleted, st4), testWebhookSecret)
	during("refund", e.orderOf(code4), func() {
		if _, err := e.svc.Refund(ctx, code4, 500, "customer", "k-t4"); err != nil {
			t.Error(err)
		}
	})
}

func TestPayDemoGatewayEndToEnd(t *testing.T) {
	e := newPayEnv(t, nil) // no Stripe: the handler builds the demo gateway
	b, code := e.order(e.seat(2, 1), e.seat(2, 2))
	_, doc := b.open("/orders/" + code)
	if doc.Find(`[data-testid="demo-banner"]`).Length() != 1 {
		t.Fatal("no demo banner")
	}
	sid := e.pay(b, code)
	if !strings.HasPrefix(sid, "cs_demo_") {
		t.Fatalf("session %q", sid)
	}
	resp, doc := b.open("/demo/checkout/" + sid)
	status(t, resp, 200, "")
	if !strings.Contains(doc.Find(`[data-testid="demo-label"]`).Text(), "no real payment") ||
		doc.Find(`[data-testid="demo-total"]`).Text() != "$27.00" {
		t.Fatalf("demo page: %s", doc.Find("main").Text())
	}
	// Declined: still pending, the page says so and stays open.
	resp, body := b.post("/demo/checkout/"+sid, url.Values{"outcome": {"decline"}})
	status(t, resp, http.StatusPaymentRequired, body)
	if e.orderOf(code).Status != booking.OrderPendingPayment || !strings.Contains(body, "declined") {
		t.Fatal("decline")
	}
	// Without the CSRF token: refused.
	req := httptest.NewRequest(http.MethodPost, "/demo/checkout/"+sid, strings.NewReader("outcome=succeed"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, _, _ = b.send(req)
	status(t, resp, 403, "")
	// Succeed: back through the success redirect to a paid order.
	resp, body = b.post("/demo/checkout/"+sid, url.Values{"outcome": {"succeed"}})
	status(t, resp, http.StatusSeeOther, body)
	// The demo gateway sends the browser back to the site's base URL, as Stripe does.
	to := resp.Header.Get("Location")
	if to != "http://marquee.test/orders/"+code+"/paid?session_id="+sid {
		t.Fatalf("success redirect %q", to)
	}
	resp, _ = b.open(strings.TrimPrefix(to, "http://marquee.test"))
	status(t, resp, http.StatusSeeOther, "")
	_, doc = b.open("/orders/" + code)
	if doc.Find(`[data-testid="order"]`).AttrOr("data-status", "") != "paid" || e.soldSeats(e.orderOf(code)) != 2 {
		t.Fatalf("demo paid: %s", doc.Find("main").Text())
	}
	// Pay later, then settle from the order page: success, and failure.
	for _, outcome := range []string{"succeed", "fail"} {
		seat := e.seat(3, 1)
		if outcome == "fail" {
			seat = e.seat(3, 3)
		}
		b, code := e.order(seat)
		sid := e.pay(b, code)
		b.open("/demo/checkout/" + sid)
		resp, body := b.post("/demo/checkout/"+sid, url.Values{"outcome": {"pay_later"}})
		status(t, resp, http.StatusSeeOther, body)
		b.open(resp.Header.Get("Location"))
		_, doc := b.open("/orders/" + code)
		if doc.Find(`[data-testid="payment-processing"]`).Length() != 1 || doc.Find(`[data-testid="demo-settle"]`).Length() != 1 {
			t.Fatalf("pay later page: %s", doc.Find("main").Text())
		}
		resp, body = b.post("/demo/checkout/"+sid+"/settle", url.Values{"outcome": {outcome}})
		status(t, resp, http.StatusSeeOther, body)
		want := booking.OrderPaid
		if outcome == "fail" {
			want = booking.OrderFailed
		}
		if got := e.orderOf(code).Status; got != want {
			t.Fatalf("settle %s: %s", outcome, got)
		}
	}
	// The demo gateway refuses any webhook.
	resp, _ = e.webhook([]byte(`{}`), testWebhookSecret)
	status(t, resp, 400, "")
}

func TestPayStripeCheckoutAgainstStripeMock(t *testing.T) {
	url := paymenttest.StripeMock(t)
	s, err := payment.NewStripe(payment.StripeConfig{SecretKey: "sk_test_123", WebhookSecret: testWebhookSecret, APIURL: url})
	if err != nil {
		t.Fatal(err)
	}
	e := newPayEnv(t, s)
	b, code := e.order(e.seat(1, 1), e.seat(6, 8))
	_, doc := b.open("/orders/" + code)
	if doc.Find(`[data-testid="demo-banner"]`).Length() != 0 {
		t.Fatal("demo banner with Stripe")
	}
	resp, body := b.post("/orders/"+code+"/pay", nil)
	status(t, resp, http.StatusSeeOther, body)
	if resp.Header.Get("Location") == "" || e.count(`SELECT count(*) FROM payments WHERE status = 'open' AND checkout_session_id IS NOT NULL AND provider = 'stripe'`) != 1 {
		t.Fatalf("stripe checkout: %q", resp.Header.Get("Location"))
	}
	resp, _ = b.open("/demo/checkout/cs_x")
	status(t, resp, 404, "")

	// A second order, paid (signed webhook verified by the Stripe code), refunded through stripe-mock.
	_, code2 := e.order(e.seat(1, 5))
	// Its checkout session, as created (stripe-mock answers every create with
	// the same session id, so the row is written directly): money for a
	// session we never created pays nothing.
	o2 := e.orderOf(code2)
	if _, err := dbtest.SQL(t, e.db).ExecContext(context.Background(), `
		INSERT INTO payments (order_id, provider, kind, status, checkout_session_id, amount_cents, currency, created_at, updated_at)
		VALUES ($1, 'stripe', 'checkout', 'open', 'cs_test_mock2', $2, $3, $4, $4)`, o2.ID, o2.TotalCents, o2.Currency, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	st := payment.CheckoutState{ID: "cs_test_mock2", OrderCode: code2, Status: payment.StatusComplete,
		PaymentStatus: payment.PaymentPaid, PaymentRef: "pi_mock2", AmountCents: 1350}
	resp, body = e.webhook(sessionEventJSON("evt_m1", payment.EventCheckoutCompleted, st), testWebhookSecret)
	status(t, resp, 200, body)
	if o := e.orderOf(code2); o.Status != booking.OrderPaid {
		t.Fatalf("webhook: %s", o.Status)
	}
	ctx := context.Background()
	if r, err := e.svc.Refund(ctx, code2, 500, "customer", "mock-refund-1"); err != nil || r.Status != booking.RefundSucceeded || r.ProviderRef == "" {
		t.Fatalf("refund via stripe-mock: %+v %v", r, err)
	}
	// The first order's hold runs out: its session is expired through the API.
	e.clock.Advance(11 * time.Minute)
	e.db.Sweep(ctx, e.clock.Now())
	if n, err := e.svc.ExpireLapsed(ctx); err != nil || n != 1 ||
		e.count(`SELECT count(*) FROM payments WHERE status = 'expired' AND provider = 'stripe'`) != 1 {
		t.Fatalf("expire via stripe-mock: %d %v", n, err)
	}
	if _, err := e.svc.Reconcile(ctx); err != nil {
		t.Fatalf("reconcile via stripe-mock: %v", err)
	}
}

func TestPayCounterTenders(t *testing.T) {
	e := newPayEnv(t, newFakeGateway(t))
	ctx := context.Background()
	staff, err := e.db.CreateUser(ctx, db.NewUser{Email: "till@example.com", PasswordHash: "x", Name: "Till One", Role: booking.RoleStaff, Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	_, code := e.order(e.seat(2, 10), e.seat(2, 11))
	if _, err := e.svc.RecordCounterPayment(ctx, payment.CounterPayment{OrderCode: code, Method: payment.ProviderCash, TenderedCents: 2000, StaffUserID: staff.ID}); booking.ErrorCode(err) != booking.EINVALID {
		t.Fatalf("short cash: %v", err)
	}
	// Cash needs the staff member's open drawer at the show's theatre.
	if _, err := e.svc.RecordCounterPayment(ctx, payment.CounterPayment{OrderCode: code, Method: payment.ProviderCash, TenderedCents: 3000, StaffUserID: staff.ID}); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("cash without a drawer: %v", err)
	}
	var theatreID int64
	if err := dbtest.SQL(t, e.db).Get(&theatreID, `SELECT a.theatre_id FROM orders o JOIN showtimes s ON s.id = o.showtime_id
		JOIN auditoriums a ON a.id = s.auditorium_id WHERE o.code = $1`, code); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.OpenDrawer(ctx, booking.NewDrawer{TheatreID: theatreID, Till: "Till 1", StaffUserID: staff.ID, Now: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	rec, err := e.svc.RecordCounterPayment(ctx, payment.CounterPayment{OrderCode: code, Method: payment.ProviderCash, TenderedCents: 3000, StaffUserID: staff.ID})
	if err != nil || rec.ChangeCents != 300 || rec.AmountCents != 2700 || rec.Kind != payment.KindCounter {
		t.Fatalf("cash: %+v %v", rec, err)
	}
	if o := e.orderOf(code); o.Status != booking.OrderPaid || e.soldSeats(o) != 2 {
		t.Fatalf("cash order: %s", o.Status)
	}
	if _, err := e.svc.RecordCounterPayment(ctx, payment.CounterPayment{OrderCode: code, Method: payment.ProviderCash, TenderedCents: 3000, StaffUserID: staff.ID}); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("paid twice: %v", err)
	}
	_, code2 := e.order(e.seat(2, 12))
	if _, err := e.svc.RecordCounterPayment(ctx, payment.CounterPayment{OrderCode: code2, Method: payment.ProviderCardPresent, StaffUserID: staff.ID}); booking.ErrorCode(err) != booking.EINVALID {
		t.Fatalf("card without reference: %v", err)
	}
	rec, err = e.svc.RecordCounterPayment(ctx, payment.CounterPayment{OrderCode: code2, Method: payment.ProviderCardPresent, CardReference: "TERM1-000123", StaffUserID: staff.ID})
	if err != nil || rec.CardReference != "TERM1-000123" {
		t.Fatalf("card present: %+v %v", rec, err)
	}
	// Cash per shift: the card payment isn't cash.
	day := e.clock.Now().Truncate(24 * time.Hour)
	totals, err := e.svc.CashTotals(ctx, day, day.Add(24*time.Hour), "Europe/London")
	if err != nil || len(totals) != 1 || totals[0].CashCents != 2700 || totals[0].TenderedCents != 3000 ||
		totals[0].ChangeCents != 300 || totals[0].StaffName != "Till One" || totals[0].Payments != 1 {
		t.Fatalf("cash totals: %+v %v", totals, err)
	}
	// A counter refund is recorded as handed back.
	r, err := e.svc.Refund(ctx, code, 1300, "staff", "counter-refund-1")
	if err != nil || r.Status != booking.RefundSucceeded {
		t.Fatalf("counter refund: %+v %v", r, err)
	}
}

func TestPayConcurrentPressesAndLostSessions(t *testing.T) {
	gw := newFakeGateway(t)
	e := newPayEnv(t, gw)
	ctx := context.Background()
	_, code := e.order(e.seat(1, 10), e.seat(1, 11))
	// Two "Pay" presses at once: one row, one session, the same page.
	urls := make([]string, 4)
	var wg sync.WaitGroup
	for i := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := e.svc.StartCheckout(ctx, code)
			if err != nil {
				t.Error(err)
			}
			urls[i] = u
		}()
	}
	wg.Wait()
	if urls[0] == "" || urls[0] != urls[1] || urls[1] != urls[2] || urls[2] != urls[3] || len(gw.sessions) != 1 ||
		e.count(`SELECT count(*) FROM payments`) != 1 {
		t.Fatalf("concurrent presses: %v, %d sessions", urls, len(gw.sessions))
	}
	// The provider lost the session (the demo gateway restarted): a new one.
	sid := urls[0][strings.LastIndex(urls[0], "/")+1:]
	gw.mu.Lock()
	delete(gw.sessions, sid)
	gw.mu.Unlock()
	u, err := e.svc.StartCheckout(ctx, code)
	if err != nil || u == urls[0] {
		t.Fatalf("after a lost session: %q %v", u, err)
	}
	// Paid at the provider, webhook missed: pressing "Pay" again fulfils instead.
	gw.complete(u[strings.LastIndex(u, "/")+1:], true)
	if _, err := e.svc.StartCheckout(ctx, code); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("pay after paid: %v", err)
	}
	if o := e.orderOf(code); o.Status != booking.OrderPaid {
		t.Fatalf("order: %s", o.Status)
	}
}

func TestPayDuplicatePaymentRefunded(t *testing.T) {
	gw := newFakeGateway(t)
	e := newPayEnv(t, gw)
	b, code := e.order(e.seat(4, 10))
	st := gw.complete(e.pay(b, code), true)
	e.webhook(sessionEventJSON("evt_d1", payment.EventCheckoutCompleted, st), testWebhookSecret)
	// Money for the same order through a session we never stored (created
	// before a crash, paid in another tab): refunded, the order stays paid.
	other := payment.CheckoutState{ID: "cs_test_lost", OrderCode: code, Status: payment.StatusComplete,
		PaymentStatus: payment.PaymentPaid, PaymentRef: "pi_lost", AmountCents: st.AmountCents}
	resp, body := e.webhook(sessionEventJSON("evt_d2", payment.EventCheckoutCompleted, other), testWebhookSecret)
	status(t, resp, 200, body)
	refunds := gw.refundList()
	if o := e.orderOf(code); o.Status != booking.OrderPaid || len(refunds) != 1 || refunds[0].Ref != "pi_lost" {
		t.Fatalf("duplicate payment: %s %+v", o.Status, refunds)
	}
	_, doc := b.open("/orders/" + code)
	if !strings.Contains(doc.Find(`[data-testid="auto-refund"]`).Text(), "already been paid") {
		t.Fatalf("order page: %s", doc.Find("main").Text())
	}
	// An event for an order that isn't ours is acknowledged and ignored.
	stranger := other
	stranger.ID, stranger.OrderCode = "cs_test_x", "ZZZZZZZZZZZZ"
	resp, body = e.webhook(sessionEventJSON("evt_d3", payment.EventCheckoutCompleted, stranger), testWebhookSecret)
	status(t, resp, 200, body)
}

// TestPayMismatchedPaymentNeverPays: a verified payment of another amount or
// currency, or for a checkout session we never created, never marks the
// order paid; it goes back whole through the refund ledger.
func TestPayMismatchedPaymentNeverPays(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*payment.CheckoutState)
	}{
		{"one cent", func(st *payment.CheckoutState) { st.AmountCents = 1 }},
		{"another currency", func(st *payment.CheckoutState) { st.Currency = "jpy" }},
		{"a session we never created", func(st *payment.CheckoutState) { st.ID, st.PaymentRef = "cs_test_forged", "pi_forged" }},
	} {
		for _, async := range []bool{false, true} {
			name := c.name
			if async {
				name += ", paid later (asynchronous method)"
			}
			t.Run(name, func(t *testing.T) {
				gw := newFakeGateway(t)
				e := newPayEnv(t, gw)
				b, code := e.order(e.seat(4, 10), e.seat(4, 11))
				st := gw.complete(e.pay(b, code), true)
				st.Currency = "usd"
				c.change(&st)
				if async { // completed, money not yet settled; then it settles
					unpaid := st
					unpaid.PaymentStatus = payment.PaymentUnpaid
					resp, body := e.webhook(sessionEventJSON("evt_mm0", payment.EventCheckoutCompleted, unpaid), testWebhookSecret)
					status(t, resp, 200, body)
				}
				ev := payment.EventCheckoutCompleted
				if async {
					ev = payment.EventAsyncPaymentSucceeded
				}
				resp, body := e.webhook(sessionEventJSON("evt_mm1", ev, st), testWebhookSecret)
				status(t, resp, 200, body)
				o := e.orderOf(code)
				refunds := gw.refundList()
				if o.Status == booking.OrderPaid || e.soldSeats(o) != 0 || len(refunds) != 1 || refunds[0].Amount != st.AmountCents || refunds[0].Ref != st.PaymentRef {
					t.Fatalf("mismatched payment: order %s sold=%d refunds=%+v", o.Status, e.soldSeats(o), refunds)
				}
				if e.count(`SELECT count(*) FROM refunds WHERE order_id = $1 AND reason = 'mismatched_payment'`, o.ID) != 1 {
					t.Fatal("refund not in the ledger as a mismatched payment")
				}
				_, doc := b.open("/orders/" + code)
				if !strings.Contains(doc.Find(`[data-testid="auto-refund"]`).Text(), "not for the amount asked") {
					t.Fatalf("order page: %s", doc.Find("main").Text())
				}
			})
		}
	}
}
