package payment_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db/dbtest"
	"marquee/payment"
)

func TestDemoGatewayLifecycle(t *testing.T) {
	now := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)
	store := dbtest.New(t, booking.NewManualClock(now))
	d := payment.NewDemo("http://127.0.0.1:8080", func() time.Time { return now }, store)
	ctx := context.Background()
	req := payment.CheckoutRequest{OrderCode: "CODE1", Currency: "usd", IdempotencyKey: "k1",
		Lines: []payment.Line{{Name: "Adult", UnitCents: 1200, Quantity: 2}}, ExpiresAt: now.Add(10 * time.Minute)}
	co, err := d.CreateCheckout(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := d.CreateCheckout(ctx, req)
	if again.ID != co.ID {
		t.Fatalf("idempotency key ignored: %s vs %s", again.ID, co.ID)
	}
	if evs, err := d.Pay(ctx, co.ID, payment.DemoDecline); err != nil || len(evs) != 0 {
		t.Fatalf("decline: %v %v", evs, err)
	}
	evs, err := d.Pay(ctx, co.ID, payment.DemoSucceed)
	if err != nil || len(evs) != 1 || evs[0].Type != payment.EventCheckoutCompleted || evs[0].Checkout.AmountCents != 2400 {
		t.Fatalf("succeed: %+v %v", evs, err)
	}
	if _, err := d.Pay(ctx, co.ID, payment.DemoSucceed); !errors.Is(err, payment.ErrDemoClosed) {
		t.Fatalf("paid twice: %v", err)
	}
	if err := d.ExpireCheckout(ctx, co.ID); !errors.Is(err, payment.ErrAlreadyPaid) {
		t.Fatalf("expire after pay: %v", err)
	}
	ref := evs[0].Checkout.PaymentRef
	if _, err := d.Refund(ctx, ref, 1200, "r1"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Refund(ctx, ref, 1300, "r2"); !errors.Is(err, payment.ErrDeclined) {
		t.Fatalf("over-refund: %v", err)
	}

	co2, _ := d.CreateCheckout(ctx, payment.CheckoutRequest{OrderCode: "CODE2", ExpiresAt: now.Add(time.Minute)})
	now = now.Add(2 * time.Minute)
	if st, _ := d.GetCheckout(ctx, co2.ID); st.Status != payment.StatusExpired {
		t.Fatalf("lapsed session status = %s", st.Status)
	}
	if _, err := d.Pay(ctx, co2.ID, payment.DemoSucceed); !errors.Is(err, payment.ErrDemoClosed) {
		t.Fatalf("paid an expired session: %v", err)
	}
}

// TestDemoGatewaySharedAndDurable: the demo gateway's sessions live in
// PostgreSQL, so a second instance (or the same one after a restart) sees,
// pays, expires and refunds a session the first one created — in memory,
// the second instance answered "no checkout session" and a kill -9 lost them.
func TestDemoGatewaySharedAndDurable(t *testing.T) {
	now := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	store := dbtest.New(t, booking.NewManualClock(now))
	ctx := context.Background()
	one := payment.NewDemo("http://a.test", clock, store)
	two := payment.NewDemo("http://b.test", clock, store) // another instance, or the first after a restart

	co, err := one.CreateCheckout(ctx, payment.CheckoutRequest{OrderCode: "SHARED", Currency: "usd", IdempotencyKey: "order-1",
		Lines: []payment.Line{{Name: "Adult", UnitCents: 1500, Quantity: 1}}, ExpiresAt: now.Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if again, err := two.CreateCheckout(ctx, payment.CheckoutRequest{OrderCode: "SHARED", IdempotencyKey: "order-1"}); err != nil || again.ID != co.ID {
		t.Fatalf("the idempotency key is not shared between instances: %v, %v", again, err)
	}
	st, err := two.GetCheckout(ctx, co.ID)
	if err != nil || st.OrderCode != "SHARED" || st.AmountCents != 1500 || st.Status != payment.StatusOpen {
		t.Fatalf("second instance reads %+v, %v", st, err)
	}
	evs, err := two.Pay(ctx, co.ID, payment.DemoSucceed)
	if err != nil || len(evs) != 1 {
		t.Fatalf("pay on the second instance: %v, %v", evs, err)
	}
	if err := one.ExpireCheckout(ctx, co.ID); !errors.Is(err, payment.ErrAlreadyPaid) {
		t.Fatalf("the first instance expired a session the second was paid on: %v", err)
	}
	if _, err := one.Refund(ctx, evs[0].Checkout.PaymentRef, 1000, "r1"); err != nil {
		t.Fatal(err)
	}
	if _, err := two.Refund(ctx, evs[0].Checkout.PaymentRef, 600, "r2"); !errors.Is(err, payment.ErrDeclined) {
		t.Fatalf("refunds across instances exceed the payment: %v", err)
	}
	recent, err := two.RecentCheckouts(ctx, now.Add(-time.Hour))
	if err != nil || len(recent) != 1 || recent[0].ID != co.ID || recent[0].Status != payment.StatusComplete {
		t.Fatalf("recent checkouts: %+v, %v", recent, err)
	}
	if _, err := one.GetCheckout(ctx, "cs_demo_nope"); !errors.Is(err, payment.ErrNoDemoSession) {
		t.Fatalf("unknown session: %v", err)
	}
}

// TestDemoGatewayPaidOnce: many instances paying the same session at once
// complete it once (the row is locked while an outcome is applied).
func TestDemoGatewayPaidOnce(t *testing.T) {
	now := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)
	store := dbtest.New(t, booking.NewManualClock(now))
	ctx := context.Background()
	d := payment.NewDemo("http://a.test", func() time.Time { return now }, store)
	co, err := d.CreateCheckout(ctx, payment.CheckoutRequest{OrderCode: "RACE", Lines: []payment.Line{{Name: "Adult", UnitCents: 900, Quantity: 1}},
		ExpiresAt: now.Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	const n = 16
	paid := make(chan int, n)
	for range n {
		go func() {
			evs, err := d.Pay(ctx, co.ID, payment.DemoSucceed)
			if err != nil && !errors.Is(err, payment.ErrDemoClosed) {
				t.Error(err)
			}
			paid <- len(evs)
		}()
	}
	total := 0
	for range n {
		total += <-paid
	}
	if total != 1 {
		t.Fatalf("%d payments of one session, want 1", total)
	}
}

// TestCheckoutOfASalesTaxOrder: an order of a theatre that adds sales tax
// is charged its total, tax included, with the tax as a line of its own
// (the lines used to add up to the total without it, and payment refused
// to start for every such order).
func TestCheckoutOfASalesTaxOrder(t *testing.T) {
	now := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)
	clock := booking.NewManualClock(now)
	store := dbtest.New(t, clock)
	ctx := context.Background()
	show := dbtest.AddShowtime(t, store, now.Add(24*time.Hour))
	dbtest.SetTheatre(t, store, show.TheatreID, func(ts *booking.TheatreSettings) {
		ts.Tax = booking.Tax{Model: booking.TaxAdded, Rate: 8875}
	})
	o := dbtest.PendingOrder(t, store, show, "t@example.com", nil, now, show.SeatIDs[30], show.SeatIDs[31])
	if o.TaxIncluded || o.TaxCents() == 0 {
		t.Fatalf("the order has no sales tax: %+v", o)
	}
	demo := payment.NewDemo("http://marquee.test", clock.Now, store)
	pay := payment.NewService(payment.Config{Store: store, Gateway: demo, Clock: clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: "http://marquee.test"})
	url, err := pay.StartCheckout(ctx, o.Code)
	if err != nil {
		t.Fatalf("start checkout: %v", err)
	}
	st, req, _, ok, err := demo.Session(ctx, url[strings.LastIndex(url, "/")+1:])
	if err != nil || !ok || st.AmountCents != o.TotalCents {
		t.Fatalf("session charges %d, order total %d (%v)", st.AmountCents, o.TotalCents, err)
	}
	if last := req.Lines[len(req.Lines)-1]; last.UnitCents != o.TaxCents() || !strings.HasPrefix(last.Name, "Sales tax") {
		t.Fatalf("last line %+v, want the sales tax %d", last, o.TaxCents())
	}
}
