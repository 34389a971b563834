package booking

import "time"

// Refund reasons: why money goes back. Every refund of every kind is one row
// of the one refund ledger and follows the one state machine below.
const (
	RefundCustomer          = "customer"           // the customer cancelled seats
	RefundShowtimeCancelled = "showtime_cancelled" // the cinema cancelled the show
	RefundStaff             = "staff"              // staff refunded (box office, manager)
	RefundLatePayment       = "late_payment"       // money arrived after the hold lapsed and the seats were gone
	RefundDuplicatePayment  = "duplicate_payment"  // money for an order that was already paid or closed
	// RefundMismatchedPayment: money that is not what the order asked for
	// (another amount or currency, or a checkout session we never created);
	// it never pays an order and goes back whole.
	RefundMismatchedPayment = "mismatched_payment"
)

// RefundReasons lists every reason, for validation and documentation.
var RefundReasons = []string{RefundCustomer, RefundShowtimeCancelled, RefundStaff, RefundLatePayment, RefundDuplicatePayment, RefundMismatchedPayment}

// Refund statuses.
const (
	RefundPending   = "pending"   // recorded, the provider's answer not yet known
	RefundSucceeded = "succeeded" // the money is going back
	RefundFailed    = "failed"    // the provider refused: staff settle it by hand
)

// Refund is one movement of money back to a customer, as the ledger keeps it.
type Refund struct {
	ID        int64
	OrderID   int64
	OrderCode string
	Email     string
	// PaymentID is the payment refunded (0 until the payment service picked
	// one); Provider, PaymentRef and Currency are that payment's.
	PaymentID  int64
	Provider   string
	PaymentRef string // the provider's id of the money (PaymentIntent)
	Currency   string
	Reason     string
	// SeatIDs, TicketsCents, FeeCents and ChargeCents describe a cancellation
	// (empty and zero for money returned whole: late or duplicate payments).
	SeatIDs        []int64
	TicketsCents   int64
	FeeCents       int64 // booking fee refunded
	ChargeCents    int64 // cancellation charge kept
	AmountCents    int64
	Status         string
	IdempotencyKey string
	ProviderRef    string // the provider's refund id
	Failure        string // what the provider said when it refused, for staff
	CreatedAt      time.Time
	CompletedAt    *time.Time
	ToldAt         *time.Time // when the customer was told (or there was nothing to tell)
	// OrderStatus is the order's status after the cancellation that recorded
	// this refund (set by the cancellation only).
	OrderStatus string
}

// RefundEvent is something that happens to a refund.
type RefundEvent int

// Refund events.
const (
	// RefundRecorded: the refund is written; the provider must be asked.
	RefundRecorded RefundEvent = iota
	// RefundSettledAtOnce: the refund is written and needs no provider
	// (nothing to send, or cash handed back at the counter).
	RefundSettledAtOnce
	// RefundAccepted: the provider accepted the refund.
	RefundAccepted
	// RefundRefused: the provider refused it for good.
	RefundRefused
)

// RefundTransition is the refund state machine, the one function that says
// how a refund's status changes: from is the current status ("" for a refund
// not yet written). ok is false when the event does not apply (an answer for
// a refund that already has one): storage then changes nothing.
func RefundTransition(from string, ev RefundEvent) (to string, ok bool) {
	switch {
	case from == "" && ev == RefundRecorded:
		return RefundPending, true
	case from == "" && ev == RefundSettledAtOnce:
		return RefundSucceeded, true
	case from == RefundPending && ev == RefundAccepted:
		return RefundSucceeded, true
	case from == RefundPending && ev == RefundRefused:
		return RefundFailed, true
	}
	return from, false
}

// CountsOnOrder reports whether a refund reduces what the order kept
// (orders.refunded_cents): every refund but money returned whole because the
// order never took it (late or duplicate payments).
func (r Refund) CountsOnOrder() bool {
	return !r.ReturnedWhole()
}

// ReturnedWhole reports whether the refund gives back money the order never
// took (late, duplicate or mismatched payments).
func (r Refund) ReturnedWhole() bool {
	return r.Reason == RefundLatePayment || r.Reason == RefundDuplicatePayment || r.Reason == RefundMismatchedPayment
}

// What the customer is told about a settled refund (Refund.Notice).
const (
	NoticeNone         = ""             // nothing (yet), or another e-mail says it
	NoticeCancellation = "cancellation" // "cancellation confirmed", with the refund's outcome
	NoticeReturned     = "returned"     // "your payment was refunded" (late or duplicate payment)
)

// Notice says which e-mail tells the customer about the refund now, and
// done whether nothing more will ever be told (so the refund can be marked
// told). A pending refund with money to send is told when it settles; a
// cancelled showtime's refund is told by the showtime notice; money returned
// whole is told once the provider accepted it; a refund that cancelled no
// seats gets no cancellation e-mail.
func (r Refund) Notice() (notice string, done bool) {
	if r.Status == RefundPending && r.AmountCents > 0 {
		return NoticeNone, false
	}
	if r.Email == "" {
		return NoticeNone, true
	}
	switch r.Reason {
	case RefundCustomer, RefundStaff:
		if len(r.SeatIDs) == 0 {
			// Money only (payment.Service.Refund with nothing cancelled):
			// "cancellation confirmed" would be untrue; whoever refunds
			// money alone tells the customer in their own words.
			return NoticeNone, true
		}
		return NoticeCancellation, true
	case RefundLatePayment, RefundDuplicatePayment, RefundMismatchedPayment:
		if r.Status == RefundSucceeded {
			return NoticeReturned, true
		}
	}
	return NoticeNone, true
}
