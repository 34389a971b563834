package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/config"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/handlers"
	"marquee/internal/app"
	"marquee/mail"
)

// Fuzz targets for the HTTP layer's parsers of outside input: the API's
// JSON order body, the sign-in form, the catalogue's query parameters.
// Whatever arrives, the answer is never a 5xx and never shows an internal
// error. `go test` runs the seed corpora; `make fuzz` runs each for a while.

type fuzzEnv struct {
	app     *fiber.App
	token   string // an API token of a customer
	show    dbtest.Show
	cookies []*http.Cookie // a browser's session, with its CSRF token:
	csrf    string
}

func newFuzzEnv(f *testing.F) *fuzzEnv {
	clock := booking.NewManualClock(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
	store := dbtest.New(f, clock)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	l := noLimits()
	a := newApp(f, config.ForTest(), app.Deps{DB: store, Clock: clock, Logger: logger, Mailer: mail.NewCapture(10, logger),
		Passwords: cheapPasswords, Limits: &l})
	ctx := context.Background()
	u, err := store.CreateUser(ctx, db.NewUser{Email: "fuzz@example.com", Name: "Fuzz", Confirmed: true})
	if err != nil {
		f.Fatal(err)
	}
	tok, _, err := store.CreateAPIToken(ctx, u.ID, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	e := &fuzzEnv{app: a.Fiber, token: tok, show: dbtest.AddShowtime(f, store, clock.Now().Add(24*time.Hour))}
	// A browser's first visit to the sign-in page: its cookie and CSRF token.
	resp, err := e.app.Test(httptest.NewRequest(http.MethodGet, "/login", nil), -1)
	if err != nil {
		f.Fatal(err)
	}
	e.cookies = resp.Cookies()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		f.Fatal(err)
	}
	e.csrf, _ = doc.Find(`meta[name="csrf-token"]`).Attr("content")
	if e.csrf == "" {
		f.Fatal("no CSRF token on the sign-in page")
	}
	return e
}

// noLimits: the fuzzer's thousands of requests from one address must reach the parsers.
func noLimits() handlers.RateLimits { return handlers.RateLimits{} }

func (e *fuzzEnv) check(t *testing.T, req *http.Request) *http.Response {
	resp, err := e.app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 500 {
		t.Fatalf("%s %s: %d\n%s", req.Method, req.URL, resp.StatusCode, body)
	}
	for _, leak := range []string{"pq:", "sql:", "goroutine ", "panic", "runtime error"} {
		if strings.Contains(string(body), leak) {
			t.Fatalf("%s %s: the answer shows internals (%q):\n%s", req.Method, req.URL, leak, body)
		}
	}
	return resp
}

func FuzzAPICreateOrder(f *testing.F) {
	e := newFuzzEnv(f)
	for _, seed := range []string{
		`{"showtimeId":` + itoa(e.show.ShowtimeID) + `,"seats":["A5","A6"]}`,
		`{"showtimeId":` + itoa(e.show.ShowtimeID) + `,"quantity":2}`,
		`{"movieId":1,"showtime":"2026-11-26T18:00:00Z","quantity":2}`,
		`{"showtimeId":-1,"seats":[]}`, `{"seats":["\u0000"]}`, `{"quantity":1e999}`, `[]`, `null`, `{`, "",
		`{"showtimeId":` + itoa(e.show.ShowtimeID) + `,"seats":["A5"],"ticketTypes":{"A5":"child"},"email":"x@example.com"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/orders", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.token)
		e.check(t, req)
	})
}

func FuzzSignInForm(f *testing.F) {
	e := newFuzzEnv(f)
	f.Add("fuzz@example.com", "wrong password", "/account")
	f.Add("", "", "//evil.example")
	f.Add("a@b", "\xff\xfe", "/\t/evil")
	f.Add(strings.Repeat("x", 300)+"@example.com", "p", "")
	f.Fuzz(func(t *testing.T, email, password, next string) {
		// Posted as the browser that loaded the page, so the form reaches its parser.
		form := url.Values{"email": {email}, "password": {password}, "next": {next}, "_csrf": {e.csrf}}
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range e.cookies {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
		resp := e.check(t, req)
		if resp.StatusCode == http.StatusForbidden {
			t.Fatalf("the sign-in form was refused by the CSRF check, not read: the fuzzer tests nothing")
		}
	})
}

func FuzzCatalogueQuery(f *testing.F) {
	e := newFuzzEnv(f)
	for _, seed := range []string{"day=2026-11-26", "day=tomorrow", "theatre=1&movie=2", "day=9999-99-99", "q=%00", "genre=Sci-Fi&day=",
		"page=-1", "limit=100000", "from=2026-11-25T00:00:00Z&to=x"} {
		f.Add("/", seed)
		f.Add("/api/v1/showtimes", seed)
		f.Add("/api/v1/movies", seed)
	}
	f.Add("/showtimes/"+itoa(e.show.ShowtimeID)+"/map", "view=list")
	f.Fuzz(func(t *testing.T, path, query string) {
		u, err := url.Parse(path)
		if err != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.ContainsAny(path, " \t\r\n") {
			return // not a request line a client can send
		}
		req := httptest.NewRequest(http.MethodGet, "http://marquee.test"+u.Path, nil)
		req.URL.RawQuery = query
		e.check(t, req)
	})
}
