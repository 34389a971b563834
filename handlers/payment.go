package handlers

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"marquee/booking"
	"marquee/payment"
	"marquee/views"
)

// Payments returns the payment service (main runs its background jobs).
func (h *Handler) Payments() *payment.Service { return h.payments }

// startPayment sends the browser to the order's hosted payment page (created
// on first use, the same one afterwards): POST /orders/:code/pay.
func (h *Handler) startPayment(c *fiber.Ctx) error {
	o, err := h.visibleOrder(c)
	if err != nil {
		return err
	}
	url, err := h.payments.StartCheckout(c.UserContext(), o.Code)
	if err != nil {
		return err
	}
	if isHTMX(c) {
		c.Set("HX-Redirect", url)
		return c.SendStatus(fiber.StatusOK)
	}
	return c.Redirect(url, fiber.StatusSeeOther)
}

// paymentReturn is where the provider sends the browser after paying:
// GET /orders/:code/paid?session_id=…. The session is fetched from the
// provider and fulfilled (the webhook may come before or after: fulfilment
// happens once), then the order page shows the result.
func (h *Handler) paymentReturn(c *fiber.Ctx) error {
	code := strings.ToUpper(c.Params("code"))
	if !validOrderCode(code) {
		return errNoSuchOrder
	}
	code = utils.CopyString(code)
	if sid := c.Query("session_id"); sid != "" && len(sid) <= 255 {
		sid = utils.CopyString(sid)
		st, err := h.payments.Gateway().GetCheckout(c.UserContext(), sid)
		switch {
		case err != nil:
			h.log.Warn("payment return: get checkout", "request_id", requestID(c), "order", code, "err", err)
		case st.OrderCode != code:
			h.log.Warn("payment return: session of another order", "request_id", requestID(c), "order", code)
		default:
			if err := h.payments.Fulfil(c.UserContext(), payment.CheckoutEvent(st)); err != nil {
				h.log.Error("payment return: fulfil", "request_id", requestID(c), "order", code, "err", err)
			}
		}
	}
	return c.Redirect("/orders/"+code, fiber.StatusSeeOther)
}

// paymentView is the payment part of the order page.
func (h *Handler) paymentView(c *fiber.Ctx, o booking.Order, now time.Time) (*views.PaymentView, error) {
	ctx := c.UserContext()
	pays, err := h.db.PaymentsOfOrder(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	refunds, err := h.db.RefundsOfOrder(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	v := &views.PaymentView{CanPay: o.AwaitingPayment(now)}
	for _, p := range pays {
		switch p.Status {
		case payment.PayProcessing:
			v.CanPay, v.Processing = false, o.Status == booking.OrderPendingPayment || o.Status == booking.OrderExpired
			if h.demo != nil && v.Processing {
				v.DemoSessionID = p.SessionID
			}
		case payment.PaySucceeded, payment.PayRefunded:
			if o.Status != booking.OrderFailed {
				v.Method = methodName(p.Provider)
			}
		}
	}
	for _, r := range refunds {
		if !r.CountsOnOrder() { // money returned whole: a late, duplicate or mismatched payment
			v.AutoRefundCents += r.AmountCents
			v.AutoRefundPending = v.AutoRefundPending || r.Status == booking.RefundPending
			v.AutoRefundLate = v.AutoRefundLate || r.Reason == booking.RefundLatePayment
			v.AutoRefundMismatched = v.AutoRefundMismatched || r.Reason == booking.RefundMismatchedPayment
		}
	}
	if v.CanPay || v.DemoSessionID != "" {
		h.csrf(c)
	}
	return v, nil
}

func methodName(provider string) string {
	switch provider {
	case payment.ProviderCash:
		return "cash at the box office"
	case payment.ProviderCardPresent:
		return "card at the box office"
	case payment.ProviderDemo:
		return "demo card (no real payment)"
	default:
		return "card"
	}
}
