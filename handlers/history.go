package handlers

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/db"
	"marquee/views"
)

// historyPage is the signed-in customer's orders: GET /account/orders.
func (h *Handler) historyPage(c *fiber.Ctx) error {
	u := h.currentUser(c)
	list, err := h.db.OrdersOfUser(c.UserContext(), u.ID, 200)
	if err != nil {
		return err
	}
	now := h.clock.Now()
	var v views.HistoryView
	for i := len(list) - 1; i >= 0; i-- { // upcoming: soonest first
		o := list[i]
		if o.StartsAt.After(now) {
			v.Upcoming = append(v.Upcoming, historyOrder(o))
		}
	}
	for _, o := range list { // past: most recent first
		if !o.StartsAt.After(now) {
			v.Past = append(v.Past, historyOrder(o))
		}
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return render(c, fiber.StatusOK, views.HistoryPage(h.pageMeta(c, "Your orders", "account"), v))
}

func historyOrder(o db.OrderSummary) views.HistoryOrder {
	loc := booking.Theatre{TimeZone: o.TimeZone}.Location()
	return views.HistoryOrder{Code: o.Code, Status: o.Status, Movie: o.MovieTitle,
		When:  views.Day(o.StartsAt, loc) + " " + o.StartsAt.In(loc).Format("2006") + ", " + views.Clock(o.StartsAt, loc),
		Where: o.TheatreName + ", " + o.Auditorium, Seats: strings.Join(o.Seats, ", "), TotalCents: o.TotalCents}
}

// --- GET /api/v1/orders: the token owner's orders ----------------------------

type apiOrderSummary struct {
	Code          string        `json:"code"`
	Status        string        `json:"status"`
	Movie         apiMovieRef   `json:"movie"`
	Theatre       apiTheatreRef `json:"theatre"`
	Auditorium    string        `json:"auditorium"`
	ShowtimeID    int64         `json:"showtimeId"`
	StartsAt      string        `json:"startsAt"`
	Upcoming      bool          `json:"upcoming"`
	Seats         []string      `json:"seats"`
	TotalCents    int64         `json:"totalCents"`
	RefundedCents int64         `json:"refundedCents"`
	Currency      string        `json:"currency"`
	CreatedAt     string        `json:"createdAt"`
	URL           string        `json:"url"`
}

// apiOrders lists the caller's orders, newest show first.
func (h *Handler) apiOrders(c *fiber.Ctx) error {
	u, err := h.apiUser(c) // set by requireAPIUser
	if err != nil {
		return err
	}
	list, err := h.db.OrdersOfUser(c.UserContext(), u.ID, 200)
	if err != nil {
		return err
	}
	now := h.clock.Now()
	out := struct {
		Orders []apiOrderSummary `json:"orders"`
	}{Orders: make([]apiOrderSummary, 0, len(list))}
	for _, o := range list {
		seats := []string(o.Seats)
		if seats == nil {
			seats = []string{}
		}
		out.Orders = append(out.Orders, apiOrderSummary{Code: o.Code, Status: o.Status,
			Movie:   apiMovieRef{ID: o.MovieID, Slug: o.MovieSlug, Title: o.MovieTitle},
			Theatre: apiTheatreRef{ID: o.TheatreID, Name: o.TheatreName, TimeZone: o.TimeZone}, Auditorium: o.Auditorium,
			ShowtimeID: o.ShowtimeID, StartsAt: o.StartsAt.UTC().Format(time.RFC3339), Upcoming: o.StartsAt.After(now),
			Seats: seats, TotalCents: o.TotalCents, RefundedCents: o.RefundedCents, Currency: o.Currency,
			CreatedAt: o.CreatedAt.UTC().Format(time.RFC3339), URL: "/orders/" + o.Code})
	}
	return c.JSON(out)
}
