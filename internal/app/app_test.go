package app

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"marquee/booking"
	"marquee/config"
	"marquee/db/dbtest"
	"marquee/mail"
	"marquee/payment"
)

func TestNewWiresFromTheConfiguration(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
	store := dbtest.New(t, clock)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	if _, err := New(config.ForTest(), Deps{Clock: clock, Logger: logger}); err == nil {
		t.Fatal("New without a database")
	}
	a, err := New(config.ForTest(), Deps{DB: store, Clock: clock, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, ok := a.Mailer.(*mail.Capture); !ok {
		t.Errorf("MARQUEE_SMTP_URL=log: mailer %T, want the capture mailer", a.Mailer)
	}
	if _, ok := a.Payments.Gateway().(*payment.Demo); !ok {
		t.Errorf("no Stripe key in development: gateway %T, want the demo one", a.Payments.Gateway())
	}
	resp, err := a.Fiber.Test(httptest.NewRequest("GET", "/healthz", nil), -1)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/healthz: %v %v", resp, err)
	}
	// The jobs run until their context ends.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}

	// Production never falls back to the demo gateway.
	cfg := config.ForTest()
	cfg.Env = "production"
	if _, err := New(cfg, Deps{DB: store, Clock: clock, Logger: logger}); err == nil || !strings.Contains(err.Error(), "STRIPE_SECRET_KEY") {
		t.Fatalf("production without Stripe: %v", err)
	}
}
