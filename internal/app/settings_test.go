package app

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"marquee/booking"
	"marquee/config"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/sales"
)

// Two instances of the app on one database, each with its own pool and
// listener: a setting changed through one is what the other sells by, at
// once, without a restart — hold length, seats per order, fee and the
// theatre's tax on a new order.
func TestSettingsChangeReachesEveryInstance(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
	base, dsn := dbtest.NewWithDSN(t, clock)
	show := dbtest.AddShowtime(t, base, time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	instance := func() *App {
		store, err := db.Open(context.Background(), dsn, db.Options{Clock: clock, MaxConns: 4, Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		n, err := db.NewNotifier(dsn, logger, db.NotifyChannels...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Close() })
		a, err := New(config.ForTest(), Deps{DB: store, Clock: clock, Logger: logger, Notifier: n})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(a.Close)
		return a
	}
	one, two := instance(), instance()
	ctx := context.Background()

	c := one.Settings.Cinema()
	c.MaxSeatsPerCart, c.HoldLength, c.BookingFeeCents = 2, 3*time.Minute, 50
	if _, err := one.Settings.SaveCinema(ctx, c); err != nil {
		t.Fatal(err)
	}
	th, _ := one.Settings.Current().Theatre(show.TheatreID)
	th.Tax, th.TimeZone = booking.Tax{Model: booking.TaxAdded, Rate: 8875}, "America/New_York"
	if _, err := one.Settings.SaveTheatre(ctx, th); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		s := two.Sales.SettingsFor(show.TheatreID)
		if s.MaxSeatsPerCart == 2 && s.Tax.Rate == 8875 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the other instance still sells by %+v", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The other instance's seat sale follows: a third seat is refused, the
	// hold is 3 minutes, the order carries the fee and the sales tax.
	cart := "cart-two"
	for i, seat := range show.SeatIDs[2:5] {
		res, err := two.Sales.Hold(ctx, sales.HoldRequest{ShowtimeID: show.ShowtimeID, Cart: cart, SeatID: seat})
		if i < 2 && err != nil {
			t.Fatalf("hold %d: %v", i, err)
		}
		if i == 2 && booking.ErrorCode(err) != booking.EINVALID {
			t.Fatalf("third seat: %v", err)
		}
		if i == 0 {
			if res.View == nil {
				t.Fatal("no view after a hold")
			}
			if mine := res.View.Mine; len(mine) != 1 || !mine[0].ExpiresAt.Equal(clock.Now().Add(3*time.Minute)) {
				t.Fatalf("hold: %+v", mine)
			}
		}
	}
	res, err := two.Sales.Checkout(ctx, sales.CheckoutRequest{ShowtimeID: show.ShowtimeID, Cart: cart, Email: "a@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	o := res.Order
	// 2 × 12.50 + 2 × 0.50 fee; sales tax 8.875 % of 13.00 = 1.15375 → 1.15 per line.
	if o.FeeCents != 100 || o.TaxIncluded || o.TaxRate != 8875 || o.TaxCents() != 230 || o.TotalCents != 2500+100+230 {
		t.Fatalf("order: %+v", o)
	}
}
