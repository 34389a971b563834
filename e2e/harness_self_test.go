//go:build e2e

package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestHarnessSeesConsoleErrorsAndCSPViolations proves that NoProblems would
// catch what it is meant to: a console error and an inline script that the
// Content-Security-Policy must block.
func TestHarnessSeesConsoleErrorsAndCSPViolations(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)
	b.Do(
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="whats-on"]`)),
	)
	ran := Get(b, chromedp.Evaluate[bool](`(() => {
		console.error("e2e-probe");
		const s = document.createElement("script");
		s.textContent = "window.__inlineRan = true";
		document.body.appendChild(s);
		return window.__inlineRan === true;
	})()`))
	if ran {
		t.Fatal("an inline script ran: the CSP does not block inline scripts")
	}
	b.WaitProblem("e2e-probe")
	b.WaitProblem("Content Security Policy")
}
