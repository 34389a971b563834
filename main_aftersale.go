package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"marquee/aftersale"
	"marquee/booking"
	"marquee/db"
	"marquee/mail"
)

// afterSaleConfig is the configuration of orders after payment.
type afterSaleConfig struct {
	Rules       booking.AfterSale
	OrderSecret []byte        // signs guest order links and ticket QR codes
	JobsEvery   time.Duration // confirmation, reminder, notice e-mails and refund retries
}

// loadAfterSaleConfig reads the after-sale settings; unset values keep
// booking.DefaultAfterSale (editing them in the admin pages comes later).
//
//	MARQUEE_ORDER_SECRET            base64, ≥ 32 bytes: signs guest order links and tickets
//	                                (required in production; development generates data/order.key)
//	MARQUEE_CANCEL_CUTOFF           online cancellation closes this long before the show (default 2h; "off" disables)
//	MARQUEE_CANCEL_FEE_CENTS        fixed cancellation fee in cents (default 0)
//	MARQUEE_CANCEL_FEE_PERCENT      cancellation fee in percent of the cancelled tickets (default 0)
//	MARQUEE_CANCEL_REFUND_BOOKING_FEE  true: refund the booking fee on cancellation (default false)
//	MARQUEE_VAT_RATE                VAT rate in percent, prices include it (default 20; e.g. 7.5)
//	MARQUEE_SELLER_NAME / _ADDRESS / _VAT_ID   seller details on receipts
//	MARQUEE_TICKET_PER_ORDER        true: one QR for the whole order; false: one per seat (default)
//	MARQUEE_REMINDER_BEFORE         reminder e-mail this long before the show (default 3h; 0 turns it off)
//	MARQUEE_MAIL_JOBS_EVERY         how often the mail jobs run (default 30s)
func loadAfterSaleConfig(getenv func(string) string, production bool) (afterSaleConfig, []error) {
	c := afterSaleConfig{Rules: booking.DefaultAfterSale(), JobsEvery: 30 * time.Second}
	var errs []error
	dur := func(name string, dst *time.Duration, max time.Duration) {
		v := getenv(name)
		if v == "" {
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > max {
			errs = append(errs, fmt.Errorf("%s must be a duration from 0 to %s, not %q", name, max, v))
			return
		}
		*dst = d
	}
	if v := getenv("MARQUEE_CANCEL_CUTOFF"); v == "off" {
		c.Rules.Cancel.Disabled = true
	} else {
		dur("MARQUEE_CANCEL_CUTOFF", &c.Rules.Cancel.Cutoff, 30*24*time.Hour)
		if c.Rules.Cancel.Cutoff == 0 {
			c.Rules.Cancel.Cutoff = -1 // explicitly zero: until the start
		}
	}
	dur("MARQUEE_REMINDER_BEFORE", &c.Rules.ReminderBefore, 7*24*time.Hour)
	if getenv("MARQUEE_REMINDER_BEFORE") != "" && c.Rules.ReminderBefore == 0 {
		c.Rules.ReminderBefore = -1 // off
	}
	dur("MARQUEE_MAIL_JOBS_EVERY", &c.JobsEvery, time.Hour)
	if c.JobsEvery < time.Second {
		c.JobsEvery = time.Second
	}
	intVar := func(name string, dst *int64, max int64) {
		v := getenv(name)
		if v == "" {
			return
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > max {
			errs = append(errs, fmt.Errorf("%s must be a whole number from 0 to %d, not %q", name, max, v))
			return
		}
		*dst = n
	}
	intVar("MARQUEE_CANCEL_FEE_CENTS", &c.Rules.Cancel.FeeCents, 100000)
	intVar("MARQUEE_CANCEL_FEE_PERCENT", &c.Rules.Cancel.FeePercent, 100)
	boolVar := func(name string, dst *bool) {
		v := getenv(name)
		if v == "" {
			return
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s must be true or false, not %q", name, v))
			return
		}
		*dst = b
	}
	boolVar("MARQUEE_CANCEL_REFUND_BOOKING_FEE", &c.Rules.Cancel.RefundBookingFee)
	boolVar("MARQUEE_TICKET_PER_ORDER", &c.Rules.TicketPerOrder)
	if v := getenv("MARQUEE_VAT_RATE"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 100 {
			errs = append(errs, fmt.Errorf("MARQUEE_VAT_RATE must be a percentage from 0 to 100, not %q", v))
		} else {
			c.Rules.VATRateBP = int64(f*100 + 0.5)
		}
	}
	if v := getenv("MARQUEE_SELLER_NAME"); v != "" {
		c.Rules.Seller.Name = v
	}
	if v := getenv("MARQUEE_SELLER_ADDRESS"); v != "" {
		c.Rules.Seller.Address = v
	}
	if v := getenv("MARQUEE_SELLER_VAT_ID"); v != "" {
		c.Rules.Seller.VATID = v
	}
	if v := getenv("MARQUEE_ORDER_SECRET"); v != "" {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
		if err != nil || len(k) < 32 {
			errs = append(errs, errors.New("MARQUEE_ORDER_SECRET must be base64 of at least 32 random bytes (e.g. openssl rand -base64 32)"))
		}
		c.OrderSecret = k
	} else if production {
		errs = append(errs, errors.New("MARQUEE_ORDER_SECRET is required in production (it signs guest order links and tickets)"))
	}
	return c, errs
}

// orderSecret returns the secret that signs order links and tickets: from
// the environment, else (development) a key generated once under the data
// directory. It is separate from the session keys on purpose: rotating
// session keys must not invalidate tickets and links already e-mailed.
func orderSecret(cfg Config, logger *slog.Logger) ([]byte, error) {
	if len(cfg.AfterSale.OrderSecret) > 0 {
		return cfg.AfterSale.OrderSecret, nil
	}
	path := filepath.Join(cfg.DataDir, "order.key")
	if b, err := os.ReadFile(path); err == nil {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) < 32 {
			return nil, fmt.Errorf("%s is not a valid key (delete it to generate a new one)", path)
		}
		logger.Warn("MARQUEE_ORDER_SECRET not set: using the development order key", "file", path)
		return k, nil
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("order key: %w", err)
	}
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(k)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("order key: %w", err)
	}
	logger.Warn("MARQUEE_ORDER_SECRET not set: generated a development order key", "file", path)
	return k, nil
}

// newAfterSale builds the after-sale service. refunder is the payments
// service's (payment.Refunder); nil turns online cancellation off with a message.
func newAfterSale(cfg Config, store *db.DB, mailer mail.Mailer, clock booking.Clock, logger *slog.Logger, refunder aftersale.Refunder) (*aftersale.Service, error) {
	key, err := orderSecret(cfg, logger)
	if err != nil {
		return nil, err
	}
	return aftersale.New(aftersale.Options{DB: store, Refunder: refunder, Mailer: mailer, Clock: clock,
		Rules: cfg.AfterSale.Rules, Signer: booking.NewSigner(key), BaseURL: cfg.BaseURL, Logger: logger}), nil
}
