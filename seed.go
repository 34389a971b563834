package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/internal/demo"
)

// seedDemo loads the demo programme. With force false it only seeds an empty
// database (and quietly does nothing otherwise); with force true (the `seed`
// command) it refuses a database that already has a programme. The programme
// is internal/demo's, loaded in one transaction by db.SeedCatalog.
func seedDemo(ctx context.Context, store *db.DB, clock booking.Clock, logger *slog.Logger, force bool) error {
	// Demo accounts (seed_users.go): created when missing and printed at every start.
	if err := seedDemoUsers(ctx, store, logger); err != nil {
		return err
	}
	start := time.Now()
	cat, err := demo.Catalog(clock.Now())
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	err = store.SeedCatalog(ctx, cat)
	switch {
	case errors.Is(err, db.ErrNotEmpty) && !force:
		logger.Info("database already has a programme, not seeding")
		return nil
	case errors.Is(err, db.ErrNotEmpty):
		return errors.New("seed: the database already has a programme; seed only loads into an empty database (use a fresh DATABASE_URL)")
	case err != nil:
		return err
	}
	if err := assignDemoTheatres(ctx, store); err != nil {
		return err
	}
	if err := demo.ApplySettings(ctx, store); err != nil {
		return err
	}
	if err := seedDemoTrade(ctx, store, clock, logger); err != nil {
		return err
	}
	seats := 0
	for _, a := range cat.Auditoriums {
		seats += len(a.Seats)
	}
	logger.Info("seeded demo programme", "theatres", len(cat.Theatres), "auditoriums", len(cat.Auditoriums),
		"seats", seats, "movies", len(cat.Movies), "showtimes", len(cat.Showtimes), "took", time.Since(start))
	return nil
}

// demoTradeWeeks is how many weeks of past trade the demo has.
const demoTradeWeeks = 3

// seedDemoTrade gives the demo programme past weeks of trade for the
// reports (db.SeedTrade) and closes each theatre's oldest film week, so a
// frozen distributor return is there to look at.
func seedDemoTrade(ctx context.Context, store *db.DB, clock booking.Clock, logger *slog.Logger) error {
	start := time.Now()
	now := clock.Now()
	tickets, err := store.SeedTrade(ctx, now, demoTradeWeeks)
	if err != nil {
		return err
	}
	theatres, err := store.Theatres(ctx)
	if err != nil {
		return err
	}
	rules := booking.DefaultReportRules()
	closed := 0
	for _, t := range theatres {
		week := rules.FilmWeek(rules.BusinessDay(now.AddDate(0, 0, -7*demoTradeWeeks), t.Location()))
		if rules.CheckCloseWeek(week, now, t.Location()) != nil {
			continue
		}
		if _, err := store.CloseWeek(ctx, t, week, rules, 0, now); err != nil {
			return fmt.Errorf("demo: close film week: %w", err)
		}
		closed++
	}
	logger.Info("seeded demo trade", "weeks", demoTradeWeeks, "tickets", tickets, "closed_weeks", closed, "took", time.Since(start))
	return nil
}
