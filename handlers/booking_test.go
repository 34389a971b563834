package handlers_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/lib/pq"

	"marquee/booking"
	"marquee/config"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/handlers"
	"marquee/internal/app"
	"marquee/sales"
)

// showStart is when the test showtime starts; the clock starts two hours before.
var showStart = time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)

// bkEnv is an app over a database holding one 200-seat showtime (dbtest.AddShowtime).
type bkEnv struct {
	*testEnv
	h     *handlers.Handler
	sales *sales.Service
	show  dbtest.Show
	dsn   string
}

// newBookingEnv starts from booking.DefaultSettings (fee 100 cents per
// ticket), changed by mod when it is not nil.
func newBookingEnv(t *testing.T, mod func(*booking.Settings), live bool) *bkEnv {
	t.Helper()
	set := booking.DefaultSettings()
	if mod != nil {
		mod(&set)
	}
	clock, dsn, store, show := newShowStore(t)
	var logOut io.Writer = io.Discard
	if testing.Verbose() {
		logOut = os.Stderr
	}
	logger := slog.New(slog.NewTextHandler(logOut, nil))
	cfg := config.ForTest()
	dbtest.SetCinema(t, store, func(c *booking.CinemaSettings) {
		c.HoldLength, c.MaxSeatsPerCart, c.BookingFeeCents = set.HoldLength, set.MaxSeatsPerCart, set.BookingFeeCents
	})
	deps := app.Deps{DB: store, Clock: clock, Logger: logger}
	if live {
		n, err := db.NewNotifier(dsn, logger, db.NotifyChannels...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Close() })
		deps.Notifier = n
	}
	a := newApp(t, cfg, deps)
	return &bkEnv{testEnv: &testEnv{t: t, app: a.Fiber, db: store, clock: clock}, h: a.Handler, sales: a.Sales, show: show, dsn: dsn}
}

// newShowStore opens a fresh database (closed at cleanup) with one showtime
// at showStart, on a manual clock two hours before it.
func newShowStore(t *testing.T) (*booking.ManualClock, string, *db.DB, dbtest.Show) {
	t.Helper()
	clock := booking.NewManualClock(showStart.Add(-2 * time.Hour))
	store, dsn := dbtest.NewWithDSN(t, clock)
	return clock, dsn, store, dbtest.AddShowtime(t, store, showStart)
}

func (e *bkEnv) path(suffix string) string {
	return "/showtimes/" + strconv.FormatInt(e.show.ShowtimeID, 10) + suffix
}

// seat returns the id of a seat by row (0 = A) and index in the row (0-based).
func (e *bkEnv) seat(row, i int) int64 { return e.show.SeatIDs[row*20+i] }

// browser is a cookie jar with the CSRF token of the last page it saw.
type browser struct {
	e       *bkEnv
	cookies map[string]string
	csrf    string
}

func (e *bkEnv) browser() *browser { return &browser{e: e, cookies: map[string]string{}} }

func (b *browser) send(req *http.Request) (*http.Response, *goquery.Document, string) {
	b.e.t.Helper()
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, body := b.e.do(req)
	for _, c := range resp.Cookies() {
		b.cookies[c.Name] = c.Value
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		b.e.t.Fatal(err)
	}
	if t, ok := doc.Find(`meta[name="csrf-token"]`).Attr("content"); ok {
		b.csrf = t
	}
	return resp, doc, body
}

func (b *browser) open(path string) (*http.Response, *goquery.Document) {
	b.e.t.Helper()
	resp, doc, _ := b.send(httptest.NewRequest(http.MethodGet, path, nil))
	return resp, doc
}

// htmx posts a form as htmx does: HX-Request and the CSRF header.
func (b *browser) htmx(path string, form url.Values) (*http.Response, *goquery.Document, string) {
	b.e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-Csrf-Token", b.csrf)
	return b.send(req)
}

func (b *browser) hold(seat int64) (*http.Response, *goquery.Document, string) {
	b.e.t.Helper()
	return b.htmx(b.e.path("/seats"), url.Values{"hold": {itoa(seat)}})
}

func (b *browser) release(seat int64) (*http.Response, *goquery.Document, string) {
	b.e.t.Helper()
	return b.htmx(b.e.path("/seats"), url.Values{"release": {itoa(seat)}})
}

func seatState(doc *goquery.Document, seat int64) string {
	return doc.Find("#seat-"+itoa(seat)).AttrOr("data-state", "")
}

func status(t *testing.T, resp *http.Response, want int, body string) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, body)
	}
}

func TestShowtimePageSeatMap(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	resp, doc := e.browser().open(e.path(""))
	status(t, resp, 200, "")
	if got := doc.Find("button.seat").Length(); got != 200 {
		t.Fatalf("%d seat buttons", got)
	}
	label := doc.Find("#seat-"+itoa(e.seat(5, 8))).AttrOr("aria-label", "")
	if label != "Row F, seat 9, premium, available" {
		t.Fatalf("aria-label %q", label)
	}
	if l := doc.Find("#seat-"+itoa(e.seat(0, 0))).AttrOr("aria-label", ""); l != "Row A, seat 1, wheelchair space, available" {
		t.Fatalf("wheelchair label %q", l)
	}
	if doc.Find(`[data-testid="list-link"]`).AttrOr("href", "") != e.path("?view=list") {
		t.Fatal("no link to the list view")
	}
	_, list := e.browser().open(e.path("?view=list"))
	if got := list.Find("#seat-list li").Length(); got != 200 || list.Find("button.seat").Length() != 0 {
		t.Fatalf("list alternative has %d seats", got)
	}
	if !strings.Contains(list.Find("#ls-"+itoa(e.seat(5, 8))).Text(), "F9") {
		t.Fatalf("list item %q", list.Find("#ls-"+itoa(e.seat(5, 8))).Text())
	}
	// Two aisles per row: 22 cells, 20 seats.
	if got := doc.Find(`#seat-rows [role="group"]`).First().Find(".seat-gap").Length(); got != 2 {
		t.Fatalf("%d gaps in row A", got)
	}
	zones := doc.Find(`[data-testid="zone"]`)
	if zones.Length() != 4 || !strings.Contains(zones.Eq(1).Text(), "$13.00–$16.50") {
		t.Fatalf("zones: %d %q", zones.Length(), zones.Eq(1).Text())
	}
	if doc.Find(`[data-testid="showtime-start"]`).Text() != "Wed 25 Nov, 20:00" { // London = UTC in November
		t.Fatalf("start %q", doc.Find(`[data-testid="showtime-start"]`).Text())
	}
	if doc.Find(`[data-testid="sales-banner"]`).AttrOr("data-state", "") != "open" {
		t.Fatal("sales state")
	}
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		// Structured data (JSON-LD) is a data block, never executed.
		if _, ok := s.Attr("src"); !ok && s.AttrOr("type", "") != "application/ld+json" {
			t.Fatal("inline script")
		}
	})
	resp, _ = e.browser().open("/showtimes/999999")
	status(t, resp, 404, "")
}

func TestHoldAndRelease(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	alice, bob := e.browser(), e.browser()
	alice.open(e.path(""))
	bob.open(e.path(""))
	seat := e.seat(3, 10)

	resp, doc, body := alice.hold(seat)
	status(t, resp, 200, body)
	if seatState(doc, seat) != "selected" || doc.Find("#seat-"+itoa(seat)).AttrOr("hx-swap-oob", "") != "true" {
		t.Fatalf("hold answer: %s", body)
	}
	if doc.Find(`[data-testid="summary-line"]`).Length() != 1 || doc.Find(`[data-testid="total"]`).Text() != "$13.50" {
		t.Fatalf("summary: %s", body)
	}
	if r := doc.Find("[data-countdown]").AttrOr("data-remaining", ""); r != "600" {
		t.Fatalf("remaining %q", r)
	}
	// Bob sees it held and can't take it: 409 partial, and his map refreshes.
	_, page := bob.open(e.path(""))
	if seatState(page, seat) != "held" {
		t.Fatalf("bob sees %q", seatState(page, seat))
	}
	resp, doc, body = bob.hold(seat)
	status(t, resp, 409, body)
	if doc.Find(`[data-testid="error-partial"]`).Length() != 1 || resp.Header.Get("HX-Trigger") != "seats-changed" {
		t.Fatalf("409 partial: %s %v", body, resp.Header)
	}
	// Alice clicks again: released; now Bob gets it.
	resp, doc, body = alice.release(seat)
	status(t, resp, 200, body)
	if seatState(doc, seat) != "available" || doc.Find(`[data-testid="summary"]`).AttrOr("data-seats", "") != "0" {
		t.Fatalf("release answer: %s", body)
	}
	resp, _, body = bob.hold(seat)
	status(t, resp, 200, body)
	// The map partial shows the live state.
	resp, doc, body = alice.send(httptest.NewRequest(http.MethodGet, e.path("/map"), nil))
	status(t, resp, 200, body)
	if seatState(doc, seat) != "held" || doc.Find(`#sales-banner[hx-swap-oob]`).Length() != 1 {
		t.Fatalf("map partial: %s", body)
	}
	// The list view's live partial and its hold answers carry list items.
	resp, doc, body = alice.send(httptest.NewRequest(http.MethodGet, e.path("/map?view=list"), nil))
	if doc.Find("#ls-"+itoa(seat)).AttrOr("data-state", "") != "held" || doc.Find("button.seat").Length() != 0 {
		t.Fatalf("list partial: %s", body)
	}
	resp, doc, body = alice.htmx(e.path("/seats"), url.Values{"hold": {itoa(e.seat(3, 2))}, "view": {"list"}})
	status(t, resp, 200, body)
	if doc.Find("#ls-"+itoa(e.seat(3, 2))).AttrOr("data-state", "") != "selected" || doc.Find("button.seat").Length() != 0 {
		t.Fatalf("list hold answer: %s", body)
	}
	// A plain form post (no JavaScript) holds too and goes back to the page.
	req := httptest.NewRequest(http.MethodPost, e.path("/seats"), strings.NewReader(url.Values{"hold": {itoa(e.seat(3, 11))}, "_csrf": {alice.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, _, _ = alice.send(req)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != e.path("") {
		t.Fatalf("form post: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Without the CSRF token: refused.
	req = httptest.NewRequest(http.MethodPost, e.path("/seats"), strings.NewReader("hold="+itoa(e.seat(3, 12))))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, _, _ = alice.send(req)
	status(t, resp, 403, "")
	// An unknown seat is invalid.
	resp, _, body = alice.hold(123456789)
	status(t, resp, 422, body)
}

func TestTicketTypesAndCompanion(t *testing.T) {
	e := newBookingEnv(t, func(s *booking.Settings) { s.BookingFeeCents = 75 }, false)
	b := e.browser()
	b.open(e.path(""))
	premium := e.seat(6, 10)
	b.hold(premium)
	resp, doc, body := b.htmx(e.path("/type"), url.Values{"seat": {itoa(premium)}, "type": {"child"}})
	status(t, resp, 200, body)
	if doc.Find(`[data-testid="total"]`).Text() != "$13.75" { // child premium 13.00 + 0.75
		t.Fatalf("total %q", doc.Find(`[data-testid="total"]`).Text())
	}
	resp, _, body = b.htmx(e.path("/type"), url.Values{"seat": {itoa(premium)}, "type": {"pensioner"}})
	status(t, resp, 422, body)
	// A wheelchair space with its companion seat.
	resp, doc, body = b.htmx(e.path("/seats"), url.Values{"hold": {itoa(e.seat(0, 0))}, "companion": {"1"}})
	status(t, resp, 200, body)
	if seatState(doc, e.seat(0, 0)) != "selected" || seatState(doc, e.seat(0, 1)) != "selected" {
		t.Fatalf("wheelchair + companion: %s", body)
	}
	if doc.Find(`[data-testid="summary-line"]`).Length() != 3 {
		t.Fatal("three seats")
	}
}

func TestBestSeatsAndMax(t *testing.T) {
	e := newBookingEnv(t, func(s *booking.Settings) { s.MaxSeatsPerCart = 4 }, false)
	b := e.browser()
	b.open(e.path(""))
	resp, doc, body := b.htmx(e.path("/best"), url.Values{"quantity": {"3"}})
	status(t, resp, 200, body)
	lines := doc.Find(`[data-testid="summary-line"]`)
	if lines.Length() != 3 {
		t.Fatalf("best 3: %s", body)
	}
	var got []string
	lines.Each(func(_ int, s *goquery.Selection) { got = append(got, s.AttrOr("data-seat", "")) })
	// Row G (0.65 back in a 10-row room); x 9–11 and 10–12 are equally central, the left one wins.
	if strings.Join(got, " ") != "G9 G10 G11" {
		t.Fatalf("best seats %v", got)
	}
	// Asking again replaces the selection.
	_, doc, _ = b.htmx(e.path("/best"), url.Values{"quantity": {"2"}})
	if doc.Find(`[data-testid="summary-line"]`).Length() != 2 {
		t.Fatal("replace")
	}
	mine := map[string]bool{}
	doc.Find(`[data-testid="summary-line"]`).Each(func(_ int, s *goquery.Selection) { mine[s.AttrOr("data-seat", "")] = true })
	if doc.Find(`#seat-rows[hx-swap-oob]`).Length() != 1 {
		t.Fatal("best answers with the whole map")
	}
	// Another browser's best seats avoid them.
	other := e.browser()
	other.open(e.path(""))
	_, doc, _ = other.htmx(e.path("/best"), url.Values{"quantity": {"2"}})
	if doc.Find(`[data-testid="summary-line"]`).Length() != 2 {
		t.Fatal("other browser's best seats")
	}
	doc.Find(`[data-testid="summary-line"]`).Each(func(_ int, s *goquery.Selection) {
		if mine[s.AttrOr("data-seat", "")] {
			t.Fatalf("seat %s given twice", s.AttrOr("data-seat", ""))
		}
	})
	// Max seats: 2 held, 2 more fine, the fifth refused.
	for i := 0; i < 2; i++ {
		resp, _, body = b.hold(e.seat(1, i+5))
		status(t, resp, 200, body)
	}
	resp, _, body = b.hold(e.seat(1, 9))
	status(t, resp, 422, body)
	resp, _, body = b.htmx(e.path("/best"), url.Values{"quantity": {"5"}})
	status(t, resp, 422, body)
}

func TestHoldExpiry(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	alice, bob := e.browser(), e.browser()
	alice.open(e.path(""))
	bob.open(e.path(""))
	seat := e.seat(4, 4)
	alice.hold(seat)
	e.clock.Advance(9 * time.Minute)
	_, doc := alice.open(e.path(""))
	if seatState(doc, seat) != "selected" || doc.Find("[data-countdown]").AttrOr("data-remaining", "") != "60" {
		t.Fatal("still held with a minute left")
	}
	e.clock.Advance(time.Minute)
	_, doc = alice.open(e.path(""))
	if seatState(doc, seat) != "available" || doc.Find(`[data-testid="hold-expired"]`).Length() != 1 {
		t.Fatalf("after expiry: state %q", seatState(doc, seat))
	}
	// The expired hold is reclaimed by someone else at once (no sweep needed).
	resp, _, body := bob.hold(seat)
	status(t, resp, 200, body)
}

func TestSalesCutoff(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	b := e.browser()
	// Fifteen minutes before the start: open, closing soon, full 10-minute hold.
	e.clock.Set(showStart.Add(-15 * time.Minute))
	_, doc := b.open(e.path(""))
	if doc.Find(`[data-testid="sales-banner"]`).AttrOr("data-state", "") != "closing_soon" ||
		!strings.Contains(doc.Find(`[data-testid="sales-banner"]`).Text(), "15 minutes") {
		t.Fatalf("banner %q", doc.Find(`[data-testid="sales-banner"]`).Text())
	}
	_, doc, _ = b.hold(e.seat(4, 5))
	if r := doc.Find("[data-countdown]").AttrOr("data-remaining", ""); r != "600" {
		t.Fatalf("remaining %s", r)
	}
	// Four minutes before: a new cart's hold shrinks to the cutoff, checkout still works.
	late := e.browser()
	e.clock.Set(showStart.Add(-4 * time.Minute))
	late.open(e.path(""))
	_, doc, body := late.hold(e.seat(4, 8))
	if r := doc.Find("[data-countdown]").AttrOr("data-remaining", ""); r != "240" {
		t.Fatalf("shortened hold: remaining %s\n%s", r, body)
	}
	resp, _, body := late.htmx(e.path("/checkout"), url.Values{"email": {"late@example.com"}})
	status(t, resp, 200, body)
	code := strings.TrimPrefix(resp.Header.Get("HX-Redirect"), "/orders/")
	o, err := e.db.OrderByCode(context.Background(), code)
	if err != nil || !o.HoldExpiresAt.Equal(showStart) {
		t.Fatalf("order hold %v %v", o.HoldExpiresAt, err)
	}
	// At the start: 410 for holds, best seats and checkout; the page says it started.
	e.clock.Set(showStart)
	resp, doc, body = late.hold(e.seat(4, 9))
	status(t, resp, 410, body)
	if !strings.Contains(doc.Find(`[data-testid="error-partial"]`).Text(), "started") {
		t.Fatalf("410 partial: %s", body)
	}
	resp, _, body = b.htmx(e.path("/best"), url.Values{"quantity": {"2"}})
	status(t, resp, 410, body)
	resp, _, body = b.htmx(e.path("/checkout"), url.Values{"email": {"b@example.com"}})
	status(t, resp, 410, body)
	_, doc = b.open(e.path(""))
	if doc.Find(`[data-testid="sales-banner"]`).AttrOr("data-state", "") != "started" {
		t.Fatal("started banner")
	}
}

func TestCheckoutCreatesPendingOrder(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	b := e.browser()
	b.open(e.path(""))
	b.hold(e.seat(2, 6))
	b.hold(e.seat(2, 7))
	resp, _, body := b.htmx(e.path("/checkout"), url.Values{"email": {"not an address"}})
	status(t, resp, 422, body)
	resp, _, body = b.htmx(e.path("/checkout"), url.Values{"email": {"guest@example.com"}})
	status(t, resp, 200, body)
	to := resp.Header.Get("HX-Redirect")
	if !strings.HasPrefix(to, "/orders/") || len(to) != len("/orders/")+12 {
		t.Fatalf("HX-Redirect %q", to)
	}
	resp, doc := b.open(to)
	status(t, resp, 200, "")
	if doc.Find(`[data-testid="order"]`).AttrOr("data-status", "") != "pending_payment" ||
		doc.Find(`[data-testid="order-item"]`).Length() != 2 ||
		doc.Find(`[data-testid="order-total"]`).Text() != "$27.00" ||
		doc.Find("[data-countdown]").AttrOr("data-remaining", "") != "600" {
		t.Fatalf("order page: %s", doc.Text())
	}
	// The cart is empty now; the seats stay taken by the order.
	_, doc = b.open(e.path(""))
	if doc.Find(`[data-testid="summary"]`).AttrOr("data-seats", "") != "0" || seatState(doc, e.seat(2, 6)) != "held" {
		t.Fatal("after checkout")
	}
	// Nothing left to check out.
	resp, _, body = b.htmx(e.path("/checkout"), url.Values{"email": {"guest@example.com"}})
	status(t, resp, 422, body)
	// The sweeper expires the unpaid order when the hold runs out.
	e.clock.Advance(10 * time.Minute)
	if n, _, err := e.db.Sweep(context.Background(), e.clock.Now()); err != nil || n != 1 {
		t.Fatalf("sweep %d %v", n, err)
	}
	_, doc = b.open(to)
	if doc.Find(`[data-testid="order"]`).AttrOr("data-status", "") != "expired" || seatState(doc, e.seat(2, 6)) != "" {
		t.Fatal("expired order page")
	}
	_, doc = b.open(e.path(""))
	if seatState(doc, e.seat(2, 6)) != "available" {
		t.Fatal("seat back on sale")
	}
	resp, _ = b.open("/orders/NOSUCHORDER1")
	status(t, resp, 404, "")
}

// TestSeatEventsStream runs a real HTTP server (app.Test doesn't stream) and
// checks that a change made through another path (the store directly, as
// another instance would) reaches the stream through LISTEN/NOTIFY.
func TestSeatEventsStream(t *testing.T) {
	e := newBookingEnv(t, nil, true)
	base := e.serveHTTP(t)
	resp, err := http.Get(base + e.path("/events"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" || resp.Header.Get("X-Accel-Buffering") != "no" {
		t.Fatalf("headers %v", resp.Header)
	}
	next, lines := streamLines(t, resp.Body)
	next(": connected")
	dbtest.HoldElsewhere(t, e.db, e.show.ShowtimeID, "elsewhere", e.seat(5, 5), e.clock.Now())
	next("event: seats")
	next("data: " + itoa(e.show.ShowtimeID))
	// The snapshot followed the notification: the page shows the seat held.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, doc := e.browser().open(e.path(""))
		if seatState(doc, e.seat(5, 5)) == "held" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("snapshot never saw the hold")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A hold through the site is announced in a batch and arrives too.
	b := e.browser()
	b.open(e.path(""))
	if resp, _, body := b.hold(e.seat(6, 6)); resp.StatusCode != 200 {
		t.Fatalf("hold: %d %s", resp.StatusCode, body)
	}
	next("event: seats")
	// Unknown showtime: 404 before any stream.
	r2, err := http.Get(base + "/showtimes/999999/events")
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != 404 {
		t.Fatalf("unknown showtime events: %d", r2.StatusCode)
	}
	// Closing the sales service ends the stream (graceful shutdown doesn't wait for it).
	e.sales.Close()
	for range lines {
	}
}

// serveHTTP runs the app on a real listener (app.Test doesn't stream) until
// the test ends and returns its base URL.
func (e *bkEnv) serveHTTP(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.app.Listener(ln)
	t.Cleanup(func() { e.app.Shutdown() })
	return "http://" + ln.Addr().String()
}

// streamLines reads body line by line in the background. next waits up to
// 10 s for the line want, skipping the others; lines closes at the end of
// the stream (drain it before returning).
func streamLines(t *testing.T, body io.Reader) (next func(want string), lines <-chan string) {
	ch := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(body)
		for sc.Scan() {
			ch <- sc.Text()
		}
		close(ch)
	}()
	next = func(want string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case l, ok := <-ch:
				if !ok {
					t.Fatalf("stream ended before %q", want)
				}
				if l == want {
					return
				}
			case <-deadline:
				t.Fatalf("no %q on the stream", want)
			}
		}
	}
	return next, ch
}

// TestFirstClicksShareTheCart: a new visitor's first two clicks, sent at once
// with the cookie the seat page set, hold both seats for one cart (the page
// made it), not one cart each with the last cookie winning.
func TestFirstClicksShareTheCart(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	b := e.browser()
	resp, _ := b.open(e.path(""))
	status(t, resp, 200, "")
	seats := []int64{e.seat(2, 3), e.seat(2, 4)}
	var wg sync.WaitGroup
	codes := make([]int, len(seats))
	for i, seat := range seats {
		req := httptest.NewRequest(http.MethodPost, e.path("/seats"), strings.NewReader(url.Values{"hold": {itoa(seat)}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-Csrf-Token", b.csrf)
		for k, v := range b.cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := e.app.Test(req, -1)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	if codes[0] != 200 || codes[1] != 200 {
		t.Fatalf("holds: %v", codes)
	}
	var carts []string
	if err := dbtest.SQL(t, e.db).SelectContext(context.Background(), &carts,
		`SELECT DISTINCT cart_id FROM seat_claims WHERE seat_id = ANY($1) AND cart_id IS NOT NULL`, pq.Array(seats)); err != nil {
		t.Fatal(err)
	}
	if len(carts) != 1 {
		t.Fatalf("two first clicks held for %d carts %v, want one", len(carts), carts)
	}
}

// TestHoldsLimitedPerIP: fresh cookies from one IP can't hold a showtime
// hostage (MARQUEE_HOLDS_PER_IP, 30 by default within a hold length), while
// a family of 8 on one phone books as usual; the customer is told plainly.
func TestHoldsLimitedPerIP(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	for i := 0; i < 3; i++ { // 24 seats from one address, on three cookies
		b := e.browser()
		b.open(e.path(""))
		resp, _, body := b.htmx(e.path("/best"), url.Values{"quantity": {"8"}})
		status(t, resp, 200, body)
	}
	b := e.browser()
	b.open(e.path(""))
	resp, _, body := b.htmx(e.path("/best"), url.Values{"quantity": {"8"}})
	status(t, resp, http.StatusTooManyRequests, body)
	if !strings.Contains(body, "held from your connection") {
		t.Fatalf("no plain message: %s", body)
	}
	// Refused seats don't count: this address may hold 6 more, not 7.
	for i := range 6 {
		resp, _, body = b.hold(e.seat(9, i))
		status(t, resp, 200, body)
	}
	resp, _, body = b.hold(e.seat(9, 6))
	status(t, resp, http.StatusTooManyRequests, body)
	// The holds lapse; the window with them.
	e.clock.Advance(11 * time.Minute)
	resp, _, body = b.htmx(e.path("/best"), url.Values{"quantity": {"8"}})
	status(t, resp, 200, body)
}
