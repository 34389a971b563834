package db_test

import (
	"context"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
)

// reportData is the hand-built data set of the report tests: the film week
// of Friday 23 October 2026 in London, across the night the clocks go back
// (Sunday 25th, 02:00 BST → 01:00 GMT), and a theatre in New York.
type reportData struct {
	d                  *db.DB
	tr                 *dbtest.Trade
	london, ny         int64
	filmA, filmB       int64
	s1, s2, s3, s4, s5 int64
	s6                 int64
	o4                 dbtest.Sale
	clock              *booking.ManualClock
}

var week23 = booking.DateOf(2026, 10, 23)

func utc(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, time.UTC) }

func newReportData(t *testing.T) *reportData {
	t.Helper()
	clock := booking.NewManualClock(utc(10, 20, 12, 0))
	d := dbtest.New(t, clock)
	tr := dbtest.NewTrade(t, d)
	r := &reportData{d: d, tr: tr, clock: clock}
	r.london = tr.Theatre("London Picturehouse", "Europe/London")
	r.ny = tr.Theatre("New York Picturehouse", "America/New_York")
	screen := tr.Screen(r.london, "Screen 1", 10)
	nyScreen := tr.Screen(r.ny, "Screen A", 50)
	r.filmA, r.filmB = tr.Movie("Alpha"), tr.Movie("Bravo")
	r.s1 = tr.Show(r.filmA, screen, utc(10, 23, 18, 0)) // Fri 19:00 BST
	r.s2 = tr.Show(r.filmA, screen, utc(10, 25, 0, 0))  // Sun 01:00 BST: Saturday's business day
	r.s3 = tr.Show(r.filmB, screen, utc(10, 25, 19, 0)) // Sun 19:00 GMT
	r.s4 = tr.Show(r.filmB, screen, utc(10, 27, 20, 0)) // Tue, cancelled
	r.s5 = tr.Show(r.filmA, screen, utc(10, 30, 1, 0))  // Fri 01:00 GMT: Thursday's business day, still this film week
	r.s6 = tr.Show(r.filmA, screen, utc(10, 30, 19, 0)) // Fri 19:00: next film week
	nyShow := tr.Show(r.filmA, nyScreen, utc(10, 24, 0, 30))

	at := utc(10, 20, 12, 0)
	adult := dbtest.Ticket{Type: "adult", PriceCents: 1250, TaxCents: 208}
	adultB := dbtest.Ticket{Type: "adult", PriceCents: 1000, TaxCents: 167}
	tr.Sell(r.s1, booking.ChannelOnline, at, 200, []dbtest.Ticket{adult, adult}, dbtest.Tender{Provider: "stripe", AmountCents: 2700})
	tr.Sell(r.s1, booking.ChannelAPI, at, 100, []dbtest.Ticket{{Type: "child", PriceCents: 900, TaxCents: 150}}, dbtest.Tender{Provider: "stripe", AmountCents: 1000})
	// A counter sale split across two tenders; two of its three admitted.
	o3 := tr.Sell(r.s2, booking.ChannelCounter, utc(10, 24, 23, 40), 0, []dbtest.Ticket{adult, adult, adult},
		dbtest.Tender{Provider: "cash", AmountCents: 2000}, dbtest.Tender{Provider: "card_present", AmountCents: 1750})
	tr.CheckIn(o3, utc(10, 24, 23, 50), o3.SeatIDs[:2]...)
	r.o4 = tr.Sell(r.s3, booking.ChannelOnline, at, 400, []dbtest.Ticket{adultB, adultB, adultB, adultB}, dbtest.Tender{Provider: "stripe", AmountCents: 4400})
	// The cancelled show: everything refunded, booking fee too.
	o5 := tr.Sell(r.s4, booking.ChannelOnline, at, 200, []dbtest.Ticket{adultB, adultB}, dbtest.Tender{Provider: "stripe", AmountCents: 2200})
	tr.CancelShow(r.s4)
	tr.Refund(o5, utc(10, 26, 9, 0), booking.RefundShowtimeCancelled, o5.SeatIDs, 200, 0)
	tr.Sell(r.s5, booking.ChannelOnline, at, 100, []dbtest.Ticket{{Type: "senior", PriceCents: 1000, TaxCents: 167}}, dbtest.Tender{Provider: "stripe", AmountCents: 1100})
	tr.Sell(r.s6, booking.ChannelOnline, at, 100, []dbtest.Ticket{adult}, dbtest.Tender{Provider: "stripe", AmountCents: 1350})
	tr.Sell(nyShow, booking.ChannelOnline, at, 100, []dbtest.Ticket{{Type: "adult", PriceCents: 1500}}, dbtest.Tender{Provider: "stripe", AmountCents: 1600})
	return r
}

// lateRefund refunds one of show 3's tickets after its week closed: its
// price and booking fee, less a 50-cent cancellation charge.
func (r *reportData) lateRefund(t *testing.T) {
	r.tr.Refund(r.o4, utc(10, 31, 10, 0), booking.RefundCustomer, r.o4.SeatIDs[:1], 100, 50)
}

func (r *reportData) sales(t *testing.T, by string, scope booking.Scope, theatre int64) []db.SalesRow {
	t.Helper()
	rng, err := booking.CheckRange(week23, booking.DateOf(2026, 10, 29))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := r.d.SalesReport(context.Background(), db.SalesQuery{Scope: scope, TheatreID: theatre, Range: rng, Rules: booking.DefaultReportRules(), By: by})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

type salesWant struct {
	key                                    string
	sold, adm, admitted                    int64
	gross, tax, net, fees, refunds, taking int64
	capacity                               int64
	cancelled                              bool
}

func checkSales(t *testing.T, rows []db.SalesRow, want []salesWant) {
	t.Helper()
	if len(rows) != len(want) {
		for _, r := range rows {
			t.Logf("%+v", r)
		}
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		r := rows[i]
		got := salesWant{r.Key, r.Sold, r.Admissions(), r.Admitted, r.Gross(), r.Tax(), r.Net(), r.Fees(), r.RefundCents, r.Takings(), r.Capacity, r.Cancelled}
		if r.Total {
			got.key = "total"
		}
		if got != w {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
}

func TestSalesReportByDay(t *testing.T) {
	r := newReportData(t)
	r.lateRefund(t)
	rows := r.sales(t, db.ByDay, booking.Scope{All: true}, r.london)
	checkSales(t, rows, []salesWant{
		{"2026-10-23", 3, 3, 0, 3400, 566, 2834, 300, 0, 3700, 10, false},
		{"2026-10-24", 3, 3, 2, 3750, 624, 3126, 0, 0, 3750, 10, false}, // the 01:00 show, and the split tender
		{"2026-10-25", 4, 3, 0, 3000, 501, 2499, 300, 1050, 3350, 10, false},
		{"2026-10-27", 2, 0, 0, 0, 0, 0, 0, 2200, 0, 0, true}, // cancelled: no capacity, all refunded
		{"2026-10-29", 1, 1, 0, 1000, 167, 833, 100, 0, 1100, 10, false},
		{"total", 13, 10, 2, 11150, 1858, 9292, 700, 3250, 11900, 40, false},
	})
	total := rows[len(rows)-1]
	if total.OccupancyPermille() != 250 || total.AvgTicket() != 1115 || total.ChargeCents != 50 || total.Shows != 4 {
		t.Errorf("total: occupancy %d‰, average %d, charges %d, shows %d", total.OccupancyPermille(), total.AvgTicket(), total.ChargeCents, total.Shows)
	}
}

func TestSalesReportDimensions(t *testing.T) {
	r := newReportData(t)
	r.lateRefund(t)
	all := booking.Scope{All: true}
	checkSales(t, r.sales(t, db.ByChannel, all, r.london), []salesWant{
		{"online", 9, 6, 0, 6500, 1084, 5416, 600, 3250, 7150, 0, false},
		{"counter", 3, 3, 2, 3750, 624, 3126, 0, 0, 3750, 0, false},
		{"api", 1, 1, 0, 900, 150, 750, 100, 0, 1000, 0, false},
		{"total", 13, 10, 2, 11150, 1858, 9292, 700, 3250, 11900, 40, false},
	})
	type_ := r.sales(t, db.ByTicketType, all, r.london)
	checkSales(t, type_, []salesWant{
		{"adult", 11, 8, 2, 9250, 1541, 7709, 0, 0, 9250, 0, false},
		{"child", 1, 1, 0, 900, 150, 750, 0, 0, 900, 0, false},
		{"senior", 1, 1, 0, 1000, 167, 833, 0, 0, 1000, 0, false},
		{"", 0, 0, 0, 0, 0, 0, 700, 3250, 750, 0, false}, // whole orders: fees and refunds
		{"total", 13, 10, 2, 11150, 1858, 9292, 700, 3250, 11900, 40, false},
	})
	movies := r.sales(t, db.ByMovie, all, r.london)
	if len(movies) != 3 || movies[0].Label != "Alpha" || movies[0].Admissions() != 7 || movies[1].Label != "Bravo" || movies[1].Gross() != 3000 || movies[1].Capacity != 10 {
		t.Errorf("by movie: %+v", movies)
	}
	shows := r.sales(t, db.ByShowtime, all, r.london)
	if len(shows) != 6 || shows[1].Label != "2026-10-25 01:00 · Alpha · London Picturehouse · Screen 1" || !shows[3].Cancelled {
		t.Errorf("by showtime: %+v", shows)
	}
	// Every theatre (admin): New York's Friday evening is the 23rd in New York.
	th := r.sales(t, db.ByTheatre, all, 0)
	if len(th) != 3 || th[0].Label != "London Picturehouse" || th[1].Label != "New York Picturehouse" || th[1].Gross() != 1500 || th[2].Takings() != 11900+1600 {
		t.Errorf("by theatre: %+v", th)
	}
	// A manager of London alone doesn't see New York.
	mine := r.sales(t, db.ByTheatre, booking.Scope{Theatres: []int64{r.london}}, 0)
	if len(mine) != 2 || mine[1].Takings() != 11900 {
		t.Errorf("scoped to London: %+v", mine)
	}
	none := r.sales(t, db.ByDay, booking.Scope{}, 0)
	if len(none) != 1 || none[0].Sold != 0 {
		t.Errorf("empty scope: %+v", none)
	}
	aud := r.sales(t, db.ByAuditorium, all, r.london)
	if len(aud) != 2 || aud[0].Label != "London Picturehouse · Screen 1" {
		t.Errorf("by auditorium: %+v", aud)
	}
	if _, err := r.d.SalesReport(context.Background(), db.SalesQuery{By: "nope"}); booking.ErrorCode(err) != booking.EINVALID {
		t.Errorf("unknown dimension: %v", err)
	}
}

func TestTenderReport(t *testing.T) {
	r := newReportData(t)
	r.lateRefund(t)
	rng, _ := booking.CheckRange(week23, booking.DateOf(2026, 10, 29))
	rows, err := r.d.TenderReport(context.Background(), db.SalesQuery{Scope: booking.Scope{All: true}, TheatreID: r.london, Range: rng, Rules: booking.DefaultReportRules()})
	if err != nil {
		t.Fatal(err)
	}
	want := []db.TenderRow{
		{Provider: "card_present", TenderFigures: booking.TenderFigures{Payments: 1, TakenCents: 1750}},
		{Provider: "cash", TenderFigures: booking.TenderFigures{Payments: 1, TakenCents: 2000}},
		{Provider: "stripe", TenderFigures: booking.TenderFigures{Payments: 5, TakenCents: 11400, RefundedCents: 3250}},
		{Total: true, TenderFigures: booking.TenderFigures{Payments: 7, TakenCents: 15150, RefundedCents: 3250}},
	}
	if len(rows) != len(want) {
		t.Fatalf("%+v", rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d: %+v, want %+v", i, rows[i], want[i])
		}
	}
	if rows[3].Net() != 11900 {
		t.Errorf("tenders kept %d, the sales report says 11900", rows[3].Net())
	}
}

// TestReportsReconcile: the report's totals are the orders' and the refund
// ledger's, to the cent, and the summaries the triggers keep are exactly
// what rebuilding them from the rows gives.
func TestReportsReconcile(t *testing.T) {
	r := newReportData(t)
	r.lateRefund(t)
	x := dbtest.SQL(t, r.d)
	var orders struct {
		Kept    int64 `db:"kept"`
		Charged int64 `db:"charged"`
		Fees    int64 `db:"fees"`
	}
	if err := x.Get(&orders, `
		SELECT sum(total_cents - refunded_cents) AS kept, sum(total_cents) AS charged, sum(fee_cents) AS fees
		FROM orders WHERE paid_at IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	var refunds int64
	if err := x.Get(&refunds, `SELECT sum(amount_cents) FROM refunds WHERE status = 'succeeded'`); err != nil {
		t.Fatal(err)
	}
	rng, _ := booking.CheckRange(week23.AddDate(0, 0, -7), week23.AddDate(0, 0, 13))
	for _, by := range []string{db.ByDay, db.ByMovie, db.ByTheatre, db.ByAuditorium, db.ByShowtime, db.ByTicketType, db.ByChannel} {
		rows, err := r.d.SalesReport(context.Background(), db.SalesQuery{Scope: booking.Scope{All: true}, Range: rng, Rules: booking.DefaultReportRules(), By: by})
		if err != nil {
			t.Fatal(err)
		}
		var sum booking.SalesFigures
		for _, row := range rows[:len(rows)-1] {
			sum = sum.Add(row.SalesFigures)
		}
		total := rows[len(rows)-1]
		if total.Takings() != orders.Kept || total.RefundCents != refunds || total.SoldCents+total.FeeCents != orders.Charged || total.FeeCents != orders.Fees {
			t.Errorf("by %s: takings %d (orders kept %d), refunds %d (ledger %d), charged %d (orders %d)", by,
				total.Takings(), orders.Kept, total.RefundCents, refunds, total.SoldCents+total.FeeCents, orders.Charged)
		}
		if sum.Takings() != total.Takings() || sum.Sold != total.Sold || sum.RefundCents != total.RefundCents {
			t.Errorf("by %s: rows add up to %+v, total %+v", by, sum, total.SalesFigures)
		}
	}
	tenders, err := r.d.TenderReport(context.Background(), db.SalesQuery{Scope: booking.Scope{All: true}, Range: rng, Rules: booking.DefaultReportRules()})
	if err != nil {
		t.Fatal(err)
	}
	if n := tenders[len(tenders)-1].Net(); n != orders.Kept {
		t.Errorf("tenders kept %d, orders %d", n, orders.Kept)
	}

	snapshot := func() []string {
		var rows []string
		if err := x.Select(&rows, `
			SELECT format('%s', r) FROM (SELECT * FROM report_sales WHERE sold <> 0 OR orders <> 0 OR refund_cents <> 0 OR fee_cents <> 0 ORDER BY 1, 2, 3) r
			UNION ALL SELECT format('%s', s) FROM (SELECT * FROM report_shows WHERE sold <> 0 OR orders <> 0 OR refund_cents <> 0 ORDER BY 1) s
			UNION ALL SELECT format('%s', p) FROM (SELECT * FROM report_tenders WHERE payments <> 0 ORDER BY 1, 2) p`); err != nil {
			t.Fatal(err)
		}
		return rows
	}
	kept := snapshot()
	if _, err := x.Exec(`SELECT report_rebuild()`); err != nil {
		t.Fatal(err)
	}
	rebuilt := snapshot()
	if len(kept) != len(rebuilt) || len(kept) == 0 {
		t.Fatalf("summaries kept by triggers:\n%v\nrebuilt:\n%v", kept, rebuilt)
	}
	for i := range kept {
		if kept[i] != rebuilt[i] {
			t.Errorf("trigger row %s, rebuilt %s", kept[i], rebuilt[i])
		}
	}
}

func rl(typ string, adm, gross, tax int64) booking.ReturnLine {
	return booking.ReturnLine{TicketType: typ, Admissions: adm, GrossCents: gross, TaxCents: tax}
}

type filmWant struct {
	title      string
	week       string
	adjustment bool
	lines      []booking.ReturnLine
	hire       int64
}

func checkReturn(t *testing.T, ret booking.Return, want []filmWant, owed int64) {
	t.Helper()
	got := append(append([]booking.ReturnFilm{}, ret.Films...), ret.Adjustments...)
	if len(got) != len(want) {
		t.Fatalf("return of %s: %+v", ret.Week.Format(booking.DateLayout), got)
	}
	for i, w := range want {
		f := got[i]
		if f.Title != w.title || f.ForWeek.Format(booking.DateLayout) != w.week || f.Adjustment != w.adjustment || f.HireCents != w.hire || len(f.Lines) != len(w.lines) {
			t.Errorf("film %d: %+v, want %+v", i, f, w)
			continue
		}
		for j := range w.lines {
			if f.Lines[j] != w.lines[j] {
				t.Errorf("film %d line %d: %+v, want %+v", i, j, f.Lines[j], w.lines[j])
			}
		}
	}
	if ret.OwedCents() != owed {
		t.Errorf("owed %d, want %d", ret.OwedCents(), owed)
	}
}

func TestDistributorReturn(t *testing.T) {
	r := newReportData(t)
	ctx := context.Background()
	rules := booking.DefaultReportRules()
	london, err := r.d.TheatreByID(ctx, r.london)
	if err != nil {
		t.Fatal(err)
	}
	now := utc(10, 30, 12, 0)
	if _, err := r.d.SetFilmTerms(ctx, r.filmA, r.london, week23, 3500, 0, 0, now); err != nil {
		t.Fatal(err)
	}
	if _, err := r.d.SetFilmTerms(ctx, r.filmB, r.london, week23, 4000, 0, 0, now); err != nil {
		t.Fatal(err)
	}
	before, err := r.d.SetFilmTerms(ctx, r.filmB, r.london, week23, 5000, 1000, 0, now) // corrected: 50 %, guarantee $10
	if err != nil || !before.Set || before.RateBP != 4000 {
		t.Fatalf("terms replaced: %+v %v", before, err)
	}
	week23Films := []filmWant{
		{"Alpha", "2026-10-23", false, []booking.ReturnLine{rl("adult", 5, 6250, 1040), rl("child", 1, 900, 150), rl("senior", 1, 1000, 167)}, 2378}, // 35 % of 6793
		{"Bravo", "2026-10-23", false, []booking.ReturnLine{rl("adult", 4, 4000, 668)}, 1666},                                                        // 50 % of 3332; the cancelled show adds nothing
	}
	live, err := r.d.DistributorReturn(ctx, london, week23, rules)
	if err != nil {
		t.Fatal(err)
	}
	checkReturn(t, live, week23Films, 4044)
	if live.Closed {
		t.Error("open week shown closed")
	}

	closed, err := r.d.CloseWeek(ctx, london, week23, rules, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	checkReturn(t, closed, week23Films, 4044)
	if _, err := r.d.CloseWeek(ctx, london, week23, rules, 0, now); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Errorf("closing twice: %v", err)
	}
	if _, err := r.d.SetFilmTerms(ctx, r.filmA, r.london, week23, 9000, 0, 0, now); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Errorf("terms of a closed week changed: %v", err)
	}

	r.lateRefund(t) // a partial refund after the week closed
	again, err := r.d.DistributorReturn(ctx, london, week23, rules)
	if err != nil {
		t.Fatal(err)
	}
	checkReturn(t, again, week23Films, 4044) // re-running the closed week: the same figures
	if !again.Closed || again.ClosedAt == nil {
		t.Error("closed week shown open")
	}

	// The next return: its own week (Alpha's terms carry on) and the refund as an adjustment.
	week30 := week23.AddDate(0, 0, 7)
	next := []filmWant{
		{"Alpha", "2026-10-30", false, []booking.ReturnLine{rl("adult", 1, 1250, 208)}, 365},           // 35 % of 1042
		{"Bravo", "2026-10-23", true, []booking.ReturnLine{rl("adult", -1, -1000, -167)}, 1250 - 1666}, // 50 % of 2499, less what was owed
	}
	ret30, err := r.d.DistributorReturn(ctx, london, week30, rules)
	if err != nil {
		t.Fatal(err)
	}
	checkReturn(t, ret30, next, 365+1250-1666)
	if _, err := r.d.CloseWeek(ctx, london, week30, rules, 0, utc(11, 6, 12, 0)); err != nil {
		t.Fatal(err)
	}
	ret30, err = r.d.DistributorReturn(ctx, london, week30, rules)
	if err != nil {
		t.Fatal(err)
	}
	checkReturn(t, ret30, next, 365+1250-1666)
	// Once carried, the adjustment is not carried again.
	ret6, err := r.d.DistributorReturn(ctx, london, week30.AddDate(0, 0, 7), rules)
	if err != nil {
		t.Fatal(err)
	}
	checkReturn(t, ret6, nil, 0)

	weeks, err := r.d.ClosedWeeks(ctx, r.london, 10)
	if err != nil || len(weeks) != 2 || !weeks[0].Week.Equal(week30) {
		t.Errorf("closed weeks: %+v %v", weeks, err)
	}
	films, err := r.d.WeekFilms(ctx, r.london, week30, rules)
	if err != nil || len(films) != 1 || films[0].Title != "Alpha" || films[0].Terms.RateBP != 3500 || !films[0].Terms.From.Equal(week23) {
		t.Errorf("films of the week: %+v %v", films, err)
	}
}
