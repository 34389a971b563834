package handlers

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"marquee/aftersale"
	"marquee/booking"
)

// Orders after payment: who may see an order, and the after-sale service.

// sessOrders is the session key listing the order codes this browser may see
// without an account: the orders it checked out, and those opened once with
// their signed link (?t=…). Space-separated, newest last, at most maxSessOrders.
const (
	sessOrders    = "orders"
	maxSessOrders = 10
)

// grantOrder lets this browser see the order from now on (guest checkout, signed link).
func (h *Handler) grantOrder(c *fiber.Ctx, code string) {
	s := h.sessionOf(c)
	cur, _ := s.s.Values[sessOrders].(string)
	codes := strings.Fields(cur)
	for _, x := range codes {
		if x == code {
			return
		}
	}
	codes = append(codes, code)
	if len(codes) > maxSessOrders {
		codes = codes[len(codes)-maxSessOrders:]
	}
	s.s.Values[sessOrders] = strings.Join(codes, " ")
	s.dirty = true
}

func (h *Handler) granted(c *fiber.Ctx, code string) bool {
	if !hasSessionCookie(c) {
		return false
	}
	cur, _ := h.sessionOf(c).s.Values[sessOrders].(string)
	for _, x := range strings.Fields(cur) {
		if x == code {
			return true
		}
	}
	return false
}

// canSeeOrder is the one access rule for an order and everything under it
// (tickets, receipt, cancellation): its owner, staff of its theatre (admins:
// every theatre), the guest holding its signed link token (?t=, remembered
// in the session), or the browser that checked it out. Everyone else gets
// 404, so existence isn't revealed.
func (h *Handler) canSeeOrder(c *fiber.Ctx, o booking.Order) bool {
	if u := h.currentUser(c); u != nil {
		if o.UserID != nil && *o.UserID == u.ID {
			return true
		}
		if u.Role.AtLeast(booking.RoleStaff) && h.staffOfOrder(c, o) {
			return true
		}
	}
	if t := c.Query("t"); t != "" && h.after.Signer().CheckLink(o.Code, t) {
		h.grantOrder(c, o.Code)
		return true
	}
	return h.granted(c, o.Code)
}

// staffOfOrder reports whether the signed-in staff member works at the
// order's theatre.
func (h *Handler) staffOfOrder(c *fiber.Ctx, o booking.Order) bool {
	s, err := h.scope(c)
	if err != nil {
		return false
	}
	if s.All {
		return true
	}
	theatre, err := h.db.OrderTheatre(c.UserContext(), o.Code)
	return err == nil && s.Allows(theatre)
}

var errNoSuchOrder = booking.Errorf(booking.ENOTFOUND, "No such order.")

// validOrderCode reports whether code (upper-cased) has the shape of a public
// order code: 12 letters and digits. Anything else is answered 404 without a
// query (and never reaches PostgreSQL as invalid UTF-8).
func validOrderCode(code string) bool {
	if len(code) != 12 {
		return false
	}
	for i := 0; i < len(code); i++ {
		if b := code[i]; !('A' <= b && b <= 'Z' || '0' <= b && b <= '9') {
			return false
		}
	}
	return true
}

// visibleOrder loads the order named by :code if the requester may see it.
func (h *Handler) visibleOrder(c *fiber.Ctx) (booking.Order, error) {
	return h.orderParam(c, func(o booking.Order) bool { return h.canSeeOrder(c, o) })
}

// orderParam loads the order named by the :code parameter when allowed says
// the request may see it. A malformed code, a missing order and someone
// else's order all get the same 404, so codes can't be probed.
func (h *Handler) orderParam(c *fiber.Ctx, allowed func(booking.Order) bool) (booking.Order, error) {
	code := strings.ToUpper(c.Params("code"))
	if !validOrderCode(code) {
		return booking.Order{}, errNoSuchOrder
	}
	o, err := h.db.OrderByCode(c.UserContext(), code)
	if booking.ErrorCode(err) == booking.ENOTFOUND {
		return booking.Order{}, errNoSuchOrder
	}
	if err != nil {
		return booking.Order{}, err
	}
	if !allowed(o) {
		return booking.Order{}, errNoSuchOrder
	}
	return o, nil
}

// tokenQuery is "?t=…" when the request carried a valid link token, so links
// on the page keep working for a guest whose browser refuses cookies.
func (h *Handler) tokenQuery(c *fiber.Ctx, code string) string {
	if t := c.Query("t"); t != "" && h.after.Signer().CheckLink(code, t) {
		return "?t=" + t
	}
	return ""
}

// AfterSale returns the after-sale service (for main's background jobs and later manager pages).
func (h *Handler) AfterSale() *aftersale.Service { return h.after }
