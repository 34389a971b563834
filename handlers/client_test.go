package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"marquee/booking"
	"marquee/config"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/handlers"
	"marquee/internal/app"
	"marquee/mail"
	"marquee/payment"
)

// cheapPasswords keep argon2id fast in tests; production uses booking.DefaultPasswordParams.
var cheapPasswords = booking.PasswordParams{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// accEnv is a testEnv whose e-mail is captured and whose limits can be tuned.
type accEnv struct {
	*testEnv
	mail *mail.Capture
}

// envOption changes the configuration or the wiring of a test app.
type envOption func(*config.Config, *app.Deps)

func withLimits(l handlers.RateLimits) envOption {
	return func(_ *config.Config, d *app.Deps) { d.Limits = &l }
}

// production runs the app as in production; payments stay on the demo
// gateway, which the wiring refuses to pick by itself there.
func production() envOption {
	return func(c *config.Config, d *app.Deps) {
		c.Env = "production"
		d.Gateway = payment.NewDemo(c.BaseURL, d.Clock.Now, d.DB)
	}
}

func trustProxy(p string) envOption {
	return func(c *config.Config, _ *app.Deps) { c.TrustedProxies = append(c.TrustedProxies, p) }
}

// newAccEnv starts an app on a fresh database with a capture mailer and cheap password hashing.
func newAccEnv(t *testing.T, opts ...envOption) *accEnv {
	t.Helper()
	clock := booking.NewManualClock(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
	store := dbtest.New(t, clock)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	capture := mail.NewCapture(100, logger)
	cfg := config.ForTest()
	deps := app.Deps{DB: store, Clock: clock, Logger: logger, Mailer: capture, Passwords: cheapPasswords}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	a := newApp(t, cfg, deps)
	return &accEnv{testEnv: &testEnv{t: t, wired: a, app: a.Fiber, db: store, clock: clock}, mail: capture}
}

// user creates an account directly in the database.
func (e *accEnv) user(email, password string, role booking.Role, confirmed bool) *booking.User {
	e.t.Helper()
	hash, err := booking.HashPassword(password, cheapPasswords)
	if err != nil {
		e.t.Fatal(err)
	}
	u, err := e.db.CreateUser(context.Background(), db.NewUser{Email: email, PasswordHash: hash, Name: strings.Split(email, "@")[0], Role: role, Confirmed: confirmed})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// signedIn returns a client signed in as a new confirmed user with the role.
func (e *accEnv) signedIn(email string, role booking.Role) *client {
	e.t.Helper()
	e.user(email, "correct horse battery", role, true)
	cl := e.client()
	resp, _ := cl.login(email, "correct horse battery", false)
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d", email, resp.StatusCode)
	}
	return cl
}

var linkRE = regexp.MustCompile(`http://marquee\.test(/[a-z/-]+\?token=[A-Za-z0-9_%-]+)`)

// mailLink returns the path+query of the link in the newest message to addr.
func (e *accEnv) mailLink(to string) string {
	e.t.Helper()
	m, ok := e.mail.Last(to)
	if !ok {
		e.t.Fatalf("no e-mail to %s", to)
	}
	match := linkRE.FindStringSubmatch(m.Text)
	if match == nil {
		e.t.Fatalf("no link in e-mail to %s:\n%s", to, m.Text)
	}
	return match[1]
}

// client is a browser: a cookie jar and the CSRF token of the last page it saw.
type client struct {
	e       *accEnv
	cookies map[string]*http.Cookie
	csrf    string
	ip      string
	header  http.Header
}

func (e *accEnv) client() *client {
	return &client{e: e, cookies: map[string]*http.Cookie{}, header: http.Header{}}
}

func (cl *client) send(req *http.Request) (*http.Response, *goquery.Document) {
	cl.e.t.Helper()
	for _, c := range cl.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	for k, v := range cl.header {
		req.Header[k] = v
	}
	if cl.ip != "" {
		req.RemoteAddr = cl.ip + ":1234"
	}
	resp, body := cl.e.do(req)
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now())) {
			delete(cl.cookies, c.Name)
		} else {
			cl.cookies[c.Name] = c
		}
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		cl.e.t.Fatalf("parse %s: %v", req.URL, err)
	}
	if t, ok := doc.Find(`meta[name="csrf-token"]`).Attr("content"); ok {
		cl.csrf = t
	} else if t, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok {
		cl.csrf = t
	}
	return resp, doc
}

func (cl *client) get(path string) (*http.Response, *goquery.Document) {
	cl.e.t.Helper()
	return cl.send(httptest.NewRequest(http.MethodGet, path, nil))
}

// post sends a form with the client's CSRF token (unless the form sets _csrf itself).
func (cl *client) post(path string, form url.Values) (*http.Response, *goquery.Document) {
	cl.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", cl.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return cl.send(req)
}

// submit loads page first (for its CSRF token), then posts the form.
func (cl *client) submit(page, action string, form url.Values) (*http.Response, *goquery.Document) {
	cl.e.t.Helper()
	cl.get(page)
	return cl.post(action, form)
}

func (cl *client) login(email, password string, remember bool) (*http.Response, *goquery.Document) {
	cl.e.t.Helper()
	f := url.Values{"email": {email}, "password": {password}}
	if remember {
		f.Set("remember", "1")
	}
	return cl.submit("/login", "/login", f)
}

// follow opens an e-mailed link (a confirmation page) and presses its button.
func (cl *client) follow(link string) (*http.Response, *goquery.Document) {
	cl.e.t.Helper()
	resp, doc := cl.get(link)
	if resp.StatusCode != http.StatusOK {
		return resp, doc
	}
	action, _ := doc.Find(`form[data-testid="confirm-form"]`).Attr("action")
	token, _ := doc.Find(`input[name="token"]`).Attr("value")
	return cl.post(action, url.Values{"token": {token}})
}

func wantStatus(t *testing.T, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d", resp.Request.Method, resp.Request.URL, resp.StatusCode, want)
	}
}

func wantRedirect(t *testing.T, resp *http.Response, prefix string) {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d, want a redirect to %s", resp.StatusCode, prefix)
	}
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, prefix) {
		t.Fatalf("redirect to %q, want %s…", loc, prefix)
	}
}
