// Package settings holds the business settings of a Marquee instance: the
// cinema's and every theatre's, kept in PostgreSQL (db/settings.go) and
// edited by administrators. The store loads them once into an immutable
// snapshot behind an atomic pointer, so the hot paths (a seat click) read
// them with one pointer load and a map look-up, never the database. Every
// change notifies db.ChannelSettings; every instance's store follows that
// channel and reloads, and reloads too when the listener reconnects (a
// notification may have been missed meanwhile).
package settings

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"marquee/booking"
	"marquee/db"
)

// Snapshot is the settings at one moment. Read-only: it is shared.
type Snapshot struct {
	Cinema   booking.CinemaSettings
	Theatres []booking.TheatreSettings // by name
	byID     map[int64]*resolved
	fallback *resolved // a theatre not (yet) in the snapshot: the cinema's settings, no tax
	Loaded   time.Time
}

// resolved is one theatre's settings with the cinema's filled in.
type resolved struct {
	theatre booking.TheatreSettings
	booking booking.Settings
	after   booking.AfterSale
}

func newSnapshot(c booking.CinemaSettings, ts []booking.TheatreSettings, at time.Time) *Snapshot {
	s := &Snapshot{Cinema: c, Theatres: ts, byID: make(map[int64]*resolved, len(ts)), Loaded: at}
	for _, t := range ts {
		s.byID[t.ID] = &resolved{theatre: t, booking: c.BookingFor(t), after: c.AfterSaleFor(t)}
	}
	none := booking.TheatreSettings{}
	s.fallback = &resolved{booking: c.BookingFor(none), after: c.AfterSaleFor(none)}
	s.fallback.after.Seller = booking.DefaultAfterSale().Seller
	return s
}

func (s *Snapshot) of(theatreID int64) *resolved {
	if r, ok := s.byID[theatreID]; ok {
		return r
	}
	return s.fallback
}

// Booking is the booking rules of the theatre's showtimes.
func (s *Snapshot) Booking(theatreID int64) booking.Settings { return s.of(theatreID).booking }

// AfterSale is the after-sale rules of the theatre's orders.
func (s *Snapshot) AfterSale(theatreID int64) booking.AfterSale { return s.of(theatreID).after }

// Theatre returns one theatre's own settings.
func (s *Snapshot) Theatre(id int64) (booking.TheatreSettings, bool) {
	r, ok := s.byID[id]
	if !ok {
		return booking.TheatreSettings{}, false
	}
	return r.theatre, true
}

// Store is an instance's settings. Safe for concurrent use.
type Store struct {
	db  *db.DB
	log *slog.Logger
	cur atomic.Pointer[Snapshot]

	mu      sync.Mutex // serialises reloads, so an older read never replaces a newer one
	stop    func()
	stopped chan struct{}
}

// Open loads the settings once. It fails when they can't be read (the
// database is down or not migrated): an instance doesn't start without them.
func Open(ctx context.Context, d *db.DB, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.Default()
	}
	s := &Store{db: d, log: logger}
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Fixed is a store that never reads the database, for tests and tools that
// want given settings: theatres not listed get the cinema's, without tax.
func Fixed(c booking.CinemaSettings, theatres ...booking.TheatreSettings) *Store {
	s := &Store{log: slog.Default()}
	s.cur.Store(newSnapshot(c, theatres, time.Time{}))
	return s
}

// Current returns the settings in force now: one atomic load.
func (s *Store) Current() *Snapshot { return s.cur.Load() }

// Booking is the booking rules of the theatre's showtimes now.
func (s *Store) Booking(theatreID int64) booking.Settings { return s.cur.Load().Booking(theatreID) }

// AfterSale is the after-sale rules of the theatre's orders now.
func (s *Store) AfterSale(theatreID int64) booking.AfterSale {
	return s.cur.Load().AfterSale(theatreID)
}

// Programme is the cinema's programme rules (trailers, cleaning) now.
func (s *Store) Programme() booking.ProgrammeRules { return s.cur.Load().Cinema.Programme }

// Reports is the cinema's report rules (business day, film week) now.
func (s *Store) Reports() booking.ReportRules { return s.cur.Load().Cinema.Reports }

// Cinema is the cinema-wide settings now.
func (s *Store) Cinema() booking.CinemaSettings { return s.cur.Load().Cinema }

// Reload reads the settings from the database and makes them current.
func (s *Store) Reload(ctx context.Context) error {
	if s.db == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.db.CinemaSettings(ctx)
	if err != nil {
		return fmt.Errorf("load settings: %w", err)
	}
	ts, err := s.db.TheatreSettingsAll(ctx)
	if err != nil {
		return fmt.Errorf("load settings: %w", err)
	}
	s.cur.Store(newSnapshot(c, ts, s.db.Now()))
	return nil
}

// ChangeFeed delivers PostgreSQL notifications (db.Notifier).
type ChangeFeed interface {
	Subscribe(channel string) (<-chan db.Notification, func())
}

// Follow reloads the settings on every notification of db.ChannelSettings
// (from any instance) and after the listener reconnects, until Close. A
// failed reload is logged and retried on the next notification or after a
// second, keeping the snapshot in force meanwhile.
func (s *Store) Follow(feed ChangeFeed) {
	ch, stop := feed.Subscribe(db.ChannelSettings)
	s.stop, s.stopped = stop, make(chan struct{})
	done := s.stopped
	go func() {
		retry := time.NewTimer(time.Hour)
		retry.Stop()
		defer retry.Stop()
		reload := func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := s.Reload(ctx); err != nil {
				s.log.Warn("reload settings", "err", err)
				retry.Reset(time.Second)
			}
		}
		for {
			select {
			case <-done:
				return
			case _, ok := <-ch:
				if !ok {
					return
				}
				reload()
			case <-retry.C:
				reload()
			}
		}
	}()
}

// Close stops following the change feed. Safe to call more than once.
func (s *Store) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
		close(s.stopped)
		s.stop = nil
	}
}

// SaveCinema validates the cinema's settings, writes them and makes them
// current here at once (every other instance reloads from the
// notification). It returns the settings as they were, for the audit log.
// EINVALID (one error per field, joined) and nothing saved when invalid.
func (s *Store) SaveCinema(ctx context.Context, c booking.CinemaSettings) (before booking.CinemaSettings, err error) {
	if err := c.Validate(); err != nil {
		return before, err
	}
	if before, err = s.db.SaveCinemaSettings(ctx, c); err != nil {
		return before, err
	}
	return before, s.Reload(ctx)
}

// SaveTheatre validates a theatre's settings, writes them and makes them
// current here at once. It returns the settings as they were.
func (s *Store) SaveTheatre(ctx context.Context, t booking.TheatreSettings) (before booking.TheatreSettings, err error) {
	if err := t.Validate(validZone); err != nil {
		return before, err
	}
	if before, err = s.db.SaveTheatreSettings(ctx, t); err != nil {
		return before, err
	}
	return before, s.Reload(ctx)
}

func validZone(name string) bool {
	_, err := time.LoadLocation(name)
	return err == nil
}
