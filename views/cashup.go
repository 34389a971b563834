package views

import "marquee/booking"

// Cash-up pages' view models (cashup.templ).

// DrawerView is the staff member's cash-up page: the open drawer, or the
// form to open one.
type DrawerView struct {
	Open     *booking.DrawerSession
	Theatre  booking.Theatre   // where a new drawer opens
	Theatres []booking.Theatre // the staff member's theatres
}

// DrawerSummary is one drawer session's summary (printable).
type DrawerSummary struct {
	D      booking.DrawerSession
	Closed bool // just closed: say so
	Manage bool // seen from the manager pages
}

// CashupView is the managers' list of drawer sessions.
type CashupView struct {
	Query     string
	TheatreID int64
	Theatres  []booking.Theatre
	From, To  string // dates, YYYY-MM-DD
	Sessions  []booking.DrawerSession
}

// DrawerWhen is when a session opened and closed, in its theatre's zone.
func DrawerWhen(d booking.DrawerSession) string {
	loc := d.Location()
	s := Day(d.OpenedAt, loc) + " " + Clock(d.OpenedAt, loc)
	if d.ClosedAt != nil {
		s += " – " + Clock(*d.ClosedAt, loc)
	} else {
		s += " – open"
	}
	return s
}

// Signed writes a difference with its sign: "+$1.00", "-$0.50", "$0.00".
func Signed(c int64) string {
	if c > 0 {
		return "+" + Money(c)
	}
	return booking.Cents(c)
}

// Counted is the cash counted, or "—" while open.
func Counted(d booking.DrawerSession) string {
	if d.CountedCents == nil {
		return "—"
	}
	return Money(*d.CountedCents)
}
