// Command marquee is a cinema's own ticketing system: one binary that serves
// the moviegoer site, the box office, the managers' pages and the JSON API.
//
//	marquee [serve]     migrate, seed an empty database (development), serve HTTP
//	marquee migrate     bring the schema up to date and exit
//	marquee seed        load the demo programme (refuses a non-empty database)
//	marquee create-admin -email … -name … [-password …]   create an administrator (or promote an account)
//
// main reads the configuration (config.Load), opens the database, and hands
// both to the wiring (internal/app), which tests and the load generator use too.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"marquee/booking"
	"marquee/config"
	"marquee/db"
	"marquee/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "marquee:", err)
		os.Exit(1)
	}
}

// run is the whole program, with its inputs passed in so tests can drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load(getenv)
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
		return createAdmin(ctx, store, args[1:], cfg.Admin, os.Stdin, stdout)
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
func openWithRetry(ctx context.Context, cfg config.Config, clock booking.Clock, logger *slog.Logger) (*db.DB, error) {
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

// serve wires the instance, runs its background jobs and serves HTTP until
// ctx ends; then it shuts down gracefully.
func serve(ctx context.Context, cfg config.Config, store *db.DB, clock booking.Clock, logger *slog.Logger, stdout io.Writer) error {
	notifier, err := db.NewNotifier(cfg.DatabaseURL, logger, db.NotifyChannels...)
	if err != nil {
		return fmt.Errorf("listen for changes: %w", err)
	}
	defer notifier.Close()
	a, err := app.New(cfg, app.Deps{DB: store, Clock: clock, Logger: logger, Notifier: notifier})
	if err != nil {
		return err
	}
	defer a.Close() // after the last request

	jobsCtx, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		a.Run(jobsCtx)
	}()
	defer func() { stopJobs(); <-jobsDone }() // before a.Close

	if cfg.MetricsAddr != "" {
		// Metrics on their own address; in development a taken port only costs the metrics.
		if mln, err := net.Listen("tcp", cfg.MetricsAddr); err != nil {
			if cfg.Production() {
				return fmt.Errorf("metrics: %w", err)
			}
			logger.Warn("metrics not served", "addr", cfg.MetricsAddr, "err", err)
		} else {
			logger.Info("metrics", "url", "http://"+mln.Addr().String()+"/metrics")
			go func() {
				if err := a.ServeMetrics(jobsCtx, mln); err != nil {
					logger.Error("metrics server", "err", err)
				}
			}()
		}
	}

	ln, err := app.Listen(cfg)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- a.Serve(ln) }() // survives running out of descriptors
	logger.Info("marquee is serving", "url", cfg.BaseURL, "addr", ln.Addr().String(), "env", cfg.Env)
	switch {
	case cfg.Production():
	case cfg.DevPublic:
		logger.Warn("DEVELOPMENT MODE IS REACHABLE FROM THE NETWORK (MARQUEE_DEV_PUBLIC): anyone who can connect can read /dev/mail, sign in as the demo accounts and get free tickets from the demo gateway")
		fmt.Fprintf(stdout, "\n  !! DEVELOPMENT MODE, reachable from the network (MARQUEE_DEV_PUBLIC). Not for real use. !!\n")
	default:
		logger.Warn("development mode: listening on loopback only; set MARQUEE_ENV=production to serve for real")
	}
	fmt.Fprintf(stdout, "\n  Marquee is running at %s\n\n", cfg.BaseURL)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	// Not ready first, still serving for the drain period, then stop. A
	// second signal during the drain stops at once.
	drainCtx, stopDrain := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	a.Drain(drainCtx, cfg.Server.Drain)
	stopDrain()
	a.EndStreams() // so they don't hold the shutdown
	stopJobs()
	<-jobsDone
	if err := a.Fiber.ShutdownWithTimeout(15 * time.Second); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
