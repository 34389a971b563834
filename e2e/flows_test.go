//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Helpers for the user-flow tests: waiting on page conditions, and the steps
// that several flows share (pick a showtime, hold seats, check out, pay).
// Every wait is for a state of the page, bounded in time; none sleeps.

// Eval evaluates a JavaScript expression in the page and decodes its value.
func Eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	return Get(b, chromedp.Evaluate[T](expr))
}

// WaitJS waits until the JavaScript expression is truthy in the current page.
// what says in words what is awaited, for the failure message.
func (b *Browser) WaitJS(what, expr string) {
	b.t.Helper()
	b.WaitJSWithin(30*time.Second, what, expr)
}

// WaitJSWithin is WaitJS with a deadline that is part of the assertion
// ("within a few seconds").
func (b *Browser) WaitJSWithin(d time.Duration, what, expr string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, d+5*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingTimeout(d), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		b.t.Fatalf("%swaiting for %s: %v\n%s", b.prefix(), what, err, b.pageState())
	}
}

// pageState describes the page for a failure message: where it is, what the
// error areas say and what the browser reported.
func (b *Browser) pageState() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const t = s => { const e = document.querySelector(s); return e ? e.textContent.trim().replace(/\s+/g, " ").slice(0, 300) : "-"; };
		return "at " + location.href + "\nbooking error: " + t("#booking-error") + "\nerror page: " + t("[data-testid=error-page]") + "\nmain: " + t("main").slice(0, 300);
	})()`))
	if err != nil {
		state = "(page state unavailable: " + err.Error() + ")"
	}
	return state + fmt.Sprintf("\nbrowser problems: %q", b.Problems())
}

func (b *Browser) prefix() string {
	if b.name == "" {
		return ""
	}
	return "browser " + b.name + ": "
}

// Navigate opens a URL and waits for it to load.
func (b *Browser) Navigate(url string) {
	b.t.Helper()
	b.Do(chromedp.Navigate(url))
}

// Click clicks the first element matching a CSS selector (scrolled into view).
func (b *Browser) Click(sel string) {
	b.t.Helper()
	b.uncover(`document.querySelector(` + strconv.Quote(sel) + `)`)
	click(b, chromedp.CSS(sel))
}

// uncover scrolls the element (a JavaScript expression) to the middle of the
// screen when something fixed — the phone's summary bar, a notice — lies
// over its centre, as a person scrolls a link out from under the bar before
// tapping it. Clicks land on what the test means, not on the bar.
func (b *Browser) uncover(elem string) {
	b.t.Helper()
	Eval[bool](b, `(() => { const e = `+elem+`; if (!e) return false;
		const r = e.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
		const top = document.elementFromPoint(x, y);
		if (top && top !== e && !e.contains(top)) e.scrollIntoView({block: "center", inline: "nearest"});
		return true; })()`)
}

// WaitVisible waits until an element matching a CSS selector is visible.
func (b *Browser) WaitVisible(sel string) {
	b.t.Helper()
	b.Do(chromedp.WaitVisible(chromedp.CSS(sel)))
}

// Text is the trimmed text of the first element matching a CSS selector.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(Get(b, chromedp.Text(chromedp.CSS(sel))))
}

// WaitEventStream waits until the server has answered more than n event
// streams (the live seat map is subscribed) and returns the new count. Take n
// from EventStreams before the page that opens the stream loads.
func (b *Browser) WaitEventStream(n int) int {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if got := b.EventStreams(); got > n {
			return got
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%sthe page opened no live update stream (SSE)\n%s", b.prefix(), b.pageState())
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-b.ctx.Done():
			b.t.Fatalf("%sbrowser gone: %v", b.prefix(), b.ctx.Err())
		}
	}
}

// EventStreams is how many event streams the server has answered so far.
func (b *Browser) EventStreams() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.streams
}

// --- money ---------------------------------------------------------------

var moneyRE = regexp.MustCompile(`^\$(\d+)\.(\d\d)$`)

// cents parses the app's money format ("$15.00").
func cents(t *testing.T, s string) int64 {
	t.Helper()
	m := moneyRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		t.Fatalf("not an amount of money: %q", s)
	}
	d, _ := strconv.ParseInt(m[1], 10, 64)
	c, _ := strconv.ParseInt(m[2], 10, 64)
	return d*100 + c
}

// --- catalogue -----------------------------------------------------------

// showtimeLinkAfter is JavaScript that finds, on a movie page, the id of the
// first showtime starting at least lead from now ("" if none).
func showtimeLinkAfter(lead time.Duration) string {
	return fmt.Sprintf(`(() => {
		const min = Date.now() + %d;
		const a = [...document.querySelectorAll('[data-testid="showtime-link"]')]
			.find(a => Date.parse(a.dataset.startsAt) >= min);
		return a ? a.dataset.showtimeId : "";
	})()`, lead.Milliseconds())
}

// openShowtimeFromHome goes what's on → the first movie → its first showtime
// starting at least lead from now, and returns the showtime's id.
func openShowtimeFromHome(b *Browser, srv *Server, lead time.Duration) string {
	b.t.Helper()
	b.Navigate(srv.URL + "/")
	b.WaitVisible(`[data-testid="movie-card"] [data-testid="movie-title"]`)
	b.Click(`[data-testid="movie-card"] [data-testid="movie-title"]`)
	b.WaitVisible(`[data-testid="movie"] [data-testid="showtime-link"]`)
	id := Eval[string](b, showtimeLinkAfter(lead))
	if id == "" {
		b.t.Fatalf("the movie page offers no showtime starting %s or later from now\n%s", lead, b.pageState())
	}
	b.Click(`[data-testid="showtime-link"][data-showtime-id="` + id + `"]`)
	b.WaitVisible(`[data-testid="showtime"][data-showtime="` + id + `"] #seat-rows button.seat`)
	return id
}

// openShowtime opens a showtime page directly and waits for its seat map.
func openShowtime(b *Browser, srv *Server, id string) {
	b.t.Helper()
	b.Navigate(srv.URL + "/showtimes/" + id)
	b.WaitVisible(`[data-testid="showtime"][data-showtime="` + id + `"] #seat-rows button.seat`)
}

// --- seat map ------------------------------------------------------------

// freeSeats returns the element ids of n free standard seats on the map,
// taken from the middle row outwards (clear of wheelchair spaces).
func freeSeats(b *Browser, n int) []string {
	b.t.Helper()
	ids := Eval[[]string](b, `(() => {
		const rows = [...document.querySelectorAll('#seat-rows [role="group"][aria-label^="Row "]')];
		const mid = Math.floor(rows.length / 2);
		const order = rows.map((r, i) => [Math.abs(i - mid), r]).sort((a, b) => a[0] - b[0]).map(x => x[1]);
		const out = [];
		for (const r of order) {
			for (const s of r.querySelectorAll('button.seat.k-standard[data-state="available"]')) out.push(s.id);
		}
		return out;
	})()`)
	if len(ids) < n {
		b.t.Fatalf("the map has %d free standard seats, want %d", len(ids), n)
	}
	return ids[:n]
}

// seatState is the data-state of a seat button now ("" if there is none).
func seatState(b *Browser, id string) string {
	b.t.Helper()
	return Eval[string](b, `(() => { const e = document.getElementById(`+strconv.Quote(id)+`); return e ? e.dataset.state : ""; })()`)
}

// waitSeatState waits until a seat button shows a state: in its data and,
// once htmx has settled the swap, in its looks (the state's class).
func waitSeatState(b *Browser, id, state string) {
	b.t.Helper()
	b.WaitJSWithin(30*time.Second, "seat "+id+" to be "+state, seatStateIs(id, state))
}

// seatStateIs is JavaScript that is true when a seat button shows a state.
func seatStateIs(id, state string) string {
	class := map[string]string{"selected": "s-selected", "held": "s-held", "sold": "s-sold"}[state]
	return `(() => { const e = document.getElementById(` + strconv.Quote(id) + `);
		return !!e && e.dataset.state === ` + strconv.Quote(state) + ` &&
			[...e.classList].filter(c => c.startsWith("s-")).join(" ") === ` + strconv.Quote(class) + `; })()`
}

// waitSummarySeats waits until the summary lists n seats.
func waitSummarySeats(b *Browser, n int) {
	b.t.Helper()
	b.WaitJS(fmt.Sprintf("the summary to list %d seats", n), fmt.Sprintf(
		`document.querySelector('[data-testid="summary"]')?.dataset.seats === "%d" && document.querySelectorAll('[data-testid="summary-line"]').length === %d`, n, n))
}

// holdSeats clicks free seats one by one, waiting for each to become the
// viewer's, and returns their element ids.
func holdSeats(b *Browser, n int) []string {
	b.t.Helper()
	ids := freeSeats(b, n)
	for i, id := range ids {
		b.ClickID(id)
		waitSeatState(b, id, "selected")
		waitSummarySeats(b, i+1)
	}
	return ids
}

// summaryTotal checks the summary's sums and returns its total in cents.
func summaryTotal(b *Browser) int64 {
	b.t.Helper()
	t := b.t
	var lines int64
	for _, p := range Eval[[]string](b, `[...document.querySelectorAll('[data-testid="summary-line"] .tabular-nums')].map(e => e.textContent)`) {
		lines += cents(t, p)
	}
	sub := cents(t, b.Text(`[data-testid="summary"] [data-testid="subtotal"]`))
	fee := cents(t, b.Text(`[data-testid="summary"] [data-testid="fee"]`))
	total := cents(t, b.Text(`[data-testid="summary"] [data-testid="total"]`))
	var tax int64 // sales tax added (the demo's US theatres); VAT is inside the prices
	if Eval[bool](b, `document.querySelector('[data-testid="summary"] [data-testid="sales-tax"]') !== null`) {
		tax = cents(t, b.Text(`[data-testid="summary"] [data-testid="sales-tax"]`))
	}
	if sub != lines || total != sub+fee+tax || total <= 0 {
		t.Fatalf("summary sums: lines %d, tickets %d, fee %d, sales tax %d, total %d", lines, sub, fee, tax, total)
	}
	return total
}

// --- checkout and payment -----------------------------------------------

// checkout continues from the showtime page's summary (typing email when it
// is not empty) and returns the code of the pending order it lands on.
func checkout(b *Browser, email string) string {
	b.t.Helper()
	if email != "" {
		b.Do(
			chromedp.Click(chromedp.ID("checkout-email")),
			chromedp.SendKeys(chromedp.ID("checkout-email"), email),
		)
	}
	b.Click(`[data-testid="checkout-form"] button[type="submit"]`)
	b.WaitVisible(`[data-testid="order"][data-status="pending_payment"]`)
	code := b.Text(`[data-testid="order-code"]`)
	if len(code) != 12 {
		b.t.Fatalf("order code %q", code)
	}
	return code
}

// countdownSeconds reads a m:ss countdown.
func countdownSeconds(t *testing.T, s string) int {
	t.Helper()
	m, sec, ok := strings.Cut(strings.TrimSpace(s), ":")
	mi, err1 := strconv.Atoi(m)
	si, err2 := strconv.Atoi(sec)
	if !ok || err1 != nil || err2 != nil || len(sec) != 2 || si > 59 {
		t.Fatalf("not a m:ss countdown: %q", s)
	}
	return mi*60 + si
}

// checkPendingWithCountdown checks that the order page says "pending payment"
// with a hold countdown that is running, and returns the seconds it showed.
func checkPendingWithCountdown(b *Browser) int {
	b.t.Helper()
	b.WaitVisible(`[data-testid="order"][data-status="pending_payment"] [data-testid="order-state"] [data-countdown]`)
	first := b.Text(`[data-testid="order-state"] [data-countdown]`)
	left := countdownSeconds(b.t, first)
	if left <= 0 {
		b.t.Fatalf("the hold countdown shows %q", first)
	}
	if st := b.Text(`[data-testid="order-state"]`); !strings.Contains(st, "Pending payment") {
		b.t.Fatalf("order state says %q", st)
	}
	b.WaitJS("the hold countdown to tick", `(() => {
		const e = document.querySelector('[data-testid="order-state"] [data-countdown]');
		return e && e.textContent.trim() !== `+strconv.Quote(first)+`;
	})()`)
	return left
}

// payOnDemo presses Pay on a pending order page and waits for the demo
// gateway's hosted page.
func payOnDemo(b *Browser) {
	b.t.Helper()
	b.Click(`[data-testid="pay"]`)
	b.WaitVisible(`[data-testid="demo-checkout"][data-open="true"]`)
	if got := b.Text(`[data-testid="demo-label"]`); got != "Demo — no real payment" {
		b.t.Fatalf("demo payment page label %q", got)
	}
}

// succeedOnDemo chooses "succeeds" on the demo page and waits for the paid
// order page.
func succeedOnDemo(b *Browser, code string) {
	b.t.Helper()
	b.Click(`[data-testid="demo-succeed"]`)
	b.WaitVisible(`[data-testid="order"][data-status="paid"]`)
	if got := b.Text(`[data-testid="order-code"]`); got != code {
		b.t.Fatalf("paid order page shows order %q, paid %q", got, code)
	}
}

// checkTickets checks that a paid order page shows n tickets whose QR images loaded.
func checkTickets(b *Browser, n int) {
	b.t.Helper()
	if got := b.Count(`[data-testid="after-sale"] [data-testid="ticket"] img`); got != n {
		b.t.Fatalf("order page shows %d ticket QR codes, want %d", got, n)
	}
	b.WaitJS("the ticket QR images to load", `[...document.querySelectorAll('[data-testid="ticket"] img')]
		.every(i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0)`)
}

// seatColour is the computed background colour of a seat button.
func seatColour(b *Browser, id string) string {
	b.t.Helper()
	return Eval[string](b, `getComputedStyle(document.getElementById(`+strconv.Quote(id)+`)).backgroundColor`)
}

// checkSeatLooks checks that a seat in a state other than free is drawn
// differently from a free seat of the same kind, and that free seats are
// drawn at all (the state must be visible, not only in the markup).
func checkSeatLooks(b *Browser, id, state string) {
	b.t.Helper()
	free := freeSeats(b, 1)[0]
	fc, sc := seatColour(b, free), seatColour(b, id)
	if fc == "rgba(0, 0, 0, 0)" {
		b.t.Errorf("free seats have no background colour: the map doesn't show seats")
	}
	if fc == sc {
		b.t.Errorf("a %s seat looks like a free one (background %s): the state is invisible on the map", state, sc)
	}
}

// dropLiveUpdates closes the page's live update streams (EventSource), as
// when a phone loses its connection for a while, so that its seat map goes
// stale. It returns how many open streams it closed.
func dropLiveUpdates(b *Browser) int {
	b.t.Helper()
	proto := Get(b, chromedp.Evaluate[*runtime.RemoteObject](`EventSource.prototype`))
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	res, err := chromedp.Call(ctx, runtime.QueryObjects, runtime.QueryObjectsParams{PrototypeObjectID: proto.ObjectID})
	if err == nil && res.Objects != nil {
		_, err = chromedp.Call(ctx, runtime.CallFunctionOn, runtime.CallFunctionOnParams{
			FunctionDeclaration: `function() { window.__e2eStreams = this; }`, ObjectID: res.Objects.ObjectID})
	}
	if err != nil {
		b.t.Fatalf("%sfind the page's event streams: %v", b.prefix(), err)
	}
	return Eval[int](b, `window.__e2eStreams.filter(e => e.readyState !== EventSource.CLOSED).map(e => e.close()).length`)
}
