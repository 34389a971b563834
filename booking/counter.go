package booking

import (
	"fmt"
	"strings"
	"time"
)

// The box office's rules: when a showtime sells at the counter, how long a
// counter order's seats stay claimed while the tender is taken, and how a
// tender adds up. Online sales follow SalesAt and HoldUntil; the counter
// sells on until the showtime's own counter cutoff (CounterCloseAt, by
// default ten minutes after the start), so a show starting in fifteen
// minutes or started five minutes ago still sells at the counter.

// CounterHold is how long a counter order's seats are claimed before its
// tender must be recorded. The tender is taken in the same request, so this
// only bounds how long seats stay claimed when recording it fails.
const CounterHold = 2 * time.Minute

// BoardState is a showtime's state on the box office board.
type BoardState string

// Board states, in the order a showtime goes through them.
const (
	BoardOnline      BoardState = "online"       // online sales open (the counter sells too)
	BoardCounterOnly BoardState = "counter_only" // online sales closed, the counter still sells, not started
	BoardStarted     BoardState = "started"      // started, the counter still sells until its cutoff
	BoardClosed      BoardState = "closed"       // past the counter cutoff, or cancelled
)

// BoardLabel is how the board names a state.
func BoardLabel(s BoardState) string {
	switch s {
	case BoardOnline:
		return "Online open"
	case BoardCounterOnly:
		return "Counter only"
	case BoardStarted:
		return "Started"
	default:
		return "Closed"
	}
}

// CounterSales is a showtime's state for the box office at now.
func CounterSales(st Showtime, now time.Time, set Settings) BoardState {
	switch {
	case st.Status == ShowtimeCancelled || !now.Before(counterClose(st)):
		return BoardClosed
	case SalesAt(st, now, set).Open():
		return BoardOnline
	case now.Before(st.StartsAt):
		return BoardCounterOnly
	default:
		return BoardStarted
	}
}

// CounterOpen reports whether the counter may sell st at now.
func CounterOpen(st Showtime, now time.Time, set Settings) bool {
	return CounterSales(st, now, set) != BoardClosed
}

// CounterUntil is the counter's sales window (sales.OrderRequest.Window): the
// showtime sells at the counter until its counter cutoff, and the new
// order's seats are claimed for CounterHold, cut short by the cutoff. EGONE
// past the cutoff or for a cancelled showtime.
func CounterUntil(st Showtime, now time.Time, set Settings) (time.Time, error) {
	if !CounterOpen(st, now, set) {
		if st.Status == ShowtimeCancelled {
			return time.Time{}, Errorf(EGONE, "This showtime has been cancelled.")
		}
		return time.Time{}, Errorf(EGONE, "Counter sales for this show closed at %s.", counterClose(st).Format("15:04 MST"))
	}
	until := now.Add(CounterHold)
	if c := counterClose(st); c.Before(until) {
		until = c
	}
	return until, nil
}

// counterClose is st's counter cutoff; a showtime without one (zero)
// closes at the counter when it closes online.
func counterClose(st Showtime) time.Time {
	if st.CounterCloseAt.IsZero() || st.CounterCloseAt.Before(st.SalesCloseAt) {
		return st.SalesCloseAt
	}
	return st.CounterCloseAt
}

// Tender methods at the counter.
const (
	TenderCash  = "cash"
	TenderCard  = "card" // the counter's card terminal (card-present)
	TenderSplit = "split"
)

// Tender is what the customer hands over at the counter for an order of
// TotalCents: cash, a card payment on the terminal, or both (split: CardCents
// on the card, the rest in cash).
type Tender struct {
	Method        string
	CashCents     int64  // cash handed over (cash, split)
	CardCents     int64  // the card part of a split
	CardReference string // the terminal's reference (card, split)
}

// TenderPlan is a checked tender: how much each part pays and the change due.
type TenderPlan struct {
	CashDueCents  int64 // what the cash part pays
	CardCents     int64 // what the card part pays
	ChangeCents   int64 // cash given back
	CashCents     int64 // cash handed over
	CardReference string
}

// PlanTender checks a tender against the total: cash below what it must pay
// is refused with a message saying how much is missing; a card part needs a
// reference; a split's card part must leave something for cash.
func PlanTender(t Tender, totalCents int64) (TenderPlan, error) {
	ref := strings.TrimSpace(t.CardReference)
	needRef := func() error {
		if ref == "" || len(ref) > 64 {
			return Invalid("reference", "Enter the card terminal's reference (up to 64 characters).")
		}
		return nil
	}
	cash := func(due int64) (TenderPlan, error) {
		if t.CashCents < due {
			return TenderPlan{}, Invalid("cash", "Cash handed over (%s) is less than the %s due: %s short.",
				Cents(t.CashCents), Cents(due), Cents(due-t.CashCents))
		}
		return TenderPlan{CashDueCents: due, CashCents: t.CashCents, ChangeCents: t.CashCents - due}, nil
	}
	switch t.Method {
	case TenderCash:
		return cash(totalCents)
	case TenderCard:
		if t.CardCents != 0 && t.CardCents != totalCents { // the amount the terminal charged, when typed
			return TenderPlan{}, Invalid("card_amount", "The card terminal charged %s but the total is %s: charge the total, or correct the amount.",
				Cents(t.CardCents), Cents(totalCents))
		}
		if err := needRef(); err != nil {
			return TenderPlan{}, err
		}
		return TenderPlan{CardCents: totalCents, CardReference: ref}, nil
	case TenderSplit:
		if t.CardCents <= 0 || t.CardCents >= totalCents {
			return TenderPlan{}, Invalid("card_amount", "For a split, the card pays part of the %s: more than 0, less than the total.", Cents(totalCents))
		}
		if err := needRef(); err != nil {
			return TenderPlan{}, err
		}
		p, err := cash(totalCents - t.CardCents)
		if err != nil {
			return TenderPlan{}, err
		}
		p.CardCents, p.CardReference = t.CardCents, ref
		return p, nil
	default:
		return TenderPlan{}, Invalid("tender", "Choose cash, card or split.")
	}
}

// Cents writes an amount of integer cents as money: "$12.50".
func Cents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s$%d.%02d", sign, c/100, c%100)
}

// ParseCents reads an amount typed at the counter ("20", "20.5", "20.50",
// "$20") as integer cents. EINVALID for anything else.
func ParseCents(field, s string) (int64, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "$")
	bad := Invalid(field, "Type an amount like 20 or 20.50.")
	if s == "" {
		return 0, bad
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if len(whole) > 7 || (hasFrac && (len(frac) == 0 || len(frac) > 2)) {
		return 0, bad
	}
	var c int64
	for _, r := range whole {
		if r < '0' || r > '9' {
			return 0, bad
		}
		c = c*10 + int64(r-'0')
	}
	c *= 100
	if hasFrac {
		if len(frac) == 1 {
			frac += "0"
		}
		for i, r := range frac {
			if r < '0' || r > '9' {
				return 0, bad
			}
			if i == 0 {
				c += int64(r-'0') * 10
			} else {
				c += int64(r - '0')
			}
		}
	}
	return c, nil
}

// CounterCancel is a cancellation asked for at the box office.
type CounterCancel struct {
	SeatIDs []int64 // nil: every seat not yet admitted
	// Override cancels outside the customer policy (after its deadline, or
	// when online cancellation is off); Reason says why and is required.
	Override bool
	Reason   string
	// WaiveCharge refunds without the cancellation charge (an override).
	WaiveCharge bool
	// RefundTo is how the money goes back: RefundToCash (from the staff
	// member's open drawer) or RefundToCard. StaffUserID is who refunds.
	RefundTo    string
	StaffUserID int64
}

// PlanCounterCancellation is the box office cancelling seats of an order.
// Inside the policy: the customer's terms, whether or not online
// cancellation is on. An override, with a reason: any time, the charge kept
// unless waived. Admitted seats are never cancelled; nothing is refunded
// beyond what the seats cost.
func (p CancelPolicy) PlanCounterCancellation(o Order, c CounterCancel, startsAt, now time.Time) (Cancellation, error) {
	if !c.Override {
		if c.WaiveCharge {
			return Cancellation{}, Invalid("waive", "Waiving the charge is an override: tick override and give a reason.")
		}
		inside := p
		inside.Disabled = false
		cl, err := inside.PlanCancellation(o, c.SeatIDs, startsAt, now)
		if ErrorCode(err) == EGONE {
			return Cancellation{}, Errorf(EGONE, "The cancellation deadline has passed: cancel with an override and a reason.")
		}
		return cl, err
	}
	if r := strings.TrimSpace(c.Reason); r == "" || len(r) > 500 {
		return Cancellation{}, Invalid("reason", "An override needs a reason (up to 500 characters); it goes to the audit log.")
	}
	if o.Status == OrderCancelled || o.Status == OrderRefunded {
		return Cancellation{}, Errorf(ECONFLICT, "This order is already cancelled.")
	}
	if err := CheckTransition(o.Status, OrderPartiallyRefunded); err != nil {
		return Cancellation{}, err
	}
	return planRefund(o, c.SeatIDs, func(tickets, feeShare int64) (int64, int64) {
		refundFee := int64(0)
		if p.RefundBookingFee || c.WaiveCharge {
			refundFee = feeShare
		}
		if c.WaiveCharge {
			return refundFee, 0
		}
		charge := p.FeeCents + PercentOf(tickets, p.FeePercent*100)
		if max := tickets + refundFee; charge > max {
			charge = max
		}
		return refundFee, charge
	}, false)
}

// PhoneDigits is a phone number as stored and searched: its digits only
// ("+44 (0)20 7946-0018" → "4402079460018"), at most 20.
func PhoneDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' && b.Len() < 20 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CheckPhone checks an optional phone number typed at the counter: empty, or
// 6 to 20 digits with the usual separators.
func CheckPhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	d := PhoneDigits(s)
	if len(d) < 6 || len(s) > 32 || strings.Trim(s, "0123456789 +-().") != "" {
		return "", Invalid("phone", "Type a phone number (digits, spaces, + - ( ) allowed), or leave it empty.")
	}
	return d, nil
}
