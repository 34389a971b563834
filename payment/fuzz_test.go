package payment_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"marquee/payment"
	"marquee/payment/paymenttest"
)

// FuzzParseWebhook: whatever is posted to /webhooks/stripe, parsing never
// panics, a payload without our signature is ErrBadSignature, and a signed
// payload (the fuzzer's bytes, signed) either decodes whole or is refused.
func FuzzParseWebhook(f *testing.F) {
	// Stripe's library checks signature times against the wall clock itself.
	s, err := payment.NewStripe(payment.StripeConfig{SecretKey: "sk_test_123", WebhookSecret: "whsec_test"})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		`{"id":"evt_1","object":"event","type":"checkout.session.completed","created":1700000000,"data":{"object":{"id":"cs_1","object":"checkout.session","client_reference_id":"ABCD2345","status":"complete","payment_status":"paid","amount_total":1600,"currency":"usd"}}}`,
		`{"id":"evt_2","object":"event","type":"charge.refunded","data":{"object":{"id":"ch_1","amount_refunded":-5,"payment_intent":"pi_1"}}}`,
		`{"id":"evt_3","type":"checkout.session.completed","data":{"object":[]}}`,
		`{}`, `null`, `{"type":`, "",
	} {
		f.Add([]byte(seed), "t=1,v1=deadbeef")
	}
	f.Fuzz(func(t *testing.T, payload []byte, header string) {
		// The fuzzer can't forge an HMAC with our secret: nothing it makes up verifies.
		if _, err := s.ParseWebhook(payload, header); !errors.Is(err, payment.ErrBadSignature) {
			t.Fatalf("a payload with a made-up signature header %q: %v, want ErrBadSignature", header, err)
		}
		ev, err := s.ParseWebhook(payload, paymenttest.SignWebhook(payload, "whsec_test", time.Now()))
		if err == nil && strings.HasPrefix(ev.Type, "checkout.session.") && ev.Checkout == nil {
			t.Fatalf("a signed %s event decoded without its session", ev.Type)
		}
	})
}
