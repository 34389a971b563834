package db_test

import (
	"context"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db/dbtest"
)

// Migration 00017: orders made before it were priced with VAT included at
// 20 %; going up records that on them (rate and each line's tax part, half
// up), US theatres get sales tax (rate 0 until set), and down and up again
// works.
func TestSettingsMigration(t *testing.T) {
	clock := booking.NewManualClock(start.Add(-5 * time.Hour))
	d := dbtest.New(t, clock)
	s := dbtest.AddShowtime(t, d, start)
	ctx := context.Background()
	o := dbtest.PaidOrder(t, d, s, "a@example.com", nil, clock.Now(), s.SeatIDs[0], s.SeatIDs[1])
	if err := d.MigrateDownTo(ctx, 16); err != nil {
		t.Fatalf("down to 16: %v", err)
	}
	x := dbtest.SQL(t, d)
	if _, err := x.ExecContext(ctx, `INSERT INTO theatres (slug, name, time_zone) VALUES ('ny', 'NY', 'America/New_York')`); err != nil {
		t.Fatal(err)
	}
	if _, err := x.ExecContext(ctx, `UPDATE order_items SET tax_cents = 0`); err != nil {
		t.Fatal(err)
	}
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	got, err := d.OrderByCode(ctx, o.Code)
	if err != nil {
		t.Fatal(err)
	}
	// Each line: 12.50 + 1.00 fee = 13.50, VAT part 2.25: 2.08 of the ticket, 0.17 of the fee.
	if !got.TaxIncluded || got.TaxRate != 20000 || got.Items[0].TaxCents != 208 || got.Items[0].FeeTaxCents != 17 ||
		got.Items[1].TaxCents != 208 || got.Items[1].FeeTaxCents != 17 || got.TaxCents() != 450 {
		t.Fatalf("backfill: %+v", got)
	}
	ts, err := d.TheatreSettingsAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range ts {
		want := booking.Tax{Model: booking.TaxIncluded, Rate: 20000}
		if th.Slug == "ny" {
			want = booking.Tax{Model: booking.TaxAdded, Rate: 0}
		}
		if th.Tax != want || th.Currency != "usd" {
			t.Errorf("%s: %+v", th.Slug, th)
		}
	}
	if c, err := d.CinemaSettings(ctx); err != nil || c != booking.DefaultCinemaSettings() {
		t.Fatalf("cinema defaults: %+v %v (want %+v)", c, err, booking.DefaultCinemaSettings())
	}
}

// Saving returns what was there before; an unknown theatre is ENOTFOUND.
func TestSaveSettings(t *testing.T) {
	clock := booking.NewManualClock(start.Add(-5 * time.Hour))
	d := dbtest.New(t, clock)
	s := dbtest.AddShowtime(t, d, start)
	ctx := context.Background()
	c := booking.DefaultCinemaSettings()
	c.Cancel = booking.CancelPolicy{Disabled: true, Cutoff: 0, FeeCents: 150, FeePercent: 5, RefundBookingFee: true}
	c.ReminderBefore, c.TicketPerOrder = 0, true
	if before, err := d.SaveCinemaSettings(ctx, c); err != nil || before != booking.DefaultCinemaSettings() {
		t.Fatalf("%+v %v", before, err)
	}
	if got, _ := d.CinemaSettings(ctx); got != c {
		t.Fatalf("round trip: %+v, want %+v", got, c)
	}
	ts, _ := d.TheatreSettingsAll(ctx)
	th := ts[0]
	hold, seats, fee := 3*time.Minute, 2, int64(0)
	th.Overrides = booking.TheatreOverrides{HoldLength: &hold, MaxSeatsPerCart: &seats, BookingFeeCents: &fee,
		Cancel: &booking.CancelPolicy{Cutoff: 30 * time.Minute}}
	th.Tax = booking.Tax{Model: booking.TaxAdded, Rate: 8875}
	if _, err := d.SaveTheatreSettings(ctx, th); err != nil {
		t.Fatal(err)
	}
	ts, _ = d.TheatreSettingsAll(ctx)
	o := ts[0].Overrides
	if *o.HoldLength != hold || *o.MaxSeatsPerCart != 2 || *o.BookingFeeCents != 0 || o.Cancel.Cutoff != 30*time.Minute || ts[0].Tax.Rate != 8875 {
		t.Fatalf("round trip: %+v", ts[0])
	}
	if id, err := d.OrderTheatre(ctx, dbtest.PaidOrder(t, d, s, "x@example.com", nil, clock.Now(), s.SeatIDs[5]).Code); err != nil || id != s.TheatreID {
		t.Fatalf("order theatre: %d %v", id, err)
	}
	th.ID = 987654
	if _, err := d.SaveTheatreSettings(ctx, th); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("unknown theatre: %v", err)
	}
}
