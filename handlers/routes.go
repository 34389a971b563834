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
	app.Get("/posters/:file", h.posterImage) // uploaded posters, content-addressed (manage_movies.go)
	app.Get("/api/docs", h.apiDocs)

	// --- accounts ---
	app.Get("/register", h.registerPage)
	app.Post("/register", h.register)
	app.Get("/login", h.loginPage)
	app.Post("/login", h.login)
	app.Get("/login/link", h.signInLinkPage) // a sign-in link by e-mail (auth.go)
	app.Post("/login/link", h.sendSignInLink)
	app.Get("/login/link/use", h.signInLinkUsePage)
	app.Post("/login/link/use", h.useSignInLink)
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
	boxoffice.Post("/orders/:code/seats", h.changeSeats)    // change seats within the showtime (boxoffice_theatre.go)
	boxoffice.Get("/find", h.findOrder)                     // look-up by code, e-mail, name or scanned ticket
	boxoffice.Get("/door", h.doorPage)                      // check-in
	boxoffice.Post("/door", h.checkIn)
	boxoffice.Post("/door/undo", h.undoCheckIn)
	boxoffice.Get("/door/counts", h.doorCounts)        // admitted / expected, polled
	boxoffice.Post("/theatre", h.setBoxTheatre)        // the switcher: home theatre (boxoffice_theatre.go)
	boxoffice.Get("/drawer", h.drawerPage)             // cash-up: my drawer (cashup.go)
	boxoffice.Post("/drawer/open", h.openDrawer)       // till, float
	boxoffice.Post("/drawer/close", h.closeDrawer)     // cash counted → the summary
	boxoffice.Get("/drawer/:id<int>", h.drawerSummary) // a session's summary, printable
	// Managers: the programme of their theatres (manage.go: scope, requireTheatre).
	manage := app.Group("/manage", h.requireRole(booking.RoleManager))
	manage.Get("/", h.manageHome)
	// movies (manage_movies.go): the cinema's catalogue, any manager
	manage.Get("/movies", h.manageMovies)
	manage.Get("/movies/new", h.newMoviePage)
	manage.Post("/movies", h.createMovie)
	manage.Get("/movies/:id<int>", h.editMoviePage)
	manage.Post("/movies/:id<int>", h.updateMovie)
	manage.Post("/movies/:id<int>/poster", h.uploadPoster) // multipart; poster.Processor checks the bytes
	manage.Post("/movies/:id<int>/archive", h.archiveMovie)
	manage.Post("/movies/:id<int>/unarchive", h.unarchiveMovie)
	// auditoriums and seat layouts (manage_layouts.go)
	manage.Get("/auditoriums", h.manageAuditoriums)
	manage.Post("/auditoriums", h.createAuditorium)
	manage.Get("/auditoriums/:id", h.layoutEditor)
	manage.Post("/auditoriums/:id/preview", h.layoutPreview)
	manage.Post("/auditoriums/:id/layout", h.saveLayout)
	manage.Get("/auditoriums/:id/layout.csv", h.exportLayout)
	// showtimes (manage_showtimes.go)
	manage.Get("/showtimes", h.manageShowtimes)                    // the programme by day/week (?theatre=&date=&days=&q=&status=)
	manage.Get("/showtimes/new", h.newShowtimePage)                // schedule one or a series
	manage.Post("/showtimes", h.scheduleShowtimes)                 // all or nothing; overlaps named
	manage.Get("/showtimes/:id<int>", h.editShowtimePage)          // edit form
	manage.Post("/showtimes/:id<int>", h.editShowtime)             // save
	manage.Post("/showtimes/:id<int>/publish", h.publishShowtime)  // published=1|0
	manage.Get("/showtimes/:id<int>/move", h.moveShowtimePage)     // move form
	manage.Post("/showtimes/:id<int>/move", h.moveShowtime)        // confirm step (dry run), then confirm=1 moves
	manage.Get("/showtimes/:id<int>/cancel", h.cancelShowtimePage) // confirm step
	manage.Post("/showtimes/:id<int>/cancel", h.cancelShowtime)    // confirm=1: cancel and refund everyone
	manage.Get("/showtimes/:id<int>/affected", h.showtimeAffected) // who a cancel or move affected
	// ticket types and price cards (manage_prices.go)
	manage.Get("/prices", h.pricesPage)
	manage.Post("/prices/types", h.createTicketType) // ticket types: administrators (shared by every theatre)
	manage.Post("/prices/types/:code", h.updateTicketType)
	manage.Post("/prices/types/:code/retire", h.retireTicketType)
	manage.Post("/prices/types/:code/restore", h.restoreTicketType)
	manage.Post("/prices/types/:code/delete", h.deleteTicketType)
	manage.Get("/prices/cards/new", h.newPriceCardPage) // cards: their theatre's managers (shared ones: administrators)
	manage.Post("/prices/cards", h.createPriceCard)
	manage.Get("/prices/cards/:id<int>", h.priceCardPage)
	manage.Post("/prices/cards/:id<int>", h.savePriceCard)
	manage.Post("/prices/cards/:id<int>/delete", h.deletePriceCard)
	// reports (reports.go)
	manage.Get("/cashup", h.manageCashup)                 // drawer sessions of the manager's theatres (cashup.go)
	manage.Get("/cashup/:id<int>", h.manageDrawerSummary) // one session
	manage.Get("/reports", h.salesReport)                 // sales and occupancy (?theatre=&from=&to=&by=)
	manage.Get("/reports/sales.csv", h.salesReportCSV)    // the same as CSV
	manage.Get("/reports/print", h.salesReportPrint)      // the same, printable
	manage.Get("/reports/returns", h.returnPage)          // distributor return (?theatre=&week=)
	manage.Get("/reports/returns.csv", h.returnCSV)       // as CSV, stable columns
	manage.Get("/reports/returns/print", h.returnPrint)   // printable
	manage.Post("/reports/returns/close", h.closeWeek)    // freeze a film week (confirmed, audited)
	manage.Get("/reports/terms", h.termsPage)             // film hire terms per film and week
	manage.Post("/reports/terms", h.saveTerms)            // audited
	admin := app.Group("/admin", h.requireRole(booking.RoleAdmin))
	admin.Get("/", h.adminUsers)
	admin.Post("/users/:id/role", h.adminSetRole)
	admin.Get("/users/:id<int>", h.adminUserPage) // theatres and home theatre (admin_settings.go)
	admin.Post("/users/:id<int>/theatres", h.adminSetUserTheatres)
	admin.Get("/settings", h.adminSettingsPage) // the cinema's business settings (admin_settings.go)
	admin.Post("/settings", h.adminSaveSettings)
	admin.Get("/theatres", h.adminTheatres) // each theatre's settings
	admin.Get("/theatres/:id<int>", h.adminTheatrePage)
	admin.Post("/theatres/:id<int>", h.adminSaveTheatre)
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
