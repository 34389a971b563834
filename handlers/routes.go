package handlers

import (
	"github.com/gofiber/fiber/v2"

	"marquee/booking"
)

// routes lists every route of Marquee. Keep it the one place to read them.
// Areas add their routes in their own block; roles are enforced per group.
func (h *Handler) routes(app *fiber.App) {
	// Operations.
	app.Get("/healthz", h.healthz)
	app.Get("/readyz", h.readyz)

	// Static assets, embedded in the binary: fingerprinted names (views.Asset) cached for a year,
	// plain and outdated names briefly (static.go). Search engines: seo.go.
	app.Get("/static/*", h.staticFile)
	app.Get("/robots.txt", h.robots)
	app.Get("/sitemap.xml", h.sitemap)
	app.Get("/favicon.ico", h.favicon)

	// --- catalogue (what's on, movies, showtimes) ---
	app.Get("/", h.whatsOn)
	app.Get("/movies/:slug", h.movie)
	app.Get("/theatres", h.theatresPage)
	app.Get("/api/docs", h.apiDocs)

	// --- accounts ---
	app.Get("/register", h.registerPage)
	app.Post("/register", h.register)
	app.Get("/login", h.loginPage)
	app.Post("/login", h.login)
	app.Post("/logout", h.logout)
	app.Get("/forgot-password", h.forgotPage)
	app.Post("/forgot-password", h.forgot)
	app.Get("/reset-password", h.resetPage)
	app.Post("/reset-password", h.reset)
	app.Get("/confirm-email", h.confirmEmailPage)
	app.Post("/confirm-email", h.confirmEmail)
	app.Get("/confirm-email-change", h.confirmEmailChangePage)
	app.Post("/confirm-email-change", h.confirmEmailChange)
	app.Get("/invite", h.invitePage)
	app.Post("/invite", h.acceptInvite)
	app.Get("/dev/mail", h.devMail) // 404 in production

	// Signed-in customers (and everyone above). /account/orders: see "orders after payment".
	account := app.Group("/account", h.requireRole(booking.RoleCustomer))
	account.Get("/", h.accountPage)
	account.Post("/profile", h.saveProfile)
	account.Post("/password", h.changePassword)
	account.Post("/email", h.changeEmail)
	account.Post("/delete", h.deleteAccount)
	account.Post("/sessions/end", h.endOtherSessions)
	account.Post("/tokens", h.createToken)
	account.Post("/tokens/:id/revoke", h.revokeToken)

	// Staff areas: one role middleware per group. Later issues add their routes to these groups.
	boxoffice := app.Group("/boxoffice", h.requireRole(booking.RoleStaff))
	boxoffice.Get("/", h.boxOfficeHome)            // today's board (?theatre=ID); boxoffice.go
	boxoffice.Get("/board", h.boxOfficeBoard)      // the board's rows, polled
	boxoffice.Get("/sell/:id<int>", h.salePage)    // counter sale of a showtime
	boxoffice.Get("/sell/:id<int>/map", h.saleMap) // its live seat map (polled); picking holds nothing
	boxoffice.Post("/sell/:id<int>/quote", h.saleQuote)
	boxoffice.Post("/sell/:id<int>", h.sell)                // place and pay (cash, card, split)
	boxoffice.Get("/orders/:code", h.boxOrder)              // the order: change due, tickets and receipt to print
	boxoffice.Post("/orders/:code/cancel", h.counterCancel) // cancel and refund at the counter (override: a reason)
	boxoffice.Post("/orders/:code/resend", h.resendMail)    // the confirmation e-mail again
	boxoffice.Get("/find", h.findOrder)                     // look-up by code, e-mail, name or scanned ticket
	boxoffice.Get("/door", h.doorPage)                      // check-in
	boxoffice.Post("/door", h.checkIn)
	boxoffice.Post("/door/undo", h.undoCheckIn)
	// Managers: the programme of their theatres (manage.go: scope, requireTheatre).
	manage := app.Group("/manage", h.requireRole(booking.RoleManager))
	manage.Get("/", h.manageHome)
	// movies (manage_movies.go)
	// auditoriums and seat layouts (manage_layouts.go)
	// showtimes (manage_showtimes.go)
	// ticket types and price cards (manage_prices.go)
	// reports (reports.go)
	admin := app.Group("/admin", h.requireRole(booking.RoleAdmin))
	admin.Get("/", h.adminUsers)
	admin.Post("/users/:id/role", h.adminSetRole)
	admin.Get("/invitations", h.adminInvitePage)
	admin.Post("/invitations", h.adminInvite)
	admin.Get("/audit", h.adminAudit)

	// --- booking ---
	app.Get("/showtimes/:id<int>", h.showtimePage)
	app.Get("/showtimes/:id<int>/map", h.seatMapPartial)
	app.Get("/showtimes/:id<int>/events", h.showtimeEvents)
	app.Post("/showtimes/:id<int>/seats", h.toggleSeat)
	app.Post("/showtimes/:id<int>/best", h.bestSeats)
	app.Post("/showtimes/:id<int>/type", h.setTicketType)
	app.Post("/showtimes/:id<int>/checkout", h.limitOrders, h.checkout) // limitOrders: accounts.go (per IP and per account)
	app.Get("/orders/:code", h.orderPage)

	// --- orders after payment (tickets, receipt, cancellation, history) ---
	// Every /orders/:code/… route checks access like the order page (aftersale.go: canSeeOrder).
	app.Get("/orders/:code/tickets", h.ticketsPage)
	app.Get("/orders/:code/tickets.pdf", h.ticketsPDF)
	app.Get("/orders/:code/tickets/:n<int>.png", h.ticketQR)
	app.Get("/orders/:code/receipt", h.receiptPage)
	app.Get("/orders/:code/receipt.pdf", h.receiptPDF)
	app.Get("/orders/:code/calendar.ics", h.orderCalendar) // "add to calendar" (calendar.go)
	app.Get("/orders/:code/cancel", h.cancelPage)
	app.Post("/orders/:code/cancel", h.cancel)
	account.Get("/orders", h.historyPage)
	app.Get("/api/v1/orders", h.requireAPIUser, h.apiOrders)
	app.Post("/api/v1/orders/:code/cancel", h.requireAPIUser, h.apiCancelOrder)

	// --- payments ---
	app.Post("/orders/:code/pay", h.startPayment)  // → the hosted payment page (HX-Redirect for htmx)
	app.Get("/orders/:code/paid", h.paymentReturn) // the provider's success redirect: fulfils, then the order page
	app.Post("/webhooks/stripe", h.stripeWebhook)  // signed by Stripe; CSRF-exempt (middleware.go)
	if h.demo != nil {                             // offline demo gateway only (no STRIPE_SECRET_KEY, never in production)
		app.Get("/demo/checkout/:id", h.demoCheckoutPage)
		app.Post("/demo/checkout/:id", h.demoCheckoutPay)
		app.Post("/demo/checkout/:id/settle", h.demoCheckoutSettle)
	}

	// --- API v1 ---
	app.Get("/api/v1/openapi.json", h.apiOpenAPI)
	app.Get("/api/v1/movies", h.apiMovies)
	app.Get("/api/v1/movies/:id", h.apiMovie)
	app.Get("/api/v1/showtimes", h.apiShowtimes)
	app.Get("/api/v1/showtimes/:id", h.apiShowtimeDetail)
	app.Post("/api/v1/orders", h.requireAPIUser, h.limitOrders, h.apiCreateOrder)
	app.Get("/api/v1/orders/:code", h.requireAPIUser, h.apiOrder)
	app.Post("/api/v1/orders/:code/checkout", h.requireAPIUser, h.apiCheckout)

	// Everything else: 404 page / problem JSON.
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

func (h *Handler) healthz(c *fiber.Ctx) error { return c.SendString("ok") }

// readyz answers 503 while the database is unreachable, so a load balancer
// takes this instance out of rotation until it recovers, and from the moment
// the instance starts shutting down (Drain), so it is taken out before it stops.
func (h *Handler) readyz(c *fiber.Ctx) error {
	if h.draining.Load() {
		return c.Status(fiber.StatusServiceUnavailable).SendString("shutting down")
	}
	if err := h.db.Ping(c.UserContext()); err != nil {
		h.log.Warn("not ready", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unavailable")
	}
	return c.SendString("ready")
}

// Drain makes /readyz answer 503 from now on; every other route is served as before.
func (h *Handler) Drain() { h.draining.Store(true) }
