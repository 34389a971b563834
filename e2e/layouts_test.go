//go:build e2e

package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

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
	login(b, srv, "manager@marquee.test", "demo-manager-pass")
	newAuditorium(b, srv, "", "E2E Studio", 2, 4)
	keys := editorKeys(b)
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
	dropFlash(b)
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

// newAuditorium adds an auditorium of rows × perRow seats in a theatre (its
// name as listed; "" for the first) on /manage/auditoriums, and waits for its
// layout editor with the starter layout, the grid focused.
func newAuditorium(b *Browser, srv *Server, theatre, name string, rows, perRow int) {
	b.t.Helper()
	b.Navigate(srv.URL + "/manage/auditoriums")
	b.WaitVisible(`[data-testid="new-auditorium"]`)
	if theatre != "" {
		selectOption(b, "f-theatre", theatre)
	}
	b.Do(
		chromedp.SendKeys(chromedp.ID("f-name"), name),
		chromedp.SetValue(chromedp.ID("f-rows"), strconv.Itoa(rows)),
		chromedp.SetValue(chromedp.ID("f-perRow"), strconv.Itoa(perRow)),
		chromedp.Click(chromedp.CSS(`[data-testid="new-auditorium"] button[type="submit"]`)),
	)
	b.WaitVisible(`[data-testid="layout-editor-page"]`)
	cells := (perRow + 1) * (rows + 1) // the grid has a spare column and line
	b.WaitJS("the editor grid", fmt.Sprintf(`document.querySelectorAll("#layout-grid [role=gridcell]").length === %d`, cells))
	if n := b.Count(`[data-testid="preview-map"] .seat`); n != rows*perRow {
		b.t.Fatalf("preview of the starter layout: %d seats, want %d", n, rows*perRow)
	}
	b.Do(chromedp.Focus(chromedp.ID("layout-grid")))
}

// editorKeys returns a function that types keys into the focused editor grid.
func editorKeys(b *Browser) func(ks ...string) {
	return func(ks ...string) {
		b.t.Helper()
		for _, k := range ks {
			b.Do(chromedp.KeyEvent(k))
		}
	}
}

// selectOption chooses the option of the select with this id whose label
// starts with label, as a change by the user (failing if there is none).
func selectOption(b *Browser, id, label string) {
	b.t.Helper()
	ok := Eval[bool](b, `(() => {
		const s = document.getElementById(`+strconv.Quote(id)+`);
		const o = s && [...s.options].find(o => !o.disabled && o.textContent.trim().startsWith(`+strconv.Quote(label)+`));
		if (!o) return false;
		s.value = o.value;
		s.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`)
	if !ok {
		b.t.Fatalf("%sno option %q in #%s\n%s", b.prefix(), label, id, b.pageState())
	}
}

// TestNewAuditoriumScheduledAndSold: the whole road of a new screen. The
// demo manager builds a layout in the editor with the keyboard (3 rows of 6,
// a wheelchair space with its companion seat, a blocked seat) and saves it,
// schedules a published showtime on it later today (theatre time) in the
// programme's form; then a customer, signed out in another browser, finds it
// on the movie's page, cannot pick the blocked seat, holds a seat on the live
// map, checks out and pays on the demo gateway, and gets the ticket.
func TestNewAuditoriumScheduledAndSold(t *testing.T) {
	srv := StartServer(t)
	m := NewBrowser(t)
	m.name = "manager"
	login(m, srv, "manager@marquee.test", "demo-manager-pass")

	// 1. The layout, by keyboard.
	newAuditorium(m, srv, "Marquee Downtown", "E2E Flow", 3, 6)
	keys := editorKeys(m)
	keys("w", "c")                                                 // A1 wheelchair space, A2 its companion seat
	keys(kb.ArrowDown, kb.Home, kb.ArrowRight, kb.ArrowRight, "b") // B3 blocked
	m.WaitJS("the preview", `document.querySelectorAll("[data-testid=preview-map] button.seat").length === 17 &&
		document.querySelectorAll("[data-testid=preview-map] [data-state=blocked]").length === 1`)
	dropFlash(m)
	m.Do(chromedp.Focus(chromedp.CSS(`[data-testid="save-layout"]`)), chromedp.KeyEvent(kb.Enter))
	m.WaitVisible(`[data-testid="flash"]`)
	if f := m.Text(`[data-testid="flash"]`); !strings.Contains(f, "The layout is saved (version 1, 18 seats)") {
		t.Fatalf("flash %q", f)
	}
	if s := m.Text(`[data-testid="layout-summary"]`); !strings.Contains(s, "17 seats for sale of 18") {
		t.Fatalf("summary %q", s)
	}

	// 2. A showtime on it, in three hours' time at the theatre (New York).
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().In(ny).Add(3 * time.Hour).Truncate(5 * time.Minute)
	m.Navigate(srv.URL + "/manage/showtimes")
	m.WaitVisible(`[data-testid="manage-showtimes"]`)
	m.Click(`[data-testid="new-showtime"]`)
	m.WaitVisible(`[data-testid="schedule-form"]`)
	selectOption(m, "f-movie", "Red Meridian")
	selectOption(m, "f-auditorium", "E2E Flow")
	m.Do(
		chromedp.SetValue(chromedp.ID("f-from"), start.Format("2006-01-02")),
		chromedp.SendKeys(chromedp.ID("f-times"), start.Format("15:04")),
	)
	if !Eval[bool](m, `document.querySelector('[data-testid="schedule-form"] input[name="published"]').checked`) {
		t.Fatal("a new showtime is not published by default")
	}
	m.Click(`[data-testid="schedule-form"] button[type="submit"]`)
	m.WaitVisible(`[data-testid="flash"]`)
	m.WaitVisible(`[data-testid="manage-showtimes"]`)
	if f := m.Text(`[data-testid="flash"]`); f != "1 showtime(s) scheduled in E2E Flow." {
		t.Fatalf("flash %q\n%s", f, m.pageState())
	}
	id := Eval[string](m, `(() => {
		const r = [...document.querySelectorAll('[data-testid="programme-row"][data-status="scheduled"]')]
			.find(r => r.textContent.includes("E2E Flow"));
		return r ? r.dataset.showtime : "";
	})()`)
	if id == "" {
		t.Fatalf("the programme lists no scheduled show in E2E Flow\n%s", m.pageState())
	}
	m.NoProblems()

	// 3. A customer, signed out, finds it on the movie's page and books.
	c := NewBrowser(t)
	c.name = "customer"
	c.Navigate(srv.URL + "/movies/red-meridian")
	c.WaitVisible(`[data-testid="showtime-link"][data-showtime-id="` + id + `"]`)
	c.Click(`[data-testid="showtime-link"][data-showtime-id="` + id + `"]`)
	c.WaitVisible(`[data-testid="showtime"][data-showtime="` + id + `"] #seat-rows button.seat`)
	if st := Eval[string](c, `document.querySelector('[data-testid="sales-banner"]').dataset.state`); st != "open" {
		t.Fatalf("sales state %q, want open", st)
	}
	if n := c.Count(`#seat-rows .seat`); n != 18 {
		t.Fatalf("the customer's map has %d seats, want 18", n)
	}
	if n := c.Count(`#seat-rows button.seat.k-wheelchair`); n != 1 {
		t.Errorf("the customer's map has %d wheelchair spaces, want 1", n)
	}
	if n := c.Count(`#seat-rows button.seat.k-companion`); n != 1 {
		t.Errorf("the customer's map has %d companion seats, want 1", n)
	}
	// The page's scripts run first: a seat clicked before htmx is set up is
	// posted as a plain form (the no-script path), which navigates.
	c.WaitJS("the page's scripts", `document.readyState === "complete" && !!window.htmx`)
	// The blocked seat (B3) is drawn but is no control: nothing to click or tab to.
	blocked := `#seat-rows [data-x="2"][data-y="1"]`
	if got := Eval[string](c, `(() => { const e = document.querySelector('`+blocked+`'); return e ? e.tagName + " " + e.getAttribute("aria-label") : ""; })()`); got != "SPAN Row B, seat 3, not for sale" {
		t.Fatalf("B3 on the customer's map is %q, want a blocked SPAN", got)
	}
	c.Click(blocked)
	if n := Eval[string](c, `document.querySelector('[data-testid="summary"]')?.dataset.seats || "0"`); n != "0" {
		t.Fatalf("clicking the blocked seat selected %s seats", n)
	}
	seats := holdSeats(c, 1)
	label := Get(c, chromedp.AttributeValue(chromedp.ID(seats[0]), "aria-label"))
	total := summaryTotal(c)
	code := checkout(c, "new.screen@example.com")
	checkPendingWithCountdown(c)
	payOnDemo(c)
	succeedOnDemo(c, code)
	if got := cents(t, c.Text(`[data-testid="order-total"]`)); got != total {
		t.Fatalf("paid order total %d, want %d", got, total)
	}
	items := Eval[[]string](c, `[...document.querySelectorAll('[data-testid="order-item"]')].map(e => e.textContent.replace(/\s+/g, " ").trim())`)
	parts := strings.SplitN(label.Value, ", ", 3) // "Row B, seat 1, standard, …"
	if seat := parts[0] + ", " + parts[1]; len(items) != 1 || !strings.HasPrefix(items[0], seat+" ") {
		t.Fatalf("paid order lists %q, want one seat: %s", items, seat)
	}
	checkTickets(c, 1)
	c.NoProblems()
}

// dropFlash removes the flash message the page shows (that of the action
// before), so that a WaitVisible on the flash waits for the next page's: it
// raced the navigation and read the old one.
func dropFlash(b *Browser) {
	b.t.Helper()
	Eval[bool](b, `(() => { document.querySelectorAll('[data-testid="flash"]').forEach(f => f.remove()); return true; })()`)
}
