//go:build e2e

package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestLayoutEditorKeyboard: the demo manager adds an auditorium, shapes its
// layout in the editor with the keyboard only (a wheelchair space with its
// companion seat, an aisle, premium and blocked seats, a zone, a new row),
// watches the preview follow, and saves it; the saved layout is what was typed.
func TestLayoutEditorKeyboard(t *testing.T) {
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
	b.Navigate(srv.URL + "/manage/auditoriums")
	b.WaitVisible(`[data-testid="new-auditorium"]`)
	b.Do(
		chromedp.SendKeys(chromedp.ID("f-name"), "E2E Studio"),
		chromedp.SetValue(chromedp.ID("f-rows"), "2"),
		chromedp.SetValue(chromedp.ID("f-perRow"), "4"),
		chromedp.Click(chromedp.CSS(`[data-testid="new-auditorium"] button[type="submit"]`)),
	)
	b.WaitVisible(`[data-testid="layout-editor-page"]`)
	b.WaitJS("the editor grid", `document.querySelectorAll("#layout-grid [role=gridcell]").length === 15`) // 4+1 columns × 2+1 lines
	if n := b.Count(`[data-testid="preview-map"] .seat`); n != 8 {
		t.Fatalf("preview of the starter layout: %d seats", n)
	}
	keys := func(ks ...string) {
		t.Helper()
		for _, k := range ks {
			b.Do(chromedp.KeyEvent(k))
		}
	}
	b.Do(chromedp.Focus(chromedp.ID("layout-grid")))
	keys("w", "c")                             // A1 wheelchair space, A2 its companion seat
	keys(kb.ArrowRight, " ")                   // an aisle where A4 was
	keys(kb.ArrowRight, "s")                   // a seat beyond the aisle
	keys(kb.ArrowDown, kb.Home, "p", "p", "b") // B1, B2 premium, B3 blocked
	keys(kb.ArrowDown, kb.Home, "s", "s")      // a new row C of two seats
	b.WaitJS("row C drawn", `document.getElementById("lg-1-2").dataset.kind === "standard"`)
	if s := b.Text("#grid-status"); s != "column 3, line 3: gap" {
		t.Errorf("status line %q, want the cursor's cell", s)
	}
	b.Do(chromedp.SendKeys(chromedp.ID("grid-zone"), "front"), chromedp.Focus(chromedp.ID("layout-grid")))
	keys(kb.ArrowUp, kb.Home, "z") // B1 in zone "front"

	want := strings.Join([]string{
		"row,number,x,y,kind,zone",
		"A,1,0,0,wheelchair,",
		"A,2,1,0,companion,",
		"A,3,2,0,standard,",
		"A,4,4,0,standard,",
		"B,1,0,1,premium,front",
		"B,2,1,1,premium,",
		"B,3,2,1,blocked,",
		"B,4,3,1,standard,",
		"C,1,0,2,standard,",
		"C,2,1,2,standard,",
	}, "\n") + "\n"
	if got := Eval[string](b, `document.getElementById("layout-csv").value`); got != want {
		t.Fatalf("the editor wrote\n%s\nwant\n%s", got, want)
	}
	// The preview is the customer map of what was typed: 9 seats to click, one not for sale.
	b.WaitJS("the preview", `document.querySelectorAll("[data-testid=preview-map] button.seat").length === 9 &&
		document.querySelectorAll("[data-testid=preview-map] [data-state=blocked]").length === 1`)
	if z := b.Text(`[data-testid="preview-zones"]`); !strings.Contains(z, "front") {
		t.Errorf("preview zones: %q", z)
	}
	// Save from the keyboard.
	b.Do(chromedp.Focus(chromedp.CSS(`[data-testid="save-layout"]`)), chromedp.KeyEvent(kb.Enter))
	b.WaitVisible(`[data-testid="flash"]`)
	if f := b.Text(`[data-testid="flash"]`); !strings.Contains(f, "The layout is saved (version 1, 10 seats)") {
		t.Fatalf("flash %q", f)
	}
	if got := Eval[string](b, `document.getElementById("layout-csv").value`); got != want {
		t.Fatalf("saved layout\n%s\nwant\n%s", got, want)
	}
	if s := b.Text(`[data-testid="layout-summary"]`); !strings.Contains(s, "9 seats for sale of 10") {
		t.Errorf("summary %q", s)
	}
	b.NoProblems()
}
