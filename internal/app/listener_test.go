package app

import (
	"io"
	"log/slog"
	"net"
	"testing"
	"time"
)

// The per-IP cap is counted by our listener: past it a connection is closed
// at once; a connection that closes (twice, even) gives its place back.
func TestListenerCapsConnectionsPerIP(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &patientListener{Listener: raw, log: slog.New(slog.DiscardHandler), perIP: 2, open: map[string]int{}}
	defer ln.Close()
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", raw.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	next := func() net.Conn {
		t.Helper()
		select {
		case c := <-accepted:
			return c
		case <-time.After(5 * time.Second):
			t.Fatal("connection not accepted")
			return nil
		}
	}
	dial()
	first := next()
	dial()
	next()
	third := dial() // over the cap: the server closes it
	third.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := third.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("third connection from one IP: read %v, want EOF (closed)", err)
	}
	select {
	case c := <-accepted:
		t.Fatalf("third connection handed to the server: %v", c.RemoteAddr())
	default:
	}
	first.Close()
	first.Close() // gives one place back, not two
	dial()
	next()
	fifth := dial()
	fifth.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := fifth.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("after one close, two more connections were let in: read %v", err)
	}
}
