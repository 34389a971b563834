package payment_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"marquee/payment"
)

func TestDemoGatewayLifecycle(t *testing.T) {
	now := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)
	d := payment.NewDemo("http://127.0.0.1:8080", func() time.Time { return now })
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
	if evs, err := d.Pay(co.ID, payment.DemoDecline); err != nil || len(evs) != 0 {
		t.Fatalf("decline: %v %v", evs, err)
	}
	evs, err := d.Pay(co.ID, payment.DemoSucceed)
	if err != nil || len(evs) != 1 || evs[0].Type != payment.EventCheckoutCompleted || evs[0].Checkout.AmountCents != 2400 {
		t.Fatalf("succeed: %+v %v", evs, err)
	}
	if _, err := d.Pay(co.ID, payment.DemoSucceed); !errors.Is(err, payment.ErrDemoClosed) {
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
	if _, err := d.Pay(co2.ID, payment.DemoSucceed); !errors.Is(err, payment.ErrDemoClosed) {
		t.Fatalf("paid an expired session: %v", err)
	}
}
