package handlers

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"marquee/aftersale"
	"marquee/booking"
	"marquee/views"
)

// receiptView builds an order's receipt, assigning its number on first view.
func (h *Handler) receiptView(c *fiber.Ctx) (views.ReceiptView, error) {
	v, err := h.orderView(c)
	if err != nil {
		return views.ReceiptView{}, err
	}
	if v.After == nil {
		return views.ReceiptView{}, booking.Errorf(booking.ENOTFOUND, "This order has not been paid, so it has no receipt.")
	}
	n, issued, err := h.db.ReceiptNumber(c.UserContext(), v.Order.ID, h.clock.Now())
	if err != nil {
		return views.ReceiptView{}, err
	}
	method, err := h.db.PaymentMethod(c.UserContext(), v.Order.ID)
	if err != nil {
		return views.ReceiptView{}, err
	}
	rules := h.after.RulesFor(v.Info.Theatre.ID)
	loc := v.Info.Theatre.Location()
	return views.ReceiptView{Order: v.Order, Info: v.Info, After: *v.After, Seller: rules.Seller,
		Receipt: booking.BuildReceipt(v.Order, n),
		Issued:  views.Day(issued, loc) + " " + issued.In(loc).Format("2006") + ", " + views.Clock(issued, loc),
		PaidAt:  v.After.PaidAt, PaymentMethod: method, Refunds: v.After.Refunds}, nil
}

// receiptPage: GET /orders/:code/receipt.
func (h *Handler) receiptPage(c *fiber.Ctx) error {
	rv, err := h.receiptView(c)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.ReceiptPage(h.meta(c, "Receipt "+rv.Order.Code), rv))
}

// receiptPDF: GET /orders/:code/receipt.pdf.
func (h *Handler) receiptPDF(c *fiber.Ctx) error {
	rv, err := h.receiptView(c)
	if err != nil {
		return err
	}
	d := aftersale.ReceiptDoc{Seller: rv.Seller, Receipt: rv.Receipt, Currency: rv.Order.Currency, TaxIDLabel: rv.TaxIDLabel(),
		Code: rv.Order.Code, Issued: rv.Issued,
		Show: rv.Info.Movie.Title + ", " + (views.OrderView{Info: rv.Info}).LocalStart() + ", " + rv.Info.Theatre.Name,
		Paid: "Paid " + rv.PaidAt + " by " + rv.PaymentMethod + "."}
	for _, r := range rv.Refunds {
		d.Refunds = append(d.Refunds, aftersale.ReceiptRefund{Text: strings.TrimSpace(r.When + " " + r.Seats + " (" + views.RefundStatusText(r.Status) + ")"), AmountCents: r.AmountCents})
	}
	b, err := aftersale.ReceiptPDF(d)
	if err != nil {
		return err
	}
	c.Type("pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="marquee-receipt-`+rv.Order.Code+`.pdf"`)
	return c.Send(b)
}
