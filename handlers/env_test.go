package handlers_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/config"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/internal/app"
)

// testEnv is a Marquee app over its own throwaway database, with a clock the test moves.
type testEnv struct {
	t     *testing.T
	wired *app.App // the whole instance (its metrics…)
	app   *fiber.App
	db    *db.DB
	clock *booking.ManualClock
}

// newEnv starts an app on a fresh database. The clock starts at a fixed instant.
func newEnv(t *testing.T) *testEnv {
	t.Helper()
	clock := booking.NewManualClock(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
	store := dbtest.New(t, clock)
	a := newApp(t, config.ForTest(), app.Deps{DB: store, Clock: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return &testEnv{t: t, wired: a, app: a.Fiber, db: store, clock: clock}
}

// newApp wires the app as marquee serve does (internal/app) from cfg (mostly
// config.ForTest), with d overriding what the test is about; it is closed
// when the test ends.
func newApp(t testing.TB, cfg config.Config, d app.Deps) *app.App {
	t.Helper()
	a, err := app.New(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// do sends a request through Fiber and returns the response with its body read.
func (e *testEnv) do(req *http.Request) (*http.Response, string) {
	e.t.Helper()
	resp, err := e.app.Test(req, -1)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// get fetches a page and parses it.
func (e *testEnv) get(path string) (*http.Response, *goquery.Document) {
	e.t.Helper()
	resp, body := e.do(httptest.NewRequest(http.MethodGet, path, nil))
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		e.t.Fatalf("parse %s: %v", path, err)
	}
	return resp, doc
}

// getJSON fetches an API path and decodes its JSON body into v (when v is not nil).
func (e *testEnv) getJSON(path string, v any) (*http.Response, string) {
	e.t.Helper()
	resp, body := e.do(httptest.NewRequest(http.MethodGet, path, nil))
	if v != nil {
		if err := json.Unmarshal([]byte(body), v); err != nil {
			e.t.Fatalf("decode %s: %v\n%s", path, err, body)
		}
	}
	return resp, body
}

// TestMetricsByRoute: requests are counted by route pattern (not the raw
// path) with their final status — errors included, which the error handler
// answers — and the scrape-time gauges read the database.
func TestMetricsByRoute(t *testing.T) {
	e := newAccEnv(t)
	a := e.wired
	for _, path := range []string{"/movies/no-such-film", "/movies/another-missing-one", "/healthz"} {
		e.do(httptest.NewRequest(http.MethodGet, path, nil))
	}
	rec := httptest.NewRecorder()
	a.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`marquee_http_requests_total{method="GET",route="/movies/:slug",status="404"} 2`,
		`marquee_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`marquee_http_request_duration_seconds_count{method="GET",route="/movies/:slug"} 2`,
		"marquee_db_connections_open ",
		"marquee_refunds_waiting 0",
		"marquee_mail_queue 0",
		"marquee_seatmap_subscribers 0",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, "no-such-film") {
		t.Error("a raw path became a label value")
	}
}
