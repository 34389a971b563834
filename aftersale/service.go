// Package aftersale is what happens to an order once it is paid: customer
// cancellations with refunds, a showtime cancelled by the cinema, tickets and
// receipts, and all order mail — confirmation, cancellation and refund,
// showtime notices, reminders, and the notice that a late or duplicate
// payment went back: every settled refund's customer is told, once
// (db.MarkRefundTold), whoever settled it (this service, or the payment
// service's settlement and retry job).
// It orchestrates booking's rules, db's short transactions, the payment
// service (always after commit, never inside a transaction) and the mail composer.
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

// Refunder sends a refund recorded in the ledger to the payment provider: the
// key names the ledger row, so a retried call refunds once (refunds left
// pending are sent again by the payment service's retry job). An error wrapping payment.ErrDeclined means the provider refused for
// good; any other error is treated as transient and retried later with the
// same key.
// (The payments service implements it; declared here, where it is used.)
type Refunder interface {
	Refund(ctx context.Context, orderCode string, amountCents int64, reason, idempotencyKey string) (providerRef string, err error)
}

// Options are a Service's dependencies.
type Options struct {
	DB       *db.DB
	Refunder Refunder    // nil: online refunds are unavailable, so online cancellation is refused
	Mailer   mail.Mailer // nil: a capture mailer
	Clock    booking.Clock
	// Policies are the after-sale rules in force per theatre (settings.Store);
	// nil: Rules for every theatre.
	Policies Policies
	Rules    booking.AfterSale
	Signer   *booking.Signer
	BaseURL  string // public site URL, for links in e-mails
	Logger   *slog.Logger
}

// Policies give the after-sale rules of a theatre's orders as they are now
// (settings.Store: cancellation policy, seller, reminders, tickets).
type Policies interface {
	AfterSale(theatreID int64) booking.AfterSale
}

// Service is the after-sale service. Safe for concurrent use.
type Service struct {
	db       *db.DB
	refunder Refunder
	mail     *mail.Composer
	clock    booking.Clock
	rules    booking.AfterSale
	policies Policies // nil: rules
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
	return &Service{db: o.DB, refunder: o.Refunder, mail: mail.NewComposer(o.Mailer, o.Clock.Now), clock: o.Clock, rules: o.Rules.WithDefaults(),
		policies: o.Policies, signer: o.Signer, baseURL: strings.TrimRight(o.BaseURL, "/"), log: o.Logger}
}

// Rules returns the cinema-wide after-sale rules in force (those of a
// theatre without settings of its own); RulesFor gives a theatre's.
func (s *Service) Rules() booking.AfterSale { return s.RulesFor(0) }

// RulesFor returns the after-sale rules of the theatre's orders now.
func (s *Service) RulesFor(theatreID int64) booking.AfterSale {
	if s.policies == nil {
		return s.rules
	}
	return s.policies.AfterSale(theatreID)
}

// rulesOfOrder returns the after-sale rules of the theatre the order's show is in.
func (s *Service) rulesOfOrder(ctx context.Context, code string) (booking.AfterSale, error) {
	if s.policies == nil {
		return s.rules, nil
	}
	id, err := s.db.OrderTheatre(ctx, code)
	if err != nil {
		return booking.AfterSale{}, err
	}
	return s.policies.AfterSale(id), nil
}

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
func (s *Service) Cancel(ctx context.Context, code string, seatIDs []int64) (booking.Refund, error) {
	if s.refunder == nil {
		return booking.Refund{}, booking.Errorf(booking.EUNAVAILABLE, "Online refunds are not available right now, so tickets can't be cancelled online. Please contact the box office.")
	}
	rules, err := s.rulesOfOrder(ctx, code)
	if err != nil {
		return booking.Refund{}, err
	}
	pol := rules.Cancel
	now := s.clock.Now()
	r, err := s.db.CancelSeats(ctx, code, booking.RefundCustomer, now, func(o booking.Order, startsAt time.Time) (booking.Cancellation, error) {
		return pol.PlanCancellation(o, seatIDs, startsAt, now)
	})
	if err != nil {
		return booking.Refund{}, err
	}
	ctx = context.WithoutCancel(ctx) // the seats are cancelled: finish the refund even if the client goes away
	s.sendRefund(ctx, &r)
	s.tellRefund(ctx, r)
	return r, nil
}

// CancelAtCounter cancels seats of an order at the box office: inside the
// customer policy, or with an override and a reason
// (booking.PlanCounterCancellation). The refund is a staff refund in the
// one ledger, going back as cc.RefundTo says: cash from the staff member's
// open drawer, or to the card (the terminal's, handed back at once; an
// online payment's, sent through the payment service); the customer is told
// when the order has an e-mail.
func (s *Service) CancelAtCounter(ctx context.Context, code string, cc booking.CounterCancel) (booking.Refund, error) {
	rules, err := s.rulesOfOrder(ctx, code)
	if err != nil {
		return booking.Refund{}, err
	}
	pol := rules.Cancel
	now := s.clock.Now()
	r, err := s.db.CancelAtCounter(ctx, db.CounterRefund{Code: code, To: cc.RefundTo, StaffUserID: cc.StaffUserID, Now: now,
		Plan: func(o booking.Order, startsAt time.Time) (booking.Cancellation, error) {
			return pol.PlanCounterCancellation(o, cc, startsAt, now)
		}})
	if err != nil {
		return booking.Refund{}, err
	}
	ctx = context.WithoutCancel(ctx)
	s.sendRefund(ctx, &r)
	s.tellRefund(ctx, r)
	return r, nil
}

// sendRefund sends a pending refund through the payment service and records
// the answer in the ledger (a no-op when the payment service recorded it
// first: the state machine settles a refund once). *r becomes the refund as
// it now stands.
func (s *Service) sendRefund(ctx context.Context, r *booking.Refund) {
	if r.Status != booking.RefundPending {
		return
	}
	if s.refunder == nil {
		s.log.Error("refund pending: no refunder configured", "order", r.OrderCode, "refund", r.ID)
		return
	}
	ref, err := s.refunder.Refund(ctx, r.OrderCode, r.AmountCents, r.Reason, r.IdempotencyKey)
	now := s.clock.Now()
	var fin booking.Refund
	switch {
	case err == nil:
		fin, _, err = s.db.FinishRefund(ctx, r.ID, true, ref, "", now)
	case errors.Is(err, payment.ErrDeclined) || booking.ErrorCode(err) == booking.ECONFLICT || booking.ErrorCode(err) == booking.EINVALID:
		// Refused for good (declined, no payment to refund, more than was paid).
		s.log.Warn("refund declined by the provider", "order", r.OrderCode, "refund", r.ID, "err", err)
		fin, _, err = s.db.FinishRefund(ctx, r.ID, false, "", err.Error(), now)
	default:
		s.log.Warn("refund not sent, will retry", "order", r.OrderCode, "refund", r.ID, "err", err)
		return
	}
	if err != nil {
		s.log.Error("record refund", "order", r.OrderCode, "refund", r.ID, "err", err)
		return
	}
	fin.OrderStatus = r.OrderStatus
	*r = fin
}

// RefundMessage tells a customer, in one sentence, what happened to a refund.
func RefundMessage(r booking.Refund) string {
	amount := money(r.AmountCents)
	switch {
	case r.AmountCents == 0:
		return "Your seats are cancelled. Under the cancellation policy there is nothing to refund."
	case r.Status == booking.RefundSucceeded:
		return fmt.Sprintf("Your seats are cancelled and %s is being refunded to your original payment method.", amount)
	case r.Status == booking.RefundFailed:
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
		r, err := s.db.CancelSeats(ctx, code, booking.RefundShowtimeCancelled, now, func(o booking.Order, _ time.Time) (booking.Cancellation, error) {
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
		s.tellRefund(ctx, r) // the showtime notice says it: marked told
		switch r.Status {
		case booking.RefundFailed:
			out.Failed++
		case booking.RefundPending:
			out.Pending++
		}
	}
	if _, err := s.SendNotices(ctx); err != nil {
		s.log.Error("send showtime notices", "err", err)
	}
	return out, nil
}
