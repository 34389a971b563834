package views

import (
	"strings"

	"github.com/a-h/templ"

	"marquee/static"
)

// Asset is the URL of an embedded static file, fingerprinted by its content so
// that browsers may keep it for a year:
//
//	Asset("js/seatmap.js") = "/static/js/seatmap.3f2a9c1e.js"
//
// Every reference to a file under static/ in a page goes through it (a
// "/static/…" path is accepted too, as stored for the demo posters). A name
// that is no embedded file (an uploaded poster) comes back as its plain path.
func Asset(name string) string { return static.Files().Path(name) }

// assetURL is Asset as a URL attribute value.
func assetURL(name string) templ.SafeURL { return templ.SafeURL(Asset(name)) }

// PosterURL is a movie poster's URL: a poster shipped with the binary
// (/static/…) fingerprinted like every asset, an uploaded one (/posters/…,
// already named by its content) as it is.
func PosterURL(p string) string {
	if strings.HasPrefix(p, "/static/") {
		return Asset(p)
	}
	return p
}
