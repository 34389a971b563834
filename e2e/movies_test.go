//go:build e2e

package e2e

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestManagerAddsMovieWithPoster: the demo manager finds a movie by typing in
// the search (results swap in place), presses N for a new movie, fills the
// form, adds it, uploads a poster file, and the customer-facing page shows
// the resized upload — served by the poster route under the strict CSP.
func TestManagerAddsMovieWithPoster(t *testing.T) {
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
	b.Navigate(srv.URL + "/manage/movies")
	b.WaitVisible(`[data-testid="manage-movies"]`)
	if n := b.Count(`[data-testid="movie-row"]`); n < 10 {
		t.Fatalf("%d demo movies listed", n)
	}
	// "/" focuses the search; typing narrows the list without a reload.
	b.Do(chromedp.KeyEvent("/"))
	b.WaitJS("the search focused", `document.activeElement && document.activeElement.id === "movie-q"`)
	// CDP sends the key's character as an event of its own, which a browser
	// would have dropped with the keydown movies.js prevented: clear it.
	Eval[bool](b, `(document.activeElement.value = "", true)`)
	b.Do(chromedp.KeyEvent("orbit"))
	b.WaitJS("one result", `document.querySelectorAll("[data-testid=movie-row]").length === 1`)
	if got := b.Text(`[data-testid="edit-movie"]`); got != "Orbit of Glass" {
		t.Fatalf("found %q", got)
	}
	// N: a new movie.
	Eval[bool](b, `(document.activeElement.blur(), true)`)
	b.Do(chromedp.KeyEvent("n"))
	b.WaitVisible(`[data-testid="movie-form"]`)
	b.Do(
		chromedp.SendKeys(chromedp.ID("f-title"), "Paper Lanterns"),
		chromedp.SendKeys(chromedp.ID("f-original_title"), "Kami no Tōrō"),
		chromedp.SendKeys(chromedp.ID("f-genres"), "Drama, Family"),
		chromedp.SendKeys(chromedp.ID("f-runtime"), "104"),
		chromedp.SendKeys(chromedp.ID("f-rating"), "PG"),
		chromedp.SendKeys(chromedp.ID("f-director"), "Aiko Mori"),
		chromedp.SendKeys(chromedp.ID("f-cast"), "Ren Takeda\nSora Ibuki"),
		chromedp.SendKeys(chromedp.ID("f-trailer_url"), "https://trailers.example.com/paper-lanterns"),
	)
	Eval[bool](b, `(document.getElementById("f-release_date").value = "2026-11-20", true)`)
	b.Click(`[data-testid="save-movie"]`)
	b.WaitVisible(`[data-testid="poster-form"]`)
	if flash := b.Text(`[data-testid="flash"]`); !strings.Contains(flash, "Added Paper Lanterns") {
		t.Fatalf("flash %q", flash)
	}

	// Upload a poster (a PNG, larger than the page's size and not 2:3).
	file := filepath.Join(t.TempDir(), "lanterns.png")
	img := image.NewRGBA(image.Rect(0, 0, 900, 1200))
	for y := 0; y < 1200; y++ {
		for x := 0; x < 900; x++ {
			img.Set(x, y, color.RGBA{uint8(x / 4), 80, uint8(y / 5), 255})
		}
	}
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b.Do(chromedp.SetUploadFiles(chromedp.ID("f-poster"), []string{file}))
	Eval[bool](b, `(document.querySelector("[data-testid=flash]").remove(), true)`)
	b.Click(`[data-testid="upload-poster"]`)
	b.WaitVisible(`[data-testid="flash"]`) // the page after the upload
	if flash := b.Text(`[data-testid="flash"]`); !strings.Contains(flash, "New poster") {
		t.Fatalf("flash %q", flash)
	}
	b.WaitJS("the uploaded poster shown", `(() => { const i = document.querySelector("[data-testid=current-poster]");
		return i && i.getAttribute("src").startsWith("/posters/") && i.complete && i.naturalWidth === 440 && i.naturalHeight === 660; })()`)

	// The customer's movie page shows it.
	slug := strings.TrimPrefix(b.Text(`[data-testid="public-page"]`), "/movies/")
	if slug != "paper-lanterns" {
		t.Fatalf("slug %q", slug)
	}
	b.Navigate(srv.URL + "/movies/" + slug)
	b.WaitJS("the movie page's poster loaded", `(() => { const i = document.querySelector("[data-testid=movie-poster]");
		return i && i.getAttribute("src").startsWith("/posters/") && i.complete && i.naturalWidth === 440; })()`)
	if got := b.Text(`[data-testid="movie-original-title"]`); got != "Kami no Tōrō" {
		t.Errorf("original title %q", got)
	}
	b.NoProblems()
}
