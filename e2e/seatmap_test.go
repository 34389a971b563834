//go:build e2e

package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// liveUpdate bounds how long a change may take to reach another viewer's map
// ("within a few seconds"): NOTIFY → LISTEN → SSE → htmx refresh.
const liveUpdate = 5 * time.Second

// twoViewers starts a server and two separate browsers (own processes, own
// profiles, so own cookie jars and carts) on the same showtime's page, both
// with the live stream open. It returns the showtime id.
func twoViewers(t *testing.T) (srv *Server, a, b *Browser, id string) {
	srv = StartServer(t)
	a, b = NewBrowser(t), NewBrowser(t)
	a.name, b.name = "A", "B"
	na := a.EventStreams()
	id = openShowtimeFromHome(a, srv, 3*time.Hour)
	a.WaitEventStream(na)
	nb := b.EventStreams()
	openShowtime(b, srv, id)
	b.WaitEventStream(nb)
	return srv, a, b, id
}

// TestSeatMapUpdatesLiveAcrossBrowsers: two moviegoers watch the same map.
// When A holds a seat, B's map shows it held within a few seconds without a
// reload (SSE fed by LISTEN/NOTIFY); when A lets it go, B sees it free again.
func TestSeatMapUpdatesLiveAcrossBrowsers(t *testing.T) {
	_, a, b, _ := twoViewers(t)
	// A page marker that a reload would lose.
	b.Do(chromedp.Evaluate[chromedp.Void](`window.__e2eNoReload = true`))

	seat := freeSeats(a, 1)[0]
	if st := seatState(b, seat); st != "available" {
		t.Fatalf("B sees seat %s as %q before A holds it", seat, st)
	}
	a.ClickID(seat)
	waitSeatState(a, seat, "selected")
	b.WaitJSWithin(liveUpdate, "B's map to show A's seat held", seatStateIs(seat, "held"))
	label := Get(b, chromedp.AttributeValue(chromedp.ID(seat), "aria-label")).Value
	if !strings.HasSuffix(label, ", held by someone else") {
		t.Fatalf("B's held seat is labelled %q", label)
	}
	checkSeatLooks(b, seat, "held")

	a.ClickID(seat)
	waitSeatState(a, seat, "available")
	b.WaitJSWithin(liveUpdate, "B's map to show the seat free again", seatStateIs(seat, "available"))

	if !Eval[bool](b, `window.__e2eNoReload === true`) {
		t.Fatal("B's page was reloaded; the map must update in place")
	}
	a.NoProblems()
	b.NoProblems()
}

// TestTakenSeatIsRefused: B tries to take the seat A holds, first from a
// stale map (B's live updates dropped, so the seat still looks free to B),
// then again once B's map shows it held. The server refuses with 409 and a
// clear message in the page's error area, B's map corrects itself, B's
// selection is untouched, and B can go on picking another seat (which clears
// the message).
func TestTakenSeatIsRefused(t *testing.T) {
	_, a, b, id := twoViewers(t)
	b.ExpectStatus(409, "/showtimes/"+id+"/seats") // the refused hold answers 409 Conflict
	if n := dropLiveUpdates(b); n != 1 {
		t.Fatalf("B's page had %d open event streams, want 1", n)
	}

	seat := holdSeats(a, 1)[0]
	if st := seatState(b, seat); st != "available" {
		t.Fatalf("B's map, without live updates, shows A's seat %q", st)
	}

	refused := func() {
		t.Helper()
		b.ClickID(seat)
		b.WaitVisible(`#booking-error [data-testid="error-partial"][data-status="409"]`)
		if msg := b.Text(`#booking-error [data-testid="error-partial"]`); !strings.Contains(msg, "taken") {
			t.Fatalf("refusal message %q", msg)
		}
		if role := Get(b, chromedp.AttributeValue(chromedp.CSS(`#booking-error [data-testid="error-partial"]`), "role")).Value; role != "alert" {
			t.Fatalf("refusal is not announced (role %q)", role)
		}
		// The refusal refreshes B's map to the truth.
		b.WaitJS("B's map to show the seat held after the refusal", seatStateIs(seat, "held"))
		if st := seatState(a, seat); st != "selected" {
			t.Fatalf("after B's attempt A's seat is %q", st)
		}
		if n := Eval[string](b, `document.querySelector('[data-testid="summary"]').dataset.seats`); n != "0" {
			t.Fatalf("B's summary lists %s seats after a refused hold", n)
		}
	}
	refused() // from the stale map
	b.Do(chromedp.Evaluate[chromedp.Void](`document.getElementById("booking-error").replaceChildren()`))
	refused() // the seat shown held: still refused, same message

	// Nothing broke: B holds a free seat; the message goes away.
	other := holdSeats(b, 1)[0]
	if other == seat {
		t.Fatal("a taken seat was offered as free")
	}
	b.WaitJS("the error area to clear", `document.querySelector('#booking-error [data-testid="error-partial"]') === null`)
	summaryTotal(b)
	a.NoProblems()
	b.NoProblems()
}

// seatLabelRE is a seat button's accessible name: row, number, kind, state.
var seatLabelRE = regexp.MustCompile(`^Row [A-Z]{1,2}, seat \d+, (standard|premium|wheelchair space|companion seat), (available|selected by you|held by someone else|sold)$`)

// TestSeatMapKeyboardAndList: without a mouse, a moviegoer tabs to the seat
// map, moves between seats with the arrow keys and holds seats with Enter and
// Space; every seat button says its row, number, kind and state; the plain
// list alternative lists the seats and works with the keyboard too.
func TestSeatMapKeyboardAndList(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)
	openShowtimeFromHome(b, srv, 3*time.Hour)

	labels := Eval[[]string](b, `[...document.querySelectorAll('#seat-rows button.seat')].map(s => s.getAttribute("aria-label") || "")`)
	if len(labels) < 20 {
		t.Fatalf("the map has %d seat buttons", len(labels))
	}
	for _, l := range labels {
		if !seatLabelRE.MatchString(l) {
			t.Fatalf("seat button labelled %q: want row, number, kind and state", l)
		}
	}
	if n := b.Count(`#seat-rows button.seat:not([type="submit"])`); n != 0 {
		t.Fatalf("%d seats are not real submit buttons", n)
	}

	// Tab from the top of the page until a seat has the focus (roving
	// tabindex: the map is one tab stop).
	b.Do(chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)`))
	reached := false
	for i := 0; i < 60 && !reached; i++ {
		b.Do(chromedp.KeyEvent(kb.Tab))
		reached = Eval[bool](b, `document.activeElement?.matches('#seat-rows button.seat') === true`)
	}
	if !reached {
		t.Fatal("60 presses of Tab did not reach the seat map")
	}
	// Move to a free standard seat with the arrow keys.
	first := focusFreeStandardSeat(t, b)

	// Enter holds it; the focus stays on it.
	b.Do(chromedp.KeyEvent(kb.Enter))
	waitSeatState(b, first, "selected")
	waitSummarySeats(b, 1)
	b.WaitJS("the focus to stay on the held seat", `document.activeElement?.id === "`+first+`"`)
	if p := Get(b, chromedp.AttributeValue(chromedp.ID(first), "aria-pressed")).Value; p != "true" {
		t.Fatalf("held seat has aria-pressed=%q", p)
	}
	if l := Get(b, chromedp.AttributeValue(chromedp.ID(first), "aria-label")).Value; !strings.HasSuffix(l, ", selected by you") {
		t.Fatalf("held seat labelled %q", l)
	}

	// Arrow to the next free seat; Space holds it.
	second := focusFreeStandardSeat(t, b)
	if second == first {
		t.Fatal("the arrow keys did not move off the held seat")
	}
	b.Do(chromedp.KeyEvent(" "))
	waitSeatState(b, second, "selected")
	waitSummarySeats(b, 2)

	// Enter on a held seat of one's own releases it.
	b.Do(chromedp.Focus(chromedp.ID(second)), chromedp.KeyEvent(kb.Enter))
	waitSeatState(b, second, "available")
	waitSummarySeats(b, 1)

	// The plain list alternative: every seat, row by row, with its kind and
	// state; free seats are buttons that work from the keyboard.
	b.Click(`[data-testid="list-link"]`)
	b.WaitVisible(`#seat-list li`)
	if got := b.Count(`#seat-list li`); got != len(labels) {
		t.Fatalf("the list shows %d seats, the map %d", got, len(labels))
	}
	if b.Count(`#seat-list li[data-state="selected"] button[aria-pressed="true"]`) != 1 {
		t.Fatalf("the list does not show the held seat as pressed")
	}
	item := Eval[string](b, `document.querySelector('#seat-list li[data-state="available"] button').closest("li").id`)
	b.Do(chromedp.Focus(chromedp.CSS("#"+item+" button")), chromedp.KeyEvent(kb.Enter))
	b.WaitJS("the list seat to be held", `document.getElementById("`+item+`")?.dataset.state === "selected"`)
	waitSummarySeats(b, 2)
	if !strings.Contains(Eval[string](b, `location.search`), "view=list") {
		t.Fatal("the list view was left")
	}
	b.NoProblems()
}

// focusFreeStandardSeat presses ArrowRight (then ArrowDown at a row's end)
// until the focused seat is a free standard seat, and returns its id.
func focusFreeStandardSeat(t *testing.T, b *Browser) string {
	t.Helper()
	for i := 0; i < 200; i++ {
		id := Eval[string](b, `(() => { const a = document.activeElement; return a && a.matches('#seat-rows button.seat.k-standard[data-state="available"]') ? a.id : ""; })()`)
		if id != "" {
			return id
		}
		before := Eval[string](b, `document.activeElement?.id || ""`)
		b.Do(chromedp.KeyEvent(kb.ArrowRight))
		if Eval[string](b, `document.activeElement?.id || ""`) == before {
			b.Do(chromedp.KeyEvent(kb.ArrowDown))
		}
		if Eval[bool](b, `!document.activeElement?.matches('#seat-rows button.seat')`) {
			t.Fatalf("the arrow keys moved the focus off the map, to %q", Eval[string](b, `document.activeElement?.outerHTML.slice(0, 120)`))
		}
	}
	t.Fatal("the arrow keys found no free standard seat")
	return ""
}
