package sales

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"marquee/booking"
	"marquee/internal/testutil"
)

// The shared per-snapshot view (states) gives every viewer exactly what
// working out each seat's state for them gives (statesAt), at any instant:
// claims that run out in between, sales, carts' own holds live or expired.
// Its memo slot (the shared rendering, handlers) is offered exactly to the
// viewers who see those shared states. (That the rendering is the map
// rendered for the states is handlers' TestSharedSeatMapRendering.)
func TestSeatStatesSharedViewMatchesPerSeat(t *testing.T) {
	seats := testutil.GridSeats(40)
	l := booking.NewLayout(seats)
	base := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	carts := []string{"", "cart-a", "cart-b", "cart-c"}
	rnd := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		claims := newSeatClaims(l)
		for _, cl := range testutil.RandomClaims(rnd, seats, carts, base) {
			claims.set(cl)
		}
		snap := &seatSnapshot{static: &Show{Layout: l}, claims: claims}
		first := base.Add(time.Duration(rnd.IntN(60)-30) * time.Second)
		for _, at := range []time.Time{first, first.Add(-time.Second), first.Add(time.Second), first.Add(45 * time.Second), base.Add(2 * time.Minute)} {
			for _, cart := range carts {
				gotS, gotM, gotE := snap.states(cart, at)
				wantS, wantM, wantE := snap.statesAt(cart, at)
				if !slices.Equal(gotS, wantS) || !slices.EqualFunc(gotM, wantM, sameClaim) || !slices.EqualFunc(gotE, wantE, sameClaim) {
					t.Fatalf("round %d, cart %q at %v: shared view differs from per-seat states", round, cart, at)
				}
				m := snap.shared(gotS)
				if shared := len(gotS) > 0 && &gotS[0] == &snap.pub.states[0]; (m != nil) != shared {
					t.Fatalf("round %d, cart %q: memo offered %v, states shared %v", round, cart, m != nil, shared)
				}
			}
		}
	}
}

func sameClaim(a, b booking.Claim) bool {
	return a.SeatID == b.SeatID && a.CartID == b.CartID && a.OrderID == b.OrderID && a.TicketType == b.TicketType &&
		(a.ExpiresAt == nil) == (b.ExpiresAt == nil) && (a.ExpiresAt == nil || a.ExpiresAt.Equal(*b.ExpiresAt))
}

// A copy of a snapshot's claims shares its chunks until it writes: writes to
// the copy never show in the original, and the copy sees its own writes.
func TestSeatClaimsCopyOnWrite(t *testing.T) {
	var seats []booking.Seat
	for i := range 70 { // three chunks, the last one partly used
		seats = append(seats, booking.Seat{ID: int64(500 + i), Row: "A", Number: i + 1, X: i, Kind: booking.SeatStandard})
	}
	orig := newSeatClaims(booking.NewLayout(seats))
	for _, s := range seats[:40] {
		orig.set(booking.Claim{SeatID: s.ID, CartID: "a"})
	}
	cp := orig.clone()
	cp.free(seats[0].ID)
	cp.set(booking.Claim{SeatID: seats[69].ID, CartID: "b"})
	cp.set(booking.Claim{SeatID: seats[1].ID, CartID: "b"})
	cp.set(booking.Claim{SeatID: 9999, CartID: "b"}) // not in the layout: ignored
	want := func(c seatClaims, seatID int64, cart string) {
		t.Helper()
		cl, ok := c.get(seatID)
		if ok != (cart != "") || cl.CartID != cart {
			t.Errorf("seat %d: got %q (%v), want %q", seatID, cl.CartID, ok, cart)
		}
	}
	want(orig, seats[0].ID, "a")
	want(orig, seats[1].ID, "a")
	want(orig, seats[69].ID, "")
	want(cp, seats[0].ID, "")
	want(cp, seats[1].ID, "b")
	want(cp, seats[2].ID, "a")
	want(cp, seats[69].ID, "b")
	want(cp, 9999, "")
	n := 0
	for i, cl := range cp.all() {
		if cl.SeatID != 0 && cl.SeatID != seats[i].ID {
			t.Fatalf("index %d holds seat %d, want %d", i, cl.SeatID, seats[i].ID)
		}
		if cl.SeatID != 0 {
			n++
		}
	}
	if n != 40 {
		t.Errorf("copy has %d claims, want 40", n)
	}
}
