package handlers

import (
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/db"
	"marquee/views"
)

// Reports (/manage/reports, managers and admins): sales and occupancy by
// business day, movie, theatre, auditorium, showtime, ticket type, channel
// and tender; distributor returns per film week with film hire; the film
// hire terms managers enter. Each report is a table, an SVG chart, a CSV
// export and a printable view, scoped to the user's theatres.

// reportRules are the rules reports count by (business day, film week).
// The one accessor: the settings make them editable.
func (h *Handler) reportRules() booking.ReportRules { return h.settings.Reports() }

// reportTheatres returns the theatres of the user's scope, by name.
func (h *Handler) reportTheatres(c *fiber.Ctx) (booking.Scope, []booking.Theatre, error) {
	s, err := h.scope(c)
	if err != nil {
		return s, nil, err
	}
	all, err := h.db.Theatres(c.UserContext())
	if err != nil {
		return s, nil, err
	}
	mine := all[:0:0]
	for _, t := range all {
		if s.Allows(t.ID) {
			mine = append(mine, t)
		}
	}
	return s, mine, nil
}

// queryTheatre reads ?theatre=: 0 when absent; 400 when malformed; 403 for
// a theatre outside the scope; 404 for none.
func (h *Handler) queryTheatre(c *fiber.Ctx, theatres []booking.Theatre, name string) (int64, error) {
	raw := strings.TrimSpace(c.Query(name))
	if raw == "" || raw == "0" {
		return 0, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 0 {
		return 0, BadQuery(name, "Choose a theatre from the list.")
	}
	if err := h.requireTheatre(c, id); err != nil {
		return 0, err
	}
	if !slices.ContainsFunc(theatres, func(t booking.Theatre) bool { return t.ID == id }) {
		return 0, booking.Errorf(booking.ENOTFOUND, "There is no such theatre.")
	}
	return id, nil
}

func parseDay(c *fiber.Ctx, name string) (time.Time, bool, error) {
	raw := strings.TrimSpace(c.Query(name))
	if raw == "" {
		return time.Time{}, false, nil
	}
	d, err := time.Parse(booking.DateLayout, raw)
	if err != nil {
		return time.Time{}, false, BadQuery(name, "Write dates as YYYY-MM-DD.")
	}
	return d, true, nil
}

func theatreOf(ts []booking.Theatre, id int64) booking.Theatre {
	for _, t := range ts {
		if t.ID == id {
			return t
		}
	}
	if len(ts) > 0 {
		return ts[0]
	}
	return booking.Theatre{Name: "No theatre", TimeZone: "UTC"}
}

// salesQuery reads a sales report's question from the query string.
// Defaults: yesterday's business day (in the zone of the theatre chosen,
// else the first of the user's), by day.
func (h *Handler) salesQuery(c *fiber.Ctx) (db.SalesQuery, views.ReportFilter, error) {
	scope, theatres, err := h.reportTheatres(c)
	if err != nil {
		return db.SalesQuery{}, views.ReportFilter{}, err
	}
	theatreID, err := h.queryTheatre(c, theatres, "theatre")
	if err != nil {
		return db.SalesQuery{}, views.ReportFilter{}, err
	}
	rules := h.reportRules()
	today := rules.BusinessDay(h.clock.Now(), theatreOf(theatres, theatreID).Location())
	from, okFrom, err := parseDay(c, "from")
	if err != nil {
		return db.SalesQuery{}, views.ReportFilter{}, err
	}
	to, okTo, err := parseDay(c, "to")
	if err != nil {
		return db.SalesQuery{}, views.ReportFilter{}, err
	}
	switch {
	case !okFrom && !okTo:
		from, to = today.AddDate(0, 0, -1), today.AddDate(0, 0, -1)
	case !okFrom:
		from = to
	case !okTo:
		to = from
	}
	by := strings.TrimSpace(c.Query("by", db.ByDay))
	if !slices.Contains(db.ReportDimensions, by) {
		return db.SalesQuery{}, views.ReportFilter{}, BadQuery("by", "Choose what to break the report down by.")
	}
	rng, err := booking.CheckRange(from, to)
	if err != nil {
		return db.SalesQuery{}, views.ReportFilter{}, err
	}
	f := views.ReportFilter{Theatres: theatres, TheatreID: theatreID, From: from.Format(booking.DateLayout), To: to.Format(booking.DateLayout), By: by}
	f.Ranges = quickRanges(f, today, rules)
	return db.SalesQuery{Scope: scope, TheatreID: theatreID, Range: rng, Rules: rules, By: by}, f, nil
}

// quickRanges are the usual questions, one click each.
func quickRanges(f views.ReportFilter, today time.Time, rules booking.ReportRules) []views.ReportOption {
	week := rules.FilmWeek(today)
	month := booking.DateOf(today.Year(), today.Month(), 1)
	ranges := []struct {
		label    string
		from, to time.Time
	}{
		{"Yesterday", today.AddDate(0, 0, -1), today.AddDate(0, 0, -1)},
		{"Today so far", today, today},
		{"This film week", week, today},
		{"Last film week", week.AddDate(0, 0, -7), week.AddDate(0, 0, -1)},
		{"Last 30 days", today.AddDate(0, 0, -30), today.AddDate(0, 0, -1)},
		{"This month", month, today},
		{"Last 12 months", today.AddDate(-1, 0, 0), today.AddDate(0, 0, -1)},
	}
	out := make([]views.ReportOption, len(ranges))
	for i, r := range ranges {
		g := f
		g.From, g.To = r.from.Format(booking.DateLayout), r.to.Format(booking.DateLayout)
		out[i] = views.ReportOption{Value: g.Query(), Label: r.label}
	}
	return out
}

// salesView answers the query as the page shows it.
func (h *Handler) salesView(c *fiber.Ctx, q db.SalesQuery, f views.ReportFilter) (views.SalesReportView, error) {
	v := views.SalesReportView{Filter: f}
	ctx := c.UserContext()
	if q.By == db.ByTender {
		rows, err := h.db.TenderReport(ctx, q)
		if err != nil {
			return v, err
		}
		var labels []string
		var values []int64
		for _, r := range rows {
			if r.Total {
				v.Tender = views.TenderRow{Label: "Total", TenderFigures: r.TenderFigures}
				continue
			}
			v.Tenders = append(v.Tenders, views.TenderRow{Label: views.TenderLabel(r.Provider), TenderFigures: r.TenderFigures})
			labels, values = append(labels, views.TenderLabel(r.Provider)), append(values, r.Net())
		}
		v.Chart = views.NewBarChart("Money kept by tender", labels, values, views.Money, false)
		return v, nil
	}
	rows, err := h.db.SalesReport(ctx, q)
	if err != nil {
		return v, err
	}
	var labels []string
	var values []int64
	for _, r := range rows {
		label := r.Label
		switch q.By {
		case db.ByDay:
			label = views.DayLabel(r.Key)
		case db.ByChannel:
			label = views.ChannelLabel(r.Key)
		}
		row := views.SalesRow{Key: r.Key, Label: label, Cancelled: r.Cancelled, SalesFigures: r.SalesFigures}
		if r.Total {
			v.Total = row
			continue
		}
		v.Rows = append(v.Rows, row)
		if q.By == db.ByDay {
			label = views.ShortDay(r.Key)
		}
		labels, values = append(labels, label), append(values, r.Takings())
	}
	v.ShowOccupancy = q.By != db.ByTicketType && q.By != db.ByChannel
	if len(values) <= 60 || q.By == db.ByDay {
		v.Chart = views.NewBarChart("Takings by "+strings.ToLower(views.DimensionLabel(q.By)), labels, values, views.Money, q.By == db.ByDay)
	}
	return v, nil
}

func (h *Handler) salesReport(c *fiber.Ctx) error {
	return h.renderSales(c, false)
}

func (h *Handler) salesReportPrint(c *fiber.Ctx) error {
	return h.renderSales(c, true)
}

func (h *Handler) renderSales(c *fiber.Ctx, print bool) error {
	q, f, err := h.salesQuery(c)
	if err != nil {
		return err
	}
	v, err := h.salesView(c, q, f)
	if err != nil {
		return err
	}
	v.Print = print
	return render(c, fiber.StatusOK, views.SalesReportPage(h.pageMeta(c, "Sales report", "manage"), v))
}

// SalesCSVHeader is the sales report's CSV header, in its stable order (the
// third column is named after the dimension).
var SalesCSVHeader = []string{"from", "to", "theatre", "dimension", "label", "shows", "capacity", "tickets_sold", "tickets_refunded",
	"admissions", "admitted", "occupancy_percent", "gross_cents", "tax_cents", "net_cents", "average_ticket_cents",
	"booking_fees_cents", "refunds_cents", "charges_kept_cents", "takings_cents"}

// TenderCSVHeader is the tender report's CSV header.
var TenderCSVHeader = []string{"from", "to", "theatre", "tender", "payments", "taken_cents", "refunded_cents", "kept_cents"}

func (h *Handler) salesReportCSV(c *fiber.Ctx) error {
	q, f, err := h.salesQuery(c)
	if err != nil {
		return err
	}
	v, err := h.salesView(c, q, f)
	if err != nil {
		return err
	}
	var recs [][]string
	theatre := f.TheatreName()
	if q.By == db.ByTender {
		recs = append(recs, TenderCSVHeader)
		for _, r := range append(v.Tenders, v.Tender) {
			recs = append(recs, []string{f.From, f.To, theatre, r.Label, i64s(r.Payments), i64s(r.TakenCents), i64s(r.RefundedCents), i64s(r.Net())})
		}
	} else {
		recs = append(recs, SalesCSVHeader)
		rows := append(append([]views.SalesRow{}, v.Rows...), v.Total)
		for i, r := range rows {
			label, dim := r.Label, q.By
			switch {
			case i == len(rows)-1:
				label, dim = "Total", "total"
			case q.By == db.ByDay || q.By == db.ByChannel || q.By == db.ByTicketType:
				label = r.Key // ISO date, channel and ticket type codes
			}
			occ := ""
			if p := r.OccupancyPermille(); p >= 0 {
				occ = fmt.Sprintf("%d.%d", p/10, p%10)
			}
			recs = append(recs, []string{f.From, f.To, theatre, dim, label, i64s(r.Shows), i64s(r.Capacity), i64s(r.Sold), i64s(r.Refunded),
				i64s(r.Admissions()), i64s(r.Admitted), occ, i64s(r.Gross()), i64s(r.Tax()), i64s(r.Net()), i64s(r.AvgTicket()),
				i64s(r.Fees()), i64s(r.RefundCents), i64s(r.ChargeCents), i64s(r.Takings())})
		}
	}
	return sendCSV(c, fmt.Sprintf("sales-%s-%s-%s.csv", q.By, f.From, f.To), recs)
}

func i64s(n int64) string { return strconv.FormatInt(n, 10) }

// sendCSV writes records as a CSV download.
func sendCSV(c *fiber.Ctx, filename string, recs [][]string) error {
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	w := csv.NewWriter(c.Response().BodyWriter())
	if err := w.WriteAll(recs); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// --- distributor returns ---

// weekQuery reads ?theatre= (default: the user's first theatre) and ?week=
// (any day of the film week; default the last full film week).
func (h *Handler) weekQuery(c *fiber.Ctx) (booking.Theatre, []booking.Theatre, time.Time, error) {
	_, theatres, err := h.reportTheatres(c)
	if err != nil {
		return booking.Theatre{}, nil, time.Time{}, err
	}
	if len(theatres) == 0 {
		return booking.Theatre{}, nil, time.Time{}, booking.ErrOtherTheatre
	}
	id, err := h.queryTheatre(c, theatres, "theatre")
	if err != nil {
		return booking.Theatre{}, nil, time.Time{}, err
	}
	t := theatreOf(theatres, id)
	rules := h.reportRules()
	day, ok, err := parseDay(c, "week")
	if err != nil {
		return booking.Theatre{}, nil, time.Time{}, err
	}
	if !ok {
		day = rules.BusinessDay(h.clock.Now(), t.Location()).AddDate(0, 0, -7)
	}
	return t, theatres, rules.FilmWeek(day), nil
}

func (h *Handler) returnView(c *fiber.Ctx) (views.ReturnView, error) {
	t, theatres, week, err := h.weekQuery(c)
	if err != nil {
		return views.ReturnView{}, err
	}
	ctx := c.UserContext()
	rules := h.reportRules()
	ret, err := h.db.DistributorReturn(ctx, t, week, rules)
	if err != nil {
		return views.ReturnView{}, err
	}
	closed, err := h.db.ClosedWeeks(ctx, t.ID, 12)
	if err != nil {
		return views.ReturnView{}, err
	}
	v := views.ReturnView{Theatres: theatres, TheatreID: t.ID, Return: ret,
		Week: week.Format(booking.DateLayout), WeekEnd: week.AddDate(0, 0, 6).Format(booking.DateLayout),
		PrevWeek: week.AddDate(0, 0, -7).Format(booking.DateLayout), NextWeek: week.AddDate(0, 0, 7).Format(booking.DateLayout)}
	for _, w := range closed {
		v.Closed = append(v.Closed, views.ClosedWeekRow{Week: w.Week.Format(booking.DateLayout), ClosedAt: w.ClosedAt.UTC().Format("2006-01-02 15:04 UTC"), ClosedBy: w.ClosedBy})
	}
	if !ret.Closed {
		if err := rules.CheckCloseWeek(week, h.clock.Now(), t.Location()); err != nil {
			v.CloseNote = booking.ErrorMessage(err)
		} else {
			v.CanClose = true
		}
	}
	var labels []string
	var values []int64
	for _, f := range ret.Films {
		labels, values = append(labels, f.Title), append(values, f.Totals().Net())
	}
	v.Chart = views.NewBarChart("Net box office by film", labels, values, views.Money, false)
	return v, nil
}

func (h *Handler) returnPage(c *fiber.Ctx) error {
	v, err := h.returnView(c)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.ReturnPage(h.pageMeta(c, "Distributor return", "manage"), v))
}

func (h *Handler) returnPrint(c *fiber.Ctx) error {
	v, err := h.returnView(c)
	if err != nil {
		return err
	}
	v.Print = true
	return render(c, fiber.StatusOK, views.ReturnPage(h.pageMeta(c, "Distributor return", "manage"), v))
}

// ReturnCSVHeader is the distributor return's CSV header, in its stable
// order. line is "ticket" (one ticket type of a film), "film" (the film's
// totals and hire) or "owed" (the return's total film hire).
var ReturnCSVHeader = []string{"theatre", "film_week", "status", "line", "film", "for_week", "adjustment", "ticket_type",
	"admissions", "gross_cents", "tax_cents", "net_cents", "rate_percent", "minimum_guarantee_cents", "film_hire_cents"}

func (h *Handler) returnCSV(c *fiber.Ctx) error {
	v, err := h.returnView(c)
	if err != nil {
		return err
	}
	r := v.Return
	status := "open"
	if r.Closed {
		status = "closed"
	}
	recs := [][]string{ReturnCSVHeader}
	for _, f := range append(append([]booking.ReturnFilm{}, r.Films...), r.Adjustments...) {
		adj := "no"
		if f.Adjustment {
			adj = "yes"
		}
		fw := f.ForWeek.Format(booking.DateLayout)
		for _, l := range f.Lines {
			recs = append(recs, []string{r.Theatre, v.Week, status, "ticket", f.Title, fw, adj, l.TicketType,
				i64s(l.Admissions), i64s(l.GrossCents), i64s(l.TaxCents), i64s(l.Net()), "", "", ""})
		}
		t := f.Totals()
		rate, min := "", ""
		if f.Terms.Set {
			rate, min = booking.FormatRate(f.Terms.RateBP), i64s(f.Terms.MinimumCents)
		}
		recs = append(recs, []string{r.Theatre, v.Week, status, "film", f.Title, fw, adj, "",
			i64s(t.Admissions), i64s(t.GrossCents), i64s(t.TaxCents), i64s(t.Net()), rate, min, i64s(f.HireCents)})
	}
	recs = append(recs, []string{r.Theatre, v.Week, status, "owed", "", "", "", "", "", "", "", "", "", "", i64s(r.OwedCents())})
	return sendCSV(c, fmt.Sprintf("distributor-return-%s-%s.csv", v.Return.Theatre, v.Week), recs)
}

// formTheatreWeek reads theatre and week from a posted form: 422 when
// malformed (a form, not a link), 403 for another theatre.
func (h *Handler) formTheatreWeek(c *fiber.Ctx) (booking.Theatre, time.Time, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(c.FormValue("theatre")), 10, 64)
	if err != nil {
		return booking.Theatre{}, time.Time{}, booking.Invalid("theatre", "Choose a theatre.")
	}
	if err := h.requireTheatre(c, id); err != nil {
		return booking.Theatre{}, time.Time{}, err
	}
	t, err := h.db.TheatreByID(c.UserContext(), id)
	if err != nil {
		return booking.Theatre{}, time.Time{}, err
	}
	week, err := time.Parse(booking.DateLayout, strings.TrimSpace(c.FormValue("week")))
	if err != nil {
		return booking.Theatre{}, time.Time{}, booking.Invalid("week", "Write the film week as YYYY-MM-DD.")
	}
	return t, week, nil
}

func (h *Handler) closeWeek(c *fiber.Ctx) error {
	t, week, err := h.formTheatreWeek(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		return booking.Invalid("confirm", "Tick the box to confirm closing the week.")
	}
	rules := h.reportRules()
	now := h.clock.Now()
	if err := rules.CheckCloseWeek(week, now, t.Location()); err != nil {
		return err
	}
	ret, err := h.db.CloseWeek(c.UserContext(), t, week, rules, h.currentUser(c).ID, now)
	if err != nil {
		return err
	}
	wk := week.Format(booking.DateLayout)
	h.audit(c, "report.week_closed", t.Name+" film week "+wk, map[string]any{
		"before": map[string]any{"closed": false},
		"after":  map[string]any{"closed": true, "theatre_id": t.ID, "week": wk, "owed_cents": ret.OwedCents(), "films": len(ret.Films), "adjustments": len(ret.Adjustments)},
	})
	h.sessionOf(c).SetFlash("The film week of " + views.DayLabel(wk) + " is closed; its return is frozen.")
	return c.Redirect("/manage/reports/returns?theatre="+i64s(t.ID)+"&week="+wk, fiber.StatusSeeOther)
}

// --- film hire terms ---

func (h *Handler) termsView(c *fiber.Ctx, t booking.Theatre, theatres []booking.Theatre, week time.Time) (views.TermsView, error) {
	ctx := c.UserContext()
	films, err := h.db.WeekFilms(ctx, t.ID, week, h.reportRules())
	if err != nil {
		return views.TermsView{}, err
	}
	closed, err := h.db.IsWeekClosed(ctx, t.ID, week)
	if err != nil {
		return views.TermsView{}, err
	}
	v := views.TermsView{Theatres: theatres, TheatreID: t.ID, Week: week.Format(booking.DateLayout), Closed: closed,
		PrevWeek: week.AddDate(0, 0, -7).Format(booking.DateLayout), NextWeek: week.AddDate(0, 0, 7).Format(booking.DateLayout)}
	for _, f := range films {
		row := views.TermsRow{MovieID: f.MovieID, Title: f.Title, Set: f.Terms.Set}
		if f.Terms.Set {
			row.Rate = booking.FormatRate(f.Terms.RateBP)
			row.Minimum = fmt.Sprintf("%d.%02d", f.Terms.MinimumCents/100, f.Terms.MinimumCents%100)
			if !f.Terms.From.Equal(week) {
				row.Inherited = f.Terms.From.Format(booking.DateLayout)
			}
		}
		v.Films = append(v.Films, row)
	}
	return v, nil
}

func (h *Handler) termsPage(c *fiber.Ctx) error {
	t, theatres, week, err := h.weekQuery(c)
	if err != nil {
		return err
	}
	if strings.TrimSpace(c.Query("week")) == "" { // terms are entered ahead: default this film week
		week = h.reportRules().FilmWeek(h.reportRules().BusinessDay(h.clock.Now(), t.Location()))
	}
	v, err := h.termsView(c, t, theatres, week)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.TermsPage(h.pageMeta(c, "Film hire terms", "manage"), v))
}

func (h *Handler) saveTerms(c *fiber.Ctx) error {
	t, week, err := h.formTheatreWeek(c)
	if err != nil {
		return err
	}
	week = h.reportRules().FilmWeek(week)
	movieID, err := strconv.ParseInt(strings.TrimSpace(c.FormValue("movie")), 10, 64)
	if err != nil {
		return booking.Invalid("movie", "Choose a film.")
	}
	ctx := c.UserContext()
	movie, err := h.db.MovieByID(ctx, movieID)
	if err != nil {
		return err
	}
	rate, err := booking.ParseHireRate(c.FormValue("rate"))
	var min int64
	if err == nil {
		if m := strings.TrimSpace(c.FormValue("minimum")); m != "" {
			min, err = booking.ParseCents("minimum", m)
		}
	}
	if err == nil {
		err = booking.CheckTerms(rate, min)
	}
	if err != nil {
		errs, ok := formErrors(err, "")
		if !ok {
			return err
		}
		_, theatres, terr := h.reportTheatres(c)
		if terr != nil {
			return terr
		}
		v, verr := h.termsView(c, t, theatres, week)
		if verr != nil {
			return verr
		}
		v.Errors, v.Movie = errs, movieID
		return render(c, fiber.StatusUnprocessableEntity, views.TermsPage(h.pageMeta(c, "Film hire terms", "manage"), v))
	}
	before, err := h.db.SetFilmTerms(ctx, movieID, t.ID, week, rate, min, h.currentUser(c).ID, h.clock.Now())
	if err != nil {
		return err
	}
	wk := week.Format(booking.DateLayout)
	var was any
	if before.Set {
		was = map[string]any{"rate_bp": before.RateBP, "minimum_cents": before.MinimumCents}
	}
	h.audit(c, "report.terms_set", movie.Title+" at "+t.Name+", film week "+wk, map[string]any{
		"before": was, "after": map[string]any{"rate_bp": rate, "minimum_cents": min},
		"movie_id": movieID, "theatre_id": t.ID, "week": wk,
	})
	h.sessionOf(c).SetFlash("Saved the terms of " + movie.Title + ".")
	return c.Redirect("/manage/reports/terms?theatre="+i64s(t.ID)+"&week="+wk, fiber.StatusSeeOther)
}
