package db_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db/dbtest"
	"marquee/payment"
)

// TestPaymentJobsAcrossInstances runs the payment jobs' claiming statements
// from many goroutines at once (as several instances would): each lapsed
// checkout is claimed by exactly one of them, and exactly one takes the
// reconciliation lease.
func TestPaymentJobsAcrossInstances(t *testing.T) {
	clock := booking.NewManualClock(start.Add(-time.Hour))
	d := dbtest.New(t, clock)
	s := dbtest.AddShowtime(t, d, start)
	ctx := context.Background()
	layout, card := testLayout(t, d, s)
	now := clock.Now()
	const orders = 20
	for i := 0; i < orders; i++ {
		o := pendingOrder(t, d, s, layout, card, fmt.Sprintf("cart-%d", i), now, s.SeatIDs[i])
		p, err := d.ReserveCheckout(ctx, payment.NewCheckout{OrderID: o.ID, OrderCode: o.Code, Provider: "stripe",
			AmountCents: o.TotalCents, Currency: "usd", ExpiresAt: now.Add(31 * time.Minute), Now: now})
		if err != nil || p.Status != payment.PayCreating || p.IdempotencyKey == "" {
			t.Fatalf("reserve: %+v %v", p, err)
		}
		again, _ := d.ReserveCheckout(ctx, payment.NewCheckout{OrderID: o.ID, OrderCode: o.Code, Provider: "stripe",
			AmountCents: o.TotalCents, Currency: "usd", ExpiresAt: now.Add(40 * time.Minute), Now: now})
		if again.ID != p.ID || !again.ExpiresAt.Equal(p.ExpiresAt) {
			t.Fatalf("second reserve made a new row: %+v", again)
		}
		if _, err := d.OpenCheckout(ctx, p.ID, payment.Checkout{ID: fmt.Sprintf("cs_%d", i), URL: "https://x/", ExpiresAt: p.ExpiresAt}, now); err != nil {
			t.Fatal(err)
		}
	}
	// Nothing is due while the holds run.
	if due, err := d.LapsedCheckouts(ctx, now.Add(time.Minute), 50); err != nil || len(due) != 0 {
		t.Fatalf("due early: %v %v", due, err)
	}
	later := now.Add(11 * time.Minute)
	var mu sync.Mutex
	seen := map[int64]int{}
	leases := 0
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			due, err := d.LapsedCheckouts(ctx, later, 5)
			if err != nil {
				t.Error(err)
			}
			ok, err := d.TryPaymentLease(ctx, "reconcile", later, later.Add(3*time.Minute))
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, l := range due {
				seen[l.PaymentID]++
			}
			if ok {
				leases++
			}
		}()
	}
	wg.Wait()
	for id, n := range seen {
		if n != 1 {
			t.Errorf("payment %d claimed %d times", id, n)
		}
	}
	if len(seen) > orders || leases != 1 {
		t.Fatalf("claimed %d, leases %d", len(seen), leases)
	}
	// The rest are claimed by the next rounds; claimed rows are retried only
	// once a claim is two minutes old.
	for {
		due, err := d.LapsedCheckouts(ctx, later, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) == 0 {
			break
		}
		for _, l := range due {
			seen[l.PaymentID]++
		}
	}
	if len(seen) != orders {
		t.Fatalf("claimed %d of %d", len(seen), orders)
	}
	if due, _ := d.LapsedCheckouts(ctx, later.Add(3*time.Minute), 50); len(due) != orders {
		t.Fatalf("stale claims not retried: %d", len(due))
	}
	// The lease frees itself when it runs out.
	if ok, _ := d.TryPaymentLease(ctx, "reconcile", later.Add(3*time.Minute), later.Add(6*time.Minute)); !ok {
		t.Fatal("lease not free after its time")
	}
}
