package booking

import (
	"sort"
	"time"
)

// Layout is an auditorium's seats, ordered by row (Y, front to back) then by
// X (left to right as seen from the seats, facing the screen). Gaps in X are
// aisles; gaps in Y are cross aisles. It is immutable once built.
type Layout struct {
	Seats                  []Seat
	index                  map[int64]int
	MinX, MaxX, MinY, MaxY int
}

// NewLayout builds a layout from seats in any order.
func NewLayout(seats []Seat) *Layout {
	l := &Layout{Seats: append([]Seat(nil), seats...), index: make(map[int64]int, len(seats))}
	sort.Slice(l.Seats, func(i, j int) bool {
		a, b := l.Seats[i], l.Seats[j]
		if a.Y != b.Y {
			return a.Y < b.Y
		}
		return a.X < b.X
	})
	for i, s := range l.Seats {
		l.index[s.ID] = i
		if i == 0 || s.X < l.MinX {
			l.MinX = s.X
		}
		if i == 0 || s.X > l.MaxX {
			l.MaxX = s.X
		}
		if i == 0 || s.Y < l.MinY {
			l.MinY = s.Y
		}
		if i == 0 || s.Y > l.MaxY {
			l.MaxY = s.Y
		}
	}
	return l
}

// Seat returns the seat with this id.
func (l *Layout) Seat(id int64) (Seat, bool) {
	i, ok := l.index[id]
	if !ok {
		return Seat{}, false
	}
	return l.Seats[i], true
}

// Index returns the position of the seat with this id in Seats.
func (l *Layout) Index(id int64) (int, bool) {
	i, ok := l.index[id]
	return i, ok
}

// Capacity is the number of seats.
func (l *Layout) Capacity() int { return len(l.Seats) }

// Rows returns the seats grouped by Y, front to back.
func (l *Layout) Rows() [][]Seat {
	var rows [][]Seat
	for i, s := range l.Seats {
		if i == 0 || s.Y != l.Seats[i-1].Y {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], s)
	}
	return rows
}

// CompanionOf returns the companion seat that belongs to a wheelchair space:
// the companion seat directly next to it in the same row (right side first).
func (l *Layout) CompanionOf(wheelchair Seat) (Seat, bool) {
	if wheelchair.Kind != SeatWheelchair {
		return Seat{}, false
	}
	var left Seat
	var hasLeft bool
	for _, s := range l.Seats {
		if s.Y != wheelchair.Y || s.Kind != SeatCompanion {
			continue
		}
		switch s.X {
		case wheelchair.X + 1:
			return s, true
		case wheelchair.X - 1:
			left, hasLeft = s, true
		}
	}
	return left, hasLeft
}

// SeatState is what a moviegoer sees of a seat. A byte: a seat map keeps one
// per seat for every viewer, copied on every click.
type SeatState uint8

// Seat states.
const (
	StateFree SeatState = iota
	StateHeld           // held by someone else's cart or a pending order
	StateSold
	StateMine // held by the viewer's cart

	NumSeatStates = iota // how many states there are, 0 … NumSeatStates-1 (not a state)
)

// String is the state's name in pages (data-state): available, held, sold, selected.
func (s SeatState) String() string {
	switch s {
	case StateHeld:
		return "held"
	case StateSold:
		return "sold"
	case StateMine:
		return "selected"
	default:
		return "available"
	}
}

// Claim is a seat that is not free: a cart's hold, a pending order's hold
// (both with ExpiresAt) or a sale (no expiry).
type Claim struct {
	SeatID     int64
	CartID     string // "" when the claim belongs to an order
	OrderID    int64
	TicketType string
	ExpiresAt  *time.Time // nil for a sale
}

// Live reports whether the claim still takes the seat at now.
func (c Claim) Live(now time.Time) bool { return c.ExpiresAt == nil || c.ExpiresAt.After(now) }

// StateFor returns how the seat of claim c looks to the viewer with cart at now.
func (c Claim) StateFor(cart string, now time.Time) SeatState {
	switch {
	case !c.Live(now):
		return StateFree
	case c.ExpiresAt == nil:
		return StateSold
	case cart != "" && c.CartID == cart && c.OrderID == 0:
		return StateMine
	default:
		return StateHeld
	}
}

// Bookable reports whether seats of this kind can be picked by "best seats".
// Wheelchair spaces and companion seats are chosen explicitly.
func Bookable(kind string) bool { return kind == SeatStandard || kind == SeatPremium }

// ShowtimeInfo is a showtime with what a booking page says about it.
type ShowtimeInfo struct {
	Showtime   Showtime
	Movie      Movie
	Theatre    Theatre
	Auditorium Auditorium
}
