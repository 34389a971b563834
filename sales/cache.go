package sales

import (
	"context"
	"iter"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"marquee/booking"
	"marquee/db"
)

// Seat map snapshots. The 200-seat map is the hottest page of the site, so
// each instance keeps, per showtime, an in-memory snapshot of its claims (with
// memo slots for the map the presentation renders once, see Memo), and
// refreshes it when PostgreSQL says the showtime's claims changed
// (db.ChannelSeats, sent by triggers in the transaction of the change, or
// announced in a batch), at most every seatReloadEvery, with seatSnapshotTTL
// as a safety net.
// After a notifier reconnect everything counts as changed.
//
// The snapshot is only ever used to show seats and to refuse a seat already
// known to be taken. A hold is granted by the database alone.
const (
	seatSnapshotTTL    = 2 * time.Second
	seatSnapshotMaxAge = 30 * time.Second      // past its TTL, an unchanged snapshot is served (while reloading) only this long after its load
	seatReloadEvery    = 20 * time.Millisecond // under a burst of changes, reload at most this often
	seatStaleMax       = time.Second           // a snapshot known to be out of date is served (while reloading) only this long after its load
	seatStaticTTL      = time.Minute           // showtime, layout, prices: also dropped on catalogue changes
	seatCacheMaxShow   = 2048
)

// Show is what rarely changes about a showtime: the showtime, its layout, its
// prices. Shared by every snapshot of the showtime until it is reloaded (at
// most every minute, and on catalogue changes); read-only.
type Show struct {
	Info   booking.ShowtimeInfo
	Layout *booking.Layout
	Card   booking.PriceCard   // resolved for the showtime (booking.PriceCard.ForShowtime)
	Zones  []booking.ZonePrice // the price zones of the seat kinds the auditorium has (the legend)
	// Rendered is the presentation's slot for what it renders once per Show
	// (handlers: the seat map's pre-rendered seats and its legend).
	Rendered Memo
	loaded   time.Time
}

// seatSnapshot is a showtime's claims at one moment. Immutable once stored.
type seatSnapshot struct {
	static *Show
	claims seatClaims
	loaded time.Time // wall time

	pubOnce sync.Once
	pub     *publicView
}

type showEntry struct {
	load  sync.Mutex // one reload at a time per showtime (held during the query)
	snap  atomic.Pointer[seatSnapshot]
	dirty atomic.Bool
	stale atomic.Bool // static part must be reloaded

	// mu guards local: this instance's own changes, re-applied on top of a
	// reload that may have started before they were committed. Never held
	// across a query, so recording a change never waits for the database.
	mu    sync.Mutex
	seq   uint64
	local []localChange
}

type localChange struct {
	seq uint64
	fn  func(seatClaims)
}

// seatClaims are a showtime's claims in layout order: index i holds the claim
// on layout.Seats[i], the zero Claim (SeatID 0) when the seat is free. Every
// click makes a new snapshot, so a copy must be cheap: the claims live in
// chunks shared between copies, and a copy copies a chunk only when it first
// writes to it (a click touches one or two). A copy is written only before it
// is published (apply, reload); published ones are read-only.
type seatClaims struct {
	layout *booking.Layout
	chunks []*[claimChunk]booking.Claim
	own    []bool // chunks this copy has copied (or made) and so may write
}

const claimChunk = 32

func newSeatClaims(l *booking.Layout) seatClaims {
	n := (len(l.Seats) + claimChunk - 1) / claimChunk
	c := seatClaims{layout: l, chunks: make([]*[claimChunk]booking.Claim, n), own: make([]bool, n)}
	for k := range c.chunks {
		c.chunks[k], c.own[k] = new([claimChunk]booking.Claim), true
	}
	return c
}

// clone returns a copy sharing every chunk until it writes to it.
func (c seatClaims) clone() seatClaims {
	return seatClaims{layout: c.layout, chunks: slices.Clone(c.chunks), own: make([]bool, len(c.chunks))}
}

// all yields every seat's claim (zero when free) with its layout index.
func (c seatClaims) all() iter.Seq2[int, booking.Claim] {
	return func(yield func(int, booking.Claim) bool) {
		for i := range c.layout.Seats {
			if !yield(i, c.chunks[i/claimChunk][i%claimChunk]) {
				return
			}
		}
	}
}

// get returns the claim on a seat, if it has one.
func (c seatClaims) get(seatID int64) (booking.Claim, bool) {
	i, ok := c.layout.Index(seatID)
	if !ok {
		return booking.Claim{}, false
	}
	cl := c.chunks[i/claimChunk][i%claimChunk]
	return cl, cl.SeatID != 0
}

// set records cl on its seat; a seat not in the layout is ignored.
func (c seatClaims) set(cl booking.Claim) {
	if i, ok := c.layout.Index(cl.SeatID); ok {
		c.put(i, cl)
	}
}

// free removes a seat's claim.
func (c seatClaims) free(seatID int64) {
	if i, ok := c.layout.Index(seatID); ok {
		c.put(i, booking.Claim{})
	}
}

func (c seatClaims) put(i int, cl booking.Claim) {
	k := i / claimChunk
	if !c.own[k] {
		cp := *c.chunks[k]
		c.chunks[k], c.own[k] = &cp, true
	}
	c.chunks[k][i%claimChunk] = cl
}

// seatCache holds the snapshots and fans change events out to subscribers (SSE clients).
type seatCache struct {
	db *db.DB
	// live is true when a change feed keeps snapshots fresh; without one every
	// read reloads the claims (tests without a notifier stay exact).
	live bool
	// wall is the real clock for cache freshness (operational, not business time).
	wall func() time.Time

	mu    sync.Mutex
	shows map[int64]*showEntry
	subs  map[int64]map[chan struct{}]struct{}
	done  chan struct{}

	// Batched announcements of this instance's quiet changes (see announce).
	pendingMu sync.Mutex
	pending   map[int64]struct{}
	kick      chan struct{}
	log       *slog.Logger
}

// announceGap is the least time between two batched NOTIFY statements.
const announceGap = 10 * time.Millisecond

func newSeatCache(store *db.DB, logger *slog.Logger) *seatCache {
	c := &seatCache{db: store, wall: time.Now, shows: map[int64]*showEntry{},
		subs: map[int64]map[chan struct{}]struct{}{}, done: make(chan struct{}),
		pending: map[int64]struct{}{}, kick: make(chan struct{}, 1), log: logger}
	go c.announcer()
	return c
}

// announce tells every instance, soon and in a batch, that a showtime's
// claims changed. The hot paths (hold, release, best seats) change claims
// "quietly" — a NOTIFY per transaction would serialise their commits on
// PostgreSQL's notification lock — and announce instead: one pg_notify per
// changed showtime at most every announceGap. Should the process die in
// between, other instances catch up within seatSnapshotTTL.
func (c *seatCache) announce(id int64) {
	c.pendingMu.Lock()
	c.pending[id] = struct{}{}
	c.pendingMu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *seatCache) announcer() {
	for {
		select {
		case <-c.done:
			c.flushAnnouncements()
			return
		case <-c.kick:
		}
		c.flushAnnouncements()
		select {
		case <-c.done:
		case <-time.After(announceGap):
		}
	}
}

func (c *seatCache) flushAnnouncements() {
	c.pendingMu.Lock()
	ids := make([]int64, 0, len(c.pending))
	for id := range c.pending {
		ids = append(ids, id)
	}
	clear(c.pending)
	c.pendingMu.Unlock()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.db.NotifySeats(ctx, ids); err != nil {
		c.log.Warn("announce seat changes", "showtimes", len(ids), "err", err)
	}
}

func (c *seatCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.done:
	default:
		close(c.done)
	}
}

func (c *seatCache) entry(id int64) *showEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.shows[id]
	if !ok {
		if len(c.shows) >= seatCacheMaxShow {
			c.shows = map[int64]*showEntry{}
		}
		e = &showEntry{}
		c.shows[id] = e
	}
	return e
}

// get returns a snapshot of the showtime, fresh enough to show. force skips
// the cache (after a refused hold, to show the truth).
func (c *seatCache) get(ctx context.Context, id int64, force bool) (*seatSnapshot, error) {
	e := c.entry(id)
	now := c.wall()
	s := e.snap.Load()
	if s != nil && c.live && !force && !e.stale.Load() {
		age := now.Sub(s.loaded)
		dirty := e.dirty.Load()
		if !dirty && age < seatSnapshotTTL {
			return s, nil
		}
		// Stale while revalidating: one reload runs in the background, at
		// most every seatReloadEvery, and nobody waits for it (under load it
		// would queue for a pool connection behind the very requests waiting
		// for it) — for a snapshot known to be out of date but loaded moments
		// ago (a burst of changes), and for one past its TTL that nothing
		// said changed (the TTL is a safety net for a lost notification).
		// After a change the live maps are woken when the reload is done, so
		// that those just served this snapshot fetch the fresh one. An older
		// snapshot is not served once it is known to be out of date, nor one
		// far past its TTL: the request waits for the reload.
		if (dirty && age < seatStaleMax) || (!dirty && age < seatSnapshotMaxAge) {
			if e.load.TryLock() {
				go func() {
					defer e.load.Unlock()
					if wait := seatReloadEvery - age; wait > 0 {
						time.Sleep(wait)
					}
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					if _, err := c.reload(ctx, id, e); err != nil {
						if c.log != nil {
							c.log.Warn("reload seat snapshot", "showtime", id, "err", err)
						}
						return
					}
					if dirty {
						c.wake(id)
					}
				}()
			}
			return s, nil
		}
	}
	e.load.Lock()
	defer e.load.Unlock()
	if cur := e.snap.Load(); cur != nil && c.live && !e.stale.Load() && (s == nil || cur.loaded.After(s.loaded)) {
		return cur, nil // reloaded by someone else while we waited: as fresh as we need
	}
	return c.reload(ctx, id, e)
}

// reload reads the claims (and the static part when needed). Call with e.load held.
func (c *seatCache) reload(ctx context.Context, id int64, e *showEntry) (*seatSnapshot, error) {
	now := c.wall()
	e.dirty.Store(false) // notifications arriving during the query mark it again
	var st *Show
	if cur := e.snap.Load(); cur != nil && !e.stale.Load() && now.Sub(cur.static.loaded) < seatStaticTTL {
		st = cur.static
	} else {
		e.stale.Store(false)
		var err error
		if st, err = c.loadStatic(ctx, id); err != nil {
			e.stale.Store(true)
			return nil, err
		}
	}
	e.mu.Lock()
	startSeq := e.seq
	e.mu.Unlock()
	list, err := c.db.Claims(ctx, id)
	if err != nil {
		e.dirty.Store(true)
		return nil, err
	}
	s := &seatSnapshot{static: st, claims: newSeatClaims(st.Layout), loaded: now}
	for _, cl := range list {
		s.claims.set(cl)
	}
	// Changes recorded before the query started are in its result; later ones
	// may not be: apply them again (they set or remove one claim each).
	e.mu.Lock()
	keep := e.local[:0]
	for _, ch := range e.local {
		if ch.seq > startSeq {
			ch.fn(s.claims)
			keep = append(keep, ch)
		}
	}
	clear(e.local[len(keep):])
	e.local = keep
	e.snap.Store(s)
	e.mu.Unlock()
	return s, nil
}

func (c *seatCache) loadStatic(ctx context.Context, id int64) (*Show, error) {
	info, err := c.db.ShowtimeInfo(ctx, id)
	if err != nil {
		return nil, err
	}
	seats, err := c.db.LayoutSeats(ctx, info.Showtime.LayoutID) // the version the showtime sells
	if err != nil {
		return nil, err
	}
	card, err := c.db.PriceCard(ctx, info.Showtime.PriceCardID)
	if err != nil {
		return nil, err
	}
	l := booking.NewLayout(seats)
	// Sold by the card resolved for this showtime: its day-part's prices, the
	// ticket types its film's rating allows — for every road (web, API, counter).
	card = card.ForShowtime(info)
	return &Show{Info: info, Layout: l, Card: card, Zones: card.Zones(l.Seats), loaded: c.wall()}, nil
}

// apply records a change this instance made (a granted hold, a release) in
// the snapshot at once, so the response shows it; the notification that
// follows reloads the truth anyway.
func (c *seatCache) apply(id int64, fn func(claims seatClaims)) {
	e := c.entry(id)
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.snap.Load()
	if cur == nil {
		return
	}
	e.seq++
	if len(e.local) < 4096 { // bounded: a reload prunes it
		e.local = append(e.local, localChange{seq: e.seq, fn: fn})
	}
	next := &seatSnapshot{static: cur.static, claims: cur.claims.clone(), loaded: cur.loaded}
	fn(next.claims)
	e.snap.Store(next)
}

// wake tells a showtime's subscribers to fetch the map again.
func (c *seatCache) wake(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for ch := range c.subs[id] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// changed marks a showtime's claims as changed and wakes its subscribers.
func (c *seatCache) changed(id int64) {
	c.mu.Lock()
	e := c.shows[id]
	subs := c.subs[id]
	for ch := range subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	c.mu.Unlock()
	if e != nil {
		e.dirty.Store(true)
	}
}

// showChanged marks a showtime's static part and claims as changed.
func (c *seatCache) showChanged(id int64) {
	c.mu.Lock()
	e := c.shows[id]
	c.mu.Unlock()
	if e != nil {
		e.stale.Store(true)
	}
	c.changed(id)
}

// changedAll marks everything as changed (catalogue change, reconnect).
func (c *seatCache) changedAll(static bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.shows {
		e.dirty.Store(true)
		if static {
			e.stale.Store(true)
		}
	}
	for _, subs := range c.subs {
		for ch := range subs {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

// subscribe returns a channel woken (coalesced) when the showtime's seats change.
func (c *seatCache) subscribe(id int64) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	c.mu.Lock()
	if c.subs[id] == nil {
		c.subs[id] = map[chan struct{}]struct{}{}
	}
	c.subs[id][ch] = struct{}{}
	c.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			c.mu.Lock()
			delete(c.subs[id], ch)
			if len(c.subs[id]) == 0 {
				delete(c.subs, id)
			}
			c.mu.Unlock()
		})
	}
}

// follow keeps the snapshots fresh from the change feed until the cache closes.
func (c *seatCache) follow(feed ChangeFeed) {
	c.live = true
	seats, stopSeats := feed.Subscribe(db.ChannelSeats)
	catalog, stopCatalog := feed.Subscribe(db.ChannelCatalog)
	go func() {
		defer stopSeats()
		defer stopCatalog()
		for {
			select {
			case <-c.done:
				return
			case n := <-seats:
				if n.Reconnected {
					c.changedAll(true)
					continue
				}
				if id, err := strconv.ParseInt(n.Payload, 10, 64); err == nil {
					c.changed(id)
				}
			case <-catalog:
				c.changedAll(true)
			}
		}
	}()
}

// states returns how each seat of the layout looks to the viewer with cart at
// now, and the viewer's own live and expired holds. The returned states may be
// shared by other requests: callers must not modify them.
func (s *seatSnapshot) states(cart string, now time.Time) (states []booking.SeatState, mine, expired []booking.Claim) {
	s.pubOnce.Do(func() { s.pub = s.publicView(now) })
	p := s.pub
	if now.Before(p.at) || (!p.until.IsZero() && !now.Before(p.until)) {
		return s.statesAt(cart, now) // a claim changed state since (or the clock went back)
	}
	if cart == "" {
		return p.states, nil, nil
	}
	states = p.states
	shared := true
	for _, i := range p.holds {
		cl := s.claims.chunks[i/claimChunk][i%claimChunk]
		if cl.CartID != cart {
			continue
		}
		if !cl.Live(now) {
			expired = append(expired, cl) // shown free to everyone already
			continue
		}
		if shared {
			states = slices.Clone(p.states)
			shared = false
		}
		states[i] = booking.StateMine
		mine = append(mine, cl)
	}
	return states, mine, expired
}

// publicView is a snapshot's seats as seen by a viewer without holds, from at
// until the first live hold runs out (zero: no live hold). Computed once per
// snapshot, on first use: the map page and partial then cost no per-seat
// work for most viewers.
type publicView struct {
	states    []booking.SeatState // read-only
	at, until time.Time
	holds     []int32 // layout indexes of carts' holds (live or not), in layout order
	rendered  Memo    // the presentation's rendering of states (handlers: the map's HTML)
}

func (s *seatSnapshot) publicView(now time.Time) *publicView {
	l := s.static.Layout
	p := &publicView{states: make([]booking.SeatState, len(l.Seats)), at: now}
	for i, cl := range s.claims.all() {
		if cl.SeatID == 0 {
			continue // StateFree
		}
		p.states[i] = cl.StateFor("", now)
		if cl.CartID != "" && cl.OrderID == 0 {
			p.holds = append(p.holds, int32(i))
		}
		if cl.ExpiresAt != nil && cl.ExpiresAt.After(now) && (p.until.IsZero() || cl.ExpiresAt.Before(p.until)) {
			p.until = *cl.ExpiresAt
		}
	}
	return p
}

// shared returns the memo slot of the public view when states are the
// public view's (nil otherwise: the viewer sees seats of their own).
func (s *seatSnapshot) shared(states []booking.SeatState) *Memo {
	if p := s.pub; p != nil && len(states) > 0 && len(p.states) == len(states) && &p.states[0] == &states[0] {
		return &p.rendered
	}
	return nil
}

// statesAt computes states seat by seat (see states).
func (s *seatSnapshot) statesAt(cart string, now time.Time) (states []booking.SeatState, mine, expired []booking.Claim) {
	l := s.static.Layout
	states = make([]booking.SeatState, len(l.Seats))
	for i, cl := range s.claims.all() {
		if cl.SeatID == 0 {
			continue // StateFree
		}
		states[i] = cl.StateFor(cart, now)
		if cart != "" && cl.CartID == cart && cl.OrderID == 0 {
			if states[i] == booking.StateMine {
				mine = append(mine, cl)
			} else if !cl.Live(now) {
				expired = append(expired, cl)
			}
		}
	}
	return states, mine, expired
}
