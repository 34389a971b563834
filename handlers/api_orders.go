package handlers

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/sales"
)

// --- GET /api/v1/showtimes/{id}: one showtime with its seat map -------------

type apiSeat struct {
	Seat   string `json:"seat"` // the seat's name, e.g. "F12": what POST /orders takes
	Row    string `json:"row"`
	Number int    `json:"number"`
	Kind   string `json:"kind"`
	Zone   string `json:"zone,omitempty"` // pricing zone (the prices' zone)
	X      int    `json:"x"`
	Y      int    `json:"y"`
	Status string `json:"status"` // available | held | sold | blocked
}

type apiSales struct {
	State   string `json:"state"`
	Open    bool   `json:"open"`
	Message string `json:"message,omitempty"`
}

type apiRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type apiShowtimeDetail struct {
	ID           int64         `json:"id"`
	Movie        apiMovieRef   `json:"movie"`
	Theatre      apiTheatreRef `json:"theatre"`
	Auditorium   apiRef        `json:"auditorium"`
	StartsAt     string        `json:"startsAt"`
	EndsAt       string        `json:"endsAt"`
	SalesCloseAt string        `json:"salesCloseAt"`
	Format       string        `json:"format"`
	apiShowAttrs
	SalesOpenAt     *string              `json:"salesOpenAt"`
	Sales           apiSales             `json:"sales"`
	Capacity        int                  `json:"capacity"`
	SeatsLeft       int                  `json:"seatsLeft"`
	Currency        string               `json:"currency"`
	BookingFeeCents int64                `json:"bookingFeeCents"`
	MaxSeats        int                  `json:"maxSeatsPerOrder"`
	TicketTypes     []booking.TicketType `json:"ticketTypes"`
	Prices          []booking.Price      `json:"prices"`
	Seats           []apiSeat            `json:"seats"`
	URL             string               `json:"url"`
}

type apiMovieRef struct {
	ID    int64  `json:"id"`
	Slug  string `json:"slug"`
	Title string `json:"title"`
}

type apiTheatreRef struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	TimeZone string `json:"timeZone"`
}

func apiSeatStatus(s booking.SeatState) string {
	switch s {
	case booking.StateFree:
		return "available"
	case booking.StateSold:
		return "sold"
	default:
		return "held"
	}
}

// apiShowtime is GET /api/v1/showtimes/{id}, served from the seat snapshot.
func (h *Handler) apiShowtimeDetail(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return BadQuery("id", "The showtime id must be a positive number.")
	}
	b, err := h.sales.View(c.UserContext(), id, "")
	if err != nil {
		return err
	}
	st := b.Show
	info := st.Info
	if info.Showtime.Unpublished { // a draft: not in the API
		return booking.Errorf(booking.ENOTFOUND, "Not found.")
	}
	loc := info.Theatre.Location()
	out := apiShowtimeDetail{
		ID:              id,
		Movie:           apiMovieRef{ID: info.Movie.ID, Slug: info.Movie.Slug, Title: info.Movie.Title},
		Theatre:         apiTheatreRef{ID: info.Theatre.ID, Name: info.Theatre.Name, TimeZone: info.Theatre.TimeZone},
		Auditorium:      apiRef{ID: info.Auditorium.ID, Name: info.Auditorium.Name},
		StartsAt:        info.Showtime.StartsAt.In(loc).Format(time.RFC3339),
		EndsAt:          info.Showtime.EndsAt.In(loc).Format(time.RFC3339),
		SalesCloseAt:    info.Showtime.SalesCloseAt.In(loc).Format(time.RFC3339),
		Format:          info.Showtime.Format,
		apiShowAttrs:    toAPIShowAttrs(info.Showtime.ShowAttrs),
		Sales:           apiSales{State: string(b.Sales.State), Open: b.Sales.Open(), Message: b.Sales.Banner},
		Capacity:        booking.SellableCount(st.Layout.Seats),
		Currency:        cmp.Or(b.Set.Currency, st.Card.SaleCurrency()),
		BookingFeeCents: b.Set.BookingFeeCents,
		MaxSeats:        b.Set.MaxSeatsPerCart,
		TicketTypes:     nonNil(st.Card.TicketTypes),
		Prices:          nonNil(st.Card.Prices),
		Seats:           make([]apiSeat, len(st.Layout.Seats)),
		URL:             "/showtimes/" + strconv.FormatInt(id, 10),
	}
	if o := info.Showtime.SalesOpenAt; o != nil {
		t := o.In(loc).Format(time.RFC3339)
		out.SalesOpenAt = &t
	}
	for i, s := range st.Layout.Seats {
		status := apiSeatStatus(b.States[i])
		if !booking.Sellable(s.Kind) {
			status = "blocked" // a house seat: never for sale
		}
		if status == "available" {
			out.SeatsLeft++
		}
		out.Seats[i] = apiSeat{Seat: s.Label(), Row: s.Row, Number: s.Number, Kind: s.Kind, Zone: s.Zone, X: s.X, Y: s.Y, Status: status}
	}
	return c.JSON(out)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// --- POST /api/v1/orders -------------------------------------------------------

// apiOrderRequest is either shape of POST /api/v1/orders:
//
//	{"movieId": 1, "showtime": "2026-03-15T19:30:00Z", "quantity": 2}     best available seats together
//	{"showtimeId": 5, "seats": ["F12", "F13"]}                            these seats
//
// ticketTypes (optional in both) counts tickets per type, e.g.
// {"adult": 1, "child": 1}; it must add up to the number of seats, which get
// the types in seat order (row, then left to right). Without it every ticket
// is the price card's first type (adult). email defaults to the account's.
type apiOrderRequest struct {
	MovieID     int64          `json:"movieId,omitempty"`
	Showtime    string         `json:"showtime,omitempty"`
	Quantity    int            `json:"quantity,omitempty"`
	ShowtimeID  int64          `json:"showtimeId,omitempty"`
	Seats       []string       `json:"seats,omitempty"`
	TicketTypes map[string]int `json:"ticketTypes,omitempty"`
	Email       string         `json:"email,omitempty"`
}

type apiOrderItem struct {
	Seat       string `json:"seat"`
	Row        string `json:"row"`
	Number     int    `json:"number"`
	SeatKind   string `json:"seatKind"`
	TicketType string `json:"ticketType"`
	PriceCents int64  `json:"priceCents"`
	Status     string `json:"status"`
}

type apiOrder struct {
	Code          string         `json:"code"`
	Status        string         `json:"status"`
	Email         string         `json:"email"`
	ShowtimeID    int64          `json:"showtimeId"`
	SubtotalCents int64          `json:"subtotalCents"`
	FeeCents      int64          `json:"feeCents"`
	TotalCents    int64          `json:"totalCents"`
	Currency      string         `json:"currency"`
	HoldExpiresAt string         `json:"holdExpiresAt"`
	CreatedAt     string         `json:"createdAt"`
	PaidAt        *string        `json:"paidAt,omitempty"`
	CancelledAt   *string        `json:"cancelledAt,omitempty"`
	Items         []apiOrderItem `json:"items"`
	URL           string         `json:"url"`
}

func toAPIOrder(o booking.Order) apiOrder {
	out := apiOrder{
		Code: o.Code, Status: o.Status, Email: o.Email, ShowtimeID: o.ShowtimeID,
		SubtotalCents: o.SubtotalCents, FeeCents: o.FeeCents, TotalCents: o.TotalCents, Currency: o.Currency,
		HoldExpiresAt: o.HoldExpiresAt.UTC().Format(time.RFC3339), CreatedAt: o.CreatedAt.UTC().Format(time.RFC3339),
		Items: make([]apiOrderItem, len(o.Items)), URL: "/orders/" + o.Code,
	}
	if o.PaidAt != nil {
		s := o.PaidAt.UTC().Format(time.RFC3339)
		out.PaidAt = &s
	}
	if o.CancelledAt != nil {
		s := o.CancelledAt.UTC().Format(time.RFC3339)
		out.CancelledAt = &s
	}
	for i, it := range o.Items {
		out.Items[i] = apiOrderItem{Seat: it.Label(), Row: it.Row, Number: it.Number, SeatKind: it.SeatKind,
			TicketType: it.TicketType, PriceCents: it.PriceCents, Status: it.Status}
	}
	return out
}

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 200

// apiCreateOrder is POST /api/v1/orders (bearer token): seats are claimed for
// a new pending_payment order at once, or not at all. 201 with the order; a
// repeated Idempotency-Key from the same user answers 200 with the first order.
func (h *Handler) apiCreateOrder(c *fiber.Ctx) error {
	u, err := h.apiUser(c) // authenticated by requireAPIUser
	if err != nil || u == nil {
		return booking.Errorf(booking.EUNAUTHORIZED, "This endpoint needs an API token.")
	}
	var req apiOrderRequest
	dec := json.NewDecoder(strings.NewReader(string(c.Body())))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return BadQuery("body", "The request body must be a JSON order: {\"showtimeId\", \"seats\"} or {\"movieId\", \"showtime\", \"quantity\"}.")
	}
	key := strings.TrimSpace(c.Get("Idempotency-Key"))
	if len(key) > maxIdempotencyKey {
		return booking.Invalid("Idempotency-Key", "The Idempotency-Key header is too long (at most %d characters).", maxIdempotencyKey)
	}
	if !utf8.ValidString(key) || strings.IndexByte(key, 0) >= 0 {
		return booking.Invalid("Idempotency-Key", "The Idempotency-Key header must be text (UTF-8).")
	}
	key = strings.Clone(key)
	fp := fingerprint(req)
	// replay answers with the order an earlier request with the same key made
	// (done reports whether there was one).
	replay := func() (done bool, err error) {
		if key == "" {
			return false, nil
		}
		o, prev, err := h.db.IdempotentOrder(c.UserContext(), u.ID, key)
		switch {
		case err == nil && prev != fp:
			return true, booking.Invalid("Idempotency-Key", "This Idempotency-Key was already used for a different request.")
		case err == nil:
			c.Set("Idempotent-Replayed", "true")
			return true, c.Status(fiber.StatusOK).JSON(toAPIOrder(o))
		case booking.ErrorCode(err) != booking.ENOTFOUND:
			return true, err
		}
		return false, nil
	}
	if done, err := replay(); done {
		return err
	}
	err = h.placeAPIOrder(c, u, req, key, fp)
	if booking.ErrorCode(err) == booking.ECONFLICT {
		// A concurrent request with the same key may have taken these very seats.
		if done, rerr := replay(); done {
			return rerr
		}
	}
	return err
}

// placeAPIOrder places the order through sales, which chooses the seats and claims them.
func (h *Handler) placeAPIOrder(c *fiber.Ctx, u *booking.User, req apiOrderRequest, key, fp string) error {
	showtimeID, err := h.apiOrderShowtime(c, req)
	if err != nil {
		return err
	}
	email, err := booking.TicketEmail(req.Email, u)
	if err != nil {
		return err
	}
	res, err := h.sales.PlaceOrder(c.UserContext(), sales.OrderRequest{
		ShowtimeID: showtimeID, Seats: req.Seats, Quantity: req.Quantity, TicketTypes: req.TicketTypes,
		UserID: &u.ID, Email: email, IdempotencyKey: key, Fingerprint: fp,
	})
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if !res.Created {
		status = fiber.StatusOK
		c.Set("Idempotent-Replayed", "true")
	}
	c.Set(fiber.HeaderLocation, "/api/v1/orders/"+res.Order.Code)
	return c.Status(status).JSON(toAPIOrder(res.Order))
}

// apiOrderShowtime resolves the showtime of either request shape.
func (h *Handler) apiOrderShowtime(c *fiber.Ctx, req apiOrderRequest) (int64, error) {
	switch {
	case req.ShowtimeID > 0 && req.MovieID == 0 && req.Showtime == "":
		if req.Quantity != 0 && len(req.Seats) == 0 {
			return 0, booking.Invalid("quantity", "With showtimeId, name the seats (e.g. \"seats\": [\"F12\", \"F13\"]); quantity goes with movieId and showtime.")
		}
		if req.Quantity != 0 {
			return 0, booking.Invalid("quantity", "Send either seats (with showtimeId) or quantity (with movieId and showtime), not both.")
		}
		if len(req.Seats) == 0 {
			return 0, booking.Invalid("seats", "Name the seats to book, e.g. [\"F12\", \"F13\"].")
		}
		return req.ShowtimeID, nil
	case req.MovieID > 0 && req.Showtime != "" && req.ShowtimeID == 0:
		if len(req.Seats) > 0 {
			return 0, booking.Invalid("seats", "Send either seats (with showtimeId) or quantity (with movieId and showtime), not both.")
		}
		at, err := time.Parse(time.RFC3339, req.Showtime)
		if err != nil {
			return 0, booking.Invalid("showtime", "The showtime must be an RFC 3339 time, e.g. 2026-03-15T19:30:00Z.")
		}
		info, err := h.db.ShowtimeOfMovieAt(c.UserContext(), req.MovieID, at)
		if booking.ErrorCode(err) == booking.ENOTFOUND {
			return 0, booking.Errorf(booking.ENOTFOUND, "That movie has no showtime starting at %s.", req.Showtime)
		}
		if err != nil {
			return 0, err
		}
		if req.Quantity == 0 {
			return 0, booking.Invalid("quantity", "Say how many seats (quantity).")
		}
		return info.Showtime.ID, nil
	default:
		return 0, booking.Invalid("showtimeId", "Send {\"showtimeId\", \"seats\"} or {\"movieId\", \"showtime\", \"quantity\"}.")
	}
}

// fingerprint identifies a request's content for idempotency checks.
func fingerprint(req apiOrderRequest) string {
	b, _ := json.Marshal(req) // map keys are sorted by encoding/json
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// apiOrder is GET /api/v1/orders/{code} (bearer token): the caller's own order.
func (h *Handler) apiOrder(c *fiber.Ctx) error {
	o, err := h.apiOwnOrder(c)
	if err != nil {
		return err
	}
	return c.JSON(toAPIOrder(o))
}

// apiOwnOrder loads the order named by :code if it belongs to the API token's
// user; anyone else's order (or none) is 404, never 403, so codes can't be probed.
func (h *Handler) apiOwnOrder(c *fiber.Ctx) (booking.Order, error) {
	u, err := h.apiUser(c) // authenticated by requireAPIUser
	if err != nil || u == nil {
		return booking.Order{}, booking.Errorf(booking.EUNAUTHORIZED, "This endpoint needs an API token.")
	}
	return h.orderParam(c, func(o booking.Order) bool { return o.UserID != nil && *o.UserID == u.ID })
}

// apiCheckout is POST /api/v1/orders/:code/checkout: the hosted payment page
// for a pending order (the same one on every call while it is open), for the
// client to send its customer to.
func (h *Handler) apiCheckout(c *fiber.Ctx) error {
	o, err := h.apiOwnOrder(c)
	if err != nil {
		return err
	}
	url, err := h.payments.StartCheckout(c.UserContext(), o.Code)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"checkoutUrl": url})
}
