package db_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/payment"
)

// A drawer closing while cash sales are being recorded: every sale is either
// in the totals the close froze, or refused for want of an open drawer (and
// recorded nothing). Never a payment attributed to a closed drawer after
// its expectation was frozen.
func TestDrawerCloseWhileSelling(t *testing.T) {
	clock := booking.NewManualClock(start.Add(-30 * time.Minute))
	d := dbtest.New(t, clock)
	ctx := context.Background()
	s := dbtest.AddShowtime(t, d, start)
	var theatre int64
	if err := dbtest.SQL(t, d).Get(&theatre, `SELECT theatre_id FROM auditoriums WHERE id = $1`, s.AuditoriumID); err != nil {
		t.Fatal(err)
	}
	staff, err := d.CreateUser(ctx, db.NewUser{Email: "till@example.com", PasswordHash: "x", Name: "Till", Role: booking.RoleStaff, Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.OpenDrawer(ctx, booking.NewDrawer{TheatreID: theatre, Till: "Till 1", StaffUserID: staff.ID, FloatCents: 5000, Now: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.OpenDrawer(ctx, booking.NewDrawer{TheatreID: theatre, Till: "Till 2", StaffUserID: staff.ID, Now: clock.Now()}); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("a second open drawer for the same staff member: %v", err)
	}
	dr, ok, err := d.OpenDrawerOf(ctx, staff.ID)
	if err != nil || !ok {
		t.Fatalf("open drawer: %v %v", ok, err)
	}
	const sales = 16
	codes := make([]string, sales)
	for i := range codes {
		codes[i] = dbtest.PendingOrder(t, d, s, "", nil, clock.Now(), s.SeatIDs[i]).Code
	}
	var wg sync.WaitGroup
	gate := make(chan struct{})
	var mu sync.Mutex
	paid, refused := 0, 0
	for _, code := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			_, err := d.SettleCounter(ctx, payment.CounterSettle{OrderCode: code, Provider: payment.ProviderCash, TenderedCents: 100000, StaffUserID: staff.ID, Now: clock.Now()})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				paid++
			case booking.ErrorCode(err) == booking.ECONFLICT:
				refused++
			default:
				t.Error(err)
			}
		}()
	}
	var closed booking.DrawerSession
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-gate
		var err error
		closed, err = d.CloseDrawer(ctx, dr.ID, staff.ID, 0, "", clock.Now(), func(x booking.DrawerSession) error { return booking.CheckDrawerClose(x, 0, "") })
		if err != nil {
			t.Error(err)
		}
	}()
	close(gate)
	wg.Wait()
	var sum int64
	var n int
	if err := dbtest.SQL(t, d).QueryRow(`SELECT coalesce(sum(amount_cents), 0), count(*) FROM payments WHERE drawer_session_id = $1`, dr.ID).Scan(&sum, &n); err != nil {
		t.Fatal(err)
	}
	if paid+refused != sales || n != paid {
		t.Fatalf("%d paid, %d refused, %d payments in the drawer", paid, refused, n)
	}
	if closed.Expected() != 5000+sum || closed.CashSales != paid {
		t.Fatalf("frozen expectation %d (%d sales), want 5000 + %d (%d sales)", closed.Expected(), closed.CashSales, sum, paid)
	}
	var stray int
	if err := dbtest.SQL(t, d).Get(&stray, `SELECT count(*) FROM payments WHERE provider = 'cash' AND drawer_session_id IS NULL`); err != nil || stray != 0 {
		t.Fatalf("%d cash payments without a drawer (%v)", stray, err)
	}
	t.Logf("%d sales before the close, %d refused after", paid, refused)
	// After the close, cash is refused and records nothing.
	late := dbtest.PendingOrder(t, d, s, "", nil, clock.Now(), s.SeatIDs[sales]).Code
	if _, err := d.SettleCounter(ctx, payment.CounterSettle{OrderCode: late, Provider: payment.ProviderCash, TenderedCents: 100000, StaffUserID: staff.ID, Now: clock.Now()}); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("cash after the close: %v", err)
	}
	if o, _ := d.OrderByCode(ctx, late); o.Status != booking.OrderPendingPayment {
		t.Fatalf("refused cash changed the order: %s", o.Status)
	}
	// A card sale without a drawer is fine, and counted in none.
	if _, err := d.SettleCounter(ctx, payment.CounterSettle{OrderCode: late, Provider: payment.ProviderCardPresent, CardReference: "T1", StaffUserID: staff.ID, Now: clock.Now()}); err != nil {
		t.Fatalf("card without a drawer: %v", err)
	}
}
