package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/handlers"
	"marquee/internal/testutil"
)

// cutProxy is a TCP proxy between the app's pool and PostgreSQL that the test
// can cut (listener closed, live connections dropped) and restore on the same
// address, to play a database that goes down and comes back.
type cutProxy struct {
	t      *testing.T
	addr   string
	target string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	p := &cutProxy{t: t, target: target, conns: map[net.Conn]struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *cutProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
}

func (p *cutProxy) pipe(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // cut meanwhile
		p.mu.Unlock()
		c.Close()
		up.Close()
		return
	}
	p.conns[c], p.conns[up] = struct{}{}, struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
	c.Close()
	up.Close()
}

// cut closes the listener and every live connection: the database is "down".
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// restore listens again on the same address: the database is "back".
func (p *cutProxy) restore() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("restore proxy on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

// Paths that read the database (once their cache entries expire).
const (
	dbPagePath = "/"
	dbAPIPath  = "/api/v1/movies"
)

// TestDatabaseDownIs503AndRecovers: with the database unreachable, pages answer
// a 503 page, the API a 503 problem, /readyz 503, each with a log line; the
// process stays up and answers 200 again once the database is back.
func TestDatabaseDownIs503AndRecovers(t *testing.T) {
	dsn := dbtest.NewDSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, u.Host)
	u.Host = proxy.addr
	clock := booking.NewManualClock(booking.SystemClock{}.Now())
	store, err := db.Open(context.Background(), u.String(), db.Options{MaxConns: 4, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var logs testutil.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	h := handlers.New(handlers.Deps{DB: store, Clock: clock, Logger: logger,
		Sales: newSales(t, store, clock, logger, booking.Settings{}, nil)})
	app := h.App()

	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := app.Test(httptest.NewRequest(http.MethodGet, path, nil), -1)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	page, api := dbPagePath, dbAPIPath
	for _, p := range []string{"/readyz", page, api} {
		if resp, body := get(p); resp.StatusCode != 200 {
			t.Fatalf("before the cut: GET %s = %d\n%s", p, resp.StatusCode, body)
		}
	}

	proxy.cut()
	clock.Advance(time.Minute) // past every cache TTL: the next requests must ask the database

	if resp, _ := get("/readyz"); resp.StatusCode != 503 {
		t.Fatalf("/readyz with the database down = %d, want 503", resp.StatusCode)
	}
	resp, body := get(page)
	if resp.StatusCode != 503 || !strings.Contains(body, `data-testid="error-page"`) || !strings.Contains(body, `data-status="503"`) {
		t.Fatalf("page with the database down = %d, want the 503 error page\n%s", resp.StatusCode, body)
	}
	if strings.Contains(body, "dial tcp") || strings.Contains(body, "pq:") || strings.Contains(body, "connection refused") {
		t.Fatalf("503 page leaks internals:\n%s", body)
	}
	resp, body = get(api)
	var prob struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
	}
	if resp.StatusCode != 503 || resp.Header.Get("Content-Type") != "application/problem+json" ||
		json.Unmarshal([]byte(body), &prob) != nil || prob.Status != 503 || prob.Code != booking.EUNAVAILABLE {
		t.Fatalf("API with the database down = %d %q, want 503 problem JSON\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if l := logs.String(); !strings.Contains(l, "status=503") || !strings.Contains(l, "request failed") {
		t.Fatalf("no log line for the 503s:\n%s", l)
	}

	proxy.restore()
	clock.Advance(time.Minute)

	for _, p := range []string{"/readyz", page, api} {
		if resp, body := get(p); resp.StatusCode != 200 {
			t.Fatalf("after the database came back: GET %s = %d\n%s", p, resp.StatusCode, body)
		}
	}
}
