package handlers

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/sales"
	"marquee/views"
)

// showtimeID parses the :id route parameter (showtime ids are public).
func showtimeID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

// seatMap is what a showtime's page renders once per sales.Show: every seat
// pre-rendered in every state, and the price legend. It lives in the Show's
// memo slot (sales.Show.Rendered), so it is made again exactly when the
// showtime, its layout or its prices are reloaded.
type seatMap struct {
	smap   *views.SeatMap
	legend string // the zones rendered
}

// seatMapOf returns the show's pre-rendered seat map, rendering it on first use.
func seatMapOf(st *sales.Show) (*seatMap, error) {
	m, err := st.Rendered.Get(func() (any, error) {
		smap, err := views.NewSeatMap(st.Info.Showtime.ID, st.Layout)
		if err != nil {
			return nil, fmt.Errorf("render seat map of showtime %d: %w", st.Info.Showtime.ID, err)
		}
		legend, err := views.LegendHTML(st.Zones, smap)
		if err != nil {
			return nil, fmt.Errorf("seat map legend: %w", err)
		}
		return &seatMap{smap: smap, legend: legend}, nil
	})
	if err != nil {
		return nil, err
	}
	return m.(*seatMap), nil
}

// sharedMapHTML returns the map rendered once for every viewer who sees the
// snapshot's public seats (nil when v's viewer sees seats of their own).
func sharedMapHTML(v *sales.View, m *seatMap) *views.MapHTML {
	memo := v.Shared()
	if memo == nil {
		return nil
	}
	r, _ := memo.Get(func() (any, error) { return views.NewMapHTML(m.smap, v.States), nil })
	return r.(*views.MapHTML)
}

// viewerState is the showtime in the URL as this browser sees it (its cart,
// if it has one; none is made for looking).
func (h *Handler) viewerState(c *fiber.Ctx) (*sales.View, error) {
	id, err := showtimeID(c)
	if err != nil {
		return nil, err
	}
	v, err := h.sales.View(c.UserContext(), id, h.sessionOf(c).CartID(false))
	if err != nil {
		return nil, err
	}
	if v.Show.Info.Showtime.Unpublished { // a draft: staff only (manage_showtimes.go)
		if u := h.currentUser(c); u == nil || !u.Role.AtLeast(booking.RoleStaff) {
			return nil, booking.Errorf(booking.ENOTFOUND, "Not found.")
		}
	}
	return v, nil
}

// summary prices the viewer's live holds.
func (h *Handler) summary(c *fiber.Ctx, b *sales.View, oob bool) (views.SummaryView, error) {
	st := b.Show
	lines := make([]booking.Line, 0, len(b.Mine))
	var until time.Time
	for _, cl := range b.Mine {
		seat, ok := st.Layout.Seat(cl.SeatID)
		if !ok {
			continue
		}
		lines = append(lines, booking.Line{Seat: seat, TicketType: cl.TicketType})
		if cl.ExpiresAt != nil && (until.IsZero() || cl.ExpiresAt.Before(until)) {
			until = *cl.ExpiresAt
		}
	}
	q, err := booking.PriceLines(st.Card, lines, b.Set)
	if err != nil {
		return views.SummaryView{}, err
	}
	v := views.SummaryView{
		ShowtimeID:  st.Info.Showtime.ID,
		Quote:       q,
		TicketTypes: st.Card.TicketTypes,
		Expired:     len(b.Expired) > 0 && len(b.Mine) == 0,
		Open:        b.Sales.Open(),
		CSRF:        h.csrf(c),
		OOB:         oob,
		Max:         b.Set.MaxSeatsPerCart,
	}
	if !until.IsZero() {
		v.Remaining = int(until.Sub(b.Now).Round(time.Second) / time.Second)
	}
	if u := h.currentUser(c); u != nil {
		v.Email = u.Email
	}
	return v, nil
}

// showtimePage is the booking page: GET /showtimes/:id. The page makes the
// browser's cart (in the session it sets anyway, for its CSRF token), so that
// a new visitor's first clicks, sent at once, all hold for that one cart
// rather than each making a cart of its own (last cookie wins).
func (h *Handler) showtimePage(c *fiber.Ctx) error {
	b, err := h.viewerState(c)
	if err != nil {
		return err
	}
	h.sessionOf(c).CartID(true)
	m, err := seatMapOf(b.Show)
	if err != nil {
		return err
	}
	sum, err := h.summary(c, b, false)
	if err != nil {
		return err
	}
	st := b.Show
	v := views.ShowtimeView{
		Info: st.Info, Sales: b.Sales, Map: m.smap, States: b.States, Zones: st.Zones,
		Summary: sum, CSRF: sum.CSRF, Max: b.Set.MaxSeatsPerCart, List: c.Query("view") == "list",
		Rendered: sharedMapHTML(b, m), LegendHTML: m.legend,
	}
	meta := h.meta(c, st.Info.Movie.Title+" · "+views.Day(st.Info.Showtime.StartsAt, st.Info.Theatre.Location()))
	left := 0
	for _, s := range b.States {
		if s == booking.StateFree {
			left++
		}
	}
	meta.Description = views.ShowtimeDescription(v, left)
	meta.URL = h.cfg.BaseURL + views.ShowtimeURL(st.Info.Showtime.ID)
	meta.Image = views.Absolute(h.cfg.BaseURL, views.PosterURL(st.Info.Movie.Poster))
	meta.JSONLD = views.ScreeningJSONLD(v, h.cfg.BaseURL, st.Card.SaleCurrency(), left)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, fiber.StatusOK, views.ShowtimePage(meta, v))
}

// seatMapPartial is the live map: GET /showtimes/:id/map (htmx, on change events).
func (h *Handler) seatMapPartial(c *fiber.Ctx) error {
	b, err := h.viewerState(c)
	if err != nil {
		return err
	}
	m, err := seatMapOf(b.Show)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	list := c.Query("view") == "list"
	if r := sharedMapHTML(b, m); r != nil {
		if html := r.Bytes(list); html != nil { // the same bytes as MapPartial's map, rendered once
			c.Status(fiber.StatusOK)
			c.Type("html", "utf-8")
			c.Response().AppendBody(html)
			return views.SalesBanner(b.Sales, true).Render(c.UserContext(), c.Response().BodyWriter())
		}
	}
	return render(c, fiber.StatusOK, views.MapPartial(m.smap, b.States, b.Sales, list))
}

// afterChange answers a change to the viewer's seats: htmx gets the changed
// seats and the summary; a plain form post goes back to the page.
func (h *Handler) afterChange(c *fiber.Ctx, id int64, res sales.Result, full bool) error {
	if !isHTMX(c) {
		to := "/showtimes/" + strconv.FormatInt(id, 10)
		if c.FormValue("view") == "list" {
			to += "?view=list"
		}
		return c.Redirect(to, fiber.StatusSeeOther)
	}
	b := res.View
	m, err := seatMapOf(b.Show)
	if err != nil {
		return err
	}
	sum, err := h.summary(c, b, true)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	list := c.FormValue("view") == "list" // the form of the list view says so
	if full {
		return render(c, fiber.StatusOK, views.BestPartial(m.smap, b.States, sum, list))
	}
	return render(c, fiber.StatusOK, views.HoldPartial(m.smap, res.Seats, b.States, sum, list))
}

// refused answers a seat request sales turned down: a refused one
// (Result.Refused) shows the truth — the error partial goes to the error area
// and the map refreshes itself (HX-Trigger).
func refused(c *fiber.Ctx, res sales.Result, err error) error {
	if res.Refused && isHTMX(c) {
		c.Set("HX-Trigger", "seats-changed")
	}
	return err
}

// toggleSeat holds or releases one seat: POST /showtimes/:id/seats with
// hold=<seat> or release=<seat> (the clicked button), companion=1 to hold a
// wheelchair space's companion seat with it.
func (h *Handler) toggleSeat(c *fiber.Ctx) error {
	id, err := showtimeID(c)
	if err != nil {
		return err
	}
	sess := h.sessionOf(c)
	if v := c.FormValue("release"); v != "" {
		seatID, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return booking.Invalid("seat", "Choose a seat.")
		}
		res, err := h.sales.Release(c.UserContext(), id, sess.CartID(false), seatID)
		if err != nil {
			return err
		}
		return h.afterChange(c, id, res, false)
	}
	seatID, err := strconv.ParseInt(c.FormValue("hold"), 10, 64)
	if err != nil {
		return booking.Invalid("seat", "Choose a seat.")
	}
	if err := h.limitHolds(c, id, 1); err != nil {
		return err
	}
	res, err := h.sales.Hold(c.UserContext(), sales.HoldRequest{ShowtimeID: id, Cart: sess.CartID(true), SeatID: seatID,
		Companion: c.FormValue("companion") == "1"})
	if err != nil {
		return refused(c, res, err)
	}
	h.countHolds(c, id, len(res.Seats))
	return h.afterChange(c, id, res, false)
}

// bestSeats replaces the selection with the best n seats together:
// POST /showtimes/:id/best with quantity=n.
func (h *Handler) bestSeats(c *fiber.Ctx) error {
	id, err := showtimeID(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.FormValue("quantity"))
	if err != nil {
		return booking.Invalid("quantity", "Choose how many seats.")
	}
	v, err := h.sales.View(c.UserContext(), id, "")
	if err != nil {
		return err
	}
	if err := booking.CheckQuantity(n, v.Set); err != nil {
		return err // before a cart is made for it
	}
	if err := h.limitHolds(c, id, n); err != nil {
		return err
	}
	res, err := h.sales.Best(c.UserContext(), id, h.sessionOf(c).CartID(true), n)
	if err != nil {
		return refused(c, res, err)
	}
	h.countHolds(c, id, n)
	return h.afterChange(c, id, res, true)
}

// setTicketType changes a held seat's ticket type: POST /showtimes/:id/type
// with seat and type.
func (h *Handler) setTicketType(c *fiber.Ctx) error {
	id, err := showtimeID(c)
	if err != nil {
		return err
	}
	seatID, err := strconv.ParseInt(c.FormValue("seat"), 10, 64)
	if err != nil {
		return booking.Invalid("seat", "Choose a seat.")
	}
	res, err := h.sales.SetTicketType(c.UserContext(), sales.TicketTypeRequest{ShowtimeID: id,
		Cart: h.sessionOf(c).CartID(false), SeatID: seatID, TicketType: c.FormValue("type")})
	if err != nil {
		return refused(c, res, err)
	}
	return h.afterChange(c, id, res, false)
}
