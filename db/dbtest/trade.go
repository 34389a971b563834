package dbtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/db"
)

// Trade builds report data by hand, row by row, as the sales, payment and
// after-sale code write it (the summary triggers see the same statements):
// theatres, screens, films, shows, paid orders with their tenders, refunds,
// check-ins.
type Trade struct {
	t testing.TB
	x *sqlx.DB
	n int
}

// NewTrade returns a builder writing to d.
func NewTrade(t testing.TB, d *db.DB) *Trade {
	t.Helper()
	x := SQL(t, d)
	if _, err := x.Exec(`INSERT INTO ticket_types (code, name, sort) VALUES ('adult', 'Adult', 1), ('child', 'Child', 2), ('senior', 'Senior', 3) ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	return &Trade{t: t, x: x}
}

func (tr *Trade) id(q string, args ...any) int64 {
	tr.t.Helper()
	var id int64
	if err := tr.x.Get(&id, q, args...); err != nil {
		tr.t.Fatalf("trade: %v\n%s", err, q)
	}
	return id
}

func (tr *Trade) exec(q string, args ...any) {
	tr.t.Helper()
	if _, err := tr.x.Exec(q, args...); err != nil {
		tr.t.Fatalf("trade: %v\n%s", err, q)
	}
}

// Theatre adds a theatre in the zone.
func (tr *Trade) Theatre(name, zone string) int64 {
	tr.n++
	return tr.id(`INSERT INTO theatres (slug, name, time_zone) VALUES ($1, $2, $3) RETURNING id`, fmt.Sprintf("t%d-%s", tr.n, randHex(3)), name, zone)
}

// Screen adds an auditorium of one row of seats.
func (tr *Trade) Screen(theatreID int64, name string, seats int) int64 {
	id := tr.id(`INSERT INTO auditoriums (theatre_id, name, rows, cols, capacity) VALUES ($1, $2, 1, $3, $3) RETURNING id`, theatreID, name, seats)
	tr.exec(`INSERT INTO seats (auditorium_id, row_label, number, x, y) SELECT $1, 'A', n, n, 0 FROM generate_series(1, $2) n`, id, seats)
	return id
}

// Movie adds a film.
func (tr *Trade) Movie(title string) int64 {
	tr.n++
	return tr.id(`INSERT INTO movies (slug, title, runtime_min, release_date) VALUES ($1, $2, 100, '2026-01-01') RETURNING id`, fmt.Sprintf("m%d-%s", tr.n, randHex(3)), title)
}

// Show adds a showtime of the film on the screen.
func (tr *Trade) Show(movieID, screenID int64, startsAt time.Time) int64 {
	tr.n++
	card := tr.id(`INSERT INTO price_cards (name) VALUES ($1) RETURNING id`, fmt.Sprintf("card %d %s", tr.n, randHex(3)))
	return tr.id(`
		INSERT INTO showtimes (movie_id, auditorium_id, starts_at, ends_at, ready_at, sales_close_at, counter_close_at, price_card_id)
		VALUES ($1, $2, $3, $3::timestamptz + interval '100 minutes', $3::timestamptz + interval '120 minutes', $3, $3::timestamptz + interval '10 minutes', $4)
		RETURNING id`, movieID, screenID, startsAt, card)
}

// Ticket is one line of a sale.
type Ticket struct {
	Type       string
	PriceCents int64
	TaxCents   int64
}

// Tender is one payment of a sale.
type Tender struct {
	Provider    string // stripe, demo, cash, card_present
	AmountCents int64
}

// Sale is a paid order.
type Sale struct {
	Code    string
	ID      int64
	SeatIDs []int64 // the tickets' seats, in the order given
}

// Sell records a paid order for the show through the channel: its items
// (seats taken left to right from the first free one), booking fee, and the
// tenders that paid it (their sum must be the total).
func (tr *Trade) Sell(showID int64, channel string, at time.Time, feeCents int64, tickets []Ticket, tenders ...Tender) Sale {
	tr.t.Helper()
	ctx := context.Background()
	var sub int64
	for _, t := range tickets {
		sub += t.PriceCents
	}
	total := sub + feeCents
	var paid int64
	for _, p := range tenders {
		paid += p.AmountCents
	}
	if paid != total {
		tr.t.Fatalf("trade: tenders %d for a total of %d", paid, total)
	}
	tx, err := tr.x.BeginTxx(ctx, nil)
	if err != nil {
		tr.t.Fatal(err)
	}
	defer tx.Rollback()
	code := fmt.Sprintf("T%s", randHex(5))
	var id int64
	if err := tx.Get(&id, `
		INSERT INTO orders (code, email, showtime_id, status, subtotal_cents, fee_cents, total_cents, hold_expires_at, created_at, channel)
		VALUES ($1, 'buyer@example.com', $2, 'pending_payment', $3, $4, $5, $6, $6, $7) RETURNING id`,
		code, showID, sub, feeCents, total, at, channel); err != nil {
		tr.t.Fatal(err)
	}
	var seats []int64
	if err := tx.Select(&seats, `
		SELECT s.id FROM seats s JOIN showtimes st ON st.auditorium_id = s.auditorium_id
		WHERE st.id = $1 AND NOT EXISTS (SELECT 1 FROM order_items i WHERE i.showtime_id = $1 AND i.seat_id = s.id)
		ORDER BY s.number LIMIT $2`, showID, len(tickets)); err != nil || len(seats) < len(tickets) {
		tr.t.Fatalf("trade: seats for %d tickets: %v", len(tickets), err)
	}
	types, prices, taxes := make([]string, len(tickets)), make([]int64, len(tickets)), make([]int64, len(tickets))
	for i, t := range tickets {
		types[i], prices[i], taxes[i] = t.Type, t.PriceCents, t.TaxCents
	}
	// As checkout writes them: reserved, then sold when paid.
	if _, err := tx.Exec(`
		INSERT INTO order_items (order_id, showtime_id, seat_id, ticket_type, price_cents, tax_cents, status)
		SELECT $1, $2, s, t, p, x, 'reserved' FROM unnest($3::bigint[], $4::text[], $5::bigint[], $6::bigint[]) AS u(s, t, p, x)`,
		id, showID, pq.Array(seats), pq.Array(types), pq.Array(prices), pq.Array(taxes)); err != nil {
		tr.t.Fatal(err)
	}
	for _, p := range tenders {
		kind, extra := "checkout", ""
		switch p.Provider {
		case "cash":
			kind, extra = "counter", "cash"
		case "card_present":
			kind, extra = "counter", "card"
		}
		if _, err := tx.Exec(`
			INSERT INTO payments (order_id, provider, kind, status, amount_cents, currency, tendered_cents, change_cents, card_reference, created_at, updated_at)
			VALUES ($1, $2, $3, 'succeeded', $4, 'usd',
			        CASE WHEN $5 = 'cash' THEN $4::bigint END, CASE WHEN $5 = 'cash' THEN 0 END, CASE WHEN $5 = 'card' THEN 'T-1' END, $6, $6)`,
			id, p.Provider, kind, p.AmountCents, extra, at); err != nil {
			tr.t.Fatal(err)
		}
	}
	if _, err := tx.Exec(`UPDATE orders SET status = 'paid', paid_at = $2 WHERE id = $1`, id, at); err != nil {
		tr.t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE order_items SET status = 'sold' WHERE order_id = $1`, id); err != nil {
		tr.t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tr.t.Fatal(err)
	}
	return Sale{Code: code, ID: id, SeatIDs: seats}
}

// Refund cancels seats of a sale and records the succeeded refund of
// their price, feeCents of booking fee, less chargeCents kept, from the
// sale's first payment, as the after-sale and payment code do.
func (tr *Trade) Refund(s Sale, at time.Time, reason string, seatIDs []int64, feeCents, chargeCents int64) {
	tr.t.Helper()
	ctx := context.Background()
	tx, err := tr.x.BeginTxx(ctx, nil)
	if err != nil {
		tr.t.Fatal(err)
	}
	defer tx.Rollback()
	var tickets int64
	if err := tx.Get(&tickets, `
		WITH c AS (
			UPDATE order_items SET status = 'cancelled', cancelled_at = $3
			WHERE order_id = $1 AND seat_id = ANY($2::bigint[]) AND status = 'sold' RETURNING price_cents)
		SELECT coalesce(sum(price_cents), 0) FROM c`, s.ID, pq.Array(seatIDs), at); err != nil {
		tr.t.Fatal(err)
	}
	amount := tickets + feeCents - chargeCents
	var left int
	if err := tx.Get(&left, `SELECT count(*) FROM order_items WHERE order_id = $1 AND status = 'sold'`, s.ID); err != nil {
		tr.t.Fatal(err)
	}
	status := "partially_refunded"
	if left == 0 {
		status = "cancelled"
	}
	var pay int64
	if err := tx.Get(&pay, `SELECT id FROM payments WHERE order_id = $1 ORDER BY id LIMIT 1`, s.ID); err != nil {
		tr.t.Fatal(err)
	}
	if _, err := tx.Exec(`
		INSERT INTO refunds (order_id, payment_id, reason, seat_ids, tickets_cents, fee_cents, charge_cents, amount_cents, status,
		                     idempotency_key, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $10)`,
		s.ID, pay, reason, pq.Array(seatIDs), tickets, feeCents, chargeCents, amount, "k-"+randHex(6), at); err != nil {
		tr.t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE refunds SET status = 'succeeded', completed_at = $2, updated_at = $2 WHERE order_id = $1 AND status = 'pending'`, s.ID, at); err != nil {
		tr.t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE payments SET refunded_cents = refunded_cents + $2,
		status = CASE WHEN refunded_cents + $2 >= amount_cents THEN 'refunded' ELSE status END WHERE id = $1`, pay, amount); err != nil {
		tr.t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE orders SET refunded_cents = refunded_cents + $2, status = $3, cancelled_at = CASE WHEN $3 = 'cancelled' THEN $4::timestamptz END WHERE id = $1`,
		s.ID, amount, status, at); err != nil {
		tr.t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tr.t.Fatal(err)
	}
}

// CancelShow marks a showtime cancelled (its sales are refunded with Refund).
func (tr *Trade) CancelShow(showID int64) {
	tr.exec(`UPDATE showtimes SET status = 'cancelled' WHERE id = $1`, showID)
}

// CheckIn admits seats of a sale at the door.
func (tr *Trade) CheckIn(s Sale, at time.Time, seatIDs ...int64) {
	tr.exec(`UPDATE order_items SET checked_in_at = $3 WHERE order_id = $1 AND seat_id = ANY($2::bigint[])`, s.ID, pq.Array(seatIDs), at)
}
