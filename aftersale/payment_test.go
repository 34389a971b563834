package aftersale_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"marquee/aftersale"
	"marquee/booking"
	"marquee/db/dbtest"
	"marquee/payment"
)

// TestCancelThroughPaymentService pays an order through the real payments
// service on the demo gateway and cancels it through payment.Refunder.
func TestCancelThroughPaymentService(t *testing.T) {
	e := newEnv(t, booking.AfterSale{})
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	demo := payment.NewDemo("http://marquee.test", e.clock.Now, e.db)
	pay := payment.NewService(payment.Config{Store: e.db, Gateway: demo, Clock: e.clock, Logger: logger, BaseURL: "http://marquee.test"})
	o := dbtest.PendingOrder(t, e.db, e.show, "k@example.com", nil, e.clock.Now(), e.show.SeatIDs[90], e.show.SeatIDs[91])
	url, err := pay.StartCheckout(ctx, o.Code)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := demo.Pay(ctx, url[strings.LastIndex(url, "/")+1:], payment.DemoSucceed)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := pay.Fulfil(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	svc := aftersale.New(aftersale.Options{DB: e.db, Refunder: payment.Refunder{Service: pay}, Mailer: e.mail, Clock: e.clock,
		Signer: booking.NewSigner([]byte(strings.Repeat("k", 32))), Logger: logger})
	r, err := svc.Cancel(ctx, o.Code, []int64{e.show.SeatIDs[90]})
	if err != nil || r.Status != booking.RefundSucceeded || r.AmountCents != 1250 {
		t.Fatalf("partial: %+v %v", r, err)
	}
	r, err = svc.Cancel(ctx, o.Code, nil)
	if err != nil || r.Status != booking.RefundSucceeded || r.AmountCents != 1250 {
		t.Fatalf("rest: %+v %v", r, err)
	}
	var refunded int64
	if err := dbtest.SQL(t, e.db).GetContext(ctx, &refunded, `SELECT refunded_cents FROM payments WHERE order_id = $1 AND status IN ('succeeded', 'refunded')`, o.ID); err != nil {
		t.Fatal(err)
	}
	if refunded != 2500 {
		t.Fatalf("payment refunded %d", refunded)
	}
	if got := e.order(t, o.Code); got.Status != booking.OrderCancelled {
		t.Fatalf("order %s", got.Status)
	}
}
