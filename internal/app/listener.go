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
func (a *App) Serve(ln net.Listener) error {
	return a.Fiber.Listener(&patientListener{Listener: ln, log: a.log})
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
	log *slog.Logger

	mu     sync.Mutex
	since  time.Time // when the current episode began (zero: none)
	misses int
}

const maxAcceptBackoff = time.Second

func (l *patientListener) Accept() (net.Conn, error) {
	delay := 5 * time.Millisecond
	for {
		c, err := l.Listener.Accept()
		if err == nil {
			l.recovered()
			return c, nil
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
