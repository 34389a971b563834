package payment_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"marquee/payment"
	"marquee/payment/paymenttest"
)

func newStripe(t *testing.T) *payment.Stripe {
	t.Helper()
	url := paymenttest.StripeMock(t)
	s, err := payment.NewStripe(payment.StripeConfig{SecretKey: "sk_test_123", WebhookSecret: "whsec_test", APIURL: url})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStripeRequestShapesAgainstStripeMock(t *testing.T) {
	s := newStripe(t)
	ctx := context.Background()
	co, err := s.CreateCheckout(ctx, payment.CheckoutRequest{
		OrderCode: "ABCD1234",
		Email:     "guest@example.com",
		Currency:  "usd",
		Lines: []payment.Line{
			{Name: "Adult · Premium", UnitCents: 1650, Quantity: 2},
			{Name: "Booking fee", UnitCents: 150, Quantity: 1},
		},
		SuccessURL:     "http://127.0.0.1/orders/ABCD1234/paid?session_id={CHECKOUT_SESSION_ID}",
		CancelURL:      "http://127.0.0.1/orders/ABCD1234",
		ExpiresAt:      time.Now().Add(31 * time.Minute),
		IdempotencyKey: "order-ABCD1234-checkout",
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if co.ID == "" {
		t.Fatalf("no session id: %+v", co)
	}
	if _, err := s.GetCheckout(ctx, co.ID); err != nil {
		t.Fatalf("get: %v", err)
	}
	if err := s.ExpireCheckout(ctx, co.ID); err != nil {
		t.Fatalf("expire: %v", err)
	}
	if _, err := s.RecentCheckouts(ctx, time.Now().Add(-time.Hour)); err != nil {
		t.Fatalf("list: %v", err)
	}
	r, err := s.Refund(ctx, "pi_123", 500, "refund-1")
	if err != nil {
		t.Fatalf("refund: %v", err)
	}
	if r.ID == "" {
		t.Fatalf("refund id empty")
	}
}

const sessionCompleted = `{"id":"evt_1","object":"event","api_version":"2023-10-16","created":1764000000,
"type":"checkout.session.completed","data":{"object":{"id":"cs_test_1","object":"checkout.session",
"client_reference_id":"ABCD1234","status":"complete","payment_status":"paid","amount_total":3450,
"currency":"usd","payment_intent":"pi_123","metadata":{"order_code":"ABCD1234"}}}}`

func TestStripeWebhookVerifiesSignature(t *testing.T) {
	s, err := payment.NewStripe(payment.StripeConfig{SecretKey: "sk_test_123", WebhookSecret: "whsec_test"})
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(sessionCompleted)
	ev, err := s.ParseWebhook(payload, paymenttest.SignWebhook(payload, "whsec_test", time.Now()))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if ev.ID != "evt_1" || ev.Type != payment.EventCheckoutCompleted || ev.Checkout == nil ||
		ev.Checkout.OrderCode != "ABCD1234" || ev.Checkout.PaymentRef != "pi_123" || ev.Checkout.PaymentStatus != "paid" {
		t.Fatalf("event = %+v checkout=%+v", ev, ev.Checkout)
	}

	for name, header := range map[string]string{
		"wrong secret":  paymenttest.SignWebhook(payload, "whsec_other", time.Now()),
		"too old":       paymenttest.SignWebhook(payload, "whsec_test", time.Now().Add(-time.Hour)),
		"in the future": paymenttest.SignWebhook(payload, "whsec_test", time.Now().Add(time.Hour)),
		"garbage":       "t=1,v1=00",
		"missing":       "",
	} {
		if _, err := s.ParseWebhook(payload, header); !errors.Is(err, payment.ErrBadSignature) {
			t.Errorf("%s: err = %v, want ErrBadSignature", name, err)
		}
	}
	tampered := []byte(strings.Replace(sessionCompleted, "3450", "1", 1))
	if _, err := s.ParseWebhook(tampered, paymenttest.SignWebhook(payload, "whsec_test", time.Now())); !errors.Is(err, payment.ErrBadSignature) {
		t.Errorf("tampered payload accepted: %v", err)
	}
}
