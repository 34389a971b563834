package handlers_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db/dbtest"
	"marquee/handlers"
)

// repEnv is an app with two theatres' trade in the film week of Friday
// 23 October 2026, a manager of the London theatre and an admin.
type repEnv struct {
	*accEnv
	london, ny     int64
	filmA, filmB   int64
	manager, admin *client
	o3             dbtest.Sale
}

func newRepEnv(t *testing.T) *repEnv {
	t.Helper()
	e := &repEnv{accEnv: newAccEnv(t)}
	e.clock.Set(time.Date(2026, 10, 31, 12, 0, 0, 0, time.UTC)) // Saturday after the week
	tr := dbtest.NewTrade(t, e.db)
	e.london = tr.Theatre("London Picturehouse", "Europe/London")
	e.ny = tr.Theatre("New York Picturehouse", "America/New_York")
	screen, nyScreen := tr.Screen(e.london, "Screen 1", 10), tr.Screen(e.ny, "Screen A", 20)
	e.filmA, e.filmB = tr.Movie("Alpha"), tr.Movie("Bravo")
	at := time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC)
	adult := dbtest.Ticket{Type: "adult", PriceCents: 1250, TaxCents: 208}
	s1 := tr.Show(e.filmA, screen, time.Date(2026, 10, 23, 18, 0, 0, 0, time.UTC))
	s2 := tr.Show(e.filmA, screen, time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)) // 01:00 BST: Saturday
	s3 := tr.Show(e.filmB, screen, time.Date(2026, 10, 25, 19, 0, 0, 0, time.UTC))
	tr.Sell(s1, booking.ChannelOnline, at, 200, []dbtest.Ticket{adult, adult}, dbtest.Tender{Provider: "stripe", AmountCents: 2700})
	tr.Sell(s2, booking.ChannelCounter, at, 0, []dbtest.Ticket{adult}, dbtest.Tender{Provider: "cash", AmountCents: 500}, dbtest.Tender{Provider: "card_present", AmountCents: 750})
	e.o3 = tr.Sell(s3, booking.ChannelOnline, at, 200, []dbtest.Ticket{{Type: "child", PriceCents: 900, TaxCents: 150}, {Type: "child", PriceCents: 900, TaxCents: 150}}, dbtest.Tender{Provider: "stripe", AmountCents: 2000})
	nyShow := tr.Show(e.filmA, nyScreen, time.Date(2026, 10, 24, 0, 30, 0, 0, time.UTC))
	tr.Sell(nyShow, booking.ChannelOnline, at, 100, []dbtest.Ticket{{Type: "adult", PriceCents: 1500}}, dbtest.Tender{Provider: "stripe", AmountCents: 1600})

	m := e.user("boss@example.com", "correct horse battery", booking.RoleManager, true)
	if _, err := e.db.SetStaffTheatres(context.Background(), m.ID, []int64{e.london}); err != nil {
		t.Fatal(err)
	}
	e.manager = e.client()
	if resp, _ := e.manager.login("boss@example.com", "correct horse battery", false); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	e.admin = e.signedIn("root@example.com", booking.RoleAdmin)
	return e
}

func (e *repEnv) week(path string, theatre int64) string {
	return path + "?theatre=" + fmtInt(theatre) + "&week=2026-10-23"
}

// raw GETs a path as the client and returns the response body as is (CSV).
func (cl *client) raw(path string) (*http.Response, string) {
	cl.e.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for _, c := range cl.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	return cl.e.do(req)
}

func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, body)
	}
	return recs
}

const weekRange = "from=2026-10-23&to=2026-10-29"

func TestReportsRefused(t *testing.T) {
	e := newRepEnv(t)
	resp, _ := e.client().get("/manage/reports")
	wantRedirect(t, resp, "/login")
	cust := e.signedIn("cust@example.com", booking.RoleCustomer)
	staff := e.signedIn("till@example.com", booking.RoleStaff)
	for _, cl := range []*client{cust, staff} {
		for _, p := range []string{"/manage/reports", "/manage/reports/sales.csv", "/manage/reports/print", "/manage/reports/returns",
			"/manage/reports/returns.csv", "/manage/reports/terms"} {
			resp, _ := cl.get(p)
			wantStatus(t, resp, http.StatusForbidden)
		}
	}
	staff.get("/account")
	resp, _ = staff.post("/manage/reports/returns/close", url.Values{"theatre": {fmtInt(e.london)}, "week": {"2026-10-23"}, "confirm": {"yes"}})
	wantStatus(t, resp, http.StatusForbidden)

	// The London manager and New York.
	for _, p := range []string{"/manage/reports?theatre=" + fmtInt(e.ny), "/manage/reports/sales.csv?theatre=" + fmtInt(e.ny),
		e.week("/manage/reports/returns", e.ny), e.week("/manage/reports/returns.csv", e.ny), e.week("/manage/reports/terms", e.ny)} {
		resp, _ := e.manager.get(p)
		wantStatus(t, resp, http.StatusForbidden)
	}
	e.manager.get("/manage/reports")
	for _, f := range []url.Values{
		{"theatre": {fmtInt(e.ny)}, "week": {"2026-10-23"}, "confirm": {"yes"}},
	} {
		resp, _ := e.manager.post("/manage/reports/returns/close", f)
		wantStatus(t, resp, http.StatusForbidden)
	}
	e.manager.get("/manage/reports/terms")
	resp, _ = e.manager.post("/manage/reports/terms", url.Values{"theatre": {fmtInt(e.ny)}, "week": {"2026-10-23"}, "movie": {fmtInt(e.filmA)}, "rate": {"35"}})
	wantStatus(t, resp, http.StatusForbidden)

	// Bad questions.
	for p, want := range map[string]int{
		"/manage/reports?from=2026-13-01":                    http.StatusBadRequest,
		"/manage/reports?from=yesterday":                     http.StatusBadRequest,
		"/manage/reports?by=price":                           http.StatusBadRequest,
		"/manage/reports?theatre=abc":                        http.StatusBadRequest,
		"/manage/reports?theatre=999999":                     http.StatusForbidden,
		"/manage/reports?from=2026-10-29&to=2026-10-23":      http.StatusUnprocessableEntity,
		"/manage/reports?from=2025-01-01&to=2026-10-23":      http.StatusUnprocessableEntity,
		"/manage/reports/sales.csv?from=2026-10-29&to=2026-": http.StatusBadRequest,
		"/manage/reports/returns?week=23/10/2026":            http.StatusBadRequest,
	} {
		resp, doc := e.manager.get(p)
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", p, resp.StatusCode, want)
		}
		if strings.Contains(doc.Text(), "SELECT") {
			t.Errorf("%s shows SQL", p)
		}
	}
	if resp, _ := e.admin.get("/manage/reports?theatre=999999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("admin, unknown theatre: %d", resp.StatusCode)
	}

	// Closing: needs the tick; not before the week is over; only a week's first day.
	e.manager.get(e.week("/manage/reports/returns", e.london))
	close := func(week, confirm string) int {
		resp, _ := e.manager.post("/manage/reports/returns/close", url.Values{"theatre": {fmtInt(e.london)}, "week": {week}, "confirm": {confirm}})
		return resp.StatusCode
	}
	if s := close("2026-10-23", ""); s != http.StatusUnprocessableEntity {
		t.Errorf("close without confirming: %d", s)
	}
	if s := close("2026-10-30", "yes"); s != http.StatusUnprocessableEntity {
		t.Errorf("close a week not over: %d", s)
	}
	if s := close("2026-10-24", "yes"); s != http.StatusUnprocessableEntity {
		t.Errorf("close from a Saturday: %d", s)
	}
	if s := close("not-a-date", "yes"); s != http.StatusUnprocessableEntity {
		t.Errorf("close a malformed week: %d", s)
	}
	var n int
	if err := dbtest.SQL(t, e.db).Get(&n, `SELECT count(*) FROM distributor_weeks`); err != nil || n != 0 {
		t.Fatalf("%d weeks closed by refused requests (%v)", n, err)
	}
	// Terms: bad rate, bad minimum → 422 with the form.
	e.manager.get(e.week("/manage/reports/terms", e.london))
	resp, doc := e.manager.post("/manage/reports/terms", url.Values{"theatre": {fmtInt(e.london)}, "week": {"2026-10-23"}, "movie": {fmtInt(e.filmA)}, "rate": {"135"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if !strings.Contains(doc.Find(`[data-testid="terms-row"][data-movie="`+fmtInt(e.filmA)+`"]`).Text(), "percentage") {
		t.Errorf("no rate error shown: %s", doc.Find(`[data-testid="terms-table"]`).Text())
	}
	resp, _ = e.manager.post("/manage/reports/terms", url.Values{"theatre": {fmtInt(e.london)}, "week": {"2026-10-23"}, "movie": {fmtInt(e.filmA)}, "rate": {"35"}, "minimum": {"-4"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if err := dbtest.SQL(t, e.db).Get(&n, `SELECT count(*) FROM film_hire_terms`); err != nil || n != 0 {
		t.Fatalf("%d terms saved by refused requests (%v)", n, err)
	}
}

func TestSalesReportPages(t *testing.T) {
	e := newRepEnv(t)
	resp, doc := e.manager.get("/manage/reports?" + weekRange)
	wantStatus(t, resp, http.StatusOK)
	rows := doc.Find(`[data-testid="sales-table"] [data-testid="report-row"]`)
	if rows.Length() != 3 { // Fri, Sat (the 01:00 show), Sun; New York is not the manager's
		t.Fatalf("%d rows: %s", rows.Length(), doc.Find(`[data-testid="sales-table"]`).Text())
	}
	if got := strings.TrimSpace(rows.Eq(1).Find("th").Text()); got != "Sat 24 Oct 2026" {
		t.Errorf("second row %q", got)
	}
	total := doc.Find(`[data-testid="total-row"]`)
	for col, want := range map[string]string{"sold": "5", "admissions": "5", "gross": "$55.50", "takings": "$59.50", "occupancy": "16.7 %", "fees": "$4.00"} {
		if got := strings.TrimSpace(total.Find(`[data-col="` + col + `"]`).Text()); got != want {
			t.Errorf("total %s = %q, want %q", col, got, want)
		}
	}
	if doc.Find(`[data-testid="chart"] svg [data-testid="bar"]`).Length() != 3 {
		t.Error("no chart of the three days")
	}
	if doc.Find(`script:not([src])`).Length() != 0 {
		t.Error("inline script on the report page")
	}

	// Admin: every theatre, by theatre.
	_, doc = e.admin.get("/manage/reports?by=theatre&" + weekRange)
	if n := doc.Find(`[data-testid="report-row"]`).Length(); n != 2 {
		t.Errorf("admin by theatre: %d rows", n)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="total-row"] [data-col="takings"]`).Text()); got != "$75.50" {
		t.Errorf("admin total takings %q", got)
	}

	// Tender: the split counter sale shows as cash and card.
	_, doc = e.manager.get("/manage/reports?by=tender&" + weekRange)
	if n := doc.Find(`[data-testid="tender-table"] [data-testid="report-row"]`).Length(); n != 3 {
		t.Errorf("%d tenders", n)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="tender-table"] [data-testid="total-row"] [data-col="kept"]`).Text()); got != "$59.50" {
		t.Errorf("tenders kept %q", got)
	}

	// CSV: header in its stable order, ISO dates, cents.
	resp, body := e.manager.raw("/manage/reports/sales.csv?" + weekRange)
	wantStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("content type %q", ct)
	}
	recs := readCSV(t, body)
	if !slices.Equal(recs[0], handlers.SalesCSVHeader) {
		t.Errorf("header %v", recs[0])
	}
	want := []string{"from", "to", "theatre", "dimension", "label", "shows", "capacity", "tickets_sold", "tickets_refunded", "admissions", "admitted", "occupancy_percent",
		"gross_cents", "tax_cents", "net_cents", "average_ticket_cents", "booking_fees_cents", "refunds_cents", "charges_kept_cents", "takings_cents"}
	if !slices.Equal(handlers.SalesCSVHeader, want) {
		t.Errorf("the CSV columns moved: %v", handlers.SalesCSVHeader)
	}
	if len(recs) != 5 || recs[2][4] != "2026-10-24" || recs[2][0] != "2026-10-23" || recs[4][4] != "Total" || recs[4][19] != "5950" || recs[4][12] != "5550" {
		t.Errorf("csv rows %v", recs)
	}
	_, body = e.manager.raw("/manage/reports/sales.csv?by=tender&" + weekRange)
	if recs := readCSV(t, body); !slices.Equal(recs[0], handlers.TenderCSVHeader) || len(recs) != 5 || recs[4][7] != "5950" {
		t.Errorf("tender csv %v", recs)
	}

	// Printable view: the same table on its own page.
	resp, doc = e.manager.get("/manage/reports/print?by=movie&" + weekRange)
	wantStatus(t, resp, http.StatusOK)
	if doc.Find(`[data-testid="report-print"]`).Length() != 1 || doc.Find(`header`).Length() != 0 || doc.Find(`[data-testid="report-row"]`).Length() != 2 {
		t.Errorf("print view: %s", doc.Text())
	}

	// Default: yesterday's business day (Friday 30th: nothing sold).
	_, doc = e.manager.get("/manage/reports")
	if v, _ := doc.Find(`#r-from`).Attr("value"); v != "2026-10-30" {
		t.Errorf("default from %q", v)
	}
}

func TestDistributorReturnPages(t *testing.T) {
	e := newRepEnv(t)
	m := e.manager
	m.get(e.week("/manage/reports/terms", e.london))
	for movie, rate := range map[int64]string{e.filmA: "35", e.filmB: "50"} {
		resp, _ := m.post("/manage/reports/terms", url.Values{"theatre": {fmtInt(e.london)}, "week": {"2026-10-23"}, "movie": {fmtInt(movie)}, "rate": {rate}, "minimum": {"5"}})
		wantRedirect(t, resp, "/manage/reports/terms")
	}
	_, doc := m.get(e.week("/manage/reports/terms", e.london))
	if v, _ := doc.Find(`#rate-` + fmtInt(e.filmA)).Attr("value"); v != "35.00" {
		t.Errorf("saved rate %q", v)
	}

	resp, doc := m.get(e.week("/manage/reports/returns", e.london))
	wantStatus(t, resp, http.StatusOK)
	// Alpha: 3 adults, $37.50 gross, $6.24 tax → net $31.26, 35 % = $10.94.
	// Bravo: 2 children, $18.00, $3.00 tax → net $15.00, 50 % = $7.50 ≥ $5.00.
	films := doc.Find(`[data-testid="return-table"] [data-testid="return-film"]`)
	if films.Length() != 2 {
		t.Fatalf("%d films", films.Length())
	}
	if got := strings.TrimSpace(films.First().Find(`[data-testid="film-total"] [data-col="hire"]`).Text()); got != "$10.94" {
		t.Errorf("Alpha's hire %q", got)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="owed"]`).Text()); got != "Film hire owed: $18.44" {
		t.Errorf("owed %q", got)
	}
	if doc.Find(`[data-testid="close-form"] input[name="confirm"]`).Length() != 1 {
		t.Fatal("no confirmed close form")
	}

	resp, _ = m.post("/manage/reports/returns/close", url.Values{"theatre": {fmtInt(e.london)}, "week": {"2026-10-23"}, "confirm": {"yes"}})
	wantRedirect(t, resp, "/manage/reports/returns")
	var audit struct {
		Subject string `db:"subject"`
		Data    string `db:"data"`
	}
	if err := dbtest.SQL(t, e.db).Get(&audit, `SELECT subject, data::text AS data FROM audit_log WHERE action = 'report.week_closed'`); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(audit.Data, `"before"`) || !strings.Contains(audit.Data, `"owed_cents": 1844`) {
		t.Errorf("audit %+v", audit)
	}
	if err := dbtest.SQL(t, e.db).Get(&audit.Data, `SELECT data::text FROM audit_log WHERE action = 'report.terms_set' LIMIT 1`); err != nil || !strings.Contains(audit.Data, `"after"`) {
		t.Errorf("terms audit %q %v", audit.Data, err)
	}
	resp, _ = m.post("/manage/reports/returns/close", url.Values{"theatre": {fmtInt(e.london)}, "week": {"2026-10-23"}, "confirm": {"yes"}})
	wantStatus(t, resp, http.StatusConflict)

	// A refund after closing: the closed return doesn't move; the next one adjusts.
	dbtest.NewTrade(t, e.db).Refund(e.o3, e.clock.Now(), booking.RefundCustomer, e.o3.SeatIDs[:1], 100, 0)
	_, before := m.raw(e.week("/manage/reports/returns.csv", e.london))
	recs := readCSV(t, before)
	if !slices.Equal(recs[0], handlers.ReturnCSVHeader) {
		t.Errorf("header %v", recs[0])
	}
	want := []string{"theatre", "film_week", "status", "line", "film", "for_week", "adjustment", "ticket_type", "admissions", "gross_cents", "tax_cents",
		"net_cents", "rate_percent", "minimum_guarantee_cents", "film_hire_cents"}
	if !slices.Equal(handlers.ReturnCSVHeader, want) {
		t.Errorf("the return's CSV columns moved: %v", handlers.ReturnCSVHeader)
	}
	last := recs[len(recs)-1]
	if last[2] != "closed" || last[3] != "owed" || last[14] != "1844" {
		t.Errorf("closed return after a refund: %v", recs)
	}
	_, doc = m.get("/manage/reports/returns?theatre=" + fmtInt(e.london) + "&week=2026-10-31") // any day of the next week
	adj := doc.Find(`[data-testid="adjustments-table"] [data-testid="return-film"]`)
	if adj.Length() != 1 || !strings.Contains(adj.Text(), "Bravo") || strings.TrimSpace(adj.Find(`[data-col="admissions"]`).Text()) != "-1" {
		t.Errorf("adjustments: %s", doc.Find(`[data-testid="adjustments-table"]`).Text())
	}
	// Bravo's net drops to $7.50: 50 % = $3.75, under the $5.00 guarantee: hire $5.00, $2.50 less.
	if got := strings.TrimSpace(adj.Find(`[data-col="hire"]`).Text()); got != "-$2.50" {
		t.Errorf("adjustment hire %q", got)
	}
	_, doc = m.get(e.week("/manage/reports/returns/print", e.london))
	if doc.Find(`[data-testid="report-print"]`).Length() != 1 || !strings.Contains(doc.Find(`[data-testid="return-state"]`).Text(), "Closed") {
		t.Error("printable closed return")
	}
	_, doc = m.get(e.week("/manage/reports/terms", e.london))
	if doc.Find(`[data-testid="terms-closed"]`).Length() != 1 || doc.Find(`[data-testid="terms-table"] form`).Length() != 0 {
		t.Error("a closed week's terms are still editable")
	}
}

// TestSalesChannels: the box office records counter orders with their
// tenders, the API api orders, the web site online ones.
func TestSalesChannels(t *testing.T) {
	e := newBoxEnv(t)
	resp, _ := e.sell(url.Values{"seats": {"A4"}, "tender": {"split"}, "card_amount": {"10"}, "cash": {"20"}, "reference": {"T9"}})
	wantRedirect(t, resp, "/boxoffice/orders/")
	x := dbtest.SQL(t, e.db)
	var channel string
	if err := x.Get(&channel, `SELECT channel FROM orders`); err != nil || channel != booking.ChannelCounter {
		t.Fatalf("counter sale's channel %q %v", channel, err)
	}
	var tenders []string
	if err := x.Select(&tenders, `SELECT provider || ':' || taken_cents FROM report_tenders ORDER BY provider`); err != nil {
		t.Fatal(err)
	}
	if len(tenders) != 2 || tenders[0] != "card_present:1000" || !strings.HasPrefix(tenders[1], "cash:") {
		t.Errorf("tenders %v", tenders)
	}

	b := newBookingEnv(t, nil, false)
	a := b.apiClient("api@example.com")
	var o apiOrderJSON
	if resp := a.call("POST", "/api/v1/orders", `{"showtimeId": `+itoa(b.show.ShowtimeID)+`, "seats": ["A5"]}`, nil, &o); resp.StatusCode != 201 {
		t.Fatalf("api order: %d", resp.StatusCode)
	}
	if err := dbtest.SQL(t, b.db).Get(&channel, `SELECT channel FROM orders WHERE code = $1`, o.Code); err != nil || channel != booking.ChannelAPI {
		t.Errorf("API order's channel %q %v", channel, err)
	}
}
