package booking

import (
	"errors"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 15, 19, 30, 0, 0, time.UTC)

func show(start time.Time) Showtime {
	return Showtime{ID: 1, StartsAt: start, EndsAt: start.Add(2 * time.Hour), SalesCloseAt: start, CounterCloseAt: start.Add(10 * time.Minute), Status: ShowtimeScheduled}
}

func TestSalesStates(t *testing.T) {
	st := show(t0)
	set := DefaultSettings()
	cases := []struct {
		now  time.Time
		want SalesState
	}{
		{t0.Add(-2 * time.Hour), SalesOpen},
		{t0.Add(-15 * time.Minute), SalesClosingSoon},
		{t0.Add(-1 * time.Second), SalesClosingSoon},
		{t0, SalesStarted},
		{t0.Add(time.Hour), SalesStarted},
	}
	for _, c := range cases {
		if got := SalesAt(st, c.now, set); got.State != c.want {
			t.Errorf("at %v: %s, want %s", c.now.Sub(t0), got.State, c.want)
		}
	}
	early := st
	early.SalesCloseAt = t0.Add(-time.Hour)
	if got := SalesAt(early, t0.Add(-30*time.Minute), set); got.State != SalesClosed || got.Banner == "" {
		t.Errorf("closed before start: %+v", got)
	}
	cancelled := st
	cancelled.Status = ShowtimeCancelled
	if SalesAt(cancelled, t0.Add(-5*time.Hour), set).Open() {
		t.Error("cancelled show is open")
	}
}

func TestHoldUntilShrinksToCutoff(t *testing.T) {
	st := show(t0)
	set := DefaultSettings()
	if got, _ := HoldUntil(st, t0.Add(-time.Hour), set); !got.Equal(t0.Add(-50 * time.Minute)) {
		t.Errorf("an hour before: %v", got)
	}
	// Fifteen minutes before the start, the hold is the full ten minutes;
	// five minutes before, it ends at the start.
	if got, _ := HoldUntil(st, t0.Add(-15*time.Minute), set); !got.Equal(t0.Add(-5 * time.Minute)) {
		t.Errorf("15 min before: %v", got)
	}
	if got, _ := HoldUntil(st, t0.Add(-5*time.Minute), set); !got.Equal(t0) {
		t.Errorf("5 min before: %v", got)
	}
	_, err := HoldUntil(st, t0, set)
	if ErrorCode(err) != EGONE {
		t.Errorf("at start: %v", err)
	}
}

func TestCheckHold(t *testing.T) {
	l, _ := grid("....")
	st := show(t0)
	set := DefaultSettings()
	set.MaxSeatsPerCart = 3
	now := t0.Add(-time.Hour)
	if _, err := CheckHold(st, l, []int64{1, 2}, 1, now, set); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckHold(st, l, []int64{1, 2}, 2, now, set); ErrorCode(err) != EINVALID {
		t.Fatalf("over max: %v", err)
	}
	if _, err := CheckHold(st, l, []int64{999}, 0, now, set); ErrorCode(err) != EINVALID {
		t.Fatalf("unknown seat: %v", err)
	}
	if _, err := CheckHold(st, l, []int64{1, 1}, 0, now, set); ErrorCode(err) != EINVALID {
		t.Fatalf("twice: %v", err)
	}
	if _, err := CheckHold(st, l, []int64{1}, 0, t0, set); ErrorCode(err) != EGONE {
		t.Fatalf("closed: %v", err)
	}
}

func TestOrderStateMachine(t *testing.T) {
	allowed := map[[2]string]bool{
		{OrderPendingPayment, OrderPaid}:                 true,
		{OrderPendingPayment, OrderExpired}:              true,
		{OrderPendingPayment, OrderFailed}:               true,
		{OrderPaid, OrderPartiallyRefunded}:              true,
		{OrderPaid, OrderCancelled}:                      true,
		{OrderPaid, OrderRefunded}:                       true,
		{OrderPartiallyRefunded, OrderPartiallyRefunded}: true,
		{OrderPartiallyRefunded, OrderRefunded}:          true,
		{OrderPartiallyRefunded, OrderCancelled}:         true,
		{OrderExpired, OrderPaid}:                        true, // late payment, seats re-taken
		{OrderExpired, OrderFailed}:                      true, // late payment, seats gone: refunded
	}
	for _, from := range OrderStatuses {
		for _, to := range OrderStatuses {
			want := allowed[[2]string{from, to}]
			if got := CanTransition(from, to); got != want {
				t.Errorf("%s → %s: %v, want %v", from, to, got, want)
			}
			err := CheckTransition(from, to)
			if (err == nil) != want {
				t.Errorf("CheckTransition(%s, %s) = %v", from, to, err)
			}
			var de *Error
			if err != nil && (!errors.As(err, &de) || de.Code != ECONFLICT) {
				t.Errorf("CheckTransition error code: %v", err)
			}
		}
	}
	if got := TransitionsInto(OrderExpired); len(got) != 1 || got[0] != OrderPendingPayment {
		t.Errorf("into expired: %v", got)
	}
	if got := TransitionsInto(OrderRefunded); len(got) != 2 {
		t.Errorf("into refunded: %v", got)
	}
}

func TestPricing(t *testing.T) {
	card := PriceCard{Currency: "usd",
		TicketTypes: []TicketType{{Code: "adult", Name: "Adult"}, {Code: "child", Name: "Child"}},
		Prices: []Price{
			{TicketType: "adult", SeatKind: SeatStandard, AmountCents: 1250},
			{TicketType: "adult", SeatKind: SeatPremium, AmountCents: 1650},
			{TicketType: "child", SeatKind: SeatStandard, AmountCents: 900},
		}}
	set := DefaultSettings()
	set.BookingFeeCents = 75
	q, err := PriceLines(card, []Line{
		{Seat: Seat{ID: 2, Row: "B", Number: 1, Y: 1, Kind: SeatPremium}, TicketType: "adult"},
		{Seat: Seat{ID: 1, Row: "A", Number: 1, Kind: SeatStandard}, TicketType: "child"},
		{Seat: Seat{ID: 3, Row: "A", Number: 2, X: 1, Kind: SeatWheelchair}, TicketType: "adult"},
	}, set)
	if err != nil {
		t.Fatal(err)
	}
	if q.SubtotalCents != 1650+900+1250 || q.FeeCents != 225 || q.TotalCents != 1650+900+1250+225 {
		t.Fatalf("quote %+v", q)
	}
	if q.Lines[0].Seat.Label() != "A1" || q.Lines[2].Seat.Label() != "B1" {
		t.Fatalf("order %+v", q.Lines)
	}
	_, err = PriceLines(card, []Line{{Seat: Seat{Row: "B", Number: 1, Kind: SeatPremium}, TicketType: "child"}}, set)
	if ErrorCode(err) != EINVALID {
		t.Fatalf("child premium: %v", err)
	}
	zones := card.Zones([]Seat{{Kind: SeatStandard}, {Kind: SeatPremium}, {Kind: SeatStandard}})
	if len(zones) != 2 || zones[0].MinCents != 900 || zones[0].MaxCents != 1250 || zones[1].MinCents != 1650 {
		t.Fatalf("zones %+v", zones)
	}
}
