package sales

import (
	"context"
	"strings"

	"marquee/booking"
	"marquee/db"
)

// Result is what a change to a viewer's seats did.
type Result struct {
	// View is the viewer's seats after the change (nil for Checkout).
	View *View
	// Seats are the seats whose look changed: the ones asked for (hold,
	// release) or granted (best seats).
	Seats []int64
	// Order is the order a checkout made.
	Order *booking.Order
	// Refused, with an error, says the request reached the seats and was
	// turned down there (taken, limits, sales closed, a database refusal):
	// the map the viewer acted on may be out of date and should be fetched
	// again. False for errors about the request itself (no such seat, no
	// such ticket type) and for errors loading the showtime.
	Refused bool
}

// HoldRequest is a click on a free seat.
type HoldRequest struct {
	ShowtimeID int64
	Cart       string
	SeatID     int64
	// Companion holds a wheelchair space's companion seat with it.
	Companion bool
}

// Hold holds a seat (and its companion seat, if asked) for a cart. A seat
// the viewer holds already is answered as held; a seat the snapshot knows is
// taken is refused without asking the database; the database grants the rest.
func (s *Service) Hold(ctx context.Context, r HoldRequest) (Result, error) {
	id := r.ShowtimeID
	v, err := s.view(ctx, id, r.Cart, false)
	if err != nil {
		return Result{}, err
	}
	st := v.Show
	seat, ok := st.Layout.Seat(r.SeatID)
	if !ok {
		return Result{}, booking.Invalid("seat", "That seat isn't in this auditorium.")
	}
	idx, _ := st.Layout.Index(r.SeatID)
	if v.States[idx] == booking.StateMine {
		return Result{View: v, Seats: []int64{r.SeatID}}, nil // a double click: already yours
	}
	want := booking.SeatsToHold(st.Layout, v.States, seat, r.Companion)
	until, err := booking.CheckHold(st.Info.Showtime, st.Layout, want, len(v.Mine), v.Now, v.Set)
	if err != nil {
		return Result{Refused: true}, err
	}
	// Known taken: refuse without asking the database.
	for _, sid := range want {
		i, _ := st.Layout.Index(sid)
		if v.States[i] == booking.StateHeld || v.States[i] == booking.StateSold {
			if sid != r.SeatID {
				return Result{Refused: true}, booking.ErrCompanionTaken()
			}
			return Result{Refused: true}, booking.ErrSeatTaken()
		}
	}
	tt := st.Card.DefaultTicketType()
	res, err := s.claims.Hold(ctx, db.Hold{
		ShowtimeID: id, CartID: r.Cart, SeatIDs: want, TicketType: tt,
		Now: v.Now, Until: until, Max: v.Set.MaxSeatsPerCart, Quiet: true,
	})
	if err != nil {
		if booking.ErrorCode(err) == booking.ECONFLICT {
			s.seats.changed(id)
		}
		return Result{Refused: true}, err
	}
	s.seats.announce(id)
	cart := r.Cart
	s.seats.apply(id, func(cl seatClaims) {
		for _, sid := range res.Granted {
			exp := res.ExpiresAt
			cl.set(booking.Claim{SeatID: sid, CartID: cart, TicketType: tt, ExpiresAt: &exp})
		}
	})
	return Result{View: v.withHeld(res.Granted, tt, res.ExpiresAt), Seats: want}, nil
}

// Release gives a cart's held seat back (nothing happens to a seat the cart
// doesn't hold) and returns the viewer's seats after it.
func (s *Service) Release(ctx context.Context, showtimeID int64, cart string, seatID int64) (Result, error) {
	seats := []int64{seatID}
	if cart != "" {
		released, err := s.claims.Release(ctx, showtimeID, cart, seats)
		if err != nil {
			return Result{}, err
		}
		if len(released) > 0 {
			s.seats.announce(showtimeID)
			s.seats.apply(showtimeID, func(cl seatClaims) {
				for _, sid := range released {
					cl.free(sid)
				}
			})
		}
	}
	v, err := s.view(ctx, showtimeID, cart, false)
	if err != nil {
		return Result{}, err
	}
	return Result{View: v, Seats: seats}, nil
}

// Best replaces the cart's selection with the best n seats together. When
// someone is quicker to one of them, it looks at the truth and chooses again
// (three tries in all).
func (s *Service) Best(ctx context.Context, showtimeID int64, cart string, n int) (Result, error) {
	id := showtimeID
	var granted []int64
	for attempt := 0; ; attempt++ {
		v, err := s.view(ctx, id, cart, attempt > 0)
		if err != nil {
			return Result{}, err
		}
		if err := booking.CheckQuantity(n, v.Set); err != nil {
			return Result{}, err
		}
		st := v.Show
		if !v.Sales.Open() {
			return Result{}, booking.ErrSalesClosed(v.Sales)
		}
		seats := booking.BestSeats(st.Layout, v.takenByOthers(), n)
		if seats == nil {
			return Result{Refused: true}, booking.Errorf(booking.ECONFLICT, "There aren't %d seats together any more. Pick seats on the map instead.", n)
		}
		ids := make([]int64, len(seats))
		for i, seat := range seats {
			ids[i] = seat.ID
		}
		until, err := booking.HoldUntil(st.Info.Showtime, v.Now, v.Set)
		if err != nil {
			return Result{}, err
		}
		tt := st.Card.DefaultTicketType()
		res, err := s.claims.Hold(ctx, db.Hold{
			ShowtimeID: id, CartID: cart, SeatIDs: ids, TicketType: tt,
			Now: v.Now, Until: until, Max: v.Set.MaxSeatsPerCart, Replace: true, Quiet: true,
		})
		if booking.ErrorCode(err) == booking.ECONFLICT && attempt < 2 {
			continue // someone was quicker: look again
		}
		if err != nil {
			return Result{Refused: true}, err
		}
		s.seats.announce(id)
		granted = res.Granted
		s.seats.apply(id, func(cl seatClaims) {
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
	v, err := s.view(ctx, id, cart, false)
	if err != nil {
		return Result{}, err
	}
	return Result{View: v, Seats: granted}, nil
}

// TicketTypeRequest changes a held seat's ticket type.
type TicketTypeRequest struct {
	ShowtimeID int64
	Cart       string
	SeatID     int64
	TicketType string
}

// SetTicketType changes the ticket type of a seat the cart holds.
func (s *Service) SetTicketType(ctx context.Context, r TicketTypeRequest) (Result, error) {
	id, cart := r.ShowtimeID, r.Cart
	v, err := s.view(ctx, id, cart, false)
	if err != nil {
		return Result{}, err
	}
	st := v.Show
	if err := st.Card.CheckTicketType(r.TicketType); err != nil {
		if !booking.IsBarred(st.Card, r.TicketType) {
			return Result{}, booking.Invalid("type", "Choose a ticket type from the list.")
		}
		return Result{}, err // the film's rating or a retired type: say so
	}
	seat, ok := st.Layout.Seat(r.SeatID)
	if !ok {
		return Result{}, booking.Invalid("seat", "That seat isn't in this auditorium.")
	}
	if _, ok := st.Card.Price(r.TicketType, seat); !ok {
		return Result{}, booking.Invalid("type", "That ticket type isn't sold for this seat.")
	}
	if cart == "" {
		return Result{}, booking.Errorf(booking.ENOTFOUND, "That seat isn't held for you any more.")
	}
	if err := s.db.SetTicketType(ctx, id, cart, r.SeatID, r.TicketType, v.Now); err != nil {
		return Result{Refused: true}, err
	}
	tt, seatID := strings.Clone(r.TicketType), r.SeatID // tt outlives the request in the snapshot
	s.seats.apply(id, func(cl seatClaims) {
		if x, ok := cl.get(seatID); ok {
			x.TicketType = tt
			cl.set(x)
		}
	})
	if v, err = s.view(ctx, id, cart, false); err != nil {
		return Result{}, err
	}
	return Result{View: v}, nil
}

// CheckoutRequest turns a cart's seats of a showtime into an order.
type CheckoutRequest struct {
	ShowtimeID int64
	Cart       string
	User       *booking.User // signed in, or nil
	Email      string        // as given; empty: the account's (booking.TicketEmail)
}

// Checkout turns the cart's live holds of the showtime into a
// pending_payment order (Result.Order); the seats stay taken for it.
func (s *Service) Checkout(ctx context.Context, r CheckoutRequest) (Result, error) {
	id := r.ShowtimeID
	v, err := s.view(ctx, id, r.Cart, false)
	if err != nil {
		return Result{}, err
	}
	if !v.Sales.Open() {
		return Result{}, booking.ErrSalesClosed(v.Sales)
	}
	email, err := booking.TicketEmail(r.Email, r.User)
	if err != nil {
		return Result{}, err
	}
	if r.Cart == "" {
		return Result{}, booking.Invalid("seat", "You have no seats held for this show. Pick seats first.")
	}
	var uid *int64
	if r.User != nil {
		uid = &r.User.ID
	}
	st := v.Show
	o, err := s.db.CheckoutCart(ctx, db.Checkout{
		ShowtimeID: id, CartID: r.Cart, UserID: uid, Email: email, Now: v.Now,
		Layout: st.Layout, Card: st.Card, Settings: v.Set,
	})
	if err != nil {
		return Result{Refused: true}, err
	}
	s.seats.apply(id, func(cl seatClaims) {
		for _, it := range o.Items {
			if x, ok := cl.get(it.SeatID); ok {
				x.CartID, x.OrderID = "", o.ID
				cl.set(x)
			}
		}
	})
	return Result{Order: &o}, nil
}
