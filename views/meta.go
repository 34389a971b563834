// Package views holds Marquee's templ components: the layout, the pages and
// the small htmx partials. Views take plain data; they never query anything.
package views

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
