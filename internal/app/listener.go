package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"time"
)

// Serve serves HTTP on ln until the server shuts down. ln is wrapped so that
// running out of file descriptors (EMFILE, ENFILE) while accepting doesn't
// end the server: fasthttp treats every accept error but a timeout as fatal
// and returns, which would end the process. The connection caps
// (config.Server) keep one client from getting there.
//
// The per-IP cap (config Server.MaxConnsPerIP) is counted here too, not by
// fasthttp's MaxConnsPerIP: fasthttp wraps each connection in a pooled
// object that it clears and reuses once the connection closes, and a stream
// still running then (an SSE response pushing its write deadline forward)
// would touch a cleared or another client's connection — it crashed the
// process.
func (a *App) Serve(ln net.Listener) error {
	return a.Fiber.Listener(&patientListener{Listener: ln, log: a.log, perIP: a.cfg.Server.MaxConnsPerIP, open: map[string]int{}})
}

// Drain is the first step of a graceful stop behind a load balancer: /readyz
// answers 503 at once, and the instance keeps serving for d (config
// Server.Drain) while the balancer notices and sends its requests elsewhere.
// It returns after d, or when ctx ends.
func (a *App) Drain(ctx context.Context, d time.Duration) {
	a.Handler.Drain()
	if d <= 0 {
		return
	}
	a.log.Info("draining: not ready, still serving", "for", d)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// patientListener retries Accept with backoff (5 ms doubling to 1 s) while the
// process is out of file descriptors, logging once per episode, and passes
// every other error on.
type patientListener struct {
	net.Listener
	log   *slog.Logger
	perIP int // connections open at once from one IP; 0: no cap

	mu     sync.Mutex
	since  time.Time // when the current episode began (zero: none)
	misses int
	open   map[string]int // open connections per remote IP (with perIP)
}

const maxAcceptBackoff = time.Second

func (l *patientListener) Accept() (net.Conn, error) {
	delay := 5 * time.Millisecond
	for {
		c, err := l.Listener.Accept()
		if err == nil {
			l.recovered()
			if l.perIP <= 0 {
				return c, nil
			}
			if cc, ok := l.admit(c); ok {
				return cc, nil
			}
			c.Close() // over the per-IP cap: refused at once
			continue
		}
		if !outOfDescriptors(err) {
			return nil, err
		}
		l.exhausted(err)
		time.Sleep(delay)
		delay = min(2*delay, maxAcceptBackoff)
	}
}

func outOfDescriptors(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE)
}

func (l *patientListener) exhausted(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.misses++
	if l.since.IsZero() {
		l.since = time.Now()
		l.log.Error("out of file descriptors: not accepting connections until some close (raise ulimit -n, or lower MARQUEE_MAX_CONNS / MARQUEE_MAX_CONNS_PER_IP)",
			"err", err)
	}
}

func (l *patientListener) recovered() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.since.IsZero() {
		return
	}
	l.log.Warn("accepting connections again", "after", time.Since(l.since).Round(time.Millisecond), "failed_accepts", l.misses)
	l.since, l.misses = time.Time{}, 0
}

// admit counts c against its IP's cap; the returned connection gives its
// place back when closed (once, however often Close is called).
func (l *patientListener) admit(c net.Conn) (net.Conn, bool) {
	ip := remoteIP(c)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[ip] >= l.perIP {
		return nil, false
	}
	l.open[ip]++
	return &ipConn{Conn: c, l: l, ip: ip}, true
}

func (l *patientListener) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[ip]--; l.open[ip] <= 0 {
		delete(l.open, ip)
	}
}

func remoteIP(c net.Conn) string {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

// ipConn is a connection counted against its IP's cap.
type ipConn struct {
	net.Conn
	l    *patientListener
	ip   string
	once sync.Once
}

func (c *ipConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.ip) })
	return err
}
