package sales

import (
	"context"
	"strings"

	"marquee/booking"
)

// ChangeSeats moves sold seats of an order to other seats of its showtime
// (the box office): from and to are seat names, paired in order. The new
// seats are claimed like any sale's, so a seat held or bought online is
// never taken (ECONFLICT, nothing changes); prices must stay the same
// (booking.PlanSeatChange). Live seat maps are told.
func (s *Service) ChangeSeats(ctx context.Context, o booking.Order, from, to []string) ([]booking.SeatMove, error) {
	v, err := s.view(ctx, o.ShowtimeID, "", false)
	if err != nil {
		return nil, err
	}
	l := v.Show.Layout
	seats := func(field string, names []string) ([]booking.Seat, error) {
		out := make([]booking.Seat, 0, len(names))
		for _, n := range names {
			st, ok := l.SeatByLabel(strings.ToUpper(strings.TrimSpace(n)))
			if !ok {
				return nil, booking.Invalid(field, "There is no seat %q in this auditorium.", n)
			}
			out = append(out, st)
		}
		return out, nil
	}
	fs, err := seats("from", from)
	if err != nil {
		return nil, err
	}
	ts, err := seats("to", to)
	if err != nil {
		return nil, err
	}
	card := v.Show.Card
	moves, err := s.db.MoveSeats(ctx, o.Code, v.Now, func(locked booking.Order) ([]booking.SeatMove, error) {
		return booking.PlanSeatChange(locked, card, fs, ts)
	})
	if err != nil {
		return nil, err
	}
	s.seats.changed(o.ShowtimeID)
	return moves, nil
}
