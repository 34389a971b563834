package sales_test

import (
	"strings"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db/dbtest"
	"marquee/sales"
)

// eventually retries cond until it holds (the change feed reloads the
// showtime's prices after a catalogue change), failing after 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *env) sql(q string, args ...any) {
	e.t.Helper()
	if _, err := dbtest.SQL(e.t, e.db).Exec(q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

func (e *env) orderCount() int {
	e.t.Helper()
	var n int
	if err := dbtest.SQL(e.t, e.db).Get(&n, `SELECT count(*) FROM orders`); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// The rating rule holds on every road through sales: a held seat's ticket
// type (the web), an order placed in one go (the API) and a counter sale,
// priced or quoted. A type for any age still sells, and nothing is claimed
// for a refused order.
func TestRatingRuleOnEveryRoad(t *testing.T) {
	e := newEnv(t)
	e.sql(`UPDATE ticket_types SET max_age = 11 WHERE code = 'child'`)
	e.sql(`UPDATE movies SET rating = 'R18' WHERE id = $1`, e.show.MovieID)
	e.svc = e.instance() // a fresh instance: no cached prices from before
	id := e.show.ShowtimeID

	v, err := e.svc.View(e.ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range v.Show.Card.TicketTypes {
		if tt.Code == "child" {
			t.Fatal("the picker offers a child ticket for an R18 film")
		}
	}
	// Online: the picker's request, forged.
	if _, err := e.hold("cart-1", e.seat(2, 5), false); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.SetTicketType(e.ctx, sales.TicketTypeRequest{ShowtimeID: id, Cart: "cart-1", SeatID: e.seat(2, 5), TicketType: "child"})
	if booking.ErrorCode(err) != booking.EINVALID || !strings.Contains(err.Error(), "rated R18") {
		t.Fatalf("set child type: %v", err)
	}
	if _, err := e.svc.SetTicketType(e.ctx, sales.TicketTypeRequest{ShowtimeID: id, Cart: "cart-1", SeatID: e.seat(2, 5), TicketType: "senior"}); err != nil {
		t.Fatalf("set senior: %v", err)
	}
	// The API's and the counter's roads.
	for name, window := range map[string]func(booking.Showtime, time.Time, booking.Settings) (time.Time, error){
		"api": nil, "counter": booking.CounterUntil,
	} {
		r := sales.OrderRequest{ShowtimeID: id, Seats: []string{"C1", "C2"}, TicketTypes: map[string]int{"adult": 1, "child": 1},
			Email: "a@example.com", Window: window}
		if _, err := e.svc.PlaceOrder(e.ctx, r); booking.ErrorCode(err) != booking.EINVALID || !strings.Contains(err.Error(), "rated R18") {
			t.Errorf("%s: place order with a child ticket: %v", name, err)
		}
		if _, err := e.svc.Quote(e.ctx, r); booking.ErrorCode(err) != booking.EINVALID {
			t.Errorf("%s: quote with a child ticket: %v", name, err)
		}
	}
	if n := e.orderCount(); n != 0 {
		t.Fatalf("%d orders after refused ones", n)
	}
	p, err := e.svc.PlaceOrder(e.ctx, sales.OrderRequest{ShowtimeID: id, Seats: []string{"C1", "C2"}, TicketTypes: map[string]int{"adult": 1, "senior": 1}, Email: "a@example.com"})
	if err != nil {
		t.Fatalf("adult and senior: %v", err)
	}
	if len(p.Order.Items) != 2 {
		t.Fatalf("items %+v", p.Order.Items)
	}
	// A PG-13 film sells the child ticket again (the catalogue change reloads the card).
	e.sql(`UPDATE movies SET rating = 'PG-13' WHERE id = $1`, e.show.MovieID)
	eventually(t, "the child ticket back", func() bool {
		v, err := e.svc.View(e.ctx, id, "")
		return err == nil && v.Show.Card.HasTicketType("child")
	})
}

// A retired ticket type isn't sold any more; orders that have it keep it.
func TestRetiredTicketType(t *testing.T) {
	e := newEnv(t)
	id := e.show.ShowtimeID
	p, err := e.svc.PlaceOrder(e.ctx, sales.OrderRequest{ShowtimeID: id, Seats: []string{"D1"}, TicketTypes: map[string]int{"senior": 1}, Email: "a@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	if _, err := e.db.SetTicketTypeRetired(e.ctx, "senior", &now); err != nil {
		t.Fatal(err)
	}
	eventually(t, "senior retired", func() bool {
		v, err := e.svc.View(e.ctx, id, "")
		return err == nil && !v.Show.Card.HasTicketType("senior")
	})
	_, err = e.svc.PlaceOrder(e.ctx, sales.OrderRequest{ShowtimeID: id, Seats: []string{"D2"}, TicketTypes: map[string]int{"senior": 1}, Email: "a@example.com"})
	if booking.ErrorCode(err) != booking.EINVALID || !strings.Contains(err.Error(), "no longer sold") {
		t.Fatalf("retired type: %v", err)
	}
	o, err := e.db.OrderByCode(e.ctx, p.Order.Code)
	if err != nil || o.Items[0].TicketType != "senior" || o.Items[0].PriceCents != 1000 {
		t.Fatalf("old order %+v %v", o.Items, err)
	}
}

// Zone and day-part prices are resolved at checkout against the showtime's
// card in PostgreSQL, and recorded on the order: a later change of price
// leaves the order as it was, and the next sale takes the new price.
func TestZoneAndDayPartPricesAtCheckout(t *testing.T) {
	e := newEnv(t)
	id := e.show.ShowtimeID
	// Row A's standard seats are the "front" zone. The show starts on a
	// Wednesday at 20:00 in London: the evening.
	e.sql(`UPDATE seats SET zone = 'front' WHERE auditorium_id = $1 AND row_label = 'A' AND kind = 'standard'`, e.show.AuditoriumID)
	e.sql(`INSERT INTO price_card_prices (price_card_id, ticket_type, seat_kind, zone, day_part, amount_cents) VALUES
		($1, 'adult', 'standard', '', 'evening', 1350),
		($1, 'adult', 'standard', '', 'matinee', 950),
		($1, 'adult', '', 'front', '', 800),
		($1, 'adult', '', 'front', 'weekend', 1000),
		($1, 'child', 'premium', '', 'evening', 1400)`, e.show.PriceCardID)
	e.svc = e.instance()

	// Online: hold and check out a zone seat, a standard seat, a premium child seat.
	cart := "cart-zones"
	for _, s := range []int64{e.seat(0, 5), e.seat(1, 5), e.seat(6, 8)} {
		if _, err := e.hold(cart, s, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.SetTicketType(e.ctx, sales.TicketTypeRequest{ShowtimeID: id, Cart: cart, SeatID: e.seat(6, 8), TicketType: "child"}); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.Checkout(e.ctx, sales.CheckoutRequest{ShowtimeID: id, Cart: cart, Email: "z@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	prices := func(o booking.Order) map[int64]int64 {
		m := map[int64]int64{}
		for _, it := range o.Items {
			m[it.SeatID] = it.PriceCents
		}
		return m
	}
	got := prices(*res.Order)
	if got[e.seat(0, 5)] != 800 || got[e.seat(1, 5)] != 1350 || got[e.seat(6, 8)] != 1400 {
		t.Fatalf("checkout prices %v (want zone 800, evening 1350, child premium evening 1400)", got)
	}
	if res.Order.SubtotalCents != 800+1350+1400 {
		t.Fatalf("subtotal %d", res.Order.SubtotalCents)
	}
	// The API road prices the same way.
	p, err := e.svc.PlaceOrder(e.ctx, sales.OrderRequest{ShowtimeID: id, Seats: []string{"A7", "B7"}, Email: "z@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if pp := prices(p.Order); pp[e.seat(0, 6)] != 800 || pp[e.seat(1, 6)] != 1350 {
		t.Fatalf("placed prices %v", pp)
	}

	// The manager changes the card: orders keep their prices, new sales take the new ones.
	card, err := e.db.PriceCard(e.ctx, e.show.PriceCardID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range card.Prices {
		card.Prices[i].AmountCents += 100
	}
	if _, err := e.db.SavePriceCard(e.ctx, card, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]map[int64]int64{
		res.Order.Code: {e.seat(0, 5): 800, e.seat(1, 5): 1350, e.seat(6, 8): 1400},
		p.Order.Code:   {e.seat(0, 6): 800, e.seat(1, 6): 1350},
	} {
		o, err := e.db.OrderByCode(e.ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		for seat, cents := range want {
			if prices(o)[seat] != cents {
				t.Errorf("order %s seat %d: %d after the price change, want %d", code, seat, prices(o)[seat], cents)
			}
		}
	}
	eventually(t, "the new prices", func() bool {
		q, err := e.svc.Quote(e.ctx, sales.OrderRequest{ShowtimeID: id, Seats: []string{"A9"}})
		return err == nil && q.SubtotalCents == 900
	})
	p2, err := e.svc.PlaceOrder(e.ctx, sales.OrderRequest{ShowtimeID: id, Seats: []string{"A9", "B9"}, Email: "z@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if pp := prices(p2.Order); pp[e.seat(0, 8)] != 900 || pp[e.seat(1, 8)] != 1450 {
		t.Fatalf("prices after the change %v", pp)
	}
}
