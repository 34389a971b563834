package handlers

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/payment"
	"marquee/views"
)

// The offline demo gateway's hosted page (only routed when the demo gateway
// is in use, never with a Stripe key): GET/POST /demo/checkout/:id. Its
// outcomes produce the events a Stripe webhook would and go through the same
// fulfilment.

func (h *Handler) demoView(c *fiber.Ctx, id, message string) (views.DemoCheckoutView, bool, error) {
	st, req, _, ok, err := h.demo.Session(c.UserContext(), id)
	if !ok || err != nil {
		return views.DemoCheckoutView{}, false, err
	}
	v := views.DemoCheckoutView{ID: st.ID, OrderCode: st.OrderCode, Email: req.Email, TotalCents: st.AmountCents,
		Open: st.Status == payment.StatusOpen, Message: message, CancelURL: "/orders/" + st.OrderCode}
	for _, l := range req.Lines {
		v.Lines = append(v.Lines, views.DemoLine{Name: l.Name, Quantity: l.Quantity, UnitCents: l.UnitCents, TotalCents: l.UnitCents * l.Quantity})
	}
	switch st.Status {
	case payment.StatusComplete:
		v.Closed = "This payment is complete."
	case payment.StatusExpired:
		v.Closed = "This payment page has expired: the hold on the seats ran out."
	}
	return v, true, nil
}

func (h *Handler) renderDemo(c *fiber.Ctx, status int, id, message string) error {
	v, ok, err := h.demoView(c, id, message)
	if err != nil {
		return err
	}
	if !ok {
		return fiber.ErrNotFound
	}
	h.csrf(c)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, status, views.DemoCheckoutPage(h.meta(c, "Demo payment"), v))
}

// demoCheckoutPage shows the demo payment page: GET /demo/checkout/:id.
func (h *Handler) demoCheckoutPage(c *fiber.Ctx) error {
	return h.renderDemo(c, fiber.StatusOK, c.Params("id"), "")
}

// demoCheckoutPay applies the chosen outcome: POST /demo/checkout/:id.
func (h *Handler) demoCheckoutPay(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("id"))
	outcome := c.FormValue("outcome")
	evs, err := h.demo.Pay(c.UserContext(), id, outcome)
	switch {
	case errors.Is(err, payment.ErrDemoClosed):
		return h.renderDemo(c, fiber.StatusConflict, id, "This payment page can't take a payment any more.")
	case errors.Is(err, payment.ErrNoDemoSession):
		return fiber.ErrNotFound
	case errors.Is(err, payment.ErrUnknownOutcome):
		return h.renderDemo(c, fiber.StatusUnprocessableEntity, id, "Choose one of the outcomes below.")
	case err != nil:
		return err
	}
	for _, ev := range evs {
		if err := h.payments.Fulfil(c.UserContext(), ev); err != nil {
			return err
		}
	}
	if outcome == payment.DemoDecline {
		return h.renderDemo(c, fiber.StatusPaymentRequired, id, "Your card was declined (demo). Choose another outcome.")
	}
	_, req, _, _, err := h.demo.Session(c.UserContext(), id)
	if err != nil {
		return err
	}
	to := strings.ReplaceAll(req.SuccessURL, "{CHECKOUT_SESSION_ID}", id)
	return c.Redirect(to, fiber.StatusSeeOther)
}

// demoCheckoutSettle completes or fails a "pay later" demo payment, as an
// asynchronous payment method eventually does: POST /demo/checkout/:id/settle.
func (h *Handler) demoCheckoutSettle(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("id"))
	st, _, _, ok, err := h.demo.Session(c.UserContext(), id)
	if err != nil {
		return err
	}
	if !ok {
		return fiber.ErrNotFound
	}
	evs, err := h.demo.SettleLater(c.UserContext(), id, c.FormValue("outcome") == "succeed")
	if err != nil && !errors.Is(err, payment.ErrDemoClosed) {
		return err
	}
	if err != nil {
		return booking.Errorf(booking.ECONFLICT, "This payment has no pending settlement.")
	}
	for _, ev := range evs {
		if err := h.payments.Fulfil(c.UserContext(), ev); err != nil {
			return err
		}
	}
	return c.Redirect("/orders/"+st.OrderCode, fiber.StatusSeeOther)
}
