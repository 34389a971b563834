package sales_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/sales"
)

var showStart = time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)

// env is a database with one 200-seat showtime (dbtest.AddShowtime) and a
// sales service over it following the change feed, as in production.
type env struct {
	t     *testing.T
	ctx   context.Context
	clock *booking.ManualClock
	dsn   string
	db    *db.DB
	show  dbtest.Show
	svc   *sales.Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clock := booking.NewManualClock(showStart.Add(-2 * time.Hour))
	store, dsn := dbtest.NewWithDSN(t, clock)
	e := &env{t: t, ctx: context.Background(), clock: clock, dsn: dsn, db: store, show: dbtest.AddShowtime(t, store, showStart)}
	e.svc = e.instance()
	return e
}

// instance is one more process selling the same showtime: its own service
// and change feed over the same database.
func (e *env) instance() *sales.Service {
	e.t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := db.NewNotifier(e.dsn, logger, db.NotifyChannels...)
	if err != nil {
		e.t.Fatal(err)
	}
	svc := sales.New(sales.Deps{DB: e.db, Feed: n, Clock: e.clock, Logger: logger, Settings: booking.DefaultSettings()})
	e.t.Cleanup(func() { svc.Close(); n.Close() })
	return svc
}

// seat is the id of a seat by row (0 = A) and index in the row.
func (e *env) seat(row, i int) int64 { return e.show.SeatIDs[row*20+i] }

// state is how a seat looks to the viewer with cart on svc right now.
func (e *env) state(svc *sales.Service, cart string, seatID int64) booking.SeatState {
	e.t.Helper()
	v, err := svc.View(e.ctx, e.show.ShowtimeID, cart)
	if err != nil {
		e.t.Fatal(err)
	}
	i, ok := v.Show.Layout.Index(seatID)
	if !ok {
		e.t.Fatalf("seat %d not in the layout", seatID)
	}
	return v.States[i]
}

func (e *env) hold(cart string, seatID int64, companion bool) (sales.Result, error) {
	return e.svc.Hold(e.ctx, sales.HoldRequest{ShowtimeID: e.show.ShowtimeID, Cart: cart, SeatID: seatID, Companion: companion})
}

// A granted hold shows in the answer and in this instance's snapshot at
// once, and is announced: another instance's subscribers are woken and its
// map shows the seat held.
func TestHoldAnnouncedAndApplied(t *testing.T) {
	e := newEnv(t)
	other := e.instance()
	id, seat := e.show.ShowtimeID, e.seat(3, 7)
	if got := e.state(other, "", seat); got != booking.StateFree {
		t.Fatalf("seat %v at the start", got)
	}
	changes, stop, err := other.Subscribe(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	res, err := e.hold("cart-a", seat, false)
	if err != nil {
		t.Fatal(err)
	}
	i, _ := res.View.Show.Layout.Index(seat)
	if res.View.States[i] != booking.StateMine || len(res.View.Mine) != 1 || res.View.Mine[0].SeatID != seat || !slices.Equal(res.Seats, []int64{seat}) {
		t.Fatalf("answer: state %v, mine %v, seats %v", res.View.States[i], res.View.Mine, res.Seats)
	}
	if got := e.state(e.svc, "cart-a", seat); got != booking.StateMine {
		t.Fatalf("own snapshot shows %v to the holder", got)
	}
	if got := e.state(e.svc, "", seat); got != booking.StateHeld {
		t.Fatalf("own snapshot shows %v to others", got)
	}
	select {
	case <-changes:
	case <-time.After(10 * time.Second):
		t.Fatal("the other instance was never told")
	}
	for deadline := time.Now().Add(10 * time.Second); e.state(other, "", seat) != booking.StateHeld; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the other instance's map never showed the hold")
		}
	}

	// Another cart is refused without the database (the seat is known taken),
	// as a refusal: its map is out of date.
	if res, err := e.hold("cart-b", seat, false); booking.ErrorCode(err) != booking.ECONFLICT || !res.Refused {
		t.Fatalf("second cart: %v (refused %v), want a refused conflict", err, res.Refused)
	}
	// The other instance, whose snapshot may lag, is refused by the database.
	if res, err := other.Hold(e.ctx, sales.HoldRequest{ShowtimeID: id, Cart: "cart-c", SeatID: seat}); booking.ErrorCode(err) != booking.ECONFLICT || !res.Refused {
		t.Fatalf("other instance: %v (refused %v), want a refused conflict", err, res.Refused)
	}
	// A double click is answered as held.
	if res, err := e.hold("cart-a", seat, false); err != nil || len(res.View.Mine) != 1 {
		t.Fatalf("double click: %v, mine %v", err, res.View.Mine)
	}
	// Not a seat of this auditorium: an error about the request, not a refusal.
	if res, err := e.hold("cart-a", 999999, false); booking.ErrorCode(err) != booking.EINVALID || res.Refused {
		t.Fatalf("unknown seat: %v (refused %v)", err, res.Refused)
	}

	// Release frees it, here at once.
	res, err = e.svc.Release(e.ctx, id, "cart-a", seat)
	if err != nil || len(res.View.Mine) != 0 {
		t.Fatalf("release: %v, mine %v", err, res.View.Mine)
	}
	if got := e.state(e.svc, "", seat); got != booking.StateFree {
		t.Fatalf("after release: %v", got)
	}
}

// The wheelchair space is held with its companion seat when asked; a taken
// companion seat refuses both with its own message.
func TestHoldCompanion(t *testing.T) {
	e := newEnv(t)
	space, companion := e.seat(0, 0), e.seat(0, 1)
	res, err := e.hold("cart-a", space, true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Seats, []int64{space, companion}) || len(res.View.Mine) != 2 {
		t.Fatalf("seats %v, mine %v: want the space and its companion", res.Seats, res.View.Mine)
	}
	if _, err := e.svc.Release(e.ctx, e.show.ShowtimeID, "cart-a", space); err != nil {
		t.Fatal(err)
	}
	// cart-a keeps the companion seat; cart-b asks for the space with it.
	res, err = e.hold("cart-b", space, true)
	if booking.ErrorCode(err) != booking.ECONFLICT || !res.Refused || err.Error() != booking.ErrCompanionTaken().Error() {
		t.Fatalf("taken companion: %v (refused %v)", err, res.Refused)
	}
	if got := e.state(e.svc, "", space); got != booking.StateFree {
		t.Fatalf("the space was held (%v) though its companion seat was taken", got)
	}
	// Alone, the space can be held.
	if _, err := e.hold("cart-b", space, false); err != nil {
		t.Fatalf("space alone: %v", err)
	}
}

// takeQuietly takes seats in the store without telling anyone (a quiet hold
// whose announcement was lost), so the service's snapshot is out of date.
func (e *env) takeQuietly(cart string, seats []int64) {
	e.t.Helper()
	now := e.clock.Now()
	if _, err := e.db.HoldSeats(e.ctx, db.Hold{ShowtimeID: e.show.ShowtimeID, CartID: cart, SeatIDs: seats,
		TicketType: "adult", Now: now, Until: now.Add(10 * time.Minute), Max: 10, Quiet: true}); err != nil {
		e.t.Fatal(err)
	}
}

// firstBest are the seats best seats would choose on an empty map.
func (e *env) firstBest(n int) []int64 {
	e.t.Helper()
	v, err := e.svc.View(e.ctx, e.show.ShowtimeID, "")
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []int64
	for _, s := range booking.BestSeats(v.Show.Layout, func(int64) bool { return false }, n) {
		ids = append(ids, s.ID)
	}
	return ids
}

// Best seats chosen from an out-of-date snapshot conflict in the database;
// the service looks at the truth and chooses again.
func TestBestRetriesOnConflict(t *testing.T) {
	e := newEnv(t)
	first := e.firstBest(2) // also loads the snapshot
	e.takeQuietly("quicker", first)
	res, err := e.svc.Best(e.ctx, e.show.ShowtimeID, "cart-a", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Seats) != 2 || slices.ContainsFunc(res.Seats, func(id int64) bool { return slices.Contains(first, id) }) {
		t.Fatalf("granted %v; the quicker cart has %v", res.Seats, first)
	}
	if len(res.View.Mine) != 2 {
		t.Fatalf("mine %v", res.View.Mine)
	}
	for _, id := range first {
		if got := e.state(e.svc, "", id); got != booking.StateHeld {
			t.Errorf("seat %d taken by the quicker cart shows %v after the retry", id, got)
		}
	}
	// Best replaces the selection.
	res, err = e.svc.Best(e.ctx, e.show.ShowtimeID, "cart-a", 3)
	if err != nil || len(res.View.Mine) != 3 {
		t.Fatalf("replace: %v, mine %v", err, res.View.Mine)
	}
	if _, err := e.svc.Best(e.ctx, e.show.ShowtimeID, "cart-a", 0); booking.ErrorCode(err) != booking.EINVALID {
		t.Fatalf("quantity 0: %v", err)
	}
}

type fakeTender struct{ paid []string }

func (f *fakeTender) Pay(_ context.Context, o booking.Order) error {
	f.paid = append(f.paid, o.Code)
	return nil
}

// An order placed in one go: named seats are exactly those (or refused),
// best seats are chosen again after a conflict; ticket types go in seat order.
func TestPlaceOrder(t *testing.T) {
	e := newEnv(t)
	id := e.show.ShowtimeID
	place := func(r sales.OrderRequest) (sales.Placed, error) {
		r.ShowtimeID, r.Email = id, "buyer@example.com"
		return e.svc.PlaceOrder(e.ctx, r)
	}
	p, err := place(sales.OrderRequest{Seats: []string{" f13", "F12 "}, TicketTypes: map[string]int{"child": 1, "adult": 1}})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Created || p.Order.Status != booking.OrderPendingPayment || len(p.Order.Items) != 2 {
		t.Fatalf("placed %+v", p)
	}
	got := map[string]string{}
	for _, it := range p.Order.Items {
		got[it.Label()] = it.TicketType
	}
	if got["F12"] != "adult" || got["F13"] != "child" {
		t.Fatalf("items %v: want F12 adult, F13 child", got)
	}
	if st := e.state(e.svc, "", e.seat(5, 11)); st == booking.StateFree {
		t.Fatal("F12 still shows free after the order")
	}
	for name, seats := range map[string][]string{"taken": {"F12"}, "twice": {"G1", "g1"}, "unknown": {"Z99"}} {
		_, err := place(sales.OrderRequest{Seats: seats})
		want := booking.EINVALID
		if name == "taken" {
			want = booking.ECONFLICT
		}
		if booking.ErrorCode(err) != want {
			t.Errorf("%s: %v, want %s", name, err, want)
		}
	}
	if _, err := place(sales.OrderRequest{Seats: []string{"G1"}, TicketTypes: map[string]int{"adult": 2}}); booking.ErrorCode(err) != booking.EINVALID {
		t.Errorf("counts not adding up: %v", err)
	}

	// Best seats: the first choice is taken behind the snapshot's back.
	first := e.firstBest(3)
	e.takeQuietly("quicker", first)
	tender := &fakeTender{}
	p, err = place(sales.OrderRequest{Quantity: 3, IdempotencyKey: "k1", Fingerprint: "f1", UserID: nil, Tender: tender})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Order.Items) != 3 {
		t.Fatalf("best: %d items", len(p.Order.Items))
	}
	for _, it := range p.Order.Items {
		if slices.Contains(first, it.SeatID) {
			t.Fatalf("best seats took seat %d of the quicker cart", it.SeatID)
		}
	}
	if !slices.Equal(tender.paid, []string{p.Order.Code}) {
		t.Fatalf("tender paid %v, want the new order %s", tender.paid, p.Order.Code)
	}
	// Seats named for the same showtime that the first attempt can't have: a
	// conflict on named seats is not retried.
	e.takeQuietly("quicker-2", []int64{e.seat(9, 0)})
	if _, err := place(sales.OrderRequest{Seats: []string{"J1"}}); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("named seat taken behind the snapshot's back: %v", err)
	}
	// A counter window can refuse a sale.
	closed := func(booking.Showtime, time.Time, booking.Settings) (time.Time, error) {
		return time.Time{}, booking.Errorf(booking.EGONE, "The box office is closed.")
	}
	if _, err := place(sales.OrderRequest{Seats: []string{"H1"}, Window: closed}); booking.ErrorCode(err) != booking.EGONE {
		t.Fatalf("closed window: %v", err)
	}
}

// Checkout turns the cart's holds into an order; its seats stay taken in the
// snapshot, for the order.
func TestCheckout(t *testing.T) {
	e := newEnv(t)
	id := e.show.ShowtimeID
	for _, s := range []int64{e.seat(2, 2), e.seat(2, 3)} {
		if _, err := e.hold("cart-a", s, false); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := e.svc.Checkout(e.ctx, sales.CheckoutRequest{ShowtimeID: id, Cart: "cart-a", Email: "not an address"}); booking.ErrorCode(err) != booking.EINVALID || res.Refused {
		t.Fatalf("bad e-mail: %v (refused %v)", err, res.Refused)
	}
	res, err := e.svc.Checkout(e.ctx, sales.CheckoutRequest{ShowtimeID: id, Cart: "cart-a", Email: "me@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Order == nil || len(res.Order.Items) != 2 || res.Order.Email != "me@example.com" {
		t.Fatalf("order %+v", res.Order)
	}
	v, err := e.svc.View(e.ctx, id, "cart-a")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Mine) != 0 {
		t.Fatalf("the cart still holds %v after checkout", v.Mine)
	}
	if got := e.state(e.svc, "", e.seat(2, 2)); got == booking.StateFree {
		t.Fatal("an ordered seat shows free")
	}
	// Nothing left in the cart: refused.
	if res, err := e.svc.Checkout(e.ctx, sales.CheckoutRequest{ShowtimeID: id, Cart: "cart-a", Email: "me@example.com"}); err == nil || !res.Refused {
		t.Fatalf("empty cart: %v (refused %v)", err, res.Refused)
	}
}

// Subscriptions: unknown showtimes are refused; EndStreams ends them all.
func TestSubscribeAndEndStreams(t *testing.T) {
	e := newEnv(t)
	if _, _, err := e.svc.Subscribe(e.ctx, 999999); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("unknown showtime: %v", err)
	}
	_, stop, err := e.svc.Subscribe(e.ctx, e.show.ShowtimeID)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	e.svc.EndStreams()
	select {
	case <-e.svc.Done():
	case <-time.After(time.Second):
		t.Fatal("Done not closed by EndStreams")
	}
}
