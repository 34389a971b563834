package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"marquee/booking"
	"marquee/db/dbtest"
)

// msEnv is the after-sale env (one London theatre with Screen 1 and its
// showtime at showStart, a test refunder, captured mail) with a second,
// smaller auditorium (Screen 2: rows A–C of 10 seats) in the same theatre.
type msEnv struct {
	*asEnv
	theatreID int64
	screen2   int64
}

func newManageShowtimesEnv(t *testing.T) *msEnv {
	t.Helper()
	e := &msEnv{asEnv: newAfterSaleEnv(t, booking.AfterSale{})}
	x := dbtest.SQL(t, e.acc.db)
	ctx := context.Background()
	if err := x.GetContext(ctx, &e.theatreID, `SELECT theatre_id FROM auditoriums WHERE id = $1`, e.show.AuditoriumID); err != nil {
		t.Fatal(err)
	}
	if err := x.GetContext(ctx, &e.screen2, `INSERT INTO auditoriums (theatre_id, name, rows, cols, capacity) VALUES ($1, 'Screen 2', 3, 10, 30) RETURNING id`, e.theatreID); err != nil {
		t.Fatal(err)
	}
	for y := 0; y < 3; y++ {
		for x0 := 0; x0 < 10; x0++ {
			if _, err := x.ExecContext(ctx, `INSERT INTO seats (auditorium_id, row_label, number, x, y) VALUES ($1, $2, $3, $4, $5)`,
				e.screen2, string(rune('A'+y)), x0+1, x0, y); err != nil {
				t.Fatal(err)
			}
		}
	}
	return e
}

// manager signs in a manager belonging to the theatres.
func (e *msEnv) manager(email string, theatres ...int64) *client {
	e.acc.t.Helper()
	u := e.acc.user(email, "correct horse battery", booking.RoleManager, true)
	if _, err := e.acc.db.SetStaffTheatres(context.Background(), u.ID, theatres); err != nil {
		e.acc.t.Fatal(err)
	}
	cl := e.acc.client()
	if resp, _ := cl.login(email, "correct horse battery", false); resp.StatusCode != http.StatusSeeOther {
		e.acc.t.Fatalf("login %s: %d", email, resp.StatusCode)
	}
	return cl
}

func (e *msEnv) count(q string, args ...any) int {
	e.acc.t.Helper()
	var n int
	if err := dbtest.SQL(e.acc.t, e.acc.db).GetContext(context.Background(), &n, q, args...); err != nil {
		e.acc.t.Fatal(err)
	}
	return n
}

func (e *msEnv) scheduleForm(date, times string) url.Values {
	return url.Values{"movie": {strconv.FormatInt(e.show.MovieID, 10)}, "auditorium": {strconv.FormatInt(e.show.AuditoriumID, 10)},
		"price_card": {strconv.FormatInt(e.show.PriceCardID, 10)}, "format": {"2D"}, "version": {"original"},
		"from": {date}, "times": {times}, "sales_close": {"0"}, "counter_close": {"10"}, "published": {"1"}}
}

func showPath(id int64, rest string) string {
	return "/manage/showtimes/" + strconv.FormatInt(id, 10) + rest
}

func TestManageShowtimesRefusesOthers(t *testing.T) {
	e := newManageShowtimesEnv(t)
	// A second theatre, and a manager who only belongs to it.
	var other int64
	if err := dbtest.SQL(t, e.acc.db).GetContext(context.Background(), &other,
		`INSERT INTO theatres (slug, name, time_zone) VALUES ('elsewhere', 'Elsewhere', 'America/New_York') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	stranger := e.manager("stranger@example.com", other)
	id := e.show.ShowtimeID
	for _, path := range []string{showPath(id, ""), showPath(id, "/move"), showPath(id, "/cancel"), showPath(id, "/affected"),
		"/manage/showtimes?theatre=" + strconv.FormatInt(e.theatreID, 10),
		"/manage/showtimes/new?theatre=" + strconv.FormatInt(e.theatreID, 10)} {
		resp, _ := stranger.get(path)
		wantStatus(t, resp, http.StatusForbidden)
	}
	stranger.get("/manage/showtimes")
	for _, post := range []struct {
		path string
		form url.Values
	}{
		{"/manage/showtimes", e.scheduleForm("2026-11-27", "14:00")},
		{showPath(id, ""), e.scheduleForm("2026-11-25", "20:00")},
		{showPath(id, "/publish"), url.Values{"published": {"0"}}},
		{showPath(id, "/move"), url.Values{"auditorium": {strconv.FormatInt(e.screen2, 10)}, "date": {"2026-11-25"}, "time": {"21:00"}, "confirm": {"1"}}},
		{showPath(id, "/cancel"), url.Values{"confirm": {"1"}}},
	} {
		resp, _ := stranger.post(post.path, post.form)
		wantStatus(t, resp, http.StatusForbidden)
	}
	// The stranger's programme doesn't show this theatre's show.
	resp, doc := stranger.get("/manage/showtimes?date=2026-11-25")
	wantStatus(t, resp, http.StatusOK)
	if doc.Find(`[data-testid="programme-row"]`).Length() != 0 {
		t.Error("another theatre's show is in the programme")
	}

	for _, role := range []booking.Role{booking.RoleCustomer, booking.RoleStaff} {
		cl := e.acc.signedIn(string(role)+"@example.com", role)
		if resp, _ := cl.get("/account"); resp.StatusCode != http.StatusOK || cl.csrf == "" {
			t.Fatalf("account page: %d", resp.StatusCode)
		}
		resp, _ := cl.get("/manage/showtimes")
		wantStatus(t, resp, http.StatusForbidden)
		resp, _ = cl.post("/manage/showtimes", e.scheduleForm("2026-11-27", "14:00"))
		wantStatus(t, resp, http.StatusForbidden)
		resp, _ = cl.post(showPath(id, "/cancel"), url.Values{"confirm": {"1"}})
		wantStatus(t, resp, http.StatusForbidden)
	}
	resp, _ = e.acc.client().get("/manage/showtimes")
	wantRedirect(t, resp, "/login")
	if e.count(`SELECT count(*) FROM showtimes WHERE status = 'scheduled'`) != 1 {
		t.Fatal("a refused request changed the programme")
	}
}

func TestScheduleShowtimesAndOverlaps(t *testing.T) {
	e := newManageShowtimesEnv(t)
	m := e.manager("m@example.com", e.theatreID)

	resp, doc := m.get("/manage/showtimes/new")
	wantStatus(t, resp, http.StatusOK)
	if doc.Find(`select[name="auditorium"] option[value="`+strconv.FormatInt(e.screen2, 10)+`"]`).Length() != 1 {
		t.Fatal("Screen 2 is not offered")
	}

	// One showtime, subtitled with captions: the programme lists it.
	f := e.scheduleForm("2026-11-26", "14:00")
	f.Set("version", "subtitled")
	f.Set("language", "English")
	f.Set("captions", "1")
	resp, _ = m.post("/manage/showtimes", f)
	wantRedirect(t, resp, "/manage/showtimes?")
	if n := e.count(`SELECT count(*) FROM showtimes WHERE starts_at = '2026-11-26 14:00Z' AND ready_at = '2026-11-26 16:30Z'
		AND ends_at = '2026-11-26 16:10Z' AND version = 'subtitled' AND language = 'English' AND captions`); n != 1 {
		t.Fatalf("scheduled showtime (start, trailers + runtime, cleaning, attributes): %d rows", n)
	}
	resp, doc = m.get("/manage/showtimes?date=2026-11-26")
	wantStatus(t, resp, http.StatusOK)
	row := doc.Find(`[data-testid="programme-row"]`)
	if row.Length() != 1 || !strings.Contains(row.Text(), "14:00") || !strings.Contains(row.Text(), "Sub English") {
		t.Fatalf("programme row: %q", row.Text())
	}
	// Searching by title finds it; another title doesn't.
	if _, doc := m.get("/manage/showtimes?date=2026-11-26&q=test+pic"); doc.Find(`[data-testid="programme-row"]`).Length() != 1 {
		t.Error("search by title")
	}
	if _, doc := m.get("/manage/showtimes?date=2026-11-26&q=nothing"); doc.Find(`[data-testid="programme-row"]`).Length() != 0 {
		t.Error("search for another title")
	}
	if _, doc := m.get("/manage/showtimes?date=2026-11-26&auditorium=" + strconv.FormatInt(e.screen2, 10)); doc.Find(`[data-testid="programme-row"]`).Length() != 0 {
		t.Error("filter by screen")
	}
	if resp, _ := m.get("/manage/showtimes?date=26/11"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad date: %d", resp.StatusCode)
	}

	// Overlapping it (15:00 is inside 14:00–16:30) is refused by the database, naming the show.
	before := e.count(`SELECT count(*) FROM showtimes`)
	resp, doc = m.post("/manage/showtimes", e.scheduleForm("2026-11-26", "15:00"))
	wantStatus(t, resp, http.StatusConflict)
	msg := doc.Find(`[data-testid="form-error"]`).Text()
	if !strings.Contains(msg, "“The Test Picture” at Thu 26 Nov 14:00 in Screen 1") {
		t.Fatalf("overlap message %q", msg)
	}
	// A series is all or nothing and names every conflict.
	f = e.scheduleForm("2026-11-26", "10:00 14:30")
	f.Set("to", "2026-11-28")
	resp, doc = m.post("/manage/showtimes", f)
	wantStatus(t, resp, http.StatusConflict)
	msg = doc.Find(`[data-testid="form-error"]`).Text()
	if !strings.Contains(msg, "1 of the 6 showtimes") || !strings.Contains(msg, "Thu 26 Nov 14:30 overlaps “The Test Picture” at Thu 26 Nov 14:00") {
		t.Fatalf("series overlap message %q", msg)
	}
	// Two conflicts in one series are both named (the existing 20:00 show of the 25th, and the 14:00 of the 26th).
	f = e.scheduleForm("2026-11-25", "19:00")
	f.Set("to", "2026-11-26")
	f.Set("times", "15:30 19:00")
	resp, doc = m.post("/manage/showtimes", f)
	wantStatus(t, resp, http.StatusConflict)
	msg = doc.Find(`[data-testid="form-error"]`).Text()
	if !strings.Contains(msg, "2 of the 4") || !strings.Contains(msg, "Wed 25 Nov 20:00") || !strings.Contains(msg, "Thu 26 Nov 14:00") {
		t.Fatalf("two conflicts: %q", msg)
	}
	if e.count(`SELECT count(*) FROM showtimes`) != before {
		t.Fatal("a refused series left showtimes behind")
	}
	// Without the conflict the series goes in whole: weekdays Fri/Sat only of 26–29 Nov, two times a day.
	f = e.scheduleForm("2026-11-26", "10:00 18:30")
	f.Set("to", "2026-11-29")
	f["weekday"] = []string{"5", "6"}
	resp, _ = m.post("/manage/showtimes", f)
	wantRedirect(t, resp, "/manage/showtimes?")
	if n := e.count(`SELECT count(*) FROM showtimes`); n != before+4 {
		t.Fatalf("series of 4: %d showtimes, want %d", n, before+4)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'showtime.schedule'`); n != 2 {
		t.Fatalf("audit entries: %d", n)
	}

	// Bad input is 422 with the field named; nothing is written.
	bad := []struct {
		field string
		mod   func(url.Values)
	}{
		{"times", func(v url.Values) { v.Set("times", "25:00") }},
		{"movie", func(v url.Values) { v.Set("movie", "") }},
		{"price_card", func(v url.Values) { v.Set("price_card", "999999") }},
		{"format", func(v url.Values) { v.Set("format", "8D") }},
		{"language", func(v url.Values) { v.Set("version", "dubbed") }},
		{"counter_close", func(v url.Values) { v.Set("counter_close", "-30") }},
		{"from", func(v url.Values) { v.Set("from", "soon") }},
		{"from", func(v url.Values) { v.Set("from", "2026-11-24") }}, // in the past
	}
	n := e.count(`SELECT count(*) FROM showtimes`)
	for _, b := range bad {
		v := e.scheduleForm("2026-12-01", "12:00")
		b.mod(v)
		resp, doc := m.post("/manage/showtimes", v)
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if doc.Find(`[data-testid="error-`+b.field+`"]`).Length() != 1 {
			t.Errorf("%s: no error on the field", b.field)
		}
	}
	if e.count(`SELECT count(*) FROM showtimes`) != n {
		t.Fatal("bad input scheduled something")
	}
}

// A series over the clocks going forward keeps its local time: 19:30 in
// London is 19:30 UTC before 28 March 2027 and 18:30 UTC after.
func TestScheduleSeriesAcrossDST(t *testing.T) {
	e := newManageShowtimesEnv(t)
	m := e.manager("m@example.com", e.theatreID)
	f := e.scheduleForm("2027-03-27", "19:30")
	f.Set("to", "2027-03-29")
	m.get("/manage/showtimes/new")
	resp, _ := m.post("/manage/showtimes", f)
	wantRedirect(t, resp, "/manage/showtimes?")
	var got []time.Time
	if err := dbtest.SQL(t, e.acc.db).SelectContext(context.Background(), &got,
		`SELECT starts_at FROM showtimes WHERE starts_at > '2027-01-01' ORDER BY starts_at`); err != nil {
		t.Fatal(err)
	}
	want := []string{"2027-03-27T19:30:00Z", "2027-03-28T18:30:00Z", "2027-03-29T18:30:00Z"}
	if len(got) != len(want) {
		t.Fatalf("starts %v", got)
	}
	for i, w := range want {
		if g := got[i].UTC().Format(time.RFC3339); g != w {
			t.Errorf("start %d = %s, want %s", i, g, w)
		}
	}
	// The programme shows them at 19:30 local every day.
	_, doc := m.get("/manage/showtimes?date=2027-03-27&days=7")
	if n := doc.Find(`[data-testid="programme-row"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), "19:30")
	}).Length(); n != 3 {
		t.Fatalf("%d rows at 19:30 local", n)
	}
	// 01:30 on the night the clocks go forward doesn't exist: refused.
	f = e.scheduleForm("2027-03-28", "01:30")
	resp, doc = m.post("/manage/showtimes", f)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if !strings.Contains(doc.Find(`[data-testid="error-times"]`).Text(), "clocks go forward") {
		t.Error("no word about the clock change")
	}
}

func TestEditPublishAndAttributesForCustomers(t *testing.T) {
	e := newManageShowtimesEnv(t)
	m := e.manager("m@example.com", e.theatreID)
	id := e.show.ShowtimeID
	e.paid(nil, e.show.SeatIDs[45], e.show.SeatIDs[46])

	resp, doc := m.get(showPath(id, ""))
	wantStatus(t, resp, http.StatusOK)
	if !strings.Contains(doc.Find(`[data-testid="locked"]`).Text(), "Move") {
		t.Error("edit page doesn't say the time changes only by Move")
	}
	form := func() url.Values {
		v := e.scheduleForm("2026-11-25", "20:00")
		v.Set("format", "IMAX")
		v.Set("version", "dubbed")
		v.Set("language", "German")
		v.Set("audio_description", "1")
		v.Set("event", "Premiere")
		return v
	}
	// Attributes of a show with sales may change.
	resp, _ = m.post(showPath(id, ""), form())
	wantRedirect(t, resp, showPath(id, ""))
	// Its start may not: that is Move.
	v := form()
	v.Set("times", "21:00")
	resp, doc = m.post(showPath(id, ""), v)
	wantStatus(t, resp, http.StatusConflict)
	if !strings.Contains(doc.Find(`[data-testid="form-error"]`).Text(), "Move") {
		t.Error("no pointer to Move")
	}
	// Nor can it be withdrawn with tickets sold.
	resp, _ = m.post(showPath(id, "/publish"), url.Values{"published": {"0"}})
	wantStatus(t, resp, http.StatusConflict)
	resp, _ = m.post(showPath(id, "/publish"), url.Values{"published": {"maybe"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'showtime.edit' AND data->'before'->>'format' = '2D' AND data->'after'->>'format' = 'IMAX'`); n != 1 {
		t.Fatalf("edit audit with before/after: %d", n)
	}

	// Customers see the attributes: what's on, the showtime page, the API (validated against the document).
	guest := e.acc.client()
	_, doc = guest.get("/?date=2026-11-25")
	link := doc.Find(`[data-testid="showtime-link"][data-showtime-id="` + strconv.FormatInt(id, 10) + `"]`)
	if txt := link.Text(); !strings.Contains(txt, "IMAX") || !strings.Contains(txt, "Dubbed (German)") || !strings.Contains(txt, "AD") {
		t.Fatalf("what's on chip %q", txt)
	}
	_, doc = guest.get("/showtimes/" + strconv.FormatInt(id, 10))
	if txt := doc.Find(`[data-testid="showtime-attr"]`).Text(); !strings.Contains(txt, "Audio description") || !strings.Contains(txt, "Special event: Premiere") {
		t.Fatalf("showtime page attributes %q", txt)
	}
	api := e.bk.apiClient("api@example.com")
	var detail struct {
		Version, Language, Event string
		AudioDescription         bool `json:"audioDescription"`
	}
	api.call(http.MethodGet, "/api/v1/showtimes/"+strconv.FormatInt(id, 10), "", nil, &detail)
	if detail.Version != "dubbed" || detail.Language != "German" || !detail.AudioDescription || detail.Event != "Premiere" {
		t.Fatalf("API detail %+v", detail)
	}
	var list struct {
		Items []struct {
			ID      int64  `json:"id"`
			Version string `json:"version"`
		} `json:"items"`
	}
	api.call(http.MethodGet, "/api/v1/showtimes?date=2026-11-25", "", nil, &list)
	if len(list.Items) != 1 || list.Items[0].Version != "dubbed" {
		t.Fatalf("API list %+v", list)
	}

	// A draft: scheduled unpublished, it is invisible to customers and the API, visible to staff.
	f := e.scheduleForm("2026-11-26", "12:00")
	f.Del("published")
	resp, _ = m.post("/manage/showtimes", f)
	wantRedirect(t, resp, "/manage/showtimes?")
	var draft int64
	if err := dbtest.SQL(t, e.acc.db).GetContext(context.Background(), &draft, `SELECT id FROM showtimes WHERE NOT published`); err != nil {
		t.Fatal(err)
	}
	resp, _ = guest.get("/showtimes/" + strconv.FormatInt(draft, 10))
	wantStatus(t, resp, http.StatusNotFound)
	if r := api.call(http.MethodGet, "/api/v1/showtimes/"+strconv.FormatInt(draft, 10), "", nil, nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("API detail of a draft: %d", r.StatusCode)
	}
	api.call(http.MethodGet, "/api/v1/showtimes?date=2026-11-26", "", nil, &list)
	if len(list.Items) != 0 {
		t.Fatalf("draft in the API list: %+v", list)
	}
	if _, doc := guest.get("/?date=2026-11-26"); doc.Find(`[data-testid="showtime-link"]`).Length() != 0 {
		t.Fatal("draft on what's on")
	}
	staff := e.acc.signedIn("staff@example.com", booking.RoleStaff)
	resp, _ = staff.get("/showtimes/" + strconv.FormatInt(draft, 10))
	wantStatus(t, resp, http.StatusOK)
	_, doc = m.get("/manage/showtimes?date=2026-11-26&status=draft")
	if doc.Find(`[data-testid="programme-row"][data-status="draft"]`).Length() != 1 {
		t.Fatal("draft not in the manager's drafts")
	}
	// Published, customers see it.
	m.get(showPath(draft, ""))
	resp, _ = m.post(showPath(draft, "/publish"), url.Values{"published": {"1"}})
	wantRedirect(t, resp, showPath(draft, ""))
	resp, _ = guest.get("/showtimes/" + strconv.FormatInt(draft, 10))
	wantStatus(t, resp, http.StatusOK)
	// Without orders, its start can change on the edit form.
	v = e.scheduleForm("2026-11-26", "11:00")
	resp, _ = m.post(showPath(draft, ""), v)
	wantRedirect(t, resp, showPath(draft, ""))
	if e.count(`SELECT count(*) FROM showtimes WHERE id = $1 AND starts_at = '2026-11-26 11:00Z'`, draft) != 1 {
		t.Fatal("start not changed")
	}
}

func TestCancelShowtimeRefundsAndSummarises(t *testing.T) {
	e := newManageShowtimesEnv(t)
	m := e.manager("m@example.com", e.theatreID)
	id := e.show.ShowtimeID
	o := e.paid(nil, e.show.SeatIDs[45], e.show.SeatIDs[46])

	resp, doc := m.get(showPath(id, "/cancel"))
	wantStatus(t, resp, http.StatusOK)
	if txt := doc.Find(`[data-testid="cancel-counts"]`).Text(); !strings.Contains(txt, "1 paid orders with 2 seats") {
		t.Fatalf("confirm step %q", txt)
	}
	// Not confirmed: 422, nothing happens.
	resp, _ = m.post(showPath(id, "/cancel"), url.Values{})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if e.count(`SELECT count(*) FROM showtimes WHERE id = $1 AND status = 'scheduled'`, id) != 1 {
		t.Fatal("cancelled without confirmation")
	}
	resp, _ = m.post(showPath(id, "/cancel"), url.Values{"confirm": {"1"}})
	wantRedirect(t, resp, showPath(id, "/affected"))
	if e.count(`SELECT count(*) FROM refunds WHERE order_id = $1 AND reason = 'showtime_cancelled' AND amount_cents = $2 AND status = 'succeeded'`, o.ID, o.TotalCents) != 1 {
		t.Fatal("no full refund in the ledger")
	}
	if len(e.ref.amounts) != 1 || e.ref.amounts[0] != o.TotalCents {
		t.Fatalf("refunds sent %v", e.ref.amounts)
	}
	msg, ok := e.acc.mail.Last("buyer@example.com")
	if !ok || !strings.Contains(msg.Subject, "cancelled") {
		t.Fatalf("customer e-mail %+v", msg)
	}
	resp, doc = m.get(showPath(id, "/affected?done=cancelled"))
	wantStatus(t, resp, http.StatusOK)
	row := doc.Find(`[data-testid="affected-row"][data-order="` + o.Code + `"]`)
	if row.Length() != 1 || !strings.Contains(row.Text(), "buyer@example.com") || !strings.Contains(row.Text(), "cancelled, sent") {
		t.Fatalf("summary row %q", row.Text())
	}
	if e.count(`SELECT count(*) FROM audit_log WHERE action = 'showtime.cancel' AND data->'before'->>'status' = 'scheduled' AND data->'after'->>'status' = 'cancelled'`) != 1 {
		t.Fatal("no audit with before/after")
	}
	// Again: refused, it is cancelled already.
	resp, _ = m.post(showPath(id, "/cancel"), url.Values{"confirm": {"1"}})
	wantStatus(t, resp, http.StatusConflict)
}

func TestMoveShowtimeKeepsSeatsRefundsTheRest(t *testing.T) {
	e := newManageShowtimesEnv(t)
	m := e.manager("m@example.com", e.theatreID)
	id := e.show.ShowtimeID
	// Row A seats 3 and 4 exist in Screen 2; J5 doesn't.
	keep := e.paid(nil, e.show.SeatIDs[2], e.show.SeatIDs[3])
	lose := dbtest.PaidOrder(t, e.acc.db, e.show, "other@example.com", nil, e.acc.clock.Now(), e.show.SeatIDs[184])
	// A show already in Screen 2 at 17:00 (until 19:40 with cleaning) is in the way of an 18:00 move.
	m.get("/manage/showtimes/new")
	f := e.scheduleForm("2026-11-25", "17:00")
	f.Set("auditorium", strconv.FormatInt(e.screen2, 10))
	if resp, _ := m.post("/manage/showtimes", f); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("schedule: %d", resp.StatusCode)
	}
	target := url.Values{"auditorium": {strconv.FormatInt(e.screen2, 10)}, "date": {"2026-11-25"}, "time": {"18:00"}}
	m.get(showPath(id, "/move"))
	resp, doc := m.post(showPath(id, "/move"), target)
	wantStatus(t, resp, http.StatusConflict)
	if !strings.Contains(doc.Find(`[data-testid="form-error"]`).Text(), "at Wed 25 Nov 17:00 in Screen 2") {
		t.Fatalf("move overlap %q", doc.Find(`[data-testid="form-error"]`).Text())
	}
	// Into the past: 422.
	past := url.Values{"auditorium": {strconv.FormatInt(e.screen2, 10)}, "date": {"2026-11-25"}, "time": {"09:00"}}
	resp, _ = m.post(showPath(id, "/move"), past)
	wantStatus(t, resp, http.StatusUnprocessableEntity)

	// The confirm step counts what the move does, and changes nothing.
	target.Set("time", "20:30")
	resp, doc = m.post(showPath(id, "/move"), target)
	wantStatus(t, resp, http.StatusOK)
	if txt := doc.Find(`[data-testid="move-counts"]`).Text(); !strings.Contains(txt, "2 paid orders move with it, keeping 2 seats") {
		t.Fatalf("confirm counts %q", txt)
	}
	if txt := doc.Find(`[data-testid="move-lost"]`).Text(); !strings.Contains(txt, "1 seats of 1 orders") {
		t.Fatalf("confirm lost %q", txt)
	}
	if e.count(`SELECT count(*) FROM showtimes WHERE id = $1 AND auditorium_id = $2`, id, e.show.AuditoriumID) != 1 {
		t.Fatal("the confirm step moved the show")
	}
	target.Set("confirm", "1")
	resp, _ = m.post(showPath(id, "/move"), target)
	wantRedirect(t, resp, showPath(id, "/affected"))

	if e.count(`SELECT count(*) FROM showtimes WHERE id = $1 AND auditorium_id = $2 AND starts_at = '2026-11-25 20:30Z'`, id, e.screen2) != 1 {
		t.Fatal("show not moved")
	}
	// The kept seats are A3 and A4 of Screen 2, in the order and its claims.
	if n := e.count(`SELECT count(*) FROM order_items i JOIN seats s ON s.id = i.seat_id
		WHERE i.order_id = $1 AND i.status = 'sold' AND s.auditorium_id = $2 AND s.row_label = 'A' AND s.number IN (3, 4)`, keep.ID, e.screen2); n != 2 {
		t.Fatalf("kept seats: %d", n)
	}
	if n := e.count(`SELECT count(*) FROM seat_claims c JOIN seats s ON s.id = c.seat_id WHERE c.order_id = $1 AND s.auditorium_id = $2`, keep.ID, e.screen2); n != 2 {
		t.Fatalf("kept claims: %d", n)
	}
	// J5 is refunded through the ledger.
	if e.count(`SELECT count(*) FROM refunds WHERE order_id = $1 AND reason = 'showtime_cancelled' AND amount_cents = $2`, lose.ID, lose.TotalCents) != 1 {
		t.Fatal("lost seat not refunded in full")
	}
	// Both customers are e-mailed.
	if msg, ok := e.acc.mail.Last("buyer@example.com"); !ok || !strings.Contains(msg.Subject, "moved") || !strings.Contains(msg.Text, "Screen 2") {
		t.Fatalf("moved e-mail %+v", msg)
	}
	if msg, ok := e.acc.mail.Last("other@example.com"); !ok || !strings.Contains(msg.Subject, "Cancellation") {
		t.Fatalf("refund e-mail %+v", msg)
	}
	_, doc = m.get(showPath(id, "/affected?done=moved"))
	if txt := doc.Find(`[data-testid="affected-row"][data-order="` + keep.Code + `"]`).Text(); !strings.Contains(txt, "moved, sent") || !strings.Contains(txt, "2 kept") {
		t.Fatalf("summary of the kept order %q", txt)
	}
	if txt := doc.Find(`[data-testid="affected-row"][data-order="` + lose.Code + `"]`).Text(); !strings.Contains(txt, "1 cancelled") {
		t.Fatalf("summary of the refunded order %q", txt)
	}
	if e.count(`SELECT count(*) FROM audit_log WHERE action = 'showtime.move' AND data->'before'->>'auditorium' = 'Screen 1' AND data->'after'->>'auditorium' = 'Screen 2'`) != 1 {
		t.Fatal("no move audit with before/after")
	}
	// The seat map of the moved show is Screen 2's, with the kept seats sold.
	resp, _ = e.acc.client().get("/showtimes/" + strconv.FormatInt(id, 10))
	wantStatus(t, resp, http.StatusOK)
}

// TestScheduleRefusesAnotherTheatresPriceCard: a manager may sell their
// shows by their theatre's cards or shared ones, never another theatre's.
func TestScheduleRefusesAnotherTheatresPriceCard(t *testing.T) {
	e := newManageShowtimesEnv(t)
	m := e.manager("m@example.com", e.theatreID)
	var other, card int64
	raw := dbtest.SQL(t, e.acc.db)
	if err := raw.GetContext(context.Background(), &other, `INSERT INTO theatres (slug, name, time_zone) VALUES ('far', 'Far Away', 'UTC') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	if err := raw.GetContext(context.Background(), &card, `INSERT INTO price_cards (name, currency, theatre_id) VALUES ('Far card', 'usd', $1) RETURNING id`, other); err != nil {
		t.Fatal(err)
	}
	_, doc := m.get("/manage/showtimes/new")
	if doc.Find(`select[name="price_card"] option[value="`+strconv.FormatInt(card, 10)+`"]`).Length() != 0 {
		t.Error("the schedule form offers another theatre's price card")
	}
	f := e.scheduleForm("2026-11-26", "14:00")
	f.Set("price_card", strconv.FormatInt(card, 10))
	resp, _ := m.post("/manage/showtimes", f)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if n := e.count(`SELECT count(*) FROM showtimes WHERE price_card_id = $1`, card); n != 0 {
		t.Fatalf("%d showtimes sold by another theatre's card", n)
	}
}
