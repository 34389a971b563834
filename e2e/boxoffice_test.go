//go:build e2e

package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBoxOfficeSaleAndDoor: the demo staff member sells two seats from the
// board with the documented keystrokes (row key, seats, Tab, cash, Enter),
// sees the change due, sells two seats picked on the live map, then checks a ticket in at the door by typing its
// code: VALID, again ALREADY ADMITTED, Esc for the next scan, then undo.
func TestBoxOfficeSaleAndDoor(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)
	b.ExpectStatus(409, "/boxoffice/door")

	b.Navigate(srv.URL + "/login")
	b.WaitVisible(`[data-testid="login-form"]`)
	b.Do(
		chromedp.SendKeys(chromedp.ID("f-email"), "staff@marquee.test"),
		chromedp.SendKeys(chromedp.ID("f-password"), "demo-staff-pass"),
		chromedp.Click(chromedp.CSS(`[data-testid="login-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav-account"]`)),
	)
	// The first theatre whose board still sells a show today.
	b.Navigate(srv.URL + "/boxoffice")
	b.WaitVisible(`[data-testid="boxoffice-home"]`)
	ids := Eval[[]string](b, `[...document.querySelectorAll("#theatre option")].map(o => o.value)`)
	found := false
	for _, id := range ids {
		b.Navigate(srv.URL + "/boxoffice?theatre=" + id)
		b.WaitVisible(`[data-testid="boxoffice-home"]`)
		if b.Count(`[data-testid="sell-link"][data-shortcut="1"]`) > 0 {
			found = true
			break
		}
	}
	if !found {
		t.Skip("no theatre sells a show for the rest of today (the demo programme is relative to now)")
	}
	theatre := Eval[string](b, `document.querySelector("#theatre option[selected]").value`)
	openDrawer(b, srv, theatre, "100")
	b.Navigate(srv.URL + "/boxoffice?theatre=" + theatre)
	b.WaitVisible(`[data-testid="boxoffice-home"]`)
	b.Do(chromedp.KeyEvent("1"))
	b.WaitVisible(`[data-testid="sale-page"] #quantity`)
	b.WaitJS("the cursor in Best seats", `document.activeElement && document.activeElement.id === "quantity"`)
	b.Do(chromedp.KeyEvent("2"), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent("200"), chromedp.KeyEvent(kb.Enter))
	b.WaitVisible(`[data-testid="change-due"]`)
	total := cents(t, b.Text(`[data-testid="order-total"]`))
	change := cents(t, strings.TrimPrefix(b.Text(`[data-testid="change-due"]`), "Change due "))
	if change != 20000-total {
		t.Fatalf("change %d for a total of %d and $200 given", change, total)
	}
	if n := b.Count(`[data-testid="ticket"]`); n != 2 {
		t.Fatalf("%d tickets", n)
	}
	token := b.Text(`[data-testid="ticket"] p.font-mono`)

	// N: the next sale of the same show; two seats picked on the live map.
	b.Do(chromedp.KeyEvent("n"))
	b.WaitVisible(`[data-testid="counter-map"] button[data-pick]`)
	labels := Eval[[]string](b, `[...document.querySelectorAll("[data-pick]")].slice(-2).map(b => b.dataset.pick)`)
	for _, l := range labels {
		b.Click(`[data-pick="` + l + `"]`)
	}
	if got := Get(b, chromedp.Value(chromedp.ID("seats"))); got != strings.Join(labels, " ") {
		t.Fatalf("seats field %q after picking %v", got, labels)
	}
	b.Do(chromedp.SendKeys(chromedp.ID("cash"), "200"+kb.Enter))
	b.WaitVisible(`[data-testid="change-due"]`)
	if got := b.Text(`[data-testid="order-lines"]`); !strings.Contains(got, labels[0]) || !strings.Contains(got, labels[1]) {
		t.Fatalf("sold %q, picked %v", got, labels)
	}

	// The door: press D, type the code, Enter.
	b.Do(chromedp.KeyEvent("d"))
	b.WaitVisible(`[data-testid="door-page"] #ticket`)
	b.Do(chromedp.SendKeys(chromedp.ID("ticket"), token+kb.Enter))
	b.WaitVisible(`[data-testid="door-answer"][data-verdict="valid"]`)
	if title := b.Text(`[data-testid="door-title"]`); title != "VALID" {
		t.Fatalf("answer %q", title)
	}
	b.Do(chromedp.KeyEvent(kb.Escape))
	b.WaitJS("the answer dismissed", `!document.querySelector("[data-testid=door-answer]") && document.activeElement.id === "ticket"`)
	b.Do(chromedp.SendKeys(chromedp.ID("ticket"), token+kb.Enter))
	b.WaitVisible(`[data-testid="door-answer"][data-verdict="already_admitted"]`)
	if d := b.Text(`[data-testid="door-detail"]`); !strings.Contains(d, "admitted at") || !strings.Contains(d, "by Sam Staff") {
		t.Errorf("already admitted says %q", d)
	}
	// htmx has taken over the swapped-in undo form (else the click would post it as a page).
	b.WaitJS("htmx on the undo form", `(() => { const f = document.querySelector("[data-testid=undo]"); return !!(f && f.closest("form")["htmx-internal-data"]); })()`)
	b.Click(`[data-testid="undo"]`)
	b.WaitJS("the undo answer", `(document.querySelector("[data-testid=door-title]") || {}).textContent === "CHECK-IN UNDONE"`)
	b.NoProblems()
}

// openDrawer opens the staff member's cash drawer at a theatre with a float,
// from the cash-up page: the till is filled in, the float typed, Enter.
func openDrawer(b *Browser, srv *Server, theatre, float string) {
	b.t.Helper()
	b.Navigate(srv.URL + "/boxoffice/drawer?theatre=" + theatre)
	b.WaitVisible(`[data-testid="drawer-open"] #float`)
	b.Do(chromedp.SendKeys(chromedp.ID("float"), float+kb.Enter))
	b.WaitVisible(`[data-testid="drawer-close"]`)
	if got := b.Text(`[data-testid="drawer-float"]`); got != "$"+float+".00" {
		b.t.Fatalf("float %q", got)
	}
}
