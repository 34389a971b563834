package booking

import (
	"testing"
	"time"
)

func TestBusinessDay(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	r := DefaultReportRules()
	cases := []struct {
		name string
		at   time.Time
		loc  *time.Location
		want time.Time
	}{
		{"evening show", time.Date(2026, 10, 20, 19, 30, 0, 0, london), london, DateOf(2026, 10, 20)},
		{"01:00 show is the day before", time.Date(2026, 10, 21, 1, 0, 0, 0, london), london, DateOf(2026, 10, 20)},
		{"05:59 still the day before", time.Date(2026, 10, 21, 5, 59, 0, 0, london), london, DateOf(2026, 10, 20)},
		{"06:00 is the new day", time.Date(2026, 10, 21, 6, 0, 0, 0, london), london, DateOf(2026, 10, 21)},
		// Clocks go back on Sunday 25 Oct 2026 at 02:00 BST: 01:30 happens twice, both the 24th.
		{"01:30 BST on the night clocks go back", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), london, DateOf(2026, 10, 24)},
		{"01:30 GMT on the night clocks go back", time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), london, DateOf(2026, 10, 24)},
		{"06:00 GMT after the change", time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC), london, DateOf(2026, 10, 25)},
		{"UTC instant in New York's evening", time.Date(2026, 10, 21, 1, 0, 0, 0, time.UTC), ny, DateOf(2026, 10, 20)},
	}
	for _, c := range cases {
		if got := r.BusinessDay(c.at, c.loc); !got.Equal(c.want) {
			t.Errorf("%s: BusinessDay(%s) = %s, want %s", c.name, c.at, got.Format(DateLayout), c.want.Format(DateLayout))
		}
	}
	midnight := ReportRules{FilmWeekStarts: time.Friday}
	if got := midnight.BusinessDay(time.Date(2026, 10, 21, 1, 0, 0, 0, london), london); !got.Equal(DateOf(2026, 10, 21)) {
		t.Errorf("business day ending at midnight: %s", got)
	}
}

func TestFilmWeek(t *testing.T) {
	r := DefaultReportRules() // Friday
	for day, want := range map[int]int{23: 23, 24: 23, 29: 23, 30: 30, 22: 16} {
		if got := r.FilmWeek(DateOf(2026, 10, day)); !got.Equal(DateOf(2026, 10, want)) {
			t.Errorf("film week of 2026-10-%02d = %s, want 2026-10-%02d", day, got.Format(DateLayout), want)
		}
	}
	mon := ReportRules{FilmWeekStarts: time.Monday}
	if got := mon.FilmWeek(DateOf(2026, 10, 25)); !got.Equal(DateOf(2026, 10, 19)) {
		t.Errorf("Monday week of Sun 25th = %s", got)
	}
}

func TestReportRulesCheck(t *testing.T) {
	for _, c := range []struct {
		r  ReportRules
		ok bool
	}{
		{DefaultReportRules(), true},
		{ReportRules{BusinessDayEnds: 0, FilmWeekStarts: time.Sunday}, true},
		{ReportRules{BusinessDayEnds: 24 * time.Hour}, false},
		{ReportRules{BusinessDayEnds: -time.Hour}, false},
		{ReportRules{FilmWeekStarts: 7}, false},
	} {
		if err := c.r.Check(); (err == nil) != c.ok {
			t.Errorf("%+v: Check = %v", c.r, err)
		}
	}
}

func TestCheckRange(t *testing.T) {
	from := DateOf(2026, 1, 1)
	if r, err := CheckRange(from, from); err != nil || r.Days() != 1 {
		t.Errorf("one day: %+v %v", r, err)
	}
	if r, err := CheckRange(from, DateOf(2026, 12, 31)); err != nil || r.Days() != 365 {
		t.Errorf("a year: %+v %v", r, err)
	}
	if _, err := CheckRange(from, DateOf(2025, 12, 31)); ErrorCode(err) != EINVALID {
		t.Errorf("backwards: %v", err)
	}
	if _, err := CheckRange(from, from.AddDate(0, 0, MaxReportDays)); ErrorCode(err) != EINVALID {
		t.Errorf("too long: %v", err)
	}
}

func TestSalesFigures(t *testing.T) {
	f := SalesFigures{Sold: 10, SoldCents: 10000, SoldTaxCents: 1667, Refunded: 3, RefundedCents: 3000, RefundedTax: 500,
		FeeCents: 1000, RefundFee: 200, ChargeCents: 150, RefundCents: 3050, Capacity: 300}
	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"admissions", f.Admissions(), 7},
		{"gross", f.Gross(), 7000},
		{"tax", f.Tax(), 1167},
		{"net", f.Net(), 5833},
		{"fees", f.Fees(), 800},
		{"takings", f.Takings(), 7000 + 800 + 150},
		{"avg ticket", f.AvgTicket(), 1000},
		{"occupancy", f.OccupancyPermille(), 23}, // 7/300 = 23.3‰
		{"avg rounds half up", SalesFigures{Sold: 3, SoldCents: 1000}.AvgTicket(), 333},
		{"avg of 2/3", SalesFigures{Sold: 3, SoldCents: 2}.AvgTicket(), 1},
		{"no admissions", SalesFigures{}.AvgTicket(), 0},
		{"no capacity", SalesFigures{Sold: 1}.OccupancyPermille(), -1},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	// The takings identity: what paid orders kept, once refunds settled.
	// 10 tickets + fees 1000 = 11000 charged; refunds 3000 + 200 fee - 150 charge = 3050.
	if got, want := f.Takings(), f.SoldCents+f.FeeCents-f.RefundCents; got != want {
		t.Errorf("takings %d ≠ charged − refunded %d", got, want)
	}
	if s := f.Add(f); s.Sold != 20 || s.Capacity != 600 || s.Takings() != 2*f.Takings() {
		t.Errorf("Add: %+v", s)
	}
}

func TestFilmHire(t *testing.T) {
	for _, c := range []struct {
		net  int64
		t    HireTerms
		want int64
	}{
		{100000, HireTerms{Set: true, RateBP: 3500}, 35000},
		{100001, HireTerms{Set: true, RateBP: 3500}, 35000}, // 35000.35
		{100003, HireTerms{Set: true, RateBP: 3500}, 35001}, // 35001.05
		{10, HireTerms{Set: true, RateBP: 5000}, 5},
		{11, HireTerms{Set: true, RateBP: 5000}, 6}, // 5.5 → 6
		{20000, HireTerms{Set: true, RateBP: 5000, MinimumCents: 15000}, 15000},
		{40000, HireTerms{Set: true, RateBP: 5000, MinimumCents: 15000}, 20000},
		{40000, HireTerms{}, 0},
	} {
		if got := FilmHire(c.net, c.t); got != c.want {
			t.Errorf("FilmHire(%d, %+v) = %d, want %d", c.net, c.t, got, c.want)
		}
	}
	if CheckTerms(10001, 0) == nil || CheckTerms(-1, 0) == nil || CheckTerms(3500, -1) == nil || CheckTerms(3500, 0) != nil {
		t.Error("CheckTerms")
	}
}

func TestReturnAdjustment(t *testing.T) {
	week := DateOf(2026, 10, 23)
	terms := HireTerms{Set: true, RateBP: 5000}
	reported := []ReturnLine{{"adult", 10, 10000, 1000}, {"child", 4, 2000, 200}}
	f := FilmReturn(1, "Film", week, reported, terms)
	if tot := f.Totals(); tot.Admissions != 14 || tot.Net() != 10800 || f.HireCents != 5400 {
		t.Fatalf("own return: %+v hire %d", tot, f.HireCents)
	}
	if _, ok := Adjustment(1, "Film", week, reported, reported, f.HireCents, terms); ok {
		t.Error("no change must give no adjustment")
	}
	// One adult ticket refunded after the week closed.
	live := []ReturnLine{{"child", 4, 2000, 200}, {"adult", 9, 9000, 900}}
	a, ok := Adjustment(1, "Film", week, live, reported, f.HireCents, terms)
	if !ok || len(a.Lines) != 1 || a.Lines[0] != (ReturnLine{"adult", -1, -1000, -100}) || a.HireCents != -450 || !a.Adjustment {
		t.Fatalf("adjustment: %+v", a)
	}
	// Under a minimum guarantee the hire doesn't move.
	mg := HireTerms{Set: true, RateBP: 5000, MinimumCents: 8000}
	b, ok := Adjustment(1, "Film", week, live, reported, FilmHire(10800, mg), mg)
	if !ok || b.HireCents != 0 {
		t.Fatalf("adjustment under a minimum guarantee: %+v", b)
	}
	r := Return{Films: []ReturnFilm{f}, Adjustments: []ReturnFilm{a}}
	if r.OwedCents() != 5400-450 {
		t.Errorf("owed %d", r.OwedCents())
	}
}

func TestSortLines(t *testing.T) {
	got := sortLines([]ReturnLine{{TicketType: "zeta"}, {TicketType: "senior"}, {TicketType: "adult"}, {TicketType: "alpha"}, {TicketType: "child"}})
	want := []string{"adult", "child", "senior", "alpha", "zeta"}
	for i, l := range got {
		if l.TicketType != want[i] {
			t.Fatalf("order %v", got)
		}
	}
}

func TestParseHireRate(t *testing.T) {
	for in, want := range map[string]int{"35": 3500, "35.5": 3550, "42.25%": 4225, "0": 0, "100": 10000} {
		if got, err := ParseHireRate(in); err != nil || got != want {
			t.Errorf("ParseHireRate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "100.01", "-5", "abc", "35.555"} {
		if _, err := ParseHireRate(in); ErrorCode(err) != EINVALID {
			t.Errorf("ParseHireRate(%q) = %v, want invalid", in, err)
		}
	}
	if FormatRate(3550) != "35.50" || FormatRate(0) != "0.00" {
		t.Error("FormatRate")
	}
}

func TestCheckCloseWeek(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	r := DefaultReportRules()
	week := DateOf(2026, 10, 23)
	// The week's last business day (Thursday 29th) ends at 06:00 on Friday 30th.
	if err := r.CheckCloseWeek(week, time.Date(2026, 10, 30, 5, 59, 0, 0, london), london); ErrorCode(err) != EINVALID {
		t.Errorf("closed before the week is over: %v", err)
	}
	if err := r.CheckCloseWeek(week, time.Date(2026, 10, 30, 6, 0, 0, 0, london), london); err != nil {
		t.Errorf("closing after the week: %v", err)
	}
	if err := r.CheckCloseWeek(week.AddDate(0, 0, 1), time.Date(2026, 11, 30, 6, 0, 0, 0, london), london); ErrorCode(err) != EINVALID {
		t.Errorf("a Saturday as the week: %v", err)
	}
}
