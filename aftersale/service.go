// Package aftersale is what happens to an order once it is paid: customer
// cancellations with refunds, a showtime cancelled by the cinema, the
// confirmation, refund, notice and reminder e-mails, tickets and receipts.
// It orchestrates booking's rules, db's short transactions, the payment
// gateway (always after commit, never inside a transaction) and the mailer.
package aftersale

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/mail"
	"marquee/payment"
)

// Refunder returns money of a paid order to the customer through the payment
// provider. The idempotency key makes a retried call refund once. An error
// wrapping payment.ErrDeclined means the provider refused for good; any other
// error is treated as transient and retried later with the same key.
// (The payments service implements it; declared here, where it is used.)
type Refunder interface {
	Refund(ctx context.Context, orderCode string, amountCents int64, reason, idempotencyKey string) (providerRef string, err error)
}

// Mailer sends one e-mail.
type Mailer interface {
	Send(ctx context.Context, m mail.Message) error
}

// Options are a Service's dependencies.
type Options struct {
	DB       *db.DB
	Refunder Refunder // nil: online refunds are unavailable, so online cancellation is refused
	Mailer   Mailer
	Clock    booking.Clock
	Rules    booking.AfterSale
	Signer   *booking.Signer
	BaseURL  string // public site URL, for links in e-mails
	Logger   *slog.Logger
}

// Service is the after-sale service. Safe for concurrent use.
type Service struct {
	db       *db.DB
	refunder Refunder
	mailer   Mailer
	clock    booking.Clock
	rules    booking.AfterSale
	signer   *booking.Signer
	baseURL  string
	log      *slog.Logger
}

// New returns a Service.
func New(o Options) *Service {
	if o.Clock == nil {
		o.Clock = booking.SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Mailer == nil {
		o.Mailer = mail.NewCapture(50, o.Logger)
	}
	return &Service{db: o.DB, refunder: o.Refunder, mailer: o.Mailer, clock: o.Clock, rules: o.Rules.WithDefaults(),
		signer: o.Signer, baseURL: strings.TrimRight(o.BaseURL, "/"), log: o.Logger}
}

// Rules returns the after-sale rules in force.
func (s *Service) Rules() booking.AfterSale { return s.rules }

// Signer returns the signer of order links and tickets.
func (s *Service) Signer() *booking.Signer { return s.signer }

// OrderLink is the absolute link to an order that works for a guest too.
func (s *Service) OrderLink(code string) string {
	return s.baseURL + "/orders/" + code + "?t=" + s.signer.LinkToken(code)
}

// Cancel cancels seats of an order for its customer (nil seats: every seat
// still cancellable) under the cancellation policy, then refunds through the
// gateway and e-mails the customer. The returned refund tells what happened
// (succeeded, failed: the provider refused, pending: it will be retried).
func (s *Service) Cancel(ctx context.Context, code string, seatIDs []int64) (db.Refund, error) {
	if s.refunder == nil {
		return db.Refund{}, booking.Errorf(booking.EUNAVAILABLE, "Online refunds are not available right now, so tickets can't be cancelled online. Please contact the box office.")
	}
	pol := s.rules.Cancel
	now := s.clock.Now()
	r, err := s.db.CancelSeats(ctx, code, db.RefundCustomer, now, func(o booking.Order, startsAt time.Time) (booking.Cancellation, error) {
		return pol.PlanCancellation(o, seatIDs, startsAt, now)
	})
	if err != nil {
		return db.Refund{}, err
	}
	ctx = context.WithoutCancel(ctx) // the seats are cancelled: finish the refund even if the client goes away
	s.sendRefund(ctx, &r)
	s.mailRefund(ctx, r)
	return r, nil
}

// sendRefund sends a pending refund to the provider and records the answer.
func (s *Service) sendRefund(ctx context.Context, r *db.Refund) {
	if r.Status != db.RefundPending {
		return
	}
	if s.refunder == nil {
		s.log.Error("refund pending: no refunder configured", "order", r.OrderCode, "refund", r.ID)
		return
	}
	ref, err := s.refunder.Refund(ctx, r.OrderCode, r.AmountCents, r.Reason, r.IdempotencyKey)
	now := s.clock.Now()
	switch {
	case err == nil:
		if _, ferr := s.db.FinishRefund(ctx, r.ID, true, ref, "", now); ferr != nil {
			s.log.Error("record refund", "order", r.OrderCode, "refund", r.ID, "err", ferr)
			return
		}
		r.Status, r.ProviderRef = db.RefundSucceeded, &ref
	case errors.Is(err, payment.ErrDeclined) || booking.ErrorCode(err) == booking.ECONFLICT || booking.ErrorCode(err) == booking.EINVALID:
		// Refused for good (declined, no payment to refund, more than was paid).
		s.log.Warn("refund declined by the provider", "order", r.OrderCode, "refund", r.ID, "err", err)
		if _, ferr := s.db.FinishRefund(ctx, r.ID, false, "", err.Error(), now); ferr != nil {
			s.log.Error("record refund", "order", r.OrderCode, "refund", r.ID, "err", ferr)
			return
		}
		r.Status = db.RefundFailed
	default:
		s.log.Warn("refund not sent, will retry", "order", r.OrderCode, "refund", r.ID, "err", err)
	}
}

// RetryRefunds sends refunds left pending (a transient provider error, or
// the process stopped between commit and call) again, with the same key.
func (s *Service) RetryRefunds(ctx context.Context, olderThan time.Duration) (int, error) {
	rs, err := s.db.PendingRefunds(ctx, s.clock.Now().Add(-olderThan), 50)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range rs {
		s.sendRefund(ctx, &rs[i])
		if rs[i].Status != db.RefundPending {
			n++
			s.mailRefund(ctx, rs[i])
		}
	}
	return n, nil
}

// RefundMessage tells a customer, in one sentence, what happened to a refund.
func RefundMessage(r db.Refund) string {
	amount := money(r.AmountCents)
	switch {
	case r.AmountCents == 0:
		return "Your seats are cancelled. Under the cancellation policy there is nothing to refund."
	case r.Status == db.RefundSucceeded:
		return fmt.Sprintf("Your seats are cancelled and %s is being refunded to your original payment method.", amount)
	case r.Status == db.RefundFailed:
		return fmt.Sprintf("Your seats are cancelled, but the payment provider refused the refund of %s. Our box office has been told and will contact you to settle it.", amount)
	default:
		return fmt.Sprintf("Your seats are cancelled. The refund of %s is being processed; we'll e-mail you when it's done.", amount)
	}
}

func money(cents int64) string { return fmt.Sprintf("$%d.%02d", cents/100, cents%100) }

// ShowtimeCancellation summarises CancelShowtime.
type ShowtimeCancellation struct {
	Orders   int // paid orders refunded (or being refunded)
	Failed   int // orders whose refund the provider refused
	Pending  int // refunds to be retried
	Problems []string
}

// CancelShowtime is the cinema cancelling a show: the showtime becomes
// cancelled (no more sales, holds dropped, unpaid orders expired), every paid
// order is refunded in full, booking fee included, its seats released, and
// its customer e-mailed. Safe to call again: it finishes what is left.
func (s *Service) CancelShowtime(ctx context.Context, showtimeID int64) (ShowtimeCancellation, error) {
	var out ShowtimeCancellation
	now := s.clock.Now()
	codes, err := s.db.CancelShowtime(ctx, showtimeID, now)
	if err != nil {
		return out, err
	}
	for _, code := range codes {
		r, err := s.db.CancelSeats(ctx, code, db.RefundShowtimeCancelled, now, func(o booking.Order, _ time.Time) (booking.Cancellation, error) {
			return booking.PlanFullRefund(o)
		})
		if err != nil {
			out.Problems = append(out.Problems, code+": "+booking.ErrorMessage(err))
			s.log.Error("refund order of cancelled showtime", "order", code, "err", err)
			continue
		}
		out.Orders++
		if err := s.db.AddShowtimeNotice(ctx, r.OrderID, "cancelled", nil, now); err != nil {
			s.log.Error("queue showtime notice", "order", code, "err", err)
		}
		s.sendRefund(ctx, &r)
		switch r.Status {
		case db.RefundFailed:
			out.Failed++
		case db.RefundPending:
			out.Pending++
		}
	}
	if _, err := s.SendNotices(ctx); err != nil {
		s.log.Error("send showtime notices", "err", err)
	}
	return out, nil
}
