package handlers

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"marquee/booking"
	"marquee/db"
)

// ChangeFeed delivers PostgreSQL notifications; *db.Notifier is one. Tests
// inject their own to prove that a change empties the cache.
type ChangeFeed interface {
	Subscribe(channel string) (<-chan db.Notification, func())
}

// Cache TTLs. Every entry is also dropped on any change to the programme
// (db.ChannelCatalog); the TTL bounds what depends on the clock (showtimes
// whose sales close drop off the lists) or on bookings (seats left).
const (
	catalogTTL = 2 * time.Second
	seatsTTL   = time.Second
	// cacheMaxEntries bounds memory when visitors vary the query (titles searched).
	cacheMaxEntries = 4096
)

// catalogCache is a per-instance cache of what is read often and changes
// rarely: rendered page fragments, API JSON bodies, the theatre list. Values
// must not be modified once stored. A cold key is computed once however many
// requests want it at the same moment (singleflight). Times come from the
// injected clock.
type catalogCache struct {
	clock booking.Clock
	group singleflight.Group

	mu      sync.Mutex
	gen     uint64 // bumped by every invalidation
	entries map[string]cacheEntry
}

type cacheEntry struct {
	value   any
	expires time.Time
	// refreshing is set while one request recomputes an expired entry; the
	// others keep getting the stale value meanwhile instead of queueing.
	refreshing bool
}

func newCatalogCache(clock booking.Clock) *catalogCache {
	return &catalogCache{clock: clock, entries: map[string]cacheEntry{}}
}

// get returns the cached value of key, or computes it with fill and keeps it
// for ttl. Errors are not cached. key must not alias request memory.
//
// An expired entry is recomputed by the first request that finds it expired,
// within that request (fill may use request memory); requests arriving during
// the recomputation are served the previous value (stale-while-revalidate),
// so a TTL expiry under a rush costs one request, not a queue of them. An
// invalidation removes entries outright: after a change nobody is served
// data from before it.
func (c *catalogCache) get(key string, ttl time.Duration, fill func() (any, error)) (any, error) {
	now := c.clock.Now()
	c.mu.Lock()
	e, ok := c.entries[key]
	gen := c.gen
	switch {
	case ok && now.Before(e.expires):
		c.mu.Unlock()
		return e.value, nil
	case ok && e.refreshing:
		c.mu.Unlock()
		return e.value, nil
	case ok:
		e.refreshing = true
		c.entries[key] = e
		c.mu.Unlock()
		v, err := fill()
		if err != nil {
			c.mu.Lock()
			if cur, still := c.entries[key]; still && gen == c.gen {
				cur.refreshing = false
				c.entries[key] = cur
			}
			c.mu.Unlock()
			return nil, err
		}
		c.put(key, gen, v, ttl)
		return v, nil
	}
	c.mu.Unlock()
	// A cold key is computed once however many requests want it. The
	// generation is part of the flight's key: a request arriving after an
	// invalidation never joins a computation that started before it.
	v, err, _ := c.group.Do(strconv.FormatUint(gen, 10)+"|"+key, func() (any, error) {
		v, err := fill()
		if err != nil {
			return nil, err
		}
		c.put(key, gen, v, ttl)
		return v, nil
	})
	return v, err
}

func (c *catalogCache) put(key string, gen uint64, v any, ttl time.Duration) {
	now := c.clock.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return // computed from data older than the last change
	}
	if len(c.entries) >= cacheMaxEntries {
		for k, e := range c.entries {
			if !now.Before(e.expires) && !e.refreshing {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= cacheMaxEntries {
			c.entries = map[string]cacheEntry{}
		}
	}
	c.entries[key] = cacheEntry{value: v, expires: now.Add(ttl)}
}

// invalidate drops every entry.
func (c *catalogCache) invalidate() {
	c.mu.Lock()
	c.gen++
	c.entries = map[string]cacheEntry{}
	c.mu.Unlock()
}

// follow empties the cache on every notification of a programme change (and
// on a listener reconnect, when changes may have been missed) until ctx ends.
func (c *catalogCache) follow(ctx context.Context, feed ChangeFeed) {
	ch, stop := feed.Subscribe(db.ChannelCatalog)
	go func() {
		defer stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ch:
				c.invalidate()
			}
		}
	}()
}
