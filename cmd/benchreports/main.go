// Command benchreports is `make bench-reports`: it builds a throwaway
// database (marquee_bench_…, on the server the tests use, dropped at the
// end) with two years of a ten-screen cinema's trade — over a million
// tickets, refunds and check-ins, bulk-loaded with generate_series — closes
// its film weeks, refunds some tickets of closed weeks afterwards (through
// the normal triggers), and times every report for a month and for a year,
// printing p50 / p95 / max per report.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/internal/devpg"
)

func main() {
	runs := flag.Int("runs", 30, "timed runs per report")
	days := flag.Int("days", 730, "days of trade")
	keep := flag.Bool("keep", false, "keep the database (prints its URL)")
	flag.Parse()
	if err := run(*runs, *days, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "benchreports:", err)
		os.Exit(1)
	}
}

func run(runs, days int, keep bool) error {
	ctx := context.Background()
	server, err := dbtest.Server()
	if err != nil {
		return err
	}
	admin, err := sqlx.Open("postgres", server)
	if err != nil {
		return err
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "marquee_bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	if !keep {
		defer admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	dsn := devpg.WithDatabase(server, name)
	now := time.Now().UTC().Truncate(time.Hour)
	clock := booking.NewManualClock(now)
	store, err := db.Open(ctx, dsn, db.Options{MaxConns: 4, Clock: clock, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	raw, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1) // session settings below stay on the one connection

	start := time.Now()
	for _, q := range loadSQL {
		t0 := time.Now()
		var args []any
		switch {
		case strings.Contains(q, "$2"):
			args = []any{now, days}
		case strings.Contains(q, "$1"):
			args = []any{now}
		}
		if _, err := raw.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("load: %w\n%s", err, q)
		}
		fmt.Fprintf(os.Stderr, "  %6.1fs  %.70s\n", time.Since(t0).Seconds(), oneLine(q))
	}
	var n struct {
		Tickets   int `db:"tickets"`
		Shows     int `db:"shows"`
		Orders    int `db:"orders"`
		Refunded  int `db:"refunded"`
		Summaries int `db:"summaries"`
	}
	if err := raw.GetContext(ctx, &n, `SELECT (SELECT count(*) FROM order_items) AS tickets, (SELECT count(*) FROM showtimes) AS shows,
		(SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM order_items WHERE status = 'cancelled') AS refunded,
		(SELECT count(*) FROM report_sales) AS summaries`); err != nil {
		return err
	}
	fmt.Printf("loaded %d days: %d showtimes, %d orders, %d tickets (%d refunded), %d summary rows, in %s\n",
		days, n.Shows, n.Orders, n.Tickets, n.Refunded, n.Summaries, time.Since(start).Round(time.Second))

	var theatre booking.Theatre
	if err := raw.GetContext(ctx, &theatre, `SELECT id, slug, name, city, address, time_zone FROM theatres`); err != nil {
		return err
	}
	rules := booking.DefaultReportRules()
	loc := theatre.Location()
	today := rules.BusinessDay(now, loc)
	lastWeek := rules.FilmWeek(today).AddDate(0, 0, -7)

	// Close every film week but the last, then refund tickets of the last
	// three closed weeks afterwards, the way the application does (triggers on).
	start = time.Now()
	closed := 0
	for w := rules.FilmWeek(today.AddDate(0, 0, -days)); w.Before(lastWeek); w = w.AddDate(0, 0, 7) {
		if _, err := store.CloseWeek(ctx, theatre, w, rules, 0, now); err != nil {
			return fmt.Errorf("close %s: %w", w.Format(booking.DateLayout), err)
		}
		closed++
	}
	clock.Advance(time.Hour)
	if _, err := raw.ExecContext(ctx, lateRefundsSQL, now.Add(time.Hour), lastWeek.AddDate(0, 0, -21)); err != nil {
		return fmt.Errorf("late refunds: %w", err)
	}
	if _, err := raw.ExecContext(ctx, `VACUUM ANALYZE report_sales, report_tenders, order_items, orders`); err != nil {
		return err
	}
	fmt.Printf("closed %d film weeks and refunded tickets of the last three afterwards in %s\n", closed, time.Since(start).Round(time.Second))

	all := booking.Scope{All: true}
	mgr := booking.Scope{Theatres: []int64{theatre.ID}}
	month, _ := booking.CheckRange(today.AddDate(0, -1, 0), today.AddDate(0, 0, -1))
	year, _ := booking.CheckRange(today.AddDate(-1, 0, 0), today.AddDate(0, 0, -1))
	type job struct {
		name string
		fn   func() error
	}
	var jobs []job
	for _, r := range []struct {
		label string
		rng   booking.DateRange
	}{{"month", month}, {"year", year}} {
		for _, by := range db.ReportDimensions {
			q := db.SalesQuery{Scope: mgr, Range: r.rng, Rules: rules, By: by}
			if by == db.ByTheatre {
				q.Scope = all
			}
			jobs = append(jobs, job{fmt.Sprintf("sales by %-10s %s", by, r.label), func() error {
				if by == db.ByTender {
					_, err := store.TenderReport(ctx, q)
					return err
				}
				_, err := store.SalesReport(ctx, q)
				return err
			}})
		}
	}
	jobs = append(jobs,
		job{"distributor return, open week (adjustments)", func() error {
			_, err := store.DistributorReturn(ctx, theatre, lastWeek, rules)
			return err
		}},
		job{"distributor return, closed week", func() error {
			_, err := store.DistributorReturn(ctx, theatre, lastWeek.AddDate(0, 0, -28), rules)
			return err
		}},
		job{"film hire terms of a week", func() error {
			_, err := store.WeekFilms(ctx, theatre.ID, lastWeek, rules)
			return err
		}},
	)
	fmt.Printf("\n%-46s %9s %9s %9s   (%d runs each, after one warm-up)\n", "report", "p50", "p95", "max", runs)
	worst := time.Duration(0)
	for _, j := range jobs {
		if err := j.fn(); err != nil { // warm-up: prepares the statement
			return fmt.Errorf("%s: %w", j.name, err)
		}
		ds := make([]time.Duration, runs)
		for i := range ds {
			t0 := time.Now()
			if err := j.fn(); err != nil {
				return fmt.Errorf("%s: %w", j.name, err)
			}
			ds[i] = time.Since(t0)
		}
		slices.Sort(ds)
		p95 := ds[(len(ds)*95+99)/100-1]
		worst = max(worst, p95)
		fmt.Printf("%-46s %9s %9s %9s\n", j.name, ms(ds[len(ds)/2]), ms(p95), ms(ds[len(ds)-1]))
	}
	verdict := "met"
	if worst >= 300*time.Millisecond {
		verdict = "NOT met"
	}
	fmt.Printf("\nworst p95 %s: target p95 < 300 ms %s\n", ms(worst), verdict)
	if keep {
		fmt.Println("database kept:", dsn)
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func oneLine(s string) string {
	out := make([]rune, 0, len(s))
	space := false
	for _, r := range s {
		if r == '\n' || r == '\t' || r == ' ' {
			if !space {
				out = append(out, ' ')
			}
			space = true
			continue
		}
		space = false
		out = append(out, r)
	}
	return string(out)
}

// loadSQL builds the trade with the row triggers off (bulk load; the
// summaries are rebuilt from the rows at the end): $1 is now, $2 the days
// (or just now, or neither).
// Ids are computed (order = showtime × 1000 + pair of seats) so no
// statement needs a join to find the rows the previous one made.
var loadSQL = []string{
	`SET session_replication_role = replica`,
	`INSERT INTO ticket_types (code, name, sort) SELECT * FROM (VALUES ('adult', 'Adult', 1), ('child', 'Child', 2), ('senior', 'Senior', 3)) v`,
	`INSERT INTO theatres (id, slug, name, city, time_zone) SELECT 1, 'bench', 'Bench Cinema', 'London', 'Europe/London'`,
	`INSERT INTO auditoriums (id, theatre_id, name, rows, cols, capacity)
	 SELECT a, 1, 'Screen ' || a, 8 + a, 16 + a, (8 + a) * (16 + a) FROM generate_series(1, 10) a`,
	`INSERT INTO seats (auditorium_id, row_label, number, x, y, kind)
	 SELECT a.id, chr(65 + y), x + 1, x, y, CASE WHEN y >= a.rows - 3 THEN 'premium' ELSE 'standard' END
	 FROM auditoriums a, generate_series(0, a.rows - 1) y, generate_series(0, a.cols - 1) x`,
	`INSERT INTO movies (id, slug, title, runtime_min, release_date)
	 SELECT m, 'film-' || m, 'Film ' || lpad(m::text, 3, '0'), 100, '2024-01-01' FROM generate_series(1, 120) m`,
	`INSERT INTO price_cards (id, name) SELECT 1, 'Bench'`,
	`INSERT INTO price_card_prices (price_card_id, ticket_type, seat_kind, amount_cents)
	 SELECT 1, t, k, CASE t WHEN 'adult' THEN 1200 WHEN 'child' THEN 800 ELSE 900 END + CASE k WHEN 'premium' THEN 300 ELSE 0 END
	 FROM unnest(ARRAY['adult', 'child', 'senior']) t, unnest(ARRAY['standard', 'premium', 'wheelchair', 'companion']) k`,
	// Five shows a day on each screen, two years back from today.
	`INSERT INTO showtimes (id, movie_id, auditorium_id, starts_at, ends_at, ready_at, sales_close_at, counter_close_at, price_card_id, status)
	 SELECT d * 50 + (a - 1) * 5 + slot + 1, 1 + ((d / 7) * 3 + a * 7 + slot) % 120, a, st, st + interval '2 hours', st + interval '2 hours 20 minutes',
	        st, st + interval '10 minutes', 1, CASE WHEN (d * 50 + a * 5 + slot) % 397 = 0 THEN 'cancelled' ELSE 'scheduled' END
	 FROM generate_series(1, $2::int) d, generate_series(1, 10) a, generate_series(0, 4) slot,
	      LATERAL (SELECT ((($1::timestamptz AT TIME ZONE 'Europe/London')::date - d) + time '11:00' + slot * interval '3 hours 5 minutes') AT TIME ZONE 'Europe/London' AS st) x`,
	`SELECT setval('showtimes_id_seq', (SELECT max(id) FROM showtimes))`,
	// Orders of two seats; 5–35 % of each show sold (more at weekends and in the evening).
	`CREATE TEMP TABLE bench_shows AS
	 SELECT s.id, s.starts_at, s.status, a.capacity,
	        (a.capacity * (5 + abs(hashtext('f' || s.id)) % 25 + CASE WHEN extract(isodow FROM s.starts_at) IN (5, 6) THEN 10 ELSE 0 END) / 100) AS sold
	 FROM showtimes s JOIN auditoriums a ON a.id = s.auditorium_id`,
	`INSERT INTO orders (id, code, email, showtime_id, status, subtotal_cents, fee_cents, total_cents, hold_expires_at, created_at, paid_at,
	                     channel, confirmation_sent_at, reminder_sent_at)
	 SELECT b.id * 1000 + g, 'B' || (b.id * 1000 + g), '', b.id, 'paid', 0, 0, 0, b.starts_at - interval '1 day', b.starts_at - interval '1 day',
	        b.starts_at - interval '1 day' + (g % 20) * interval '1 hour',
	        CASE WHEN abs(hashtext('c' || b.id || g)) % 10 < 6 THEN 'online' WHEN abs(hashtext('c' || b.id || g)) % 10 < 9 THEN 'counter' ELSE 'api' END,
	        b.starts_at, b.starts_at
	 FROM bench_shows b, generate_series(0, (b.sold + 1) / 2 - 1) g`,
	`INSERT INTO order_items (order_id, showtime_id, seat_id, ticket_type, price_cents, tax_cents, status, checked_in_at)
	 SELECT b.id * 1000 + (se.y * a.cols + se.x) / 2, b.id, se.id, tt,
	        p.amount_cents, round(p.amount_cents / 6.0)::bigint, 'sold',
	        CASE WHEN b.starts_at < $1::timestamptz AND abs(hashtext('i' || se.id || b.id)) % 10 < 8 THEN b.starts_at - interval '5 minutes' END
	 FROM bench_shows b JOIN showtimes s ON s.id = b.id JOIN auditoriums a ON a.id = s.auditorium_id
	 JOIN seats se ON se.auditorium_id = a.id AND se.y * a.cols + se.x < b.sold
	 CROSS JOIN LATERAL (SELECT CASE abs(hashtext('t' || se.id || b.id)) % 10 WHEN 0 THEN 'child' WHEN 1 THEN 'senior' ELSE 'adult' END AS tt) t
	 JOIN price_card_prices p ON p.price_card_id = 1 AND p.ticket_type = t.tt AND p.seat_kind = se.kind`,
	`UPDATE orders o SET subtotal_cents = s.sub, fee_cents = s.fee, total_cents = s.sub + s.fee
	 FROM (SELECT i.order_id, sum(i.price_cents) AS sub, CASE WHEN min(o.channel) = 'counter' THEN 0 ELSE 100 * count(*) END AS fee
	       FROM order_items i JOIN orders o ON o.id = i.order_id GROUP BY i.order_id) s
	 WHERE o.id = s.order_id`,
	`INSERT INTO payments (id, order_id, provider, kind, status, amount_cents, currency, tendered_cents, change_cents, card_reference, created_at, updated_at)
	 SELECT o.id, o.id, CASE WHEN o.channel <> 'counter' THEN 'demo' WHEN o.id % 3 = 0 THEN 'card_present' ELSE 'cash' END,
	        CASE WHEN o.channel <> 'counter' THEN 'checkout' ELSE 'counter' END, 'succeeded', o.total_cents, 'usd',
	        CASE WHEN o.channel = 'counter' AND o.id % 3 <> 0 THEN o.total_cents END, CASE WHEN o.channel = 'counter' AND o.id % 3 <> 0 THEN 0 END,
	        CASE WHEN o.channel = 'counter' AND o.id % 3 = 0 THEN 'T' END, o.paid_at, o.paid_at
	 FROM orders o`,
	`SELECT setval('payments_id_seq', (SELECT max(id) FROM payments)), setval('orders_id_seq', (SELECT max(id) FROM orders))`,
	// Refunds: 3 % of online orders cancelled whole, and every order of the cancelled shows.
	`CREATE TEMP TABLE bench_refunds AS
	 SELECT o.id, o.total_cents, o.fee_cents, o.subtotal_cents, o.paid_at + interval '2 hours' AS at, s.status = 'cancelled' AS show_cancelled
	 FROM orders o JOIN showtimes s ON s.id = o.showtime_id
	 WHERE (o.channel = 'online' AND abs(hashtext('r' || o.id)) % 100 < 3) OR s.status = 'cancelled'`,
	`UPDATE order_items i SET status = 'cancelled', cancelled_at = r.at, checked_in_at = NULL FROM bench_refunds r
	 WHERE i.order_id = r.id`,
	`INSERT INTO refunds (order_id, payment_id, reason, tickets_cents, fee_cents, amount_cents, status, idempotency_key, created_at, completed_at, updated_at, told_at)
	 SELECT r.id, r.id, CASE WHEN r.show_cancelled THEN 'showtime_cancelled' ELSE 'customer' END, r.subtotal_cents,
	        CASE WHEN r.show_cancelled THEN r.fee_cents ELSE 0 END, r.subtotal_cents + CASE WHEN r.show_cancelled THEN r.fee_cents ELSE 0 END,
	        'succeeded', 'bench-' || r.id, r.at, r.at, r.at, r.at
	 FROM bench_refunds r`,
	`UPDATE payments p SET refunded_cents = f.amount_cents, status = CASE WHEN f.amount_cents >= p.amount_cents THEN 'refunded' ELSE 'succeeded' END
	 FROM refunds f WHERE f.payment_id = p.id`,
	`UPDATE orders o SET refunded_cents = f.amount_cents, status = CASE WHEN r.show_cancelled THEN 'refunded' ELSE 'cancelled' END, cancelled_at = r.at
	 FROM bench_refunds r JOIN refunds f ON f.order_id = r.id WHERE o.id = r.id`,
	`SET session_replication_role = origin`,
	`SELECT report_rebuild()`,
	`VACUUM ANALYZE`, // as autovacuum would have: index-only scans of the summaries
}

// lateRefundsSQL refunds one ticket in a hundred of the last three closed
// weeks after they were closed ($1), with the triggers on: the summaries
// follow, and the open week's return carries the adjustments.
const lateRefundsSQL = `
	WITH picked AS (
		SELECT i.order_id, i.seat_id, i.price_cents FROM order_items i JOIN showtimes s ON s.id = i.showtime_id
		WHERE s.starts_at >= $2::date AND s.starts_at < $2::date + 21 AND i.status = 'sold' AND abs(hashtext('late' || i.seat_id || i.order_id)) % 100 = 0
	), items AS (
		UPDATE order_items i SET status = 'cancelled', cancelled_at = $1 FROM picked p WHERE i.order_id = p.order_id AND i.seat_id = p.seat_id
		RETURNING i.order_id, i.seat_id, i.price_cents
	), per AS (
		SELECT order_id, array_agg(seat_id) AS seats, sum(price_cents) AS cents FROM items GROUP BY order_id
	), refs AS (
		INSERT INTO refunds (order_id, payment_id, reason, seat_ids, tickets_cents, amount_cents, status, idempotency_key, created_at, completed_at, updated_at, told_at)
		SELECT order_id, order_id, 'staff', seats, cents, cents, 'succeeded', 'late-' || order_id, $1, $1, $1, $1 FROM per
		RETURNING order_id, amount_cents
	), pays AS (
		UPDATE payments p SET refunded_cents = p.refunded_cents + r.amount_cents FROM refs r WHERE p.id = r.order_id
	)
	UPDATE orders o SET refunded_cents = o.refunded_cents + r.amount_cents, status = 'partially_refunded' FROM refs r WHERE o.id = r.order_id`
