package handlers

import (
	"bytes"
	"log/slog"
	"runtime/debug"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"marquee/booking"
)

// contentSecurityPolicy allows only our own scripts, styles and images: no
// inline script, no CDN. htmx is configured (meta htmx-config) not to need eval.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self' https://checkout.stripe.com; frame-ancestors 'none'; " +
	"base-uri 'self'; object-src 'none'"

func (h *Handler) middleware(app *fiber.App) {
	// Request ids are ours: a client-sent X-Request-ID would let anyone forge
	// log correlation, so it is dropped before one is generated.
	app.Use(func(c *fiber.Ctx) error {
		c.Request().Header.Del(fiber.HeaderXRequestID)
		return c.Next()
	})
	app.Use(requestid.New())
	app.Use(h.observe)
	app.Use(recover.New(recover.Config{
		EnableStackTrace: true,
		StackTraceHandler: func(c *fiber.Ctx, e any) {
			h.log.Error("panic", "request_id", requestID(c), "path", c.Path(), "panic", e, "stack", string(debug.Stack()))
		},
	}))
	app.Use(helmet.New(helmet.Config{
		ContentSecurityPolicy:     contentSecurityPolicy,
		ReferrerPolicy:            "same-origin", // no-referrer breaks the CSRF referer check over HTTPS
		CrossOriginEmbedderPolicy: "unsafe-none",
		XFrameOptions:             "DENY",
		HSTSMaxAge:                hstsMaxAge(h.cfg.Production),
		PermissionPolicy:          "camera=(self), geolocation=(), microphone=()",
	}))
	app.Use(h.accessLog)
	app.Use(h.compress) // compress.go: what was not sent compressed already; never the event stream
	app.Use(h.sessionMiddleware)
	app.Use(h.loadUser) // accounts.go: the signed-in user, only when a session cookie is present
	app.Use(h.csrfMiddleware(csrfExempt...))
	app.Use(validText)
}

// validText answers 400 to a request whose path, query or form fields (of
// either form encoding: urlencoded or multipart) are not
// valid UTF-8 or contain a NUL byte. Such text would otherwise reach
// PostgreSQL, which refuses it with an error (a 500), from every handler that
// searches, stores or rate-limits by text (sign-in, searches, admin filters…).
func validText(c *fiber.Ctx) error {
	text := func(b []byte) bool { return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 }
	ok := text([]byte(c.Path()))
	check := func(k, v []byte) {
		if ok && (!text(k) || !text(v)) {
			ok = false
		}
	}
	c.Context().QueryArgs().VisitAll(check)
	if !ok { // a malformed address or query: 400
		return BadQuery("", "The request contains characters that aren't valid text.")
	}
	ct := c.Request().Header.ContentType()
	switch {
	case bytes.HasPrefix(ct, []byte(fiber.MIMEApplicationForm)):
		c.Request().PostArgs().VisitAll(check)
	case bytes.HasPrefix(ct, []byte(fiber.MIMEMultipartForm)):
		// Every form encoding the handlers read (c.FormValue) is checked
		// alike; the parsed form is kept for the handler.
		form, err := c.MultipartForm()
		if err != nil {
			return BadQuery("", "The form could not be read.")
		}
		for k, vs := range form.Value {
			for _, v := range vs {
				check([]byte(k), []byte(v))
			}
		}
		for k, fs := range form.File {
			for _, f := range fs {
				check([]byte(k), []byte(f.Filename))
			}
		}
	}
	if !ok { // a form field that isn't text: 422, like any field a form can't take
		return booking.Invalid("", "The form contains characters that aren't valid text.")
	}
	return c.Next()
}

// csrfExempt lists POST endpoints authenticated otherwise (signed payment
// webhooks; API routes that accept only a bearer token and ignore cookies,
// so that a request without a token gets 401 rather than a CSRF 403).
var csrfExempt = []string{"/api/v1/orders", "/webhooks/stripe"}

func hstsMaxAge(production bool) int {
	if production {
		return 31536000
	}
	return 0
}

// accessLog logs every request at debug level and failures at warn/error, with the request id.
func (h *Handler) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil || c.Locals(localErrorLogged) != nil {
		// The error handler decides the status and logs (it has run already
		// when the compress middleware rendered the error page).
		return err
	}
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelError
	}
	if h.log.Enabled(c.UserContext(), level) {
		h.log.Log(c.UserContext(), level, "request",
			"request_id", requestID(c), "method", c.Method(), "path", c.Path(),
			"status", status, "took", time.Since(start))
	}
	return nil
}

// observe answers every request's error here (the error handler, once), so
// that it knows the final status: it counts the request by route pattern,
// method and status, times it, and logs it when it was slow.
func (h *Handler) observe(c *fiber.Ctx) error {
	start := time.Now()
	h.metrics.Started()
	if err := c.Next(); err != nil {
		if err := h.handleError(c, err); err != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	took := time.Since(start)
	route := c.Route().Path
	h.metrics.Done(route, c.Method(), c.Response().StatusCode(), took)
	if h.cfg.SlowRequest > 0 && took >= h.cfg.SlowRequest {
		h.log.Warn("slow request", "request_id", requestID(c), "method", c.Method(), "route", route,
			"path", c.Path(), "status", c.Response().StatusCode(), "took", took)
	}
	return nil
}

func requestID(c *fiber.Ctx) string {
	if v, ok := c.Locals("requestid").(string); ok {
		return v
	}
	return ""
}
