package handlers

import (
	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"marquee/views"
)

// render writes a templ component as the HTML response with the given status.
func render(c *fiber.Ctx, status int, comp templ.Component) error {
	c.Status(status)
	c.Type("html", "utf-8")
	return comp.Render(c.UserContext(), c.Response().BodyWriter())
}

// isHTMX reports whether the request was made by htmx (and so wants a partial).
func isHTMX(c *fiber.Ctx) bool { return c.Get("HX-Request") == "true" }

// meta returns the layout data for this request: the signed-in user, the CSRF
// token and the flash message, as far as the request has them.
func (h *Handler) meta(c *fiber.Ctx, title string) views.Meta {
	m := views.Meta{Title: title, Demo: h.demo != nil}
	if u, ok := c.Locals(localUser).(*views.UserInfo); ok {
		m.User = u
	}
	if t, ok := c.Locals(localCSRF).(string); ok {
		m.CSRFToken = t
	}
	if f, ok := c.Locals(localFlash).(string); ok {
		m.Flash = f
	} else if hasSessionCookie(c) {
		// The flash is taken when a full page shows it, so it is seen exactly once.
		m.Flash = h.sessionOf(c).TakeFlash()
		c.Locals(localFlash, m.Flash)
	}
	return m
}

// Keys of values that middleware leaves in c.Locals for the layout.
const (
	localUser  = "marquee.user"  // *views.UserInfo, set by the session middleware
	localCSRF  = "marquee.csrf"  // string, set by the CSRF middleware
	localFlash = "marquee.flash" // string, set by the session middleware
	// localErrorLogged is set once the error handler has answered and logged (compress.go).
	localErrorLogged = "marquee.error-logged"
)
