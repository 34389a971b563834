package handlers

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/views"
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
	// cacheMaxEntries bounds the memory of each cache when visitors vary the
	// query (titles searched).
	cacheMaxEntries = 4096
)

// catalogCache is a per-instance cache of what is read often and changes
// rarely: rendered page fragments, API JSON bodies, the theatre list. It is
// one typed cache per kind of value, keyed by comparable structs, all
// emptied together by one change (invalidate). Values must not be modified
// once stored. Times come from the injected clock.
type catalogCache struct {
	clock booking.Clock
	gen   atomic.Uint64 // bumped by every invalidation; entries of an older one are never served

	theatres *pageCache[struct{}, *theatreIndex]
	genres   *pageCache[struct{}, []string]
	whatsOn  *pageCache[whatsOnKey, string] // the programme of a day, rendered (movies.go)
	movies   *pageCache[string, moviePage]  // a movie's page content by slug (movies.go)
	// Whole bodies, compressed once per entry and encoding (compress.go).
	pages        *pageCache[fullPageKey, *encodedBody]  // whole pages of anonymous visitors (movies.go: renderPage)
	apiMovies    *pageCache[apiMoviesKey, *encodedBody] // JSON bodies (api.go)
	apiMovie     *pageCache[int64, *encodedBody]        // by movie id
	apiShowtimes *pageCache[db.ShowtimeFilter, *encodedBody]
	sitemap      *pageCache[struct{}, *encodedBody] // seo.go
}

func newCatalogCache(clock booking.Clock) *catalogCache {
	c := &catalogCache{clock: clock}
	c.theatres = newPageCache[struct{}, *theatreIndex](c)
	c.genres = newPageCache[struct{}, []string](c)
	c.whatsOn = newPageCache[whatsOnKey, string](c)
	c.movies = newPageCache[string, moviePage](c)
	c.pages = newPageCache[fullPageKey, *encodedBody](c)
	c.apiMovies = newPageCache[apiMoviesKey, *encodedBody](c)
	c.apiMovie = newPageCache[int64, *encodedBody](c)
	c.apiShowtimes = newPageCache[db.ShowtimeFilter, *encodedBody](c)
	c.sitemap = newPageCache[struct{}, *encodedBody](c)
	return c
}

// invalidate drops every entry of every cache at once: after it, nothing
// computed from data older than the change is served or stored.
func (c *catalogCache) invalidate() { c.gen.Add(1) }

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

// Cache keys. Filters are canonical (genre and title search in lower case),
// so that "Drama" and "drama" share an entry; their strings are copied out
// of Fiber's request memory by catalogQuery.

// whatsOnKey is a day of the programme: the first day listed and the filters.
type whatsOnKey struct {
	today  string
	filter booking.CatalogFilter
}

// pageKey names the content of a cacheable page: the programme or a movie.
type pageKey struct {
	whatsOn whatsOnKey
	movie   string // slug
}

// fullPageKey is a whole page: its content and the layout data around it.
type fullPageKey struct {
	meta views.Meta
	page pageKey
}

// apiMoviesKey is one page of GET /api/v1/movies.
type apiMoviesKey struct {
	filter        booking.CatalogFilter
	page, perPage int
}

// canonical is the filter as a cache key: genre and search in lower case.
func canonical(f booking.CatalogFilter) booking.CatalogFilter {
	f.Genre = strings.ToLower(f.Genre)
	f.Query = strings.ToLower(f.Query)
	return f
}

// pageCache caches values of type V by key K for a TTL, emptied with the
// catalogCache it belongs to. A cold key is computed once however many
// requests want it at the same moment (one fill per generation and key).
type pageCache[K comparable, V any] struct {
	owner *catalogCache

	mu         sync.Mutex
	entriesGen uint64 // the generation entries were computed in
	entries    map[K]cacheEntry[V]
	flights    map[flightKey[K]]*flight[V]
}

type cacheEntry[V any] struct {
	value   V
	expires time.Time
	// refreshing is set while one request recomputes an expired entry; the
	// others keep getting the stale value meanwhile instead of queueing.
	refreshing bool
}

// flightKey is a cold computation: a request arriving after an
// invalidation never joins one that started before it.
type flightKey[K comparable] struct {
	gen uint64
	key K
}

type flight[V any] struct {
	done    chan struct{}
	value   V
	err     error
	waiters int // requests waiting for it (under pageCache.mu)
}

var errFillPanicked = errors.New("cache: the computation of this entry panicked")

func newPageCache[K comparable, V any](owner *catalogCache) *pageCache[K, V] {
	return &pageCache[K, V]{owner: owner, entries: map[K]cacheEntry[V]{}, flights: map[flightKey[K]]*flight[V]{}}
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
func (c *pageCache[K, V]) get(key K, ttl time.Duration, fill func() (V, error)) (V, error) {
	now := c.owner.clock.Now()
	gen := c.owner.gen.Load()
	c.mu.Lock()
	c.renew(gen)
	e, ok := c.entries[key]
	switch {
	case ok && (now.Before(e.expires) || e.refreshing):
		c.mu.Unlock()
		return e.value, nil
	case ok:
		e.refreshing = true
		c.entries[key] = e
		c.mu.Unlock()
		v, err := fill()
		if err != nil {
			c.mu.Lock()
			if cur, still := c.entries[key]; still && gen == c.entriesGen {
				cur.refreshing = false
				c.entries[key] = cur
			}
			c.mu.Unlock()
			var zero V
			return zero, err
		}
		c.put(key, gen, v, ttl)
		return v, nil
	}
	fk := flightKey[K]{gen: gen, key: key}
	if f, ok := c.flights[fk]; ok {
		f.waiters++
		c.mu.Unlock()
		<-f.done
		return f.value, f.err
	}
	f := &flight[V]{done: make(chan struct{}), err: errFillPanicked}
	c.flights[fk] = f
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.flights, fk)
		c.mu.Unlock()
		close(f.done)
	}()
	f.value, f.err = fill()
	if f.err == nil {
		c.put(key, gen, f.value, ttl)
	}
	return f.value, f.err
}

// renew empties the entries when they are of an older generation than gen.
// Called with mu held.
func (c *pageCache[K, V]) renew(gen uint64) {
	if gen > c.entriesGen {
		c.entries = map[K]cacheEntry[V]{}
		c.entriesGen = gen
	}
}

func (c *pageCache[K, V]) put(key K, gen uint64, v V, ttl time.Duration) {
	now := c.owner.clock.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.owner.gen.Load() {
		return // computed from data older than the last change
	}
	c.renew(gen)
	if len(c.entries) >= cacheMaxEntries {
		for k, e := range c.entries {
			if !now.Before(e.expires) && !e.refreshing {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= cacheMaxEntries {
			c.entries = map[K]cacheEntry[V]{}
		}
	}
	c.entries[key] = cacheEntry[V]{value: v, expires: now.Add(ttl)}
}
