package aftersale_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"marquee/aftersale"
	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/mail"
	"marquee/payment"
)

var start = time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)

// fakeRefunder stands in for the payments service in tests: it counts calls
// per idempotency key and can be told to decline.
type fakeRefunder struct {
	mu      sync.Mutex
	calls   int
	amounts []int64
	keys    map[string]int
	decline bool
	flaky   bool
}

func (f *fakeRefunder) Refund(_ context.Context, code string, amount int64, reason, key string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.keys == nil {
		f.keys = map[string]int{}
	}
	f.keys[key]++
	if f.decline {
		return "", fmt.Errorf("refund %s: %w", code, payment.ErrDeclined)
	}
	if f.flaky {
		return "", errors.New("connection reset")
	}
	f.amounts = append(f.amounts, amount)
	return "re_" + key, nil
}

type env struct {
	db    *db.DB
	clock *booking.ManualClock
	show  dbtest.Show
	ref   *fakeRefunder
	mail  *mail.Capture
	svc   *aftersale.Service
}

func newEnv(t *testing.T, rules booking.AfterSale) *env {
	t.Helper()
	clock := booking.NewManualClock(start.Add(-5 * time.Hour))
	d := dbtest.New(t, clock)
	e := &env{db: d, clock: clock, show: dbtest.AddShowtime(t, d, start), ref: &fakeRefunder{},
		mail: mail.NewCapture(100, slog.New(slog.NewTextHandler(io.Discard, nil)))}
	e.svc = aftersale.New(aftersale.Options{DB: d, Refunder: e.ref, Mailer: e.mail, Clock: clock, Rules: rules,
		Signer: booking.NewSigner([]byte(strings.Repeat("k", 32))), BaseURL: "https://cinema.test",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return e
}

// ledgerGateway is the gateway of the payment service in these tests: its
// refunds go to the fake refunder (which counts keys, declines, fails).
type ledgerGateway struct {
	payment.Gateway // only Name and Refund are called
	ref             *fakeRefunder
}

func (g ledgerGateway) Name() string { return payment.ProviderStripe }

func (g ledgerGateway) Refund(ctx context.Context, paymentRef string, amount int64, key string) (payment.Refund, error) {
	id, err := g.ref.Refund(ctx, paymentRef, amount, "", key)
	return payment.Refund{ID: id, AmountCents: amount, Status: "succeeded"}, err
}

// payments is the payment service over the test's database, refunding
// through the fake refunder: it runs the refund ledger's retry job.
func (e *env) payments() *payment.Service {
	return payment.NewService(payment.Config{Store: e.db, Gateway: ledgerGateway{ref: e.ref}, Clock: e.clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: "https://cinema.test"})
}

// recordPayment records the provider payment of a paid order (dbtest.PaidOrder records none).
func (e *env) recordPayment(t *testing.T, o booking.Order) {
	t.Helper()
	if _, err := dbtest.SQL(t, e.db).ExecContext(context.Background(), `
		INSERT INTO payments (order_id, provider, kind, status, provider_ref, amount_cents, currency, created_at, updated_at)
		VALUES ($1, 'stripe', 'checkout', 'succeeded', $2, $3, 'usd', $4, $4)`,
		o.ID, "pi_"+o.Code, o.TotalCents, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

func (e *env) paid(t *testing.T, email string, seats ...int64) booking.Order {
	return dbtest.PaidOrder(t, e.db, e.show, email, nil, e.clock.Now(), seats...)
}

func (e *env) order(t *testing.T, code string) booking.Order {
	o, err := e.db.OrderByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (e *env) claims(t *testing.T, orderID int64) int {
	var n int
	if err := dbtest.SQL(t, e.db).GetContext(context.Background(), &n, `SELECT count(*) FROM seat_claims WHERE order_id = $1`, orderID); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCancelWholeAndPartial(t *testing.T) {
	e := newEnv(t, booking.AfterSale{Cancel: booking.CancelPolicy{FeeCents: 50}})
	ctx := context.Background()
	o := e.paid(t, "a@example.com", e.show.SeatIDs[0+2], e.show.SeatIDs[3], e.show.SeatIDs[5]) // 3 × 1250, fee 300
	// Part: one seat. Fee kept (default), 50 cents charge.
	r, err := e.svc.Cancel(ctx, o.Code, []int64{e.show.SeatIDs[3]})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != booking.RefundSucceeded || r.AmountCents != 1200 || r.OrderStatus != booking.OrderPartiallyRefunded {
		t.Fatalf("partial refund %+v", r)
	}
	got := e.order(t, o.Code)
	if got.Status != booking.OrderPartiallyRefunded || e.claims(t, o.ID) != 2 {
		t.Fatalf("after partial: %s, %d claims", got.Status, e.claims(t, o.ID))
	}
	// The same seat again: refused, nothing refunded.
	if _, err := e.svc.Cancel(ctx, o.Code, []int64{e.show.SeatIDs[3]}); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("cancel twice: %v", err)
	}
	// The rest.
	r, err = e.svc.Cancel(ctx, o.Code, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.AmountCents != 2450 || r.OrderStatus != booking.OrderCancelled || len(r.SeatIDs) != 2 {
		t.Fatalf("rest %+v", r)
	}
	if got := e.order(t, o.Code); got.Status != booking.OrderCancelled || e.claims(t, o.ID) != 0 {
		t.Fatalf("after all: %s", got.Status)
	}
	if _, err := e.svc.Cancel(ctx, o.Code, nil); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("cancel a cancelled order: %v", err)
	}
	if e.ref.calls != 2 {
		t.Fatalf("%d refund calls", e.ref.calls)
	}
	var refunded int64
	if err := dbtest.SQL(t, e.db).GetContext(ctx, &refunded, `SELECT refunded_cents FROM orders WHERE id = $1`, o.ID); err != nil {
		t.Fatal(err)
	}
	if refunded != 3650 {
		t.Fatalf("refunded_cents %d", refunded)
	}
	m, ok := e.mail.Last("a@example.com")
	if !ok || !strings.Contains(m.Subject, "Cancellation confirmed") || !strings.Contains(m.Text, "$24.50") {
		t.Fatalf("mail %+v", m)
	}
}

func TestCancelRefusals(t *testing.T) {
	e := newEnv(t, booking.AfterSale{})
	ctx := context.Background()
	o := e.paid(t, "b@example.com", e.show.SeatIDs[40], e.show.SeatIDs[41])
	if err := e.db.CheckIn(ctx, o.ID, e.show.SeatIDs[40], e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cancel(ctx, o.Code, []int64{e.show.SeatIDs[40]}); booking.ErrorCode(err) != booking.ECONFLICT ||
		!strings.Contains(booking.ErrorMessage(err), "checked in") {
		t.Fatalf("checked-in seat: %v", err)
	}
	if _, err := e.svc.Cancel(ctx, o.Code, []int64{e.show.SeatIDs[99]}); booking.ErrorCode(err) != booking.EINVALID {
		t.Fatalf("foreign seat: %v", err)
	}
	// Whole order: only the seat not checked in goes.
	r, err := e.svc.Cancel(ctx, o.Code, nil)
	if err != nil || len(r.SeatIDs) != 1 || r.OrderStatus != booking.OrderPartiallyRefunded {
		t.Fatalf("whole with a checked-in seat: %+v %v", r, err)
	}
	// After the cutoff (2 h before the show): gone.
	o2 := e.paid(t, "c@example.com", e.show.SeatIDs[50])
	e.clock.Set(start.Add(-2 * time.Hour))
	if _, err := e.svc.Cancel(ctx, o2.Code, nil); booking.ErrorCode(err) != booking.EGONE {
		t.Fatalf("after cutoff: %v", err)
	}
	if got := e.order(t, o2.Code); got.Status != booking.OrderPaid || e.claims(t, o2.ID) != 1 {
		t.Fatal("a refused cancellation changed the order")
	}
	if _, err := e.svc.Cancel(ctx, "NOSUCHORDER1", nil); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("unknown order: %v", err)
	}
}

func TestCancelRefundDeclined(t *testing.T) {
	e := newEnv(t, booking.AfterSale{})
	ctx := context.Background()
	o := e.paid(t, "d@example.com", e.show.SeatIDs[60])
	e.ref.decline = true
	r, err := e.svc.Cancel(ctx, o.Code, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != booking.RefundFailed || !strings.Contains(aftersale.RefundMessage(r), "refused") {
		t.Fatalf("declined: %+v", r)
	}
	rs, err := e.db.RefundsOfOrder(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Status != booking.RefundFailed || rs[0].Failure == "" {
		t.Fatalf("recorded %+v", rs)
	}
	var refunded int64
	if err := dbtest.SQL(t, e.db).GetContext(ctx, &refunded, `SELECT refunded_cents FROM orders WHERE id = $1`, o.ID); err != nil {
		t.Fatal(err)
	}
	if refunded != 0 {
		t.Fatal("a declined refund counted as refunded")
	}
	if m, ok := e.mail.Last("d@example.com"); !ok || !strings.Contains(m.Text, "refused") {
		t.Fatalf("mail %+v", m)
	}
	// Retrying (the payment service's retry job) never re-sends a failed refund.
	e.recordPayment(t, o)
	if n, err := e.payments().RetryRefunds(ctx, 0); err != nil || n != 0 || e.ref.calls != 1 {
		t.Fatalf("retry %d %v", n, err)
	}
}

func TestCancelRefundRetriedAfterTransientError(t *testing.T) {
	e := newEnv(t, booking.AfterSale{})
	ctx := context.Background()
	o := e.paid(t, "e@example.com", e.show.SeatIDs[70])
	e.ref.flaky = true
	r, err := e.svc.Cancel(ctx, o.Code, nil)
	if err != nil || r.Status != booking.RefundPending {
		t.Fatalf("flaky: %+v %v", r, err)
	}
	e.ref.flaky = false
	e.clock.Advance(2 * time.Minute)
	e.recordPayment(t, o)
	if n, err := e.payments().RetryRefunds(ctx, time.Minute); err != nil || n != 1 {
		t.Fatalf("retry %d %v", n, err)
	}
	if e.ref.keys[r.IdempotencyKey] != 2 {
		t.Fatal("the retry must reuse the idempotency key")
	}
	rs, err := e.db.RefundsOfOrder(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Status != booking.RefundSucceeded {
		t.Fatal("not settled")
	}
	// Settled by the payment service: the after-sale job tells the customer, once.
	if _, ok := e.mail.Last("e@example.com"); ok {
		t.Fatal("told while the refund was pending")
	}
	if n, err := e.svc.TellRefunds(ctx); err != nil || n != 1 {
		t.Fatalf("tell %d %v", n, err)
	}
	if m, ok := e.mail.Last("e@example.com"); !ok || !strings.Contains(m.Subject, "Cancellation confirmed") {
		t.Fatalf("mail %+v", m)
	}
	if n, _ := e.svc.TellRefunds(ctx); n != 0 {
		t.Fatal("told twice")
	}
}

func TestConcurrentCancelsRefundOnce(t *testing.T) {
	e := newEnv(t, booking.AfterSale{})
	o := e.paid(t, "f@example.com", e.show.SeatIDs[80], e.show.SeatIDs[81])
	var wg sync.WaitGroup
	var ok, conflict atomic.Int32
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var seats []int64
			if i%2 == 1 {
				seats = []int64{e.show.SeatIDs[80]}
			}
			_, err := e.svc.Cancel(context.Background(), o.Code, seats)
			switch booking.ErrorCode(err) {
			case "":
				ok.Add(1)
			case booking.ECONFLICT:
				conflict.Add(1)
			default:
				t.Errorf("cancel: %v", err)
			}
		}(i)
	}
	wg.Wait()
	var refunded int64
	if err := dbtest.SQL(t, e.db).GetContext(context.Background(), &refunded, `SELECT refunded_cents FROM orders WHERE id = $1`, o.ID); err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, a := range e.ref.amounts {
		total += a
	}
	// Either one whole-order cancel won (1 refund), or a one-seat cancel won
	// first and one whole-order cancel took the other seat (2 refunds); never more.
	if ok.Load() < 1 || ok.Load() > 2 || int(ok.Load()) != e.ref.calls || total != 2500 || refunded != 2500 {
		t.Fatalf("ok %d conflict %d calls %d total %d refunded %d", ok.Load(), conflict.Load(), e.ref.calls, total, refunded)
	}
	if got := e.order(t, o.Code); got.Status != booking.OrderCancelled {
		t.Fatalf("status %s", got.Status)
	}
}

func TestCancelShowtimeRefundsEveryOrder(t *testing.T) {
	e := newEnv(t, booking.AfterSale{})
	ctx := context.Background()
	a := e.paid(t, "g@example.com", e.show.SeatIDs[10], e.show.SeatIDs[11])
	b := e.paid(t, "h@example.com", e.show.SeatIDs[12])
	if _, err := e.svc.Cancel(ctx, a.Code, []int64{e.show.SeatIDs[10]}); err != nil { // a partial cancel first: fee kept
		t.Fatal(err)
	}
	res, err := e.svc.CancelShowtime(ctx, e.show.ShowtimeID)
	if err != nil || res.Orders != 2 || res.Failed != 0 || len(res.Problems) != 0 {
		t.Fatalf("cancel showtime %+v %v", res, err)
	}
	for _, o := range []booking.Order{a, b} {
		got := e.order(t, o.Code)
		if got.Status != booking.OrderRefunded || e.claims(t, o.ID) != 0 {
			t.Fatalf("%s: %s", o.Code, got.Status)
		}
	}
	var refunded int64
	if err := dbtest.SQL(t, e.db).GetContext(ctx, &refunded, `SELECT refunded_cents FROM orders WHERE id = $1`, b.ID); err != nil {
		t.Fatal(err)
	}
	if refunded != b.TotalCents {
		t.Fatalf("b refunded %d of %d", refunded, b.TotalCents)
	}
	var st string
	if err := dbtest.SQL(t, e.db).GetContext(ctx, &st, `SELECT status FROM showtimes WHERE id = $1`, e.show.ShowtimeID); err != nil {
		t.Fatal(err)
	}
	if st != "cancelled" {
		t.Fatal(st)
	}
	if m, ok := e.mail.Last("h@example.com"); !ok || !strings.Contains(m.Subject, "cancelled") {
		t.Fatalf("notice %+v", m)
	}
	// Again: nothing left to do, nothing refunded twice.
	calls := e.ref.calls
	if res, err := e.svc.CancelShowtime(ctx, e.show.ShowtimeID); err != nil || res.Orders != 0 || e.ref.calls != calls {
		t.Fatalf("again %+v %v", res, err)
	}
	if n, _ := e.svc.SendNotices(ctx); n != 0 {
		t.Fatal("notices sent twice")
	}
}

func TestConfirmationAndReminderJobsSendOnce(t *testing.T) {
	e := newEnv(t, booking.AfterSale{ReminderBefore: 3 * time.Hour})
	ctx := context.Background()
	o := e.paid(t, "i@example.com", e.show.SeatIDs[20])
	if n, err := e.svc.SendConfirmations(ctx); err != nil || n != 1 {
		t.Fatalf("confirmations %d %v", n, err)
	}
	m, ok := e.mail.Last("i@example.com")
	if !ok || !strings.Contains(m.Text, "/orders/"+o.Code+"?t=") || !strings.Contains(m.Text, "tickets.pdf") {
		t.Fatalf("confirmation %+v", m)
	}
	if n, _ := e.svc.SendConfirmations(ctx); n != 0 {
		t.Fatal("confirmation sent twice")
	}
	// 5 h before: no reminder yet; 2.5 h before: one, once.
	if n, _ := e.svc.SendReminders(ctx); n != 0 {
		t.Fatal("reminder too early")
	}
	e.clock.Set(start.Add(-150 * time.Minute))
	var wg sync.WaitGroup
	var sent atomic.Int32
	for i := 0; i < 4; i++ { // several instances at once
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := e.svc.SendReminders(ctx)
			if err != nil {
				t.Error(err)
			}
			sent.Add(int32(n))
		}()
	}
	wg.Wait()
	if sent.Load() != 1 {
		t.Fatalf("%d reminders", sent.Load())
	}
	if m, _ := e.mail.Last("i@example.com"); !strings.HasPrefix(m.Subject, "Reminder") {
		t.Fatal(m.Subject)
	}
}

func TestShowtimeMovedNotice(t *testing.T) {
	e := newEnv(t, booking.AfterSale{})
	ctx := context.Background()
	o := e.paid(t, "j@example.com", e.show.SeatIDs[30])
	old := start
	if _, err := dbtest.SQL(t, e.db).ExecContext(ctx, `UPDATE showtimes SET starts_at = starts_at + interval '1 hour', ends_at = ends_at + interval '1 hour',
		ready_at = ready_at + interval '1 hour', sales_close_at = sales_close_at + interval '1 hour',
		counter_close_at = counter_close_at + interval '1 hour' WHERE id = $1`, e.show.ShowtimeID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.NotifyShowtimeMoved(ctx, e.show.ShowtimeID, old); err != nil {
		t.Fatal(err)
	}
	m, ok := e.mail.Last("j@example.com")
	if !ok || !strings.Contains(m.Subject, "moved") || !strings.Contains(m.Text, "21:00") || !strings.Contains(m.Text, "20:00") ||
		!strings.Contains(m.Text, o.Code) {
		t.Fatalf("moved notice %+v", m)
	}
}

// TestNoMailToDeletedAccounts: an account deleted between payment and the
// confirmation job leaves its orders with a placeholder address; the job
// must not send the tickets there.
func TestNoMailToDeletedAccounts(t *testing.T) {
	e := newEnv(t, booking.AfterSale{ReminderBefore: 3 * time.Hour})
	ctx := context.Background()
	u, err := e.db.CreateUser(ctx, db.NewUser{Email: "gone@example.com", Name: "Gone"})
	if err != nil {
		t.Fatal(err)
	}
	dbtest.PaidOrder(t, e.db, e.show, "gone@example.com", &u.ID, e.clock.Now(), e.show.SeatIDs[30])
	if err := e.db.DeleteUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SendConfirmations(ctx); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(start.Add(-150 * time.Minute))
	if _, err := e.svc.SendReminders(ctx); err != nil {
		t.Fatal(err)
	}
	for _, m := range e.mail.Messages() {
		t.Errorf("e-mail sent to %s (%q) for a deleted account", m.To, m.Subject)
	}
}
