package booking

import (
	"strings"
	"testing"
	"time"
)

func paidOrder() Order {
	return Order{Code: "ABCDEFGHJKLM", Status: OrderPaid, SubtotalCents: 3750, FeeCents: 300, TotalCents: 4050,
		Items: []OrderItem{
			{SeatID: 1, Row: "A", Number: 1, PriceCents: 1250, Status: ItemSold},
			{SeatID: 2, Row: "A", Number: 2, PriceCents: 1250, Status: ItemSold},
			{SeatID: 3, Row: "A", Number: 3, PriceCents: 1250, Status: ItemSold},
		}}
}

func TestPlanCancellation(t *testing.T) {
	show := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	before := show.Add(-3 * time.Hour)
	p := CancelPolicy{Cutoff: 2 * time.Hour}
	o := paidOrder()

	c, err := p.PlanCancellation(o, []int64{2}, show, before)
	if err != nil || c.RefundCents != 1250 || c.BookingFeeCents != 100 || c.FeeRefundedCents != 0 || c.All {
		t.Fatalf("one seat, fee kept: %+v %v", c, err)
	}
	p.RefundBookingFee = true
	c, _ = p.PlanCancellation(o, nil, show, before)
	if c.RefundCents != 4050 || !c.All || len(c.SeatIDs) != 3 {
		t.Fatalf("all, fee refunded: %+v", c)
	}
	p.FeeCents, p.FeePercent = 100, 10
	c, _ = p.PlanCancellation(o, []int64{1, 1}, show, before) // duplicates count once
	if len(c.SeatIDs) != 1 || c.ChargeCents != 225 || c.RefundCents != 1250+100-225 {
		t.Fatalf("charges: %+v", c)
	}
	// Charge never exceeds what would be refunded.
	p.FeeCents = 100000
	if c, _ = p.PlanCancellation(o, []int64{1}, show, before); c.RefundCents != 0 {
		t.Fatalf("capped: %+v", c)
	}
	p = CancelPolicy{Cutoff: 2 * time.Hour}
	// Cutoff: exactly at it is too late.
	if _, err := p.PlanCancellation(o, nil, show, show.Add(-2*time.Hour)); ErrorCode(err) != EGONE {
		t.Fatalf("at cutoff: %v", err)
	}
	if ok, why := p.CanCancelOnline(o, show, show.Add(-time.Hour)); ok || !strings.Contains(why, "2 hours") {
		t.Fatalf("why: %q", why)
	}
	// Checked in, cancelled, foreign seats.
	now := before
	o.Items[0].CheckedInAt = &now
	o.Items[1].Status = ItemCancelled
	if _, err := p.PlanCancellation(o, []int64{1}, show, before); ErrorCode(err) != ECONFLICT {
		t.Fatalf("checked in: %v", err)
	}
	if _, err := p.PlanCancellation(o, []int64{2}, show, before); ErrorCode(err) != ECONFLICT {
		t.Fatalf("cancelled: %v", err)
	}
	if _, err := p.PlanCancellation(o, []int64{9}, show, before); ErrorCode(err) != EINVALID {
		t.Fatalf("foreign: %v", err)
	}
	o.Status = OrderPartiallyRefunded
	c, err = p.PlanCancellation(o, nil, show, before)
	if err != nil || len(c.SeatIDs) != 1 || c.SeatIDs[0] != 3 || c.All {
		t.Fatalf("rest with a checked-in seat: %+v %v", c, err)
	}
	o.Status = OrderCancelled
	if _, err := p.PlanCancellation(o, nil, show, before); ErrorCode(err) != ECONFLICT {
		t.Fatalf("cancelled order: %v", err)
	}
	o.Status = OrderPendingPayment
	if _, err := p.PlanCancellation(o, nil, show, before); ErrorCode(err) != ECONFLICT {
		t.Fatalf("unpaid order: %v", err)
	}
	if _, err := (CancelPolicy{Disabled: true}).PlanCancellation(paidOrder(), nil, show, before); ErrorCode(err) != EFORBIDDEN {
		t.Fatalf("disabled: %v", err)
	}
}

func TestPlanFullRefund(t *testing.T) {
	o := paidOrder()
	o.Items[0].Status = ItemCancelled // one seat cancelled earlier, its fee share (100) kept
	o.Status = OrderPartiallyRefunded
	now := time.Now()
	o.Items[1].CheckedInAt = &now
	c, err := PlanFullRefund(o)
	if err != nil || !c.All || c.RefundCents != 2500+200 {
		t.Fatalf("%+v %v", c, err)
	}
}

func TestFeeShareAddsUp(t *testing.T) {
	for n := int64(1); n <= 7; n++ {
		var sum int64
		for i := int64(0); i < n; i++ {
			sum += FeeShare(100, i, 1, n)
		}
		if sum != 100 {
			t.Fatalf("n=%d: shares add up to %d", n, sum)
		}
	}
}

func TestTaxOf(t *testing.T) {
	cases := []struct{ gross, bp, tax int64 }{
		{1250, 2000, 208}, // 208.33
		{1000, 2000, 167}, // 166.67
		{600, 2000, 100},  // exactly 100
		{1, 2000, 0},      // 0.1667
		{3, 2000, 1},      // 0.5 → half up
		{1099, 750, 77},   // 76.67
		{1000, 0, 0},
	}
	for _, c := range cases {
		l := TaxOf(c.gross, c.bp)
		if l.TaxCents != c.tax || l.NetCents+l.TaxCents != c.gross {
			t.Errorf("TaxOf(%d, %d) = %+v, want tax %d", c.gross, c.bp, l, c.tax)
		}
	}
	if RateText(2000) != "20%" || RateText(750) != "7.5%" || RateText(1234) != "12.34%" {
		t.Fatal(RateText(750), RateText(1234))
	}
}

func TestTicketTokens(t *testing.T) {
	s := NewSigner([]byte(strings.Repeat("s", 32)))
	tok := s.TicketToken(Ticket{OrderCode: "ABCDEFGHJKLM", Seat: "F12"})
	got, err := s.VerifyTicket(tok)
	if err != nil || got.OrderCode != "ABCDEFGHJKLM" || got.Seat != "F12" {
		t.Fatalf("%q: %+v %v", tok, got, err)
	}
	bad := []string{
		strings.Replace(tok, "F12", "F13", 1),
		strings.Replace(tok, "ABCDEFGHJKLM", "ABCDEFGHJKLN", 1),
		tok[:len(tok)-1] + "A",
		tok + ".x",
		"ABCDEFGHJKLM.F12",
		"",
		NewSigner([]byte(strings.Repeat("t", 32))).TicketToken(Ticket{OrderCode: "ABCDEFGHJKLM", Seat: "F12"}),
	}
	for _, b := range bad {
		if b == tok {
			continue
		}
		if _, err := s.VerifyTicket(b); ErrorCode(err) != EINVALID {
			t.Errorf("%q verified", b)
		}
	}
	// A link token is not a ticket signature, and links check.
	link := s.LinkToken("ABCDEFGHJKLM")
	if !s.CheckLink("ABCDEFGHJKLM", link) || s.CheckLink("ABCDEFGHJKLN", link) || s.CheckLink("ABCDEFGHJKLM", "") {
		t.Fatal("link tokens")
	}
	if _, err := s.VerifyTicket("ABCDEFGHJKLM.F12." + link); err == nil {
		t.Fatal("link token accepted as ticket")
	}
}
