package payment

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"marquee/booking"
)

// Demo is the offline stand-in for Stripe Checkout used when no Stripe key is
// configured (development only; main refuses it in production). Its hosted
// page is served by Marquee itself at /demo/checkout/{id}. Completing a
// payment there produces the same events a Stripe webhook would, which go
// through the same fulfilment function.
//
// Its sessions live in a DemoStore (PostgreSQL: db.CreateDemoSession …), as
// a provider keeps them on its side: several instances share them, and they
// survive a restart.
type Demo struct {
	baseURL string
	now     func() time.Time
	store   DemoStore
}

// DemoSession is one demo checkout session as stored.
type DemoSession struct {
	State         CheckoutState
	Request       CheckoutRequest
	Expires       time.Time
	RefundedCents int64
	Events        int // events sent so far: numbers the next event's id
}

// DemoStore keeps the demo gateway's sessions. Lookups of a session that
// doesn't exist return an error with code booking.ENOTFOUND.
type DemoStore interface {
	// CreateDemoSession stores s, or returns the session already stored
	// under s.Request.IdempotencyKey (when not empty).
	CreateDemoSession(ctx context.Context, s DemoSession) (DemoSession, error)
	DemoSession(ctx context.Context, id string) (DemoSession, error)
	DemoSessionByRef(ctx context.Context, paymentRef string) (DemoSession, error)
	// UpdateDemoSession runs change on the locked session and stores the
	// result when change returns nil.
	UpdateDemoSession(ctx context.Context, id string, change func(*DemoSession) error) (DemoSession, error)
	RecentDemoSessions(ctx context.Context, since time.Time) ([]DemoSession, error)
}

// NewDemo returns a demo gateway whose hosted pages live under baseURL and
// whose sessions are kept in store.
func NewDemo(baseURL string, now func() time.Time, store DemoStore) *Demo {
	return &Demo{baseURL: strings.TrimRight(baseURL, "/"), now: now, store: store}
}

// Name implements Gateway.
func (d *Demo) Name() string { return "demo" }

func (d *Demo) checkout(s DemoSession) Checkout {
	return Checkout{ID: s.State.ID, URL: d.baseURL + "/demo/checkout/" + s.State.ID, ExpiresAt: s.Expires}
}

// CreateCheckout creates a demo session (the same one again for a repeated idempotency key).
func (d *Demo) CreateCheckout(ctx context.Context, req CheckoutRequest) (Checkout, error) {
	var total int64
	for _, l := range req.Lines {
		total += l.UnitCents * l.Quantity
	}
	id := "cs_demo_" + randHex(12)
	exp := req.ExpiresAt
	if exp.IsZero() {
		exp = d.now().Add(30 * time.Minute)
	}
	s, err := d.store.CreateDemoSession(ctx, DemoSession{
		State: CheckoutState{ID: id, OrderCode: req.OrderCode, Status: StatusOpen, PaymentStatus: PaymentUnpaid,
			AmountCents: total, Currency: req.Currency, Created: d.now()},
		Request: req,
		Expires: exp,
	})
	if err != nil {
		return Checkout{}, fmt.Errorf("demo: %w", err)
	}
	return d.checkout(s), nil
}

// session loads a session, lapsed ones shown expired.
func (d *Demo) session(ctx context.Context, id string) (DemoSession, error) {
	s, err := d.store.DemoSession(ctx, id)
	if err != nil {
		return DemoSession{}, d.missing(err, id)
	}
	d.expireLapsed(&s)
	return s, nil
}

// update changes a session under its lock, lapsed ones expired first.
func (d *Demo) update(ctx context.Context, id string, change func(*DemoSession) error) (DemoSession, error) {
	s, err := d.store.UpdateDemoSession(ctx, id, func(s *DemoSession) error {
		d.expireLapsed(s)
		return change(s)
	})
	if err != nil {
		return DemoSession{}, d.missing(err, id)
	}
	return s, nil
}

// ErrNoDemoSession: there is no demo session of that id.
var ErrNoDemoSession = errors.New("demo: no such checkout session")

func (d *Demo) missing(err error, id string) error {
	if booking.ErrorCode(err) == booking.ENOTFOUND {
		return fmt.Errorf("%w: %q", ErrNoDemoSession, id)
	}
	return err
}

// ExpireCheckout expires an open demo session.
func (d *Demo) ExpireCheckout(ctx context.Context, id string) error {
	_, err := d.update(ctx, id, func(s *DemoSession) error {
		switch s.State.Status {
		case StatusComplete:
			return ErrAlreadyPaid
		case StatusOpen:
			s.State.Status = StatusExpired
		}
		return nil
	})
	return err
}

// GetCheckout returns a demo session.
func (d *Demo) GetCheckout(ctx context.Context, id string) (CheckoutState, error) {
	s, err := d.session(ctx, id)
	return s.State, err
}

// RecentCheckouts lists demo sessions created since the given time.
func (d *Demo) RecentCheckouts(ctx context.Context, since time.Time) ([]CheckoutState, error) {
	ss, err := d.store.RecentDemoSessions(ctx, since)
	if err != nil {
		return nil, err
	}
	out := make([]CheckoutState, len(ss))
	for i := range ss {
		d.expireLapsed(&ss[i])
		out[i] = ss[i].State
	}
	return out, nil
}

// Refund refunds part of a demo payment.
func (d *Demo) Refund(ctx context.Context, paymentRef string, amountCents int64, _ string) (Refund, error) {
	found, err := d.store.DemoSessionByRef(ctx, paymentRef)
	if booking.ErrorCode(err) == booking.ENOTFOUND {
		return Refund{}, fmt.Errorf("%w: unknown payment", ErrDeclined)
	} else if err != nil {
		return Refund{}, err
	}
	_, err = d.update(ctx, found.State.ID, func(s *DemoSession) error {
		if amountCents <= 0 || s.RefundedCents+amountCents > s.State.AmountCents {
			return fmt.Errorf("%w: refund exceeds the amount paid", ErrDeclined)
		}
		s.RefundedCents += amountCents
		return nil
	})
	if err != nil {
		return Refund{}, err
	}
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

// ErrUnknownOutcome: the hosted page was posted an outcome it doesn't offer.
var ErrUnknownOutcome = errors.New("demo: unknown outcome")

// ErrDemoClosed: the demo session is no longer open for payment.
var ErrDemoClosed = errors.New("demo: this checkout session is no longer open")

// Session returns what the hosted page shows for a session; ok false when
// there is none.
func (d *Demo) Session(ctx context.Context, id string) (CheckoutState, CheckoutRequest, time.Time, bool, error) {
	s, err := d.session(ctx, id)
	if errors.Is(err, ErrNoDemoSession) {
		return CheckoutState{}, CheckoutRequest{}, time.Time{}, false, nil
	}
	if err != nil {
		return CheckoutState{}, CheckoutRequest{}, time.Time{}, false, err
	}
	return s.State, s.Request, s.Expires, true, nil
}

// Pay applies an outcome chosen on the hosted page and returns the events a
// provider would send (zero or more), to be fed to fulfilment.
func (d *Demo) Pay(ctx context.Context, id, outcome string) ([]Event, error) {
	switch outcome {
	case DemoSucceed, DemoPayLater, DemoDecline:
	default:
		return nil, fmt.Errorf("%w %q", ErrUnknownOutcome, outcome)
	}
	var evs []Event
	_, err := d.update(ctx, id, func(s *DemoSession) error {
		if s.State.Status != StatusOpen {
			return ErrDemoClosed
		}
		if outcome == DemoDecline {
			return nil // a declined card leaves the session open, as on Stripe
		}
		s.State.Status = StatusComplete
		s.State.PaymentRef = "pi_demo_" + randHex(10)
		if outcome == DemoSucceed {
			s.State.PaymentStatus = PaymentPaid
		}
		evs = []Event{d.event(EventCheckoutCompleted, s)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return evs, nil
}

// SettleLater completes (or fails) a "pay later" payment, as an async
// payment method eventually does.
func (d *Demo) SettleLater(ctx context.Context, id string, ok bool) ([]Event, error) {
	var evs []Event
	_, err := d.update(ctx, id, func(s *DemoSession) error {
		if s.State.Status != StatusComplete || s.State.PaymentStatus == PaymentPaid {
			return ErrDemoClosed
		}
		typ := EventAsyncPaymentFailed
		if ok {
			s.State.PaymentStatus = PaymentPaid
			typ = EventAsyncPaymentSucceeded
		}
		evs = []Event{d.event(typ, s)}
		return nil
	})
	if errors.Is(err, ErrNoDemoSession) {
		return nil, ErrDemoClosed
	}
	return evs, err
}

func (d *Demo) event(typ string, s *DemoSession) Event {
	s.Events++
	st := s.State
	return Event{ID: fmt.Sprintf("evt_demo_%s_%d", s.State.ID, s.Events), Type: typ, Created: d.now(), Checkout: &st}
}

// expireLapsed marks a session expired once its expiry passed.
func (d *Demo) expireLapsed(s *DemoSession) {
	if s.State.Status == StatusOpen && !d.now().Before(s.Expires) {
		s.State.Status = StatusExpired
	}
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
