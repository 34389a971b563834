//go:build e2e

package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// seatButtonByLabel is JavaScript giving the id of the map button of a seat
// named like "F12" ("" if none).
func seatButtonByLabel(label string) string {
	row := strings.TrimRight(label, "0123456789")
	prefix := "Row " + row + ", seat " + strings.TrimPrefix(label, row) + ","
	return `(() => { const b = [...document.querySelectorAll('#seat-rows button.seat')]
		.find(b => (b.getAttribute("aria-label") || "").startsWith(` + strconv.Quote(prefix) + `)); return b ? b.id : ""; })()`
}

// TestCustomerBooksPaysAndCancelsASeat: the demo customer signs in, books two
// seats and pays, finds the order under /account/orders, cancels one seat
// within the policy: the refund is recorded, the order is partially refunded,
// and the freed seat is free again on the map (the other stays sold).
func TestCustomerBooksPaysAndCancelsASeat(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)

	b.Navigate(srv.URL + "/login")
	b.WaitVisible(`[data-testid="login-form"]`)
	b.Do(
		chromedp.SendKeys(chromedp.ID("f-email"), "customer@marquee.test"),
		chromedp.SendKeys(chromedp.ID("f-password"), "demo-customer-pass"),
		chromedp.Click(chromedp.CSS(`[data-testid="login-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav-account"]`)),
	)
	if name := b.Text(`[data-testid="nav-account"]`); name != "Casey Customer" {
		t.Fatalf("signed in as %q", name)
	}

	// Well before the show, so the cancellation policy (2 h cutoff) allows it.
	id := openShowtimeFromHome(b, srv, 5*time.Hour)
	b.Do(chromedp.SetValue(chromedp.ID("best-quantity"), "2"))
	b.Click(`[data-testid="best-form"] button[type="submit"]`)
	waitSummarySeats(b, 2)
	total := summaryTotal(b)
	if email := Get(b, chromedp.Value(chromedp.ID("checkout-email"))); email != "customer@marquee.test" {
		t.Fatalf("checkout e-mail prefilled with %q, want the account's", email)
	}
	code := checkout(b, "") // the account's address
	payOnDemo(b)
	succeedOnDemo(b, code)
	checkTickets(b, 2)

	// The order is in the account's history.
	b.Navigate(srv.URL + "/account/orders")
	b.WaitVisible(`[data-testid="history-page"]`)
	row := `[data-testid="history-upcoming"] [data-testid="history-order"][data-code="` + code + `"]`
	b.WaitVisible(row + `[data-status="paid"]`)

	// Cancel one seat from the order page.
	b.Click(row + ` a`)
	b.WaitVisible(`[data-testid="order"][data-status="paid"] [data-testid="cancel-link"]`)
	b.Click(`[data-testid="cancel-link"]`)
	b.WaitVisible(`[data-testid="cancel-form"] [data-testid="cancel-seat"]`)
	if n := b.Count(`[data-testid="cancel-seat"]`); n != 2 {
		t.Fatalf("cancel page offers %d seats, want 2", n)
	}
	seats := Eval[[]string](b, `[...document.querySelectorAll('[data-testid="cancel-seat"]')].map(c => c.value)`)
	cancelled, kept := seats[0], seats[1]

	// Someone else watches the showtime's map meanwhile.
	w := NewBrowser(t)
	w.name = "watcher"
	n := w.EventStreams()
	openShowtime(w, srv, id)
	w.WaitEventStream(n)
	watched := Eval[string](w, seatButtonByLabel(cancelled))
	if st := seatState(w, watched); st != "sold" {
		t.Fatalf("the watcher sees paid seat %s as %q, want sold", cancelled, st)
	}

	b.Do(chromedp.Click(chromedp.CSS(`[data-testid="cancel-seat"][value="` + cancelled + `"]`)))
	b.Click(`[data-testid="cancel-form"] button[type="submit"]:not([name])`)

	b.WaitVisible(`[data-testid="order"][data-status="partially_refunded"]`)
	if st := b.Text(`[data-testid="order-state"]`); !strings.Contains(st, "partially refunded") {
		t.Fatalf("order state says %q", st)
	}
	b.WaitVisible(`[data-testid="flash"]`)
	refunds := b.Count(`[data-testid="refund"][data-status="succeeded"]`)
	if refunds != 1 {
		t.Fatalf("order shows %d succeeded refunds, want 1\n%s", refunds, b.pageState())
	}
	refunded := cents(t, b.Text(`[data-testid="refund"] .tabular-nums`))
	if refunded <= 0 || refunded >= total {
		t.Fatalf("refunded %d of a %d order for one of two seats", refunded, total)
	}
	if r := b.Text(`[data-testid="refund"]`); !strings.Contains(r, cancelled) {
		t.Fatalf("refund line %q does not name seat %s", r, cancelled)
	}
	checkTickets(b, 1)
	// The watcher's map frees the seat live.
	w.WaitJSWithin(liveUpdate, "the watcher's map to show the cancelled seat free", seatStateIs(watched, "available"))

	b.Navigate(srv.URL + "/account/orders")
	b.WaitVisible(row + `[data-status="partially_refunded"]`)
	if badge := b.Text(row + ` [data-testid="status-badge"]`); badge != "partially refunded" {
		t.Fatalf("history badge %q", badge)
	}

	// The map: the cancelled seat is on sale again, the kept one is sold.
	openShowtime(b, srv, id)
	freed, still := Eval[string](b, seatButtonByLabel(cancelled)), Eval[string](b, seatButtonByLabel(kept))
	if freed == "" || still == "" {
		t.Fatalf("no map buttons for seats %s and %s", cancelled, kept)
	}
	if st := seatState(b, freed); st != "available" {
		t.Fatalf("cancelled seat %s is %q on the map, want available", cancelled, st)
	}
	if st := seatState(b, still); st != "sold" {
		t.Fatalf("kept seat %s is %q on the map, want sold", kept, st)
	}
	b.NoProblems()
	w.NoProblems()
}
