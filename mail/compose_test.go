package mail

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/a-h/templ"
)

func TestComposerSendsTextAndHTML(t *testing.T) {
	text := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, "  Hello &amp; welcome  \n   your order  \n\n")
		return err
	})
	body := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, "<p>Hello &amp; welcome</p>")
		return err
	})
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	c := NewCapture(10, nil)
	if err := NewComposer(c, func() time.Time { return at }).Send(context.Background(), "a@example.com", "Hi", text, body); err != nil {
		t.Fatal(err)
	}
	m, ok := c.Last("a@example.com")
	if !ok || m.Subject != "Hi" || m.Text != "Hello & welcome\nyour order\n" || m.HTML != "<p>Hello &amp; welcome</p>" || !m.At.Equal(at) {
		t.Fatalf("message %+v", m)
	}
}
