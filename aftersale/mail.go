package aftersale

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/a-h/templ"

	"marquee/booking"
	"marquee/db"
	"marquee/mail"
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

func (s *Service) send(ctx context.Context, to, subject string, text, body templ.Component) error {
	var tb, hb bytes.Buffer
	if err := text.Render(ctx, &tb); err != nil {
		return fmt.Errorf("render e-mail: %w", err)
	}
	if err := body.Render(ctx, &hb); err != nil {
		return fmt.Errorf("render e-mail: %w", err)
	}
	return s.mailer.Send(ctx, mail.Message{To: to, Subject: subject, Text: plainText(tb.String()), HTML: hb.String(), At: s.clock.Now()})
}

// plainText decodes entities and trims each line of a rendered text component.
func plainText(s string) string {
	lines := strings.Split(html.UnescapeString(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimSpace(strings.Join(lines, "\n")) + "\n"
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

// mailRefund tells the customer about their cancellation and its refund, once.
func (s *Service) mailRefund(ctx context.Context, r db.Refund) {
	if r.Reason == db.RefundShowtimeCancelled || r.Email == "" {
		return // the showtime notice says it
	}
	if r.Status == db.RefundPending && r.AmountCents > 0 {
		return // told when the retry settles it
	}
	first, err := s.db.MarkRefundMailed(ctx, r.ID, s.clock.Now())
	if err != nil || !first {
		if err != nil {
			s.log.Error("refund e-mail", "order", r.OrderCode, "err", err)
		}
		return
	}
	m, err := s.orderMail(ctx, r.OrderCode)
	if err != nil {
		s.log.Error("refund e-mail", "order", r.OrderCode, "err", err)
		return
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
	if err := s.send(ctx, r.Email, "Cancellation confirmed — order "+r.OrderCode, views.RefundMailText(m), views.RefundMailHTML(m)); err != nil {
		s.log.Error("refund e-mail", "order", r.OrderCode, "err", err)
	}
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
	if s.rules.ReminderBefore <= 0 {
		return 0, nil
	}
	codes, err := s.db.ClaimReminders(ctx, s.clock.Now(), s.rules.ReminderBefore, 50)
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
// retries) at once and then every `every` until ctx ends.
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
	if s.refunder != nil {
		if _, err := s.RetryRefunds(ctx, time.Minute); err != nil && ctx.Err() == nil {
			s.log.Error("refund retry job", "err", err)
		}
	}
}
