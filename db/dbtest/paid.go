package dbtest

import (
	"context"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
)

// PaidOrder places an order for seats of a showtime (adult tickets, the
// theatre's booking settings) and marks it paid at now the way fulfilment does:
// the order through the state machine, items sold, claims made permanent.
func PaidOrder(t testing.TB, d *db.DB, s Show, email string, userID *int64, now time.Time, seatIDs ...int64) booking.Order {
	t.Helper()
	ctx := context.Background()
	o := PendingOrder(t, d, s, email, userID, now, seatIDs...)
	if err := d.TransitionOrder(ctx, o.ID, booking.OrderPaid, now); err != nil {
		t.Fatalf("dbtest: pay order: %v", err)
	}
	x := SQL(t, d)
	if _, err := x.ExecContext(ctx, `UPDATE order_items SET status = 'sold' WHERE order_id = $1`, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := x.ExecContext(ctx, `UPDATE seat_claims SET expires_at = NULL WHERE order_id = $1`, o.ID); err != nil {
		t.Fatal(err)
	}
	o, err := d.OrderByCode(ctx, o.Code)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// PendingOrder places an order for seats of a showtime (adult tickets, the
// booking settings of the showtime's theatre in the database) waiting for payment, held for 10 minutes from now.
func PendingOrder(t testing.TB, d *db.DB, s Show, email string, userID *int64, now time.Time, seatIDs ...int64) booking.Order {
	t.Helper()
	ctx := context.Background()
	seats, err := d.AuditoriumSeats(ctx, s.AuditoriumID)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]booking.Seat{}
	for _, st := range seats {
		byID[st.ID] = st
	}
	card, err := d.PriceCard(ctx, s.PriceCardID)
	if err != nil {
		t.Fatal(err)
	}
	var lines []booking.Line
	for _, id := range seatIDs {
		lines = append(lines, booking.Line{Seat: byID[id], TicketType: "adult"})
	}
	res, err := d.PlaceOrder(ctx, db.PlaceOrder{ShowtimeID: s.ShowtimeID, UserID: userID, Email: email, Lines: lines,
		Now: now, Until: now.Add(10 * time.Minute), Card: card, Settings: TheatreBooking(t, d, s.TheatreID)})
	if err != nil {
		t.Fatalf("dbtest: place order: %v", err)
	}
	return res.Order
}

// TheatreBooking is the booking rules of a theatre as the database has them
// (cinema settings with the theatre's overrides, tax and currency).
func TheatreBooking(t testing.TB, d *db.DB, theatreID int64) booking.Settings {
	t.Helper()
	ctx := context.Background()
	c, err := d.CinemaSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := d.TheatreSettingsAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range ts {
		if th.ID == theatreID {
			return c.BookingFor(th)
		}
	}
	return c.BookingFor(booking.TheatreSettings{})
}

// SetCinema changes the cinema's settings in the database (before the app
// under test loads them, or to watch it reload).
func SetCinema(t testing.TB, d *db.DB, mod func(*booking.CinemaSettings)) {
	t.Helper()
	ctx := context.Background()
	c, err := d.CinemaSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mod(&c)
	if _, err := d.SaveCinemaSettings(ctx, c); err != nil {
		t.Fatal(err)
	}
}

// SetTheatre changes a theatre's settings in the database.
func SetTheatre(t testing.TB, d *db.DB, theatreID int64, mod func(*booking.TheatreSettings)) {
	t.Helper()
	ctx := context.Background()
	ts, err := d.TheatreSettingsAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range ts {
		if th.ID == theatreID {
			mod(&th)
			if _, err := d.SaveTheatreSettings(ctx, th); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("dbtest: no theatre %d", theatreID)
}
