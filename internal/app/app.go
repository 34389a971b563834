// Package app is Marquee's wiring: from a config.Config and an open database
// it builds the mailer, the payment service, the after-sale service and the
// HTTP handlers, and runs their background jobs. main, the handler tests and
// the load generator all build through New, so tests run the wiring
// production runs and override only what they are about (Deps).
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/aftersale"
	"marquee/booking"
	"marquee/config"
	"marquee/db"
	"marquee/handlers"
	"marquee/internal/metrics"
	"marquee/mail"
	"marquee/payment"
	"marquee/sales"
	"marquee/settings"
)

// Deps are what New takes besides the configuration. DB, Clock and Logger
// are required; the rest is optional, and each non-nil override replaces
// what New would build from the configuration.
type Deps struct {
	DB     *db.DB
	Clock  booking.Clock
	Logger *slog.Logger
	// Notifier delivers PostgreSQL notifications: live seat maps and
	// catalogue invalidation. Nil: none (tests that don't watch changes).
	Notifier *db.Notifier

	// Mailer replaces the mailer of the configuration (SMTP, or the capture
	// mailer for "log" and development): tests pass a mail.Capture to read it.
	Mailer mail.Mailer
	// Gateway replaces the payment gateway of the configuration (Stripe, or
	// the offline demo gateway in development).
	Gateway payment.Gateway
	// Refunder replaces the after-sale service's refunder (the payment service).
	Refunder aftersale.Refunder
	// CatalogChanges replaces Notifier as the feed that empties the catalogue cache.
	CatalogChanges handlers.ChangeFeed
	// Limits replaces the rate limits (nil: handlers.DefaultRateLimits).
	Limits *handlers.RateLimits
	// Passwords replaces the argon2id cost (zero: booking.DefaultPasswordParams).
	Passwords booking.PasswordParams
	// Settings replaces the business settings read from the database
	// (settings.Open, following Notifier): settings.Fixed in tests that
	// want given rules without writing them.
	Settings *settings.Store
}

// App is a wired Marquee instance.
type App struct {
	Handler   *handlers.Handler
	Fiber     *fiber.App     // every route, with middleware
	Sales     *sales.Service // every seat sold; the live seat maps
	Payments  *payment.Service
	AfterSale *aftersale.Service
	Mailer    mail.Mailer
	Metrics   *metrics.Metrics // served on cfg.MetricsAddr by main (ServeMetrics)
	Settings  *settings.Store  // the business settings, per theatre, reloaded on every change

	cfg         config.Config
	store       *db.DB
	clock       booking.Clock
	log         *slog.Logger
	closeMailer func()
	closeOnce   sync.Once
}

// New wires an instance. It starts nothing in the background but what the
// handlers follow (the change feeds); Run starts the jobs.
func New(cfg config.Config, d Deps) (*App, error) {
	if d.DB == nil || d.Clock == nil || d.Logger == nil {
		return nil, errors.New("app.New: DB, Clock and Logger are required")
	}
	a := &App{cfg: cfg, store: d.DB, clock: d.Clock, log: d.Logger, closeMailer: func() {}, Metrics: metrics.New()}
	a.Mailer = d.Mailer
	if a.Mailer == nil {
		m, closeMailer, err := newMailer(cfg.Accounts, d.Logger)
		if err != nil {
			return nil, err
		}
		a.Mailer, a.closeMailer = m, closeMailer
	}
	ok := false
	defer func() {
		if !ok {
			a.closeMailer()
		}
	}()
	a.Settings = d.Settings
	if a.Settings == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		st, err := settings.Open(ctx, d.DB, d.Logger)
		cancel()
		if err != nil {
			return nil, err
		}
		if d.Notifier != nil {
			st.Follow(d.Notifier)
		}
		a.Settings = st
	}
	defer func() {
		if !ok {
			a.Settings.Close()
		}
	}()
	gw := d.Gateway
	if gw == nil {
		var err error
		if gw, err = newGateway(cfg, d.DB, d.Clock, d.Logger); err != nil {
			return nil, err
		}
	}
	a.Payments = payment.NewService(payment.Config{
		Store:   d.DB,
		Gateway: gw,
		Clock:   d.Clock,
		Logger:  d.Logger,
		BaseURL: cfg.BaseURL,
	})
	refunder := d.Refunder
	if refunder == nil {
		refunder = payment.Refunder{Service: a.Payments} // refunds go through the payment service
	}
	orderKey, err := cfg.OrderSecret(d.Logger)
	if err != nil {
		return nil, err
	}
	a.AfterSale = aftersale.New(aftersale.Options{DB: d.DB, Refunder: refunder, Mailer: a.Mailer, Clock: d.Clock,
		Policies: a.Settings, Signer: booking.NewSigner(orderKey), BaseURL: cfg.BaseURL, Logger: d.Logger})
	sessionKeys, err := cfg.SessionKeys(d.Logger)
	if err != nil {
		return nil, err
	}
	sd := sales.Deps{DB: d.DB, Clock: d.Clock, Logger: d.Logger, Rules: a.Settings}
	if d.Notifier != nil { // an untyped nil feed when there is none
		sd.Feed = d.Notifier
	}
	a.Sales = sales.New(sd)
	defer func() {
		if !ok {
			a.Sales.Close()
		}
	}()
	limits := d.Limits
	if limits == nil {
		l := handlers.DefaultRateLimits()
		// The window is the cinema's hold length at start-up.
		l.HoldIP = handlers.Limit{Max: cfg.HoldsPerIP, Window: a.Settings.Cinema().HoldLength}
		limits = &l
	}
	a.Handler, err = handlers.New(handlers.Deps{
		Config: handlers.Config{
			BaseURL:        cfg.BaseURL,
			Production:     cfg.Production(),
			TrustedProxies: cfg.TrustedProxies,
			Session:        handlers.SessionOptions{Keys: sessionKeys, Secure: cfg.SecureCookies()},
			Passwords:      d.Passwords,
			Limits:         limits,
			Concurrency:    cfg.Server.MaxConns,
			ReadTimeout:    cfg.Server.ReadTimeout,
			IdleTimeout:    cfg.Server.IdleTimeout,
			SlowRequest:    cfg.SlowRequest,
		},
		DB:             d.DB,
		Notifier:       d.Notifier,
		Clock:          d.Clock,
		Logger:         d.Logger,
		Mailer:         a.Mailer,
		CatalogChanges: d.CatalogChanges,
		Sales:          a.Sales,
		AfterSale:      a.AfterSale,
		Payments:       a.Payments,
		Metrics:        a.Metrics,
		Settings:       a.Settings,
	})
	if err != nil {
		return nil, err
	}
	a.instrument()
	a.Fiber = a.Handler.App()
	ok = true
	return a, nil
}

// newMailer returns the SMTP mailer, or the capture mailer (development, or "log").
func newMailer(c config.Accounts, logger *slog.Logger) (mail.Mailer, func(), error) {
	if c.SMTPURL == "" || c.SMTPURL == "log" {
		return mail.NewCapture(50, logger), func() {}, nil
	}
	sc, err := mail.ParseSMTPURL(c.SMTPURL, c.MailFrom)
	if err != nil {
		return nil, nil, err
	}
	m, err := mail.NewSMTP(sc, logger)
	if err != nil {
		return nil, nil, err
	}
	return m, m.Close, nil
}

// newGateway returns Stripe, or the offline demo gateway when no key is set
// (never in production: config.Load refuses).
func newGateway(cfg config.Config, store payment.DemoStore, clock booking.Clock, logger *slog.Logger) (payment.Gateway, error) {
	pc := cfg.Payments
	if pc.StripeKey == "" {
		if cfg.Production() {
			return nil, errors.New("the demo payment gateway is refused in production: set STRIPE_SECRET_KEY")
		}
		logger.Warn("no STRIPE_SECRET_KEY: using the offline demo payment gateway (no real payments)")
		return payment.NewDemo(cfg.BaseURL, clock.Now, store), nil
	}
	s, err := payment.NewStripe(payment.StripeConfig{SecretKey: pc.StripeKey, WebhookSecret: pc.WebhookSecret, APIURL: pc.APIURL})
	if err != nil {
		return nil, err
	}
	if pc.WebhookSecret == "" {
		logger.Warn("STRIPE_WEBHOOK_SECRET is not set: webhooks are refused; payments are still fulfilled by the success redirect and reconciliation")
	}
	return s, nil
}

// Run runs the background jobs until ctx ends, and returns once they all
// have: the sweeper expires unpaid orders and deletes expired holds; the
// payment jobs expire hosted pages of lapsed holds, reconcile with the
// provider and retry refunds; the after-sale jobs send the mail and retry
// refunds; old rate-limit counters are pruned hourly.
func (a *App) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, job := range []func(){
		func() { a.store.RunSweeper(ctx, a.clock, a.cfg.SweepEvery) },
		func() { a.Payments.Run(ctx, a.cfg.SweepEvery, a.cfg.Payments.ReconcileEvery) },
		func() { a.AfterSale.Run(ctx, a.cfg.AfterSale.JobsEvery) },
		func() {
			booking.Every(ctx, time.Hour, func(ctx context.Context) {
				if err := a.Handler.PruneRateLimits(ctx); err != nil {
					a.log.Warn("prune rate limits", "err", err)
				}
			})
		},
	} {
		wg.Go(job)
	}
	wg.Wait()
}

// EndStreams ends the live seat map streams, so that a graceful shutdown
// doesn't wait for them; call it before shutting the server down.
func (a *App) EndStreams() { a.Sales.EndStreams() }

// Close stops the sales service (batched seat clicks, seat map feeds) and the
// mailer; call it once the server answers no more requests. Safe to call twice.
func (a *App) Close() {
	a.closeOnce.Do(func() {
		a.Sales.Close()
		a.Settings.Close()
		a.closeMailer()
	})
}

// Listen listens on the configured address (config.ListenAddr), with TLS when a certificate is configured.
func Listen(cfg config.Config) (net.Listener, error) {
	addr := cfg.ListenAddr() // development: loopback only unless told otherwise
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	if cfg.Accounts.TLSCert == "" {
		return ln, nil
	}
	cert, err := tls.LoadX509KeyPair(cfg.Accounts.TLSCert, cfg.Accounts.TLSKey)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("MARQUEE_TLS_CERT/MARQUEE_TLS_KEY: %w", err)
	}
	return tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}), nil
}
