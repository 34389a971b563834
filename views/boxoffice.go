package views

import (
	"strconv"
	"strings"
	"time"

	"marquee/booking"
)

// The box office pages' view models (boxoffice.templ).

// BoardView is today's board for one theatre.
type BoardView struct {
	Theatre  booking.Theatre
	Theatres []booking.Theatre
	Day      string // "Wed 25 Nov"
	Now      string // "18:04"
	Rows     []BoardRow
	Drawer   *booking.DrawerSession // the staff member's open drawer, if any
}

// BoardRow is one showtime on the board.
type BoardRow struct {
	Key        string // the shortcut that opens its sale ("1"…"9", then none)
	ShowtimeID int64
	Start      string
	Title      string
	Auditorium string
	Format     string
	Sold       int
	Held       int
	Free       int
	Capacity   int
	Admitted   int
	State      booking.BoardState
}

// FillPercent is the share of seats sold or held, 0–100.
func (r BoardRow) FillPercent() int {
	if r.Capacity == 0 {
		return 0
	}
	return (r.Sold + r.Held) * 100 / r.Capacity
}

// Sells reports whether the counter sells the showtime now.
func (r BoardRow) Sells() bool { return r.State != booking.BoardClosed }

// SaleView is the counter sale page of one showtime.
type SaleView struct {
	Info        booking.ShowtimeInfo
	State       booking.BoardState
	Free        int
	TicketTypes []booking.TicketType
	Form        SaleForm
	Map         CounterMap
}

// SaleForm is what was typed into the sale form.
type SaleForm struct {
	Key       string // the form's sale key (one order per form)
	Quantity  string
	Seats     string
	Types     map[string]string // ticket type → count typed
	Email     string
	Tender    string
	Cash      string
	CardCents string
	Reference string
}

// TypeCount is the count typed for a ticket type ("" when none).
func (f SaleForm) TypeCount(code string) string { return f.Types[code] }

// QuoteView is the total of what the sale form asks for.
type QuoteView struct {
	Seats       []string
	Lines       []booking.QuoteLine
	TotalCents  int64
	FeeCents    int64
	ChangeCents int64 // cash given back, when cash was typed and covers the cash part
	CashDue     int64
	HasChange   bool
}

// BoxOrderView is an order as the box office sees it, after a sale or a
// look-up: summary, payments, tickets to print.
type BoxOrderView struct {
	Order    booking.Order
	Info     booking.ShowtimeInfo
	Payments []CounterPayment
	Tickets  []TicketView
	Query    string // the guest link token query for the order's own pages ("" for staff)
	Sold     bool   // just sold at the counter (show the change due large)
	// Cancellable are the seats the counter may cancel (sold, not admitted);
	// Policy is the customer cancellation policy in words.
	Cancellable []booking.OrderItem
	Policy      string
	// AdmitAll is the signed whole-order ticket the door's "admit all" sends
	// ("" when no seat is left to admit).
	AdmitAll string
	// RefundTo is the refund tender preselected (cash when the order was paid
	// in cash); DrawerOpen whether the staff member has a drawer open here.
	RefundTo   string
	DrawerOpen bool
}

// CounterPayment is one payment of an order as the box office shows it.
type CounterPayment struct {
	Provider      string // "cash", "card_present", "stripe", "demo"
	AmountCents   int64
	TenderedCents int64
	ChangeCents   int64
	CardReference string
}

// LocalStart is the showtime's start in the theatre's zone.
func (v BoxOrderView) LocalStart() string {
	return OrderView{Info: v.Info}.LocalStart()
}

// ChangeCents is the change due on the order's cash payments.
func (v BoxOrderView) ChangeCents() (int64, bool) {
	var c int64
	cash := false
	for _, p := range v.Payments {
		if p.Provider == "cash" {
			c += p.ChangeCents
			cash = true
		}
	}
	return c, cash
}

// PaymentText describes one payment for the receipt slip.
func PaymentText(p CounterPayment) string {
	switch p.Provider {
	case "cash":
		return "Cash " + Money(p.AmountCents) + " (given " + Money(p.TenderedCents) + ", change " + Money(p.ChangeCents) + ")"
	case "card_present":
		return "Card " + Money(p.AmountCents) + " (ref " + p.CardReference + ")"
	default:
		return p.Provider + " " + Money(p.AmountCents)
	}
}

// FindView is the order look-up page.
type FindView struct {
	Query  string
	Orders []FoundOrder
	Zone   *time.Location
}

// FoundOrder is one order found.
type FoundOrder struct {
	Code, Email, Name, Phone, Status, Title, Start string
	TotalCents                                     int64
	Seats                                          int
}

// DoorView is the check-in page: the door's showtime (optional) and the answer to the last scan.
type DoorView struct {
	Theatre   booking.Theatre   // the door's theatre
	Theatres  []booking.Theatre // the ones the staff member may switch to
	Showtimes []DoorShow
	Door      int64 // the chosen showtime, 0: any
	Answer    *DoorAnswer
}

// DoorShow is a showtime the door can be set to.
type DoorShow struct {
	ID                 int64
	Label              string
	Start, Opens       string // start and doors-open times, local
	Admitted, Expected int
}

// Shown are the showtimes whose counts the door shows: the door's one, or all.
func (v DoorView) Shown() []DoorShow {
	if v.Door == 0 {
		return v.Showtimes
	}
	for _, s := range v.Showtimes {
		if s.ID == v.Door {
			return []DoorShow{s}
		}
	}
	return nil
}

// DoorAnswer is the full-screen answer to one scan.
type DoorAnswer struct {
	A      booking.Admission
	Zone   *time.Location
	Undone int // seats let out again by an undo
}

// Title is the answer's headline.
func (d DoorAnswer) Title() string {
	switch {
	case d.Undone > 0:
		return "CHECK-IN UNDONE"
	case d.A.Valid():
		return "VALID"
	case d.A.Verdict == booking.AdmitAlready:
		return "ALREADY ADMITTED"
	case d.A.Verdict == booking.AdmitOtherTheatre:
		return "ANOTHER THEATRE"
	case d.A.Verdict == booking.AdmitOtherShowtime:
		return "ANOTHER SHOWTIME"
	case d.A.Verdict == booking.AdmitNotYet:
		return "NOT YET OPEN"
	default:
		return "NOT VALID"
	}
}

// Details are the answer's lines: the seats and types admitted, or why not.
func (d DoorAnswer) Details() []string {
	var out []string
	a := d.A
	switch {
	case d.Undone > 0:
		out = append(out, strconv.Itoa(d.Undone)+" seat(s) of order "+a.OrderCode+" may be scanned again.")
	case a.Valid():
		for _, s := range a.Admitted {
			line := "Seat " + s.Label + " · " + s.TicketName
			switch {
			case s.ProofRequired: // "Seat D2 · Child (under 12) — CHECK PROOF OF AGE"
				note := s.ProofNote
				if note == "" {
					note = "proof"
				}
				line += " — CHECK " + strings.ToUpper(note)
			case s.TicketType == "child":
				line += " · CHILD TICKET"
			}
			out = append(out, line)
		}
	case a.Verdict == booking.AdmitAlready:
		for _, s := range a.Seats {
			if s.CheckedInAt != nil {
				out = append(out, "Seat "+s.Label+" admitted at "+Clock(*s.CheckedInAt, d.Zone)+" by "+s.CheckedInBy)
			}
		}
	case a.Verdict == booking.AdmitOtherTheatre:
		out = append(out, a.Message)
	case a.Verdict == booking.AdmitNotYet:
		out = append(out, "Not yet open for entry: doors open at "+Clock(booking.DoorsOpen(a.StartsAt), d.Zone)+".")
	default:
		out = append(out, a.Message)
	}
	if a.Title != "" {
		out = append(out, a.Title+" · "+Day(a.StartsAt, d.Zone)+" "+Clock(a.StartsAt, d.Zone))
	}
	return out
}

// Tone is the answer's colour class.
func (d DoorAnswer) Tone() string {
	switch {
	case d.Undone > 0:
		return "bg-sky-700 text-white"
	case d.A.Valid():
		return "bg-green-700 text-white"
	case d.A.Verdict == booking.AdmitAlready:
		return "bg-amber-500 text-stone-950"
	default:
		return "bg-red-700 text-white"
	}
}

func firstType(ts []booking.TicketType) string {
	if len(ts) == 0 {
		return "standard"
	}
	return ts[0].Name
}

func joinStrings(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

func shortcut(i int) string {
	if i < 9 {
		return strconv.Itoa(i + 1)
	}
	return ""
}

// fillWidth is a Tailwind width class for a fill bar, in steps of a tenth
// (classes spelled out so Tailwind keeps them).
func fillWidth(pct int) string {
	steps := []string{"w-0", "w-1/12", "w-2/12", "w-3/12", "w-4/12", "w-5/12", "w-6/12", "w-7/12", "w-8/12", "w-9/12", "w-10/12", "w-11/12", "w-full"}
	i := (pct*12 + 50) / 100
	if i < 0 {
		i = 0
	}
	if i > 12 {
		i = 12
	}
	return steps[i]
}

// CounterMap is a showtime's seats for the counter: staff pick free seats
// into the sale form's seats field (static/js/boxoffice.js); picking holds
// nothing, the sale claims them. Refreshed by polling.
type CounterMap struct {
	ShowtimeID int64
	Rows       []CounterRow
}

// CounterRow is one row of seats with gap cells where aisles are.
type CounterRow struct {
	Label string
	Cells []CounterSeat // Gap cells have no seat
}

// CounterSeat is one cell of the counter map.
type CounterSeat struct {
	Gap   bool
	Seat  booking.Seat
	State booking.SeatState
}

// Class is the seat's CSS, as on the customers' map (kind, then state).
func (s CounterSeat) Class() string { return seatClass(SeatView{Seat: s.Seat, State: s.State}) }

// Free reports whether the counter may pick the seat.
func (s CounterSeat) Free() bool {
	return s.State == booking.StateFree && booking.Sellable(s.Seat.Kind)
}

// Text is what the seat shows: its number (♿ for a wheelchair space).
func (s CounterSeat) Text() string { return seatText(SeatView{Seat: s.Seat}) }

// Aria is the seat's label for screen readers.
func (s CounterSeat) Aria() string {
	return s.Seat.Label() + ", " + KindName(s.Seat.Kind) + ", " + StateName(s.State)
}

// NewCounterMap lays out states (in layout order) by row and column.
func NewCounterMap(showtimeID int64, l *booking.Layout, states []booking.SeatState) CounterMap {
	m := CounterMap{ShowtimeID: showtimeID}
	for _, seats := range l.Rows() {
		byX := map[int]booking.Seat{}
		for _, s := range seats {
			byX[s.X] = s
		}
		r := CounterRow{Label: seats[0].Row}
		for x := l.MinX; x <= l.MaxX; x++ {
			s, ok := byX[x]
			if !ok {
				r.Cells = append(r.Cells, CounterSeat{Gap: true})
				continue
			}
			st := booking.StateFree
			if i, ok := l.Index(s.ID); ok && i < len(states) {
				st = states[i]
			}
			r.Cells = append(r.Cells, CounterSeat{Seat: s, State: st})
		}
		m.Rows = append(m.Rows, r)
	}
	return m
}
