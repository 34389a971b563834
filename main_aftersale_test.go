package main

import (
	"strings"
	"testing"
	"time"
)

func TestLoadAfterSaleConfig(t *testing.T) {
	c, errs := loadAfterSaleConfig(env(map[string]string{
		"MARQUEE_CANCEL_CUTOFF": "90m", "MARQUEE_CANCEL_FEE_CENTS": "150", "MARQUEE_CANCEL_FEE_PERCENT": "10",
		"MARQUEE_CANCEL_REFUND_BOOKING_FEE": "true", "MARQUEE_VAT_RATE": "7.5", "MARQUEE_SELLER_NAME": "Rex",
		"MARQUEE_TICKET_PER_ORDER": "true", "MARQUEE_REMINDER_BEFORE": "0",
		"MARQUEE_ORDER_SECRET": strings.Repeat("B", 43) + "=",
	}), true)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	r := c.Rules.WithDefaults()
	if r.Cancel.Cutoff != 90*time.Minute || r.Cancel.FeeCents != 150 || r.Cancel.FeePercent != 10 || !r.Cancel.RefundBookingFee ||
		r.VATRateBP != 750 || r.Seller.Name != "Rex" || !r.TicketPerOrder || r.ReminderBefore != 0 || len(c.OrderSecret) != 32 {
		t.Fatalf("%+v", r)
	}
	_, errs = loadAfterSaleConfig(env(map[string]string{"MARQUEE_CANCEL_CUTOFF": "soon", "MARQUEE_VAT_RATE": "x",
		"MARQUEE_ORDER_SECRET": "c2hvcnQ="}), true)
	if len(errs) != 3 {
		t.Fatalf("errors: %v", errs)
	}
	if _, errs = loadAfterSaleConfig(env(nil), true); len(errs) != 1 {
		t.Fatal("production without MARQUEE_ORDER_SECRET")
	}
}
