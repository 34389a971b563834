package mail

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/a-h/templ"
)

// Mailer delivers one composed e-mail: SMTP in production, Capture in
// development and tests. The Composer is its one user; implementations must
// not block on the network for long (SMTP queues), as requests send mail.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// Compose renders an e-mail: the subject as given, the plain-text body from
// text (entities decoded, each line trimmed, as templ folds source newlines
// into spaces) and the HTML body from body.
func Compose(ctx context.Context, to, subject string, text, body templ.Component, at time.Time) (Message, error) {
	var tb, hb bytes.Buffer
	if err := text.Render(ctx, &tb); err != nil {
		return Message{}, fmt.Errorf("render e-mail %q: %w", subject, err)
	}
	if err := body.Render(ctx, &hb); err != nil {
		return Message{}, fmt.Errorf("render e-mail %q: %w", subject, err)
	}
	return Message{To: to, Subject: subject, Text: plainText(tb.String()), HTML: hb.String(), At: at}, nil
}

// plainText turns a rendered templ text component into plain text.
func plainText(s string) string {
	lines := strings.Split(html.UnescapeString(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimSpace(strings.Join(lines, "\n")) + "\n"
}

// Composer composes every e-mail Marquee sends (order mail in aftersale,
// account mail in handlers) and hands it to a Mailer. Safe for concurrent use.
type Composer struct {
	mailer Mailer
	now    func() time.Time
}

// NewComposer returns a Composer sending through m, stamping messages with now.
func NewComposer(m Mailer, now func() time.Time) *Composer {
	if now == nil {
		now = time.Now
	}
	return &Composer{mailer: m, now: now}
}

// Send composes the e-mail (Compose) and sends it.
func (c *Composer) Send(ctx context.Context, to, subject string, text, body templ.Component) error {
	m, err := Compose(ctx, to, subject, text, body, c.now())
	if err != nil {
		return err
	}
	if err := c.mailer.Send(ctx, m); err != nil {
		return fmt.Errorf("send e-mail %q: %w", subject, err)
	}
	return nil
}

// Mailer returns the mailer messages go to (the capture mailer shows them at /dev/mail).
func (c *Composer) Mailer() Mailer { return c.mailer }
