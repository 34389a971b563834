// Package static embeds Marquee's built assets (CSS, vendored htmx, our own
// small scripts, images) so the binary serves them with no files beside it.
package static

import "embed"

// FS holds css/, js/ and img/.
//
//go:embed css/app.css js img
var FS embed.FS
