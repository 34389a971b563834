package booking

// Changing seats at the counter: sold seats of an order move to other seats
// of the same showtime, one for one, at the same price. The database takes
// the new seats with the same conditional claim as any sale (never a seat
// someone else holds or bought) and gives the old ones back, in one
// transaction.

// SeatMove is one seat of an order moving to another seat of its showtime.
type SeatMove struct {
	From, To   Seat
	TicketType string
}

// PlanSeatChange checks moving the order's seats from[i] to to[i] under the
// showtime's price card: every from is a sold seat of the order not yet
// admitted, every to a different seat that was never in the order, and
// each ticket costs the same in its new seat (a dearer or cheaper seat is a
// cancellation and a new sale).
func PlanSeatChange(o Order, card PriceCard, from, to []Seat) ([]SeatMove, error) {
	if len(from) == 0 || len(from) != len(to) {
		return nil, Invalid("to", "Name as many new seats as seats to move (e.g. F12 F13 → G5 G6).")
	}
	if o.Status != OrderPaid && o.Status != OrderPartiallyRefunded {
		return nil, Errorf(ECONFLICT, "Only a paid order's seats can be changed.")
	}
	items := map[int64]OrderItem{}
	for _, it := range o.Items {
		items[it.SeatID] = it
	}
	seen := map[int64]bool{}
	moves := make([]SeatMove, len(from))
	for i := range from {
		it, ok := items[from[i].ID]
		switch {
		case !ok || it.Status != ItemSold:
			return nil, Invalid("from", "Seat %s isn't a sold seat of this order.", from[i].Label())
		case it.CheckedInAt != nil:
			return nil, Errorf(ECONFLICT, "Seat %s was admitted at the door already: it can't be changed.", from[i].Label())
		case seen[from[i].ID] || seen[to[i].ID]:
			return nil, Invalid("to", "Each seat can be named once.")
		}
		if _, in := items[to[i].ID]; in {
			return nil, Invalid("to", "Seat %s is (or was) in this order already: choose another.", to[i].Label())
		}
		seen[from[i].ID], seen[to[i].ID] = true, true
		if !Sellable(to[i].Kind) {
			return nil, Invalid("to", "Seat %s is not for sale.", to[i].Label())
		}
		p, ok := card.Price(it.TicketType, to[i])
		if !ok || p != it.PriceCents {
			return nil, Invalid("to", "Seat %s is priced differently for this ticket: cancel and sell instead.", to[i].Label())
		}
		moves[i] = SeatMove{From: from[i], To: to[i], TicketType: it.TicketType}
	}
	return moves, nil
}
