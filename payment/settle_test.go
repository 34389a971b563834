package payment

import (
	"testing"

	"marquee/booking"
)

// TestPlanSettlement is the settlement rule's table of cases: what money
// arriving for a checkout means for the order, without a database.
func TestPlanSettlement(t *testing.T) {
	late := func(cents int64) *SettleRefund {
		return &SettleRefund{Reason: booking.RefundLatePayment, AmountCents: cents, IdempotencyKey: "marquee-refund-late_payment-7"}
	}
	dup := func(cents int64) *SettleRefund {
		return &SettleRefund{Reason: booking.RefundDuplicatePayment, AmountCents: cents, IdempotencyKey: "marquee-refund-duplicate_payment-7"}
	}
	mis := func(cents int64) *SettleRefund {
		return &SettleRefund{Reason: booking.RefundMismatchedPayment, AmountCents: cents, IdempotencyKey: "marquee-refund-mismatched_payment-7"}
	}
	for _, c := range []struct {
		name string
		f    SettleFacts
		want SettleDecision
	}{
		{"on time", SettleFacts{OrderStatus: booking.OrderPendingPayment, PaymentStatus: PayOpen, StoredCents: 2700, PaidCents: 2700},
			SettleDecision{Outcome: OutcomePaid, RecordPayment: true, Sell: true}},
		{"late, seats free", SettleFacts{OrderStatus: booking.OrderExpired, PaymentStatus: PayExpired, StoredCents: 2700, PaidCents: 2700},
			SettleDecision{Outcome: OutcomePaid, RecordPayment: true, Sell: true}},
		{"late, a seat gone", SettleFacts{OrderStatus: booking.OrderExpired, PaymentStatus: PayExpired, StoredCents: 2700, PaidCents: 2700, SeatsGone: true},
			SettleDecision{Outcome: OutcomeRefund, RecordPayment: true, FailOrder: true, Refund: late(2700)}},
		{"pending, a seat gone", SettleFacts{OrderStatus: booking.OrderPendingPayment, PaymentStatus: PayProcessing, StoredCents: 2700, SeatsGone: true},
			SettleDecision{Outcome: OutcomeRefund, RecordPayment: true, FailOrder: true, Refund: late(2700)}},
		{"paid twice", SettleFacts{OrderStatus: booking.OrderPaid, PaymentStatus: PayOpen, StoredCents: 2700, PaidCents: 2700},
			SettleDecision{Outcome: OutcomeRefund, RecordPayment: true, Refund: dup(2700)}},
		{"paid for a failed order", SettleFacts{OrderStatus: booking.OrderFailed, PaymentStatus: PayExpired, StoredCents: 1000, PaidCents: 1200},
			SettleDecision{Outcome: OutcomeRefund, RecordPayment: true, Refund: dup(1200)}},
		{"paid for a cancelled order, amount unknown", SettleFacts{OrderStatus: booking.OrderCancelled, PaymentStatus: PayOpen, StoredCents: 900},
			SettleDecision{Outcome: OutcomeRefund, RecordPayment: true, Refund: dup(900)}},
		{"nothing to give back", SettleFacts{OrderStatus: booking.OrderRefunded, PaymentStatus: PayExpired},
			SettleDecision{Outcome: OutcomeRefund, RecordPayment: true}},
		{"one cent for a 1,600-cent order", SettleFacts{OrderStatus: booking.OrderPendingPayment, PaymentStatus: PayOpen, StoredCents: 1600, PaidCents: 1},
			SettleDecision{Outcome: OutcomeRefund, RecordPayment: true, FailOrder: true, Refund: mis(1)}},
		{"more than asked, late", SettleFacts{OrderStatus: booking.OrderExpired, PaymentStatus: PayExpired, StoredCents: 1600, PaidCents: 9000},
			SettleDecision{Outcome: OutcomeRefund, RecordPayment: true, Refund: mis(9000)}},
		{"another currency", SettleFacts{OrderStatus: booking.OrderPendingPayment, PaymentStatus: PayOpen, StoredCents: 1600, PaidCents: 1600,
			StoredCurrency: "usd", PaidCurrency: "jpy"},
			SettleDecision{Outcome: OutcomeRefund, RecordPayment: true, FailOrder: true, Refund: mis(1600)}},
		{"same currency, other case", SettleFacts{OrderStatus: booking.OrderPendingPayment, PaymentStatus: PayOpen, StoredCents: 1600, PaidCents: 1600,
			StoredCurrency: "usd", PaidCurrency: "USD"},
			SettleDecision{Outcome: OutcomePaid, RecordPayment: true, Sell: true}},
		{"amount not stated", SettleFacts{OrderStatus: booking.OrderPendingPayment, PaymentStatus: PayOpen, StoredCents: 1600},
			SettleDecision{Outcome: OutcomeRefund, RecordPayment: true, FailOrder: true, Refund: mis(1600)}},
		{"a session we never created", SettleFacts{OrderStatus: booking.OrderPendingPayment, PaymentStatus: PayExpired, StoredCents: 1600, PaidCents: 1600,
			UnknownSession: true},
			SettleDecision{Outcome: OutcomeRefund, RecordPayment: true, FailOrder: true, Refund: mis(1600)}},
		{"applied before", SettleFacts{OrderStatus: booking.OrderPaid, PaymentStatus: PaySucceeded, StoredCents: 2700, PaidCents: 2700},
			SettleDecision{Outcome: OutcomeAlready}},
		{"applied and refunded before", SettleFacts{OrderStatus: booking.OrderFailed, PaymentStatus: PayRefunded, StoredCents: 2700},
			SettleDecision{Outcome: OutcomeAlready}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.f.PaymentID = 7
			got, err := PlanSettlement(c.f)
			if err != nil {
				t.Fatal(err)
			}
			if got.Outcome != c.want.Outcome || got.RecordPayment != c.want.RecordPayment || got.Sell != c.want.Sell ||
				got.FailOrder != c.want.FailOrder || (got.Refund == nil) != (c.want.Refund == nil) ||
				(got.Refund != nil && *got.Refund != *c.want.Refund) {
				t.Fatalf("PlanSettlement(%+v) = %+v (refund %+v), want %+v (refund %+v)", c.f, got, got.Refund, c.want, c.want.Refund)
			}
		})
	}
}
