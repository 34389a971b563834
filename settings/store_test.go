package settings_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/settings"
)

// instance is one process's view of the settings: its own connection pool,
// LISTEN connection and store, on the shared database.
func instance(t *testing.T, dsn string, clock booking.Clock) (*db.DB, *settings.Store) {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := db.Open(context.Background(), dsn, db.Options{Clock: clock, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	n, err := db.NewNotifier(dsn, logger, db.NotifyChannels...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	s, err := settings.Open(context.Background(), store, logger)
	if err != nil {
		t.Fatal(err)
	}
	s.Follow(n)
	t.Cleanup(s.Close)
	return store, s
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Two instances on one database: a change saved through one is in force on
// the other without a restart (NOTIFY → reload), and reading the settings
// is a pointer load, not a query.
func TestChangeOnOneInstanceReachesTheOther(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
	base, dsn := dbtest.NewWithDSN(t, clock)
	show := dbtest.AddShowtime(t, base, time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC))
	_, a := instance(t, dsn, clock)
	_, b := instance(t, dsn, clock)

	if got := b.Booking(show.TheatreID); got.HoldLength != 10*time.Minute || got.Tax.Model != booking.TaxIncluded {
		t.Fatalf("defaults: %+v", got)
	}
	c := a.Cinema()
	c.HoldLength, c.BookingFeeCents = 4*time.Minute, 75
	c.Programme.Cleaning = 15 * time.Minute
	before, err := a.SaveCinema(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if before.HoldLength != 10*time.Minute {
		t.Fatalf("before: %+v", before)
	}
	if a.Booking(show.TheatreID).HoldLength != 4*time.Minute {
		t.Fatal("the saving instance is not current at once")
	}
	eventually(t, "cinema change on the other instance", func() bool {
		s := b.Booking(show.TheatreID)
		return s.HoldLength == 4*time.Minute && s.BookingFeeCents == 75 && b.Programme().Cleaning == 15*time.Minute
	})

	th, _ := a.Current().Theatre(show.TheatreID)
	seats := 3
	th.Tax, th.Currency, th.Overrides.MaxSeatsPerCart = booking.Tax{Model: booking.TaxAdded, Rate: 8875}, "usd", &seats
	th.Seller = booking.Seller{Name: "Picturehouse NY LLC", VATID: "EIN 13-1"}
	if _, err := a.SaveTheatre(context.Background(), th); err != nil {
		t.Fatal(err)
	}
	eventually(t, "theatre change on the other instance", func() bool {
		s := b.Booking(show.TheatreID)
		return s.Tax.Rate == 8875 && s.MaxSeatsPerCart == 3 && b.AfterSale(show.TheatreID).Seller.Name == "Picturehouse NY LLC"
	})
	// Another theatre (none of its own rules) keeps the cinema's.
	if s := b.Booking(show.TheatreID + 1000); s.MaxSeatsPerCart != c.MaxSeatsPerCart {
		t.Fatalf("unknown theatre: %+v", s)
	}
}

// Invalid settings are refused field by field and nothing is written.
func TestInvalidSettingsAreNotSaved(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
	store := dbtest.New(t, clock)
	show := dbtest.AddShowtime(t, store, time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC))
	s, err := settings.Open(context.Background(), store, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := s.Cinema()
	c.MaxSeatsPerCart, c.HoldLength = 0, time.Second
	_, err = s.SaveCinema(context.Background(), c)
	if fe, ok := booking.FieldErrors(err); !ok || fe["max_seats"] == "" || fe["hold_minutes"] == "" {
		t.Fatalf("err = %v", err)
	}
	th, _ := s.Current().Theatre(show.TheatreID)
	th.TimeZone = "Nowhere/Atlantis"
	if _, err := s.SaveTheatre(context.Background(), th); booking.ErrorCode(err) != booking.EINVALID {
		t.Fatalf("err = %v", err)
	}
	if err := s.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Current().Theatre(show.TheatreID)
	if s.Cinema().MaxSeatsPerCart != 10 || got.TimeZone != "Europe/London" {
		t.Fatalf("saved anyway: %+v %+v", s.Cinema(), got)
	}
}

// The hot path reads the snapshot: no allocation, no query.
func BenchmarkBookingLookup(b *testing.B) {
	s := settings.Fixed(booking.DefaultCinemaSettings(), booking.TheatreSettings{ID: 1, Currency: "usd"})
	for b.Loop() {
		_ = s.Booking(1)
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	s := settings.Fixed(booking.DefaultCinemaSettings(), booking.TheatreSettings{ID: 1, Currency: "usd"})
	if n := testing.AllocsPerRun(100, func() { _ = s.Booking(1) }); n != 0 {
		t.Fatalf("%v allocations per look-up", n)
	}
}
