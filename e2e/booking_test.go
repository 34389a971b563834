//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
)

// TestGuestBooksAndPays: a moviegoer without an account goes what's on → a
// movie → a showtime on sale, picks two seats on the map (htmx holds them),
// releases one, lets "best seats" choose three, checks out with an e-mail,
// pays on the demo gateway's hosted page, and comes back to a paid order with
// seats, total, loadable QR tickets and a receipt.
func TestGuestBooksAndPays(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)

	openShowtimeFromHome(b, srv, 3*time.Hour)
	if st := Eval[string](b, `document.querySelector('[data-testid="sales-banner"]').dataset.state`); st != "open" && st != "closing_soon" {
		t.Fatalf("sales state of the chosen showtime: %q", st)
	}

	// Two free seats: each click holds it for this browser at once.
	seats := holdSeats(b, 2)
	for _, id := range seats {
		label := Get(b, chromedp.AttributeValue(chromedp.ID(id), "aria-label"))
		if !strings.HasSuffix(label.Value, ", selected by you") {
			t.Fatalf("held seat %s is labelled %q", id, label.Value)
		}
	}
	checkSeatLooks(b, seats[1], "selected")
	two := summaryTotal(b)

	// Clicking a held seat again releases it.
	b.ClickID(seats[0])
	waitSeatState(b, seats[0], "available")
	waitSummarySeats(b, 1)
	if one := summaryTotal(b); one >= two {
		t.Fatalf("total after releasing a seat %d, before %d", one, two)
	}

	// Best seats together: replaces the selection with three seats.
	b.Do(chromedp.SetValue(chromedp.ID("best-quantity"), "3"))
	b.Click(`[data-testid="best-form"] button[type="submit"]`)
	waitSummarySeats(b, 3)
	b.WaitJS("three seats selected on the map", `document.querySelectorAll('#seat-rows button.seat[data-state="selected"]').length === 3`)
	total := summaryTotal(b)
	lines := Eval[[]string](b, `[...document.querySelectorAll('[data-testid="summary-line"]')].map(l => l.dataset.seat)`)

	// Checkout as a guest: the order waits for payment, with a running countdown.
	code := checkout(b, "guest.moviegoer@example.com")
	checkPendingWithCountdown(b)
	if got := cents(t, b.Text(`[data-testid="order-total"]`)); got != total {
		t.Fatalf("order total %d, the summary said %d", got, total)
	}

	// Pay on the demo gateway's page, and succeed.
	payOnDemo(b)
	if got := cents(t, b.Text(`[data-testid="demo-total"]`)); got != total {
		t.Fatalf("demo page asks for %d, order total %d", got, total)
	}
	succeedOnDemo(b, code)

	// The paid order: its seats, total, tickets with QR codes, a receipt.
	items := Eval[[]string](b, `[...document.querySelectorAll('[data-testid="order-item"]')].map(e => e.textContent.replace(/\s+/g, " ").trim())`)
	if len(items) != 3 {
		t.Fatalf("paid order lists %d seats, want 3: %q", len(items), items)
	}
	for _, l := range lines { // "F12" → "Row F, seat 12"
		row := strings.TrimRight(l, "0123456789")
		want := "Row " + row + ", seat " + strings.TrimPrefix(l, row)
		found := false
		for _, it := range items {
			found = found || strings.HasPrefix(it, want+" ")
		}
		if !found {
			t.Fatalf("paid order lacks seat %s: %q", want, items)
		}
	}
	if got := cents(t, b.Text(`[data-testid="order-total"]`)); got != total {
		t.Fatalf("paid order total %d, want %d", got, total)
	}
	if st := b.Text(`[data-testid="order-state"]`); !strings.Contains(st, "You're booked") {
		t.Fatalf("order state says %q", st)
	}
	b.WaitVisible(`[data-testid="payment-status"]`)
	checkTickets(b, 3)

	b.Click(`[data-testid="receipt-link"]`)
	b.WaitVisible(`[data-testid="receipt"]`)
	if got := cents(t, b.Text(`[data-testid="receipt-total"]`)); got != total {
		t.Fatalf("receipt total %d, want %d", got, total)
	}
	b.NoProblems()
}

// TestBookTheShowStartingSoon: the demo programme has a show starting about
// 15 minutes after seeding. Its online sales are still open (with a "closing
// soon" banner), the hold is cut short to the sales cutoff (the configured
// hold here is longer than the time left), and it can be booked and paid end
// to end.
func TestBookTheShowStartingSoon(t *testing.T) {
	srv := StartServer(t)
	// A 30-minute hold, longer than the time left: an administrator's setting,
	// which every instance reloads when it changes (NOTIFY).
	setting, err := sqlx.Connect("postgres", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setting.Exec(`UPDATE cinema_settings SET hold_seconds = 1800`); err != nil {
		t.Fatal(err)
	}
	setting.Close()
	time.Sleep(time.Second) // the server reloads its settings snapshot
	b := NewBrowser(t)

	// The soonest showtime of the demo's "soon" movie starts within 20 minutes.
	b.Navigate(srv.URL + "/movies/kilowatt-kids")
	b.WaitVisible(`[data-testid="movie"] [data-testid="showtime-link"]`)
	id := Eval[string](b, `(() => {
		const now = Date.now();
		const a = [...document.querySelectorAll('[data-testid="showtime-link"]')]
			.filter(a => { const s = Date.parse(a.dataset.startsAt); return s > now && s <= now + 20*60*1000; })[0];
		return a ? a.dataset.showtimeId : "";
	})()`)
	if id == "" {
		t.Fatalf("no showtime of kilowatt-kids starts within 20 minutes\n%s", b.pageState())
	}
	b.Click(`[data-testid="showtime-link"][data-showtime-id="` + id + `"]`)
	b.WaitVisible(`[data-testid="showtime"][data-showtime="` + id + `"] #seat-rows button.seat`)

	if st := Eval[string](b, `document.querySelector('[data-testid="sales-banner"]').dataset.state`); st != "closing_soon" {
		t.Fatalf("sales state %q, want closing_soon", st)
	}
	if banner := b.Text(`[data-testid="sales-banner"]`); !strings.HasPrefix(banner, "Hurry: online sales close in") {
		t.Fatalf("sales banner %q", banner)
	}
	start := Get(b, chromedp.Evaluate[time.Time](`document.querySelector('[data-testid="showtime-start"]').getAttribute("datetime")`))
	startsIn := time.Until(start)

	holdSeats(b, 1)
	total := summaryTotal(b)
	held := Eval[int](b, `+document.querySelector('[data-testid="summary"] [data-countdown]').dataset.remaining`)
	// Sales close at the start: the 30 minute hold ends then instead.
	if d := float64(held) - startsIn.Seconds(); d < -5 || d > 5 {
		t.Fatalf("hold of %ds for a show starting in %s: not cut to the sales cutoff", held, startsIn.Round(time.Second))
	}

	code := checkout(b, "in.a.hurry@example.com")
	left := checkPendingWithCountdown(b)
	if d := float64(left) - time.Until(start).Seconds(); d < -5 || d > 5 {
		t.Fatalf("order hold of %ds for a show starting in %s: not the sales cutoff", left, time.Until(start).Round(time.Second))
	}
	payOnDemo(b)
	succeedOnDemo(b, code)
	if got := cents(t, b.Text(`[data-testid="order-total"]`)); got != total {
		t.Fatalf("paid order total %d, want %d", got, total)
	}
	checkTickets(b, 1)
	b.NoProblems()
}

// TestDeclinedPaymentCanBeRetried: a declined card on the demo payment page
// says so, leaves the order pending payment (seats still held), and the
// moviegoer can pay again and succeed.
func TestDeclinedPaymentCanBeRetried(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)
	b.ExpectStatus(402, "/demo/checkout/") // the declined payment's page answers 402 Payment Required

	openShowtimeFromHome(b, srv, 3*time.Hour)
	holdSeats(b, 2)
	code := checkout(b, "declined.card@example.com")
	payOnDemo(b)

	b.Click(`[data-testid="demo-decline"]`)
	b.WaitVisible(`[data-testid="demo-message"]`)
	if msg := b.Text(`[data-testid="demo-message"]`); !strings.Contains(msg, "declined") {
		t.Fatalf("decline message %q", msg)
	}
	// The page still offers to pay.
	b.WaitVisible(`[data-testid="demo-checkout"][data-open="true"] [data-testid="demo-succeed"]`)

	// Back on the order: still pending payment, with its hold and a Pay button.
	b.Click(`[data-testid="demo-checkout"] a[href="/orders/` + code + `"]`)
	checkPendingWithCountdown(b)
	if got := b.Text(`[data-testid="order-code"]`); got != code {
		t.Fatalf("back on order %q, want %q", got, code)
	}

	// Try again: pay and succeed.
	payOnDemo(b)
	succeedOnDemo(b, code)
	checkTickets(b, 2)
	b.NoProblems()
}
