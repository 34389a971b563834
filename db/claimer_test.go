package db_test

import (
	"context"
	"errors"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
)

// claimerEnv is a showtime an hour before it starts and a one-worker claimer.
type claimerEnv struct {
	d   *db.DB
	s   dbtest.Show
	c   *db.Claimer
	now time.Time
}

func newClaimerEnv(t *testing.T) claimerEnv {
	clock := booking.NewManualClock(start.Add(-time.Hour))
	d := dbtest.New(t, clock)
	e := claimerEnv{d: d, s: dbtest.AddShowtime(t, d, start), c: d.NewClaimer(1), now: clock.Now()}
	t.Cleanup(e.c.Close)
	return e
}

// click is a single-seat hold of a cart allowed max seats, made at at.
func (e claimerEnv) click(show int64, cart string, max int, at time.Time, seat int64) db.Hold {
	return db.Hold{ShowtimeID: show, CartID: cart, SeatIDs: []int64{seat}, TicketType: "adult",
		Now: at, Until: at.Add(10 * time.Minute), Max: max}
}

// TestClaimerRules checks what batching must not change: the cart's seat
// limit (two clicks of one cart at once never share a statement), the hold
// timer shared by a cart's seats, expired holds re-taken, releases of the
// cart's own seats only, and clear answers once stopped or given up.
func TestClaimerRules(t *testing.T) {
	e := newClaimerEnv(t)
	d, s, c, now := e.d, e.s, e.c, e.now
	ctx := context.Background()
	click := func(cart string, max int, at time.Time, seat int64) (db.HoldResult, error) {
		return c.Hold(ctx, e.click(s.ShowtimeID, cart, max, at, seat))
	}

	// 20 clicks of one cart allowed 5 seats, all at once: exactly 5 granted.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var granted []int64
	limited := 0
	for i := range 20 {
		wg.Add(1)
		go func(seat int64) {
			defer wg.Done()
			res, err := click("greedy", 5, now, seat)
			mu.Lock()
			defer mu.Unlock()
			switch booking.ErrorCode(err) {
			case "":
				granted = append(granted, res.Granted...)
			case booking.EINVALID:
				limited++
			default:
				t.Errorf("seat %d: %v", seat, err)
			}
		}(s.SeatIDs[i])
	}
	wg.Wait()
	if len(granted) != 5 || limited != 15 {
		t.Fatalf("granted %v, %d refused by the limit; want 5 and 15", granted, limited)
	}
	held, err := d.CartHolds(ctx, s.ShowtimeID, "greedy")
	if err != nil || len(held) != 5 {
		t.Fatalf("cart holds %d seats (%v), want 5", len(held), err)
	}
	// One timer per cart: every seat ends when the first did.
	for _, h := range held[1:] {
		if !h.ExpiresAt.Equal(*held[0].ExpiresAt) {
			t.Fatalf("holds end at %v and %v", h.ExpiresAt, held[0].ExpiresAt)
		}
	}

	// A seat another cart holds is refused; released by its holder, it is free again.
	seat := granted[0]
	if _, err := click("other", 10, now, seat); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("taken seat: %v, want a conflict", err)
	}
	if rel, err := c.Release(ctx, s.ShowtimeID, "other", []int64{seat}); err != nil || len(rel) != 0 {
		t.Fatalf("another cart released %v (%v)", rel, err)
	}
	if rel, err := c.Release(ctx, s.ShowtimeID, "greedy", []int64{seat, s.SeatIDs[150]}); err != nil || !slices.Equal(rel, []int64{seat}) {
		t.Fatalf("released %v (%v), want [%d]", rel, err, seat)
	}
	if res, err := click("other", 10, now, seat); err != nil || !slices.Equal(res.Granted, []int64{seat}) {
		t.Fatalf("released seat: %v %v", res, err)
	}

	// Once the holds ran out, another cart takes the seats in the same statement.
	later := now.Add(11 * time.Minute)
	for _, sid := range granted[1:] {
		if _, err := click("late", 10, later, sid); err != nil {
			t.Fatalf("expired hold of seat %d not re-taken: %v", sid, err)
		}
	}

	// A caller that gave up gets its context's error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Hold(cctx, db.Hold{ShowtimeID: s.ShowtimeID, CartID: "gone", SeatIDs: []int64{s.SeatIDs[199]},
		Now: now, Until: now.Add(time.Minute), Max: 10}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled click: %v", err)
	}

	// Stopped, it answers at once with an error.
	c.Close()
	done := make(chan error, 1)
	go func() { _, err := click("after", 10, now, s.SeatIDs[198]); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a stopped claimer granted a seat")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a stopped claimer left a click waiting")
	}
}

// TestClaimerChurn is the booking rush through the production claimer: 64
// carts click seats of a 30-seat block and give back their oldest once they
// hold 3, all at once. A seat granted to two carts would show: the loser's
// release would give nothing back (it deletes only its own hold), or the
// holds left at the end would not be the ones the carts think they have.
func TestClaimerChurn(t *testing.T) {
	e := newClaimerEnv(t)
	block := e.s.SeatIDs[50:80]
	ctx := context.Background()
	var wg sync.WaitGroup
	kept := make([][]int64, 64)
	for g := range kept {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cart := "churn-" + strconv.Itoa(g)
			var held []int64
			for i := range 60 {
				seat := block[(g*7+i*13)%len(block)]
				res, err := e.c.Hold(ctx, e.click(e.s.ShowtimeID, cart, 10, e.now, seat))
				switch {
				case err == nil && slices.Equal(res.Granted, []int64{seat}):
					held = append(held, seat)
				case booking.ErrorCode(err) == booking.ECONFLICT:
				default:
					t.Errorf("%s, seat %d: got %v, %v", cart, seat, res.Granted, err)
					return
				}
				if len(held) == 3 {
					got, err := e.c.Release(ctx, e.s.ShowtimeID, cart, held[:1])
					if err != nil || !slices.Equal(got, held[:1]) {
						t.Errorf("%s gave back seat %d: released %v, %v", cart, held[0], got, err)
						return
					}
					held = held[1:]
				}
			}
			kept[g] = held
		}()
	}
	wg.Wait()
	want := map[int64]string{}
	for g, held := range kept {
		for _, seat := range held {
			if other, ok := want[seat]; ok {
				t.Errorf("seat %d held by %s and churn-%d", seat, other, g)
			}
			want[seat] = "churn-" + strconv.Itoa(g)
		}
	}
	got := map[int64]string{}
	for _, cl := range mustClaims(t, e.d, e.s.ShowtimeID) {
		got[cl.SeatID] = cl.CartID
	}
	if !maps.Equal(got, want) {
		t.Errorf("holds left %v, carts think %v", got, want)
	}
}

// TestClaimerOneBatch runs releases and holds that queued together: a seat
// released in the batch goes to the hold that wanted it, and a cart at its
// limit that gives one seat back and takes another gets it — the holds wait
// for the statement after the release.
func TestClaimerOneBatch(t *testing.T) {
	e := newClaimerEnv(t)
	d, s, c := e.d, e.s, e.c
	ctx := context.Background()
	hold := func(cart string, seat int64) db.Hold { return e.click(s.ShowtimeID, cart, 2, e.now, seat) }
	x, y, z, w := s.SeatIDs[0], s.SeatIDs[1], s.SeatIDs[2], s.SeatIDs[3]
	for _, h := range []db.Hold{hold("a", x), hold("full", y), hold("full", z)} {
		if _, err := c.Hold(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	released, got, errs := c.RunTogether(ctx,
		[]db.ReleaseArgs{{s.ShowtimeID, "a", []int64{x}}, {s.ShowtimeID, "full", []int64{y}}},
		[]db.Hold{hold("b", x), hold("full", w), hold("other", y)})
	if !slices.Equal(released[0], []int64{x}) || !slices.Equal(released[1], []int64{y}) {
		t.Fatalf("released %v, want [[%d] [%d]]", released, x, y)
	}
	for i, want := range []int64{x, w, y} {
		if errs[i] != nil || !slices.Equal(got[i].Granted, []int64{want}) {
			t.Errorf("hold %d: got %v, %v; want seat %d", i, got[i].Granted, errs[i], want)
		}
	}
	holders := map[int64]string{}
	for _, cl := range mustClaims(t, d, s.ShowtimeID) {
		holders[cl.SeatID] = cl.CartID
	}
	if want := map[int64]string{x: "b", y: "other", z: "full", w: "full"}; !maps.Equal(holders, want) {
		t.Errorf("holders %v, want %v", holders, want)
	}
}

// TestClaimerBadClick: a click the database rejects (here: for a showtime
// that doesn't exist, as when one is deleted while someone clicks) fails
// alone; the other clicks of its batch are answered as if it weren't there.
func TestClaimerBadClick(t *testing.T) {
	e := newClaimerEnv(t)
	s, c := e.s, e.c
	ctx := context.Background()
	hold := func(show int64, cart string, seat int64) db.Hold { return e.click(show, cart, 5, e.now, seat) }
	if _, err := c.Hold(ctx, hold(s.ShowtimeID, "a", s.SeatIDs[0])); err != nil {
		t.Fatal(err)
	}
	released, got, errs := c.RunTogether(ctx, []db.ReleaseArgs{{s.ShowtimeID, "a", []int64{s.SeatIDs[0]}}}, []db.Hold{
		hold(s.ShowtimeID, "b", s.SeatIDs[1]), hold(s.ShowtimeID+1000, "c", s.SeatIDs[2]),
		hold(s.ShowtimeID, "d", s.SeatIDs[3]), hold(s.ShowtimeID, "e", s.SeatIDs[4]),
	})
	if !slices.Equal(released[0], []int64{s.SeatIDs[0]}) {
		t.Errorf("released %v, want [%d]", released[0], s.SeatIDs[0])
	}
	for i, want := range []int64{s.SeatIDs[1], 0, s.SeatIDs[3], s.SeatIDs[4]} {
		switch {
		case want == 0 && errs[i] == nil:
			t.Errorf("hold %d for a missing showtime: granted %v", i, got[i].Granted)
		case want != 0 && (errs[i] != nil || !slices.Equal(got[i].Granted, []int64{want})):
			t.Errorf("hold %d: got %v, %v; want seat %d", i, got[i].Granted, errs[i], want)
		}
	}
}

func mustClaims(t *testing.T, d *db.DB, showtimeID int64) []booking.Claim {
	t.Helper()
	cl, err := d.Claims(context.Background(), showtimeID)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// TestClaimerPlans checks the plan PostgreSQL uses for the click batches once
// it switches the prepared statement to a generic plan (after five runs, with
// whatever statistics it has — on a new table, "empty"): each request must
// find its cart's holds and its seat's claim through an index lookup, never by
// reading or hashing the whole table (which, between two vacuums, also means
// every dead hold of the rush).
func TestClaimerPlans(t *testing.T) {
	d := dbtest.New(t, booking.NewManualClock(start.Add(-time.Hour)))
	ctx := context.Background()
	tx, err := dbtest.SQL(t, d).BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	defer tx.ExecContext(ctx, `DEALLOCATE plan_batch`) // PREPARE outlives the transaction
	if _, err := tx.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `PREPARE plan_batch (int[], bigint[], text[], bigint[],
		int[], bigint[], text[], bigint[], text[], timestamptz[], timestamptz[], int[]) AS `+db.BatchSQL); err != nil {
		t.Fatal(err)
	}
	var lines []string
	if err := tx.SelectContext(ctx, &lines, `EXPLAIN (COSTS OFF) EXECUTE plan_batch ('{0}', '{1}', '{a}', '{4}',
		'{0,1}', '{1,1}', '{b,c}', '{5,6}', '{adult,adult}', array[now(), now()], array[now(), now()], '{10,10}')`); err != nil {
		t.Fatal(err)
	}
	plan := strings.Join(lines, "\n")
	for _, bad := range []string{"Seq Scan on seat_claims", "Bitmap Heap Scan on seat_claims"} {
		if strings.Contains(plan, bad) {
			t.Errorf("generic plan reads the whole table (%s):\n%s", bad, plan)
		}
	}
	// The cart's count: both keys in the index condition; the release: the
	// listed showtimes' holds at most.
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`Index Cond: \(\(showtime_id = r_\d+\.showtime_id\) AND \(cart_id = r_\d+\.cart_id\)\)`),
		regexp.MustCompile(`Index Cond: \(showtime_id = ANY \(\$2\)\)`),
	} {
		if !want.MatchString(plan) {
			t.Errorf("generic plan lacks %s:\n%s", want, plan)
		}
	}
}
