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
}

func newCatalogCache(clock booking.Clock) *catalogCache {
	return &catalogCache{clock: clock, entries: map[string]cacheEntry{}}
}

// get returns the cached value of key, or computes it with fill and keeps it
// for ttl. Errors are not cached. key must not alias request memory.
func (c *catalogCache) get(key string, ttl time.Duration, fill func() (any, error)) (any, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	gen := c.gen
	c.mu.Unlock()
	if ok && c.clock.Now().Before(e.expires) {
		return e.value, nil
	}
	// The generation is part of the flight's key: a request arriving after an
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
			if !now.Before(e.expires) {
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
