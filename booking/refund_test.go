package booking

import "testing"

func TestRefundTransition(t *testing.T) {
	for _, c := range []struct {
		from string
		ev   RefundEvent
		to   string
		ok   bool
	}{
		{"", RefundRecorded, RefundPending, true},
		{"", RefundSettledAtOnce, RefundSucceeded, true},
		{RefundPending, RefundAccepted, RefundSucceeded, true},
		{RefundPending, RefundRefused, RefundFailed, true},
		// An answer for a refund that has one changes nothing (a retry, another instance).
		{RefundSucceeded, RefundAccepted, RefundSucceeded, false},
		{RefundSucceeded, RefundRefused, RefundSucceeded, false},
		{RefundFailed, RefundAccepted, RefundFailed, false},
		{RefundPending, RefundRecorded, RefundPending, false},
		{"", RefundAccepted, "", false},
	} {
		if to, ok := RefundTransition(c.from, c.ev); to != c.to || ok != c.ok {
			t.Errorf("RefundTransition(%q, %d) = %q, %v; want %q, %v", c.from, c.ev, to, ok, c.to, c.ok)
		}
	}
}

func TestRefundNotice(t *testing.T) {
	for _, c := range []struct {
		r      Refund
		notice string
		done   bool
	}{
		{Refund{Reason: RefundCustomer, Status: RefundPending, AmountCents: 100, Email: "a@x"}, NoticeNone, false},
		{Refund{Reason: RefundCustomer, Status: RefundSucceeded, AmountCents: 100, Email: "a@x", SeatIDs: []int64{7}}, NoticeCancellation, true},
		{Refund{Reason: RefundCustomer, Status: RefundFailed, AmountCents: 100, Email: "a@x", SeatIDs: []int64{7}}, NoticeCancellation, true},
		{Refund{Reason: RefundStaff, Status: RefundSucceeded, AmountCents: 0, Email: "a@x", SeatIDs: []int64{7}}, NoticeCancellation, true},
		{Refund{Reason: RefundStaff, Status: RefundSucceeded, AmountCents: 500, Email: "a@x"}, NoticeNone, true},           // money only: nothing was cancelled
		{Refund{Reason: RefundCustomer, Status: RefundSucceeded, AmountCents: 100, SeatIDs: []int64{7}}, NoticeNone, true}, // no address
		{Refund{Reason: RefundShowtimeCancelled, Status: RefundSucceeded, AmountCents: 100, Email: "a@x"}, NoticeNone, true},
		{Refund{Reason: RefundLatePayment, Status: RefundSucceeded, AmountCents: 100, Email: "a@x"}, NoticeReturned, true},
		{Refund{Reason: RefundDuplicatePayment, Status: RefundSucceeded, AmountCents: 100, Email: "a@x"}, NoticeReturned, true},
		{Refund{Reason: RefundLatePayment, Status: RefundFailed, AmountCents: 100, Email: "a@x"}, NoticeNone, true},
		{Refund{Reason: RefundLatePayment, Status: RefundPending, AmountCents: 100, Email: "a@x"}, NoticeNone, false},
	} {
		if n, done := c.r.Notice(); n != c.notice || done != c.done {
			t.Errorf("%s %s: Notice() = %q, %v; want %q, %v", c.r.Reason, c.r.Status, n, done, c.notice, c.done)
		}
	}
	if (Refund{Reason: RefundLatePayment}).CountsOnOrder() || (Refund{Reason: RefundDuplicatePayment}).CountsOnOrder() ||
		!(Refund{Reason: RefundCustomer}).CountsOnOrder() || !(Refund{Reason: RefundShowtimeCancelled}).CountsOnOrder() {
		t.Fatal("CountsOnOrder")
	}
}
