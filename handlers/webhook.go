package handlers

import (
	"github.com/gofiber/fiber/v2"
)

// stripeWebhook receives Stripe's events: POST /webhooks/stripe. The
// signature is verified first (400 and nothing changes when it doesn't);
// the event is then stored by id and applied once (payment.Service.Fulfil).
// A failure answers 500 so that Stripe delivers the event again.
func (h *Handler) stripeWebhook(c *fiber.Ctx) error {
	ev, err := h.payments.Gateway().ParseWebhook(c.Body(), c.Get("Stripe-Signature"))
	if err != nil {
		h.log.Warn("webhook refused", "request_id", requestID(c), "err", err)
		return c.Status(fiber.StatusBadRequest).SendString("invalid signature")
	}
	if err := h.payments.Fulfil(c.UserContext(), ev); err != nil {
		h.log.Error("webhook: fulfil", "request_id", requestID(c), "event", ev.ID, "type", ev.Type, "err", err)
		return c.Status(fiber.StatusInternalServerError).SendString("not processed, please retry")
	}
	return c.JSON(fiber.Map{"received": true})
}
