package handlers

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"marquee/views"
)

// orderCalendar is "add to calendar": GET /orders/:code/calendar.ics, the
// order's show as an iCalendar event (paid orders, same access as the order).
func (h *Handler) orderCalendar(c *fiber.Ctx) error {
	v, err := h.paidOrderView(c)
	if err != nil {
		return err
	}
	host := "marquee"
	if u, err := url.Parse(h.cfg.BaseURL); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	link := h.cfg.BaseURL + v.After.OrderLink("")
	ev := views.OrderCalendarEvent(v.Order, v.Info, host, link, h.clock.Now())
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="marquee-`+v.Order.Code+`.ics"`)
	return c.Send(ev.ICS())
}
