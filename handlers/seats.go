package handlers

import (
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/db"
	"marquee/views"
)

// initBooking sets up the booking rules and the seat map snapshots.
func (h *Handler) initBooking(d Deps) {
	h.booking = d.Booking.WithDefaults()
	h.seats = newSeatCache(d.DB, d.Logger)
	// One batching worker: one click statement in flight per instance, the
	// clicks arriving meanwhile make the next one. Measured (make
	// bench-booking, 64 clients) ahead of 2 and 3 workers, whose smaller
	// batches cost PostgreSQL more statements for the same clicks.
	h.claims = d.DB.NewClaimer(1)
	if d.Notifier != nil {
		h.seats.follow(d.Notifier)
	}
}

// EndStreams ends the live seat map streams, so that a graceful shutdown
// doesn't wait for them; call it before shutting the server down.
func (h *Handler) EndStreams() {
	h.seats.close()
}

// Close stops what the handler runs in the background (streams, batched seat
// clicks); call it once the server answers no more requests.
func (h *Handler) Close() {
	h.seats.close()
	h.claims.Close()
}

// showtimeID parses the :id route parameter (showtime ids are public).
func showtimeID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

// bookingState is one request's view of a showtime: the snapshot, the
// viewer's cart and the seats as the viewer sees them.
type bookingState struct {
	snap    *seatSnapshot
	cart    string
	now     time.Time
	states  []booking.SeatState
	mine    []booking.Claim
	expired []booking.Claim
	sales   booking.Sales
}

func (h *Handler) bookingState(c *fiber.Ctx, id int64, cart string, force bool) (*bookingState, error) {
	snap, err := h.seats.get(c.UserContext(), id, force)
	if err != nil {
		return nil, err
	}
	now := h.clock.Now()
	b := &bookingState{snap: snap, cart: cart, now: now}
	b.states, b.mine, b.expired = snap.states(cart, now)
	b.sales = booking.SalesAt(snap.static.info.Showtime, now, h.booking)
	return b, nil
}

// viewerState is the booking state of the showtime in the URL as this
// browser sees it (its cart, if it has one; none is made for looking).
func (h *Handler) viewerState(c *fiber.Ctx) (*bookingState, error) {
	id, err := showtimeID(c)
	if err != nil {
		return nil, err
	}
	return h.bookingState(c, id, h.sessionOf(c).CartID(false), false)
}

// summary prices the viewer's live holds.
func (h *Handler) summary(c *fiber.Ctx, b *bookingState, oob bool) (views.SummaryView, error) {
	st := b.snap.static
	lines := make([]booking.Line, 0, len(b.mine))
	var until time.Time
	for _, cl := range b.mine {
		seat, ok := st.layout.Seat(cl.SeatID)
		if !ok {
			continue
		}
		lines = append(lines, booking.Line{Seat: seat, TicketType: cl.TicketType})
		if cl.ExpiresAt != nil && (until.IsZero() || cl.ExpiresAt.Before(until)) {
			until = *cl.ExpiresAt
		}
	}
	q, err := booking.PriceLines(st.card, lines, h.booking)
	if err != nil {
		return views.SummaryView{}, err
	}
	v := views.SummaryView{
		ShowtimeID:  st.info.Showtime.ID,
		Quote:       q,
		TicketTypes: st.card.TicketTypes,
		Expired:     len(b.expired) > 0 && len(b.mine) == 0,
		Open:        b.sales.Open(),
		CSRF:        h.csrf(c),
		OOB:         oob,
		Max:         h.booking.MaxSeatsPerCart,
	}
	if !until.IsZero() {
		v.Remaining = int(until.Sub(b.now).Round(time.Second) / time.Second)
	}
	if u := h.currentUser(c); u != nil {
		v.Email = u.Email
	}
	return v, nil
}

// showtimePage is the booking page: GET /showtimes/:id.
func (h *Handler) showtimePage(c *fiber.Ctx) error {
	b, err := h.viewerState(c)
	if err != nil {
		return err
	}
	sum, err := h.summary(c, b, false)
	if err != nil {
		return err
	}
	st := b.snap.static
	v := views.ShowtimeView{
		Info: st.info, Sales: b.sales, Map: st.smap, States: b.states, Zones: st.zones,
		Summary: sum, CSRF: sum.CSRF, Max: h.booking.MaxSeatsPerCart, List: c.Query("view") == "list",
		Rendered: b.snap.rendered(b.states), LegendHTML: st.legend,
	}
	m := h.meta(c, st.info.Movie.Title+" · "+views.Day(st.info.Showtime.StartsAt, st.info.Theatre.Location()))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, fiber.StatusOK, views.ShowtimePage(m, v))
}

// seatMapPartial is the live map: GET /showtimes/:id/map (htmx, on change events).
func (h *Handler) seatMapPartial(c *fiber.Ctx) error {
	b, err := h.viewerState(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	list := c.Query("view") == "list"
	if r := b.snap.rendered(b.states); r != nil {
		if html := r.Bytes(list); html != nil { // the same bytes as MapPartial's map, rendered once
			c.Status(fiber.StatusOK)
			c.Type("html", "utf-8")
			c.Response().AppendBody(html)
			return views.SalesBanner(b.sales, true).Render(c.UserContext(), c.Response().BodyWriter())
		}
	}
	return render(c, fiber.StatusOK, views.MapPartial(b.snap.static.smap, b.states, b.sales, list))
}

// afterChange answers a change to the viewer's seats: htmx gets the changed
// seats and the summary; a plain form post goes back to the page.
func (h *Handler) afterChange(c *fiber.Ctx, id int64, b *bookingState, changed []int64, full bool) error {
	if !isHTMX(c) {
		to := "/showtimes/" + strconv.FormatInt(id, 10)
		if c.FormValue("view") == "list" {
			to += "?view=list"
		}
		return c.Redirect(to, fiber.StatusSeeOther)
	}
	sum, err := h.summary(c, b, true)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	list := c.FormValue("view") == "list" // the form of the list view says so
	if full {
		return render(c, fiber.StatusOK, views.BestPartial(b.snap.static.smap, b.states, sum, list))
	}
	return render(c, fiber.StatusOK, views.HoldPartial(b.snap.static.smap, changed, b.states, sum, list))
}

// refused makes a refused seat request show the truth: the error partial
// goes to the error area and the map refreshes itself (HX-Trigger).
func refused(c *fiber.Ctx, err error) error {
	if isHTMX(c) {
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
		return h.releaseSeat(c, id, sess.CartID(false), seatID)
	}
	seatID, err := strconv.ParseInt(c.FormValue("hold"), 10, 64)
	if err != nil {
		return booking.Invalid("seat", "Choose a seat.")
	}
	cart := sess.CartID(true)
	b, err := h.bookingState(c, id, cart, false)
	if err != nil {
		return err
	}
	st := b.snap.static
	seat, ok := st.layout.Seat(seatID)
	if !ok {
		return booking.Invalid("seat", "That seat isn't in this auditorium.")
	}
	idx, _ := st.layout.Index(seatID)
	if b.states[idx] == booking.StateMine {
		return h.afterChange(c, id, b, []int64{seatID}, false) // a double click: already yours
	}
	want := []int64{seatID}
	if seat.Kind == booking.SeatWheelchair && c.FormValue("companion") == "1" {
		if comp, ok := st.layout.CompanionOf(seat); ok {
			ci, _ := st.layout.Index(comp.ID)
			if b.states[ci] != booking.StateMine {
				want = append(want, comp.ID)
			}
		}
	}
	until, err := booking.CheckHold(st.info.Showtime, st.layout, want, len(b.mine), b.now, h.booking)
	if err != nil {
		return refused(c, err)
	}
	// Known taken: refuse without asking the database.
	for _, sid := range want {
		i, _ := st.layout.Index(sid)
		if b.states[i] == booking.StateHeld || b.states[i] == booking.StateSold {
			if sid != seatID {
				return refused(c, booking.Errorf(booking.ECONFLICT, "The companion seat next to this wheelchair space is taken. Untick the companion option to hold the space alone."))
			}
			return refused(c, booking.ErrSeatTaken())
		}
	}
	res, err := h.claims.Hold(c.UserContext(), db.Hold{
		ShowtimeID: id, CartID: cart, SeatIDs: want, TicketType: st.card.DefaultTicketType(),
		Now: b.now, Until: until, Max: h.booking.MaxSeatsPerCart, Quiet: true,
	})
	if err != nil {
		if booking.ErrorCode(err) == booking.ECONFLICT {
			h.seats.changed(id)
		}
		return refused(c, err)
	}
	h.seats.announce(id)
	tt := st.card.DefaultTicketType()
	h.seats.apply(id, func(cl seatClaims) {
		for _, sid := range res.Granted {
			exp := res.ExpiresAt
			cl.set(booking.Claim{SeatID: sid, CartID: cart, TicketType: tt, ExpiresAt: &exp})
		}
	})
	return h.afterChange(c, id, b.withHeld(res.Granted, cart, tt, res.ExpiresAt), want, false)
}

// withHeld is b after the viewer was granted seats: what the snapshot shows
// once the grant is applied, without working out every seat's state again.
func (b *bookingState) withHeld(granted []int64, cart, ticketType string, until time.Time) *bookingState {
	l := b.snap.static.layout
	nb := *b
	nb.states = slices.Clone(b.states)
	nb.mine = slices.Clone(b.mine)
	for _, sid := range granted {
		i, ok := l.Index(sid)
		if !ok || nb.states[i] == booking.StateMine {
			continue
		}
		nb.states[i] = booking.StateMine
		exp := until
		nb.mine = append(nb.mine, booking.Claim{SeatID: sid, CartID: cart, TicketType: ticketType, ExpiresAt: &exp})
	}
	slices.SortFunc(nb.mine, func(x, y booking.Claim) int { // layout order, as states lists them
		i, _ := l.Index(x.SeatID)
		j, _ := l.Index(y.SeatID)
		return i - j
	})
	return &nb
}

func (h *Handler) releaseSeat(c *fiber.Ctx, id int64, cart string, seatID int64) error {
	var released []int64
	if cart != "" {
		var err error
		if released, err = h.claims.Release(c.UserContext(), id, cart, []int64{seatID}); err != nil {
			return err
		}
		if len(released) > 0 {
			h.seats.announce(id)
		}
	}
	h.seats.apply(id, func(cl seatClaims) {
		for _, sid := range released {
			cl.free(sid)
		}
	})
	b, err := h.bookingState(c, id, cart, false)
	if err != nil {
		return err
	}
	return h.afterChange(c, id, b, []int64{seatID}, false)
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
	if err := booking.CheckQuantity(n, h.booking); err != nil {
		return err
	}
	cart := h.sessionOf(c).CartID(true)
	var granted []int64
	for attempt := 0; ; attempt++ {
		b, err := h.bookingState(c, id, cart, attempt > 0)
		if err != nil {
			return err
		}
		st := b.snap.static
		if !b.sales.Open() {
			return booking.ErrSalesClosed(b.sales)
		}
		seats := booking.BestSeats(st.layout, takenByOthers(b), n)
		if seats == nil {
			return refused(c, booking.Errorf(booking.ECONFLICT, "There aren't %d seats together any more. Pick seats on the map instead.", n))
		}
		ids := make([]int64, len(seats))
		for i, s := range seats {
			ids[i] = s.ID
		}
		until, err := booking.HoldUntil(st.info.Showtime, b.now, h.booking)
		if err != nil {
			return err
		}
		res, err := h.claims.Hold(c.UserContext(), db.Hold{
			ShowtimeID: id, CartID: cart, SeatIDs: ids, TicketType: st.card.DefaultTicketType(),
			Now: b.now, Until: until, Max: h.booking.MaxSeatsPerCart, Replace: true, Quiet: true,
		})
		if booking.ErrorCode(err) == booking.ECONFLICT && attempt < 2 {
			continue // someone was quicker: look again
		}
		if err != nil {
			return refused(c, err)
		}
		h.seats.announce(id)
		granted = res.Granted
		tt := st.card.DefaultTicketType()
		h.seats.apply(id, func(cl seatClaims) {
			for _, x := range cl.all() {
				if x.SeatID != 0 && x.CartID == cart && x.OrderID == 0 {
					cl.free(x.SeatID)
				}
			}
			for _, sid := range granted {
				exp := res.ExpiresAt
				cl.set(booking.Claim{SeatID: sid, CartID: cart, TicketType: tt, ExpiresAt: &exp})
			}
		})
		break
	}
	b, err := h.bookingState(c, id, cart, false)
	if err != nil {
		return err
	}
	return h.afterChange(c, id, b, granted, true)
}

// takenByOthers says which seats best-seats must avoid: live claims that are
// not the viewer's own (their own seats are released by the replace).
func takenByOthers(b *bookingState) func(int64) bool {
	return func(seatID int64) bool {
		cl, ok := b.snap.claims.get(seatID)
		if !ok || !cl.Live(b.now) {
			return false
		}
		return !(cl.CartID == b.cart && cl.OrderID == 0)
	}
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
	cart := h.sessionOf(c).CartID(false)
	b, err := h.bookingState(c, id, cart, false)
	if err != nil {
		return err
	}
	tt := c.FormValue("type")
	if !b.snap.static.card.HasTicketType(tt) {
		return booking.Invalid("type", "Choose a ticket type from the list.")
	}
	seat, ok := b.snap.static.layout.Seat(seatID)
	if !ok {
		return booking.Invalid("seat", "That seat isn't in this auditorium.")
	}
	if _, ok := b.snap.static.card.Price(tt, seat.Kind); !ok {
		return booking.Invalid("type", "That ticket type isn't sold for this seat.")
	}
	if cart == "" {
		return booking.Errorf(booking.ENOTFOUND, "That seat isn't held for you any more.")
	}
	if err := h.db.SetTicketType(c.UserContext(), id, cart, seatID, tt, b.now); err != nil {
		return refused(c, err)
	}
	tt = string([]byte(tt)) // outlives the request in the snapshot
	h.seats.apply(id, func(cl seatClaims) {
		if x, ok := cl.get(seatID); ok {
			x.TicketType = tt
			cl.set(x)
		}
	})
	if b, err = h.bookingState(c, id, cart, false); err != nil {
		return err
	}
	return h.afterChange(c, id, b, nil, false)
}
