//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// phoneWidth is the CSS width of a common phone screen.
const phoneWidth = 390

// screenshotDir is where phone screenshots go: $E2E_SCREENSHOTS, else a
// directory under the system's temporary directory (kept after the run, so
// that a person can look at them).
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("E2E_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "marquee-e2e-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// phoneCheck asserts that the page fits a phone's width (no horizontal
// scrolling of the document) and saves a full-page screenshot.
func phoneCheck(t *testing.T, b *Browser, name string) {
	t.Helper()
	w := Eval[[]int](b, `[document.documentElement.scrollWidth, window.innerWidth, document.body.scrollWidth]`)
	if w[1] != phoneWidth {
		t.Fatalf("%s: viewport is %dpx wide, want %d", name, w[1], phoneWidth)
	}
	if w[0] > w[1] || w[2] > w[1] {
		wide := Eval[[]string](b, `[...document.querySelectorAll("body *")]
			.filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest(".overflow-x-auto"))
			.slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + "." + [...e.classList].join("."))`)
		t.Errorf("%s overflows a %dpx phone: scrollWidth %d (body %d); too wide: %q", name, w[1], w[0], w[2], wide)
	}
	shot := Get(b, chromedp.FullScreenshot(100)) // quality 100: a PNG
	cfg, err := png.DecodeConfig(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("%s: screenshot is no PNG: %v", name, err)
	}
	if cfg.Width != phoneWidth {
		t.Errorf("%s: screenshot is %dpx wide, want %d", name, cfg.Width, phoneWidth)
	}
	path := filepath.Join(screenshotDir(t), name)
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s screenshot at %dpx: %s", name, phoneWidth, path)
}

// TestPhoneWidthShowtimeAndOrderPages: on a 390px wide phone the showtime
// page (with a selection) and the order page fit the screen's width: the seat
// map may scroll inside its own box, the page must not scroll sideways.
func TestPhoneWidthShowtimeAndOrderPages(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)
	b.Do(chromedp.EmulateViewport(phoneWidth, 844))

	openShowtimeFromHome(b, srv, 3*time.Hour)
	holdSeats(b, 2)
	phoneCheck(t, b, "phone-showtime.png")

	checkout(b, "phone.user@example.com")
	checkPendingWithCountdown(b)
	phoneCheck(t, b, "phone-order.png")
	b.NoProblems()
}

// largestShowtime finds, from the API, a showtime on sale starting at least
// lead from now in the largest auditorium of the programme.
func largestShowtime(t *testing.T, b *Browser, srv *Server, lead time.Duration) string {
	t.Helper()
	b.Navigate(srv.URL + "/")
	id := Get(b, chromedp.Evaluate[string](fmt.Sprintf(`(async () => {
		const min = Date.now() + %d;
		let best = null;
		for (let d = 0; d < 3; d++) {
			const day = new Date(Date.now() + d * 864e5).toISOString().slice(0, 10);
			const r = await fetch("/api/v1/showtimes?date=" + day);
			for (const s of (await r.json()).items) {
				if (Date.parse(s.startsAt) < min || s.seatsLeft < s.capacity) continue;
				if (!best || s.capacity > best.capacity) best = s;
			}
		}
		return best ? String(best.id) : "";
	})()`, lead.Milliseconds()), chromedp.EvalAwaitPromise))
	if id == "" {
		t.Fatal("no showtime on sale in the programme's largest auditorium")
	}
	return id
}

// inViewport is JavaScript: the element is wholly inside the visual viewport.
func inViewport(sel string) string {
	return `(() => { const e = document.querySelector(` + strconv.Quote(sel) + `); if (!e) return false;
		const r = e.getBoundingClientRect();
		return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth; })()`
}

// tapAt taps the centre of the element as a finger would (touch events at
// its position on the screen: nothing is scrolled for it first), after
// checking that it is on screen.
func tapAt(t *testing.T, b *Browser, sel string) {
	t.Helper()
	if !Eval[bool](b, inViewport(sel)) {
		t.Fatalf("%s is not on screen: the page would have to be scrolled\n%s", sel, b.pageState())
	}
	xy := Eval[[]float64](b, `(() => { const r = document.querySelector(`+strconv.Quote(sel)+`).getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`)
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	for _, ev := range []input.DispatchTouchEventParams{
		{Type: input.DispatchTouchEventTypeTouchStart, TouchPoints: []*input.TouchPoint{{X: xy[0], Y: xy[1]}}},
		{Type: input.DispatchTouchEventTypeTouchEnd, TouchPoints: []*input.TouchPoint{}},
	} {
		if _, err := chromedp.Call(ctx, input.DispatchTouchEvent, ev); err != nil {
			t.Fatalf("tap %s: %v", sel, err)
		}
	}
}

// TestPhoneBooksCentreSeatsOfLargestAuditorium: on a 390 × 844 phone with
// touch, the largest auditorium's map opens fitted to the screen (all of it
// visible, the centre of the screen end in the middle), zooms in with the +
// button to seats of at least 24 px still centred on the screen end, and two
// centre seats of the front row are tapped; the page never scrolls sideways,
// and the sticky summary bar's Continue reaches the checkout form — all
// without scrolling the page.
func TestPhoneBooksCentreSeatsOfLargestAuditorium(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)
	b.Do(chromedp.EmulateViewport(phoneWidth, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	id := largestShowtime(t, b, srv, 3*time.Hour)
	openShowtime(b, srv, id)
	noSideways := func(when string) {
		t.Helper()
		w := Eval[[]float64](b, `[document.documentElement.scrollWidth, window.innerWidth, window.scrollX]`)
		if w[0] > w[1] || w[2] != 0 {
			t.Fatalf("%s: the page scrolls sideways (scrollWidth %v, width %v, scrollX %v)", when, w[0], w[1], w[2])
		}
	}
	noSideways("opened")

	// Fitted: the whole map is in its box, nothing to scroll.
	fit := Eval[[]float64](b, `(() => { const v = document.getElementById("seat-viewport"), c = document.getElementById("seat-canvas");
		return [c.offsetWidth, v.clientWidth, v.scrollWidth, +c.dataset.seat]; })()`)
	if fit[0] > fit[1]+1 || fit[2] > fit[1]+1 {
		t.Fatalf("the map is not fitted: canvas %vpx, box %vpx, scrollWidth %v", fit[0], fit[1], fit[2])
	}
	if !strings.EqualFold(b.Text(`[data-testid="screen"]`), "Screen") || !Eval[bool](b, inViewport(`[data-testid="screen"]`)) ||
		!Eval[bool](b, `(() => { const e = document.querySelector('[data-testid="screen"]'); return e.scrollWidth <= e.clientWidth; })()`) {
		t.Fatalf("the screen label is cut or off-screen\n%s", b.pageState())
	}
	phoneCheck(t, b, "phone-largest-fitted.png")

	// Zoom in: seats at least 24 px, the view centred on the screen end.
	tapAt(t, b, `[data-testid="zoom-in"]`)
	b.WaitJS("the map to zoom in", `+document.getElementById("seat-canvas").dataset.seat >= 24`)
	size := Eval[[]float64](b, `(() => { const r = document.querySelector("#seat-rows button.seat").getBoundingClientRect(); return [r.width, r.height]; })()`)
	if size[0] < 24 || size[1] < 24 {
		t.Fatalf("zoomed-in seats are %v × %v px, want at least 24", size[0], size[1])
	}
	centre := Eval[float64](b, `(() => { const v = document.getElementById("seat-viewport");
		return (v.scrollLeft + v.clientWidth / 2) / v.scrollWidth; })()`)
	if centre < 0.45 || centre > 0.55 {
		t.Fatalf("zoomed in, the view is centred at %.2f of the map's width, want the middle", centre)
	}
	noSideways("zoomed in")

	// The two free seats of the front row nearest the middle of the view.
	seats := Eval[[]string](b, `(() => {
		const v = document.getElementById("seat-viewport").getBoundingClientRect(), mid = v.left + v.width / 2;
		const row = document.querySelector('#seat-rows [role="group"][aria-label^="Row "]');
		return [...row.querySelectorAll('button.seat.k-standard[data-state="available"], button.seat.k-premium[data-state="available"]')]
			.map(s => [Math.abs(s.getBoundingClientRect().left + s.getBoundingClientRect().width / 2 - mid), s.id])
			.sort((a, b) => a[0] - b[0]).slice(0, 2).map(x => x[1]);
	})()`)
	if len(seats) != 2 {
		t.Fatalf("front row centre seats: %q", seats)
	}
	for i, s := range seats {
		tapAt(t, b, "#"+s)
		waitSeatState(b, s, "selected")
		waitSummarySeats(b, i+1)
	}
	noSideways("two seats held")

	// The summary bar is on screen with seats, total, time left, Continue.
	for _, sel := range []string{`[data-testid="summary-bar"]`, `[data-testid="bar-continue"]`} {
		if !Eval[bool](b, inViewport(sel)) {
			t.Fatalf("%s is not on screen", sel)
		}
	}
	if got := b.Text(`[data-testid="bar-seats"]`); !strings.HasPrefix(got, "2 seats: ") {
		t.Fatalf("summary bar says %q", got)
	}
	if cents(t, b.Text(`[data-testid="bar-total"]`)) != summaryTotal(b) {
		t.Fatal("the summary bar's total differs from the summary's")
	}
	phoneCheck(t, b, "phone-largest-two-seats.png")

	// Continue: the checkout form comes to the screen with the focus in it.
	tapAt(t, b, `[data-testid="bar-continue"]`)
	b.WaitJS("the e-mail field to have the focus", `document.activeElement && document.activeElement.id === "checkout-email"`)
	b.WaitJS("the checkout form to be on screen", inViewport(`[data-testid="checkout-submit"]`))
	b.Do(chromedp.SendKeys(chromedp.ID("checkout-email"), "thumb@example.com"))
	tapAt(t, b, `[data-testid="checkout-submit"]`)
	b.WaitVisible(`[data-testid="order"][data-status="pending_payment"]`)
	noSideways("checkout")
	b.NoProblems()
}
