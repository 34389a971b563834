package db_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand"
	"strconv"
	"sync"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
)

var start = time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)

func hold(d *db.DB, s dbtest.Show, cart string, now time.Time, seats ...int64) (db.HoldResult, error) {
	return d.HoldSeats(context.Background(), db.Hold{
		ShowtimeID: s.ShowtimeID, CartID: cart, SeatIDs: seats, TicketType: "adult",
		Now: now, Until: now.Add(10 * time.Minute), Max: 10,
	})
}

// pendingOrder holds seats for cart and checks the cart out: an order
// awaiting payment.
func pendingOrder(t *testing.T, d *db.DB, s dbtest.Show, layout *booking.Layout, card booking.PriceCard, cart string, now time.Time, seats ...int64) booking.Order {
	t.Helper()
	if _, err := hold(d, s, cart, now, seats...); err != nil {
		t.Fatal(err)
	}
	o, err := d.CheckoutCart(context.Background(), db.Checkout{ShowtimeID: s.ShowtimeID, CartID: cart, Email: "a@example.com", Now: now,
		Layout: layout, Card: card, Settings: booking.DefaultSettings()})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestHoldRace races 250 goroutines, each its own cart, for the seats of one
// showtime, over several rounds. Between rounds the clock moves past the hold
// length, so every round also races to reclaim expired holds. No seat may
// ever be granted twice, and every request gets a clear answer: granted or
// conflict (seat taken) — nothing else.
//
// It runs twice: straight through HoldSeats, and through a Claimer (the seat
// map's batched clicks: single seats batched, the 3-seat requests still one
// transaction each, both at once).
func TestHoldRace(t *testing.T) {
	t.Run("direct", func(t *testing.T) { testHoldRace(t, false) })
	t.Run("claimer", func(t *testing.T) { testHoldRace(t, true) })
}

func testHoldRace(t *testing.T, batched bool) {
	clock := booking.NewManualClock(start.Add(-3 * time.Hour))
	d := dbtest.New(t, clock)
	s := dbtest.AddShowtime(t, d, start)
	hold := hold
	if batched {
		c := d.NewClaimer(3)
		t.Cleanup(c.Close)
		hold = func(d *db.DB, s dbtest.Show, cart string, now time.Time, seats ...int64) (db.HoldResult, error) {
			return c.Hold(context.Background(), db.Hold{
				ShowtimeID: s.ShowtimeID, CartID: cart, SeatIDs: seats, TicketType: "adult",
				Now: now, Until: now.Add(10 * time.Minute), Max: 10,
			})
		}
	}
	const goroutines = 250
	for round := 0; round < 5; round++ {
		now := clock.Now()
		// Contention: everyone wants one of 40 seats; some want 3 together.
		hot := s.SeatIDs[80:120]
		var mu sync.Mutex
		owner := map[int64]string{}
		var granted, conflicts int
		var wg sync.WaitGroup
		errs := make(chan error, goroutines)
		for g := 0; g < goroutines; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				cart := fmt.Sprintf("r%d-c%d", round, g)
				r := rand.New(rand.NewSource(int64(round*1000 + g)))
				var seats []int64
				if g%4 == 0 {
					i := r.Intn(len(hot) - 2)
					seats = hot[i : i+3]
				} else {
					seats = []int64{hot[r.Intn(len(hot))]}
				}
				res, err := hold(d, s, cart, now, seats...)
				mu.Lock()
				defer mu.Unlock()
				switch booking.ErrorCode(err) {
				case "":
					granted++
					if len(res.Granted) != len(seats) {
						errs <- fmt.Errorf("cart %s: granted %v of %v", cart, res.Granted, seats)
					}
					for _, id := range res.Granted {
						if prev, ok := owner[id]; ok {
							errs <- fmt.Errorf("seat %d granted to %s and %s", id, prev, cart)
						}
						owner[id] = cart
					}
				case booking.ECONFLICT:
					conflicts++
				default:
					errs <- fmt.Errorf("cart %s: unclear answer: %v", cart, err)
				}
			}(g)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if granted+conflicts != goroutines || granted == 0 || conflicts == 0 {
			t.Fatalf("round %d: granted %d conflicts %d", round, granted, conflicts)
		}
		// The database agrees with what was granted.
		claims, err := d.Claims(context.Background(), s.ShowtimeID)
		if err != nil {
			t.Fatal(err)
		}
		live := 0
		for _, c := range claims {
			if !c.Live(now) {
				continue
			}
			live++
			if owner[c.SeatID] != c.CartID {
				t.Fatalf("round %d: seat %d held by %q, granted to %q", round, c.SeatID, c.CartID, owner[c.SeatID])
			}
		}
		if live != len(owner) {
			t.Fatalf("round %d: %d live claims, %d seats granted", round, live, len(owner))
		}
		clock.Advance(11 * time.Minute) // every hold of this round expires
	}
}

func TestHoldReleaseAndLimits(t *testing.T) {
	clock := booking.NewManualClock(start.Add(-time.Hour))
	d := dbtest.New(t, clock)
	s := dbtest.AddShowtime(t, d, start)
	ctx := context.Background()
	now := clock.Now()
	a, b := s.SeatIDs[0+5], s.SeatIDs[6]

	res, err := hold(d, s, "cart1", now, a)
	if err != nil || len(res.Granted) != 1 || !res.ExpiresAt.Equal(now.Add(10*time.Minute)) {
		t.Fatalf("hold: %+v %v", res, err)
	}
	if _, err := hold(d, s, "cart2", now, a); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("second cart: %v", err)
	}
	// A later seat of the same cart shares the cart's timer.
	res, err = hold(d, s, "cart1", now.Add(time.Minute), b)
	if err != nil || !res.ExpiresAt.Equal(now.Add(10*time.Minute)) {
		t.Fatalf("second seat: %+v %v", res, err)
	}
	// All or nothing: a block containing a taken seat takes nothing.
	if _, err := hold(d, s, "cart2", now, s.SeatIDs[7], b); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("block: %v", err)
	}
	if cs, _ := d.CartHolds(ctx, s.ShowtimeID, "cart2"); len(cs) != 0 {
		t.Fatalf("cart2 holds %v after a refused block", cs)
	}
	// Max seats per cart.
	_, err = d.HoldSeats(ctx, db.Hold{ShowtimeID: s.ShowtimeID, CartID: "cart1", SeatIDs: s.SeatIDs[20:29],
		TicketType: "adult", Now: now, Until: now.Add(10 * time.Minute), Max: 10})
	if booking.ErrorCode(err) != booking.EINVALID {
		t.Fatalf("over max: %v", err)
	}
	// Release only what the cart holds.
	claims := d.NewClaimer(1)
	defer claims.Close()
	if rel, err := claims.Release(ctx, s.ShowtimeID, "cart2", []int64{a}); err != nil || len(rel) != 0 {
		t.Fatalf("foreign release: %v %v", rel, err)
	}
	if rel, err := claims.Release(ctx, s.ShowtimeID, "cart1", []int64{a}); err != nil || len(rel) != 1 {
		t.Fatalf("release: %v %v", rel, err)
	}
	if _, err := hold(d, s, "cart2", now, a); err != nil {
		t.Fatalf("released seat: %v", err)
	}
	// Ticket type of a held seat.
	if err := d.SetTicketType(ctx, s.ShowtimeID, "cart1", b, "child", now); err != nil {
		t.Fatal(err)
	}
	if err := d.SetTicketType(ctx, s.ShowtimeID, "cart1", a, "child", now); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("type of a foreign seat: %v", err)
	}
	// Expired holds are reclaimed by the same statement, and swept.
	later := now.Add(10 * time.Minute)
	if _, err := hold(d, s, "cart3", later, b); err != nil {
		t.Fatalf("reclaim expired: %v", err)
	}
	n, err := d.DeleteExpiredHolds(ctx, later)
	if err != nil || n != 1 { // cart2's hold on a; cart3's fresh hold stays
		t.Fatalf("swept %d: %v", n, err)
	}
	// Retime: shrink cart3's hold.
	if n, err := d.RetimeHolds(ctx, s.ShowtimeID, "cart3", later.Add(time.Minute), later); err != nil || n != 1 {
		t.Fatalf("retime: %d %v", n, err)
	}
	// Replace: best seats swap the selection in one transaction.
	res, err = d.HoldSeats(ctx, db.Hold{ShowtimeID: s.ShowtimeID, CartID: "cart3", SeatIDs: s.SeatIDs[100:102],
		TicketType: "adult", Now: later, Until: later.Add(10 * time.Minute), Max: 2, Replace: true})
	if err != nil || len(res.Granted) != 2 {
		t.Fatalf("replace: %+v %v", res, err)
	}
	if cs, _ := d.CartHolds(ctx, s.ShowtimeID, "cart3"); len(cs) != 2 {
		t.Fatalf("after replace: %v", cs)
	}
}

func testLayout(t *testing.T, d *db.DB, s dbtest.Show) (*booking.Layout, booking.PriceCard) {
	t.Helper()
	seats, err := d.AuditoriumSeats(context.Background(), s.AuditoriumID)
	if err != nil {
		t.Fatal(err)
	}
	card, err := d.PriceCard(context.Background(), s.PriceCardID)
	if err != nil {
		t.Fatal(err)
	}
	return booking.NewLayout(seats), card
}

func TestCheckoutExpiryAndTransitions(t *testing.T) {
	clock := booking.NewManualClock(start.Add(-time.Hour))
	d := dbtest.New(t, clock)
	s := dbtest.AddShowtime(t, d, start)
	ctx := context.Background()
	layout, card := testLayout(t, d, s)
	now := clock.Now()
	premium := s.SeatIDs[5*20+6] // row F, centre section
	if _, err := hold(d, s, "cart", now, s.SeatIDs[10], premium); err != nil {
		t.Fatal(err)
	}
	if err := d.SetTicketType(ctx, s.ShowtimeID, "cart", s.SeatIDs[10], "child", now); err != nil {
		t.Fatal(err)
	}
	co := db.Checkout{ShowtimeID: s.ShowtimeID, CartID: "cart", Email: "a@example.com", Now: now.Add(time.Minute),
		Layout: layout, Card: card, Settings: booking.DefaultSettings()}
	o, err := d.CheckoutCart(ctx, co)
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != booking.OrderPendingPayment || len(o.Items) != 2 || len(o.Code) != 12 {
		t.Fatalf("order %+v", o)
	}
	if o.SubtotalCents != 900+1650 || o.FeeCents != 200 || o.TotalCents != 2750 || !o.HoldExpiresAt.Equal(now.Add(10*time.Minute)) {
		t.Fatalf("totals %+v", o)
	}
	// The cart is empty; the seats are still taken, by the order.
	if cs, _ := d.CartHolds(ctx, s.ShowtimeID, "cart"); len(cs) != 0 {
		t.Fatalf("cart after checkout: %v", cs)
	}
	if _, err := hold(d, s, "other", now.Add(2*time.Minute), premium); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("seat of a pending order: %v", err)
	}
	// Checking out an empty cart says so.
	if _, err := d.CheckoutCart(ctx, co); booking.ErrorCode(err) != booking.EINVALID {
		t.Fatalf("empty checkout: %v", err)
	}
	// Before the hold ends nothing is swept; after, the order expires and the seats are free.
	if n, _, err := d.Sweep(ctx, now.Add(9*time.Minute)); err != nil || n != 0 {
		t.Fatalf("early sweep: %d %v", n, err)
	}
	if n, _, err := d.Sweep(ctx, now.Add(10*time.Minute)); err != nil || n != 1 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	o, _ = d.OrderByCode(ctx, o.Code)
	if o.Status != booking.OrderExpired || o.Items[0].Status != booking.ItemReleased {
		t.Fatalf("after sweep %+v", o)
	}
	if cs, _ := d.Claims(ctx, s.ShowtimeID); len(cs) != 0 {
		t.Fatalf("claims after sweep: %v", cs)
	}
	// Transitions go through the state machine.
	if err := d.TransitionOrder(ctx, o.ID, booking.OrderRefunded, now); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("expired → refunded: %v", err)
	}
	if _, err := hold(d, s, "cart", now.Add(11*time.Minute), s.SeatIDs[10]); err != nil {
		t.Fatal(err)
	}
	co.Now = now.Add(11 * time.Minute)
	o2, err := d.CheckoutCart(ctx, co)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.TransitionOrder(ctx, o2.ID, booking.OrderPaid, co.Now); err != nil {
		t.Fatalf("pending → paid: %v", err)
	}
	if err := d.TransitionOrder(ctx, o2.ID, booking.OrderPaid, co.Now); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("paid → paid: %v", err)
	}
	o2, _ = d.OrderByCode(ctx, o2.Code)
	if o2.PaidAt == nil || o2.Status != booking.OrderPaid {
		t.Fatalf("paid order %+v", o2)
	}
}

func TestPlaceOrderIdempotent(t *testing.T) {
	clock := booking.NewManualClock(start.Add(-time.Hour))
	d := dbtest.New(t, clock)
	s := dbtest.AddShowtime(t, d, start)
	ctx := context.Background()
	layout, card := testLayout(t, d, s)
	var uid int64
	if err := dbtest.SQL(t, d).GetContext(ctx, &uid, `INSERT INTO users (email, name) VALUES ('api@example.com', 'API') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	seat := func(i int) booking.Seat { x, _ := layout.Seat(s.SeatIDs[i]); return x }
	now := clock.Now()
	p := db.PlaceOrder{ShowtimeID: s.ShowtimeID, UserID: &uid, Email: "api@example.com",
		Lines: []booking.Line{{Seat: seat(50), TicketType: "adult"}, {Seat: seat(51), TicketType: "senior"}},
		Now:   now, Until: now.Add(10 * time.Minute), Card: card, Settings: booking.DefaultSettings(),
		IdempotencyKey: "k1", Fingerprint: "f1"}
	// Concurrent duplicates: one order.
	var wg sync.WaitGroup
	codes := make([]string, 8)
	errs := make([]error, 8)
	for i := range codes {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r, err := d.PlaceOrder(ctx, p)
			codes[i], errs[i] = r.Order.Code, err
		}(i)
	}
	wg.Wait()
	for i := range codes {
		if errs[i] != nil || codes[i] != codes[0] {
			t.Fatalf("replay %d: %q %v (first %q)", i, codes[i], errs[i], codes[0])
		}
	}
	o, _ := d.OrderByCode(ctx, codes[0])
	if o.TotalCents != 1250+1000+200 || len(o.Items) != 2 {
		t.Fatalf("order %+v", o)
	}
	p.Fingerprint = "other"
	if _, err := d.PlaceOrder(ctx, p); booking.ErrorCode(err) != booking.EINVALID {
		t.Fatalf("reused key: %v", err)
	}
	p.IdempotencyKey, p.Fingerprint = "k2", "f2"
	if _, err := d.PlaceOrder(ctx, p); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("same seats, new key: %v", err)
	}
}

func TestClaimChangesNotify(t *testing.T) {
	clock := booking.NewManualClock(start.Add(-time.Hour))
	dsn := dbtest.NewDSN(t)
	d, err := db.Open(context.Background(), dsn, db.Options{MaxConns: 4, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s := dbtest.AddShowtime(t, d, start)
	n, err := db.NewNotifier(dsn, slog.Default(), db.NotifyChannels...)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ch, stop := n.Subscribe(db.ChannelSeats)
	defer stop()
	// A refused hold changes nothing and says nothing; a granted one notifies.
	if _, err := hold(d, s, "a", clock.Now(), s.SeatIDs[3]); err != nil {
		t.Fatal(err)
	}
	want := func(what string) {
		t.Helper()
		select {
		case msg := <-ch:
			if msg.Payload != strconv.FormatInt(s.ShowtimeID, 10) {
				t.Fatalf("%s: payload %q", what, msg.Payload)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no notification", what)
		}
	}
	want("hold")
	// Quiet changes don't notify; the caller announces them (NotifySeats).
	now := clock.Now()
	if _, err := d.HoldSeats(context.Background(), db.Hold{ShowtimeID: s.ShowtimeID, CartID: "b", SeatIDs: []int64{s.SeatIDs[4]},
		TicketType: "adult", Now: now, Until: now.Add(time.Minute), Max: 10, Quiet: true}); err != nil {
		t.Fatal(err)
	}
	claims := d.NewClaimer(1)
	defer claims.Close()
	if _, err := claims.Release(context.Background(), s.ShowtimeID, "b", []int64{s.SeatIDs[4]}); err != nil {
		t.Fatal(err)
	}
	// A marker sent afterwards must be the next message: notifications arrive
	// in commit order, so a leaked quiet one would come first.
	if err := d.NotifySeats(context.Background(), []int64{987654321}); err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-ch:
		if msg.Payload != "987654321" {
			t.Fatalf("a quiet change notified: %+v", msg)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no marker")
	}
	// A noisy release (cart "a" holds seat 3 alone) notifies by itself.
	if err := d.ReleaseCart(context.Background(), s.ShowtimeID, "a"); err != nil {
		t.Fatal(err)
	}
	want("release")
	if err := d.NotifySeats(context.Background(), []int64{s.ShowtimeID}); err != nil {
		t.Fatal(err)
	}
	want("announce")
}

// TestSweepConcurrent runs the sweeper of several "instances" at once: every
// unpaid order expires exactly once and every expired hold goes.
func TestSweepConcurrent(t *testing.T) {
	clock := booking.NewManualClock(start.Add(-time.Hour))
	d := dbtest.New(t, clock)
	s := dbtest.AddShowtime(t, d, start)
	ctx := context.Background()
	layout, card := testLayout(t, d, s)
	now := clock.Now()
	const orders = 60
	for i := 0; i < orders; i++ {
		pendingOrder(t, d, s, layout, card, fmt.Sprintf("c%d", i), now, s.SeatIDs[i])
	}
	for i := orders; i < orders+40; i++ { // plain holds
		if _, err := hold(d, s, fmt.Sprintf("h%d", i), now, s.SeatIDs[i]); err != nil {
			t.Fatal(err)
		}
	}
	later := now.Add(10 * time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	expired, deleted := 0, 0
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, h, err := d.Sweep(ctx, later)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			expired += o
			deleted += h
			mu.Unlock()
		}()
	}
	wg.Wait()
	if expired != orders || deleted != 40 {
		t.Fatalf("expired %d orders (want %d), deleted %d holds (want 40)", expired, orders, deleted)
	}
	var left int
	if err := dbtest.SQL(t, d).GetContext(ctx, &left, `SELECT count(*) FROM seat_claims`); err != nil || left != 0 {
		t.Fatalf("claims left %d %v", left, err)
	}
}
