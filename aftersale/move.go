package aftersale

import (
	"context"
	"time"

	"marquee/booking"
	"marquee/db"
)

// ShowtimeMove summarises MoveShowtime.
type ShowtimeMove struct {
	db.Moved
	Refunded int // orders with seats refunded because the new auditorium has no such seat
	Failed   int // of those, refunds the provider refused
	Pending  int // refunds to be retried
	Problems []string
}

// MoveShowtime is the cinema moving a show to another time and/or auditorium
// of its theatre (db.MoveShowtime, plan deciding where on the locked row):
// every paid order keeps its seats where the new auditorium has the same
// row and number; the others are refunded in full (tickets and their share of
// the booking fee) through the one refund ledger, and every customer still
// holding seats is e-mailed that the show moved.
func (s *Service) MoveShowtime(ctx context.Context, showtimeID int64, plan db.MovePlanner) (ShowtimeMove, error) {
	m, err := s.db.MoveShowtime(ctx, showtimeID, plan, true)
	if err != nil {
		return ShowtimeMove{}, err
	}
	out := ShowtimeMove{Moved: m}
	ctx = context.WithoutCancel(ctx) // the show has moved: finish refunds and notices even if the client goes away
	now := s.clock.Now()
	for _, o := range m.Orders {
		lost := m.Lost[o.Code]
		if len(lost) == 0 {
			continue
		}
		r, err := s.db.CancelSeats(ctx, o.Code, booking.RefundShowtimeCancelled, now, func(ord booking.Order, _ time.Time) (booking.Cancellation, error) {
			return booking.PlanSeatRefund(ord, lost)
		})
		if err != nil {
			out.Problems = append(out.Problems, o.Code+": "+booking.ErrorMessage(err))
			s.log.Error("refund seats of moved showtime", "order", o.Code, "err", err)
			continue
		}
		out.Refunded++
		s.sendRefund(ctx, &r)
		s.tellRefund(ctx, r) // a showtime refund's ledger row: marked told, the e-mail is ours
		if err := s.mailCancellation(ctx, r); err != nil {
			s.log.Error("refund e-mail of moved showtime", "order", o.Code, "err", err)
		}
		switch r.Status {
		case booking.RefundFailed:
			out.Failed++
		case booking.RefundPending:
			out.Pending++
		}
	}
	if err := s.NotifyShowtimeMoved(ctx, showtimeID, m.Before.StartsAt); err != nil {
		out.Problems = append(out.Problems, "e-mails: "+booking.ErrorMessage(err))
		s.log.Error("moved showtime notices", "showtime", showtimeID, "err", err)
	}
	return out, nil
}
