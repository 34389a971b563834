package booking

import (
	"slices"
	"testing"
)

func TestTicketLines(t *testing.T) {
	card := PriceCard{TicketTypes: []TicketType{{Code: "adult"}, {Code: "child"}, {Code: "senior"}}}
	// Given out of order: lines come in row, then seat order.
	seats := []Seat{{ID: 3, Row: "B", Number: 1, X: 0, Y: 1}, {ID: 2, Row: "A", Number: 2, X: 1}, {ID: 1, Row: "A", Number: 1, X: 0}}
	ids := func(ls []Line) (out []int64) {
		for _, l := range ls {
			out = append(out, l.Seat.ID)
		}
		return out
	}
	types := func(ls []Line) (out []string) {
		for _, l := range ls {
			out = append(out, l.TicketType)
		}
		return out
	}
	lines, err := TicketLines(card, seats, nil)
	if err != nil || !slices.Equal(ids(lines), []int64{1, 2, 3}) || !slices.Equal(types(lines), []string{"adult", "adult", "adult"}) {
		t.Fatalf("no counts: %v %v %v", ids(lines), types(lines), err)
	}
	// Types in the card's order, whatever the map's.
	lines, err = TicketLines(card, seats, map[string]int{"senior": 1, "adult": 1, "child": 1})
	if err != nil || !slices.Equal(ids(lines), []int64{1, 2, 3}) || !slices.Equal(types(lines), []string{"adult", "child", "senior"}) {
		t.Fatalf("counts: %v %v %v", ids(lines), types(lines), err)
	}
	if seats[0].ID != 3 {
		t.Fatal("TicketLines reordered the caller's seats")
	}
	for name, counts := range map[string]map[string]int{
		"unknown type": {"adult": 2, "student": 1},
		"negative":     {"adult": 4, "child": -1},
		"too many":     {"adult": 4},
		"too few":      {"adult": 2},
		"overflow":     {"adult": 1 << 62, "child": 1 << 62},
	} {
		if _, err := TicketLines(card, seats, counts); ErrorCode(err) != EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

func TestSeatByLabel(t *testing.T) {
	l := NewLayout([]Seat{{ID: 1, Row: "A", Number: 1}, {ID: 2, Row: "A", Number: 12, X: 1}, {ID: 3, Row: "AA", Number: 2, Y: 1}})
	for label, want := range map[string]int64{"A1": 1, "A12": 2, "AA2": 3, "A012": 0, "A2": 0, "a1": 0, "": 0, "A": 0, "1": 0, "AA": 0} {
		s, ok := l.SeatByLabel(label)
		if ok != (want != 0) || s.ID != want {
			t.Errorf("SeatByLabel(%q) = %d, %v; want %d", label, s.ID, ok, want)
		}
		if ok && s.Label() != label {
			t.Errorf("SeatByLabel(%q) found %s", label, s.Label())
		}
	}
}

func TestSeatsToHoldCompanion(t *testing.T) {
	l := NewLayout([]Seat{
		{ID: 1, Row: "A", Number: 1, X: 0, Kind: SeatCompanion},
		{ID: 2, Row: "A", Number: 2, X: 1, Kind: SeatWheelchair},
		{ID: 3, Row: "A", Number: 3, X: 2, Kind: SeatCompanion},
		{ID: 4, Row: "A", Number: 4, X: 3, Kind: SeatStandard},
	})
	seat := func(id int64) Seat { s, _ := l.Seat(id); return s }
	free := make([]SeatState, 4)
	if got := SeatsToHold(l, free, seat(2), true); !slices.Equal(got, []int64{2, 3}) {
		t.Errorf("wheelchair with companion: %v, want the right companion seat too", got)
	}
	if got := SeatsToHold(l, free, seat(2), false); !slices.Equal(got, []int64{2}) {
		t.Errorf("wheelchair alone: %v", got)
	}
	if got := SeatsToHold(l, free, seat(4), true); !slices.Equal(got, []int64{4}) {
		t.Errorf("a standard seat has no companion: %v", got)
	}
	mine := []SeatState{StateFree, StateFree, StateMine, StateFree}
	if got := SeatsToHold(l, mine, seat(2), true); !slices.Equal(got, []int64{2}) {
		t.Errorf("companion already held by the viewer: %v, want the space alone", got)
	}
	// A taken companion seat is still asked for: the caller refuses it with ErrCompanionTaken.
	taken := []SeatState{StateFree, StateFree, StateHeld, StateFree}
	if got := SeatsToHold(l, taken, seat(2), true); !slices.Equal(got, []int64{2, 3}) {
		t.Errorf("taken companion: %v", got)
	}
	if ErrorCode(ErrCompanionTaken()) != ECONFLICT {
		t.Error("ErrCompanionTaken is not a conflict")
	}
}

func TestOrderLiveTickets(t *testing.T) {
	o := Order{Items: []OrderItem{{SeatID: 1, Status: ItemSold}, {SeatID: 2, Status: ItemCancelled}, {SeatID: 3, Status: ItemSold}}}
	for status, want := range map[string]bool{OrderPaid: true, OrderPartiallyRefunded: true, OrderPendingPayment: false,
		OrderCancelled: false, OrderRefunded: false, OrderExpired: false, OrderFailed: false} {
		o.Status = status
		if o.HasTickets() != want {
			t.Errorf("%s: HasTickets %v, want %v", status, !want, want)
		}
	}
	live := o.LiveItems()
	if len(live) != 2 || live[0].SeatID != 1 || live[1].SeatID != 3 {
		t.Errorf("LiveItems = %v, want seats 1 and 3", live)
	}
}

func TestTicketEmail(t *testing.T) {
	u := &User{Email: "account@example.com"}
	for _, c := range []struct {
		given string
		u     *User
		want  string // "" = EINVALID
	}{
		{"", u, "account@example.com"},
		{"  ", u, "account@example.com"},
		{" me@example.com ", u, "me@example.com"},
		{"me@example.com", nil, "me@example.com"},
		{"", nil, ""},
		{"Me <me@example.com>", nil, ""},
		{"me@localhost", nil, ""},
		{"not an address", u, ""},
	} {
		got, err := TicketEmail(c.given, c.u)
		if c.want == "" {
			if ErrorCode(err) != EINVALID {
				t.Errorf("TicketEmail(%q) = %q, %v; want EINVALID", c.given, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("TicketEmail(%q) = %q, %v; want %q", c.given, got, err, c.want)
		}
	}
}
