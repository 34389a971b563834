package booking

import (
	"fmt"
	"time"
)

// Order statuses.
const (
	OrderPendingPayment    = "pending_payment"
	OrderPaid              = "paid"
	OrderPartiallyRefunded = "partially_refunded"
	OrderCancelled         = "cancelled"
	OrderRefunded          = "refunded"
	OrderExpired           = "expired"
	OrderFailed            = "failed"
)

// Order item statuses.
const (
	ItemReserved  = "reserved"  // seat held for a pending order
	ItemSold      = "sold"      // paid
	ItemReleased  = "released"  // the order expired or failed before payment
	ItemCancelled = "cancelled" // cancelled (and refunded) after payment
)

// orderTransitions is the order state machine: for each status, the statuses
// it may move to. Nothing else may change an order's status.
var orderTransitions = map[string][]string{
	OrderPendingPayment:    {OrderPaid, OrderExpired, OrderFailed},
	OrderPaid:              {OrderPartiallyRefunded, OrderCancelled, OrderRefunded},
	OrderPartiallyRefunded: {OrderPartiallyRefunded, OrderCancelled, OrderRefunded},
	// Late payment: money that arrives after the hold lapsed re-takes the same
	// seats (→ paid), or is refunded when they are gone (→ failed).
	OrderExpired: {OrderPaid, OrderFailed},
}

// OrderStatuses lists every status, for validation and documentation.
var OrderStatuses = []string{OrderPendingPayment, OrderPaid, OrderPartiallyRefunded, OrderCancelled, OrderRefunded, OrderExpired, OrderFailed}

// CanTransition reports whether an order in status from may move to status to.
// This is the one function that says so; storage asks it for every transition.
func CanTransition(from, to string) bool {
	for _, t := range orderTransitions[from] {
		if t == to {
			return true
		}
	}
	return false
}

// TransitionsInto returns the statuses from which an order may move to to,
// for storage to use in a conditional UPDATE (… WHERE status = ANY(…)).
func TransitionsInto(to string) []string {
	var from []string
	for _, f := range OrderStatuses {
		if CanTransition(f, to) {
			from = append(from, f)
		}
	}
	return from
}

// CheckTransition returns nil when from → to is allowed, else an ECONFLICT
// error a user can read.
func CheckTransition(from, to string) error {
	if CanTransition(from, to) {
		return nil
	}
	return &Error{Code: ECONFLICT, Message: fmt.Sprintf("This order is %s and can't become %s.", StatusText(from), StatusText(to))}
}

// StatusText is a status in words.
func StatusText(status string) string {
	switch status {
	case OrderPendingPayment:
		return "pending payment"
	case OrderPartiallyRefunded:
		return "partially refunded"
	default:
		return status
	}
}

// Order is a customer's purchase: seats of one showtime, priced, waiting for
// payment or paid.
type Order struct {
	ID            int64      `db:"id" json:"-"`
	Code          string     `db:"code" json:"code"`
	UserID        *int64     `db:"user_id" json:"-"`
	Email         string     `db:"email" json:"email"`
	Status        string     `db:"status" json:"status"`
	SubtotalCents int64      `db:"subtotal_cents" json:"subtotalCents"`
	FeeCents      int64      `db:"fee_cents" json:"feeCents"`
	TotalCents    int64      `db:"total_cents" json:"totalCents"`
	Currency      string     `db:"currency" json:"currency"`
	HoldExpiresAt time.Time  `db:"hold_expires_at" json:"holdExpiresAt"`
	CreatedAt     time.Time  `db:"created_at" json:"createdAt"`
	PaidAt        *time.Time `db:"paid_at" json:"paidAt,omitempty"`
	CancelledAt   *time.Time `db:"cancelled_at" json:"cancelledAt,omitempty"`
	ShowtimeID    int64      `db:"showtime_id" json:"showtimeId"`
	// TaxIncluded and TaxRate are the theatre's tax when the order was made:
	// VAT included in the prices, or sales tax added to the total (then
	// TotalCents includes it); the rate in thousandths of a percent.
	TaxIncluded bool        `db:"tax_included" json:"-"`
	TaxRate     int64       `db:"tax_rate" json:"-"`
	Items       []OrderItem `db:"-" json:"items"`
}

// TaxCents is the tax recorded on the order's lines (cancelled ones included).
func (o Order) TaxCents() int64 {
	var t int64
	for _, it := range o.Items {
		if it.Status != ItemReleased {
			t += it.TaxCents + it.FeeTaxCents
		}
	}
	return t
}

// Tax is the tax model and rate the order was made with.
func (o Order) Tax() Tax {
	if o.TaxIncluded {
		return Tax{Model: TaxIncluded, Rate: o.TaxRate}
	}
	return Tax{Model: TaxAdded, Rate: o.TaxRate}
}

// OrderItem is one seat of an order.
type OrderItem struct {
	OrderID    int64  `db:"order_id" json:"-"`
	ShowtimeID int64  `db:"showtime_id" json:"showtimeId"`
	SeatID     int64  `db:"seat_id" json:"seatId"`
	Row        string `db:"row_label" json:"row"`
	Number     int    `db:"number" json:"number"`
	SeatKind   string `db:"kind" json:"seatKind"`
	TicketType string `db:"ticket_type" json:"ticketType"`
	PriceCents int64  `db:"price_cents" json:"priceCents"`
	Status     string `db:"status" json:"status"`
	// CheckedInAt is when the seat's ticket was scanned at the door (nil: not yet).
	CheckedInAt *time.Time `db:"checked_in_at" json:"checkedInAt,omitempty"`
	// TaxCents is the tax on this ticket, FeeTaxCents on its booking fee,
	// recorded at sale (QuoteLine).
	TaxCents    int64 `db:"tax_cents" json:"-"`
	FeeTaxCents int64 `db:"fee_tax_cents" json:"-"`
}

// Label is the seat's name, e.g. "F12".
func (i OrderItem) Label() string { return Seat{Row: i.Row, Number: i.Number}.Label() }

// AwaitingPayment reports whether the order can still be paid at now.
func (o Order) AwaitingPayment(now time.Time) bool {
	return o.Status == OrderPendingPayment && now.Before(o.HoldExpiresAt)
}
