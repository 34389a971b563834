package booking

import (
	"fmt"
	"sort"
	"time"
)

// AfterSale are the rules that apply once an order is paid: cancellation,
// taxes shown on receipts, who the seller is, tickets and reminders. They are
// passed explicitly (no globals); editing them in the admin pages comes later.
type AfterSale struct {
	Cancel CancelPolicy
	// VATRateBP is the VAT rate in basis points (2000 = 20 %). Prices are
	// tax-inclusive; receipts show the net and the tax out of each price.
	VATRateBP int64
	Seller    Seller
	// TicketPerOrder: one QR ticket for the whole order instead of one per seat.
	TicketPerOrder bool
	// ReminderBefore is how long before the show the reminder e-mail goes out; 0 turns reminders off.
	ReminderBefore time.Duration
}

// Seller is who issues receipts.
type Seller struct {
	Name    string
	Address string
	VATID   string
}

// CancelPolicy says whether and at what cost a customer may cancel online.
type CancelPolicy struct {
	// Cutoff: cancelling online ends this long before the show starts.
	Cutoff time.Duration
	// FeeCents is a fixed charge per cancellation, kept from the refund.
	FeeCents int64
	// FeePercent is a charge in percent of the cancelled tickets' price, kept from the refund.
	FeePercent int64
	// RefundBookingFee: the booking fee of the cancelled seats is refunded too (else it is kept).
	RefundBookingFee bool
	// Disabled turns online cancellation off.
	Disabled bool
}

// DefaultAfterSale are the after-sale rules of a fresh installation.
func DefaultAfterSale() AfterSale {
	return AfterSale{
		Cancel:         CancelPolicy{Cutoff: 2 * time.Hour},
		VATRateBP:      2000,
		Seller:         Seller{Name: "Marquee Cinemas", Address: "1 Projection Lane, London", VATID: ""},
		ReminderBefore: 3 * time.Hour,
	}
}

// WithDefaults fills unset fields from DefaultAfterSale. A negative cutoff or
// reminder means "none" and becomes 0.
func (a AfterSale) WithDefaults() AfterSale {
	d := DefaultAfterSale()
	if a.Cancel.Cutoff == 0 {
		a.Cancel.Cutoff = d.Cancel.Cutoff
	} else if a.Cancel.Cutoff < 0 {
		a.Cancel.Cutoff = 0
	}
	if a.ReminderBefore == 0 {
		a.ReminderBefore = d.ReminderBefore
	} else if a.ReminderBefore < 0 {
		a.ReminderBefore = 0
	}
	if a.Seller.Name == "" {
		a.Seller = d.Seller
	}
	if a.VATRateBP < 0 {
		a.VATRateBP = 0
	}
	return a
}

// CancelDeadline is the last moment a customer may cancel a show starting at startsAt.
func (p CancelPolicy) CancelDeadline(startsAt time.Time) time.Time { return startsAt.Add(-p.Cutoff) }

// CanCancelOnline says whether an order may be cancelled online at now, and
// if not, a sentence saying why.
func (p CancelPolicy) CanCancelOnline(o Order, startsAt, now time.Time) (bool, string) {
	switch {
	case p.Disabled:
		return false, "Online cancellation is not available. Please contact the box office."
	case o.Status != OrderPaid && o.Status != OrderPartiallyRefunded:
		return false, fmt.Sprintf("This order is %s, so there is nothing to cancel.", StatusText(o.Status))
	case !now.Before(p.CancelDeadline(startsAt)):
		return false, fmt.Sprintf("Tickets can be cancelled online until %s before the show starts. For this show that time has passed; please contact the box office.", humanDuration(p.Cutoff))
	}
	for _, it := range o.Items {
		if it.Status == ItemSold && it.CheckedInAt == nil {
			return true, ""
		}
	}
	return false, "No seat of this order can be cancelled any more."
}

func humanDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0 && d >= time.Hour:
		if d == time.Hour {
			return "1 hour"
		}
		return fmt.Sprintf("%d hours", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	default:
		return d.String()
	}
}

// Cancellation is what cancelling some seats of an order costs and returns.
type Cancellation struct {
	SeatIDs          []int64
	TicketsCents     int64 // price of the cancelled tickets
	BookingFeeCents  int64 // the cancelled seats' share of the booking fee
	FeeRefundedCents int64 // of which refunded (0 when the policy keeps it)
	ChargeCents      int64 // cancellation charge kept
	RefundCents      int64 // what goes back to the customer (sales tax refunded included)
	All              bool  // no seat of the order is left afterwards
	// TaxRefundedCents is the sales tax given back with the refund, for an
	// order whose tax was added on top (SalesTaxRefund); 0 with VAT included.
	TaxRefundedCents int64
}

// SalesTaxRefund is the sales tax refunded when refundCents of cancelled
// lines worth grossCents (tickets and their booking fee) carrying taxCents of
// sales tax are refunded: the tax follows the money, in proportion, rounded
// half up, never more than the lines' tax.
func SalesTaxRefund(taxCents, grossCents, refundCents int64) int64 {
	if taxCents <= 0 || grossCents <= 0 || refundCents <= 0 {
		return 0
	}
	if refundCents >= grossCents {
		return taxCents
	}
	return (2*taxCents*refundCents + grossCents) / (2 * grossCents)
}

// PlanCancellation checks a customer's request to cancel seats (nil or empty:
// every remaining seat) against the policy and the order, and computes the
// refund. It changes nothing; storage applies it under a row lock and calls
// it again there, so the answer is always computed on the current order.
func (p CancelPolicy) PlanCancellation(o Order, seatIDs []int64, startsAt, now time.Time) (Cancellation, error) {
	if p.Disabled {
		return Cancellation{}, Errorf(EFORBIDDEN, "Online cancellation is not available. Please contact the box office.")
	}
	if o.Status == OrderCancelled || o.Status == OrderRefunded {
		return Cancellation{}, Errorf(ECONFLICT, "This order is already cancelled.")
	}
	if err := CheckTransition(o.Status, OrderPartiallyRefunded); err != nil {
		return Cancellation{}, err
	}
	if !now.Before(p.CancelDeadline(startsAt)) {
		_, why := p.CanCancelOnline(o, startsAt, now)
		return Cancellation{}, Errorf(EGONE, "%s", why)
	}
	return planRefund(o, seatIDs, func(tickets, feeShare int64) (int64, int64) {
		refundFee := int64(0)
		if p.RefundBookingFee {
			refundFee = feeShare
		}
		charge := p.FeeCents + PercentOf(tickets, p.FeePercent*100)
		if max := tickets + refundFee; charge > max {
			charge = max
		}
		return refundFee, charge
	}, false)
}

// PlanFullRefund is the cinema cancelling: every remaining seat, tickets and
// booking fee refunded, no charge, whatever the time and check-in state.
func PlanFullRefund(o Order) (Cancellation, error) {
	if o.Status == OrderCancelled || o.Status == OrderRefunded {
		return Cancellation{}, Errorf(ECONFLICT, "This order is already cancelled.")
	}
	if err := CheckTransition(o.Status, OrderRefunded); err != nil {
		return Cancellation{}, err
	}
	var ids []int64
	for _, it := range o.Items {
		if it.Status == ItemSold {
			ids = append(ids, it.SeatID)
		}
	}
	return planRefund(o, ids, func(_, feeShare int64) (int64, int64) { return feeShare, 0 }, true)
}

func planRefund(o Order, seatIDs []int64, money func(tickets, feeShare int64) (refundFee, charge int64), ignoreCheckIn bool) (Cancellation, error) {
	var sold, cancelledBefore int64
	items := map[int64]OrderItem{}
	for _, it := range o.Items {
		items[it.SeatID] = it
		switch it.Status {
		case ItemSold:
			sold++
		case ItemCancelled:
			cancelledBefore++
		}
	}
	if len(seatIDs) == 0 {
		for _, it := range o.Items {
			if it.Status == ItemSold && (it.CheckedInAt == nil || ignoreCheckIn) {
				seatIDs = append(seatIDs, it.SeatID)
			}
		}
		if len(seatIDs) == 0 {
			return Cancellation{}, Errorf(ECONFLICT, "No seat of this order can be cancelled any more.")
		}
	}
	c := Cancellation{}
	var lineTax int64
	seen := map[int64]bool{}
	for _, id := range seatIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		it, ok := items[id]
		if !ok {
			return Cancellation{}, Invalid("seat", "That seat is not part of this order.")
		}
		switch {
		case it.Status == ItemCancelled:
			return Cancellation{}, Errorf(ECONFLICT, "Seat %s is already cancelled.", it.Label())
		case it.Status != ItemSold:
			return Cancellation{}, Errorf(ECONFLICT, "Seat %s can't be cancelled.", it.Label())
		case it.CheckedInAt != nil && !ignoreCheckIn:
			return Cancellation{}, Errorf(ECONFLICT, "Seat %s has already been checked in, so it can't be cancelled.", it.Label())
		}
		c.SeatIDs = append(c.SeatIDs, id)
		c.TicketsCents += it.PriceCents
		lineTax += it.TaxCents + it.FeeTaxCents
	}
	sort.Slice(c.SeatIDs, func(i, j int) bool { return c.SeatIDs[i] < c.SeatIDs[j] })
	k := int64(len(c.SeatIDs))
	c.All = k == sold
	c.BookingFeeCents = FeeShare(o.FeeCents, cancelledBefore, k, cancelledBefore+sold)
	c.FeeRefundedCents, c.ChargeCents = money(c.TicketsCents, c.BookingFeeCents)
	c.RefundCents = c.TicketsCents + c.FeeRefundedCents - c.ChargeCents
	if c.RefundCents < 0 {
		c.RefundCents = 0
	}
	if !o.TaxIncluded {
		c.TaxRefundedCents = SalesTaxRefund(lineTax, c.TicketsCents+c.BookingFeeCents, c.RefundCents)
		c.RefundCents += c.TaxRefundedCents
	}
	return c, nil
}

// FeeShare is the part of a booking fee of feeCents spread over n seats that
// belongs to k more seats after `before` seats took theirs: the shares of all
// n seats add up to feeCents exactly.
func FeeShare(feeCents, before, k, n int64) int64 {
	if n <= 0 {
		return 0
	}
	if before+k > n {
		k = n - before
	}
	return feeCents*(before+k)/n - feeCents*before/n
}

// PercentOf returns amount × bp / 10000 rounded half away from zero (bp in basis points).
func PercentOf(amount, bp int64) int64 {
	if bp <= 0 || amount == 0 {
		return 0
	}
	return (amount*bp + 5000) / 10000
}

// Describe is the policy in a sentence or two for customers.
func (p CancelPolicy) Describe() string {
	if p.Disabled {
		return "Tickets can't be cancelled online."
	}
	s := fmt.Sprintf("You can cancel some or all seats online until %s before the show.", humanDuration(p.Cutoff))
	switch {
	case p.FeeCents > 0 && p.FeePercent > 0:
		s += fmt.Sprintf(" A cancellation fee of $%d.%02d plus %d%% of the cancelled tickets applies.", p.FeeCents/100, p.FeeCents%100, p.FeePercent)
	case p.FeeCents > 0:
		s += fmt.Sprintf(" A cancellation fee of $%d.%02d applies.", p.FeeCents/100, p.FeeCents%100)
	case p.FeePercent > 0:
		s += fmt.Sprintf(" A cancellation fee of %d%% of the cancelled tickets applies.", p.FeePercent)
	}
	if p.RefundBookingFee {
		s += " The booking fee is refunded too."
	} else {
		s += " The booking fee is not refunded."
	}
	return s
}
