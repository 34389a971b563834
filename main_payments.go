package main

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/payment"
)

// The payments part of the configuration and of main.
//
//	STRIPE_SECRET_KEY      sk_live_… / sk_test_…: take card payments with Stripe Checkout. Unset: the
//	                       offline demo gateway (development only; refused in production).
//	STRIPE_WEBHOOK_SECRET  whsec_…: verifies POST /webhooks/stripe (required with a key in production;
//	                       `stripe listen --forward-to localhost:8080/webhooks/stripe` prints one).
//	STRIPE_API_URL         another Stripe API base URL (stripe-mock in tests); optional.
//	MARQUEE_CURRENCY       ISO 4217 code in lower case for payments when an order names none (default usd).
//	MARQUEE_RECONCILE_EVERY how often recent Checkout Sessions are reconciled (default 3m).

type paymentsConfig struct {
	StripeKey      string
	WebhookSecret  string
	APIURL         string
	Currency       string
	ReconcileEvery time.Duration
}

var currencyRE = regexp.MustCompile(`^[a-z]{3}$`)

func loadPaymentsConfig(getenv func(string) string, production bool) (paymentsConfig, []error) {
	c := paymentsConfig{
		StripeKey:      getenv("STRIPE_SECRET_KEY"),
		WebhookSecret:  getenv("STRIPE_WEBHOOK_SECRET"),
		APIURL:         getenv("STRIPE_API_URL"),
		Currency:       strings.ToLower(or(getenv("MARQUEE_CURRENCY"), "usd")),
		ReconcileEvery: 3 * time.Minute,
	}
	var errs []error
	if !currencyRE.MatchString(c.Currency) {
		errs = append(errs, fmt.Errorf("MARQUEE_CURRENCY must be a three-letter ISO 4217 code such as usd, not %q", getenv("MARQUEE_CURRENCY")))
	}
	if c.StripeKey != "" && !strings.HasPrefix(c.StripeKey, "sk_") && !strings.HasPrefix(c.StripeKey, "rk_") {
		errs = append(errs, errors.New("STRIPE_SECRET_KEY must be a Stripe secret key (sk_live_… or sk_test_…)"))
	}
	if production && c.StripeKey == "" {
		errs = append(errs, errors.New("STRIPE_SECRET_KEY is required in production (the demo payment gateway is for development only)"))
	}
	if production && c.StripeKey != "" && c.WebhookSecret == "" {
		errs = append(errs, errors.New("STRIPE_WEBHOOK_SECRET is required in production (the signing secret of the /webhooks/stripe endpoint)"))
	}
	if c.APIURL != "" && !strings.HasPrefix(c.APIURL, "http://") && !strings.HasPrefix(c.APIURL, "https://") {
		errs = append(errs, fmt.Errorf("STRIPE_API_URL must be an http(s) URL, not %q", c.APIURL))
	}
	if v := getenv("MARQUEE_RECONCILE_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 10*time.Second || d > time.Hour {
			errs = append(errs, fmt.Errorf("MARQUEE_RECONCILE_EVERY must be a duration from 10s to 1h, not %q", v))
		}
		c.ReconcileEvery = d
	}
	return c, errs
}

// newPayments builds the payment service over Stripe, or over the offline
// demo gateway when no key is set (never in production: loadConfig refuses).
func newPayments(cfg Config, store *db.DB, clock booking.Clock, logger *slog.Logger) (*payment.Service, error) {
	pc := cfg.Payments
	var gw payment.Gateway
	if pc.StripeKey != "" {
		s, err := payment.NewStripe(payment.StripeConfig{SecretKey: pc.StripeKey, WebhookSecret: pc.WebhookSecret, APIURL: pc.APIURL})
		if err != nil {
			return nil, err
		}
		if pc.WebhookSecret == "" {
			logger.Warn("STRIPE_WEBHOOK_SECRET is not set: webhooks are refused; payments are still fulfilled by the success redirect and reconciliation")
		}
		gw = s
	} else {
		if cfg.Production() {
			return nil, errors.New("the demo payment gateway is refused in production: set STRIPE_SECRET_KEY")
		}
		logger.Warn("no STRIPE_SECRET_KEY: using the offline demo payment gateway (no real payments)")
		gw = payment.NewDemo(cfg.BaseURL, clock.Now)
	}
	return payment.NewService(payment.Config{
		Store:    store,
		Gateway:  gw,
		Clock:    clock,
		Logger:   logger,
		BaseURL:  cfg.BaseURL,
		Currency: pc.Currency,
	}), nil
}
