package mail

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
)

// sink is a minimal SMTP server that records one message's DATA.
func sink(t *testing.T) (addr string, got <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		say := func(s string) { io.WriteString(conn, s+"\r\n") }
		say("220 sink ESMTP")
		var data strings.Builder
		inData := false
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if inData {
				if line == ".\r\n" {
					inData = false
					ch <- data.String()
					say("250 OK")
					continue
				}
				data.WriteString(line)
				continue
			}
			switch cmd := strings.ToUpper(strings.Fields(line + " x")[0]); cmd {
			case "EHLO", "HELO":
				say("250-sink")
				say("250 8BITMIME")
			case "DATA":
				inData = true
				say("354 go ahead")
			case "QUIT":
				say("221 bye")
				return
			default: // MAIL, RCPT, RSET, NOOP
				say("250 OK")
			}
		}
	}()
	return ln.Addr().String(), ch
}

func TestSMTPSendsTextAndHTML(t *testing.T) {
	addr, got := sink(t)
	cfg, err := ParseSMTPURL("smtp://"+addr+"?tls=none", "Marquee <tickets@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSMTP(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), Message{To: "ann@example.com", Subject: "Hello", Text: "plain body", HTML: "<p>html body</p>"}); err != nil {
		t.Fatal(err)
	}
	msg := <-got // the queue delivers in the background
	s.Close()
	for _, want := range []string{"To: <ann@example.com>", "Subject: Hello", "plain body", "<p>html body</p>", "multipart/alternative", "tickets@example.com"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func TestParseSMTPURL(t *testing.T) {
	c, err := ParseSMTPURL("smtps://u:p%40ss@mail.example.com", "x@example.com")
	if err != nil || c.Port != 465 || !c.ImplicitTLS || c.Password != "p@ss" || c.Username != "u" {
		t.Fatalf("%+v %v", c, err)
	}
	c, err = ParseSMTPURL("smtp://mail.example.com:2525", "x@example.com")
	if err != nil || c.Port != 2525 || c.ImplicitTLS || c.InsecureNoTLS {
		t.Fatalf("%+v %v", c, err)
	}
	for _, bad := range []string{"mail.example.com", "http://mail.example.com", "smtp://h:99999", "smtp://h?tls=maybe"} {
		if _, err := ParseSMTPURL(bad, "x@example.com"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := ParseSMTPURL("smtp://h", ""); err == nil {
		t.Error("no sender accepted")
	}
}

func TestCaptureKeepsTheLastMessages(t *testing.T) {
	c := NewCapture(2, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, to := range []string{"a@x.test", "b@x.test", "c@x.test"} {
		c.Send(context.Background(), Message{To: to})
	}
	ms := c.Messages()
	if len(ms) != 2 || ms[0].To != "c@x.test" || ms[1].To != "b@x.test" {
		t.Fatalf("%+v", ms)
	}
	if _, ok := c.Last("a@x.test"); ok {
		t.Fatal("oldest message kept")
	}
}
