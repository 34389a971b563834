package handlers

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/sales"
	"marquee/views"
)

// checkout turns the cart's seats of a showtime into a pending_payment order
// and sends the browser to the order page: POST /showtimes/:id/checkout.
func (h *Handler) checkout(c *fiber.Ctx) error {
	id, err := showtimeID(c)
	if err != nil {
		return err
	}
	res, err := h.sales.Checkout(c.UserContext(), sales.CheckoutRequest{ShowtimeID: id,
		Cart: h.sessionOf(c).CartID(false), User: h.currentUser(c), Email: c.FormValue("email")})
	if err != nil {
		return refused(c, res, err)
	}
	code := res.Order.Code
	h.grantOrder(c, code) // this browser may see its order without an account
	to := "/orders/" + code
	if isHTMX(c) {
		c.Set("HX-Redirect", to)
		return c.SendStatus(fiber.StatusOK)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// orderPage shows an order by its public code: GET /orders/:code. The code is
// random and unguessable; it is the link a guest keeps.
func (h *Handler) orderPage(c *fiber.Ctx) error {
	// Access (owner, staff, signed guest link, the browser that checked out)
	// and the after-sale part (tickets, refunds, cancellation): aftersale.go, tickets.go.
	v, err := h.orderView(c)
	if err != nil {
		return err
	}
	o, now := v.Order, v.Now
	if o.AwaitingPayment(now) {
		v.Remaining = int(o.HoldExpiresAt.Sub(now).Round(time.Second) / time.Second)
	}
	if v.Payment, err = h.paymentView(c, o, now); err != nil { // payment.go
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	m := h.meta(c, "Order "+o.Code)
	m.NoIndex = true // nobody's business but the customer's (robots.txt says so too)
	return render(c, fiber.StatusOK, views.OrderPage(m, v))
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
