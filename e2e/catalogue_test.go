//go:build e2e

package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowseProgrammeAndOpenMovie: a moviegoer opens the home page, sees the
// programme, follows a movie and sees its page, with no console errors or
// CSP violations on the way.
func TestBrowseProgrammeAndOpenMovie(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)

	const firstTitle = `[data-testid="movie-card"] [data-testid="movie-title"]`
	b.Do(
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="whats-on"]`)),
		chromedp.WaitVisible(chromedp.CSS(firstTitle)),
	)
	if n := b.Count(`[data-testid="movie-card"]`); n < 3 {
		t.Fatalf("programme shows %d movies, want several", n)
	}
	title := strings.TrimSpace(Get(b, chromedp.Text(chromedp.CSS(firstTitle))))

	b.Do(
		chromedp.Click(chromedp.CSS(firstTitle)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="movie"]`)),
	)
	heading := strings.TrimSpace(Get(b, chromedp.Text(chromedp.CSS(`[data-testid="movie"] [data-testid="movie-title"]`))))
	location := Get(b, chromedp.Location())
	if heading != title {
		t.Fatalf("movie page title %q, clicked %q (at %s)", heading, title, location)
	}
	if !strings.HasPrefix(location, srv.URL+"/") {
		t.Fatalf("left the site: %s", location)
	}
	b.NoProblems()
}
