package db

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// OrderSummary is one line of a customer's order history.
type OrderSummary struct {
	Code          string         `db:"code"`
	Status        string         `db:"status"`
	TotalCents    int64          `db:"total_cents"`
	RefundedCents int64          `db:"refunded_cents"`
	Currency      string         `db:"currency"`
	CreatedAt     time.Time      `db:"created_at"`
	ShowtimeID    int64          `db:"showtime_id"`
	StartsAt      time.Time      `db:"starts_at"`
	ShowStatus    string         `db:"show_status"`
	MovieID       int64          `db:"movie_id"`
	MovieSlug     string         `db:"movie_slug"`
	MovieTitle    string         `db:"movie_title"`
	TheatreID     int64          `db:"theatre_id"`
	TheatreName   string         `db:"theatre_name"`
	TimeZone      string         `db:"time_zone"`
	Auditorium    string         `db:"auditorium"`
	Seats         pq.StringArray `db:"seats"` // seats still valid (sold or reserved)
}

// OrdersOfUser lists a user's orders, newest show first: everything but
// orders that lapsed before payment (expired, failed).
func (db *DB) OrdersOfUser(ctx context.Context, userID int64, limit int) ([]OrderSummary, error) {
	out := []OrderSummary{}
	err := db.selectAll(ctx, &out, `
		SELECT o.code, o.status, o.total_cents, o.refunded_cents, o.currency, o.created_at, o.showtime_id,
		       s.starts_at, s.status AS show_status, m.id AS movie_id, m.slug AS movie_slug, m.title AS movie_title,
		       t.id AS theatre_id, t.name AS theatre_name, t.time_zone, a.name AS auditorium,
		       coalesce((SELECT array_agg(st.row_label || st.number ORDER BY st.y, st.x)
		                 FROM order_items i JOIN seats st ON st.id = i.seat_id
		                 WHERE i.order_id = o.id AND i.status IN ('sold', 'reserved')), '{}') AS seats
		FROM orders o
		JOIN showtimes s ON s.id = o.showtime_id
		JOIN movies m ON m.id = s.movie_id
		JOIN auditoriums a ON a.id = s.auditorium_id
		JOIN theatres t ON t.id = a.theatre_id
		WHERE o.user_id = $1 AND o.status NOT IN ('expired', 'failed')
		ORDER BY s.starts_at DESC, o.id DESC
		LIMIT $2`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("orders of user %d: %w", userID, err)
	}
	return out, nil
}
