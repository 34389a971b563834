package handlers

import (
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"marquee/aftersale"
	"marquee/booking"
	"marquee/views"
)

// cancelView builds the cancellation page's data.
func (h *Handler) cancelView(c *fiber.Ctx) (views.CancelView, error) {
	v, err := h.orderView(c)
	if err != nil {
		return views.CancelView{}, err
	}
	if v.After == nil {
		return views.CancelView{}, booking.Errorf(booking.ENOTFOUND, "This order has not been paid, so there is nothing to cancel.")
	}
	cv := views.CancelView{Order: v.Order, Info: v.Info, After: *v.After, Policy: h.after.RulesFor(v.Info.Theatre.ID).Cancel.Describe()}
	if cv.After.CancelWhy == "" && !cv.After.CanCancel {
		cv.After.CancelWhy = "This order has no seats left to cancel."
	}
	for _, it := range v.Order.Items {
		if it.Status != booking.ItemSold {
			continue
		}
		s := views.CancelSeat{Label: it.Label(), TicketType: it.TicketType, PriceCents: it.PriceCents}
		if it.CheckedInAt != nil {
			s.Why = "already checked in"
		}
		cv.Seats = append(cv.Seats, s)
	}
	return cv, nil
}

// cancelPage: GET /orders/:code/cancel.
func (h *Handler) cancelPage(c *fiber.Ctx) error {
	cv, err := h.cancelView(c)
	if err != nil {
		return err
	}
	h.csrf(c)
	return render(c, fiber.StatusOK, views.CancelPage(h.meta(c, "Cancel tickets"), cv))
}

// seatIDsByLabel maps seat names ("F12") of an order to its seat ids;
// an unknown name is EINVALID.
func seatIDsByLabel(o booking.Order, labels []string) ([]int64, error) {
	var ids []int64
	for _, l := range labels {
		l = strings.ToUpper(strings.TrimSpace(l))
		found := false
		for _, it := range o.Items {
			if it.Label() == l {
				ids = append(ids, it.SeatID)
				found = true
				break
			}
		}
		if !found {
			return nil, booking.Invalid("seats", "Seat %q is not part of this order.", l)
		}
	}
	return ids, nil
}

// cancel: POST /orders/:code/cancel (form: seat=F12… or all=1).
func (h *Handler) cancel(c *fiber.Ctx) error {
	cv, err := h.cancelView(c)
	if err != nil {
		return err
	}
	var labels []string
	if c.FormValue("all") == "" {
		args := c.Request().PostArgs()
		for _, b := range args.PeekMulti("seat") {
			labels = append(labels, string(b))
		}
		if len(labels) == 0 {
			cv.Error = "Choose the seats to cancel, or cancel the whole order."
			h.csrf(c)
			return render(c, fiber.StatusUnprocessableEntity, views.CancelPage(h.meta(c, "Cancel tickets"), cv))
		}
	}
	ids, err := seatIDsByLabel(cv.Order, labels)
	if err == nil {
		var r booking.Refund
		r, err = h.after.Cancel(c.UserContext(), cv.Order.Code, ids)
		if err == nil {
			h.audit(c, "order.cancel", cv.Order.Code, map[string]any{"seats": len(r.SeatIDs), "refund_cents": r.AmountCents, "refund_status": r.Status})
			h.sessionOf(c).SetFlash(aftersale.RefundMessage(r))
			return c.Redirect(cv.After.OrderLink(""), fiber.StatusSeeOther)
		}
	}
	code := booking.ErrorCode(err)
	if code == booking.EINTERNAL {
		return err
	}
	// A refusal the customer can read: show the page again with it, on the current state.
	cv2, verr := h.cancelView(c)
	if verr != nil {
		return verr
	}
	cv2.Error = booking.ErrorMessage(err)
	h.csrf(c)
	return render(c, statusOf(code), views.CancelPage(h.meta(c, "Cancel tickets"), cv2))
}

// --- POST /api/v1/orders/{code}/cancel ----------------------------------------

type apiCancelRequest struct {
	Seats []string `json:"seats"`
}

type apiRefund struct {
	AmountCents int64    `json:"amountCents"`
	Status      string   `json:"status"` // succeeded | pending | failed
	Seats       []string `json:"seats"`
	Message     string   `json:"message"`
}

type apiCancelResponse struct {
	Order  apiOrder  `json:"order"`
	Refund apiRefund `json:"refund"`
}

// apiCancelOrder cancels seats (none listed: all) of the caller's own order.
func (h *Handler) apiCancelOrder(c *fiber.Ctx) error {
	o, err := h.apiOwnOrder(c)
	if err != nil {
		return err
	}
	var req apiCancelRequest
	if body := c.Body(); len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			return booking.Invalid("body", "The request body must be JSON like {\"seats\": [\"F12\"]}.")
		}
	}
	ids, err := seatIDsByLabel(o, req.Seats)
	if err != nil {
		return err
	}
	if o.Status == booking.OrderPendingPayment && len(req.Seats) == 0 {
		// Nothing paid yet: cancelling gives the order up and its seats back.
		abandoned, err := h.sales.Abandon(c.UserContext(), o.Code)
		if err != nil {
			return err
		}
		if abandoned {
			if o, err = h.db.OrderByCode(c.UserContext(), o.Code); err != nil {
				return err
			}
			return c.JSON(apiCancelResponse{Order: toAPIOrder(o), Refund: apiRefund{Status: "none", Seats: []string{},
				Message: "Nothing was paid, so nothing is refunded. The seats are back on sale."}})
		}
		// paid meanwhile: cancel it as a paid order
	}
	r, err := h.after.Cancel(c.UserContext(), o.Code, ids)
	if err != nil {
		return err
	}
	o, err = h.db.OrderByCode(c.UserContext(), o.Code)
	if err != nil {
		return err
	}
	labels := map[int64]string{}
	for _, it := range o.Items {
		labels[it.SeatID] = it.Label()
	}
	out := apiCancelResponse{Order: toAPIOrder(o), Refund: apiRefund{AmountCents: r.AmountCents, Status: r.Status,
		Message: aftersale.RefundMessage(r), Seats: []string{}}}
	for _, id := range r.SeatIDs {
		out.Refund.Seats = append(out.Refund.Seats, labels[id])
	}
	return c.JSON(out)
}
