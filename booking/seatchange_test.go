package booking

import (
	"testing"
	"time"
)

func TestPlanSeatChange(t *testing.T) {
	card := PriceCard{Prices: []Price{{TicketType: "adult", SeatKind: SeatStandard, AmountCents: 1200}, {TicketType: "adult", SeatKind: SeatPremium, AmountCents: 1600}}}
	seat := func(id int64, row string, n int, kind string) Seat {
		return Seat{ID: id, Row: row, Number: n, Kind: kind}
	}
	f1, f2, g1, g2, p1 := seat(1, "F", 1, SeatStandard), seat(2, "F", 2, SeatStandard), seat(3, "G", 1, SeatStandard), seat(4, "G", 2, SeatStandard), seat(5, "H", 1, SeatPremium)
	now := time.Now()
	o := Order{Status: OrderPaid, Items: []OrderItem{
		{SeatID: 1, Row: "F", Number: 1, TicketType: "adult", PriceCents: 1200, Status: ItemSold},
		{SeatID: 2, Row: "F", Number: 2, TicketType: "adult", PriceCents: 1200, Status: ItemSold, CheckedInAt: &now},
		{SeatID: 6, Row: "F", Number: 6, TicketType: "adult", PriceCents: 1200, Status: ItemCancelled},
	}}
	moves, err := PlanSeatChange(o, card, []Seat{f1}, []Seat{g1})
	if err != nil || len(moves) != 1 || moves[0].To.ID != 3 || moves[0].TicketType != "adult" {
		t.Fatalf("%+v %v", moves, err)
	}
	unpaid := o
	unpaid.Status = OrderPendingPayment
	for _, c := range []struct {
		name     string
		o        Order
		from, to []Seat
		code     string
	}{
		{"nothing named", o, nil, nil, EINVALID},
		{"counts differ", o, []Seat{f1}, []Seat{g1, g2}, EINVALID},
		{"not in the order", o, []Seat{g1}, []Seat{g2}, EINVALID},
		{"admitted", o, []Seat{f2}, []Seat{g2}, ECONFLICT},
		{"dearer seat", o, []Seat{f1}, []Seat{p1}, EINVALID},
		{"to a seat of the order", o, []Seat{f1}, []Seat{seat(6, "F", 6, SeatStandard)}, EINVALID},
		{"named twice", o, []Seat{f1, f1}, []Seat{g1, g2}, EINVALID},
		{"unpaid", unpaid, []Seat{f1}, []Seat{g1}, ECONFLICT},
	} {
		if _, err := PlanSeatChange(c.o, card, c.from, c.to); ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
}
