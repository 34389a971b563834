package payment

import (
	"context"

	"marquee/booking"
)

// CounterTender is a box-office tender waiting for its order: the sales
// service places the order, then Pay records the tender for it (it is a
// sales.Tender).
type CounterTender struct {
	s *Service
	p CounterPayment
}

// Tender returns p as a tender for an order yet to be placed (p.OrderCode is
// ignored: Pay sets it).
func (s *Service) Tender(p CounterPayment) CounterTender { return CounterTender{s: s, p: p} }

// Pay records the tender for o and marks o paid (RecordCounterPayment).
func (t CounterTender) Pay(ctx context.Context, o booking.Order) error {
	p := t.p
	p.OrderCode = o.Code
	_, err := t.s.RecordCounterPayment(ctx, p)
	return err
}
