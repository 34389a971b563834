// Package handlers is Marquee's HTTP layer on Fiber: it parses requests, calls
// the services (sales for every seat change and the live seat maps,
// aftersale, payment) and the store's reads, and renders templ views or JSON.
// Rules live in booking/, SQL in db/; handlers stay thin and build none of
// their services: New takes them ready made.
package handlers

import (
	"cmp"
	"errors"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/sessions"

	"marquee/aftersale"
	"marquee/booking"
	"marquee/db"
	"marquee/internal/metrics"
	"marquee/mail"
	"marquee/payment"
	"marquee/poster"
	"marquee/sales"
	"marquee/settings"
	"marquee/static"
)

// Config is what the HTTP layer needs to know about its deployment.
type Config struct {
	// BaseURL is the public URL of the site, used in e-mails and redirects (no trailing slash).
	BaseURL string
	// Production turns off development conveniences.
	Production bool
	// TrustedProxies lists the proxy addresses whose X-Forwarded-* headers are believed.
	TrustedProxies []string
	// BodyLimit bounds request bodies, in bytes.
	BodyLimit int
	// Concurrency bounds the connections served at once (0: fasthttp's default);
	// ReadTimeout and IdleTimeout close slow and idle connections (0: 30 s, 120 s).
	Concurrency              int
	ReadTimeout, IdleTimeout time.Duration
	// Session configures the cookie session (keys, timeouts, Secure flag).
	Session SessionOptions
	// Passwords are the argon2id cost parameters (zero: booking.DefaultPasswordParams).
	Passwords booking.PasswordParams
	// Limits are the rate limits (zero: DefaultRateLimits).
	Limits *RateLimits
	// SlowRequest: a request answered after this long is logged with its
	// route (0: never).
	SlowRequest time.Duration
}

// Deps are the handler's dependencies. New builds none of them: the wiring
// (internal/app) does, for main, the tests and the load generator alike.
// Required: Config.Session.Keys, DB, Clock, Logger, Mailer, Sales, AfterSale
// and Payments; New returns an error naming each one missing.
type Deps struct {
	Config   Config
	DB       *db.DB
	Notifier *db.Notifier // the catalogue cache's change feed (CatalogChanges); nil in tests that don't need it
	Clock    booking.Clock
	Logger   *slog.Logger
	// Mailer sends e-mail; /dev/mail lists what it sent when it is a capture mailer.
	Mailer mail.Mailer
	// CatalogChanges empties the catalogue cache on programme changes;
	// defaults to Notifier. With neither, cached entries only expire by TTL.
	CatalogChanges ChangeFeed
	// Sales sells seats and keeps the live seat maps (sales.New); required.
	// Its settings are the booking rules the pages show. The caller stops it
	// (EndStreams before shutting the server down, Close after).
	Sales *sales.Service
	// AfterSale is the after-sale service: cancellations and refunds, tickets,
	// receipts, order e-mails.
	AfterSale *aftersale.Service
	// Payments is the payment service (payment.NewService).
	Payments *payment.Service
	// Metrics records requests by route (nil: none).
	Metrics *metrics.Metrics
	// Settings are the business settings (settings.Open); the admin pages
	// edit them. Required.
	Settings *settings.Store
}

// missing names the required dependencies that d lacks.
func (d Deps) missing() error {
	var errs []error
	for _, m := range []struct {
		absent bool
		name   string
	}{
		{len(d.Config.Session.Keys) == 0, "Config.Session.Keys"},
		{d.DB == nil, "DB"},
		{d.Clock == nil, "Clock"},
		{d.Logger == nil, "Logger"},
		{d.Mailer == nil, "Mailer"},
		{d.Sales == nil, "Sales"},
		{d.AfterSale == nil, "AfterSale"},
		{d.Payments == nil, "Payments"},
		{d.Settings == nil, "Settings"},
	} {
		if m.absent {
			errs = append(errs, errors.New("handlers.New: Deps."+m.name+" is required"))
		}
	}
	return errors.Join(errs...)
}

// Handler serves every route of Marquee.
type Handler struct {
	cfg       Config
	db        *db.DB
	clock     booking.Clock
	log       *slog.Logger
	started   time.Time
	cookies   *sessions.CookieStore
	sessOpt   SessionOptions
	mailer    mail.Mailer    // where e-mail goes (a capture mailer is shown at /dev/mail)
	mail      *mail.Composer // composes account e-mail (accounts.go)
	pw        booking.PasswordParams
	dummyPW   string // a hash checked when there is no account, so timing doesn't tell
	limits    RateLimits
	holds     *holdCounter        // seats held per client IP and showtime (holdlimit.go)
	proxies   []*net.IPNet        // parsed Config.TrustedProxies (accounts.go: clientIP)
	catalog   *catalogCache       // what's on, movie pages and API lists (catalog.go)
	apiDoc    apiDocument         // the parsed OpenAPI document (apidocs.go)
	sales     *sales.Service      // holds, orders, live seat maps (seats.go, checkout.go, api_orders.go, events.go)
	sessCache *sessionDecodeCache // decoded session cookies (sessioncache.go)
	after     *aftersale.Service  // orders after payment (aftersale.go)
	payments  *payment.Service    // checkout, fulfilment, refunds (payment.go)
	settings  *settings.Store     // business settings (admin_settings.go)
	demo      *payment.Demo       // the offline demo gateway, nil with Stripe (demo_checkout.go)
	draining  atomic.Bool         // shutting down: /readyz says not ready (routes.go)
	metrics   *metrics.Metrics    // requests by route (middleware.go: observe); nil: none
	posters   *poster.Processor   // poster uploads: checks and renditions (manage_movies.go)
	assets    *assetFiles         // static files and their compressed forms (static.go)
}

// New builds a Handler from its dependencies, or says which are missing.
// Only plain values have defaults here (body limit, session timeouts,
// password cost, rate limits: those of production).
func New(d Deps) (*Handler, error) {
	if err := d.missing(); err != nil {
		return nil, err
	}
	if d.Config.BodyLimit == 0 {
		// A poster upload (poster.DefaultLimits: 8 MB) and its form fit.
		d.Config.BodyLimit = 10 << 20
	}
	so := &d.Config.Session
	if so.IdleTimeout == 0 {
		so.IdleTimeout = 2 * time.Hour
	}
	if so.AbsoluteTimeout == 0 {
		so.AbsoluteTimeout = 30 * 24 * time.Hour
	}
	h := &Handler{
		cfg:      d.Config,
		db:       d.DB,
		clock:    d.Clock,
		log:      d.Logger,
		started:  d.Clock.Now(),
		cookies:  newCookieStore(d.Config.Session),
		sessOpt:  d.Config.Session,
		after:    d.AfterSale,
		payments: d.Payments,
		metrics:  d.Metrics,
		settings: d.Settings,
	}
	h.demo, _ = h.payments.Gateway().(*payment.Demo)
	h.initCatalog(d)
	h.initAccounts(d)
	h.sessCache = newSessionDecodeCache()
	h.sales = d.Sales
	h.holds = newHoldCounter()
	h.posters = poster.New(poster.Limits{})
	files := static.Files()
	h.assets = newAssetFiles(files, files.Names())
	return h, nil
}

// App returns the Fiber application with middleware and every route.
func (h *Handler) App() *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:                 "marquee",
		ErrorHandler:            h.handleError,
		BodyLimit:               h.cfg.BodyLimit,
		ReadTimeout:             cmp.Or(h.cfg.ReadTimeout, 30*time.Second),
		WriteTimeout:            30 * time.Second,
		IdleTimeout:             cmp.Or(h.cfg.IdleTimeout, 120*time.Second),
		Concurrency:             h.cfg.Concurrency,
		DisableStartupMessage:   true,
		EnableTrustedProxyCheck: len(h.cfg.TrustedProxies) > 0,
		TrustedProxies:          h.cfg.TrustedProxies,
		ProxyHeader:             proxyHeader(h.cfg.TrustedProxies),
	})
	h.middleware(app)
	h.routes(app)
	return app
}

func proxyHeader(trusted []string) string {
	if len(trusted) > 0 {
		return fiber.HeaderXForwardedFor
	}
	return ""
}
