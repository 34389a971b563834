package views

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/a-h/templ"

	"marquee/booking"
)

// SeatMap is the HTML of one showtime's seat map, rendered once for every
// seat in every state. Drawing the map for a request is then a matter of
// copying bytes: the map is the hottest page of the site and its layout
// never changes while the showtime is on sale. It is immutable once built.
type SeatMap struct {
	ShowtimeID int64
	Layout     *booking.Layout
	rows       []mapRow
	// per layout seat index and state: the map button, the same with
	// hx-swap-oob, the list item and the same with hx-swap-oob.
	button, buttonOOB, item, itemOOB [][booking.NumSeatStates][]byte
	// Kinds present in the auditorium (legend).
	Kinds map[string]bool
}

type mapRow struct {
	Label string
	Gap   bool  // an empty line (cross aisle) before this row
	Cells []int // seat index, or -1 for an aisle or gap
	Seats []int // seat indexes of the row, for the list
}

// SeatView is one seat as a map button or list item shows it.
type SeatView struct {
	ShowtimeID int64
	Seat       booking.Seat
	State      booking.SeatState
	OOB        bool
}

// ID is the button's element id.
func (s SeatView) ID() string { return "seat-" + strconv.FormatInt(s.Seat.ID, 10) }

// ItemID is the list item's element id.
func (s SeatView) ItemID() string { return "ls-" + strconv.FormatInt(s.Seat.ID, 10) }

// Value is the form value naming the seat.
func (s SeatView) Value() string { return strconv.FormatInt(s.Seat.ID, 10) }

// AriaLabel reads e.g. "Row F, seat 12, premium, available".
func (s SeatView) AriaLabel() string {
	if s.Seat.Kind == booking.SeatBlocked {
		return fmt.Sprintf("Row %s, seat %d, not for sale", s.Seat.Row, s.Seat.Number)
	}
	return fmt.Sprintf("Row %s, seat %d, %s, %s", s.Seat.Row, s.Seat.Number, KindName(s.Seat.Kind), StateName(s.State))
}

// KindName is a seat kind in words.
func KindName(kind string) string {
	switch kind {
	case booking.SeatWheelchair:
		return "wheelchair space"
	case booking.SeatCompanion:
		return "companion seat"
	case booking.SeatBlocked:
		return "blocked seat"
	default:
		return kind
	}
}

// StateName is a seat state in words.
func StateName(s booking.SeatState) string {
	switch s {
	case booking.StateMine:
		return "selected by you"
	case booking.StateHeld:
		return "held by someone else"
	case booking.StateSold:
		return "sold"
	default:
		return "available"
	}
}

// NewSeatMap renders every seat of layout in every state.
func NewSeatMap(showtimeID int64, l *booking.Layout) (*SeatMap, error) {
	m := &SeatMap{ShowtimeID: showtimeID, Layout: l, Kinds: map[string]bool{}}
	n := len(l.Seats)
	m.button = make([][booking.NumSeatStates][]byte, n)
	m.buttonOOB = make([][booking.NumSeatStates][]byte, n)
	m.item = make([][booking.NumSeatStates][]byte, n)
	m.itemOOB = make([][booking.NumSeatStates][]byte, n)
	ctx := context.Background()
	var buf bytes.Buffer
	render := func(c templ.Component) ([]byte, error) {
		buf.Reset()
		if err := c.Render(ctx, &buf); err != nil {
			return nil, err
		}
		return append([]byte(nil), buf.Bytes()...), nil
	}
	var err error
	for i, s := range l.Seats {
		m.Kinds[s.Kind] = true
		for st := range booking.SeatState(booking.NumSeatStates) {
			v := SeatView{ShowtimeID: showtimeID, Seat: s, State: st}
			if m.button[i][st], err = render(seatButton(v)); err != nil {
				return nil, err
			}
			if m.item[i][st], err = render(seatItem(v)); err != nil {
				return nil, err
			}
			v.OOB = true
			if m.buttonOOB[i][st], err = render(seatButton(v)); err != nil {
				return nil, err
			}
			if m.itemOOB[i][st], err = render(seatItem(v)); err != nil {
				return nil, err
			}
		}
	}
	prevY := l.MinY - 1
	for _, seats := range l.Rows() {
		y := seats[0].Y
		r := mapRow{Label: seats[0].Row, Gap: y > prevY+1 && prevY >= l.MinY}
		prevY = y
		byX := map[int]int{}
		for _, s := range seats {
			idx, _ := l.Index(s.ID)
			byX[s.X] = idx
			r.Seats = append(r.Seats, idx)
		}
		for x := l.MinX; x <= l.MaxX; x++ {
			if idx, ok := byX[x]; ok {
				r.Cells = append(r.Cells, idx)
			} else {
				r.Cells = append(r.Cells, -1)
			}
		}
		m.rows = append(m.rows, r)
	}
	return m, nil
}

// Cols is the map's width in seat places (seats, aisles and gaps).
func (m *SeatMap) Cols() int {
	if len(m.rows) == 0 {
		return 0
	}
	return len(m.rows[0].Cells)
}

// ColsClass is the canvas class that sizes the map to fit its box before any
// script runs (static/css/input.css: cols-4 … cols-64; wider maps scroll).
func (m *SeatMap) ColsClass() string {
	n := m.Cols()
	if n < 4 || n > 64 {
		return ""
	}
	return "cols-" + strconv.Itoa(n)
}

var gapCell = []byte(`<span class="seat-gap" aria-hidden="true"></span>`)

// rowCells writes the cells of one row for the given seat states.
func (m *SeatMap) rowCells(r mapRow, states []booking.SeatState) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		for _, idx := range r.Cells {
			var b []byte
			if idx < 0 {
				b = gapCell
			} else {
				b = m.button[idx][states[idx]]
			}
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	})
}

// rowItems writes the list items of one row.
func (m *SeatMap) rowItems(r mapRow, states []booking.SeatState) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		for _, idx := range r.Seats {
			if _, err := w.Write(m.item[idx][states[idx]]); err != nil {
				return err
			}
		}
		return nil
	})
}

// Changed writes out-of-band swaps for the given seats in their new state:
// their map buttons, or their list items on the list view.
func (m *SeatMap) Changed(seatIDs []int64, states []booking.SeatState, list bool) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		for _, id := range seatIDs {
			idx, ok := m.Layout.Index(id)
			if !ok {
				continue
			}
			b := m.buttonOOB[idx][states[idx]]
			if list {
				b = m.itemOOB[idx][states[idx]]
			}
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	})
}

// Seat kind and state classes (static/css/input.css), spelt out whole:
// Tailwind keeps only the classes it finds written in the sources, so a name
// built at run time ("k-" + kind) would be missing from app.css.
var (
	kindClass = map[string]string{
		booking.SeatStandard:   "k-standard",
		booking.SeatPremium:    "k-premium",
		booking.SeatWheelchair: "k-wheelchair",
		booking.SeatCompanion:  "k-companion",
		booking.SeatBlocked:    "k-blocked",
	}
	stateClass = map[booking.SeatState]string{
		booking.StateMine: "s-selected",
		booking.StateHeld: "s-held",
		booking.StateSold: "s-sold",
	}
)

// seatClass is the seat's CSS: kind, then state (static/css/input.css).
func seatClass(s SeatView) string {
	k, ok := kindClass[s.Seat.Kind]
	if !ok {
		k = "k-" + s.Seat.Kind
	}
	c := "seat " + k
	if st, ok := stateClass[s.State]; ok {
		c += " " + st
	}
	return c
}

func seatText(s SeatView) string {
	switch s.Seat.Kind {
	case booking.SeatWheelchair:
		return "♿"
	default:
		return strconv.Itoa(s.Seat.Number)
	}
}

// seatAction is the form field a click sends: hold a free seat, release one's own.
func seatAction(s SeatView) string {
	if s.State == booking.StateMine {
		return "release"
	}
	return "hold"
}

func oobAttr(oob bool) templ.Attributer {
	if oob {
		return oobOn
	}
	return noAttrs
}

// Ordered attributes render without sorting keys (templ.Attributes sorts a map).
var (
	oobOn   = templ.OrderedAttributes{{Key: "hx-swap-oob", Value: "true"}}
	noAttrs = templ.OrderedAttributes{}
)

// MapHTML is the map (SeatRows) and the list (SeatList) of one set of seat
// states, each rendered once, on first use, and then shared by every request
// that shows exactly these states (viewers without seats of their own).
type MapHTML struct {
	m      *SeatMap
	states []booking.SeatState // read-only
	once   [2]sync.Once
	html   [2][]byte
}

// NewMapHTML prepares the shared rendering of states, which must not change.
func NewMapHTML(m *SeatMap, states []booking.SeatState) *MapHTML {
	return &MapHTML{m: m, states: states}
}

// Bytes returns the rendered rows (list false) or list; nil if rendering failed.
func (h *MapHTML) Bytes(list bool) []byte {
	i := 0
	if list {
		i = 1
	}
	h.once[i].Do(func() {
		var buf bytes.Buffer
		c := SeatRows(h.m, h.states)
		if list {
			c = SeatList(h.m, h.states)
		}
		if err := c.Render(context.Background(), &buf); err == nil {
			h.html[i] = buf.Bytes()
		}
	})
	return h.html[i]
}

// rawHTML writes bytes already rendered.
func rawHTML(b []byte) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// seatRows is the drawn map of the page, shared when possible.
func (v ShowtimeView) seatRows() templ.Component {
	if v.Rendered != nil && v.Rendered.states != nil {
		if b := v.Rendered.Bytes(false); b != nil {
			return rawHTML(b)
		}
	}
	return SeatRows(v.Map, v.States)
}

// seatList is the seat list of the page, shared when possible.
func (v ShowtimeView) seatList() templ.Component {
	if v.Rendered != nil && v.Rendered.states != nil {
		if b := v.Rendered.Bytes(true); b != nil {
			return rawHTML(b)
		}
	}
	return SeatList(v.Map, v.States)
}
