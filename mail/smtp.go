package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPConfig says how to reach the SMTP server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string // e.g. "Marquee <tickets@example.com>"
	// ImplicitTLS connects with TLS from the start (smtps, port 465); otherwise
	// STARTTLS is required unless InsecureNoTLS (a local relay only).
	ImplicitTLS   bool
	InsecureNoTLS bool
}

// ParseSMTPURL reads smtp://user:pass@host:587 (STARTTLS required),
// smtps://user:pass@host:465 (implicit TLS) or smtp://host:25?tls=none (a
// local relay without TLS). from is the sender address.
func ParseSMTPURL(raw, from string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return SMTPConfig{}, errors.New("MARQUEE_SMTP_URL must look like smtp://user:password@host:587 or smtps://user:password@host:465")
	}
	c := SMTPConfig{Host: u.Hostname(), From: from}
	switch u.Scheme {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Port, c.ImplicitTLS = 465, true
	default:
		return SMTPConfig{}, fmt.Errorf("MARQUEE_SMTP_URL: scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPConfig{}, fmt.Errorf("MARQUEE_SMTP_URL: bad port %q", p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	switch u.Query().Get("tls") {
	case "", "required":
	case "none":
		c.InsecureNoTLS = true
	default:
		return SMTPConfig{}, errors.New("MARQUEE_SMTP_URL: tls must be required or none")
	}
	if from == "" {
		return SMTPConfig{}, errors.New("MARQUEE_MAIL_FROM is required with MARQUEE_SMTP_URL")
	}
	return c, nil
}

// SMTP sends messages through an SMTP server from a background queue, so a
// request never waits on the mail server (and a slow server can't reveal, by
// timing, which addresses have accounts). Close drains the queue.
type SMTP struct {
	cfg    SMTPConfig
	client *gomail.Client
	log    *slog.Logger
	queue  chan Message
	wg     sync.WaitGroup
}

// NewSMTP checks the configuration and starts the sending goroutine.
func NewSMTP(cfg SMTPConfig, logger *slog.Logger) (*SMTP, error) {
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(20 * time.Second)}
	switch {
	case cfg.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case cfg.InsecureNoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	client, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("SMTP client: %w", err)
	}
	s := &SMTP{cfg: cfg, client: client, log: logger, queue: make(chan Message, 256)}
	s.wg.Add(1)
	go s.run()
	return s, nil
}

// Send queues m. It fails only when the queue is full.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	select {
	case s.queue <- m:
		return nil
	default:
		return errors.New("mail queue full")
	}
}

// Close stops accepting messages and waits for the queue to drain.
func (s *SMTP) Close() {
	close(s.queue)
	s.wg.Wait()
}

func (s *SMTP) run() {
	defer s.wg.Done()
	for m := range s.queue {
		var err error
		for attempt := 0; attempt < 3; attempt++ {
			if err = s.send(m); err == nil {
				break
			}
			time.Sleep(time.Duration(attempt+1) * 2 * time.Second)
		}
		if err != nil {
			s.log.Error("send e-mail", "to", m.To, "subject", m.Subject, "err", err)
		} else {
			s.log.Info("e-mail sent", "to", m.To, "subject", m.Subject)
		}
	}
}

func (s *SMTP) send(m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageID()
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return s.client.DialAndSendWithContext(ctx, msg)
}
