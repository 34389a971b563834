package db_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db/dbtest"
)

func TestReceiptNumberAssignedOnce(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	d := dbtest.New(t, booking.NewManualClock(now))
	s := dbtest.AddShowtime(t, d, now.Add(6*time.Hour))
	a := dbtest.PaidOrder(t, d, s, "a@example.com", nil, now, s.SeatIDs[0])
	b := dbtest.PaidOrder(t, d, s, "b@example.com", nil, now, s.SeatIDs[1])
	ctx := context.Background()
	var wg sync.WaitGroup
	got := make([]int64, 8)
	for i := range got {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			n, _, err := d.ReceiptNumber(ctx, a.ID, now)
			if err != nil {
				t.Error(err)
			}
			got[i] = n
		}(i)
	}
	wg.Wait()
	for _, n := range got {
		if n != got[0] || n == 0 {
			t.Fatalf("numbers %v", got)
		}
	}
	nb, _, err := d.ReceiptNumber(ctx, b.ID, now)
	if err != nil || nb != got[0]+1 {
		t.Fatalf("next number %d after %d (%v)", nb, got[0], err)
	}
	// An unpaid order has no receipt.
	res, err := dbtest.SQL(t, d).ExecContext(ctx, `UPDATE orders SET paid_at = NULL, receipt_number = NULL WHERE id = $1`, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	_ = res
	if _, _, err := d.ReceiptNumber(ctx, b.ID, now); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("unpaid: %v", err)
	}
}
