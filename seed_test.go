package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
)

func TestSeedDemoProgramme(t *testing.T) {
	now := time.Date(2026, 11, 25, 18, 7, 30, 0, time.UTC)
	clock := booking.NewManualClock(now)
	store := dbtest.New(t, clock)
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := seedDemo(ctx, store, clock, logger, false); err != nil {
		t.Fatalf("seed: %v", err)
	}

	count := func(q string) int {
		t.Helper()
		var n int
		if err := dbtest.SQL(t, store).GetContext(ctx, &n, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	if n := count(`SELECT count(DISTINCT time_zone) FROM theatres`); n < 3 {
		t.Errorf("time zones = %d, want ≥ 3", n)
	}
	if n := count(`SELECT count(*) FROM theatres t WHERE (SELECT count(*) FROM auditoriums a WHERE a.theatre_id = t.id) NOT BETWEEN 2 AND 4`); n != 0 {
		t.Errorf("%d theatres without 2–4 auditoriums", n)
	}
	if n := count(`SELECT count(*) FROM auditoriums a WHERE capacity NOT BETWEEN 100 AND 300
		OR capacity <> (SELECT count(*) FROM seats s WHERE s.auditorium_id = a.id)`); n != 0 {
		t.Errorf("%d auditoriums with a capacity outside 100–300 or not matching their seats", n)
	}
	for _, kind := range booking.SeatKinds {
		if kind == booking.SeatBlocked {
			continue // house seats are a manager's choice, not the demo's
		}
		if n := count(`SELECT count(*) FROM auditoriums a WHERE NOT EXISTS (SELECT 1 FROM seats s WHERE s.auditorium_id = a.id AND s.kind = '` + kind + `')`); n != 0 {
			t.Errorf("%d auditoriums without %s seats", n, kind)
		}
	}
	// Every wheelchair place has a companion seat beside it in the same row.
	if n := count(`SELECT count(*) FROM seats w WHERE w.kind = 'wheelchair' AND NOT EXISTS (
		SELECT 1 FROM seats c WHERE c.auditorium_id = w.auditorium_id AND c.y = w.y AND abs(c.x - w.x) = 1 AND c.kind = 'companion')`); n != 0 {
		t.Errorf("%d wheelchair places without an adjacent companion seat", n)
	}
	// Aisles: every auditorium has a gap in x inside a row.
	if n := count(`SELECT count(*) FROM auditoriums a WHERE NOT EXISTS (
		SELECT 1 FROM seats s WHERE s.auditorium_id = a.id AND s.x > 1
		AND NOT EXISTS (SELECT 1 FROM seats l WHERE l.auditorium_id = a.id AND l.y = s.y AND l.x = s.x - 1)
		AND EXISTS (SELECT 1 FROM seats l WHERE l.auditorium_id = a.id AND l.y = s.y AND l.x < s.x))`); n != 0 {
		t.Errorf("%d auditoriums without aisles", n)
	}
	if n := count(`SELECT count(*) FROM movies WHERE title = '' OR director = '' OR cardinality(genres) = 0
		OR cardinality(cast_members) = 0 OR synopsis = '' OR rating = '' OR poster = '' OR trailer_url = ''`); n != 0 {
		t.Errorf("%d movies with missing details", n)
	}
	if n := count(`SELECT count(*) FROM movies`); n < 10 || n > 14 {
		t.Errorf("movies = %d, want about 12", n)
	}
	if n := count(`SELECT count(*) FROM ticket_types WHERE code IN ('adult', 'child', 'senior', 'student')`); n != 4 {
		t.Errorf("ticket types = %d", n)
	}
	if n := count(`SELECT count(*) FROM price_cards pc CROSS JOIN ticket_types tt
		CROSS JOIN unnest(ARRAY['standard','premium','wheelchair','companion']) k
		WHERE NOT EXISTS (SELECT 1 FROM price_card_prices p WHERE p.price_card_id = pc.id AND p.ticket_type = tt.code AND p.seat_kind = k)`); n != 0 {
		t.Errorf("%d missing prices", n)
	}
	// 7 local days of showtimes in every theatre, starting today (the past
	// weeks of demo trade, seedDemoTrade, all ended before now − 1h).
	if n := count(`SELECT count(*) FROM theatres t WHERE (
		SELECT count(DISTINCT (s.starts_at AT TIME ZONE t.time_zone)::date) FROM showtimes s
		JOIN auditoriums a ON a.id = s.auditorium_id WHERE a.theatre_id = t.id AND s.ready_at >= '2026-11-25 17:07:30+00') <> 7`); n != 0 {
		t.Errorf("%d theatres without 7 days of showtimes", n)
	}
	if n := count(`SELECT count(*) FROM theatres t WHERE NOT EXISTS (
		SELECT 1 FROM showtimes s JOIN auditoriums a ON a.id = s.auditorium_id WHERE a.theatre_id = t.id
		AND (s.starts_at AT TIME ZONE t.time_zone)::date = ('2026-11-25 18:07:30+00'::timestamptz AT TIME ZONE t.time_zone)::date)`); n != 0 {
		t.Errorf("%d theatres without showtimes today", n)
	}
	// Local times: first shows of a day are in the morning in each theatre's zone.
	if n := count(`SELECT count(*) FROM showtimes s JOIN auditoriums a ON a.id = s.auditorium_id JOIN theatres t ON t.id = a.theatre_id
		WHERE extract(hour FROM s.starts_at AT TIME ZONE t.time_zone) BETWEEN 0 AND 9
		AND s.starts_at > '2026-11-26'`); n != 0 {
		t.Errorf("%d showtimes in the small hours local time", n)
	}
	var soon int
	if err := dbtest.SQL(t, store).GetContext(ctx, &soon, `SELECT count(*) FROM showtimes WHERE starts_at BETWEEN $1 AND $2`,
		now.Add(10*time.Minute), now.Add(20*time.Minute)); err != nil || soon < 1 {
		t.Errorf("showtimes starting in about 15 minutes = %d (%v)", soon, err)
	}
	if n := count(`SELECT count(*) FROM showtimes WHERE ready_at < ends_at OR sales_close_at <> starts_at
		OR counter_close_at <> starts_at + interval '10 minutes'`); n != 0 {
		t.Errorf("%d showtimes with wrong cutoffs", n)
	}
	// The exclusion constraint held (the insert would have failed), and no overlap anyway:
	if n := count(`SELECT count(*) FROM showtimes a JOIN showtimes b ON a.auditorium_id = b.auditorium_id AND a.id < b.id
		AND tstzrange(a.starts_at, a.ready_at) && tstzrange(b.starts_at, b.ready_at)`); n != 0 {
		t.Errorf("%d overlapping showtimes", n)
	}

	// Seeding again: quietly skipped without force, refused with force.
	if err := seedDemo(ctx, store, clock, logger, false); err != nil {
		t.Errorf("second auto seed: %v", err)
	}
	err := seedDemo(ctx, store, clock, logger, true)
	if err == nil || !strings.Contains(err.Error(), "already has a programme") {
		t.Errorf("forced seed of a non-empty database: %v", err)
	}
}

func BenchmarkSeedDemo(b *testing.B) {
	clock := booking.NewManualClock(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for b.Loop() {
		b.StopTimer()
		store := dbtest.New(b, clock)
		b.StartTimer()
		if err := seedDemo(context.Background(), store, clock, logger, false); err != nil {
			b.Fatal(err)
		}
	}
}
func TestSeedDemoUsersIsIdempotent(t *testing.T) {
	store := dbtest.New(t, booking.SystemClock{})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	for i := 0; i < 2; i++ {
		if err := seedDemoUsers(context.Background(), store, logger); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range demoUsers {
		u, err := store.UserByEmail(context.Background(), d.Email)
		if err != nil || u.Role != d.Role || !booking.CheckPassword(d.Password, u.PasswordHash) {
			t.Fatalf("%s: %+v %v", d.Email, u, err)
		}
		if !strings.Contains(logs.String(), d.Password) {
			t.Errorf("demo password of %s not printed", d.Email)
		}
		if err := booking.ValidatePassword(d.Password, d.Email, d.Name); err != nil {
			t.Errorf("demo password of %s breaks the policy: %v", d.Email, err)
		}
	}
}

// TestSeedDemoTrade: the demo has weeks of past trade through every
// channel and tender, refunds and check-ins, and a closed film week, and the
// reports' summaries of it agree with the orders.
func TestSeedDemoTrade(t *testing.T) {
	now := time.Date(2026, 11, 25, 18, 7, 30, 0, time.UTC)
	clock := booking.NewManualClock(now)
	store := dbtest.New(t, clock)
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	start := time.Now()
	if err := seedDemo(ctx, store, clock, logger, false); err != nil {
		t.Fatalf("seed: %v", err)
	}
	t.Logf("seeded with trade in %s", time.Since(start))
	x := dbtest.SQL(t, store)
	count := func(q string) int {
		t.Helper()
		var n int
		if err := x.GetContext(ctx, &n, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	if n := count(`SELECT count(DISTINCT channel) FROM orders WHERE paid_at IS NOT NULL`); n != 3 {
		t.Errorf("%d channels", n)
	}
	if n := count(`SELECT count(DISTINCT provider) FROM payments WHERE status IN ('succeeded', 'refunded')`); n != 3 {
		t.Errorf("%d tenders", n)
	}
	if n := count(`SELECT count(*) FROM orders WHERE (SELECT count(*) FROM payments p WHERE p.order_id = orders.id) = 2`); n == 0 {
		t.Error("no split tender")
	}
	if n := count(`SELECT count(*) FROM order_items WHERE status = 'sold'`); n < 5000 {
		t.Errorf("%d tickets sold", n)
	}
	if n := count(`SELECT count(*) FROM order_items WHERE checked_in_at IS NOT NULL`); n == 0 {
		t.Error("no check-ins")
	}
	if n := count(`SELECT count(*) FROM orders WHERE status = 'partially_refunded'`); n == 0 {
		t.Error("no partial refunds")
	}
	if n := count(`SELECT count(*) FROM orders WHERE confirmation_sent_at IS NULL AND paid_at IS NOT NULL`); n != 0 {
		t.Errorf("%d demo orders would be mailed", n)
	}
	if n := count(`SELECT count(*) FROM orders o WHERE paid_at IS NOT NULL AND total_cents - refunded_cents <>
		(SELECT coalesce(sum(amount_cents - refunded_cents), 0) FROM payments p WHERE p.order_id = o.id)`); n != 0 {
		t.Errorf("%d orders whose payments don't add up", n)
	}
	if n := count(`SELECT count(*) FROM showtimes WHERE starts_at < now() AND starts_at < '2026-11-25'`); n == 0 {
		t.Error("no past shows")
	}
	if n := count(`SELECT count(*) FROM distributor_weeks`); n == 0 {
		t.Error("no closed film week")
	}
	var kept, takings int64
	if err := x.Get(&kept, `SELECT sum(total_cents - refunded_cents) FROM orders WHERE paid_at IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	rng, err := booking.CheckRange(booking.DateOf(2026, 10, 25), booking.DateOf(2026, 11, 25))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := store.SalesReport(ctx, db.SalesQuery{Scope: booking.Scope{All: true}, Range: rng, Rules: booking.DefaultReportRules(), By: db.ByDay})
	if err != nil {
		t.Fatal(err)
	}
	takings = rows[len(rows)-1].Takings()
	if takings != kept || kept == 0 {
		t.Errorf("report takings %d, orders kept %d", takings, kept)
	}
}
