//go:build e2e

package e2e

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

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
