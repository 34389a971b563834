package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"marquee/aftersale"
	"marquee/booking"
	"marquee/views"
)

// tickets lists an order's QR tickets: one per valid seat, or one for the
// whole order (setting TicketPerOrder).
func (h *Handler) tickets(o booking.Order, theatreID int64) []views.TicketView {
	if !o.HasTickets() {
		return nil
	}
	signer := h.after.Signer()
	var out []views.TicketView
	live := o.LiveItems()
	if h.after.RulesFor(theatreID).TicketPerOrder {
		if len(live) == 0 {
			return nil
		}
		labels := make([]string, len(live))
		for i, it := range live {
			labels[i] = it.Label()
		}
		return []views.TicketView{{N: 1, Label: "Seats " + strings.Join(labels, ", "),
			Token: signer.TicketToken(booking.Ticket{OrderCode: o.Code, Seat: booking.TicketAll})}}
	}
	for i, it := range live {
		out = append(out, views.TicketView{N: i + 1, Label: "Row " + it.Row + ", seat " + strconv.Itoa(it.Number),
			TicketType: it.TicketType, Token: signer.TicketToken(booking.Ticket{OrderCode: o.Code, Seat: it.Label()})})
	}
	return out
}

// afterSaleView builds the after-sale part of the order page.
func (h *Handler) afterSaleView(c *fiber.Ctx, o booking.Order, info booking.ShowtimeInfo) (*views.AfterSaleView, error) {
	if o.PaidAt == nil {
		return nil, nil
	}
	loc := info.Theatre.Location()
	a := &views.AfterSaleView{Code: o.Code, Query: h.tokenQuery(c, o.Code), Paid: o.HasTickets(),
		PaidAt: views.Day(*o.PaidAt, loc) + " " + views.Clock(*o.PaidAt, loc), Tickets: h.tickets(o, info.Theatre.ID)}
	if err := h.markProof(c, a.Tickets); err != nil {
		return nil, err
	}
	pol := h.after.RulesFor(info.Theatre.ID).Cancel
	now := h.clock.Now()
	a.CanCancel, a.CancelWhy = pol.CanCancelOnline(o, info.Showtime.StartsAt, now)
	if !o.HasTickets() {
		a.CancelWhy = ""
	}
	dl := pol.CancelDeadline(info.Showtime.StartsAt)
	a.CancelUntil = views.Day(dl, loc) + ", " + views.Clock(dl, loc)
	rs, err := h.db.RefundsOfOrder(c.UserContext(), o.ID)
	if err != nil {
		return nil, err
	}
	labels := map[int64]string{}
	for _, it := range o.Items {
		labels[it.SeatID] = it.Label()
	}
	for _, r := range rs {
		if !r.CountsOnOrder() {
			continue // a late or duplicate payment sent back: the payment part of the page shows it
		}
		var seats []string
		for _, id := range r.SeatIDs {
			seats = append(seats, labels[id])
		}
		a.Refunds = append(a.Refunds, views.RefundView{When: views.Day(r.CreatedAt, loc), Seats: strings.Join(seats, ", "),
			AmountCents: r.AmountCents, Status: r.Status})
	}
	return a, nil
}

// orderView loads everything the order, tickets and receipt pages show, access checked.
func (h *Handler) orderView(c *fiber.Ctx) (views.OrderView, error) {
	o, err := h.visibleOrder(c)
	if err != nil {
		return views.OrderView{}, err
	}
	info, err := h.db.ShowtimeInfo(c.UserContext(), o.ShowtimeID)
	if err != nil {
		return views.OrderView{}, err
	}
	v := views.OrderView{Order: o, Info: info, Now: h.clock.Now()}
	if v.After, err = h.afterSaleView(c, o, info); err != nil {
		return v, err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return v, nil
}

// paidOrderView is orderView for pages that exist only for paid orders (404 otherwise).
func (h *Handler) paidOrderView(c *fiber.Ctx) (views.OrderView, error) {
	v, err := h.orderView(c)
	if err != nil {
		return v, err
	}
	if v.After == nil || !v.After.Paid {
		return v, booking.Errorf(booking.ENOTFOUND, "This order has no valid tickets.")
	}
	return v, nil
}

// ticketsPage is the printable tickets page: GET /orders/:code/tickets.
func (h *Handler) ticketsPage(c *fiber.Ctx) error {
	v, err := h.paidOrderView(c)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.TicketsPage(h.meta(c, "Tickets "+v.Order.Code), v))
}

// ticketQR is one ticket's QR code as PNG: GET /orders/:code/tickets/:n.png.
func (h *Handler) ticketQR(c *fiber.Ctx) error {
	v, err := h.paidOrderView(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 || n > len(v.After.Tickets) {
		return booking.Errorf(booking.ENOTFOUND, "No such ticket.")
	}
	png, err := aftersale.QRPNG(v.After.Tickets[n-1].Token, 256)
	if err != nil {
		return err
	}
	c.Type("png")
	return c.Send(png)
}

// ticketsPDF is every ticket of an order in one PDF: GET /orders/:code/tickets.pdf.
func (h *Handler) ticketsPDF(c *fiber.Ctx) error {
	v, err := h.paidOrderView(c)
	if err != nil {
		return err
	}
	doc := aftersale.TicketsDoc{Code: v.Order.Code, Movie: v.Info.Movie.Title, When: v.LocalStart(),
		Where: v.Info.Theatre.Name + ", " + v.Info.Auditorium.Name}
	for _, t := range v.After.Tickets {
		tt := t.TicketType
		if t.Proof != "" {
			tt += " · " + t.Proof
		}
		doc.Tickets = append(doc.Tickets, aftersale.TicketDoc{Label: t.Label, TicketType: tt, Token: t.Token})
	}
	b, err := aftersale.TicketsPDF(doc)
	if err != nil {
		return err
	}
	c.Type("pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="marquee-tickets-`+v.Order.Code+`.pdf"`)
	return c.Send(b)
}

// markProof tells each ticket what proof the door checks for its type.
func (h *Handler) markProof(c *fiber.Ctx, tickets []views.TicketView) error {
	if len(tickets) == 0 {
		return nil
	}
	types, err := h.db.TicketTypeList(c.UserContext())
	if err != nil {
		return err
	}
	for i := range tickets {
		for _, tt := range types {
			if tt.Code == tickets[i].TicketType {
				tickets[i].Proof = views.ProofLine(tt)
			}
		}
	}
	return nil
}
