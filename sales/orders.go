package sales

import (
	"context"
	"fmt"
	"strings"
	"time"

	"marquee/booking"
	"marquee/db"
)

// OrderRequest is an order placed in one go, its seats claimed straight for
// it: by the API, and by the box office for a counter sale. Name the seats
// (Seats) or ask for the best n together (Quantity), not both.
type OrderRequest struct {
	ShowtimeID int64
	// Seats are seat names as people write them ("F12", " f13 "), or
	Seats []string
	// Quantity asks for the best seats together; when someone is quicker to
	// one of them, the seats are chosen again (three tries in all).
	Quantity int
	// TicketTypes counts tickets per type ({"adult": 1, "child": 1}); they go
	// to the seats in row, then seat order (booking.TicketLines). Empty: every
	// seat is the price card's default type.
	TicketTypes map[string]int
	UserID      *int64 // the buyer's account, if any
	Email       string // where the tickets go, checked (booking.TicketEmail)
	// IdempotencyKey, when set, makes a repeated request (same user, same
	// key) return the first order; Fingerprint is the request's content, and
	// a key reused for different content is refused.
	IdempotencyKey string
	Fingerprint    string
	// Window decides whether the showtime sells at now and until when the new
	// order's seats are held. Nil: online sales (booking.HoldUntil); the box
	// office passes its counter window.
	Window func(st booking.Showtime, now time.Time, set booking.Settings) (time.Time, error)
	// Tender, when set, pays the order as soon as it is placed, in the same
	// call (a counter sale: cash or card at the till).
	Tender Tender
}

// Tender pays a just placed order (the box office: payment's counter tender).
type Tender interface {
	Pay(ctx context.Context, o booking.Order) error
}

// Placed is the order PlaceOrder made or found.
type Placed struct {
	Order booking.Order
	// Created is false when an earlier request with the same idempotency key
	// made the order: nothing was claimed, nothing paid.
	Created bool
}

// PlaceOrder chooses the seats and claims them for a new pending_payment
// order, all or none, then pays it with the request's Tender if it has one.
// ECONFLICT when a named seat is taken (or no n seats are left together).
// When the tender fails, the placed order is returned with the error: it
// waits for payment as any pending order does.
func (s *Service) PlaceOrder(ctx context.Context, r OrderRequest) (Placed, error) {
	window := r.Window
	if window == nil {
		window = booking.HoldUntil
	}
	id := r.ShowtimeID
	channel := booking.ChannelAPI // reports: orders placed in one go are the API's, or the till's
	if r.Tender != nil {
		channel = booking.ChannelCounter
	}
	for attempt := 0; ; attempt++ {
		v, err := s.view(ctx, id, "", attempt > 0)
		if err != nil {
			return Placed{}, err
		}
		st := v.Show
		until, err := window(st.Info.Showtime, v.Now, v.Set)
		if err != nil {
			return Placed{}, err
		}
		seats, err := s.orderSeats(v, r)
		if err != nil {
			return Placed{}, err
		}
		lines, err := booking.TicketLines(st.Card, seats, r.TicketTypes)
		if err != nil {
			return Placed{}, err
		}
		res, err := s.db.PlaceOrder(ctx, db.PlaceOrder{
			ShowtimeID: id, UserID: r.UserID, Email: r.Email, Lines: lines, Now: v.Now, Until: until,
			Card: st.Card, Settings: v.Set, IdempotencyKey: r.IdempotencyKey, Fingerprint: r.Fingerprint,
			Channel: channel,
		})
		if booking.ErrorCode(err) == booking.ECONFLICT && r.Quantity > 0 && attempt < 2 {
			continue // best seats were taken meanwhile: choose again
		}
		if err != nil {
			return Placed{}, err
		}
		if res.Created {
			o := res.Order
			s.seats.apply(id, func(cl seatClaims) {
				for _, it := range o.Items {
					exp := until
					cl.set(booking.Claim{SeatID: it.SeatID, OrderID: o.ID, TicketType: it.TicketType, ExpiresAt: &exp})
				}
			})
		}
		s.seats.changed(id) // the trigger notified every instance; here, look at the truth soon too
		p := Placed{Order: res.Order, Created: res.Created}
		if r.Tender != nil && res.Created {
			if err := r.Tender.Pay(ctx, res.Order); err != nil {
				return p, fmt.Errorf("pay order %s: %w", res.Order.Code, err)
			}
		}
		return p, nil
	}
}

// orderSeats picks an order's seats: the named ones, or the best block.
func (s *Service) orderSeats(v *View, r OrderRequest) ([]booking.Seat, error) {
	l := v.Show.Layout
	if r.Quantity != 0 {
		if err := booking.CheckQuantity(r.Quantity, v.Set); err != nil {
			return nil, err
		}
		seats := booking.BestSeats(l, v.takenByOthers(), r.Quantity)
		if seats == nil {
			return nil, booking.Errorf(booking.ECONFLICT, "There aren't %d seats together any more.", r.Quantity)
		}
		return seats, nil
	}
	if len(r.Seats) > v.Set.MaxSeatsPerCart {
		return nil, booking.MaxSeatsError(v.Set.MaxSeatsPerCart)
	}
	seats := make([]booking.Seat, 0, len(r.Seats))
	seen := map[string]bool{}
	for _, name := range r.Seats {
		name = strings.ToUpper(strings.TrimSpace(name))
		seat, ok := l.SeatByLabel(name)
		if !ok {
			return nil, booking.Invalid("seats", "There is no seat %q in this auditorium.", name)
		}
		if seen[name] {
			return nil, booking.Invalid("seats", "Seat %s is named twice.", name)
		}
		seen[name] = true
		if !booking.Sellable(seat.Kind) {
			return nil, booking.ErrSeatNotForSale(seat)
		}
		if cl, ok := v.snap.claims.get(seat.ID); ok && cl.Live(v.Now) {
			return nil, booking.Errorf(booking.ECONFLICT, "Seat %s is already taken.", name)
		}
		seats = append(seats, seat)
	}
	return seats, nil
}

// Quote prices an order request as PlaceOrder would place it now, claiming
// nothing: the seats it would take (the best ones still free, or the named
// ones) and the total. The box office shows it and checks the tender against
// it before placing the order. The same errors as PlaceOrder's choice of
// seats: EGONE outside the window, EINVALID, ECONFLICT.
func (s *Service) Quote(ctx context.Context, r OrderRequest) (booking.Quote, error) {
	window := r.Window
	if window == nil {
		window = booking.HoldUntil
	}
	v, err := s.view(ctx, r.ShowtimeID, "", false)
	if err != nil {
		return booking.Quote{}, err
	}
	if _, err := window(v.Show.Info.Showtime, v.Now, v.Set); err != nil {
		return booking.Quote{}, err
	}
	seats, err := s.orderSeats(v, r)
	if err != nil {
		return booking.Quote{}, err
	}
	lines, err := booking.TicketLines(v.Show.Card, seats, r.TicketTypes)
	if err != nil {
		return booking.Quote{}, err
	}
	return booking.PriceLines(v.Show.Card, lines, v.Set)
}

// Abandon gives up an order still awaiting payment: it expires at once and
// its seats go back on sale (the seat maps hear of it from the claims'
// triggers, as when a hold lapses). It reports false when the order was not
// awaiting payment any more.
func (s *Service) Abandon(ctx context.Context, code string) (bool, error) {
	return s.db.AbandonOrder(ctx, code, s.clock.Now())
}
