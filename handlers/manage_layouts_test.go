package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"marquee/booking"
	"marquee/db/dbtest"
	"marquee/views"
)

// layoutEnv: a theatre with the 200-seat auditorium of dbtest.AddShowtime and
// a coming showtime, another theatre with its own auditorium, and a manager
// who belongs to the first theatre only.
type layoutEnv struct {
	*accEnv
	show     dbtest.Show
	theatre  int64
	other    int64 // the other theatre
	otherAud int64
	manager  *client
}

func newLayoutEnv(t *testing.T) *layoutEnv {
	t.Helper()
	e := &layoutEnv{accEnv: newAccEnv(t)}
	ctx := context.Background()
	e.show = dbtest.AddShowtime(t, e.db, e.clock.Now().Add(48*time.Hour))
	info, err := e.db.ShowtimeInfo(ctx, e.show.ShowtimeID)
	if err != nil {
		t.Fatal(err)
	}
	e.theatre = info.Theatre.ID
	if err := dbtest.SQL(t, e.db).GetContext(ctx, &e.other, `INSERT INTO theatres (slug, name, time_zone) VALUES ('elsewhere', 'Elsewhere Cinema', 'UTC') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	starter, _ := booking.StarterLayout(2, 3)
	if e.otherAud, err = e.db.CreateAuditorium(ctx, e.other, "Far Screen", starter); err != nil {
		t.Fatal(err)
	}
	e.manager = e.staffOf("manager@example.com", booking.RoleManager, e.theatre)
	return e
}

// staffOf signs in a new staff member or manager belonging to theatres.
func (e *layoutEnv) staffOf(email string, role booking.Role, theatres ...int64) *client {
	e.t.Helper()
	u := e.user(email, "correct horse battery", role, true)
	if _, err := e.db.SetStaffTheatres(context.Background(), u.ID, theatres); err != nil {
		e.t.Fatal(err)
	}
	cl := e.client()
	if resp, _ := cl.login(email, "correct horse battery", false); resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: %d", email, resp.StatusCode)
	}
	return cl
}

func (e *layoutEnv) editorPath(id int64) string {
	return "/manage/auditoriums/" + strconv.FormatInt(id, 10)
}

// currentCSV is the auditorium's layout as the export writes it.
func (e *layoutEnv) currentCSV(id int64) string {
	e.t.Helper()
	seats, err := e.db.AuditoriumSeats(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	var b bytes.Buffer
	if err := booking.WriteLayoutCSV(&b, seats); err != nil {
		e.t.Fatal(err)
	}
	return b.String()
}

func (e *layoutEnv) layoutID(id int64) string {
	e.t.Helper()
	a, err := e.db.ManagedAuditoriumByID(context.Background(), id, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return strconv.FormatInt(a.LayoutID, 10)
}

// lastAudit returns the newest audit entry of action.
func (e *layoutEnv) lastAudit(action string) (booking.AuditEntry, map[string]any) {
	e.t.Helper()
	entries, _, err := e.db.AuditLog(context.Background(), booking.AuditFilter{Action: action, Limit: 1})
	if err != nil || len(entries) == 0 {
		e.t.Fatalf("no %s audit entry: %v", action, err)
	}
	var data map[string]any
	if err := json.Unmarshal(entries[0].Data, &data); err != nil {
		e.t.Fatal(err)
	}
	return entries[0], data
}

func replaceLine(csv, old, new string) string {
	if !strings.Contains(csv, old+"\n") {
		panic("no line " + old)
	}
	return strings.Replace(csv, old+"\n", new+"\n", 1)
}

func TestManageAuditoriumsList(t *testing.T) {
	e := newLayoutEnv(t)
	resp, doc := e.manager.get("/manage/auditoriums")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	rows := doc.Find(`[data-testid="auditorium-row"]`)
	if rows.Length() != 1 || rows.AttrOr("data-name", "") != "Screen 1" {
		t.Fatalf("manager sees %d auditoriums: %q", rows.Length(), rows.Text())
	}
	if !strings.Contains(rows.Text(), "200 for sale of 200") || !strings.Contains(rows.Text(), "version 1") {
		t.Errorf("row: %q", rows.Text())
	}
	if doc.Find(`[data-testid="manage-auditoriums"] nav[aria-label="Manage"] a[aria-current="page"]`).Text() != "Auditoriums" {
		t.Error("the manage nav doesn't mark Auditoriums")
	}
	// The add form offers only the manager's theatre.
	if opts := doc.Find(`select[name="theatre"] option`); opts.Length() != 1 || opts.AttrOr("value", "") != strconv.FormatInt(e.theatre, 10) {
		t.Errorf("theatre options: %d", opts.Length())
	}
	admin := e.signedIn("admin@example.com", booking.RoleAdmin)
	_, doc = admin.get("/manage/auditoriums")
	if n := doc.Find(`[data-testid="auditorium-row"]`).Length(); n != 2 {
		t.Errorf("admin sees %d auditoriums, want 2", n)
	}
	_, doc = admin.get("/manage/auditoriums?q=far")
	if rows := doc.Find(`[data-testid="auditorium-row"]`); rows.Length() != 1 || rows.AttrOr("data-name", "") != "Far Screen" {
		t.Errorf("search: %d rows", rows.Length())
	}
	// Customers and box-office staff don't get in.
	for _, cl := range []*client{e.signedIn("c@example.com", booking.RoleCustomer), e.staffOf("s@example.com", booking.RoleStaff, e.theatre)} {
		if resp, _ := cl.get("/manage/auditoriums"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("status %d, want 403", resp.StatusCode)
		}
	}
}

func TestManageAuditoriumCreate(t *testing.T) {
	e := newLayoutEnv(t)
	e.manager.get("/manage/auditoriums")
	resp, _ := e.manager.post("/manage/auditoriums", url.Values{"theatre": {strconv.FormatInt(e.theatre, 10)}, "name": {"Studio 2"}, "rows": {"4"}, "perRow": {"8"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	id, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/manage/auditoriums/"), 10, 64)
	a, err := e.db.ManagedAuditoriumByID(context.Background(), id, e.clock.Now())
	if err != nil || a.Name != "Studio 2" || a.Seats != 32 || a.TheatreID != e.theatre {
		t.Fatalf("created %+v, %v (Location %q)", a, err, loc)
	}
	entry, data := e.lastAudit("manage.auditorium.create")
	if entry.Subject != "auditorium:"+strconv.FormatInt(id, 10) || data["after"].(map[string]any)["standard"] != float64(32) {
		t.Errorf("audit %s %v", entry.Subject, data)
	}
	_, doc := e.manager.get(loc)
	if !strings.Contains(doc.Find(`[data-testid="flash"]`).Text(), "Studio 2 is added") {
		t.Errorf("flash: %q", doc.Find(`[data-testid="flash"]`).Text())
	}

	// Refused: bad input (422), the same name again (409), another theatre (403).
	resp, doc = e.manager.post("/manage/auditoriums", url.Values{"theatre": {strconv.FormatInt(e.theatre, 10)}, "name": {""}, "rows": {"40"}, "perRow": {"8"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-testid="error-name"]`).Length() != 1 || doc.Find(`[data-testid="error-rows"]`).Length() != 1 {
		t.Errorf("bad input: status %d", resp.StatusCode)
	}
	resp, doc = e.manager.post("/manage/auditoriums", url.Values{"theatre": {strconv.FormatInt(e.theatre, 10)}, "name": {"Studio 2"}, "rows": {"2"}, "perRow": {"2"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(doc.Find(`[data-testid="error-name"]`).Text(), "already has an auditorium called Studio 2") {
		t.Errorf("duplicate: status %d", resp.StatusCode)
	}
	resp, _ = e.manager.post("/manage/auditoriums", url.Values{"theatre": {strconv.FormatInt(e.other, 10)}, "name": {"Mine now"}, "rows": {"2"}, "perRow": {"2"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("other theatre: status %d, want 403", resp.StatusCode)
	}
	admin := e.signedIn("admin@example.com", booking.RoleAdmin)
	if resp, _ := admin.submit("/manage/auditoriums", "/manage/auditoriums", url.Values{"theatre": {"987654"}, "name": {"Nowhere"}, "rows": {"2"}, "perRow": {"2"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown theatre: status %d, want 422", resp.StatusCode)
	}
	if list, _ := e.db.ManagedAuditoriums(context.Background(), booking.Scope{All: true}, "Mine now", e.clock.Now()); len(list) != 0 {
		t.Error("an auditorium was created in another theatre")
	}
}

func TestLayoutEditorPage(t *testing.T) {
	e := newLayoutEnv(t)
	dbtest.PaidOrder(t, e.db, e.show, "a@example.com", nil, e.clock.Now(), e.show.SeatIDs[24]) // B5
	resp, doc := e.manager.get(e.editorPath(e.show.AuditoriumID))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	csv := doc.Find(`textarea[name="csv"]`).Text()
	if seats, problems := booking.ParseLayoutCSV(strings.NewReader(csv)); problems != nil || len(seats) != 200 {
		t.Fatalf("editor CSV: %d seats, %v", len(seats), problems)
	}
	grid := doc.Find(`[data-testid="layout-grid"]`)
	if grid.AttrOr("role", "") != "grid" || grid.AttrOr("tabindex", "") != "0" || grid.AttrOr("data-locked", "") != "B5" {
		t.Errorf("grid: role %q tabindex %q locked %q", grid.AttrOr("role", ""), grid.AttrOr("tabindex", ""), grid.AttrOr("data-locked", ""))
	}
	keys := doc.Find(`[data-testid="editor-keys"]`).Text()
	for _, k := range []string{"standard", "premium", "wheelchair", "companion", "blocked", "gap", "zone"} {
		if !strings.Contains(keys, k) {
			t.Errorf("shortcut legend lacks %q", k)
		}
	}
	if doc.Find(`script[src="`+views.Asset("js/layout-editor.js")+`"]`).Length() != 1 {
		t.Error("no editor script")
	}
	preview := doc.Find(`[data-testid="layout-preview"] [inert]`)
	if n := preview.Find(`button.seat`).Length(); n != 200 {
		t.Errorf("preview has %d seat buttons, want 200", n)
	}
	if doc.Find(`form[data-testid="layout-form"] input[name="_csrf"]`).Length() != 1 || doc.Find(`form[data-testid="import-form"] input[name="_csrf"]`).Length() != 1 {
		t.Error("forms without CSRF token")
	}
	if !strings.Contains(doc.Find(`[data-testid="layout-summary"]`).Text(), "1 seats sold or held") {
		t.Errorf("summary: %q", doc.Find(`[data-testid="layout-summary"]`).Text())
	}
	// Another theatre's auditorium: 403, and an unknown one 404.
	if resp, _ := e.manager.get(e.editorPath(e.otherAud)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("other theatre's editor: %d", resp.StatusCode)
	}
	if resp, _ := e.manager.get(e.editorPath(987654)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown auditorium: %d", resp.StatusCode)
	}
}

func TestLayoutPreview(t *testing.T) {
	e := newLayoutEnv(t)
	e.manager.get(e.editorPath(e.show.AuditoriumID))
	htmx := func(csv string, aud int64) (*http.Response, *goquery.Document) {
		form := url.Values{"csv": {csv}, "_csrf": {e.manager.csrf}}
		req := httptest.NewRequest(http.MethodPost, e.editorPath(aud)+"/preview", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		return e.manager.send(req)
	}
	resp, doc := htmx("row,number,x,y,kind,zone\nA,1,0,0,wheelchair,\nA,2,1,0,companion,\nA,3,3,0,blocked,\nB,1,0,1,premium,vip\n", e.show.AuditoriumID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if n := doc.Find(`[data-testid="preview-map"] button.seat`).Length(); n != 3 {
		t.Errorf("%d seat buttons, want 3 (the blocked seat is no button)", n)
	}
	if doc.Find(`[data-testid="preview-map"] [data-state="blocked"]`).Length() != 1 {
		t.Error("the blocked seat isn't drawn")
	}
	if doc.Find(`[data-kind="blocked"][data-count="1"]`).Length() != 1 || !strings.Contains(doc.Find(`[data-testid="preview-zones"]`).Text(), "vip") {
		t.Errorf("counts: %q", doc.Find(`[data-testid="preview-counts"]`).Text())
	}
	resp, doc = htmx("row,number,x,y,kind\nA,1,0,0,sofa\n", e.show.AuditoriumID)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(`[data-testid="layout-problem"]`).Text(), `Line 2: unknown seat kind "sofa"`) {
		t.Errorf("bad preview: %d %q", resp.StatusCode, doc.Text())
	}
	if resp, _ := htmx("row,number,x,y,kind\nA,1,0,0,standard\n", e.otherAud); resp.StatusCode != http.StatusForbidden {
		t.Errorf("other theatre's preview: %d", resp.StatusCode)
	}
}

func TestLayoutSaveInPlace(t *testing.T) {
	e := newLayoutEnv(t)
	path := e.editorPath(e.show.AuditoriumID)
	csv := e.currentCSV(e.show.AuditoriumID)
	csv = replaceLine(csv, "C,1,0,2,standard,", "C,1,0,2,blocked,")
	csv = replaceLine(csv, "C,2,1,2,standard,", "C,2,1,2,standard,aisle")
	csv += "K,1,0,10,premium,\n"
	resp, _ := e.manager.submit(path, path+"/layout", url.Values{"csv": {csv}, "layout": {e.layoutID(e.show.AuditoriumID)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
		t.Fatalf("status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	seats, _ := e.db.AuditoriumSeats(context.Background(), e.show.AuditoriumID)
	counts := booking.SeatCounts(seats)
	if len(seats) != 201 || counts[booking.SeatBlocked] != 1 || counts[booking.SeatPremium] != 37 {
		t.Fatalf("after: %d seats %v", len(seats), counts)
	}
	a, _ := e.db.ManagedAuditoriumByID(context.Background(), e.show.AuditoriumID, e.clock.Now())
	if a.Version != 1 || a.Capacity != 200 {
		t.Errorf("auditorium: version %d capacity %d", a.Version, a.Capacity)
	}
	entry, data := e.lastAudit("manage.layout.save")
	before, after := data["before"].(map[string]any), data["after"].(map[string]any)
	if entry.ActorEmail != "manager@example.com" || before["standard"] != float64(162) || after["blocked"] != float64(1) || after["premium"] != float64(37) || data["added"] != float64(1) || data["changed"] != float64(2) {
		t.Errorf("audit: %v", data)
	}
	if strings.Contains(string(entry.Data), `"x"`) {
		t.Error("the audit entry carries the grid")
	}
	_, doc := e.manager.get(path)
	if !strings.Contains(doc.Find(`[data-testid="flash"]`).Text(), "The layout is saved (version 1, 201 seats)") {
		t.Errorf("flash %q", doc.Find(`[data-testid="flash"]`).Text())
	}
	// A stale editor (another version saved since) is refused.
	resp, _ = e.manager.submit(path, path+"/layout", url.Values{"csv": {csv}, "layout": {"987654"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("stale save: %d", resp.StatusCode)
	}
	// Another theatre's layout can't be saved; customers can't save at all.
	resp, _ = e.manager.submit(path, e.editorPath(e.otherAud)+"/layout", url.Values{"csv": {"row,number,x,y,kind\nA,1,0,0,standard\n"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("other theatre's save: %d", resp.StatusCode)
	}
	cust := e.signedIn("c@example.com", booking.RoleCustomer)
	if resp, _ := cust.submit("/", path+"/layout", url.Values{"csv": {csv}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("customer save: %d", resp.StatusCode)
	}
	if s, _ := e.db.AuditoriumSeats(context.Background(), e.otherAud); len(s) != 6 {
		t.Errorf("other theatre's layout changed: %d seats", len(s))
	}
}

// postLayoutFile uploads a layout file through the import form.
func (cl *client) postLayoutFile(path string, fields url.Values, name, content string) (*http.Response, *goquery.Document) {
	cl.e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fields.Set("_csrf", cl.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		cl.e.t.Fatal(err)
	}
	fw.Write([]byte(content))
	w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return cl.send(req)
}

func TestLayoutImport(t *testing.T) {
	e := newLayoutEnv(t)
	path := e.editorPath(e.show.AuditoriumID)
	before := e.currentCSV(e.show.AuditoriumID)
	e.manager.get(path)
	bad := map[string]struct{ file, want string }{
		"unknown kind": {"row,number,x,y,kind\nA,1,0,0,standard\nA,2,1,0,loveseat\n", `Line 3: unknown seat kind "loveseat"`},
		"duplicate":    {"row,number,x,y,kind\nA,1,0,0,standard\nA,1,1,0,standard\n", "Line 3: seat A1 is there twice (first on line 2)"},
		"companion":    {"row,number,x,y,kind\nA,1,0,0,standard\nA,2,1,0,companion\n", "Line 3: companion seat A2 has no wheelchair space directly beside it"},
		"not a layout": {"\x89PNG\r\n\x1a\n", "Line 1: the first line must name the columns"},
	}
	for name, tt := range bad {
		resp, doc := e.manager.postLayoutFile(path+"/layout", url.Values{"layout": {e.layoutID(e.show.AuditoriumID)}, "replace": {"1"}}, "layout.csv", tt.file)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", name, resp.StatusCode)
		}
		if got := doc.Find(`[data-testid="layout-problems"] [data-testid="layout-problem"]`).First().Text(); !strings.Contains(got, tt.want) {
			t.Errorf("%s: problem %q, want %q", name, got, tt.want)
		}
		if e.currentCSV(e.show.AuditoriumID) != before {
			t.Fatalf("%s: a refused import changed the layout", name)
		}
	}
	// An import must be confirmed.
	small := "row,number,x,y,kind,zone\nA,1,0,0,wheelchair,\nA,2,1,0,companion,\nA,3,3,0,standard,\nB,1,0,1,premium,gold\n"
	if resp, _ := e.manager.postLayoutFile(path+"/layout", url.Values{"layout": {e.layoutID(e.show.AuditoriumID)}}, "small.csv", small); resp.StatusCode != http.StatusUnprocessableEntity || e.currentCSV(e.show.AuditoriumID) != before {
		t.Fatalf("unconfirmed import: %d", resp.StatusCode)
	}
	// A good import replaces the layout (nothing is sold: in place).
	resp, _ := e.manager.postLayoutFile(path+"/layout", url.Values{"layout": {e.layoutID(e.show.AuditoriumID)}, "replace": {"1"}}, "small.csv", small)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good import: %d", resp.StatusCode)
	}
	if seats, _ := e.db.AuditoriumSeats(context.Background(), e.show.AuditoriumID); len(seats) != 4 {
		t.Fatalf("after import: %d seats", len(seats))
	}
	// Too big a file.
	resp, _ = e.manager.postLayoutFile(path+"/layout", url.Values{"replace": {"1"}}, "big.csv", strings.Repeat("#", 300<<10))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("big file: %d", resp.StatusCode)
	}
}

func TestLayoutExport(t *testing.T) {
	e := newLayoutEnv(t)
	resp, body := e.do(withCookies(e.manager, httptest.NewRequest(http.MethodGet, e.editorPath(e.show.AuditoriumID)+"/layout.csv", nil)))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="test-picturehouse-screen-1-v1.csv"` {
		t.Fatalf("status %d, %q, %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	seats, problems := booking.ParseLayoutCSV(strings.NewReader(body))
	if problems != nil || len(seats) != 200 || body != e.currentCSV(e.show.AuditoriumID) {
		t.Fatalf("export: %d seats, %v", len(seats), problems)
	}
	if resp, _ := e.do(withCookies(e.manager, httptest.NewRequest(http.MethodGet, e.editorPath(e.otherAud)+"/layout.csv", nil))); resp.StatusCode != http.StatusForbidden {
		t.Errorf("other theatre's export: %d", resp.StatusCode)
	}
}

func withCookies(cl *client, req *http.Request) *http.Request {
	for _, c := range cl.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	return req
}

// A layout with sales for a coming show can't lose or move a sold seat: the
// editor says why and offers a new version, which the coming shows without
// sales move to while the sold show keeps its seats.
func TestLayoutDestructiveChange(t *testing.T) {
	e := newLayoutEnv(t)
	ctx := context.Background()
	dbtest.PaidOrder(t, e.db, e.show, "a@example.com", nil, e.clock.Now(), e.show.SeatIDs[24]) // B5
	var later int64
	if err := dbtest.SQL(t, e.db).GetContext(ctx, &later, `
		INSERT INTO showtimes (movie_id, auditorium_id, starts_at, ends_at, ready_at, sales_close_at, counter_close_at, price_card_id)
		SELECT movie_id, auditorium_id, starts_at + interval '1 day', ends_at + interval '1 day', ready_at + interval '1 day',
		       sales_close_at + interval '1 day', counter_close_at + interval '1 day', price_card_id
		FROM showtimes WHERE id = $1 RETURNING id`, e.show.ShowtimeID); err != nil {
		t.Fatal(err)
	}
	path := e.editorPath(e.show.AuditoriumID)
	before := e.currentCSV(e.show.AuditoriumID)
	// Row B loses its seat 5 (and seat 6 moves into its place).
	csv := strings.Replace(before, "B,5,5,1,standard,\n", "", 1)
	csv = replaceLine(csv, "B,6,6,1,standard,", "B,6,5,1,standard,")
	oldLayout := e.layoutID(e.show.AuditoriumID)
	resp, doc := e.manager.submit(path, path+"/layout", url.Values{"csv": {csv}, "layout": {oldLayout}})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("status %d, want 409", resp.StatusCode)
	}
	blockers := doc.Find(`[data-testid="layout-blocker"]`)
	if blockers.Length() != 1 || !strings.Contains(blockers.Text(), "Seat B5 is sold or held for a coming show and would vanish") {
		t.Fatalf("blockers: %q", blockers.Text())
	}
	if e.currentCSV(e.show.AuditoriumID) != before {
		t.Fatal("the refused change was saved")
	}
	form := doc.Find(`form[data-testid="new-version-form"]`)
	if form.Find(`input[name="version"]`).AttrOr("value", "") != "new" || form.Find(`input[name="csv"]`).AttrOr("value", "") != csv {
		t.Fatal("no new-version form carrying the layout")
	}
	// Save it as a new version.
	resp, _ = e.manager.post(path+"/layout", url.Values{"csv": {csv}, "layout": {oldLayout}, "version": {"new"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("new version: %d", resp.StatusCode)
	}
	sold, _ := e.db.ShowtimeInfo(ctx, e.show.ShowtimeID)
	moved, _ := e.db.ShowtimeInfo(ctx, later)
	if strconv.FormatInt(sold.Showtime.LayoutID, 10) != oldLayout || strconv.FormatInt(moved.Showtime.LayoutID, 10) == oldLayout {
		t.Fatalf("sold show pins %d, later show %d (old %s)", sold.Showtime.LayoutID, moved.Showtime.LayoutID, oldLayout)
	}
	if seats, _ := e.db.LayoutSeats(ctx, sold.Showtime.LayoutID); len(seats) != 200 {
		t.Fatalf("the sold show's layout has %d seats", len(seats))
	}
	if seats, _ := e.db.LayoutSeats(ctx, moved.Showtime.LayoutID); len(seats) != 199 {
		t.Fatalf("the new version has %d seats", len(seats))
	}
	_, data := e.lastAudit("manage.layout.save")
	if data["newVersion"] != true || data["version"] != float64(2) || data["movedShowtimes"] != float64(1) || data["keptShowtimes"] != float64(1) ||
		data["before"].(map[string]any)["standard"] != float64(162) || data["after"].(map[string]any)["standard"] != float64(161) {
		t.Errorf("audit: %v", data)
	}
	_, doc = e.manager.get(path)
	flash := doc.Find(`[data-testid="flash"]`).Text()
	if !strings.Contains(flash, "Saved as layout version 2: 1 coming shows") || !strings.Contains(flash, "1 with sales keep the layout they sold (The Test Picture") {
		t.Errorf("flash %q", flash)
	}
	if !strings.Contains(doc.Find(`[data-testid="layout-summary"]`).Text(), "Layout version 2") {
		t.Errorf("summary %q", doc.Find(`[data-testid="layout-summary"]`).Text())
	}
}

// A blocked seat on the customer's map, in the API and when clicked.
func TestBlockedSeatForCustomers(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	if _, err := dbtest.SQL(t, e.db).ExecContext(context.Background(), `UPDATE seats SET kind = 'blocked' WHERE id = $1`, e.seat(5, 5)); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	resp, doc := b.open(e.path(""))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("page: %d %s", resp.StatusCode, doc.Find("main").Text())
	}
	seat := doc.Find("#seat-" + strconv.FormatInt(e.seat(5, 5), 10))
	if goquery.NodeName(seat) != "span" || seat.AttrOr("data-state", "") != "blocked" || !strings.Contains(seat.AttrOr("aria-label", ""), "not for sale") {
		t.Fatalf("blocked seat drawn as %s %q", goquery.NodeName(seat), seat.AttrOr("aria-label", ""))
	}
	if doc.Find(`[data-testid="legend"] [data-kind="blocked"]`).Length() != 1 {
		t.Error("the legend doesn't explain blocked seats")
	}
	if resp, _, _ := b.hold(e.seat(5, 5)); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("hold of a blocked seat: %d", resp.StatusCode)
	}
	a := e.apiClient("api@example.com")
	a.token = ""
	var st struct {
		Capacity  int `json:"capacity"`
		SeatsLeft int `json:"seatsLeft"`
		Seats     []struct{ Seat, Status, Kind string }
	}
	if resp := a.call("GET", "/api/v1"+e.path(""), "", nil, &st); resp.StatusCode != 200 || st.Capacity != 199 || st.SeatsLeft != 199 {
		t.Fatalf("api: %d capacity %d left %d", resp.StatusCode, st.Capacity, st.SeatsLeft)
	}
	for _, s := range st.Seats {
		if (s.Kind == "blocked") != (s.Status == "blocked") || (s.Kind == "blocked" && s.Seat != "F6") {
			t.Errorf("api seat %+v", s)
		}
	}
}
