//go:build e2e

package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestManagerPricesByKeyboard: the demo manager finds a card by typing
// (the list filters as they type), opens a new card with N, types a price
// and saves with Enter; the card's page shows it saved.
func TestManagerPricesByKeyboard(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)

	b.Navigate(srv.URL + "/login")
	b.WaitVisible(`[data-testid="login-form"]`)
	b.Do(
		chromedp.SendKeys(chromedp.ID("f-email"), "manager@marquee.test"),
		chromedp.SendKeys(chromedp.ID("f-password"), "demo-manager-pass"),
		chromedp.Click(chromedp.CSS(`[data-testid="login-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav-account"]`)),
	)
	b.Navigate(srv.URL + "/manage/prices")
	b.WaitVisible(`[data-testid="manage-prices"]`)
	if n := b.Count(`[data-testid="card-row"]`); n != 3 {
		t.Fatalf("%d cards (the demo's three shared ones)", n)
	}
	b.Do(chromedp.KeyEvent("/"))
	b.WaitJS("the cursor in the search field", `document.activeElement && document.activeElement.id === "q"`)
	// CDP sends the key's character apart from its keydown, which a real
	// browser drops with the keydown's default: clear what it typed.
	b.Do(chromedp.Evaluate[chromedp.Void](`document.getElementById("q").value = ""`))
	b.Do(chromedp.KeyEvent("large"))
	b.WaitJS("the list filtered", `[...document.querySelectorAll('[data-testid="card-row"]')].filter(r => !r.hidden).length === 1`)
	b.Do(chromedp.KeyEvent(kb.Escape), chromedp.Blur(chromedp.ID("q")))

	b.Do(chromedp.KeyEvent("n"))
	b.WaitVisible(`[data-testid="price-card"] #t-card-name`)
	b.Do(
		chromedp.SendKeys(chromedp.ID("t-card-name"), "Our Tuesdays"),
		chromedp.SendKeys(chromedp.CSS(`input[name="p|all|adult|k:standard"]`), "9.50"+kb.Enter),
	)
	b.WaitVisible(`[data-testid="flash"]`)
	if got := Get(b, chromedp.Value(chromedp.CSS(`input[name="p|all|adult|k:standard"]`))); got != "9.50" {
		t.Fatalf("saved price shows %q", got)
	}
	if got := Get(b, chromedp.Value(chromedp.ID("t-card-name"))); got != "Our Tuesdays" {
		t.Fatalf("saved name %q", got)
	}
	b.NoProblems()
}
