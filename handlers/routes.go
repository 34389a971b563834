package handlers

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"marquee/static"
)

// routes lists every route of Marquee. Keep it the one place to read them.
// Areas add their routes in their own block; roles are enforced per group.
func (h *Handler) routes(app *fiber.App) {
	// Operations.
	app.Get("/healthz", h.healthz)
	app.Get("/readyz", h.readyz)

	// Static assets, embedded in the binary. Names are not fingerprinted, so a modest cache lifetime.
	app.Use("/static", filesystem.New(filesystem.Config{
		Root:   http.FS(static.FS),
		MaxAge: int(time.Hour.Seconds()),
	}))

	// --- catalogue (what's on, movies, showtimes) ---

	// --- accounts ---

	// --- booking ---

	// --- API v1 ---

	// Everything else: 404 page / problem JSON.
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

func (h *Handler) healthz(c *fiber.Ctx) error { return c.SendString("ok") }

// readyz answers 503 while the database is unreachable, so a load balancer
// takes this instance out of rotation until it recovers.
func (h *Handler) readyz(c *fiber.Ctx) error {
	if err := h.db.PingContext(c.UserContext()); err != nil {
		h.log.Warn("not ready", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unavailable")
	}
	return c.SendString("ready")
}
