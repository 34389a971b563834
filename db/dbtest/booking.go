package dbtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"marquee/db"
)

// Show is a bookable showtime created by AddShowtime.
type Show struct {
	ShowtimeID   int64
	MovieID      int64
	AuditoriumID int64
	TheatreID    int64
	PriceCardID  int64
	SeatIDs      []int64 // front row first, left to right
	StartsAt     time.Time
}

// AddShowtime creates a theatre (Europe/London), a 200-seat auditorium
// (rows A–J of 20 seats: 4 | 12 | 4 with two aisles; premium seats in the
// centre of rows F–H; a wheelchair space and its companion seat at the left
// end of row A), a movie, a price card (adult/child/senior) and one showtime
// starting at startsAt whose online sales close at the start.
func AddShowtime(t testing.TB, d *db.DB, startsAt time.Time) Show {
	t.Helper()
	s, err := CreateShowtime(context.Background(), d, startsAt)
	if err != nil {
		t.Fatalf("dbtest: add showtime: %v", err)
	}
	return s
}

// CreateShowtime is AddShowtime without a test (the load generator uses it).
func CreateShowtime(ctx context.Context, d *db.DB, startsAt time.Time) (Show, error) {
	var s Show
	s.StartsAt = startsAt
	raw, err := Conn(ctx, d)
	if err != nil {
		return s, err
	}
	defer raw.Close()
	suffix := randHex(4)
	if _, err := raw.ExecContext(ctx, `INSERT INTO ticket_types (code, name, sort) VALUES ('adult', 'Adult', 1), ('child', 'Child', 2), ('senior', 'Senior', 3) ON CONFLICT DO NOTHING`); err != nil {
		return s, fmt.Errorf("ticket types: %w", err)
	}
	if err := raw.GetContext(ctx, &s.TheatreID, `INSERT INTO theatres (slug, name, city, time_zone) VALUES ($1, 'Test Picturehouse', 'London', 'Europe/London') RETURNING id`, "test-"+suffix); err != nil {
		return s, fmt.Errorf("theatre: %w", err)
	}
	if err := raw.GetContext(ctx, &s.AuditoriumID, `INSERT INTO auditoriums (theatre_id, name, rows, cols, capacity) VALUES ($1, 'Screen 1', 10, 22, 200) RETURNING id`, s.TheatreID); err != nil {
		return s, fmt.Errorf("auditorium: %w", err)
	}
	for y := 0; y < 10; y++ {
		row := string(rune('A' + y))
		n := 0
		for x := 0; x < 22; x++ {
			if x == 4 || x == 17 {
				continue // aisles
			}
			n++
			kind := "standard"
			switch {
			case y == 0 && x == 0:
				kind = "wheelchair"
			case y == 0 && x == 1:
				kind = "companion"
			case y >= 5 && y <= 7 && x >= 5 && x <= 16:
				kind = "premium"
			}
			var id int64
			if err := raw.GetContext(ctx, &id, `INSERT INTO seats (auditorium_id, row_label, number, x, y, kind) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
				s.AuditoriumID, row, n, x, y, kind); err != nil {
				return s, fmt.Errorf("seat: %w", err)
			}
			s.SeatIDs = append(s.SeatIDs, id)
		}
	}
	if err := raw.GetContext(ctx, &s.MovieID, `INSERT INTO movies (slug, title, runtime_min, rating, release_date) VALUES ($1, 'The Test Picture', 110, 'PG-13', '2026-01-01') RETURNING id`, "test-picture-"+suffix); err != nil {
		return s, fmt.Errorf("movie: %w", err)
	}
	if err := raw.GetContext(ctx, &s.PriceCardID, `INSERT INTO price_cards (name, currency) VALUES ($1, 'usd') RETURNING id`, "Standard "+suffix); err != nil {
		return s, fmt.Errorf("price card: %w", err)
	}
	if _, err := raw.ExecContext(ctx, `
		INSERT INTO price_card_prices (price_card_id, ticket_type, seat_kind, amount_cents) VALUES
		($1, 'adult', 'standard', 1250), ($1, 'adult', 'premium', 1650),
		($1, 'child', 'standard', 900), ($1, 'child', 'premium', 1300),
		($1, 'senior', 'standard', 1000), ($1, 'senior', 'premium', 1400)`, s.PriceCardID); err != nil {
		return s, fmt.Errorf("prices: %w", err)
	}
	if err := raw.GetContext(ctx, &s.ShowtimeID, `
		INSERT INTO showtimes (movie_id, auditorium_id, starts_at, ends_at, ready_at, sales_close_at, counter_close_at, price_card_id)
		VALUES ($1, $2, $3, $3::timestamptz + interval '110 minutes', $3::timestamptz + interval '130 minutes', $3, $3::timestamptz + interval '10 minutes', $4)
		RETURNING id`, s.MovieID, s.AuditoriumID, startsAt, s.PriceCardID); err != nil {
		return s, fmt.Errorf("showtime: %w", err)
	}
	return s, nil
}

// HoldElsewhere holds a seat for cart as a change made outside the process
// under test would (another instance, a script): straight in the store, not
// quiet, so the trigger's NOTIFY is the only news of it.
func HoldElsewhere(t testing.TB, d *db.DB, showtimeID int64, cart string, seatID int64, now time.Time) {
	t.Helper()
	if _, err := d.HoldSeats(context.Background(), db.Hold{ShowtimeID: showtimeID, CartID: cart,
		SeatIDs: []int64{seatID}, TicketType: "adult", Now: now, Until: now.Add(time.Minute), Max: 10}); err != nil {
		t.Fatal(err)
	}
}
