package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/lib/pq"

	"marquee/booking"
	"marquee/db/dbtest"
)

// TestRefundLedgerMigration writes refunds into both old tables at version
// 12 — after-sale rows alone, after-sale rows with their gateway twin (one of
// them settled only on the gateway side), and gateway-only rows (late and
// duplicate payments) — migrates to 13 and checks every refund arrives once
// in the one ledger with its money, fees, status, references, key, reason and
// told mark; then it goes down and up again.
func TestRefundLedgerMigration(t *testing.T) {
	clock := booking.NewManualClock(start.Add(-5 * time.Hour))
	d := dbtest.New(t, clock)
	s := dbtest.AddShowtime(t, d, start)
	ctx := context.Background()
	now := clock.Now()
	a := dbtest.PaidOrder(t, d, s, "a@example.com", nil, now, s.SeatIDs[0], s.SeatIDs[1])
	b := dbtest.PaidOrder(t, d, s, "b@example.com", nil, now, s.SeatIDs[2])
	late := dbtest.PendingOrder(t, d, s, "late@example.com", nil, now, s.SeatIDs[3])

	if err := d.MigrateDownTo(ctx, 12); err != nil {
		t.Fatalf("down to 12: %v", err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := dbtest.SQL(t, d).ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var pa, pb, pl int64
	for _, p := range []struct {
		id            *int64
		order         int64
		ref           string
		amount, refnd int64
	}{{&pa, a.ID, "pi_a", a.TotalCents, 2450}, {&pb, b.ID, "pi_b", b.TotalCents, 0}, {&pl, late.ID, "pi_late", late.TotalCents, late.TotalCents}} {
		if err := dbtest.SQL(t, d).GetContext(ctx, p.id, `
			INSERT INTO payments (order_id, provider, kind, status, provider_ref, amount_cents, refunded_cents, currency, created_at, updated_at)
			VALUES ($1, 'stripe', 'checkout', 'succeeded', $2, $3, $4, 'usd', $5, $5) RETURNING id`,
			p.order, p.ref, p.amount, p.refnd, now); err != nil {
			t.Fatal(err)
		}
	}
	mailed := now.Add(time.Minute)
	// Order a: one cancellation settled and told on both sides; one the
	// gateway refunded while the after-sale row still says pending.
	exec(`INSERT INTO refunds (order_id, reason, seat_ids, tickets_cents, fee_cents, charge_cents, amount_cents, status,
		idempotency_key, provider_ref, attempts, created_at, completed_at, mailed_at)
		VALUES ($1, 'customer', $2, 1250, 0, 50, 1200, 'succeeded', 'refund-a-1', 're_a1', 1, $3, $3, $4)`,
		a.ID, pq.Array([]int64{s.SeatIDs[0]}), now, mailed)
	exec(`INSERT INTO refunds (order_id, reason, seat_ids, tickets_cents, fee_cents, charge_cents, amount_cents, status,
		idempotency_key, created_at) VALUES ($1, 'customer', $2, 1250, 0, 0, 1250, 'pending', 'refund-a-2', $3)`,
		a.ID, pq.Array([]int64{s.SeatIDs[1]}), now)
	exec(`UPDATE orders SET refunded_cents = 1200 WHERE id = $1`, a.ID)
	exec(`INSERT INTO payment_refunds (order_id, payment_id, amount_cents, status, reason, idempotency_key, provider_ref, created_at, updated_at)
		VALUES ($1, $2, 1200, 'succeeded', 'customer', 'refund-a-1', 're_a1', $3, $3),
		       ($1, $2, 1250, 'succeeded', 'customer', 'refund-a-2', 're_a2', $3, $4)`, a.ID, pa, now, mailed)
	// Order b: a cancelled show's refund still pending (no gateway row yet),
	// and a duplicate payment the provider refused to return.
	exec(`INSERT INTO refunds (order_id, reason, seat_ids, tickets_cents, fee_cents, charge_cents, amount_cents, status,
		idempotency_key, created_at) VALUES ($1, 'showtime_cancelled', $2, 1250, 150, 0, 1400, 'pending', 'refund-b-1', $3)`,
		b.ID, pq.Array([]int64{s.SeatIDs[2]}), now)
	exec(`INSERT INTO payment_refunds (order_id, payment_id, amount_cents, status, reason, idempotency_key, failure, created_at, updated_at)
		VALUES ($1, $2, 1400, 'failed', 'duplicate_payment', 'marquee-refund-duplicate_payment-9', 'charge disputed', $3, $4)`,
		b.ID, pb, now, mailed)
	// The late payment, returned and told.
	exec(`INSERT INTO payment_refunds (order_id, payment_id, amount_cents, status, reason, idempotency_key, provider_ref,
		notified_at, created_at, updated_at)
		VALUES ($1, $2, $3, 'succeeded', 'late_payment', 'marquee-refund-late_payment-7', 're_late', $4, $5, $4)`,
		late.ID, pl, late.TotalCents, mailed, now)

	if err := d.MigrateUpTo(ctx, 13); err != nil {
		t.Fatalf("up to 13: %v", err)
	}
	var gone bool
	if err := dbtest.SQL(t, d).GetContext(ctx, &gone, `SELECT to_regclass('payment_refunds') IS NULL`); err != nil || !gone {
		t.Fatalf("payment_refunds still there: %v", err)
	}
	type row struct {
		Order, Amount, Tickets, Fee, Charge int64
		Payment                             *int64
		Reason, Status, Ref, Failure        string
		Told                                bool
		Seats                               int
	}
	var rows []struct {
		Key     string  `db:"idempotency_key"`
		Order   int64   `db:"order_id"`
		Payment *int64  `db:"payment_id"`
		Reason  string  `db:"reason"`
		Status  string  `db:"status"`
		Amount  int64   `db:"amount_cents"`
		Tickets int64   `db:"tickets_cents"`
		Fee     int64   `db:"fee_cents"`
		Charge  int64   `db:"charge_cents"`
		Ref     string  `db:"ref"`
		Failure string  `db:"failure"`
		Told    bool    `db:"told"`
		Seats   int     `db:"seats"`
		Updated *string `db:"updated"`
	}
	if err := dbtest.SQL(t, d).SelectContext(ctx, &rows, `
		SELECT idempotency_key, order_id, payment_id, reason, status, amount_cents, tickets_cents, fee_cents, charge_cents,
		       coalesce(provider_ref, '') AS ref, coalesce(failure, '') AS failure, told_at IS NOT NULL AS told,
		       cardinality(seat_ids) AS seats, updated_at::text AS updated
		FROM refunds ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	want := map[string]row{
		"refund-a-1": {Order: a.ID, Payment: &pa, Reason: "customer", Status: "succeeded", Amount: 1200, Tickets: 1250, Charge: 50, Ref: "re_a1", Told: true, Seats: 1},
		// Settled on the gateway side only: settled now, and not told yet (the after-sale job tells them).
		"refund-a-2":                         {Order: a.ID, Payment: &pa, Reason: "customer", Status: "succeeded", Amount: 1250, Tickets: 1250, Ref: "re_a2", Told: false, Seats: 1},
		"refund-b-1":                         {Order: b.ID, Reason: "showtime_cancelled", Status: "pending", Amount: 1400, Tickets: 1250, Fee: 150, Told: false, Seats: 1},
		"marquee-refund-duplicate_payment-9": {Order: b.ID, Payment: &pb, Reason: "duplicate_payment", Status: "failed", Amount: 1400, Failure: "charge disputed", Told: true},
		"marquee-refund-late_payment-7":      {Order: late.ID, Payment: &pl, Reason: "late_payment", Status: "succeeded", Amount: late.TotalCents, Ref: "re_late", Told: true},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d refunds after the migration, want %d: %+v", len(rows), len(want), rows)
	}
	for _, r := range rows {
		w, ok := want[r.Key]
		got := row{Order: r.Order, Payment: r.Payment, Reason: r.Reason, Status: r.Status, Amount: r.Amount, Tickets: r.Tickets,
			Fee: r.Fee, Charge: r.Charge, Ref: r.Ref, Failure: r.Failure, Told: r.Told, Seats: r.Seats}
		samePayment := (w.Payment == nil) == (r.Payment == nil) && (w.Payment == nil || *w.Payment == *r.Payment)
		got.Payment, w.Payment = nil, nil
		if !ok || got != w || !samePayment || r.Updated == nil {
			t.Errorf("refund %s: got %+v (payment %v), want %+v", r.Key, got, r.Payment, want[r.Key])
		}
	}
	var refunded int64
	if err := dbtest.SQL(t, d).GetContext(ctx, &refunded, `SELECT refunded_cents FROM orders WHERE id = $1`, a.ID); err != nil || refunded != 2450 {
		t.Fatalf("order a refunded_cents %d %v: the gateway-settled refund must count", refunded, err)
	}
	// The ledger reads them like any other refund.
	rs, err := d.RefundsOfOrder(ctx, a.ID)
	if err != nil || len(rs) != 2 || rs[1].PaymentID != pa || rs[1].PaymentRef != "pi_a" || rs[1].Currency != "usd" {
		t.Fatalf("refunds of a: %+v %v", rs, err)
	}
	untold, err := d.UntoldRefunds(ctx, 10)
	if err != nil || len(untold) != 1 || untold[0].IdempotencyKey != "refund-a-2" {
		t.Fatalf("untold: %+v %v", untold, err)
	}
	pending, err := d.PendingRefunds(ctx, now.Add(time.Hour), 10)
	if err != nil || len(pending) != 1 || pending[0].IdempotencyKey != "refund-b-1" || pending[0].PaymentID != 0 {
		t.Fatalf("pending: %+v %v", pending, err)
	}

	// Down gives each old table its rows back; up again merges them as before.
	if err := d.MigrateDownTo(ctx, 12); err != nil {
		t.Fatalf("down again: %v", err)
	}
	var after, gateway int
	if err := dbtest.SQL(t, d).GetContext(ctx, &after, `SELECT count(*) FROM refunds`); err != nil {
		t.Fatal(err)
	}
	if err := dbtest.SQL(t, d).GetContext(ctx, &gateway, `SELECT count(*) FROM payment_refunds`); err != nil {
		t.Fatal(err)
	}
	if after != 3 || gateway != 4 {
		t.Fatalf("after down: %d after-sale rows, %d gateway rows", after, gateway)
	}
	if err := d.MigrateUpTo(ctx, 13); err != nil {
		t.Fatalf("up again: %v", err)
	}
	var n int
	if err := dbtest.SQL(t, d).GetContext(ctx, &n, `SELECT count(*) FROM refunds`); err != nil || n != len(want) {
		t.Fatalf("after up again: %d refunds %v", n, err)
	}
}

// A gateway refund with a reason the old payment_refunds never checked
// (it took any text) is carried over too: the ledger's reason check is added
// after the copy, for new rows only.
func TestRefundLedgerMigrationKeepsUnknownReasons(t *testing.T) {
	clock := booking.NewManualClock(start.Add(-5 * time.Hour))
	d := dbtest.New(t, clock)
	s := dbtest.AddShowtime(t, d, start)
	ctx := context.Background()
	now := clock.Now()
	o := dbtest.PaidOrder(t, d, s, "odd@example.com", nil, now, s.SeatIDs[0])
	if err := d.MigrateDownTo(ctx, 12); err != nil {
		t.Fatalf("down to 12: %v", err)
	}
	raw := dbtest.SQL(t, d)
	var pay int64
	if err := raw.GetContext(ctx, &pay, `
		INSERT INTO payments (order_id, provider, kind, status, provider_ref, amount_cents, refunded_cents, currency, created_at, updated_at)
		VALUES ($1, 'stripe', 'checkout', 'succeeded', 'pi_odd', $2, 300, 'usd', $3, $3) RETURNING id`, o.ID, o.TotalCents, now); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, `INSERT INTO payment_refunds (order_id, payment_id, amount_cents, status, reason, idempotency_key,
		provider_ref, created_at, updated_at) VALUES ($1, $2, 300, 'succeeded', 'goodwill', 'odd-1', 're_odd', $3, $3)`, o.ID, pay, now); err != nil {
		t.Fatal(err)
	}
	if err := d.MigrateUpTo(ctx, 13); err != nil {
		t.Fatalf("up to 13 with an unknown reason: %v", err)
	}
	var n int
	if err := raw.GetContext(ctx, &n, `SELECT count(*) FROM refunds WHERE reason = 'goodwill' AND amount_cents = 300 AND provider_ref = 're_odd'`); err != nil || n != 1 {
		t.Fatalf("carried over: %d %v", n, err)
	}
	if _, err := raw.ExecContext(ctx, `INSERT INTO refunds (order_id, reason, amount_cents, status, idempotency_key, created_at, updated_at)
		VALUES ($1, 'goodwill', 1, 'pending', 'odd-2', $2, $2)`, o.ID, now); err == nil {
		t.Fatal("a new refund with an unknown reason was accepted")
	}
}
