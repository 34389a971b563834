package payment

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"marquee/booking"
)

// Providers and kinds of payments (payments.provider, payments.kind).
const (
	ProviderStripe      = "stripe"
	ProviderDemo        = "demo"
	ProviderCash        = "cash"
	ProviderCardPresent = "card_present"
	// TenderSplit is a counter tender paid partly by card, partly in cash:
	// two payment rows, one per provider.
	TenderSplit = "split"

	KindCheckout = "checkout"
	KindCounter  = "counter"
)

// Payment statuses (payments.status).
const (
	PayCreating   = "creating"   // row written, provider not yet answered
	PayOpen       = "open"       // hosted page open
	PayExpiring   = "expiring"   // our hold ran out: being expired at the provider
	PayExpired    = "expired"    // closed without money
	PayProcessing = "processing" // asynchronous payment not yet settled
	PayFailed     = "failed"
	PaySucceeded  = "succeeded"
	PayRefunded   = "refunded" // all of it returned
)

// Record is a payment as stored.
type Record struct {
	ID             int64
	OrderID        int64
	Provider       string
	Kind           string
	Status         string
	SessionID      string
	URL            string
	ExpiresAt      time.Time // the hosted page's expiry at the provider
	IdempotencyKey string
	ProviderRef    string
	AmountCents    int64
	RefundedCents  int64
	Currency       string
	TenderedCents  int64
	ChangeCents    int64
	CardReference  string
	StaffUserID    *int64
	CreatedAt      time.Time
}

// NewCheckout asks the store for the order's live checkout row, creating one
// ('creating') with a fixed idempotency key and expiry when there is none.
type NewCheckout struct {
	OrderID     int64
	OrderCode   string
	Provider    string
	AmountCents int64
	Currency    string
	ExpiresAt   time.Time
	Now         time.Time
}

// Settle applies what a provider says about a checkout session to its order.
type Settle struct {
	Provider string
	Checkout CheckoutState
	Now      time.Time
}

// Settlement outcomes.
const (
	OutcomePaid    = "paid"    // the order is paid (now)
	OutcomeAlready = "already" // this money was applied before: nothing changed
	OutcomeRefund  = "refund"  // the order can't take this money: it must go back
)

// Settlement is what applying money did. Refund is set for OutcomeRefund
// (unless the amount was zero): the caller sends it after the transaction.
type Settlement struct {
	Outcome string
	Refund  *booking.Refund
}

// NewRefund asks to prepare a refund against an order's payment: a new one,
// or the one recorded before under the same idempotency key (a cancellation's).
type NewRefund struct {
	OrderCode      string
	AmountCents    int64
	Reason         string
	IdempotencyKey string
	Now            time.Time
}

// CounterSettle records a box-office tender and marks the order paid.
type CounterSettle struct {
	OrderCode     string
	Provider      string // ProviderCash | ProviderCardPresent | TenderSplit
	TenderedCents int64
	CardReference string
	// CardCents is a split's card part (TenderSplit): the rest is cash.
	CardCents   int64
	StaffUserID int64
	Now         time.Time
}

// LapsedCheckout is a live checkout whose order's hold ran out.
type LapsedCheckout struct {
	PaymentID int64
	SessionID string // "" when the provider never answered the create
	OrderCode string
}

// ShiftTotal is the cash one staff member took on one day.
type ShiftTotal struct {
	StaffUserID   *int64
	StaffName     string
	Day           time.Time // midnight of the day in the requested zone
	Payments      int
	CashCents     int64 // sales (tendered − change)
	TenderedCents int64
	ChangeCents   int64
	RefundedCents int64
}

// ErrUnknownOrder: provider data names no order of ours (another integration
// on the same account, or a deleted order). Webhooks acknowledge and ignore it.
var ErrUnknownOrder = errors.New("payment: no such order")

// Store is the storage the payment service needs (implemented by db.DB).
// Every method is one short transaction or one statement; none is ever
// called with a transaction open across a Gateway call.
type Store interface {
	OrderByCode(ctx context.Context, code string) (booking.Order, error)
	PaymentsOfOrder(ctx context.Context, orderID int64) ([]Record, error)

	ReserveCheckout(ctx context.Context, n NewCheckout) (Record, error)
	OpenCheckout(ctx context.Context, paymentID int64, co Checkout, now time.Time) (Record, error)
	AbandonCheckout(ctx context.Context, paymentID int64, now time.Time) error

	RecordPaymentEvent(ctx context.Context, provider string, ev Event, now time.Time) (fresh bool, err error)
	PaymentEventProcessed(ctx context.Context, eventID string, now time.Time) error

	// SettleCheckout executes what plan decides about money received (PlanSettlement).
	SettleCheckout(ctx context.Context, s Settle, plan SettlePlanner) (Settlement, error)
	AwaitCheckout(ctx context.Context, s Settle) error
	FailCheckout(ctx context.Context, s Settle) error
	CloseCheckout(ctx context.Context, s Settle) error
	RecordProviderRefund(ctx context.Context, paymentRef string, refundedCents int64, now time.Time) error

	LapsedCheckouts(ctx context.Context, now time.Time, limit int) ([]LapsedCheckout, error)
	CheckoutExpired(ctx context.Context, paymentID int64, now time.Time) error
	CheckoutStatuses(ctx context.Context, sessionIDs []string) (map[string]string, error)

	// The refund ledger (booking.Refund, booking.RefundTransition).
	BeginRefund(ctx context.Context, n NewRefund) (booking.Refund, error)
	FinishRefund(ctx context.Context, id int64, ok bool, providerRef, failure string, now time.Time) (booking.Refund, bool, error)
	PendingRefunds(ctx context.Context, before time.Time, limit int) ([]booking.Refund, error)

	SettleCounter(ctx context.Context, c CounterSettle) (Record, error)
	CashTotals(ctx context.Context, from, to time.Time, zone string) ([]ShiftTotal, error)

	TryPaymentLease(ctx context.Context, name string, now, until time.Time) (bool, error)
}

// Config configures a Service.
type Config struct {
	Store   Store
	Gateway Gateway
	Clock   booking.Clock
	Logger  *slog.Logger
	// BaseURL is the site's public URL (success and cancel URLs).
	BaseURL string
	// Lookback is how far back reconciliation lists sessions (default 24 h).
	Lookback time.Duration
	// Currency is used for an order that names none (default "usd").
	Currency string
}

// Service takes payments for orders: it starts hosted checkouts, fulfils them
// once whatever reports them (webhook, success redirect, demo page,
// reconciliation), expires them when our hold runs out, refunds and records
// counter tenders. It records refunds in the one ledger, sends them and runs
// the ledger's one retry job (RetryRefunds); the after-sale service tells the
// customer. It never holds a database transaction across a Gateway call.
type Service struct {
	store    Store
	gw       Gateway
	clock    booking.Clock
	log      *slog.Logger
	baseURL  string
	lookback time.Duration
	currency string
}

// NewService returns a Service.
func NewService(c Config) *Service {
	if c.Clock == nil {
		c.Clock = booking.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Currency == "" {
		c.Currency = "usd"
	}
	if c.Lookback <= 0 {
		c.Lookback = 24 * time.Hour
	}
	return &Service{store: c.Store, gw: c.Gateway, clock: c.Clock, log: c.Logger,
		baseURL: strings.TrimRight(c.BaseURL, "/"), lookback: c.Lookback,
		currency: strings.ToLower(c.Currency)}
}

// Gateway returns the gateway in use.
func (s *Service) Gateway() Gateway { return s.gw }

// minProviderExpiry is Stripe's lower bound for a session's expires_at, with a margin.
const minProviderExpiry = 31 * time.Minute

// StartCheckout returns the URL of the hosted payment page for an order
// awaiting payment, creating the Checkout Session on first use and reusing
// the open one afterwards.
func (s *Service) StartCheckout(ctx context.Context, code string) (string, error) {
	o, err := s.store.OrderByCode(ctx, code)
	if err != nil {
		return "", err
	}
	now := s.clock.Now()
	switch {
	case o.Status == booking.OrderPaid || o.Status == booking.OrderPartiallyRefunded:
		return "", booking.Errorf(booking.ECONFLICT, "This order is already paid.")
	case !o.AwaitingPayment(now):
		return "", booking.Errorf(booking.EGONE, "The hold on these seats ran out before payment. Please choose your seats again.")
	}
	pays, err := s.store.PaymentsOfOrder(ctx, o.ID)
	if err != nil {
		return "", err
	}
	for _, p := range pays {
		if p.Status == PayProcessing {
			return "", booking.Errorf(booking.ECONFLICT, "A payment for this order is already being processed.")
		}
	}
	for attempt := 0; attempt < 3; attempt++ {
		p, err := s.store.ReserveCheckout(ctx, NewCheckout{OrderID: o.ID, OrderCode: o.Code, Provider: s.gw.Name(),
			AmountCents: o.TotalCents, Currency: o.Currency, ExpiresAt: sessionExpiry(o, now), Now: now})
		if err != nil {
			return "", fmt.Errorf("start checkout: %w", err)
		}
		switch {
		case p.Status == PayOpen && p.URL != "" && p.ExpiresAt.After(now.Add(time.Minute)):
			// Pressing "Pay" again: the same page, if the provider still has it open.
			st, err := s.gw.GetCheckout(ctx, p.SessionID)
			switch {
			case err != nil: // unknown to the provider (e.g. the demo gateway restarted)
				s.log.Warn("open checkout session not found, starting a new one", "order", o.Code, "err", err)
			case st.Status == StatusOpen:
				return p.URL, nil
			case st.Status == StatusComplete: // paid, and we missed it: fulfil now
				if err := s.Fulfil(ctx, CheckoutEvent(st)); err != nil {
					return "", err
				}
				return "", booking.Errorf(booking.ECONFLICT, "This order's payment has already been made.")
			}
			if err := s.store.CheckoutExpired(ctx, p.ID, now); err != nil {
				return "", err
			}
			continue
		case p.Status == PayOpen,
			p.Status == PayCreating && p.ExpiresAt.Before(now.Add(30*time.Minute)):
			// The provider's page is about to close, or a create that never
			// answered is too old to retry with the same parameters: start afresh.
			if err := s.store.AbandonCheckout(ctx, p.ID, now); err != nil {
				return "", err
			}
			continue
		}
		req, err := s.checkoutRequest(o, p)
		if err != nil {
			return "", err
		}
		co, err := s.gw.CreateCheckout(ctx, req) // no transaction open here
		if err != nil {
			s.log.Error("create checkout session", "order", o.Code, "err", err)
			return "", booking.Errorf(booking.EUNAVAILABLE, "We couldn't reach the payment provider. Please try again in a moment.")
		}
		p, err = s.store.OpenCheckout(ctx, p.ID, co, s.clock.Now())
		if err != nil {
			return "", err
		}
		if p.Status != PayOpen { // the hold ran out while the page was being created
			if err := s.gw.ExpireCheckout(ctx, co.ID); err != nil && !errors.Is(err, ErrAlreadyPaid) {
				s.log.Warn("expire checkout session", "order", o.Code, "err", err)
			}
			return "", booking.Errorf(booking.EGONE, "The hold on these seats ran out before payment. Please choose your seats again.")
		}
		return co.URL, nil
	}
	return "", booking.Errorf(booking.ECONFLICT, "Payment is being set up in another window. Please try again.")
}

// sessionExpiry is when the provider's page should close: at least the
// provider's minimum ahead, and not before our hold ends (which is shorter
// as a rule: our hold is enforced by expiring the session explicitly).
func sessionExpiry(o booking.Order, now time.Time) time.Time {
	exp := now.Add(minProviderExpiry)
	if h := o.HoldExpiresAt.Add(time.Minute); h.After(exp) {
		exp = h
	}
	if max := now.Add(23 * time.Hour); exp.After(max) {
		exp = max
	}
	return exp.Truncate(time.Second)
}

func (s *Service) checkoutRequest(o booking.Order, p Record) (CheckoutRequest, error) {
	type key struct {
		typ, kind string
		price     int64
	}
	counts := map[key]int64{}
	var keys []key
	for _, it := range o.Items {
		k := key{it.TicketType, it.SeatKind, it.PriceCents}
		if counts[k] == 0 {
			keys = append(keys, k)
		}
		counts[k]++
	}
	sort.SliceStable(keys, func(i, j int) bool { return keys[i].typ < keys[j].typ })
	var lines []Line
	var sum int64
	for _, k := range keys {
		name := titleWord(k.typ) + " ticket"
		if k.kind != "" && k.kind != "standard" {
			name += " · " + titleWord(k.kind) + " seat"
		}
		lines = append(lines, Line{Name: name, UnitCents: k.price, Quantity: counts[k]})
		sum += k.price * counts[k]
	}
	if o.FeeCents > 0 {
		lines = append(lines, Line{Name: "Booking fee", UnitCents: o.FeeCents, Quantity: 1})
		sum += o.FeeCents
	}
	if tax := o.TaxCents(); !o.TaxIncluded && tax > 0 { // sales tax added on top: a line of its own
		lines = append(lines, Line{Name: o.Tax().Name() + " " + booking.RateString(o.TaxRate), UnitCents: tax, Quantity: 1})
		sum += tax
	}
	if sum != o.TotalCents || len(lines) == 0 {
		return CheckoutRequest{}, fmt.Errorf("checkout lines of %s add up to %d, order total %d", o.Code, sum, o.TotalCents)
	}
	return CheckoutRequest{
		OrderCode:      o.Code,
		Email:          o.Email,
		Currency:       strings.ToLower(cmp.Or(o.Currency, s.currency)),
		Lines:          lines,
		SuccessURL:     s.baseURL + "/orders/" + o.Code + "/paid?session_id={CHECKOUT_SESSION_ID}",
		CancelURL:      s.baseURL + "/orders/" + o.Code,
		ExpiresAt:      p.ExpiresAt,
		IdempotencyKey: p.IdempotencyKey,
	}, nil
}

func titleWord(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Fulfil applies a provider event, once. Webhooks, the demo gateway's page,
// the success redirect (with an Event built by CheckoutEvent) and
// reconciliation all come here. Events with an id are stored first: a
// duplicate delivery of an event already processed does nothing; one whose
// processing failed is processed again (every step is idempotent). Events
// arriving out of order are harmless: each step looks at the current state.
func (s *Service) Fulfil(ctx context.Context, ev Event) error {
	now := s.clock.Now()
	if ev.ID != "" {
		fresh, err := s.store.RecordPaymentEvent(ctx, s.gw.Name(), ev, now)
		if err != nil {
			return fmt.Errorf("fulfil %s: %w", ev.ID, err)
		}
		if !fresh {
			return nil
		}
	}
	var err error
	switch {
	case ev.Type == EventChargeRefunded:
		if ev.PaymentRef != "" {
			err = s.store.RecordProviderRefund(ctx, ev.PaymentRef, ev.RefundedCents, now)
		}
	case ev.Checkout != nil:
		err = s.apply(ctx, ev.Type, *ev.Checkout)
	}
	if errors.Is(err, ErrUnknownOrder) {
		s.log.Warn("payment event for no order of ours", "event", ev.ID, "type", ev.Type)
		err = nil
	}
	if err != nil {
		return fmt.Errorf("fulfil %s %s: %w", ev.Type, ev.ID, err)
	}
	if ev.ID != "" {
		return s.store.PaymentEventProcessed(ctx, ev.ID, now)
	}
	return nil
}

// CheckoutEvent wraps a session's state fetched from the provider (success
// redirect, reconciliation) as an event without an id, for Fulfil.
func CheckoutEvent(st CheckoutState) Event {
	return Event{Type: "checkout.session.state", Checkout: &st}
}

func (s *Service) apply(ctx context.Context, typ string, st CheckoutState) error {
	if st.OrderCode == "" {
		return ErrUnknownOrder
	}
	in := Settle{Provider: s.gw.Name(), Checkout: st, Now: s.clock.Now()}
	switch {
	case typ == EventAsyncPaymentFailed:
		return s.store.FailCheckout(ctx, in)
	case st.Status == StatusComplete && (st.PaymentStatus == PaymentPaid || st.PaymentStatus == "no_payment_required"):
		res, err := s.store.SettleCheckout(ctx, in, PlanSettlement)
		if err != nil {
			return err
		}
		if res.Outcome == OutcomeRefund && res.Refund != nil {
			// After the transaction committed: give the money back.
			if _, err := s.sendRefund(ctx, *res.Refund); err != nil {
				s.log.Warn("automatic refund not completed (retried by reconciliation)", "order", st.OrderCode, "err", err)
			}
		}
		return nil
	case st.Status == StatusComplete:
		return s.store.AwaitCheckout(ctx, in)
	case st.Status == StatusExpired || typ == EventCheckoutExpired:
		return s.store.CloseCheckout(ctx, in)
	}
	return nil
}

// Refund returns amountCents of an order's payment to the customer through
// the gateway (counter payments: recorded as handed back). The idempotency
// key makes a retried call refund once: the cancellation flow passes its own
// refund's key. It returns the refund as recorded.
//
// Errors: EINVALID for an amount above what remains refundable; ECONFLICT
// when the order has no payment or the provider refused (nothing refunded,
// the order untouched); EUNAVAILABLE when the provider could not be reached
// (the refund stays pending and RetryRefunds sends it again with the same
// key; calling again with the same key is safe).
func (s *Service) Refund(ctx context.Context, orderCode string, amountCents int64, reason, idempotencyKey string) (booking.Refund, error) {
	if amountCents <= 0 {
		return booking.Refund{}, booking.Invalid("amount", "A refund must be more than zero.")
	}
	if idempotencyKey == "" || reason == "" {
		return booking.Refund{}, errors.New("refund: idempotency key and reason are required")
	}
	r, err := s.store.BeginRefund(ctx, NewRefund{OrderCode: orderCode, AmountCents: amountCents,
		Reason: reason, IdempotencyKey: idempotencyKey, Now: s.clock.Now()})
	if err != nil {
		return booking.Refund{}, fmt.Errorf("refund %s: %w", orderCode, err)
	}
	switch r.Status {
	case booking.RefundSucceeded:
		return r, nil
	case booking.RefundFailed:
		return r, errRefused()
	}
	return s.sendRefund(ctx, r)
}

// errRefused is the error of a refund the provider refused for good: a
// booking.Error (ECONFLICT) for the user that also wraps ErrDeclined.
func errRefused() error {
	return fmt.Errorf("%w (%w)", booking.Errorf(booking.ECONFLICT, "The payment provider refused this refund, so nothing was refunded. Please contact us and we'll sort it out."), ErrDeclined)
}

// Refunder adapts Service.Refund to callers that only need the provider's
// refund id (the after-sale service's interface). A refusal wraps
// ErrDeclined; any other error is transient: retry with the same key.
type Refunder struct{ Service *Service }

// Refund implements the after-sale service's Refunder.
func (r Refunder) Refund(ctx context.Context, orderCode string, amountCents int64, reason, idempotencyKey string) (string, error) {
	rec, err := r.Service.Refund(ctx, orderCode, amountCents, reason, idempotencyKey)
	return rec.ProviderRef, err
}

// sendRefund sends a pending refund to the gateway (no transaction open) and
// records the answer in the ledger.
func (s *Service) sendRefund(ctx context.Context, r booking.Refund) (booking.Refund, error) {
	res, err := s.gw.Refund(ctx, r.PaymentRef, r.AmountCents, r.IdempotencyKey)
	now := s.clock.Now()
	switch {
	case err == nil:
		fin, changed, ferr := s.store.FinishRefund(ctx, r.ID, true, res.ID, "", now)
		if ferr != nil {
			return r, ferr
		}
		if changed && !fin.CountsOnOrder() {
			s.log.Info("payment refunded automatically", "order", fin.OrderCode, "reason", fin.Reason, "amount_cents", fin.AmountCents)
		}
		return fin, nil
	case errors.Is(err, ErrDeclined):
		s.log.Warn("refund refused by the provider", "order", r.OrderCode, "refund", r.ID, "err", err)
		fin, _, ferr := s.store.FinishRefund(ctx, r.ID, false, "", err.Error(), now)
		if ferr != nil {
			return r, ferr
		}
		return fin, errRefused()
	default:
		s.log.Error("refund: provider unreachable", "order", r.OrderCode, "refund", r.ID, "err", err)
		return r, booking.Errorf(booking.EUNAVAILABLE, "We couldn't reach the payment provider. The refund will be retried automatically.")
	}
}

// ExpireLapsed expires, at the provider, the hosted pages of orders whose
// hold ran out (our hold timer is the truth). A session that completed in the
// meantime is fulfilled instead (late payment). It returns how many it handled.
func (s *Service) ExpireLapsed(ctx context.Context) (int, error) {
	now := s.clock.Now()
	due, err := s.store.LapsedCheckouts(ctx, now, 50)
	if err != nil {
		return 0, err
	}
	for _, l := range due {
		if l.SessionID == "" {
			if err := s.store.CheckoutExpired(ctx, l.PaymentID, now); err != nil {
				return 0, err
			}
			continue
		}
		s.expireSession(ctx, l.SessionID, l.PaymentID)
	}
	return len(due), nil
}

// expireSession expires one session at the provider; paymentID 0 when we
// have no row for it (reconciliation found it).
func (s *Service) expireSession(ctx context.Context, sessionID string, paymentID int64) {
	err := s.gw.ExpireCheckout(ctx, sessionID)
	switch {
	case err == nil:
		if paymentID != 0 {
			if err := s.store.CheckoutExpired(ctx, paymentID, s.clock.Now()); err != nil {
				s.log.Error("record expired checkout", "session", sessionID, "err", err)
			}
		}
	case errors.Is(err, ErrAlreadyPaid):
		st, gerr := s.gw.GetCheckout(ctx, sessionID)
		if gerr != nil {
			s.log.Error("get completed checkout", "session", sessionID, "err", gerr)
			return
		}
		if err := s.Fulfil(ctx, CheckoutEvent(st)); err != nil {
			s.log.Error("fulfil completed checkout", "session", sessionID, "err", err)
		}
	default:
		s.log.Warn("expire checkout session (will retry)", "session", sessionID, "err", err)
	}
}

// ReconcileReport says what a reconciliation pass did.
type ReconcileReport struct {
	Sessions int // listed by the provider
	Repaired int // completed sessions whose order missed its fulfilment
	Expired  int // open sessions of orders no longer awaiting payment
}

// Reconcile lists recent checkout sessions at the provider and repairs any
// order that missed its webhook. (Refunds left pending are RetryRefunds':
// they must not wait for the provider's session listing to work.)
func (s *Service) Reconcile(ctx context.Context) (ReconcileReport, error) {
	var rep ReconcileReport
	now := s.clock.Now()
	sessions, err := s.gw.RecentCheckouts(ctx, now.Add(-s.lookback))
	if err != nil {
		return rep, fmt.Errorf("reconcile: %w", err)
	}
	rep.Sessions = len(sessions)
	ids := make([]string, len(sessions))
	for i, st := range sessions {
		ids[i] = st.ID
	}
	known, err := s.store.CheckoutStatuses(ctx, ids)
	if err != nil {
		return rep, fmt.Errorf("reconcile: %w", err)
	}
	for _, st := range sessions {
		status, ok := known[st.ID]
		switch st.Status {
		case StatusComplete:
			if ok && applied(status, st) {
				continue
			}
			if err := s.Fulfil(ctx, CheckoutEvent(st)); err != nil {
				s.log.Error("reconcile: fulfil", "session", st.ID, "order", st.OrderCode, "err", err)
				continue
			}
			rep.Repaired++
		case StatusOpen:
			if ok && (status == PayOpen || status == PayCreating || status == PayExpiring) {
				continue // ours and live, or the expiry job has it
			}
			o, err := s.store.OrderByCode(ctx, st.OrderCode)
			if err == nil && o.AwaitingPayment(s.clock.Now()) {
				continue // probably being created right now
			}
			s.expireSession(ctx, st.ID, 0)
			rep.Expired++
		}
	}
	return rep, nil
}

// refundRetryEvery is how often, across all instances, refunds left pending
// are sent again (Tick, under a lease), and how old a pending refund must be
// to be retried: younger ones may still be on their first call.
const refundRetryEvery = 30 * time.Second

// RetryRefunds is the refund ledger's one retry job: every refund recorded
// more than olderThan ago that never got the provider's answer (a transient
// error, or the process stopped between commit and call) — a cancellation's,
// a cancelled show's, a late or duplicate payment's — is sent again with its
// own key. It returns how many got an answer; telling the customer is the
// after-sale job's (it finds them settled and untold).
func (s *Service) RetryRefunds(ctx context.Context, olderThan time.Duration) (int, error) {
	pending, err := s.store.PendingRefunds(ctx, s.clock.Now().Add(-olderThan), 50)
	if err != nil {
		return 0, fmt.Errorf("retry refunds: %w", err)
	}
	n := 0
	for _, r := range pending {
		var got booking.Refund
		var err error
		if r.PaymentID == 0 { // recorded by a cancellation: the payment is chosen now
			got, err = s.Refund(ctx, r.OrderCode, r.AmountCents, r.Reason, r.IdempotencyKey)
		} else {
			got, err = s.sendRefund(ctx, r)
		}
		switch code := booking.ErrorCode(err); {
		case err == nil || (got.ID != 0 && got.Status != booking.RefundPending):
			n++ // accepted, or refused by the provider
		case code == booking.ECONFLICT || code == booking.EINVALID:
			// It can't be sent at all (no payment to refund, more than was
			// paid): refused for good, as when it was first sent.
			s.log.Error("pending refund can't be sent", "order", r.OrderCode, "refund", r.ID, "err", err)
			if _, _, ferr := s.store.FinishRefund(ctx, r.ID, false, "", err.Error(), s.clock.Now()); ferr != nil {
				return n, fmt.Errorf("retry refunds: %w", ferr)
			}
			n++
		}
		// Anything else is transient: the next round tries again.
	}
	return n, nil
}

// applied reports whether a stored payment status already reflects the session.
func applied(status string, st CheckoutState) bool {
	switch status {
	case PaySucceeded, PayRefunded:
		return true
	case PayProcessing, PayFailed:
		return st.PaymentStatus != PaymentPaid
	}
	return false
}

// Run expires lapsed checkouts every `every` and reconciles every
// reconcileEvery (once across all instances, by a lease in the database),
// until ctx ends. Start it in a goroutine.
func (s *Service) Run(ctx context.Context, every, reconcileEvery time.Duration) {
	if every <= 0 {
		every = 5 * time.Second
	}
	if reconcileEvery <= 0 {
		reconcileEvery = 3 * time.Minute
	}
	booking.Every(ctx, every, func(ctx context.Context) { s.Tick(ctx, reconcileEvery) })
}

// Tick is one round of Run (tests call it with the manual clock).
func (s *Service) Tick(ctx context.Context, reconcileEvery time.Duration) {
	if _, err := s.ExpireLapsed(ctx); err != nil && ctx.Err() == nil {
		s.log.Warn("expire lapsed checkouts", "err", err)
	}
	now := s.clock.Now()
	if ok, err := s.store.TryPaymentLease(ctx, "refunds", now, now.Add(refundRetryEvery)); err == nil && ok {
		n, err := s.RetryRefunds(ctx, refundRetryEvery)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("retry refunds", "err", err)
		case n > 0:
			s.log.Info("retried refunds", "settled", n)
		}
	}
	ok, err := s.store.TryPaymentLease(ctx, "reconcile", now, now.Add(reconcileEvery))
	if err != nil || !ok {
		return
	}
	rep, err := s.Reconcile(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.Warn("reconcile payments", "err", err)
	case rep.Repaired > 0 || rep.Expired > 0:
		s.log.Info("reconciled payments", "sessions", rep.Sessions, "repaired", rep.Repaired, "expired", rep.Expired)
	}
}

// CounterPayment is a tender taken at the box office.
type CounterPayment struct {
	OrderCode string
	Method    string // ProviderCash | ProviderCardPresent | TenderSplit
	// TenderedCents is the cash handed over (cash, split); the change is computed.
	TenderedCents int64
	// CardReference is the card terminal's reference (card-present, split).
	CardReference string
	// CardCents is what the card pays of a split; the rest is cash.
	CardCents   int64
	StaffUserID int64
}

// RecordCounterPayment records a cash or card-present tender for an order
// awaiting payment (or whose hold just lapsed, if its seats are still free)
// and marks it paid. For cash, the returned record's ChangeCents is the
// change due.
func (s *Service) RecordCounterPayment(ctx context.Context, p CounterPayment) (Record, error) {
	in := CounterSettle{OrderCode: p.OrderCode, Provider: p.Method, StaffUserID: p.StaffUserID, Now: s.clock.Now()}
	switch p.Method {
	case ProviderCash:
		if p.TenderedCents <= 0 {
			return Record{}, booking.Invalid("tendered", "Enter the amount of cash handed over.")
		}
		in.TenderedCents = p.TenderedCents
	case ProviderCardPresent, TenderSplit:
		ref := strings.TrimSpace(p.CardReference)
		if ref == "" || len(ref) > 64 {
			return Record{}, booking.Invalid("reference", "Enter the card terminal's reference (up to 64 characters).")
		}
		in.CardReference = ref
		if p.Method == TenderSplit {
			if p.CardCents <= 0 || p.TenderedCents < 0 {
				return Record{}, booking.Invalid("card_amount", "Enter what the card pays of the total.")
			}
			in.CardCents, in.TenderedCents = p.CardCents, p.TenderedCents
		}
	default:
		return Record{}, booking.Invalid("method", "Choose cash or card.")
	}
	if p.StaffUserID <= 0 {
		return Record{}, errors.New("counter payment: staff user is required")
	}
	rec, err := s.store.SettleCounter(ctx, in)
	if err != nil {
		return Record{}, fmt.Errorf("counter payment for %s: %w", p.OrderCode, err)
	}
	return rec, nil
}

// CashTotals returns the cash taken per staff member and day (in zone, an
// IANA name) between from and to, for the reports.
func (s *Service) CashTotals(ctx context.Context, from, to time.Time, zone string) ([]ShiftTotal, error) {
	if _, err := time.LoadLocation(zone); err != nil {
		return nil, booking.Invalid("zone", "Unknown time zone.")
	}
	return s.store.CashTotals(ctx, from, to, zone)
}
