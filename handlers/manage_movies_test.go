package handlers_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
)

// movieFields is a valid movie form.
func movieFields(title string) url.Values {
	return url.Values{
		"title": {title}, "original_title": {"Engoulevent"}, "genres": {"Thriller, Crime"},
		"director": {"Colm Reddy"}, "cast": {"Sasha Ivers\nMarco Bellandi"}, "runtime": {"112"}, "rating": {"R"},
		"synopsis": {"A night-shift radio host takes a call."}, "trailer_url": {"https://trailers.example.com/nightjar"},
		"release_date": {"2026-11-20"}, "distributor": {"Northlight Pictures"},
	}
}

// postFile sends a multipart form with one file field, as a browser would
// (filename and part Content-Type are the client's claims, not the truth).
func (cl *client) postFile(path, field, filename, contentType string, data []byte) (*http.Response, *goquery.Document) {
	cl.e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if err := w.WriteField("_csrf", cl.csrf); err != nil {
		cl.e.t.Fatal(err)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+field+`"; filename="`+filename+`"`)
	h.Set("Content-Type", contentType)
	part, err := w.CreatePart(h)
	if err != nil {
		cl.e.t.Fatal(err)
	}
	part.Write(data)
	w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return cl.send(req)
}

func testPoster(t *testing.T, w, h int, asPNG bool) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var b bytes.Buffer
	var err error
	if asPNG {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func movieCount(t *testing.T, store *db.DB) int {
	t.Helper()
	var n int
	if err := dbtest.SQL(t, store).Get(&n, `SELECT count(*) FROM movies`); err != nil {
		t.Fatal(err)
	}
	return n
}

// auditOf returns the newest audit entry of action, decoded.
func auditOf(t *testing.T, store *db.DB, action string) (booking.AuditEntry, map[string]map[string]any) {
	t.Helper()
	es, _, err := store.AuditLog(context.Background(), booking.AuditFilter{Action: action, Limit: 1})
	if err != nil || len(es) == 0 {
		t.Fatalf("no %s in the audit log (%v)", action, err)
	}
	var data map[string]map[string]any
	if err := json.Unmarshal(es[0].Data, &data); err != nil {
		t.Fatalf("%s data %s: %v", action, es[0].Data, err)
	}
	return es[0], data
}

func movieIDFromLocation(t *testing.T, resp *http.Response) int64 {
	t.Helper()
	loc := resp.Header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/manage/movies/"), 10, 64)
	if err != nil {
		t.Fatalf("redirect to %q", loc)
	}
	return id
}

// Staff and customers get 403 on every movie page and action; anonymous
// visitors are sent to sign in; nothing changes.
func TestManageMoviesRefused(t *testing.T) {
	e := newAccEnv(t)
	show := dbtest.AddShowtime(t, e.db, e.clock.Now().Add(24*time.Hour))
	id := strconv.FormatInt(show.MovieID, 10)
	anon := e.client()
	resp, _ := anon.get("/manage/movies")
	wantRedirect(t, resp, "/login?next=")
	before := movieCount(t, e.db)
	for _, who := range []struct {
		email string
		role  booking.Role
	}{{"cust@example.com", booking.RoleCustomer}, {"desk@example.com", booking.RoleStaff}} {
		cl := e.signedIn(who.email, who.role)
		for _, path := range []string{"/manage/movies", "/manage/movies/new", "/manage/movies/" + id} {
			if resp, _ := cl.get(path); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", who.role, path, resp.StatusCode)
			}
		}
		cl.get("/account") // a CSRF token, so the refusal is the role's
		if resp, _ := cl.post("/manage/movies", movieFields("Sneaky")); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s create: %d", who.role, resp.StatusCode)
		}
		if resp, _ := cl.post("/manage/movies/"+id, movieFields("Renamed")); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s edit: %d", who.role, resp.StatusCode)
		}
		if resp, _ := cl.post("/manage/movies/"+id+"/archive", url.Values{"confirm": {"yes"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s archive: %d", who.role, resp.StatusCode)
		}
		if resp, _ := cl.postFile("/manage/movies/"+id+"/poster", "poster", "p.png", "image/png", testPoster(t, 200, 300, true)); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s poster: %d", who.role, resp.StatusCode)
		}
	}
	if movieCount(t, e.db) != before {
		t.Error("a refused request added a movie")
	}
	if m, _ := e.db.MovieByID(context.Background(), show.MovieID); m.Title != "The Test Picture" || m.Archived() || m.PosterCard != "" {
		t.Errorf("a refused request changed the movie: %+v", m)
	}
}

func TestManageMoviesCreateEditList(t *testing.T) {
	e := newAccEnv(t)
	ctx := context.Background()
	// A manager who belongs to no theatre: the catalogue is the cinema's, not a theatre's.
	mgr := e.signedIn("mgr@example.com", booking.RoleManager)

	resp, doc := mgr.get("/manage/movies/new")
	wantStatus(t, resp, http.StatusOK)
	if doc.Find(`nav[aria-label="Manage"] a[aria-current="page"]`).Text() != "Movies" {
		t.Error("the manage nav doesn't mark Movies")
	}
	// Bad fields: 422, a message per field, the typed values kept, nothing saved.
	bad := movieFields("")
	bad.Set("runtime", "two hours")
	bad.Set("trailer_url", "javascript:alert(1)")
	bad.Set("release_date", "20/11/2026")
	resp, doc = mgr.post("/manage/movies", bad)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	for _, f := range []string{"title", "runtime", "trailer_url", "release_date"} {
		if doc.Find(`[data-testid="error-`+f+`"]`).Length() != 1 {
			t.Errorf("no error shown for %s", f)
		}
		if doc.Find(`#f-`+f).AttrOr("aria-invalid", "") != "true" {
			t.Errorf("%s not marked invalid", f)
		}
	}
	if doc.Find(`[data-testid="error-genres"]`).Length() != 0 {
		t.Error("a valid field got an error")
	}
	if v := doc.Find(`#f-director`).AttrOr("value", ""); v != "Colm Reddy" {
		t.Errorf("typed director lost: %q", v)
	}
	if strings.Contains(doc.Text(), "javascript") && doc.Find(`a[href^="javascript"]`).Length() > 0 {
		t.Error("the bad link became a link")
	}
	if movieCount(t, e.db) != 0 {
		t.Fatal("an invalid movie was saved")
	}

	// Create.
	resp, _ = mgr.post("/manage/movies", movieFields("Nightjar"))
	wantRedirect(t, resp, "/manage/movies/")
	id := movieIDFromLocation(t, resp)
	m, err := e.db.MovieByID(ctx, id)
	if err != nil || m.Slug != "nightjar" || m.OriginalTitle != "Engoulevent" || m.Distributor != "Northlight Pictures" ||
		len(m.Cast) != 2 || m.RuntimeMin != 112 || m.TrailerURL != "https://trailers.example.com/nightjar" {
		t.Fatalf("stored %+v, %v", m, err)
	}
	entry, data := auditOf(t, e.db, "movie.created")
	if entry.Subject != "nightjar" || entry.ActorEmail != "mgr@example.com" || data["after"]["title"] != "Nightjar" {
		t.Errorf("audit %+v %v", entry, data)
	}
	resp, doc = mgr.get(resp.Header.Get("Location"))
	wantStatus(t, resp, http.StatusOK)
	if !strings.Contains(doc.Find(`[data-testid="flash"]`).Text(), "Added Nightjar") {
		t.Error("no flash after adding")
	}
	if doc.Find(`#f-title`).AttrOr("value", "") != "Nightjar" || doc.Find(`#f-cast`).Text() != "Sasha Ivers\nMarco Bellandi" {
		t.Error("the edit form doesn't show the movie")
	}
	// The same title again gets its own slug.
	resp, _ = mgr.post("/manage/movies", movieFields("Nightjar"))
	if m2, _ := e.db.MovieByID(ctx, movieIDFromLocation(t, resp)); m2.Slug != "nightjar-2" {
		t.Errorf("second slug %q", m2.Slug)
	}

	// Edit: bad fields refused, nothing half-saved.
	path := "/manage/movies/" + strconv.FormatInt(id, 10)
	half := movieFields("Nightjar: Extended")
	half.Set("runtime", "0")
	resp, doc = mgr.post(path, half)
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if doc.Find(`[data-testid="error-runtime"]`).Length() != 1 {
		t.Error("no runtime error")
	}
	if m, _ := e.db.MovieByID(ctx, id); m.Title != "Nightjar" {
		t.Errorf("half-saved: title %q", m.Title)
	}
	edit := movieFields("Nightjar: Extended")
	edit.Set("runtime", "125")
	resp, _ = mgr.post(path, edit)
	wantRedirect(t, resp, path)
	if m, _ := e.db.MovieByID(ctx, id); m.Title != "Nightjar: Extended" || m.RuntimeMin != 125 || m.Slug != "nightjar" {
		t.Errorf("after edit %+v", m)
	}
	_, data = auditOf(t, e.db, "movie.updated")
	if data["before"]["title"] != "Nightjar" || data["after"]["title"] != "Nightjar: Extended" ||
		data["before"]["runtime"] != float64(112) || data["after"]["runtime"] != float64(125) || len(data["after"]) != 2 {
		t.Errorf("audit data %v", data)
	}
	if resp, _ := mgr.post("/manage/movies/999999", edit); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown movie: %d", resp.StatusCode)
	}

	// The list: searchable by title and original title.
	resp, doc = mgr.get("/manage/movies?q=extended")
	wantStatus(t, resp, http.StatusOK)
	if rows := doc.Find(`[data-testid="movie-row"]`); rows.Length() != 1 || rows.AttrOr("data-slug", "") != "nightjar" {
		t.Errorf("search found %d rows", rows.Length())
	}
	if _, doc = mgr.get("/manage/movies?q=ENGOULEVENT"); doc.Find(`[data-testid="movie-row"]`).Length() != 2 {
		t.Error("original title not searched")
	}
	if _, doc = mgr.get("/manage/movies"); doc.Find(`[data-testid="movie-row"]`).Length() != 2 ||
		doc.Find(`a[data-key="n"][href="/manage/movies/new"]`).Length() != 1 || doc.Find(`input[data-search]`).Length() != 1 {
		t.Error("list without its rows, shortcut or search field")
	}
	// Typing searches as you go: htmx swaps the results from the same page.
	if in := doc.Find(`input[data-search]`); in.AttrOr("hx-get", "") != "/manage/movies" || in.AttrOr("hx-select", "") != "#movie-results" ||
		doc.Find(`#movie-results [data-testid="movie-row"]`).Length() != 2 {
		t.Error("search field doesn't update the results in place")
	}
	if _, doc = mgr.get("/manage/movies?archived=1"); doc.Find(`[data-testid="no-movies"]`).Length() != 1 {
		t.Error("archived list not empty")
	}
	// The public page shows the original title.
	e.clock.Advance(5 * time.Second) // past the catalogue cache's TTL
	_, doc = e.client().get("/movies/nightjar")
	if doc.Find(`[data-testid="movie-original-title"]`).Text() != "Engoulevent" {
		t.Error("original title not on the movie page")
	}

	// An admin may edit too.
	adm := e.signedIn("adm@example.com", booking.RoleAdmin)
	adm.get(path)
	if resp, _ := adm.post(path, movieFields("Nightjar")); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("admin edit: %d", resp.StatusCode)
	}
}

func TestManageMoviesArchive(t *testing.T) {
	e := newAccEnv(t)
	ctx := context.Background()
	show := dbtest.AddShowtime(t, e.db, e.clock.Now().Add(26*time.Hour))
	mgr := e.signedIn("mgr@example.com", booking.RoleManager)
	path := "/manage/movies/" + strconv.FormatInt(show.MovieID, 10)
	_, doc := mgr.get(path)
	if !strings.Contains(doc.Find(`[data-testid="upcoming-note"]`).Text(), "1 scheduled showtime is still to come") {
		t.Errorf("no note of the showtime to come: %q", doc.Find(`[data-testid="archive-panel"]`).Text())
	}
	// Not confirmed: 422.
	resp, doc := mgr.post(path+"/archive", url.Values{})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if !strings.Contains(doc.Find(`[data-testid="error-archive"]`).Text(), "Tick the box") {
		t.Error("no confirmation message")
	}
	// A showtime to come: 409, named.
	resp, doc = mgr.post(path+"/archive", url.Values{"confirm": {"yes"}})
	wantStatus(t, resp, http.StatusConflict)
	msg := doc.Find(`[data-testid="error-archive"]`).Text()
	if !strings.Contains(msg, "1 scheduled showtime to come") || !strings.Contains(msg, "Test Picturehouse, Screen 1") || !strings.Contains(msg, "Cancel or move") {
		t.Errorf("message %q", msg)
	}
	if m, _ := e.db.MovieByID(ctx, show.MovieID); m.Archived() {
		t.Fatal("archived despite the showtime")
	}
	// Once it has played, it can go: out of the API and the catalogue, in the archived list.
	e.clock.Advance(30 * time.Hour)
	mgr = e.client() // signed out by the idle timeout meanwhile
	if resp, _ := mgr.login("mgr@example.com", "correct horse battery", false); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in again: %d", resp.StatusCode)
	}
	mgr.get(path)
	resp, _ = mgr.post(path+"/archive", url.Values{"confirm": {"yes"}})
	wantRedirect(t, resp, path)
	if m, _ := e.db.MovieByID(ctx, show.MovieID); !m.Archived() {
		t.Fatal("not archived")
	}
	_, data := auditOf(t, e.db, "movie.archived")
	if data["before"]["archived"] != false || data["after"]["archived"] != true {
		t.Errorf("audit %v", data)
	}
	_, body := e.do(httptest.NewRequest(http.MethodGet, "/api/v1/movies", nil))
	if strings.Contains(body, "The Test Picture") {
		t.Error("archived movie still in the API list")
	}
	_, doc = mgr.get("/manage/movies?archived=1")
	if doc.Find(`[data-testid="movie-row"]`).Length() != 1 {
		t.Error("not in the archived list")
	}
	_, doc = mgr.get(path)
	if doc.Find(`[data-testid="archived-badge"]`).Length() != 1 || doc.Find(`[data-testid="unarchive"]`).Length() != 1 {
		t.Error("edit page doesn't say archived")
	}
	resp, _ = mgr.post(path+"/unarchive", url.Values{})
	wantRedirect(t, resp, path)
	if m, _ := e.db.MovieByID(ctx, show.MovieID); m.Archived() {
		t.Error("still archived")
	}
	auditOf(t, e.db, "movie.unarchived")
}

func TestPosterUpload(t *testing.T) {
	e := newAccEnv(t)
	ctx := context.Background()
	show := dbtest.AddShowtime(t, e.db, e.clock.Now().Add(2*time.Hour))
	mgr := e.signedIn("mgr@example.com", booking.RoleManager)
	path := "/manage/movies/" + strconv.FormatInt(show.MovieID, 10)
	_, doc := mgr.get(path)
	if doc.Find(`form[data-testid="poster-form"][enctype="multipart/form-data"] input[type="file"][name="poster"]`).Length() != 1 {
		t.Fatal("no poster upload form")
	}
	good := testPoster(t, 400, 600, true)
	jpg := testPoster(t, 400, 600, false)
	posterRows := func() int {
		var n int
		dbtest.SQL(t, e.db).Get(&n, `SELECT count(*) FROM movie_posters`)
		return n
	}

	// Refused, each with its message, nothing saved — whatever the name and type the browser claims.
	for _, c := range []struct {
		name, filename, ct string
		data               []byte
		want               string
	}{
		{"pdf", "poster.pdf", "application/pdf", []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n"), "PDF"},
		{"text renamed .jpg", "poster.jpg", "image/jpeg", []byte("This is not a picture, just words in a file.\n"), "text file"},
		{"not an image", "poster.png", "image/png", bytes.Repeat([]byte{1, 2, 3, 250}, 500), "not an image"},
		{"corrupt", "poster.jpg", "image/jpeg", jpg[:len(jpg)/3], "damaged"},
		{"too big", "huge.jpg", "image/jpeg", append(append([]byte{}, jpg...), make([]byte, 8<<20)...), "at most 8 MB"},
		{"too small", "tiny.png", "image/png", testPoster(t, 50, 75, true), "at least 200 × 300"},
		{"empty", "empty.png", "image/png", nil, "Choose a poster file"},
	} {
		resp, doc := mgr.postFile(path+"/poster", "poster", c.filename, c.ct, c.data)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", c.name, resp.StatusCode)
			continue
		}
		if msg := doc.Find(`[data-testid="error-poster"]`).Text(); !strings.Contains(msg, c.want) {
			t.Errorf("%s: message %q, want %q", c.name, msg, c.want)
		}
	}
	if resp, _ := mgr.postFile(path+"/poster", "wrong-field", "p.png", "image/png", good); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("no poster field: %d", resp.StatusCode)
	}
	if n := posterRows(); n != 0 {
		t.Fatalf("%d poster rows after refusals", n)
	}
	if m, _ := e.db.MovieByID(ctx, show.MovieID); m.Poster != "" || m.PosterCard != "" {
		t.Fatalf("refused upload changed the movie: %q %q", m.Poster, m.PosterCard)
	}

	// A real poster, named and typed wrongly: the bytes decide.
	resp, _ := mgr.postFile(path+"/poster", "poster", "poster.gif", "application/octet-stream", good)
	wantRedirect(t, resp, path)
	m, _ := e.db.MovieByID(ctx, show.MovieID)
	if !strings.HasPrefix(m.Poster, "/posters/") || !strings.HasPrefix(m.PosterCard, "/posters/") || m.Poster == m.PosterCard {
		t.Fatalf("poster %q card %q", m.Poster, m.PosterCard)
	}
	if posterRows() != 2 {
		t.Errorf("%d poster rows, want 2 (card, detail)", posterRows())
	}
	_, data := auditOf(t, e.db, "movie.poster_uploaded")
	if data["before"]["poster"] != "" || data["after"]["poster"] != m.Poster {
		t.Errorf("audit %v", data)
	}

	// Served with its ETag and a year's caching; 304 when the client has it.
	anon := e.client()
	for _, u := range []struct {
		url  string
		w, h int
	}{{m.Poster, 440, 660}, {m.PosterCard, 192, 288}} {
		resp, body := e.do(httptest.NewRequest(http.MethodGet, u.url, nil))
		wantStatus(t, resp, http.StatusOK)
		if ct := resp.Header.Get("Content-Type"); ct != "image/jpeg" {
			t.Errorf("%s: Content-Type %q", u.url, ct)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", u.url, cc)
		}
		digest := strings.TrimSuffix(strings.TrimPrefix(u.url, "/posters/"), ".jpg")
		etag := resp.Header.Get("ETag")
		if etag != `"`+digest+`"` {
			t.Errorf("%s: ETag %q", u.url, etag)
		}
		cfg, err := jpeg.DecodeConfig(strings.NewReader(body))
		if err != nil || cfg.Width != u.w || cfg.Height != u.h {
			t.Errorf("%s: %+v %v, want %d × %d", u.url, cfg, err, u.w, u.h)
		}
		req := httptest.NewRequest(http.MethodGet, u.url, nil)
		req.Header.Set("If-None-Match", `"other", `+etag)
		resp, body = e.do(req)
		if resp.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("%s with If-None-Match: %d (%d bytes), want 304", u.url, resp.StatusCode, len(body))
		}
	}
	for _, p := range []string{"/posters/" + strings.Repeat("0", 64) + ".jpg", "/posters/nope.jpg", "/posters/" + strings.Repeat("A", 64) + ".jpg"} {
		resp, _ := e.do(httptest.NewRequest(http.MethodGet, p, nil))
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Cache-Control") == "public, max-age=31536000, immutable" {
			t.Errorf("%s: %d, cache %q", p, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}

	// Pages and the API use the upload: the card in listings, the large one on the movie page.
	e.clock.Advance(5 * time.Second) // past the catalogue cache's TTL
	_, doc = anon.get("/")
	if src := doc.Find(`[data-testid="movie-card"] img`).AttrOr("src", ""); src != m.PosterCard {
		t.Errorf("what's on card poster %q, want %q", src, m.PosterCard)
	}
	_, doc = anon.get("/movies/" + m.Slug)
	if src := doc.Find(`[data-testid="movie-poster"]`).AttrOr("src", ""); src != m.Poster {
		t.Errorf("movie page poster %q, want %q", src, m.Poster)
	}
	ce := &catalogEnv{testEnv: e.testEnv}
	api := newAPIChecker(t, ce)
	_, body := api.get(ce, "/api/v1/movies/"+strconv.FormatInt(m.ID, 10))
	var am struct {
		Poster        string  `json:"poster"`
		OriginalTitle *string `json:"originalTitle"`
	}
	if err := json.Unmarshal([]byte(body), &am); err != nil || am.Poster != m.Poster || am.OriginalTitle == nil {
		t.Errorf("API movie %s (%v)", body, err)
	}
	api.get(ce, "/api/v1/movies")

	// A new upload replaces it; the old URL is gone.
	old := m.Poster
	resp, _ = mgr.postFile(path+"/poster", "poster", "p.jpg", "image/jpeg", jpg)
	wantRedirect(t, resp, path)
	if m2, _ := e.db.MovieByID(ctx, show.MovieID); m2.Poster == old || posterRows() != 2 {
		t.Errorf("replacement: %q (rows %d)", m2.Poster, posterRows())
	}
	if resp, _ := e.do(httptest.NewRequest(http.MethodGet, old, nil)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("replaced poster still served: %d", resp.StatusCode)
	}
}

// A body beyond the server's limit (10 MB: a poster's 8 MB and the form) is
// cut off by the server before any handler runs: 413 with a plain message.
// (app.Test can't show it: it returns the server's error instead.)
func TestPosterUploadBeyondBodyLimit(t *testing.T) {
	e := newAccEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.app.Listener(ln)
	t.Cleanup(func() { e.app.Shutdown() })
	base := "http://" + ln.Addr().String()
	// The headers announce 11 MB; the server answers at once, before the body
	// (a client still sending it may see the connection reset instead).
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(conn, "POST /manage/movies/1/poster HTTP/1.1\r\nHost: %s\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\n\r\n",
		ln.Addr(), 11<<20)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "That upload is too large.") {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
	// Within the limit, the handler answers (here: sign in first).
	small, _ := http.Post(base+"/manage/movies/1/poster", "text/plain", strings.NewReader("x"))
	if small == nil || small.StatusCode == http.StatusRequestEntityTooLarge {
		t.Errorf("a small body refused as too large")
	} else {
		small.Body.Close()
	}
}
