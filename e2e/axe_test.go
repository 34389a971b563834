//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axe-core (npm devDependency, node_modules/axe-core) is injected into the
// page under test by the harness through the DevTools protocol, never served
// by Marquee: users never load it, and the page's CSP doesn't apply to it.

var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(filepath.Join("..", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		return "", fmt.Errorf("axe-core is a devDependency: run npm ci (%w)", err)
	}
	return string(b), nil
})

// axeViolation is one failed rule as axe reports it, with a few nodes.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// CheckA11y runs axe-core (WCAG 2.0–2.2 A and AA rules, target size included,
// and best practices) on the page as it is now and fails the test for every
// serious or critical violation, naming the page, the rule and the first
// offending elements.
func (b *Browser) CheckA11y(page string) { b.checkA11y(page, false) }

// CheckA11yFittedMap is CheckA11y for a seat map fitted to a phone's width:
// its seats are then smaller than 24 px (the whole hall on one screen), which
// WCAG 2.5.8 allows because the same seats are reachable as targets of 24 px
// or more by zooming in (checked by CheckA11y on the zoomed map) and in the
// seat list. Only target-size findings on the map's seats are let through.
func (b *Browser) CheckA11yFittedMap(page string) { b.checkA11y(page, true) }

func (b *Browser) checkA11y(page string, fittedMap bool) {
	b.t.Helper()
	src, err := axeSource()
	if err != nil {
		b.t.Fatal(err)
	}
	if !Eval[bool](b, `typeof window.axe === "object"`) {
		Eval[bool](b, src+";true")
	}
	vs := Get(b, chromedp.Evaluate[[]axeViolation](`axe.run(document, {
			runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
			resultTypes: ["violations"],
		}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
			nodes: v.nodes.slice(0, 400).map(n => n.target.join(" ") + (n.failureSummary ? " — " + n.failureSummary.replace(/\s+/g, " ").slice(0, 160) : ""))})))`, chromedp.EvalAwaitPromise))
	for _, v := range vs {
		if fittedMap && v.ID == "target-size" {
			var other []string
			for _, n := range v.Nodes {
				if !strings.HasPrefix(n, "#seat-") {
					other = append(other, n)
				}
			}
			if len(other) == 0 {
				continue
			}
			v.Nodes = other
		}
		if len(v.Nodes) > 4 {
			v.Nodes = append(v.Nodes[:4], fmt.Sprintf("… and %d more", len(v.Nodes)-4))
		}
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Errorf("%saxe on %s: %s (%s): %s\n\t%s", b.prefix(), page, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
		} else {
			b.t.Logf("axe on %s (%s, not failing): %s: %s", page, v.Impact, v.ID, v.Help)
		}
	}
}

// signIn signs the browser in with a demo account.
func signIn(b *Browser, srv *Server, email, password string) {
	b.t.Helper()
	b.Navigate(srv.URL + "/login")
	b.WaitVisible(`[data-testid="login-form"]`)
	b.Do(
		chromedp.SendKeys(chromedp.ID("f-email"), email),
		chromedp.SendKeys(chromedp.ID("f-password"), password),
		chromedp.Click(chromedp.CSS(`[data-testid="login-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav-account"]`)),
	)
}

// signOut signs the browser out with the header's button.
func signOut(b *Browser) {
	b.t.Helper()
	b.Click(`[data-testid="nav-logout"] button`)
	b.WaitVisible(`[data-testid="nav-login"]`)
}

// visitAndCheck opens a path, waits for sel, and runs axe on it.
func visitAndCheck(b *Browser, srv *Server, path, sel string) {
	b.t.Helper()
	b.Navigate(srv.URL + path)
	b.WaitVisible(sel)
	b.CheckA11y(path)
}

// TestAccessibilityEveryPage: axe-core finds no serious or critical
// violation on any page — public, a guest's booking from seat map to paid
// confirmation, receipt and cancellation, the signed-in customer's pages,
// and every staff page (box office, manager, admin) — at phone width
// (390 × 844, the seat map included) and, for the booking page, on a desktop.
func TestAccessibilityEveryPage(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)
	b.ExpectStatus(404, "/no-such-page")
	b.Do(chromedp.EmulateViewport(phoneWidth, 844))

	// Public pages.
	visitAndCheck(b, srv, "/", `[data-testid="whats-on"]`)
	visitAndCheck(b, srv, "/theatres", `[data-testid="theatres"]`)
	visitAndCheck(b, srv, "/login", `[data-testid="login-form"]`)
	visitAndCheck(b, srv, "/register", `main form`)
	visitAndCheck(b, srv, "/forgot-password", `main form`)
	visitAndCheck(b, srv, "/api/docs", `main`)
	visitAndCheck(b, srv, "/no-such-page", `[data-testid="error-page"]`)

	// A guest's booking: movie, the seat map at phone width, the seat list,
	// the pending order, the demo payment page, the confirmation.
	b.Navigate(srv.URL + "/")
	b.WaitVisible(`[data-testid="movie-card"] [data-testid="movie-title"]`)
	b.Click(`[data-testid="movie-card"] [data-testid="movie-title"]`)
	b.WaitVisible(`[data-testid="movie"]`)
	b.CheckA11y("a movie page")
	id := openShowtimeFromHome(b, srv, 5*time.Hour)
	b.CheckA11yFittedMap("the seat map at 390 × 844, fitted")
	holdSeats(b, 2)
	b.CheckA11yFittedMap("the seat map with two seats held (summary bar), fitted")
	click(b, chromedp.CSS(`[data-testid="zoom-in"]`))
	b.CheckA11y("the seat map zoomed in")
	visitAndCheck(b, srv, "/showtimes/"+id+"?view=list", `#seat-list`)
	openShowtime(b, srv, id)
	code := checkout(b, "a11y.guest@example.com")
	b.CheckA11y("the pending order")
	payOnDemo(b)
	b.CheckA11y("the demo payment page")
	succeedOnDemo(b, code)
	b.WaitVisible(`[data-testid="confirmation"]`)
	b.CheckA11y("the confirmation page")
	visitAndCheck(b, srv, "/orders/"+code+"/tickets", `main`)
	visitAndCheck(b, srv, "/orders/"+code+"/receipt", `[data-testid="receipt"]`)
	visitAndCheck(b, srv, "/orders/"+code+"/cancel", `main form`)

	// The booking page on a desktop too (summary beside the map).
	b.Do(chromedp.EmulateViewport(1280, 900))
	openShowtime(b, srv, id)
	b.CheckA11y("the seat map at 1280 × 900")
	b.Do(chromedp.EmulateViewport(phoneWidth, 844))

	// Signed in as a customer.
	signIn(b, srv, "customer@marquee.test", "demo-customer-pass")
	visitAndCheck(b, srv, "/account", `main`)
	visitAndCheck(b, srv, "/account/orders", `[data-testid="history-page"]`)
	visitAndCheck(b, srv, "/", `[data-testid="whats-on"]`)
	signOut(b)

	// Staff pages, as the admin (who sees every area).
	signIn(b, srv, "admin@marquee.test", "demo-admin-pass")
	visitAndCheck(b, srv, "/boxoffice", `[data-testid="boxoffice-home"]`)
	if sell := Eval[string](b, `(document.querySelector('[data-testid="sell-link"]') || {}).href || ""`); sell != "" {
		b.Navigate(sell)
		b.WaitVisible(`main`)
		b.CheckA11y("a counter sale")
	}
	visitAndCheck(b, srv, "/boxoffice/orders/"+code, `[data-testid="box-order"]`)
	visitAndCheck(b, srv, "/boxoffice/find?q="+code, `main`)
	visitAndCheck(b, srv, "/boxoffice/door", `main`)
	visitAndCheck(b, srv, "/manage", `main`)
	visitAndCheck(b, srv, "/admin", `[data-testid="users"]`)
	visitAndCheck(b, srv, "/admin/audit", `[data-testid="audit"]`)
	visitAndCheck(b, srv, "/admin/invitations", `main form`)
	b.NoProblems()
}
