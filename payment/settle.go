package payment

import (
	"strconv"

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
	Reason         string // booking.RefundLatePayment | booking.RefundDuplicatePayment
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
//   - money for an order that can't take it (paid already, closed) goes back whole.
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
		if !f.SeatsGone {
			d.Outcome, d.Sell = OutcomePaid, true
			return d, nil
		}
		reason, d.FailOrder = booking.RefundLatePayment, true // paid too late: someone else has a seat now
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
