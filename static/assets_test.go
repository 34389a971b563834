package static

import (
	"strings"
	"testing"
)

func TestManifestFingerprints(t *testing.T) {
	m := Files()
	a, ok := m.Lookup("js/seatmap.js")
	if !ok || len(a.Hash) != HashLen || len(a.Data) == 0 {
		t.Fatalf("js/seatmap.js: %+v, %v", a, ok)
	}
	p := m.Path("js/seatmap.js")
	if p != "/static/js/seatmap."+a.Hash+".js" {
		t.Fatalf("Path = %q", p)
	}
	if m.Path("/static/js/seatmap.js") != p {
		t.Fatal("a /static/ path is not resolved like the name")
	}
	if got := m.Path("img/posters/uploaded-later.png"); got != "/static/img/posters/uploaded-later.png" {
		t.Fatalf("unknown name: %q", got)
	}
	for _, tc := range []struct {
		name           string
		found, current bool
	}{
		{"js/seatmap.js", true, false},
		{strings.TrimPrefix(p, "/static/"), true, true},
		{"js/seatmap.00000000.js", true, false}, // an older build's name
		{"js/seatmap.zzzzzzzz.js", false, false},
		{"js/nope.0123abcd.js", false, false},
		{"js/htmx.min.js", true, false},
	} {
		_, cur, ok := m.Resolve(tc.name)
		if ok != tc.found || cur != tc.current {
			t.Errorf("Resolve(%q) = current %v, found %v; want %v, %v", tc.name, cur, ok, tc.current, tc.found)
		}
	}
	// Different content, different name.
	css, _ := m.Lookup("css/app.css")
	if css.Hash == a.Hash {
		t.Fatal("two files share a fingerprint")
	}
}

func TestSplitHash(t *testing.T) {
	for _, tc := range []struct{ in, plain, hash string }{
		{"js/htmx.min.0123abcd.js", "js/htmx.min.js", "0123abcd"},
		{"img/favicon.deadbeef.svg", "img/favicon.svg", "deadbeef"},
	} {
		p, h, ok := SplitHash(tc.in)
		if !ok || p != tc.plain || h != tc.hash {
			t.Errorf("SplitHash(%q) = %q %q %v", tc.in, p, h, ok)
		}
		if WithHash(p, h) != tc.in {
			t.Errorf("WithHash(%q, %q) = %q", p, h, WithHash(p, h))
		}
	}
	for _, in := range []string{"js/htmx.min.js", "js/app.js", "a.0123abc.js", "a.0123ABCD.js"} {
		if _, _, ok := SplitHash(in); ok {
			t.Errorf("SplitHash(%q) found a hash", in)
		}
	}
}
