package db_test

import (
	"io"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"marquee/db"
	"marquee/db/dbtest"
)

// outageProxy forwards TCP to PostgreSQL; down() cuts every connection and
// refuses new ones until up().
type outageProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	isDown bool
	conns  []net.Conn
}

func newOutageProxy(t *testing.T, target string) *outageProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &outageProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.down() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.isDown {
				p.mu.Unlock()
				c.Close()
				continue
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				p.mu.Unlock()
				c.Close()
				continue
			}
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

func (p *outageProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.isDown = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *outageProxy) up() {
	p.mu.Lock()
	p.isDown = false
	p.mu.Unlock()
}

// TestNotifierReconnectsPromptlyAfterAnOutage: after an 8-second database
// outage the change listener is back within about a second of the database,
// and says so (Reconnected: subscribers treat everything as changed).
func TestNotifierReconnectsPromptlyAfterAnOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("an 8 s outage")
	}
	dsn := dbtest.NewDSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p := newOutageProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	n, err := db.NewNotifier(u.String(), slog.New(slog.NewTextHandler(io.Discard, nil)), db.NotifyChannels...)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	sub, stop := n.Subscribe(db.ChannelSeats)
	defer stop()

	p.down()
	time.Sleep(8 * time.Second)
	for len(sub) > 0 { // what the outage itself brought
		<-sub
	}
	p.up()
	back := time.Now()
	select {
	case msg := <-sub:
		if !msg.Reconnected {
			t.Fatalf("first message after the outage: %+v, want Reconnected", msg)
		}
		if d := time.Since(back); d > 2*time.Second {
			t.Fatalf("reconnected %v after the database came back, want within ~1 s", d)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no reconnect notification")
	}
}
