package handlers

import (
	"bytes"
	"io"
	"log/slog"
	"testing"

	"marquee/aftersale"
	"marquee/booking"
	"marquee/db"
	"marquee/mail"
	"marquee/payment"
	"marquee/sales"
	"marquee/settings"
)

// newInternalHandler builds a Handler for tests inside this package, which
// cannot import the wiring (internal/app imports handlers). It passes every
// required dependency the way app.New does, over the demo gateway.
func newInternalHandler(t testing.TB, store *db.DB, clock booking.Clock, cfg Config) *Handler {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	mailer := mail.NewCapture(50, logger)
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://marquee.test"
	}
	cfg.Session.Keys = [][]byte{bytes.Repeat([]byte("s"), 64)}
	pay := payment.NewService(payment.Config{Store: store, Gateway: payment.NewDemo(cfg.BaseURL, clock.Now, store), Clock: clock,
		Logger: logger, BaseURL: cfg.BaseURL})
	after := aftersale.New(aftersale.Options{DB: store, Refunder: payment.Refunder{Service: pay}, Mailer: mailer, Clock: clock,
		Rules: booking.DefaultAfterSale(), Signer: booking.NewSigner(bytes.Repeat([]byte("x"), 32)), BaseURL: cfg.BaseURL, Logger: logger})
	sell := sales.New(sales.Deps{DB: store, Clock: clock, Logger: logger, Settings: booking.DefaultSettings()})
	t.Cleanup(sell.Close)
	h, err := New(Deps{Config: cfg, DB: store, Clock: clock, Logger: logger, Mailer: mailer, Sales: sell, AfterSale: after, Payments: pay,
		Settings: settings.Fixed(booking.DefaultCinemaSettings())})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// New refuses to build a Handler without its dependencies and says which are missing.
func TestNewRequiresItsDependencies(t *testing.T) {
	_, err := New(Deps{})
	if err == nil {
		t.Fatal("New built a Handler from nothing")
	}
	for _, want := range []string{"Config.Session.Keys", "DB", "Clock", "Logger", "Mailer", "Sales", "AfterSale", "Payments"} {
		if !bytes.Contains([]byte(err.Error()), []byte("Deps."+want+" is required")) {
			t.Errorf("%s not named in: %v", want, err)
		}
	}
}
