package views

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"marquee/booking"
)

// A trailer link is managed data: anything but an http(s) URL is neutralised
// when rendered, so a javascript: link can never reach a page.
func TestTrailerLinkIsSanitised(t *testing.T) {
	for url, want := range map[string]bool{
		"https://trailers.example.com/x": true,
		"javascript:alert(1)":            false,
		"JaVaScRiPt:alert(1)":            false,
		"data:text/html,<script>":        false,
	} {
		var buf bytes.Buffer
		mv := booking.Movie{Title: "T", Slug: "t", RuntimeMin: 90, TrailerURL: url}
		if err := MovieContent(MovieView{Movie: mv}).Render(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		html := buf.String()
		if got := strings.Contains(html, `href="`+url+`"`); got != want {
			t.Errorf("%q rendered as a link: %v, want %v", url, got, want)
		}
		if strings.Contains(strings.ToLower(html), "javascript:") {
			t.Errorf("%q: javascript: URL in the page", url)
		}
	}
}
