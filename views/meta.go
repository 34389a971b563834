// Package views holds Marquee's templ components: the layout, the pages and
// the small htmx partials. Views take plain data; they never query anything.
package views

import (
	"context"
	"io"

	"github.com/a-h/templ"
)

// Meta is what every full page needs besides its own content.
type Meta struct {
	Title       string
	Description string
	// CSRFToken is sent by htmx as X-Csrf-Token (meta tag + hx-headers) and by forms as a hidden field.
	CSRFToken string
	User      *UserInfo
	// Flash is a one-time notice shown at the top of the page.
	Flash string
	// Nav marks the current section in the header ("whats-on", "account", "boxoffice", "manage").
	Nav string
	// Demo is true when the offline demo payment gateway is active.
	Demo bool
	// For search engines and link previews: the page's absolute canonical URL
	// (also og:url), an absolute image URL (og:image), the Open Graph type
	// ("website" when empty), schema.org JSON-LD (encoding/json output), and
	// NoIndex for pages that are nobody's business (orders, accounts).
	URL, Image, OGType, JSONLD string
	NoIndex                    bool
}

// UserInfo is the signed-in user as the layout shows them.
type UserInfo struct {
	Name string
	Role string
}

// IsStaff reports whether the user may use the box office.
func (u *UserInfo) IsStaff() bool {
	return u != nil && (u.Role == "staff" || u.Role == "manager" || u.Role == "admin")
}

// IsManager reports whether the user may manage the programme.
func (u *UserInfo) IsManager() bool {
	return u != nil && (u.Role == "manager" || u.Role == "admin")
}

// IsAdmin reports whether the user may administer users and roles.
func (u *UserInfo) IsAdmin() bool { return u != nil && u.Role == "admin" }

func ogTitle(m Meta) string {
	if m.Title == "" {
		return "Marquee"
	}
	return m.Title
}

func ogType(m Meta) string {
	if m.OGType == "" {
		return "website"
	}
	return m.OGType
}

// jsonLD writes structured data for search engines. The JSON comes from
// encoding/json, which escapes <, > and &, so it cannot end the script
// element; a data block is never executed, so the CSP has nothing to say.
func jsonLD(js string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, `<script type="application/ld+json">`+js+`</script>`)
		return err
	})
}
