package payment

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Demo is the offline stand-in for Stripe Checkout used when no Stripe key is
// configured (development only; main refuses it in production). It keeps its
// sessions in memory — like a provider would on its side — and its hosted page
// is served by Marquee itself at /demo/checkout/{id}. Completing a payment
// there produces the same events a Stripe webhook would, which go through the
// same fulfilment function.
//
// Being in memory, it is for a single development instance: with several
// instances behind a load balancer, use Stripe (test mode).
type Demo struct {
	baseURL string
	now     func() time.Time

	mu       sync.Mutex
	sessions map[string]*demoSession
	byRef    map[string]string // payment ref → session id
	idem     map[string]string // idempotency key → session id
	events   int
}

type demoSession struct {
	state   CheckoutState
	req     CheckoutRequest
	expires time.Time
	refunds int64
}

// NewDemo returns a demo gateway whose hosted pages live under baseURL.
func NewDemo(baseURL string, now func() time.Time) *Demo {
	return &Demo{
		baseURL:  strings.TrimRight(baseURL, "/"),
		now:      now,
		sessions: map[string]*demoSession{},
		byRef:    map[string]string{},
		idem:     map[string]string{},
	}
}

// Name implements Gateway.
func (d *Demo) Name() string { return "demo" }

// CreateCheckout creates a demo session.
func (d *Demo) CreateCheckout(_ context.Context, req CheckoutRequest) (Checkout, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.idem[req.IdempotencyKey]; ok && req.IdempotencyKey != "" {
		s := d.sessions[id]
		return Checkout{ID: id, URL: d.baseURL + "/demo/checkout/" + id, ExpiresAt: s.expires}, nil
	}
	var total int64
	for _, l := range req.Lines {
		total += l.UnitCents * l.Quantity
	}
	id := "cs_demo_" + randHex(12)
	exp := req.ExpiresAt
	if exp.IsZero() {
		exp = d.now().Add(30 * time.Minute)
	}
	d.sessions[id] = &demoSession{
		state: CheckoutState{ID: id, OrderCode: req.OrderCode, Status: StatusOpen, PaymentStatus: PaymentUnpaid,
			AmountCents: total, Currency: req.Currency, Created: d.now()},
		req:     req,
		expires: exp,
	}
	if req.IdempotencyKey != "" {
		d.idem[req.IdempotencyKey] = id
	}
	return Checkout{ID: id, URL: d.baseURL + "/demo/checkout/" + id, ExpiresAt: exp}, nil
}

// ExpireCheckout expires an open demo session.
func (d *Demo) ExpireCheckout(_ context.Context, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, ok := d.sessions[id]
	if !ok {
		return fmt.Errorf("demo: no checkout session %q", id)
	}
	switch s.state.Status {
	case StatusComplete:
		return ErrAlreadyPaid
	case StatusOpen:
		s.state.Status = StatusExpired
	}
	return nil
}

// GetCheckout returns a demo session.
func (d *Demo) GetCheckout(_ context.Context, id string) (CheckoutState, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, ok := d.sessions[id]
	if !ok {
		return CheckoutState{}, fmt.Errorf("demo: no checkout session %q", id)
	}
	d.expireLapsed(s)
	return s.state, nil
}

// RecentCheckouts lists demo sessions created since the given time.
func (d *Demo) RecentCheckouts(_ context.Context, since time.Time) ([]CheckoutState, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []CheckoutState
	for _, s := range d.sessions {
		d.expireLapsed(s)
		if !s.state.Created.Before(since) {
			out = append(out, s.state)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

// Refund refunds part of a demo payment.
func (d *Demo) Refund(_ context.Context, paymentRef string, amountCents int64, _ string) (Refund, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	id, ok := d.byRef[paymentRef]
	if !ok {
		return Refund{}, fmt.Errorf("%w: unknown payment", ErrDeclined)
	}
	s := d.sessions[id]
	if amountCents <= 0 || s.refunds+amountCents > s.state.AmountCents {
		return Refund{}, fmt.Errorf("%w: refund exceeds the amount paid", ErrDeclined)
	}
	s.refunds += amountCents
	return Refund{ID: "re_demo_" + randHex(8), AmountCents: amountCents, Status: "succeeded"}, nil
}

// ParseWebhook is not used by the demo gateway: its events are delivered in
// process by Pay. Any payload is refused, so a forged demo webhook does nothing.
func (d *Demo) ParseWebhook([]byte, string) (Event, error) {
	return Event{}, ErrBadSignature
}

// Demo outcomes offered on the hosted page.
const (
	DemoSucceed  = "succeed"
	DemoDecline  = "decline"
	DemoPayLater = "pay_later" // an asynchronous payment method: completed now, paid later
)

// ErrDemoClosed: the demo session is no longer open for payment.
var ErrDemoClosed = errors.New("demo: this checkout session is no longer open")

// Session returns what the hosted page shows for a session.
func (d *Demo) Session(id string) (CheckoutState, CheckoutRequest, time.Time, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, ok := d.sessions[id]
	if !ok {
		return CheckoutState{}, CheckoutRequest{}, time.Time{}, false
	}
	d.expireLapsed(s)
	return s.state, s.req, s.expires, true
}

// Pay applies an outcome chosen on the hosted page and returns the events a
// provider would send (zero or more), to be fed to fulfilment.
func (d *Demo) Pay(id, outcome string) ([]Event, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, ok := d.sessions[id]
	if !ok {
		return nil, fmt.Errorf("demo: no checkout session %q", id)
	}
	d.expireLapsed(s)
	switch outcome {
	case DemoSucceed, DemoPayLater:
		if s.state.Status != StatusOpen {
			return nil, ErrDemoClosed
		}
		s.state.Status = StatusComplete
		s.state.PaymentRef = "pi_demo_" + randHex(10)
		d.byRef[s.state.PaymentRef] = id
		if outcome == DemoSucceed {
			s.state.PaymentStatus = PaymentPaid
		}
		return []Event{d.event(EventCheckoutCompleted, s)}, nil
	case DemoDecline:
		if s.state.Status != StatusOpen {
			return nil, ErrDemoClosed
		}
		return nil, nil // a declined card leaves the session open, as on Stripe
	default:
		return nil, fmt.Errorf("demo: unknown outcome %q", outcome)
	}
}

// SettleLater completes (or fails) a "pay later" payment, as an async
// payment method eventually does.
func (d *Demo) SettleLater(id string, ok bool) ([]Event, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, found := d.sessions[id]
	if !found || s.state.Status != StatusComplete || s.state.PaymentStatus == PaymentPaid {
		return nil, ErrDemoClosed
	}
	if ok {
		s.state.PaymentStatus = PaymentPaid
		return []Event{d.event(EventAsyncPaymentSucceeded, s)}, nil
	}
	return []Event{d.event(EventAsyncPaymentFailed, s)}, nil
}

func (d *Demo) event(typ string, s *demoSession) Event {
	d.events++
	st := s.state
	return Event{ID: fmt.Sprintf("evt_demo_%s_%d", s.state.ID, d.events), Type: typ, Created: d.now(), Checkout: &st}
}

// expireLapsed marks a session expired once its expiry passed (caller holds mu).
func (d *Demo) expireLapsed(s *demoSession) {
	if s.state.Status == StatusOpen && !d.now().Before(s.expires) {
		s.state.Status = StatusExpired
	}
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
