package aftersale

import (
	"context"
	"time"

	"github.com/a-h/templ"

	"marquee/booking"
	"marquee/views"
)

// orderMail loads what the e-mails about an order show.
func (s *Service) orderMail(ctx context.Context, code string) (views.OrderMail, error) {
	o, err := s.db.OrderByCode(ctx, code)
	if err != nil {
		return views.OrderMail{}, err
	}
	info, err := s.db.ShowtimeInfo(ctx, o.ShowtimeID)
	if err != nil {
		return views.OrderMail{}, err
	}
	link := s.OrderLink(code)
	return views.OrderMail{Order: o, Info: info, Link: link,
		TicketsLink: s.baseURL + "/orders/" + code + "/tickets.pdf?t=" + s.signer.LinkToken(code)}, nil
}

// send e-mails one message. An address that can't be delivered (none, or
// the placeholder a deleted account's orders keep) is skipped: the job
// that asked counts it as done.
func (s *Service) send(ctx context.Context, to, subject string, text, body templ.Component) error {
	if !booking.Deliverable(to) {
		return nil
	}
	return s.mail.Send(ctx, to, subject, text, body)
}

// SendConfirmation e-mails an order's confirmation with its ticket links now.
// The confirmation job (SendConfirmations) calls it for every newly paid
// order, marking the order first so it is sent once; nothing else needs to.
func (s *Service) SendConfirmation(ctx context.Context, code string) error {
	m, err := s.orderMail(ctx, code)
	if err != nil {
		return err
	}
	if m.Order.Email == "" {
		return nil
	}
	return s.send(ctx, m.Order.Email, "Your tickets for "+m.Info.Movie.Title+" — order "+code,
		views.ConfirmationMailText(m), views.ConfirmationMailHTML(m))
}

// tellRefund tells the customer about a settled refund — the cancellation
// and its outcome, or that a late or duplicate payment went back — as
// booking's rule says (Refund.Notice), once: the refund is marked told first
// (db.MarkRefundTold, the one place that records it), so several instances
// tell once. A refund with nothing to tell is marked all the same; a pending
// one is left for when it settles.
func (s *Service) tellRefund(ctx context.Context, r booking.Refund) {
	notice, done := r.Notice()
	if !done {
		return
	}
	first, err := s.db.MarkRefundTold(ctx, r.ID, s.clock.Now())
	if err != nil || !first {
		if err != nil {
			s.log.Error("refund e-mail", "order", r.OrderCode, "err", err)
		}
		return
	}
	switch notice {
	case booking.NoticeCancellation:
		err = s.mailCancellation(ctx, r)
	case booking.NoticeReturned:
		err = s.send(ctx, r.Email, "Your payment was refunded — order "+r.OrderCode,
			views.LatePaymentMailText(s.returnedMail(r)), views.LatePaymentMailHTML(s.returnedMail(r)))
	}
	if err != nil {
		s.log.Error("refund e-mail", "order", r.OrderCode, "reason", r.Reason, "err", err)
	}
}

func (s *Service) returnedMail(r booking.Refund) views.LatePaymentMail {
	return views.LatePaymentMail{Code: r.OrderCode, Amount: views.Money(r.AmountCents),
		Late: r.Reason == booking.RefundLatePayment, Link: s.baseURL + "/orders/" + r.OrderCode}
}

func (s *Service) mailCancellation(ctx context.Context, r booking.Refund) error {
	m, err := s.orderMail(ctx, r.OrderCode)
	if err != nil {
		return err
	}
	m.RefundCents, m.RefundState = r.AmountCents, r.Status
	cancelled := map[int64]bool{}
	for _, id := range r.SeatIDs {
		cancelled[id] = true
	}
	for _, it := range m.Order.Items {
		if cancelled[it.SeatID] {
			m.Seats = append(m.Seats, it.Label())
		}
	}
	return s.send(ctx, r.Email, "Cancellation confirmed — order "+r.OrderCode, views.RefundMailText(m), views.RefundMailHTML(m))
}

// TellRefunds tells the customers of refunds settled elsewhere — by the
// payment service (late and duplicate payments) or by another instance —
// that nobody has told yet. It returns how many refunds it handled.
func (s *Service) TellRefunds(ctx context.Context) (int, error) {
	rs, err := s.db.UntoldRefunds(ctx, 50)
	if err != nil {
		return 0, err
	}
	for _, r := range rs {
		s.tellRefund(ctx, r)
	}
	return len(rs), nil
}

// SendConfirmations e-mails every order paid in the last day that has had no
// confirmation yet. Each order is claimed by one instance (SKIP LOCKED); a
// failed send puts it back for the next round.
func (s *Service) SendConfirmations(ctx context.Context) (int, error) {
	now := s.clock.Now()
	codes, err := s.db.ClaimConfirmations(ctx, now.Add(-24*time.Hour), now, 20)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, code := range codes {
		if err := s.SendConfirmation(ctx, code); err != nil {
			s.log.Error("confirmation e-mail", "order", code, "err", err)
			if uerr := s.db.UnclaimConfirmation(ctx, code); uerr != nil {
				s.log.Error("confirmation e-mail: unclaim", "order", code, "err", uerr)
			}
			continue
		}
		n++
	}
	return n, nil
}

// SendReminders e-mails, once per order, a reminder to customers whose show
// starts within the configured time (rules.ReminderBefore; 0 = off).
func (s *Service) SendReminders(ctx context.Context) (int, error) {
	before := s.Rules().ReminderBefore
	if before <= 0 {
		return 0, nil
	}
	codes, err := s.db.ClaimReminders(ctx, s.clock.Now(), before, 50)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, code := range codes {
		m, err := s.orderMail(ctx, code)
		if err == nil && m.Order.Email != "" {
			err = s.send(ctx, m.Order.Email, "Reminder: "+m.Info.Movie.Title+" at "+views.Clock(m.Info.Showtime.StartsAt, m.Info.Theatre.Location()),
				views.ReminderMailText(m), views.ReminderMailHTML(m))
		}
		if err != nil {
			s.log.Error("reminder e-mail", "order", code, "err", err)
			continue
		}
		n++
	}
	return n, nil
}

// SendNotices sends queued "your show was cancelled/moved" e-mails.
func (s *Service) SendNotices(ctx context.Context) (int, error) {
	ns, err := s.db.ClaimNotices(ctx, s.clock.Now(), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, no := range ns {
		m, err := s.orderMail(ctx, no.OrderCode)
		if err == nil && m.Order.Email != "" {
			m.Notice, m.OldStart = no.Kind, no.OldStartsAt
			subject := "Your show has been cancelled — " + m.Info.Movie.Title
			if no.Kind == "moved" {
				subject = "Your show has moved — " + m.Info.Movie.Title
			}
			err = s.send(ctx, m.Order.Email, subject, views.ShowtimeNoticeMailText(m), views.ShowtimeNoticeMailHTML(m))
		}
		if err != nil {
			s.log.Error("showtime notice e-mail", "order", no.OrderCode, "err", err)
			continue
		}
		n++
	}
	return n, nil
}

// NotifyShowtimeMoved queues a "your show has moved" e-mail for every live
// order of a showtime whose start changed from oldStart (the manager UI calls
// it after moving the showtime).
func (s *Service) NotifyShowtimeMoved(ctx context.Context, showtimeID int64, oldStart time.Time) error {
	codes, err := s.db.LiveOrderCodes(ctx, showtimeID)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	for _, c := range codes {
		o, err := s.db.OrderByCode(ctx, c)
		if err != nil {
			return err
		}
		if err := s.db.AddShowtimeNotice(ctx, o.ID, "moved", &oldStart, now); err != nil {
			return err
		}
	}
	_, err = s.SendNotices(ctx)
	return err
}

// Run runs the background jobs (confirmations, reminders, notices, refund
// e-mails) at once and then every `every` until ctx ends.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	s.RunOnce(ctx)
	booking.Every(ctx, every, s.RunOnce)
}

// RunOnce runs each background job once.
func (s *Service) RunOnce(ctx context.Context) {
	if _, err := s.SendConfirmations(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("confirmation job", "err", err)
	}
	if _, err := s.SendReminders(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("reminder job", "err", err)
	}
	if _, err := s.SendNotices(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("notice job", "err", err)
	}
	if _, err := s.TellRefunds(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("refund e-mail job", "err", err)
	}
}
