package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"marquee/booking"
	"marquee/config"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/internal/app"
	"marquee/internal/demo"
	"marquee/views"
)

// catalogNow: 13:00 in New York, 12:00 in Chicago, 10:00 in Los Angeles.
var catalogNow = time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)

// fakeFeed stands in for the PostgreSQL notifier.
type fakeFeed struct{ ch chan db.Notification }

func (f *fakeFeed) Subscribe(string) (<-chan db.Notification, func()) { return f.ch, func() {} }

// notify delivers a programme change and returns once it has been handled:
// the feed is unbuffered, so the second send completes only after the
// cache's loop has come back from handling the first.
func (f *fakeFeed) notify() {
	f.ch <- db.Notification{Channel: db.ChannelCatalog}
	f.ch <- db.Notification{Channel: db.ChannelCatalog}
}

// catalogEnv is a testEnv over the demo programme, with a change feed the test drives.
type catalogEnv struct {
	*testEnv
	feed *fakeFeed
}

func newCatalogEnv(t testing.TB) *catalogEnv {
	t.Helper()
	clock := booking.NewManualClock(catalogNow)
	store := dbtest.New(t, clock)
	cat, err := demo.Catalog(catalogNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SeedCatalog(context.Background(), cat); err != nil {
		t.Fatalf("seed: %v", err)
	}
	feed := &fakeFeed{ch: make(chan db.Notification)}
	a := newApp(t, config.ForTest(), app.Deps{DB: store, Clock: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		CatalogChanges: feed})
	tt, _ := t.(*testing.T)
	return &catalogEnv{testEnv: &testEnv{t: tt, app: a.Fiber, db: store, clock: clock}, feed: feed}
}

func TestWhatsOnToday(t *testing.T) {
	e := newCatalogEnv(t)
	resp, doc := e.get("/")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if c := resp.Header.Get("Set-Cookie"); c != "" {
		t.Errorf("anonymous browsing set a cookie: %s", c)
	}
	if got := doc.Find(`[data-testid="whats-on"]`).AttrOr("data-date", ""); got != "2026-11-25" {
		t.Errorf("date = %q", got)
	}
	days := doc.Find(`[data-testid="day-link"]`)
	if days.Length() != 7 {
		t.Errorf("day links = %d", days.Length())
	}
	if cur := doc.Find(`[data-testid="day-link"][aria-current="date"]`).AttrOr("data-date", ""); cur != "2026-11-25" {
		t.Errorf("current day = %q", cur)
	}
	cards := doc.Find(`[data-testid="movie-card"]`)
	if cards.Length() < 8 {
		t.Fatalf("movie cards = %d", cards.Length())
	}
	links := doc.Find(`[data-testid="showtime-link"]`)
	if links.Length() < 20 {
		t.Fatalf("showtime links = %d", links.Length())
	}
	links.Each(func(_ int, s *goquerySelection) {
		href := s.AttrOr("href", "")
		if !strings.HasPrefix(href, "/showtimes/") {
			t.Errorf("showtime link %q", href)
		}
		starts, _ := time.Parse(time.RFC3339, s.AttrOr("data-starts-at", ""))
		if !starts.After(catalogNow) {
			t.Errorf("a showtime whose sales closed is listed: %v", starts)
		}
	})
	// The show starting in about 15 minutes is there, at 13:15 New York time.
	soon := doc.Find(`[data-testid="showtime-link"][data-starts-at="2026-11-25T18:15:00Z"]`)
	if soon.Length() != 1 || !strings.Contains(soon.Text(), "13:15") {
		t.Errorf("the 15-minute show: %d links, %q", soon.Length(), soon.Text())
	}
	if n := doc.Find(`[data-testid="filter-theatre"] option`).Length(); n != 4 {
		t.Errorf("theatre options = %d", n)
	}
}

func TestWhatsOnFilters(t *testing.T) {
	e := newCatalogEnv(t)
	_, all := e.get("/?date=2026-11-27")
	total := all.Find(`[data-testid="movie-card"]`).Length()

	ts, err := e.db.Theatres(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	la := ts[len(ts)-1] // by name: Downtown, Lakeside, Sunset
	_, doc := e.get("/?date=2026-11-27&theatre=" + itoa(la.ID))
	doc.Find(`[data-testid="theatre-showtimes"]`).Each(func(_ int, s *goquerySelection) {
		if s.AttrOr("data-theatre-id", "") != itoa(la.ID) {
			t.Errorf("theatre filter let %s through", s.AttrOr("data-theatre-id", ""))
		}
	})
	if sel := doc.Find(`[data-testid="filter-theatre"] option[selected]`).AttrOr("value", ""); sel != itoa(la.ID) {
		t.Errorf("selected theatre = %q", sel)
	}
	// Los Angeles local times: the first show of the day is at 10:30 there.
	if first := doc.Find(`[data-testid="showtime-link"] time`).First().AttrOr("datetime", ""); !strings.HasSuffix(first, "-08:00") {
		t.Errorf("LA times not in LA's zone: %q", first)
	}

	_, doc = e.get("/?date=2026-11-27&genre=animation")
	n := doc.Find(`[data-testid="movie-card"]`).Length()
	if n == 0 || n >= total {
		t.Errorf("genre filter: %d of %d", n, total)
	}
	if sel := doc.Find(`[data-testid="filter-genre"] option[selected]`).AttrOr("value", ""); sel != "Animation" {
		t.Errorf("selected genre = %q", sel)
	}

	_, doc = e.get("/?date=2026-11-27&q=orbit")
	if titles := doc.Find(`[data-testid="movie-title"]`); titles.Length() != 1 || titles.Text() != "Orbit of Glass" {
		t.Errorf("title search: %q", titles.Text())
	}
	if v := doc.Find(`[data-testid="filter-q"]`).AttrOr("value", ""); v != "orbit" {
		t.Errorf("search box = %q", v)
	}
	// Day links keep the filters.
	if href := doc.Find(`[data-testid="day-link"]`).Eq(3).AttrOr("href", ""); !strings.Contains(href, "q=orbit") {
		t.Errorf("day link drops the search: %q", href)
	}

	_, doc = e.get("/?date=2026-11-27&q=zzzz")
	if doc.Find(`[data-testid="no-showtimes"]`).Length() != 1 || doc.Find(`[data-testid="movie-card"]`).Length() != 0 {
		t.Error("no empty state for a search without results")
	}
}

func TestWhatsOnBadParams(t *testing.T) {
	e := newCatalogEnv(t)
	for _, q := range []string{"date=tomorrow", "date=2026-13-01", "theatre=abc", "theatre=-1", "theatre=999", "q=" + strings.Repeat("x", 101)} {
		resp, doc := e.get("/?" + q)
		if resp.StatusCode != 400 {
			t.Errorf("%s: status %d", q, resp.StatusCode)
			continue
		}
		if msg := doc.Find(`[data-testid="error-message"]`).Text(); msg == "" || strings.Contains(msg, "pq") || strings.Contains(msg, "SELECT") {
			t.Errorf("%s: message %q", q, msg)
		}
	}
}

func TestMoviePage(t *testing.T) {
	e := newCatalogEnv(t)
	resp, doc := e.get("/movies/the-lighthouse-keepers-daughter")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	checks := map[string]string{
		"movie-title":    "The Lighthouse Keeper's Daughter",
		"movie-director": "Owen Trevithick",
		"movie-rating":   "PG-13",
		"movie-runtime":  "1h 58m",
		"movie-genres":   "Drama, Mystery",
	}
	for id, want := range checks {
		if got := strings.TrimSpace(doc.Find(`[data-testid="` + id + `"]`).First().Text()); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if !strings.Contains(doc.Find(`[data-testid="movie-cast"]`).Text(), "Cara Penrose") {
		t.Error("cast missing")
	}
	if doc.Find(`[data-testid="movie-synopsis"]`).Text() == "" {
		t.Error("synopsis missing")
	}
	if src := doc.Find(`[data-testid="movie-poster"]`).AttrOr("src", ""); src != views.Asset("img/posters/the-lighthouse-keepers-daughter.svg") ||
		!strings.HasPrefix(src, "/static/img/posters/the-lighthouse-keepers-daughter.") {
		t.Errorf("poster = %q", src)
	}
	if href := doc.Find(`[data-testid="movie-trailer"]`).AttrOr("href", ""); !strings.HasPrefix(href, "https://") {
		t.Errorf("trailer = %q", href)
	}
	if title := doc.Find("title").Text(); !strings.Contains(title, "Lighthouse") {
		t.Errorf("page title %q", title)
	}
	theatres := doc.Find(`[data-testid="theatre-showtimes"]`)
	if theatres.Length() == 0 {
		t.Fatal("no showtimes")
	}
	theatres.Each(func(_ int, s *goquerySelection) {
		var prev string
		s.Find(`[data-testid="showtime-day"]`).Each(func(_ int, d *goquerySelection) {
			date := d.AttrOr("data-date", "")
			if date <= prev {
				t.Errorf("days not grouped in order: %s after %s", date, prev)
			}
			prev = date
			d.Find("time").Each(func(_ int, tm *goquerySelection) {
				if !strings.HasPrefix(tm.AttrOr("datetime", ""), date) {
					t.Errorf("showtime %s listed on %s", tm.AttrOr("datetime", ""), date)
				}
			})
		})
	})
}

func TestUnknownMovieIs404(t *testing.T) {
	e := newCatalogEnv(t)
	resp, doc := e.get("/movies/no-such-film")
	if resp.StatusCode != 404 || doc.Find(`[data-testid="error-page"]`).AttrOr("data-status", "") != "404" {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestTheatresAndAPIDocsPages(t *testing.T) {
	e := newCatalogEnv(t)
	resp, doc := e.get("/theatres")
	if resp.StatusCode != 200 || doc.Find(`[data-testid="theatre"]`).Length() != 3 {
		t.Fatalf("theatres: %d, %d", resp.StatusCode, doc.Find(`[data-testid="theatre"]`).Length())
	}
	resp, doc = e.get("/api/docs")
	if resp.StatusCode != 200 {
		t.Fatalf("docs: %d", resp.StatusCode)
	}
	ops := map[string]bool{}
	doc.Find(`[data-testid="api-operation"]`).Each(func(_ int, s *goquerySelection) { ops[s.AttrOr("data-operation", "")] = true })
	for _, op := range []string{"listMovies", "getMovie", "listShowtimes"} {
		if !ops[op] {
			t.Errorf("docs lack %s", op)
		}
	}
	if doc.Find(`script:not([src])`).Length() != 0 {
		t.Error("inline script on the docs page")
	}
}

// The catalogue cache serves the same content until the programme changes.
func TestCatalogCacheInvalidation(t *testing.T) {
	e := newCatalogEnv(t)
	ctx := context.Background()
	count := func() int {
		_, doc := e.get("/?date=2026-11-27&q=Marquee+Test")
		return doc.Find(`[data-testid="movie-card"]`).Length()
	}
	apiTotal := func() int {
		var l struct{ Total int }
		e.getJSON("/api/v1/movies?q=Marquee+Test", &l)
		return l.Total
	}
	if count() != 0 || apiTotal() != 0 {
		t.Fatal("test movie already there")
	}
	// A manager adds a movie and a showtime (the trigger would notify every instance).
	_, err := dbtest.SQL(t, e.db).ExecContext(ctx, `
		WITH m AS (INSERT INTO movies (slug, title, genres, runtime_min, release_date)
		           VALUES ('marquee-test', 'Marquee Test Reel', '{Drama}', 90, '2026-11-01') RETURNING id)
		INSERT INTO showtimes (movie_id, auditorium_id, starts_at, ends_at, ready_at, sales_close_at, counter_close_at, price_card_id)
		SELECT m.id, (SELECT min(id) FROM auditoriums), '2026-11-27 07:00Z', '2026-11-27 08:50Z', '2026-11-27 09:00Z',
		       '2026-11-27 07:00Z', '2026-11-27 07:10Z', (SELECT min(id) FROM price_cards)
		FROM m`)
	if err != nil {
		t.Fatal(err)
	}
	if count() != 0 || apiTotal() != 0 {
		t.Fatal("cache not used: the change is visible before any notification")
	}
	e.feed.notify()
	if count() != 1 {
		t.Error("what's on still cached after the change notification")
	}
	if apiTotal() != 1 {
		t.Error("API list still cached after the change notification")
	}
}

// Without notifications, entries expire after their TTL (by the injected clock).
func TestCatalogCacheTTL(t *testing.T) {
	e := newCatalogEnv(t)
	var first struct{ Items []struct{ SeatsLeft int } }
	e.getJSON("/api/v1/showtimes?date=2026-11-25", &first)
	var st struct {
		Items []struct{ ID, AuditoriumID int64 }
	}
	e.getJSON("/api/v1/showtimes?date=2026-11-25", &st)
	_, err := dbtest.SQL(t, e.db).ExecContext(context.Background(), `
		INSERT INTO seat_claims (showtime_id, seat_id, cart_id, expires_at)
		SELECT $1, id, 'c', $2::timestamptz + interval '10 minutes' FROM seats WHERE auditorium_id = $3 LIMIT 4`,
		st.Items[0].ID, catalogNow, st.Items[0].AuditoriumID)
	if err != nil {
		t.Fatal(err)
	}
	var again struct{ Items []struct{ SeatsLeft int } }
	e.getJSON("/api/v1/showtimes?date=2026-11-25", &again)
	if again.Items[0].SeatsLeft != first.Items[0].SeatsLeft {
		t.Fatal("expected the cached count within the TTL")
	}
	e.clock.Advance(3 * time.Second)
	e.getJSON("/api/v1/showtimes?date=2026-11-25", &again)
	if again.Items[0].SeatsLeft != first.Items[0].SeatsLeft-4 {
		t.Errorf("seats left after TTL = %d, want %d", again.Items[0].SeatsLeft, first.Items[0].SeatsLeft-4)
	}
}

// --- API, every response validated against the OpenAPI document ---

type apiChecker struct {
	t      *testing.T
	router routers.Router
}

func newAPIChecker(t *testing.T, e *catalogEnv) *apiChecker {
	t.Helper()
	resp, body := e.do(httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	if resp.StatusCode != 200 {
		t.Fatalf("openapi.json: %d", resp.StatusCode)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(body))
	if err != nil {
		t.Fatalf("load OpenAPI document: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	router, err := legacy.NewRouter(doc) // validates the document
	if err != nil {
		t.Fatalf("OpenAPI document: %v", err)
	}
	return &apiChecker{t: t, router: router}
}

// get calls path and validates the response (status, headers, body) against the document.
func (a *apiChecker) get(e *catalogEnv, path string) (*http.Response, string) {
	a.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	resp, body := e.do(req)
	route, params, err := a.router.FindRoute(req)
	if err != nil {
		a.t.Fatalf("%s: no route in the document: %v", path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	out.SetBodyBytes([]byte(body))
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		a.t.Errorf("%s: response %d does not match the document: %v\n%s", path, resp.StatusCode, err, body)
	}
	return resp, body
}

func TestAPIMovies(t *testing.T) {
	e := newCatalogEnv(t)
	a := newAPIChecker(t, e)
	var list struct {
		Items []struct {
			ID    int64    `json:"id"`
			Title string   `json:"title"`
			Genre []string `json:"genre"`
		}
		Total, Page, PerPage int
	}
	resp, body := a.get(e, "/api/v1/movies")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	decode(t, body, &list)
	if list.Total != 12 || len(list.Items) != 12 || list.Page != 1 || list.PerPage != 20 {
		t.Fatalf("list: total %d items %d page %d/%d", list.Total, len(list.Items), list.Page, list.PerPage)
	}
	_, body = a.get(e, "/api/v1/movies?page=3&perPage=5")
	decode(t, body, &list)
	if list.Total != 12 || len(list.Items) != 2 {
		t.Errorf("page 3: total %d items %d", list.Total, len(list.Items))
	}
	_, body = a.get(e, "/api/v1/movies?genre=comedy&date=2026-11-26")
	decode(t, body, &list)
	if list.Total == 0 {
		t.Error("no comedies tomorrow")
	}
	for _, m := range list.Items {
		if !strings.Contains(strings.Join(m.Genre, ","), "Comedy") {
			t.Errorf("%s is not a comedy", m.Title)
		}
	}
	_, body = a.get(e, "/api/v1/movies?q=tide&theatreId=1")
	decode(t, body, &list)
	if list.Total != 1 || list.Items[0].Title != "Low Tide" {
		t.Errorf("search: %+v", list)
	}

	var m struct {
		ID          int64  `json:"id"`
		Title       string `json:"title"`
		ReleaseDate string `json:"releaseDate"`
		Runtime     int    `json:"runtimeMinutes"`
	}
	_, body = a.get(e, "/api/v1/movies/"+itoa(list.Items[0].ID))
	decode(t, body, &m)
	if m.Title != "Low Tide" || m.Runtime != 108 || len(m.ReleaseDate) != 10 {
		t.Errorf("movie: %+v", m)
	}
}

func TestAPIErrors(t *testing.T) {
	e := newCatalogEnv(t)
	a := newAPIChecker(t, e)
	cases := map[string]int{
		"/api/v1/movies/999999":               404,
		"/api/v1/movies/abc":                  400,
		"/api/v1/movies?page=0":               400,
		"/api/v1/movies?perPage=1000":         400,
		"/api/v1/movies?date=25-11-2026":      400,
		"/api/v1/movies?theatreId=x":          400,
		"/api/v1/showtimes?movieId=-3":        400,
		"/api/v1/showtimes?date=2026-02-30":   400,
		"/api/v1/showtimes?theatreId=4242":    400,
		"/api/v1/showtimes?date=yesterday&x=": 400,
	}
	for path, want := range cases {
		resp, body := a.get(e, path)
		if resp.StatusCode != want || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %q, want %d problem JSON", path, resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
		if strings.Contains(body, "pq:") || strings.Contains(body, "sql") {
			t.Errorf("%s: internals leak: %s", path, body)
		}
	}
}

func TestAPIShowtimes(t *testing.T) {
	e := newCatalogEnv(t)
	a := newAPIChecker(t, e)
	type showtime struct {
		ID        int64  `json:"id"`
		MovieID   int64  `json:"movieId"`
		TheatreID int64  `json:"theatreId"`
		StartsAt  string `json:"startsAt"`
		LocalDate string `json:"localDate"`
		TimeZone  string `json:"timeZone"`
		Capacity  int    `json:"capacity"`
		SeatsLeft int    `json:"seatsLeft"`
	}
	var list struct {
		Date  string
		Items []showtime
	}
	_, body := a.get(e, "/api/v1/showtimes")
	decode(t, body, &list)
	if list.Date != "2026-11-25" || len(list.Items) == 0 {
		t.Fatalf("today: %s, %d", list.Date, len(list.Items))
	}
	first := list.Items[0]
	if first.StartsAt != "2026-11-25T13:15:00-05:00" || first.TimeZone != "America/New_York" {
		t.Errorf("soonest showtime: %+v", first)
	}
	for _, s := range list.Items {
		if s.SeatsLeft != s.Capacity || s.Capacity < 100 {
			t.Errorf("showtime %d: %d of %d left", s.ID, s.SeatsLeft, s.Capacity)
		}
	}
	_, body = a.get(e, "/api/v1/showtimes?movieId="+itoa(first.MovieID)+"&date=2026-11-28&theatreId="+itoa(first.TheatreID))
	decode(t, body, &list)
	for _, s := range list.Items {
		if s.MovieID != first.MovieID || s.TheatreID != first.TheatreID || s.LocalDate != "2026-11-28" {
			t.Errorf("filter let %+v through", s)
		}
	}
	_, body = a.get(e, "/api/v1/showtimes?date=2031-01-01")
	decode(t, body, &list)
	if len(list.Items) != 0 {
		t.Errorf("far future: %d", len(list.Items))
	}
}

type goquerySelection = goquery.Selection

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func decode(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode: %v\n%s", err, body)
	}
}

// The checker really checks: a body that breaks the schema is rejected.
func TestAPICheckerRejectsMismatch(t *testing.T) {
	e := newCatalogEnv(t)
	a := newAPIChecker(t, e)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/movies/1", nil)
	route, params, err := a.router.FindRoute(req)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		`{"id": 1, "title": "No other fields"}`,
		`{"id":1,"slug":"s","title":"t","genre":["x"],"director":"d","cast":[],"runtimeMinutes":90,"rating":"G","synopsis":"","poster":"","trailerUrl":"","releaseDate":"2026-01-01","url":"/movies/s","extra":true}`,
	} {
		out := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
			Status:                 200,
			Header:                 http.Header{"Content-Type": {"application/json"}},
			Options:                &openapi3filter.Options{IncludeResponseStatus: true},
		}
		out.SetBodyBytes([]byte(body))
		if err := openapi3filter.ValidateResponse(context.Background(), out); err == nil {
			t.Errorf("accepted %s", body)
		}
	}
}

// "Today" is the earliest local date among the theatres, or the chosen theatre's.
func TestWhatsOnTodayAcrossZones(t *testing.T) {
	e := newCatalogEnv(t)
	e.clock.Set(time.Date(2026, 11, 26, 5, 30, 0, 0, time.UTC)) // 00:30 in New York, 21:30 in Los Angeles
	_, doc := e.get("/")
	if got := doc.Find(`[data-testid="whats-on"]`).AttrOr("data-date", ""); got != "2026-11-25" {
		t.Errorf("default date = %q, want Los Angeles' 2026-11-25", got)
	}
	ts, _ := e.db.Theatres(context.Background())
	_, doc = e.get("/?theatre=" + itoa(ts[0].ID)) // Downtown, New York
	if got := doc.Find(`[data-testid="whats-on"]`).AttrOr("data-date", ""); got != "2026-11-26" {
		t.Errorf("New York's date = %q, want 2026-11-26", got)
	}
	if first := doc.Find(`[data-testid="day-link"]`).First().AttrOr("data-date", ""); first != "2026-11-26" {
		t.Errorf("first day link = %q", first)
	}
}
