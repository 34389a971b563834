package sales_test

import (
	"strings"
	"testing"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/sales"
)

// Blocked (house) seats are drawn but never held, sold or offered: not by a
// click, not by name (API, counter), not by best seats.
func TestBlockedSeatsAreNotSold(t *testing.T) {
	e := newEnv(t)
	// Row A is all blocked but for A5 (the wheelchair space A1 and companion A2 too).
	if _, err := dbtest.SQL(t, e.db).ExecContext(e.ctx, `
		UPDATE seats SET kind = 'blocked' WHERE auditorium_id = $1 AND row_label IN ('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I') AND number <> 5`,
		e.show.AuditoriumID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.hold("cart", e.seat(0, 0), false); booking.ErrorCode(err) != booking.EINVALID || !strings.Contains(booking.ErrorMessage(err), "isn't for sale") {
		t.Fatalf("hold of a blocked seat: %v", err)
	}
	if _, err := e.hold("cart", e.seat(0, 4), false); err != nil {
		t.Fatalf("hold of A5: %v", err)
	}
	_, err := e.svc.PlaceOrder(e.ctx, sales.OrderRequest{ShowtimeID: e.show.ShowtimeID, Seats: []string{"B2"}, Email: "a@example.com"})
	if booking.ErrorCode(err) != booking.EINVALID || !strings.Contains(booking.ErrorMessage(err), "B2 isn't for sale") {
		t.Fatalf("order of a blocked seat by name: %v", err)
	}
	// Best 4 together: only row J has unblocked seats side by side.
	res, err := e.svc.Best(e.ctx, e.show.ShowtimeID, "cart2", 4)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := e.svc.View(e.ctx, e.show.ShowtimeID, "cart2")
	for _, id := range res.Seats {
		s, _ := v.Show.Layout.Seat(id)
		if s.Kind == booking.SeatBlocked || s.Row != "J" {
			t.Fatalf("best seats gave %s (%s)", s.Label(), s.Kind)
		}
	}
}

// The seat cache serves each showtime the layout version it pins: after a
// new version, a show with sales keeps its seats and a show without sales
// sells the new layout.
func TestShowtimesSellTheirLayoutVersion(t *testing.T) {
	e := newEnv(t)
	dbtest.PaidOrder(t, e.db, e.show, "a@example.com", nil, e.clock.Now(), e.seat(3, 3))
	var other int64
	if err := dbtest.SQL(t, e.db).GetContext(e.ctx, &other, `
		INSERT INTO showtimes (movie_id, auditorium_id, starts_at, ends_at, ready_at, sales_close_at, counter_close_at, price_card_id)
		SELECT movie_id, auditorium_id, starts_at + interval '1 day', ends_at + interval '1 day', ready_at + interval '1 day',
		       sales_close_at + interval '1 day', counter_close_at + interval '1 day', price_card_id
		FROM showtimes WHERE id = $1 RETURNING id`, e.show.ShowtimeID); err != nil {
		t.Fatal(err)
	}
	next, _ := booking.StarterLayout(4, 6)
	if _, err := e.db.SaveLayout(e.ctx, db.SaveLayout{AuditoriumID: e.show.AuditoriumID, Seats: next, NewVersion: true, Now: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	old, err := e.svc.View(e.ctx, e.show.ShowtimeID, "")
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := e.svc.View(e.ctx, other, "")
	if err != nil {
		t.Fatal(err)
	}
	if old.Show.Layout.Capacity() != 200 || fresh.Show.Layout.Capacity() != 24 {
		t.Fatalf("layouts: sold show %d seats (want 200), new show %d (want 24)", old.Show.Layout.Capacity(), fresh.Show.Layout.Capacity())
	}
	i, _ := old.Show.Layout.Index(e.seat(3, 3))
	if old.States[i] != booking.StateSold {
		t.Fatalf("the sold seat is %v", old.States[i])
	}
}
