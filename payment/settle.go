package payment

import (
	"strconv"
	"strings"

	"marquee/booking"
)

// SettleFacts is what storage found, with the order and the payment row
// locked, when money arrived for a checkout session.
type SettleFacts struct {
	OrderStatus   string
	PaymentID     int64
	PaymentStatus string // the stored payment row's status
	StoredCents   int64  // the amount the payment row was written for
	PaidCents     int64  // the amount the provider says was paid (0: unknown)
	// StoredCurrency and PaidCurrency are the row's and the provider's
	// currency ("": unknown).
	StoredCurrency string
	PaidCurrency   string
	// UnknownSession is true when the checkout session is none we created
	// (storage recorded its row just now).
	UnknownSession bool
	// SeatsGone is true when storage tried to make the order's seats its own
	// again (SettleDecision.Sell) and some were taken by someone else.
	SeatsGone bool
}

// SettleDecision is what the money means, for storage to execute as it stands.
type SettleDecision struct {
	Outcome string // OutcomePaid | OutcomeAlready | OutcomeRefund
	// RecordPayment marks the payment row succeeded with the provider's reference and amount.
	RecordPayment bool
	// Sell makes the order's seats its own again (all or none) and sells
	// them; when a seat is gone storage asks the rule again with SeatsGone.
	Sell bool
	// FailOrder moves the order to failed and gives its seats back.
	FailOrder bool
	// Refund, when set, is recorded pending in the same transaction; the
	// service sends it after commit.
	Refund *SettleRefund
}

// SettleRefund is a refund the settlement records.
type SettleRefund struct {
	Reason         string // booking.RefundLatePayment | RefundDuplicatePayment | RefundMismatchedPayment
	AmountCents    int64
	IdempotencyKey string
}

// SettlePlanner decides what money arriving for a checkout means, on the
// state as locked in the transaction (the shape of db.Planner).
type SettlePlanner func(SettleFacts) (SettleDecision, error)

// PlanSettlement is the rule for money received for a checkout session:
//   - money applied before changes nothing;
//   - an order that can still be paid (awaiting payment, or expired: a late
//     payment) is sold, if every one of its seats can be re-taken;
//   - a late payment whose seats are gone fails the order and goes back whole;
//   - money for an order that can't take it (paid already, closed) goes back whole;
//   - money that is not what the order asked for — another amount or
//     currency, an amount the provider does not state, a checkout session we
//     never created — never pays the order: it goes back whole
//     (booking.RefundMismatchedPayment) and an order awaiting payment fails,
//     its seats going back on sale.
//
// The refund is of what the provider says was paid, else of what the row
// was written for; nothing is recorded when that is zero.
func PlanSettlement(f SettleFacts) (SettleDecision, error) {
	if f.PaymentStatus == PaySucceeded || f.PaymentStatus == PayRefunded {
		return SettleDecision{Outcome: OutcomeAlready}, nil
	}
	d := SettleDecision{RecordPayment: true}
	reason := booking.RefundDuplicatePayment
	if booking.CanTransition(f.OrderStatus, booking.OrderPaid) {
		switch {
		case f.mismatched():
			reason, d.FailOrder = booking.RefundMismatchedPayment, f.OrderStatus == booking.OrderPendingPayment
		case f.SeatsGone:
			reason, d.FailOrder = booking.RefundLatePayment, true // paid too late: someone else has a seat now
		default:
			d.Outcome, d.Sell = OutcomePaid, true
			return d, nil
		}
	}
	d.Outcome = OutcomeRefund
	amount := f.PaidCents
	if amount <= 0 {
		amount = f.StoredCents
	}
	if amount > 0 {
		d.Refund = &SettleRefund{Reason: reason, AmountCents: amount,
			IdempotencyKey: "marquee-refund-" + reason + "-" + strconv.FormatInt(f.PaymentID, 10)}
	}
	return d, nil
}

// mismatched reports whether the money is not what the order's checkout
// asked for: a session we never created, another currency, another amount or
// an amount the provider does not state. Only the exact amount, in the same
// currency (when the provider states one), for a session we created, pays.
// Money for a closed order goes back as a duplicate whatever its amount.
func (f SettleFacts) mismatched() bool {
	if f.UnknownSession {
		return true
	}
	if f.PaidCurrency != "" && f.StoredCurrency != "" && !strings.EqualFold(f.PaidCurrency, f.StoredCurrency) {
		return true
	}
	return f.PaidCents != f.StoredCents && !f.SeatsGone
}
