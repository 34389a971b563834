package handlers

import (
	"strings"
	"sync"
	"time"
)

// holdCounter counts the seats held from each client IP per showtime in a
// window (RateLimits.HoldIP), in memory. A click is the hottest request of
// the site and goes to PostgreSQL in batches (sales' claimer); a counter
// row written per click would halve the hold rate (measured: 12–13k → 5–6k
// holds/s at 64 clients) and serialise every click of one address on one
// row. The price: the limit is per instance — behind a load balancer with n
// instances one address can hold up to n × the limit, unless the balancer
// keeps a client on one instance (ip_hash). It is a guard against one client
// holding a show hostage; the per-cart limit stays the database's.
type holdCounter struct {
	mu        sync.Mutex
	counts    map[holdKey]holdCount
	lastPrune time.Time
}

type holdKey struct {
	ip         string
	showtimeID int64
}

type holdCount struct {
	start time.Time // when the window began
	seats int
}

func newHoldCounter() *holdCounter { return &holdCounter{counts: map[holdKey]holdCount{}} }

// held returns the seats counted for ip and showtime in the window ending now.
func (h *holdCounter) held(ip string, showtimeID int64, now time.Time, window time.Duration) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.counts[holdKey{ip, showtimeID}]
	if !ok || !now.Before(c.start.Add(window)) {
		return 0
	}
	return c.seats
}

// add counts n seats held for ip and showtime at now.
func (h *holdCounter) add(ip string, showtimeID int64, n int, now time.Time, window time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if now.Sub(h.lastPrune) > window {
		for k, c := range h.counts {
			if !now.Before(c.start.Add(window)) {
				delete(h.counts, k)
			}
		}
		h.lastPrune = now
	}
	k := holdKey{ip, showtimeID}
	c, ok := h.counts[k]
	if !ok || !now.Before(c.start.Add(window)) {
		k.ip = strings.Clone(ip) // outlives the request (Fiber reuses its memory)
		c = holdCount{start: now}
	}
	c.seats += n
	h.counts[k] = c
}
