package views

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	"marquee/booking"
)

// The reports pages' view models (reports.templ).

// ReportOption is one choice of a select.
type ReportOption struct {
	Value, Label string
}

// ReportDimensions are the sales report's breakdowns, in menu order (the
// values are db.ReportDimensions).
var ReportDimensions = []ReportOption{
	{"day", "Business day"}, {"movie", "Movie"}, {"theatre", "Theatre"}, {"auditorium", "Auditorium"},
	{"showtime", "Showtime"}, {"type", "Ticket type"}, {"channel", "Channel"}, {"tender", "Tender"},
}

// DimensionLabel names a dimension.
func DimensionLabel(by string) string {
	for _, d := range ReportDimensions {
		if d.Value == by {
			return d.Label
		}
	}
	return by
}

// ReportFilter is the question a report page answers, as its form shows it.
type ReportFilter struct {
	Theatres  []booking.Theatre // the user's theatres
	TheatreID int64             // 0: all of them
	From, To  string            // ISO dates
	By        string
	// Ranges are the quick ranges (yesterday, last 7 days…) as links.
	Ranges []ReportOption
}

// Query is the filter as URL query parameters (for CSV and print links).
func (f ReportFilter) Query() string {
	v := url.Values{}
	if f.TheatreID != 0 {
		v.Set("theatre", strconv.FormatInt(f.TheatreID, 10))
	}
	v.Set("from", f.From)
	v.Set("to", f.To)
	v.Set("by", f.By)
	return v.Encode()
}

// TheatreName is the name of the filter's theatre ("All theatres" for 0).
func (f ReportFilter) TheatreName() string {
	for _, t := range f.Theatres {
		if t.ID == f.TheatreID {
			return t.Name
		}
	}
	if len(f.Theatres) == 1 {
		return f.Theatres[0].Name
	}
	return "All your theatres"
}

// SalesRow is one row of the sales report.
type SalesRow struct {
	Key       string // the dimension's key: ISO day, ticket type or channel code…
	Label     string
	Cancelled bool
	booking.SalesFigures
}

// TenderRow is one row of the tender report.
type TenderRow struct {
	Label string
	booking.TenderFigures
}

// SalesReportView is the sales report page.
type SalesReportView struct {
	Filter  ReportFilter
	Rows    []SalesRow
	Total   SalesRow
	Tenders []TenderRow // By tender
	Tender  TenderRow   // their total
	Chart   BarChart
	Print   bool
	// ShowOccupancy: the rows are whole shows (day, movie, theatre, auditorium, showtime).
	ShowOccupancy bool
}

// Occupancy formats per-mille occupancy as a percentage ("23.3 %"), "—" without capacity.
func Occupancy(permille int64) string {
	if permille < 0 {
		return "—"
	}
	return fmt.Sprintf("%d.%d %%", permille/10, permille%10)
}

// ChannelLabel names a sales channel.
func ChannelLabel(ch string) string {
	switch ch {
	case booking.ChannelOnline:
		return "Online"
	case booking.ChannelCounter:
		return "Box office"
	case booking.ChannelAPI:
		return "API"
	}
	return ch
}

// TenderLabel names a payment provider.
func TenderLabel(p string) string {
	switch p {
	case "stripe":
		return "Card online (Stripe)"
	case "demo":
		return "Demo payments"
	case "cash":
		return "Cash"
	case "card_present":
		return "Card at the till"
	}
	return p
}

// ReturnView is the distributor return page.
type ReturnView struct {
	Theatres  []booking.Theatre
	TheatreID int64
	Week      string // ISO date of the film week's first day
	WeekEnd   string // its last day
	PrevWeek  string
	NextWeek  string
	Return    booking.Return
	Closed    []ClosedWeekRow
	CanClose  bool   // the week is over and open
	CloseNote string // why it can't be closed yet
	Chart     BarChart
	Print     bool
}

// ClosedWeekRow is a closed film week in the list.
type ClosedWeekRow struct {
	Week, ClosedAt, ClosedBy string
}

// Query is the return's URL query (theatre and week).
func (v ReturnView) Query() string {
	return url.Values{"theatre": {strconv.FormatInt(v.TheatreID, 10)}, "week": {v.Week}}.Encode()
}

// TermsView is the film hire terms page of one theatre and week.
type TermsView struct {
	Theatres  []booking.Theatre
	TheatreID int64
	Week      string
	PrevWeek  string
	NextWeek  string
	Closed    bool
	Films     []TermsRow
	Errors    FormErrors
	Movie     int64 // the film the errors are about
}

// TermsRow is one film's terms on the terms page.
type TermsRow struct {
	MovieID   int64
	Title     string
	Set       bool
	Rate      string // percent, "35.00"
	Minimum   string // "10.00"
	Inherited string // the week the terms were entered for, when not this one
}

// Query is the terms page's URL query.
func (v TermsView) Query() string {
	return url.Values{"theatre": {strconv.FormatInt(v.TheatreID, 10)}, "week": {v.Week}}.Encode()
}

// DayLabel writes an ISO business day as "Fri 23 Oct 2026" (the ISO text if it isn't one).
func DayLabel(iso string) string {
	d, err := time.Parse(booking.DateLayout, iso)
	if err != nil {
		return iso
	}
	return d.Format("Mon 2 Jan 2006")
}

// BarChart is a server-rendered SVG bar chart: columns for a series of days,
// horizontal bars otherwise. Geometry is computed here, in whole pixels.
type BarChart struct {
	Title         string
	Width, Height int
	Columns       bool
	Bars          []Bar
	Axis          []Tick // value gridlines
	Max           string
}

// Bar is one bar with its label and value text.
type Bar struct {
	Label, Value string
	X, Y, W, H   int
	LabelX       int
	LabelY       int
}

// Tick is a value gridline.
type Tick struct {
	Pos   int
	Label string
}

// chart layout constants
const (
	chartWidth   = 760
	chartLeft    = 220 // room for bar labels
	chartBarH    = 22
	chartGap     = 6
	chartColsH   = 220
	chartBottom  = 40
	chartColLeft = 60
)

// NewBarChart lays out values (negative ones drawn as zero) as bars labelled
// labels, with text from format. columns draws a series (days) as columns.
func NewBarChart(title string, labels []string, values []int64, format func(int64) string, columns bool) BarChart {
	c := BarChart{Title: title, Width: chartWidth, Columns: columns}
	var max int64
	for _, v := range values {
		if v > max {
			max = v
		}
	}
	scale := func(v int64, span int) int {
		if v <= 0 || max == 0 {
			return 0
		}
		return int(v * int64(span) / max)
	}
	c.Max = format(max)
	if columns {
		c.Height = chartColsH + chartBottom
		span := chartWidth - chartColLeft - 10
		n := len(values)
		if n == 0 {
			return c
		}
		step := span / n
		w := step - step/5
		if w < 1 {
			w = 1
		}
		for i, v := range values {
			h := scale(v, chartColsH-20)
			x := chartColLeft + i*step
			c.Bars = append(c.Bars, Bar{Label: labels[i], Value: format(v), X: x, Y: chartColsH - h, W: w, H: h,
				LabelX: x + w/2, LabelY: chartColsH + 16})
		}
		for _, f := range []int64{0, 2, 4} {
			pos := chartColsH - scale(max*f/4, chartColsH-20)
			c.Axis = append(c.Axis, Tick{Pos: pos, Label: format(max * f / 4)})
		}
		return c
	}
	span := chartWidth - chartLeft - 90
	c.Height = len(values)*(chartBarH+chartGap) + chartGap
	for i, v := range values {
		y := chartGap + i*(chartBarH+chartGap)
		w := scale(v, span)
		c.Bars = append(c.Bars, Bar{Label: labels[i], Value: format(v), X: chartLeft, Y: y, W: w, H: chartBarH,
			LabelX: chartLeft - 8, LabelY: y + chartBarH/2 + 5})
	}
	return c
}

// ShowLabel says whether column i's label is drawn (at most ~16 labels fit).
func (c BarChart) ShowLabel(i int) bool {
	n := len(c.Bars)
	if !c.Columns || n <= 16 {
		return true
	}
	every := (n + 15) / 16
	return i%every == 0
}

// ViewBox is the SVG viewBox attribute.
func (c BarChart) ViewBox() string { return fmt.Sprintf("0 0 %d %d", c.Width, c.Height) }

// ShortDay writes an ISO day as "23 Oct" for chart columns.
func ShortDay(iso string) string {
	d, err := time.Parse(booking.DateLayout, iso)
	if err != nil {
		return iso
	}
	return d.Format("2 Jan")
}
