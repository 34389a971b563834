// Package mail sends Marquee's e-mail: through SMTP (wneessen/go-mail) in
// production, or into an in-memory capture in development and tests, readable
// at /dev/mail. It has the one composer (compose.go): every e-mail — order
// mail from aftersale, account mail from handlers — gets its subject, plain
// text and HTML from templ components through Composer, and goes out through
// the Mailer interface.
package mail

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Message is one e-mail to one recipient.
type Message struct {
	To      string
	Subject string
	Text    string // plain-text body
	HTML    string // HTML body (alternative)
	At      time.Time
}

// Capture keeps the last messages in memory and logs each one: the
// development and test mailer. Safe for concurrent use.
type Capture struct {
	mu   sync.Mutex
	max  int
	msgs []Message
	log  *slog.Logger
}

// NewCapture returns a capture mailer keeping the last max messages.
func NewCapture(max int, logger *slog.Logger) *Capture {
	if max <= 0 {
		max = 50
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Capture{max: max, log: logger}
}

// Send records m.
func (c *Capture) Send(ctx context.Context, m Message) error {
	if m.At.IsZero() {
		m.At = time.Now()
	}
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	if len(c.msgs) > c.max {
		c.msgs = append([]Message(nil), c.msgs[len(c.msgs)-c.max:]...)
	}
	c.mu.Unlock()
	c.log.Info("e-mail captured (not sent; read it at /dev/mail)", "to", m.To, "subject", m.Subject)
	return nil
}

// Messages returns the kept messages, newest first.
func (c *Capture) Messages() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Message, len(c.msgs))
	for i, m := range c.msgs {
		out[len(c.msgs)-1-i] = m
	}
	return out
}

// Last returns the newest message sent to the address, and whether there is one.
func (c *Capture) Last(to string) (Message, bool) {
	for _, m := range c.Messages() {
		if m.To == to {
			return m, true
		}
	}
	return Message{}, false
}
