package main

import (
	"strings"
	"testing"
)

func TestLoadPaymentsConfig(t *testing.T) {
	// Production without a Stripe key: refused (the demo gateway is for development only).
	_, errs := loadPaymentsConfig(env(map[string]string{}), true)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "STRIPE_SECRET_KEY is required in production") {
		t.Fatalf("errs = %v", errs)
	}
	_, errs = loadPaymentsConfig(env(map[string]string{"STRIPE_SECRET_KEY": "sk_live_1"}), true)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "STRIPE_WEBHOOK_SECRET") {
		t.Fatalf("errs = %v", errs)
	}
	// Development: no key is fine (demo gateway); bad values are reported.
	c, errs := loadPaymentsConfig(env(map[string]string{}), false)
	if len(errs) != 0 || c.Currency != "usd" || c.StripeKey != "" {
		t.Fatalf("dev: %+v %v", c, errs)
	}
	_, errs = loadPaymentsConfig(env(map[string]string{"MARQUEE_CURRENCY": "dollars", "STRIPE_SECRET_KEY": "pk_test_1",
		"STRIPE_API_URL": "localhost:12111", "MARQUEE_RECONCILE_EVERY": "1s"}), false)
	if len(errs) != 4 {
		t.Fatalf("errs = %v", errs)
	}
	c, errs = loadPaymentsConfig(env(map[string]string{"MARQUEE_CURRENCY": "EUR", "STRIPE_SECRET_KEY": "sk_test_1",
		"STRIPE_WEBHOOK_SECRET": "whsec_1", "STRIPE_API_URL": "http://127.0.0.1:12111"}), true)
	if len(errs) != 0 || c.Currency != "eur" || c.APIURL == "" {
		t.Fatalf("stripe: %+v %v", c, errs)
	}
}
