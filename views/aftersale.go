package views

import (
	"time"

	"marquee/booking"
)

// OrderMail is the data of the e-mails about an order.
type OrderMail struct {
	Order booking.Order
	Info  booking.ShowtimeInfo
	// Link opens the order (with the guest link token); TicketsLink is its tickets PDF.
	Link, TicketsLink string
	// Refund facts for the cancellation e-mail.
	RefundCents int64
	RefundState string // succeeded | failed | pending
	Seats       []string
	// Notice: "cancelled" or "moved"; OldStart is the old start for "moved".
	Notice   string
	OldStart *time.Time
}

// LocalStart is the show's start in the theatre's zone, e.g. "Wed 25 Nov, 20:00".
func (m OrderMail) LocalStart() string { return localStart(m.Info, m.Info.Showtime.StartsAt) }

// OldLocalStart is the previous start of a moved show.
func (m OrderMail) OldLocalStart() string {
	if m.OldStart == nil {
		return ""
	}
	return localStart(m.Info, *m.OldStart)
}

func localStart(info booking.ShowtimeInfo, t time.Time) string {
	loc := info.Theatre.Location()
	return Day(t, loc) + ", " + Clock(t, loc) + " (" + zoneName(t, loc) + ")"
}

func zoneName(t time.Time, loc *time.Location) string {
	name, _ := t.In(loc).Zone()
	return name
}

// LiveSeats lists the labels of an order's seats that are still valid.
func LiveSeats(o booking.Order) []string {
	var out []string
	for _, it := range o.Items {
		if it.Status == booking.ItemSold || it.Status == booking.ItemReserved {
			out = append(out, it.Label())
		}
	}
	return out
}

func joinSeats(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

func refundSentence(m OrderMail) string {
	switch {
	case m.RefundCents == 0:
		return "Under the cancellation policy there is nothing to refund."
	case m.RefundState == "succeeded":
		return "We are refunding " + Money(m.RefundCents) + " to your original payment method; it may take a few days to appear."
	case m.RefundState == "failed":
		return "The payment provider refused the refund of " + Money(m.RefundCents) + ". Our box office has been told and will contact you to settle it."
	default:
		return "The refund of " + Money(m.RefundCents) + " is being processed."
	}
}

// AfterSaleView is the part of the order page about a paid order: tickets,
// receipt, refunds, cancellation.
type AfterSaleView struct {
	Code    string
	Query   string // "?t=…" when the page was opened with the guest link token, else ""
	Paid    bool   // there are tickets (paid or partly refunded)
	PaidAt  string
	Tickets []TicketView
	// CanCancel: the cancel page is open; else CancelWhy says why not (empty when moot).
	CanCancel   bool
	CancelWhy   string
	CancelUntil string
	Refunds     []RefundView
}

// TicketView is one QR ticket: a seat, or the whole order.
type TicketView struct {
	N          int
	Label      string // "Row F, seat 12" or "All 3 seats"
	TicketType string
	Proof      string // what the door checks for this ticket type (ProofLine), if anything
	Token      string
}

// RefundView is a refund shown on the order page.
type RefundView struct {
	When        string
	Seats       string
	AmountCents int64
	Status      string // succeeded | failed | pending
}

// RefundStatusText is a refund's status in words.
func RefundStatusText(s string) string {
	switch s {
	case "succeeded":
		return "refunded"
	case "failed":
		return "refund refused by the payment provider — the box office will contact you"
	default:
		return "refund in progress"
	}
}

// OrderLink builds a link under an order, keeping the guest token.
func (a AfterSaleView) OrderLink(suffix string) string {
	return "/orders/" + a.Code + suffix + a.Query
}

// StatusBadge is the CSS classes of an order status badge.
func StatusBadge(status string) string {
	switch status {
	case booking.OrderPaid:
		return "bg-emerald-500/15 text-emerald-300 border-emerald-500/40"
	case booking.OrderPartiallyRefunded:
		return "bg-amber-500/15 text-amber-200 border-amber-500/40"
	case booking.OrderPendingPayment:
		return "bg-sky-500/15 text-sky-200 border-sky-500/40"
	default:
		return "bg-stone-500/15 text-stone-300 border-stone-500/40"
	}
}

// CancelView is the cancellation page of an order.
type CancelView struct {
	Order booking.Order
	Info  booking.ShowtimeInfo
	After AfterSaleView
	Seats []CancelSeat
	// Policy describes the rules in a sentence or two.
	Policy string
	Error  string
}

// CancelSeat is a seat checkbox on the cancellation page.
type CancelSeat struct {
	Label      string
	TicketType string
	PriceCents int64
	Why        string // non-empty: can't be cancelled, and why
}

// ReceiptView is a numbered receipt.
type ReceiptView struct {
	Order         booking.Order
	Info          booking.ShowtimeInfo
	After         AfterSaleView
	Seller        booking.Seller
	Receipt       booking.Receipt
	Issued        string
	PaidAt        string
	PaymentMethod string
	Refunds       []RefundView
}

// RateText is a VAT rate in words.
func RateText(bp int64) string { return booking.RateText(bp) }

// Money is an amount in the order's currency.
func (v ReceiptView) Money(cents int64) string { return booking.FormatMoney(cents, v.Order.Currency) }

// TaxIDLabel names the seller's tax id: "VAT ID" where prices include VAT, else "Tax ID".
func (v ReceiptView) TaxIDLabel() string {
	if v.Order.TaxIncluded {
		return "VAT ID"
	}
	return "Tax ID"
}

// HistoryView is a customer's order history.
type HistoryView struct {
	Upcoming, Past []HistoryOrder
}

// HistoryOrder is one order in the history.
type HistoryOrder struct {
	Code, Status, Movie, When, Where, Seats string
	TotalCents                              int64
}

// refunded is the sum of the refunds that did not fail.
func refunded(rs []RefundView) int64 {
	var n int64
	for _, r := range rs {
		if r.Status != "failed" {
			n += r.AmountCents
		}
	}
	return n
}
