// Command marquee is a cinema's own ticketing system: one binary that serves
// the moviegoer site, the box office, the managers' pages and the JSON API.
//
//	marquee [serve]     migrate, seed an empty database (development), serve HTTP
//	marquee migrate     bring the schema up to date and exit
//	marquee seed        load the demo programme (refuses a non-empty database)
//	marquee create-admin -email … -name … [-password …]   create an administrator (or promote an account)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"marquee/aftersale"
	"marquee/booking"
	"marquee/db"
	"marquee/handlers"
	"marquee/payment"
	"marquee/sales"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "marquee:", err)
		os.Exit(1)
	}
}

// Config is read from the environment once, validated, and passed down.
type Config struct {
	Env            string // development | production
	Addr           string
	BaseURL        string
	DatabaseURL    string
	DBMaxConns     int
	TrustedProxies []string
	LogLevel       slog.Level
	LogJSON        bool
	Seed           string           // auto | never
	DataDir        string           // where development files live (private PostgreSQL cluster, generated keys)
	DevPG          string           // auto | local | private: which PostgreSQL development uses when DATABASE_URL is unset
	Accounts       accountsConfig   // session keys, mail, TLS (main_accounts.go)
	Booking        booking.Settings // hold length, seats per cart, booking fee (main_booking.go)
	SweepEvery     time.Duration    // expired holds and unpaid orders (main_booking.go)
	Payments       paymentsConfig   // Stripe or the offline demo gateway (main_payments.go)
	AfterSale      afterSaleConfig  // cancellation policy, receipts, order e-mails (main_aftersale.go)
}

// localURL is the site's address on this machine when no public URL is
// configured: http://localhost with the port of addr (":8080" without one).
func localURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" || port == "0" {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Production reports whether development conveniences are off.
func (c Config) Production() bool { return c.Env == "production" }

func loadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		Env:         or(getenv("MARQUEE_ENV"), "development"),
		Addr:        or(getenv("MARQUEE_ADDR"), ":8080"),
		BaseURL:     strings.TrimRight(getenv("MARQUEE_BASE_URL"), "/"),
		DatabaseURL: getenv("DATABASE_URL"),
		Seed:        or(getenv("MARQUEE_SEED"), "auto"),
		DataDir:     or(getenv("MARQUEE_DATA_DIR"), "data"),
		DevPG:       or(getenv("MARQUEE_DEV_PG"), "auto"),
		LogJSON:     getenv("LOG_FORMAT") == "json",
	}
	var errs []error
	if c.Env != "development" && c.Env != "production" {
		errs = append(errs, fmt.Errorf("MARQUEE_ENV must be development or production, not %q", c.Env))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("MARQUEE_ADDR must be host:port or :port, not %q", c.Addr))
	}
	if c.BaseURL == "" {
		c.BaseURL = localURL(c.Addr)
	}
	if !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		errs = append(errs, fmt.Errorf("MARQUEE_BASE_URL must start with http:// or https://, not %q", c.BaseURL))
	}
	c.DBMaxConns = 2*runtime.NumCPU() + 4
	if v := getenv("MARQUEE_DB_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			errs = append(errs, fmt.Errorf("MARQUEE_DB_MAX_CONNS must be a number from 1 to 1000, not %q", v))
		}
		c.DBMaxConns = n
	}
	if v := getenv("MARQUEE_TRUSTED_PROXIES"); v != "" {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if net.ParseIP(p) == nil {
				if _, _, err := net.ParseCIDR(p); err != nil {
					errs = append(errs, fmt.Errorf("MARQUEE_TRUSTED_PROXIES: %q is not an IP address or CIDR range", p))
					continue
				}
			}
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	switch strings.ToLower(or(getenv("LOG_LEVEL"), "info")) {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		errs = append(errs, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, not %q", getenv("LOG_LEVEL")))
	}
	if c.DevPG != "auto" && c.DevPG != "local" && c.DevPG != "private" {
		errs = append(errs, fmt.Errorf("MARQUEE_DEV_PG must be auto, local or private, not %q", c.DevPG))
	}
	var accErrs []error
	c.Accounts, accErrs = loadAccountsConfig(getenv, c.Production())
	errs = append(errs, accErrs...)
	var bookErrs []error
	c.Booking, c.SweepEvery, bookErrs = loadBookingSettings(getenv)
	errs = append(errs, bookErrs...)
	var payErrs []error
	c.Payments, payErrs = loadPaymentsConfig(getenv, c.Production())
	errs = append(errs, payErrs...)
	var afterErrs []error
	c.AfterSale, afterErrs = loadAfterSaleConfig(getenv, c.Production())
	errs = append(errs, afterErrs...)
	if c.Seed != "auto" && c.Seed != "never" {
		errs = append(errs, fmt.Errorf("MARQUEE_SEED must be auto or never, not %q", c.Seed))
	}
	if c.Production() && c.DatabaseURL == "" {
		errs = append(errs, errors.New("DATABASE_URL is required in production"))
	}
	return c, errors.Join(errs...)
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// run is the whole program, with its inputs passed in so tests can drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	var handler slog.Handler = slog.NewTextHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel})
	if cfg.LogJSON {
		handler = slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel})
	}
	logger := slog.New(handler)

	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "serve", "migrate", "seed", "create-admin":
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, "usage: marquee [serve|migrate|seed|create-admin -email … -name …]")
		return nil
	default:
		return fmt.Errorf("unknown command %q (want serve, migrate, seed or create-admin)", cmd)
	}

	clock := booking.SystemClock{}
	if cfg.DatabaseURL == "" {
		dsn, stopDB, err := devDatabase(ctx, cfg, logger)
		if err != nil {
			return err
		}
		defer stopDB()
		cfg.DatabaseURL = dsn
	}
	store, err := openWithRetry(ctx, cfg, clock, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return err
	}

	switch cmd {
	case "migrate":
		return nil
	case "seed":
		return seedDemo(ctx, store, clock, logger, true)
	case "create-admin":
		return createAdmin(ctx, store, args[1:], getenv, os.Stdin, stdout)
	}
	if cfg.Seed == "auto" && !cfg.Production() {
		if err := seedDemo(ctx, store, clock, logger, false); err != nil {
			return err
		}
	}
	return serve(ctx, cfg, store, clock, logger, stdout)
}

// openWithRetry waits up to 30 s for the database at start-up, so that an
// instance started together with its database comes up by itself.
func openWithRetry(ctx context.Context, cfg Config, clock booking.Clock, logger *slog.Logger) (*db.DB, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		store, err := db.Open(ctx, cfg.DatabaseURL, db.Options{MaxConns: cfg.DBMaxConns, Clock: clock, Logger: logger})
		if err == nil {
			return store, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("%w (check DATABASE_URL)", err)
		}
		logger.Warn("database not reachable yet, retrying", "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func serve(ctx context.Context, cfg Config, store *db.DB, clock booking.Clock, logger *slog.Logger, stdout io.Writer) error {
	notifier, err := db.NewNotifier(cfg.DatabaseURL, logger, db.NotifyChannels...)
	if err != nil {
		return fmt.Errorf("listen for changes: %w", err)
	}
	defer notifier.Close()

	keys, err := sessionKeys(cfg, logger)
	if err != nil {
		return err
	}
	mailer, closeMailer, err := newMailer(cfg, logger)
	if err != nil {
		return err
	}
	defer closeMailer()
	payments, err := newPayments(cfg, store, clock, logger, mailer) // main_payments.go
	if err != nil {
		return err
	}
	// Refunds go through the payments service.
	var refunder aftersale.Refunder = payment.Refunder{Service: payments}
	after, err := newAfterSale(cfg, store, mailer, clock, logger, refunder)
	if err != nil {
		return err
	}
	// Every seat sold goes through the sales service (it keeps the live seat maps).
	sell := sales.New(sales.Deps{DB: store, Feed: notifier, Clock: clock, Logger: logger, Settings: cfg.Booking})
	h := handlers.New(handlers.Deps{
		Config: handlers.Config{
			BaseURL:        cfg.BaseURL,
			Production:     cfg.Production(),
			TrustedProxies: cfg.TrustedProxies,
			Session:        handlers.SessionOptions{Keys: keys, Secure: strings.HasPrefix(cfg.BaseURL, "https://")},
		},
		DB:        store,
		Notifier:  notifier,
		Clock:     clock,
		Logger:    logger,
		Mailer:    mailer,
		Sales:     sell,
		AfterSale: after,
		Payments:  payments,
	})
	app := h.App()
	sweepCtx, stopSweeper := context.WithCancel(ctx)
	defer stopSweeper()
	// Background jobs. The sweeper expires unpaid orders and deletes expired
	// holds; the payment jobs expire hosted pages of lapsed holds, reconcile
	// with the provider and retry refunds; the after-sale jobs send the mail
	// and retry refunds.
	sweeperDone := background(func() { store.RunSweeper(sweepCtx, clock, cfg.SweepEvery) })
	paymentsDone := background(func() { payments.Run(sweepCtx, cfg.SweepEvery, cfg.Payments.ReconcileEvery) })
	go pruneRateLimits(ctx, h, logger) // main_accounts.go
	afterCtx, stopAfterSale := context.WithCancel(ctx)
	defer stopAfterSale()
	afterSaleDone := background(func() { after.Run(afterCtx, cfg.AfterSale.JobsEvery) })

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if ln, err = tlsListener(cfg, ln); err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- app.Listener(ln) }()
	logger.Info("marquee is serving", "url", cfg.BaseURL, "addr", ln.Addr().String(), "env", cfg.Env)
	fmt.Fprintf(stdout, "\n  Marquee is running at %s\n\n", cfg.BaseURL)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sell.EndStreams()  // so they don't hold the shutdown
	defer sell.Close() // after the last request
	stopSweeper()
	sweeperDone()
	paymentsDone()
	stopAfterSale()
	afterSaleDone()
	if err := app.ShutdownWithTimeout(15 * time.Second); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// background runs job in a goroutine; the returned function waits for it to
// return (the job ends when its context does).
func background(job func()) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		job()
	}()
	return func() { <-done }
}
