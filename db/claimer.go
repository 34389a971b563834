package db

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/lib/pq"

	"marquee/booking"
)

// Claimer runs the seat map's hot path — a click that holds one seat, a click
// that gives seats back — for every request of this instance as batches: the
// clicks that arrive while one statement runs go to the database together in
// the next one. It is group commit for seat clicks: one statement, one round
// trip and one (asynchronous) commit for many clicks, so under a booking rush
// the database spends its time on rows rather than on per-statement overhead,
// and the hold statements of one instance never wait on each other's locks.
//
// Every grant is still decided by the database, row by row, in one
// conditional statement (the same rules as HoldSeats: primary key on
// (showtime, seat), expired holds reclaimable, the cart's seat count checked in
// the statement). Two clicks for the same seat, or two clicks of the same
// cart for one showtime, never share a statement: the second waits for the
// next batch, so it sees what the first did. Statements of different workers
// run side by side like any two transactions: row locks settle a seat wanted
// by both, and both lock rows in (showtime, seat) order. Only a cart's own two
// clicks in the same instant on two workers could overrun its seat limit, as
// they could on two instances.
//
// A batch's releases and holds are one statement; a hold for a seat, or of a
// cart, that a release of the same batch concerns waits for the next one, so
// it sees the release. Changes are quiet (see Hold.Quiet): the caller
// announces them.
type Claimer struct {
	db   *DB
	reqs chan *claim
	stop chan struct{}
	once sync.Once
	done sync.WaitGroup
	// mu makes "stopped" and "queued" exclusive: a click queued before Close
	// is answered by the workers' drain, a click after it is refused.
	mu      sync.RWMutex
	stopped bool
	max     int
}

// claim is one queued click: a single-seat hold or a release.
type claim struct {
	ctx     context.Context
	hold    *Hold
	release *release
	res     chan claimResult // buffered: the worker never blocks on a caller
}

type release struct {
	showtimeID int64
	cartID     string
	seatIDs    []int64
}

type claimResult struct {
	hold     HoldResult
	released []int64
	err      error
}

// maxClaimBatch bounds a statement's size (and so its latency).
const maxClaimBatch = 128

// NewClaimer starts workers batching goroutines (at least one); Close stops
// them. Each runs one statement at a time; a few of them overlap one batch's
// round trip with the next one's statement.
func (db *DB) NewClaimer(workers int) *Claimer {
	c := &Claimer{db: db, reqs: make(chan *claim, 4*maxClaimBatch), stop: make(chan struct{}), max: maxClaimBatch}
	for range max(workers, 1) {
		c.done.Add(1)
		go c.work()
	}
	return c
}

// Close stops the worker; clicks still queued are answered with an error.
func (c *Claimer) Close() {
	c.once.Do(func() {
		c.mu.Lock()
		c.stopped = true
		c.mu.Unlock()
		close(c.stop)
	})
	c.done.Wait()
}

var errClaimerClosed = errors.New("seat claimer stopped")

// Hold takes one seat for a cart, as HoldSeats does, batched when it is a
// single seat that doesn't replace the selection (always quiet, whatever
// h.Quiet says); anything else goes straight to HoldSeats. A statement error
// (e.g. the showtime deleted meanwhile) fails only the click that caused it:
// the batch is run again in parts.
func (c *Claimer) Hold(ctx context.Context, h Hold) (HoldResult, error) {
	if len(h.SeatIDs) != 1 || h.Replace {
		return c.db.HoldSeats(ctx, h)
	}
	r, err := c.submit(ctx, &claim{hold: &h})
	return r.hold, err
}

// Release gives a cart's held seats of a showtime back, quietly: seats the
// cart doesn't hold are left alone. It returns the seats released.
func (c *Claimer) Release(ctx context.Context, showtimeID int64, cartID string, seatIDs []int64) ([]int64, error) {
	if len(seatIDs) == 0 || cartID == "" {
		return nil, nil
	}
	r, err := c.submit(ctx, &claim{release: &release{showtimeID: showtimeID, cartID: cartID, seatIDs: seatIDs}})
	return r.released, err
}

func (c *Claimer) submit(ctx context.Context, q *claim) (claimResult, error) {
	q.ctx = ctx
	q.res = make(chan claimResult, 1)
	c.mu.RLock()
	if c.stopped {
		c.mu.RUnlock()
		return claimResult{}, errClaimerClosed
	}
	select {
	case c.reqs <- q:
		c.mu.RUnlock()
	case <-ctx.Done():
		c.mu.RUnlock()
		return claimResult{}, ctx.Err()
	}
	select {
	case r := <-q.res:
		return r, r.err
	case <-ctx.Done():
		// The statement may still grant the seat: the hold then simply runs
		// out, as one whose page was closed does.
		return claimResult{}, ctx.Err()
	}
}

// work collects what is queued, runs it, and repeats. Clicks deferred by a
// batch (a second click for the same seat or cart) lead the next one.
func (c *Claimer) work() {
	defer c.done.Done()
	var carry []*claim
	for {
		batch := carry
		carry = nil
		if len(batch) == 0 {
			select {
			case q := <-c.reqs:
				batch = append(batch, q)
			case <-c.stop:
				c.drain(nil)
				return
			}
		}
	collect:
		for len(batch) < c.max {
			select {
			case q := <-c.reqs:
				batch = append(batch, q)
			default:
				break collect
			}
		}
		select {
		case <-c.stop:
			c.drain(batch)
			return
		default:
		}
		carry = c.run(batch)
	}
}

// drain answers every click still waiting once the claimer is stopped.
func (c *Claimer) drain(batch []*claim) {
	for _, q := range batch {
		q.res <- claimResult{err: errClaimerClosed}
	}
	for {
		select {
		case q := <-c.reqs:
			q.res <- claimResult{err: errClaimerClosed}
		default:
			return
		}
	}
}

// run executes one batch, its releases and its holds, as one statement. It
// returns the holds that must wait for the next batch: a second click for
// the same seat or of the same cart (for a showtime), and a hold for a seat
// or of a cart that a release of this batch concerns — the statement's holds
// don't see its releases, the next statement does.
func (c *Claimer) run(batch []*claim) (carry []*claim) {
	var releases, holds, pending []*claim
	seats := make(map[seatKey]bool, len(batch))
	carts := make(map[cartKey]bool, len(batch))
	for _, q := range batch {
		if err := q.ctx.Err(); err != nil {
			q.res <- claimResult{err: err}
			continue
		}
		r := q.release
		if r == nil {
			pending = append(pending, q)
			continue
		}
		releases = append(releases, q)
		carts[cartKey{r.showtimeID, r.cartID}] = true
		for _, s := range r.seatIDs {
			seats[seatKey{r.showtimeID, s}] = true
		}
	}
	for _, q := range pending {
		sk := seatKey{q.hold.ShowtimeID, q.hold.SeatIDs[0]}
		ck := cartKey{q.hold.ShowtimeID, q.hold.CartID}
		if seats[sk] || carts[ck] {
			carry = append(carry, q)
			continue
		}
		seats[sk], carts[ck] = true, true
		holds = append(holds, q)
	}
	if len(releases)+len(holds) > 0 {
		// Contexts of the callers are not the statement's: one caller giving
		// up must not cancel the others' clicks.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c.runBatch(ctx, releases, holds)
	}
	return carry
}

// batchSQL gives back the listed holds ($1 request index, $2 showtime, $3
// cart, $4 seat) and takes one seat per hold request ($5 request index, $6
// showtime, $7 cart, $8 seat, $9 ticket type, $10 the request's instant, $11
// when a new hold ends, $12 the cart's maximum) by the rules of holdSQL, for
// hold requests that share neither a seat nor a cart's showtime with each
// other or with the releases. It answers a row per released seat, and a row
// per hold request saying how many seats the cart held before and whether
// (until when) it got the seat.
//
// Each request is looked up through an index whatever the statistics say (a
// prepared statement soon runs a generic plan, planned with the statistics of
// the moment — for a table never analysed, "empty"): the cart's count is a
// LATERAL lookup and the release restates its keys as array conditions.
// Joined plainly, the generic plan hashed every hold of the table, dead ones
// included, for every batch. TestClaimerPlans checks it.
const batchSQL = `
	WITH quiet AS (
		SELECT set_config('marquee.seat_notify', 'off', true) AS q, set_config('synchronous_commit', 'off', true) AS s
	), rel AS (
		SELECT * FROM unnest($1::int[], $2::bigint[], $3::text[], $4::bigint[]) AS r(i, showtime_id, cart_id, seat_id)
	), released AS (
		DELETE FROM seat_claims c
		USING rel r, quiet
		WHERE c.showtime_id = r.showtime_id AND c.seat_id = r.seat_id AND c.cart_id = r.cart_id AND c.order_id IS NULL
			AND c.showtime_id = ANY($2) AND c.cart_id = ANY($3) AND c.seat_id = ANY($4)
		RETURNING r.i, c.seat_id
	), req AS (
		SELECT * FROM unnest($5::int[], $6::bigint[], $7::text[], $8::bigint[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::int[])
			AS r(i, showtime_id, cart_id, seat_id, ticket_type, now, until, max)
	), cart AS (
		SELECT r.i, h.n, h.until
		FROM req r CROSS JOIN LATERAL (
			SELECT count(*) AS n, min(c.expires_at) AS until
			FROM seat_claims c
			WHERE c.showtime_id = r.showtime_id AND c.cart_id = r.cart_id AND c.order_id IS NULL AND c.expires_at > r.now
		) h
	), taken AS (
		INSERT INTO seat_claims AS c (showtime_id, seat_id, cart_id, order_id, ticket_type, expires_at, claimed_at)
		SELECT r.showtime_id, r.seat_id, r.cart_id, NULL, r.ticket_type, coalesce(cart.until, r.until), r.now
		FROM req r JOIN cart USING (i), quiet
		WHERE cart.n + 1 <= r.max
		ORDER BY r.showtime_id, r.seat_id
		ON CONFLICT (showtime_id, seat_id) DO UPDATE
			SET cart_id = EXCLUDED.cart_id, order_id = NULL, ticket_type = EXCLUDED.ticket_type,
			    expires_at = EXCLUDED.expires_at, claimed_at = EXCLUDED.claimed_at
			WHERE c.expires_at <= EXCLUDED.claimed_at
		RETURNING c.showtime_id, c.seat_id, c.expires_at
	)
	SELECT false AS release, cart.i, cart.n AS held, t.expires_at AS until, 0::bigint AS seat_id
	FROM cart
	JOIN req r USING (i)
	LEFT JOIN taken t ON t.showtime_id = r.showtime_id AND t.seat_id = r.seat_id
	UNION ALL
	SELECT true, i, 0, NULL, seat_id FROM released`

type seatKey struct {
	showtime int64
	seat     int64
}

type cartKey struct {
	showtime int64
	cart     string
}

// runBatch runs batchSQL for releases and holds and answers every one of them.
func (c *Claimer) runBatch(ctx context.Context, releases, holds []*claim) {
	// Rows are locked in (showtime, seat) order, as every multi-seat writer does.
	slices.SortFunc(releases, func(a, b *claim) int {
		return cmp.Or(cmp.Compare(a.release.showtimeID, b.release.showtimeID), slices.Compare(a.release.seatIDs, b.release.seatIDs))
	})
	slices.SortFunc(holds, func(a, b *claim) int {
		return cmp.Or(cmp.Compare(a.hold.ShowtimeID, b.hold.ShowtimeID), cmp.Compare(a.hold.SeatIDs[0], b.hold.SeatIDs[0]))
	})
	var relIdx []int32
	var relShows, relSeats []int64
	var relCarts []string
	for i, q := range releases {
		for _, s := range q.release.seatIDs {
			relIdx = append(relIdx, int32(i))
			relShows = append(relShows, q.release.showtimeID)
			relCarts = append(relCarts, q.release.cartID)
			relSeats = append(relSeats, s)
		}
	}
	n := len(holds)
	idx, max := make([]int32, n), make([]int32, n)
	shows, seats := make([]int64, n), make([]int64, n)
	cartIDs, types := make([]string, n), make([]string, n)
	nows, untils := make([]string, n), make([]string, n) // timestamptz text: pq has no time.Time arrays
	for i, q := range holds {
		h := q.hold
		idx[i], shows[i], cartIDs[i], seats[i], types[i] = int32(i), h.ShowtimeID, h.CartID, h.SeatIDs[0], h.TicketType
		nows[i], untils[i], max[i] = h.Now.Format(time.RFC3339Nano), h.Until.Format(time.RFC3339Nano), int32(h.Max)
	}
	var rows []struct {
		Release bool       `db:"release"`
		I       int        `db:"i"`
		Held    int        `db:"held"`
		Until   *time.Time `db:"until"`
		SeatID  int64      `db:"seat_id"`
	}
	err := retryDeadlock(func() error {
		rows = rows[:0]
		return c.db.selectAll(ctx, &rows, batchSQL,
			pq.Array(relIdx), pq.Array(relShows), pq.Array(relCarts), pq.Array(relSeats),
			pq.Array(idx), pq.Array(shows), pq.Array(cartIDs), pq.Array(seats),
			pq.Array(types), pq.Array(nows), pq.Array(untils), pq.Array(max))
	})
	if err != nil && ctx.Err() == nil && len(releases)+len(holds) > 1 {
		// One bad click (say, for a showtime deleted meanwhile) must not fail
		// the others: run the batch again in two parts, down to the culprit.
		// The parts are independent (run carried whatever depends on another
		// click of the batch).
		switch {
		case len(releases) > 0 && len(holds) > 0:
			c.runBatch(ctx, releases, nil)
			c.runBatch(ctx, nil, holds)
		case len(releases) > 1:
			c.runBatch(ctx, releases[:len(releases)/2], nil)
			c.runBatch(ctx, releases[len(releases)/2:], nil)
		default:
			c.runBatch(ctx, nil, holds[:len(holds)/2])
			c.runBatch(ctx, nil, holds[len(holds)/2:])
		}
		return
	}
	if err != nil {
		for _, q := range releases {
			q.res <- claimResult{err: fmt.Errorf("release seats: %w", err)}
		}
		for _, q := range holds {
			q.res <- claimResult{err: fmt.Errorf("hold seat: %w", err)}
		}
		return
	}
	released := make([][]int64, len(releases))
	answered := make([]bool, len(holds))
	for _, r := range rows {
		if r.Release {
			if r.I >= 0 && r.I < len(releases) {
				released[r.I] = append(released[r.I], r.SeatID)
			}
			continue
		}
		if r.I < 0 || r.I >= len(holds) || answered[r.I] {
			continue
		}
		answered[r.I] = true
		q := holds[r.I]
		var res claimResult
		switch {
		case r.Held+1 > q.hold.Max:
			res.err = booking.MaxSeatsError(q.hold.Max)
		case r.Until == nil:
			res.err = booking.ErrSeatTaken()
		default:
			res.hold = HoldResult{Granted: []int64{q.hold.SeatIDs[0]}, ExpiresAt: *r.Until}
		}
		q.res <- res
	}
	for i, q := range releases {
		q.res <- claimResult{released: released[i]}
	}
	for i, q := range holds {
		if !answered[i] {
			q.res <- claimResult{err: errors.New("hold seat: no answer from the database")}
		}
	}
}

// retryDeadlock runs fn again when PostgreSQL broke a deadlock by failing it
// (a batch against another writer's transaction); the retry sees the winner.
func retryDeadlock(fn func() error) error {
	var err error
	for range 3 {
		err = fn()
		var pe *pq.Error
		if !errors.As(err, &pe) || (pe.Code != "40P01" && pe.Code != "40001") {
			return err
		}
	}
	return err
}
