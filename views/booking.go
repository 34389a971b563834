package views

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"marquee/booking"
)

// ShowtimeView is the booking page of one showtime.
type ShowtimeView struct {
	Info    booking.ShowtimeInfo
	Sales   booking.Sales
	Map     *SeatMap
	States  []booking.SeatState // per Map.Layout.Seats, for this viewer
	Zones   []booking.ZonePrice
	Summary SummaryView
	CSRF    string
	Max     int
	// List shows the seats as a plain list instead of the drawn map.
	List bool
	// Rendered, when set, is States already rendered (shared by viewers
	// who see the same states).
	Rendered *MapHTML
	// LegendHTML, when set, is the legend of Zones already rendered
	// (LegendHTML, once per showtime).
	LegendHTML string
}

// LegendHTML renders the seat map's legend (kinds with their prices, seat
// states; "not for sale" when m has blocked seats) once, for every page of
// the showtime.
func LegendHTML(zones []booking.ZonePrice, m *SeatMap) (string, error) {
	var b strings.Builder
	if err := legend(ShowtimeView{Zones: zones, Map: m}).Render(context.Background(), &b); err != nil {
		return "", err
	}
	return b.String(), nil
}

// SummaryView is the viewer's selection: seats, ticket types, totals, hold timer.
type SummaryView struct {
	ShowtimeID  int64
	Quote       booking.Quote
	TicketTypes []booking.TicketType
	// Remaining is the time left on the hold (whole seconds), 0 when nothing is held.
	Remaining int
	// Expired says the viewer's hold ran out (seats back on sale).
	Expired bool
	Open    bool // sales open: checkout possible
	CSRF    string
	Email   string
	OOB     bool
	Max     int
}

func (v ShowtimeView) path(suffix string) string {
	return "/showtimes/" + strconv.FormatInt(v.Info.Showtime.ID, 10) + suffix
}

func (v SummaryView) path(suffix string) string {
	return "/showtimes/" + strconv.FormatInt(v.ShowtimeID, 10) + suffix
}

// LocalStart is the start in the theatre's zone, e.g. "Wed 25 Nov, 19:30".
func (v ShowtimeView) LocalStart() string {
	loc := v.Info.Theatre.Location()
	return Day(v.Info.Showtime.StartsAt, loc) + ", " + Clock(v.Info.Showtime.StartsAt, loc)
}

// Countdown formats seconds as m:ss.
func Countdown(sec int) string {
	if sec < 0 {
		sec = 0
	}
	if sec >= 3600 { // a pay-later hold: hours, not 583:44
		return fmt.Sprintf("%d h %02d min", sec/3600, sec%3600/60)
	}
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}

func zoneLabel(z booking.ZonePrice) string {
	if z.MinCents == z.MaxCents {
		return Money(z.MinCents)
	}
	return Money(z.MinCents) + "–" + Money(z.MaxCents)
}

func seatLegendClass(kind string) string {
	return seatClass(SeatView{Seat: booking.Seat{Kind: kind}, State: booking.StateFree})
}

func stateLegendClass(s booking.SeatState) string {
	return seatClass(SeatView{Seat: booking.Seat{Kind: booking.SeatStandard}, State: s})
}

func bannerClass(s booking.Sales) string {
	switch s.State {
	case booking.SalesClosingSoon:
		return "mt-4 rounded-lg border border-amber-400/50 bg-amber-400/10 text-amber-200 px-4 py-3"
	default:
		return "mt-4 rounded-lg border border-red-500/50 bg-red-500/10 text-red-200 px-4 py-3"
	}
}

func quantities(max int) []string {
	out := make([]string, 0, max)
	for i := 1; i <= max; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

func seatValue(id int64) string { return strconv.FormatInt(id, 10) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// OrderView is an order's page.
type OrderView struct {
	Order     booking.Order
	Info      booking.ShowtimeInfo
	Remaining int // seconds left to pay, 0 when not pending
	Now       time.Time
	// After is the after-sale part (tickets, receipt, cancellation); nil for unpaid orders.
	After *AfterSaleView
	// Payment is the payment part (pay button, payment under way, automatic refunds).
	Payment *PaymentView
}

// LocalStart is the showtime's start in the theatre's zone.
func (v OrderView) LocalStart() string {
	loc := v.Info.Theatre.Location()
	return Day(v.Info.Showtime.StartsAt, loc) + ", " + Clock(v.Info.Showtime.StartsAt, loc)
}

// seatLabels is the held seats in a few words: "2 seats: F12, F13".
func seatLabels(s SummaryView) string {
	labels := make([]string, len(s.Quote.Lines))
	for i, l := range s.Quote.Lines {
		labels[i] = l.Seat.Label()
	}
	n := "1 seat"
	if len(labels) != 1 {
		n = strconv.Itoa(len(labels)) + " seats"
	}
	return n + ": " + strings.Join(labels, ", ")
}

// RefundedCents is what was (or is being) refunded of the order.
func (v OrderView) RefundedCents() int64 {
	if v.After == nil {
		return 0
	}
	return refunded(v.After.Refunds)
}

// ActiveSeats is the seats not cancelled in words: "2 seats (F12, F13)".
func (v OrderView) ActiveSeats() string {
	var labels []string
	for _, it := range v.Order.Items {
		if it.Status != booking.ItemCancelled {
			labels = append(labels, it.Label())
		}
	}
	n := "1 seat"
	if len(labels) != 1 {
		n = strconv.Itoa(len(labels)) + " seats"
	}
	return n + " (" + strings.Join(labels, ", ") + ")"
}
