package booking

import (
	"net/mail"
	"sort"
	"strconv"
	"strings"
)

// TicketLines gives seats their ticket types from counts per type, e.g.
// {"adult": 1, "child": 1}: the seats in row, then seat order (front to back,
// left to right) get the types in the card's order (adult, child, senior…).
// The counts must add up to the number of seats. Without counts every seat
// is the card's default type.
func TicketLines(card PriceCard, seats []Seat, counts map[string]int) ([]Line, error) {
	ordered := append([]Seat(nil), seats...)
	sort.Slice(ordered, func(i, j int) bool {
		if ordered[i].Y != ordered[j].Y {
			return ordered[i].Y < ordered[j].Y
		}
		return ordered[i].X < ordered[j].X
	})
	lines := make([]Line, len(ordered))
	if len(counts) == 0 {
		for i, s := range ordered {
			lines[i] = Line{Seat: s, TicketType: card.DefaultTicketType()}
		}
		return lines, nil
	}
	total := 0
	for tt, n := range counts {
		if err := card.CheckTicketType(tt); err != nil {
			return nil, Invalid("ticketTypes", "%s", err.(*Error).Message)
		}
		if n < 0 {
			return nil, Invalid("ticketTypes", "Ticket counts can't be negative.")
		}
		if n > len(ordered) { // also keeps the sum below from overflowing
			return nil, Invalid("ticketTypes", "The ticket types add up to more tickets than the order has seats (%d).", len(ordered))
		}
		total += n
	}
	if total != len(ordered) {
		return nil, Invalid("ticketTypes", "The ticket types add up to %d tickets, but the order has %d seats.", total, len(ordered))
	}
	i := 0
	for _, t := range card.TicketTypes {
		for n := 0; n < counts[t.Code]; n++ {
			lines[i] = Line{Seat: ordered[i], TicketType: t.Code}
			i++
		}
	}
	return lines, nil
}

// SeatByLabel finds a seat by its name as Seat.Label writes it ("F12"),
// exactly: the caller normalises what people type (case, spaces).
func (l *Layout) SeatByLabel(label string) (Seat, bool) {
	for _, s := range l.Seats {
		// s.Label() == label, without making the label of every seat.
		if strings.HasPrefix(label, s.Row) && label[len(s.Row):] == strconv.Itoa(s.Number) {
			return s, true
		}
	}
	return Seat{}, false
}

// SeatsToHold is what a click on seat asks for: the seat, and with
// companion its wheelchair space's companion seat (CompanionOf) unless the
// viewer holds that already. states are the seats as the viewer sees them,
// in layout order.
func SeatsToHold(l *Layout, states []SeatState, seat Seat, companion bool) []int64 {
	want := []int64{seat.ID}
	if seat.Kind == SeatWheelchair && companion {
		if comp, ok := l.CompanionOf(seat); ok {
			if ci, ok := l.Index(comp.ID); ok && states[ci] != StateMine {
				want = append(want, comp.ID)
			}
		}
	}
	return want
}

// ErrCompanionTaken refuses a wheelchair space asked for with its companion
// seat when the companion seat is taken.
func ErrCompanionTaken() *Error {
	return Errorf(ECONFLICT, "The companion seat next to this wheelchair space is taken. Untick the companion option to hold the space alone.")
}

// HasTickets reports whether the order is paid and some of its seats are
// still valid.
func (o Order) HasTickets() bool {
	return o.Status == OrderPaid || o.Status == OrderPartiallyRefunded
}

// LiveItems are the order's seats that are still sold (not refunded), in
// order: the ones a ticket is issued for.
func (o Order) LiveItems() []OrderItem {
	var live []OrderItem
	for _, it := range o.Items {
		if it.Status == ItemSold {
			live = append(live, it)
		}
	}
	return live
}

// TicketEmail is the address an order's tickets go to: the one given (a
// form's, a request's), else the account's.
func TicketEmail(given string, u *User) (string, error) {
	given = strings.TrimSpace(given)
	if given == "" && u != nil {
		return u.Email, nil
	}
	a, err := mail.ParseAddress(given)
	if err != nil || a.Address != given || len(given) > 254 || !strings.Contains(given, ".") {
		return "", Invalid("email", "Enter the e-mail address your tickets should go to.")
	}
	return strings.Clone(given), nil // it may outlive the request's memory
}
