package handlers

import (
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/db"
	"marquee/views"
)

// checkout turns the cart's seats of a showtime into a pending_payment order
// and sends the browser to the order page: POST /showtimes/:id/checkout.
func (h *Handler) checkout(c *fiber.Ctx) error {
	id, err := showtimeID(c)
	if err != nil {
		return err
	}
	cart := h.sessionOf(c).CartID(false)
	b, err := h.bookingState(c, id, cart, false)
	if err != nil {
		return err
	}
	if !b.sales.Open() {
		return booking.ErrSalesClosed(b.sales)
	}
	email, err := checkoutEmail(c.FormValue("email"), h.currentUser(c))
	if err != nil {
		return err
	}
	if cart == "" {
		return booking.Invalid("seat", "You have no seats held for this show. Pick seats first.")
	}
	var uid *int64
	if u := h.currentUser(c); u != nil {
		uid = &u.ID
	}
	st := b.snap.static
	o, err := h.db.CheckoutCart(c.UserContext(), db.Checkout{
		ShowtimeID: id, CartID: cart, UserID: uid, Email: email, Now: b.now,
		Layout: st.layout, Card: st.card, Settings: h.booking,
	})
	if err != nil {
		return refused(c, err)
	}
	h.seats.apply(id, func(cl seatClaims) {
		for _, it := range o.Items {
			if x, ok := cl.get(it.SeatID); ok {
				x.CartID, x.OrderID = "", o.ID
				cl.set(x)
			}
		}
	})
	h.grantOrder(c, o.Code) // this browser may see its order without an account
	to := "/orders/" + o.Code
	if isHTMX(c) {
		c.Set("HX-Redirect", to)
		return c.SendStatus(fiber.StatusOK)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// checkoutEmail is the address tickets go to: the form's, else the account's.
func checkoutEmail(form string, u *booking.User) (string, error) {
	form = strings.TrimSpace(form)
	if form == "" && u != nil {
		return u.Email, nil
	}
	a, err := mail.ParseAddress(form)
	if err != nil || a.Address != form || len(form) > 254 || !strings.Contains(form, ".") {
		return "", booking.Invalid("email", "Enter the e-mail address your tickets should go to.")
	}
	return strings.Clone(form), nil
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
	return render(c, fiber.StatusOK, views.OrderPage(h.meta(c, "Order "+o.Code), v))
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
