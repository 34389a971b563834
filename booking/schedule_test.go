package booking

import (
	"strings"
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("time zone %s: %v", name, err)
	}
	return loc
}

// A series across the spring and autumn clock changes keeps its wall-clock
// start: 19:30 is 19:30 local on every day, whatever the UTC offset.
func TestSeriesStartsAcrossDST(t *testing.T) {
	london := mustLoc(t, "Europe/London")
	ny := mustLoc(t, "America/New_York")
	tests := []struct {
		name     string
		loc      *time.Location
		s        Series
		wantN    int
		wantUTC  []string // first starts in UTC
		wantCode string
		field    string
	}{
		{"London spring forward (29 Mar 2026)", london,
			Series{From: "2026-03-28", To: "2026-03-30", Times: []string{"19:30"}}, 3,
			[]string{"2026-03-28T19:30:00Z", "2026-03-29T18:30:00Z", "2026-03-30T18:30:00Z"}, "", ""},
		{"London autumn back (25 Oct 2026), two times a day", london,
			Series{From: "2026-10-24", To: "2026-10-25", Times: []string{"14:00", "20:15"}}, 4,
			[]string{"2026-10-24T13:00:00Z", "2026-10-24T19:15:00Z", "2026-10-25T14:00:00Z", "2026-10-25T20:15:00Z"}, "", ""},
		{"New York weekends only over the March change", ny,
			Series{From: "2026-03-06", To: "2026-03-15", Weekdays: []time.Weekday{time.Saturday, time.Sunday}, Times: []string{"18:00"}}, 4,
			[]string{"2026-03-07T23:00:00Z", "2026-03-08T22:00:00Z", "2026-03-14T22:00:00Z", "2026-03-15T22:00:00Z"}, "", ""},
		{"a time skipped by the clocks is refused", london,
			Series{From: "2026-03-28", To: "2026-03-30", Times: []string{"01:30"}}, 0, nil, EINVALID, "times"},
		{"an ambiguous time is the first of the two", london,
			Series{From: "2026-10-25", To: "2026-10-25", Times: []string{"01:30"}}, 1, []string{"2026-10-25T00:30:00Z"}, "", ""},
		{"last day before the first", london, Series{From: "2026-03-05", To: "2026-03-01", Times: []string{"19:00"}}, 0, nil, EINVALID, "to"},
		{"no matching weekday", london, Series{From: "2026-03-02", To: "2026-03-03", Weekdays: []time.Weekday{time.Sunday}, Times: []string{"19:00"}}, 0, nil, EINVALID, "weekdays"},
		{"bad date", london, Series{From: "2026-13-01", To: "2026-13-02", Times: []string{"19:00"}}, 0, nil, EINVALID, "from"},
		{"too long", london, Series{From: "2026-01-01", To: "2027-06-01", Times: []string{"19:00"}}, 0, nil, EINVALID, "to"},
		{"too many", london, Series{From: "2026-01-01", To: "2026-12-01", Times: []string{"10:00", "13:00", "16:00"}}, 0, nil, EINVALID, "to"},
		{"no times", london, Series{From: "2026-01-01", To: "2026-01-02"}, 0, nil, EINVALID, "times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.s.Starts(tt.loc)
			if tt.wantCode != "" {
				var de *Error
				if ErrorCode(err) != tt.wantCode || !asError(err, &de) || de.Field != tt.field {
					t.Fatalf("err = %v, want %s on %s", err, tt.wantCode, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.wantN {
				t.Fatalf("%d starts, want %d: %v", len(got), tt.wantN, got)
			}
			for i, w := range tt.wantUTC {
				if g := got[i].UTC().Format(time.RFC3339); g != w {
					t.Errorf("start %d = %s, want %s", i, g, w)
				}
			}
		})
	}
}

func asError(err error, de **Error) bool {
	e, ok := err.(*Error)
	if ok {
		*de = e
	}
	return ok
}

func TestParseClocks(t *testing.T) {
	got, err := ParseClocks("19:30, 9:05 14:00 19:30")
	if err != nil || strings.Join(got, " ") != "09:05 14:00 19:30" {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"", "7pm", "24:00", "12:60", "12:5", "12"} {
		if _, err := ParseClocks(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseClocks(%q) = %v, want invalid", bad, err)
		}
	}
}

func TestSlot(t *testing.T) {
	r := ProgrammeRules{Trailers: 20 * time.Minute, Cleaning: 15 * time.Minute}
	start := time.Date(2026, 3, 1, 19, 0, 0, 0, time.UTC)
	open := start.Add(-48 * time.Hour)
	late := start.Add(time.Hour)
	tests := []struct {
		name  string
		w     SalesWindow
		field string
	}{
		{"default", DefaultSalesWindow(), ""},
		{"opens two days ahead, online until 15 minutes in", SalesWindow{OpenAt: &open, Close: 15 * time.Minute, Counter: 30 * time.Minute}, ""},
		{"online closes an hour before", SalesWindow{Close: -time.Hour, Counter: 0}, ""},
		{"counter before online", SalesWindow{Close: 10 * time.Minute, Counter: 0}, "counter_close"},
		{"online after the end", SalesWindow{Close: 3 * time.Hour, Counter: 3 * time.Hour}, "sales_close"},
		{"counter after the end", SalesWindow{Close: 0, Counter: 3 * time.Hour}, "counter_close"},
		{"opens after closing", SalesWindow{OpenAt: &late, Close: 0, Counter: 10 * time.Minute}, "sales_open"},
		{"closes a fortnight early", SalesWindow{Close: -14 * 24 * time.Hour, Counter: 0}, "sales_close"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := r.Slot(start, 100, tt.w)
			if tt.field != "" {
				var de *Error
				if !asError(err, &de) || de.Field != tt.field {
					t.Fatalf("err = %v, want invalid %s", err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := start.Add(120 * time.Minute); !s.EndsAt.Equal(want) {
				t.Errorf("ends %v, want %v (runtime + trailers)", s.EndsAt, want)
			}
			if want := start.Add(135 * time.Minute); !s.ReadyAt.Equal(want) {
				t.Errorf("ready %v, want %v (+ cleaning)", s.ReadyAt, want)
			}
			if !s.SalesCloseAt.Equal(start.Add(tt.w.Close)) || !s.CounterCloseAt.Equal(start.Add(tt.w.Counter)) {
				t.Errorf("sales close %v / counter %v", s.SalesCloseAt, s.CounterCloseAt)
			}
		})
	}
	if _, err := r.Slot(start, 0, DefaultSalesWindow()); ErrorCode(err) != EINVALID {
		t.Errorf("no runtime: %v", err)
	}
}

func TestShowAttrs(t *testing.T) {
	tests := []struct {
		a      ShowAttrs
		chips  string
		field  string
		verTxt string
	}{
		{ShowAttrs{}, "", "", ""},
		{ShowAttrs{Version: VersionSubtitled, Language: "English", Captions: true}, "Sub English|CC", "", "English subtitles"},
		{ShowAttrs{Version: VersionDubbed, Language: "German", AudioDescription: true, Event: "Premiere"}, "Dubbed (German)|AD|Premiere", "", "Dubbed (German)"},
		{ShowAttrs{Version: VersionOriginal, Language: "French"}, "OV", "", "Original version (French)"},
		{ShowAttrs{Version: VersionSubtitled}, "", "language", ""},
		{ShowAttrs{Version: "3D"}, "", "version", ""},
		{ShowAttrs{Event: strings.Repeat("x", 61)}, "", "event", ""},
	}
	for _, tt := range tests {
		a, err := tt.a.Check()
		if tt.field != "" {
			var de *Error
			if !asError(err, &de) || de.Field != tt.field {
				t.Errorf("%+v: err = %v, want invalid %s", tt.a, err, tt.field)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%+v: %v", tt.a, err)
		}
		var labels []string
		for _, c := range a.Chips() {
			labels = append(labels, c.Label)
		}
		if got := strings.Join(labels, "|"); got != tt.chips {
			t.Errorf("%+v: chips %q, want %q", tt.a, got, tt.chips)
		}
		if got := a.VersionText(); got != tt.verTxt {
			t.Errorf("%+v: version text %q, want %q", tt.a, got, tt.verTxt)
		}
	}
	if CheckFormat("IMAX") != nil || CheckFormat("8D") == nil {
		t.Error("CheckFormat")
	}
}

func TestShowtimeChangeRules(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	start := now.Add(24 * time.Hour)
	base := Showtime{AuditoriumID: 1, StartsAt: start, EndsAt: start.Add(2 * time.Hour), Status: ShowtimeScheduled}
	live := func(mod func(*ShowtimeLive)) ShowtimeLive {
		l := ShowtimeLive{Showtime: base}
		if mod != nil {
			mod(&l)
		}
		return l
	}
	same := Edit{AuditoriumID: 1, StartsAt: start, Published: true}
	later := Edit{AuditoriumID: 1, StartsAt: start.Add(time.Hour), Published: true}
	past := Edit{AuditoriumID: 1, StartsAt: now.Add(-time.Hour), Published: true}
	otherAud := Edit{AuditoriumID: 2, StartsAt: start, Published: true}
	draft := Edit{AuditoriumID: 1, StartsAt: start, Published: false}
	sold := func(l *ShowtimeLive) { l.Sold, l.Orders = 2, 1 }
	pending := func(l *ShowtimeLive) { l.Orders = 1 }
	tests := []struct {
		name string
		cur  ShowtimeLive
		e    Edit
		want string // error code, "" allowed
	}{
		{"attributes of a show with sales", live(sold), same, ""},
		{"new start without orders", live(nil), later, ""},
		{"new auditorium without orders", live(nil), otherAud, ""},
		{"new start with sales: only by move", live(sold), later, ECONFLICT},
		{"new auditorium with an order being paid", live(pending), otherAud, ECONFLICT},
		{"into the past", live(nil), past, EINVALID},
		{"withdraw with no sales", live(nil), draft, ""},
		{"withdraw with sales", live(sold), draft, ECONFLICT},
		{"cancelled", live(func(l *ShowtimeLive) { l.Status = ShowtimeCancelled }), same, ECONFLICT},
		{"started", live(func(l *ShowtimeLive) { l.StartsAt = now.Add(-time.Minute) }), Edit{AuditoriumID: 1, StartsAt: now.Add(-time.Minute), Published: true}, ECONFLICT},
	}
	for _, tt := range tests {
		if got := ErrorCode(CheckEdit(tt.cur, tt.e, now)); got != tt.want {
			t.Errorf("CheckEdit %s: %q, want %q", tt.name, got, tt.want)
		}
	}

	moves := []struct {
		name  string
		cur   ShowtimeLive
		start time.Time
		aud   int64
		want  string
	}{
		{"later, with sales", live(sold), start.Add(time.Hour), 1, ""},
		{"other auditorium", live(sold), start, 2, ""},
		{"into the past", live(sold), now.Add(-time.Minute), 1, EINVALID},
		{"nowhere", live(sold), start, 1, EINVALID},
		{"started", live(func(l *ShowtimeLive) { l.StartsAt = now }), start, 1, ECONFLICT},
		{"cancelled", live(func(l *ShowtimeLive) { l.Status = ShowtimeCancelled }), start.Add(time.Hour), 1, ECONFLICT},
	}
	for _, tt := range moves {
		if got := ErrorCode(CheckMove(tt.cur, tt.start, tt.aud, now)); got != tt.want {
			t.Errorf("CheckMove %s: %q, want %q", tt.name, got, tt.want)
		}
	}

	cancels := []struct {
		name string
		cur  ShowtimeLive
		want string
	}{
		{"future", live(sold), ""},
		{"running", live(func(l *ShowtimeLive) { l.StartsAt, l.EndsAt = now.Add(-time.Hour), now.Add(time.Hour) }), ""},
		{"over", live(func(l *ShowtimeLive) { l.StartsAt, l.EndsAt = now.Add(-3*time.Hour), now.Add(-time.Hour) }), ECONFLICT},
		{"already cancelled", live(func(l *ShowtimeLive) { l.Status = ShowtimeCancelled }), ECONFLICT},
	}
	for _, tt := range cancels {
		if got := ErrorCode(CheckCancel(tt.cur, now)); got != tt.want {
			t.Errorf("CheckCancel %s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if CheckNew(now, now) == nil || CheckNew(now.Add(time.Minute), now) != nil {
		t.Error("CheckNew")
	}
}

func TestPlanMove(t *testing.T) {
	items := []MoveItem{
		{OrderCode: "A", SeatID: 1, Row: "A", Number: 1},
		{OrderCode: "A", SeatID: 2, Row: "A", Number: 2},
		{OrderCode: "B", SeatID: 3, Row: "M", Number: 20},
	}
	to := []Seat{{ID: 101, Row: "A", Number: 1}, {ID: 102, Row: "A", Number: 2}, {ID: 103, Row: "B", Number: 1}}
	p := PlanMove(items, to, false)
	if p.Seats[1] != 101 || p.Seats[2] != 102 || len(p.Seats) != 2 {
		t.Errorf("seats %v", p.Seats)
	}
	if len(p.Lost) != 1 || len(p.Lost["B"]) != 1 || p.Lost["B"][0] != 3 {
		t.Errorf("lost %v", p.Lost)
	}
	same := PlanMove(items, nil, true)
	if len(same.Lost) != 0 || same.Seats[3] != 3 {
		t.Errorf("same auditorium: %+v", same)
	}
}

func TestOverlapError(t *testing.T) {
	loc := time.UTC
	at := time.Date(2026, 3, 1, 19, 0, 0, 0, loc)
	o := Overlap{Wanted: at, Movie: "Dune", StartsAt: at.Add(-time.Hour), ReadyAt: at.Add(time.Hour), Auditorium: "Screen 1"}
	one := OverlapError([]Overlap{o}, 1, loc)
	if one.Code != ECONFLICT || !strings.Contains(one.Message, "“Dune” at Sun 1 Mar 18:00 in Screen 1") {
		t.Errorf("single: %q", one.Message)
	}
	two := o
	two.Wanted = at.Add(24 * time.Hour)
	many := OverlapError([]Overlap{o, two}, 5, loc)
	if !strings.Contains(many.Message, "2 of the 5") || !strings.Contains(many.Message, "Mon 2 Mar 19:00 overlaps") {
		t.Errorf("series: %q", many.Message)
	}
}

func TestPlanSeatRefund(t *testing.T) {
	o := Order{Status: OrderPaid, FeeCents: 200, Items: []OrderItem{
		{SeatID: 1, PriceCents: 1000, Status: ItemSold}, {SeatID: 2, PriceCents: 1000, Status: ItemSold}}}
	c, err := PlanSeatRefund(o, []int64{2})
	if err != nil || c.RefundCents != 1100 || c.All || c.ChargeCents != 0 {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := PlanSeatRefund(o, nil); ErrorCode(err) != ECONFLICT {
		t.Errorf("no seats: %v", err)
	}
}

func TestSalesOfDraftsAndNotYetOpen(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st := Showtime{StartsAt: now.Add(3 * time.Hour), SalesCloseAt: now.Add(3 * time.Hour), CounterCloseAt: now.Add(3*time.Hour + 10*time.Minute), Status: ShowtimeScheduled}
	if !SalesAt(st, now, Settings{}).Open() {
		t.Fatal("a published show without an opening time is on sale")
	}
	draft := st
	draft.Unpublished = true
	if s := SalesAt(draft, now, Settings{}); s.Open() || !strings.Contains(s.Banner, "not on sale") {
		t.Errorf("draft: %+v", s)
	}
	if _, err := HoldUntil(draft, now, Settings{}); ErrorCode(err) != EGONE {
		t.Errorf("hold on a draft: %v", err)
	}
	if !CounterOpen(draft, now, Settings{}) {
		t.Error("staff may still sell a draft at the counter")
	}
	opens := now.Add(time.Hour)
	later := st
	later.SalesOpenAt = &opens
	if s := SalesAt(later, now, Settings{}); s.Open() || !strings.Contains(s.Banner, "haven't opened") {
		t.Errorf("not yet open: %+v", s)
	}
	if !SalesAt(later, opens, Settings{}).Open() {
		t.Error("open from SalesOpenAt")
	}
}
