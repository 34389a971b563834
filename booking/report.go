package booking

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Channels an order is sold through (orders.channel), recorded when it is placed.
const (
	ChannelOnline  = "online"  // the web site: cart → checkout
	ChannelCounter = "counter" // the box office, paid with a tender at the till
	ChannelAPI     = "api"     // /api/v1 orders
)

// Channels lists every channel in report order.
var Channels = []string{ChannelOnline, ChannelCounter, ChannelAPI}

// MaxReportDays bounds a report's date range: a year and a bit.
const MaxReportDays = 400

// A report date is a calendar day, held as midnight UTC of that day.

// DateOf returns the calendar day y-m-d as a report date.
func DateOf(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// BusinessDay returns the business day a moment belongs to in a theatre's
// zone: the local calendar day, less BusinessDayEnds (a 01:00 show belongs
// to the day before when the business day ends at 06:00).
func (r ReportRules) BusinessDay(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	// Subtract on the wall clock, not on the instant: across a change of
	// clocks "06:00" is still 06:00 local.
	y, m, d := l.Date()
	wall := time.Date(y, m, d, l.Hour(), l.Minute(), l.Second(), 0, time.UTC).Add(-r.BusinessDayEnds)
	y, m, d = wall.Date()
	return DateOf(y, m, d)
}

// FilmWeek returns the first day of the film week a business day is in.
func (r ReportRules) FilmWeek(day time.Time) time.Time {
	back := (int(day.Weekday()) - int(r.FilmWeekStarts) + 7) % 7
	return day.AddDate(0, 0, -back)
}

// Check validates the rules: the business day ends within a day of midnight.
func (r ReportRules) Check() error {
	if r.BusinessDayEnds < 0 || r.BusinessDayEnds >= 24*time.Hour {
		return Invalid("business_day_ends", "The business day must end between 00:00 and 23:59.")
	}
	if r.FilmWeekStarts < time.Sunday || r.FilmWeekStarts > time.Saturday {
		return Invalid("film_week_starts", "The film week must start on a day of the week.")
	}
	return nil
}

// DateRange is an inclusive range of business days.
type DateRange struct {
	From, To time.Time
}

// Days is the number of days in the range.
func (d DateRange) Days() int { return int(d.To.Sub(d.From).Hours()/24) + 1 }

// CheckRange validates a report's date range: From not after To, at most
// MaxReportDays days.
func CheckRange(from, to time.Time) (DateRange, error) {
	if to.Before(from) {
		return DateRange{}, Invalid("to", "The end date is before the start date.")
	}
	r := DateRange{From: from, To: to}
	if r.Days() > MaxReportDays {
		return DateRange{}, Invalid("to", "A report covers at most %d days.", MaxReportDays)
	}
	return r, nil
}

// SalesFigures are the sums a sales report row is made of, straight from the
// summary of orders, items and refunds (db: report_sales).
type SalesFigures struct {
	Sold          int64 // tickets sold (paid), refunded later or not
	SoldCents     int64 // what they were sold for, tax included
	SoldTaxCents  int64
	Refunded      int64 // of those, cancelled and refunded
	RefundedCents int64
	RefundedTax   int64
	Admitted      int64 // checked in at the door
	Orders        int64 // paid orders
	FeeCents      int64 // booking fees charged
	RefundCents   int64 // money given back (the refund ledger)
	RefundFee     int64 // of which booking fees
	ChargeCents   int64 // cancellation charges kept
	Capacity      int64 // seats of the (not cancelled) shows
	Shows         int64 // shows (not cancelled)
}

// Add sums two rows.
func (f SalesFigures) Add(o SalesFigures) SalesFigures {
	return SalesFigures{
		Sold: f.Sold + o.Sold, SoldCents: f.SoldCents + o.SoldCents, SoldTaxCents: f.SoldTaxCents + o.SoldTaxCents,
		Refunded: f.Refunded + o.Refunded, RefundedCents: f.RefundedCents + o.RefundedCents, RefundedTax: f.RefundedTax + o.RefundedTax,
		Admitted: f.Admitted + o.Admitted, Orders: f.Orders + o.Orders, FeeCents: f.FeeCents + o.FeeCents,
		RefundCents: f.RefundCents + o.RefundCents, RefundFee: f.RefundFee + o.RefundFee, ChargeCents: f.ChargeCents + o.ChargeCents,
		Capacity: f.Capacity + o.Capacity, Shows: f.Shows + o.Shows,
	}
}

// Admissions are the tickets that count: sold and not refunded.
func (f SalesFigures) Admissions() int64 { return f.Sold - f.Refunded }

// Gross is the box office: what the admissions were sold for, tax included.
func (f SalesFigures) Gross() int64 { return f.SoldCents - f.RefundedCents }

// Tax is the tax in the gross.
func (f SalesFigures) Tax() int64 { return f.SoldTaxCents - f.RefundedTax }

// Net is the box office after tax (what film hire is a share of).
func (f SalesFigures) Net() int64 { return f.Gross() - f.Tax() }

// Fees are the booking fees kept: charged less refunded.
func (f SalesFigures) Fees() int64 { return f.FeeCents - f.RefundFee }

// Takings is the money kept: box office, booking fees and cancellation
// charges. Over paid orders it equals Σ(total − refunded) when every
// refund has settled.
func (f SalesFigures) Takings() int64 { return f.Gross() + f.Fees() + f.ChargeCents }

// AvgTicket is the average ticket price (gross per admission), rounded half
// up to the cent; 0 without admissions.
func (f SalesFigures) AvgTicket() int64 {
	n := f.Admissions()
	if n <= 0 {
		return 0
	}
	return divRound(f.Gross(), n)
}

// OccupancyPermille is admissions per thousand seats of capacity, rounded
// half up; -1 when the row has no capacity (a ticket type, a channel).
func (f SalesFigures) OccupancyPermille() int64 {
	if f.Capacity <= 0 {
		return -1
	}
	return divRound(f.Admissions()*1000, f.Capacity)
}

// divRound divides rounding half away from zero.
func divRound(a, b int64) int64 {
	if b == 0 {
		return 0
	}
	neg := (a < 0) != (b < 0)
	if a < 0 {
		a = -a
	}
	if b < 0 {
		b = -b
	}
	q := (2*a + b) / (2 * b)
	if neg {
		return -q
	}
	return q
}

// TenderFigures are the money of one tender (payments.provider).
type TenderFigures struct {
	Payments      int64
	TakenCents    int64
	RefundedCents int64
}

// Net is what the tender kept.
func (t TenderFigures) Net() int64 { return t.TakenCents - t.RefundedCents }

// HireTerms are a film's agreed hire for a week at a theatre: a percentage
// of the net box office (basis points) with an optional minimum guarantee.
type HireTerms struct {
	Set          bool // terms were entered (else the hire is unknown: 0, flagged)
	RateBP       int
	MinimumCents int64
	// From is the film week the terms were entered for (an earlier week's
	// terms carry on until new ones are entered).
	From time.Time
}

// CheckTerms validates terms as a manager enters them.
func CheckTerms(rateBP int, minimumCents int64) error {
	if rateBP < 0 || rateBP > 10000 {
		return Invalid("rate", "The film hire rate is a percentage between 0 and 100.")
	}
	if minimumCents < 0 {
		return Invalid("minimum", "The minimum guarantee can't be negative.")
	}
	return nil
}

// FilmHire is what the distributor is owed for a week's net box office: the
// rate of it, rounded half up to the cent, and at least the minimum
// guarantee. Without terms it is 0.
func FilmHire(netCents int64, t HireTerms) int64 {
	if !t.Set {
		return 0
	}
	h := divRound(netCents*int64(t.RateBP), 10000)
	if h < t.MinimumCents {
		return t.MinimumCents
	}
	return h
}

// ReturnLine is one ticket type of one film in a distributor return.
type ReturnLine struct {
	TicketType string
	Admissions int64
	GrossCents int64
	TaxCents   int64
}

// Net is the line's box office after tax.
func (l ReturnLine) Net() int64 { return l.GrossCents - l.TaxCents }

// ReturnFilm is one film's part of a distributor return: its own film week
// (Adjustment false), or the change to an earlier, closed week's figures
// since that week's return (refunds after closing).
type ReturnFilm struct {
	MovieID    int64
	Title      string
	ForWeek    time.Time // the film week the figures are of
	Adjustment bool
	Lines      []ReturnLine // by ticket type
	Terms      HireTerms
	HireCents  int64
}

// Totals sums the film's lines.
func (f ReturnFilm) Totals() ReturnLine {
	var t ReturnLine
	for _, l := range f.Lines {
		t.Admissions += l.Admissions
		t.GrossCents += l.GrossCents
		t.TaxCents += l.TaxCents
	}
	return t
}

// FilmReturn is a film's own week in a return: its lines and the hire at its terms.
func FilmReturn(movieID int64, title string, week time.Time, lines []ReturnLine, t HireTerms) ReturnFilm {
	f := ReturnFilm{MovieID: movieID, Title: title, ForWeek: week, Lines: sortLines(lines), Terms: t}
	f.HireCents = FilmHire(f.Totals().Net(), t)
	return f
}

// Adjustment is the change to a closed week of a film since it was
// returned: the live figures less everything already reported for that week
// (its own return and earlier adjustments), and the hire on the live net at
// that week's terms less the hire already reported. ok is false when
// nothing changed.
func Adjustment(movieID int64, title string, week time.Time, live, reported []ReturnLine, reportedHire int64, t HireTerms) (ReturnFilm, bool) {
	byType := map[string]ReturnLine{}
	var liveNet int64
	for _, l := range live {
		x := byType[l.TicketType]
		x.TicketType = l.TicketType
		x.Admissions += l.Admissions
		x.GrossCents += l.GrossCents
		x.TaxCents += l.TaxCents
		byType[l.TicketType] = x
		liveNet += l.Net()
	}
	for _, l := range reported {
		x := byType[l.TicketType]
		x.TicketType = l.TicketType
		x.Admissions -= l.Admissions
		x.GrossCents -= l.GrossCents
		x.TaxCents -= l.TaxCents
		byType[l.TicketType] = x
	}
	var lines []ReturnLine
	for _, l := range byType {
		if l.Admissions != 0 || l.GrossCents != 0 || l.TaxCents != 0 {
			lines = append(lines, l)
		}
	}
	hire := FilmHire(liveNet, t) - reportedHire
	if len(lines) == 0 && hire == 0 {
		return ReturnFilm{}, false
	}
	return ReturnFilm{MovieID: movieID, Title: title, ForWeek: week, Adjustment: true, Lines: sortLines(lines), Terms: t, HireCents: hire}, true
}

// ticketOrder sorts ticket types the usual way round; others follow by name.
var ticketOrder = map[string]int{"adult": 0, "child": 1, "senior": 2, "student": 3}

func sortLines(ls []ReturnLine) []ReturnLine {
	ls = slices.Clone(ls)
	slices.SortFunc(ls, func(a, b ReturnLine) int {
		ra, oka := ticketOrder[a.TicketType]
		rb, okb := ticketOrder[b.TicketType]
		switch {
		case oka && okb && ra != rb:
			return ra - rb
		case oka && !okb:
			return -1
		case !oka && okb:
			return 1
		}
		if a.TicketType < b.TicketType {
			return -1
		}
		if a.TicketType > b.TicketType {
			return 1
		}
		return 0
	})
	return ls
}

// Return is a theatre's distributor return for one film week.
type Return struct {
	TheatreID   int64
	Theatre     string
	Week        time.Time // first day of the film week
	Closed      bool
	ClosedAt    *time.Time
	Films       []ReturnFilm // the week's own films, by title
	Adjustments []ReturnFilm // changes to earlier closed weeks, by week then title
}

// OwedCents is the film hire owed on the return: the week's and the adjustments'.
func (r Return) OwedCents() int64 {
	var n int64
	for _, f := range r.Films {
		n += f.HireCents
	}
	for _, f := range r.Adjustments {
		n += f.HireCents
	}
	return n
}

// SortFilms orders a return's films by title and its adjustments by week, then title.
func (r *Return) SortFilms() {
	slices.SortFunc(r.Films, func(a, b ReturnFilm) int { return cmpFilm(a, b) })
	slices.SortFunc(r.Adjustments, func(a, b ReturnFilm) int {
		if c := a.ForWeek.Compare(b.ForWeek); c != 0 {
			return c
		}
		return cmpFilm(a, b)
	})
}

func cmpFilm(a, b ReturnFilm) int {
	switch {
	case a.Title < b.Title:
		return -1
	case a.Title > b.Title:
		return 1
	case a.MovieID < b.MovieID:
		return -1
	case a.MovieID > b.MovieID:
		return 1
	}
	return 0
}

// ParseHireRate reads a film hire rate typed as a percentage ("35", "35.5",
// "35.25") as basis points (3500, 3550, 3525).
func ParseHireRate(s string) (int, error) {
	bp, err := ParseCents("rate", strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if err != nil || bp > 10000 {
		return 0, Invalid("rate", "Type the film hire rate as a percentage between 0 and 100, like 35 or 42.5.")
	}
	return int(bp), nil
}

// FormatRate writes basis points as a percentage with two decimals ("35.00").
func FormatRate(bp int) string { return fmt.Sprintf("%d.%02d", bp/100, bp%100) }

// CheckCloseWeek says whether a film week may be closed at now: week must
// be the first day of a film week, and the week must be over (its last
// business day ended) in the theatre's zone.
func (r ReportRules) CheckCloseWeek(week, now time.Time, loc *time.Location) error {
	if !r.FilmWeek(week).Equal(week) {
		return Invalid("week", "That is not the first day of a film week.")
	}
	if r.BusinessDay(now, loc).Before(week.AddDate(0, 0, 7)) {
		return Invalid("week", "This film week isn't over yet: close it once its last business day has ended.")
	}
	return nil
}
