package handlers

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"marquee/booking"
	"marquee/internal/testutil"
	"marquee/sales"
	"marquee/views"
)

// The map rendered once per snapshot (in its memo slot) is, byte for byte,
// the map rendered for the states of any viewer who is offered it, at any
// instant: claims that run out in between, carts' own holds live or expired.
// (Moved from the seat cache's TestSeatStatesSharedViewMatchesPerSeat; the
// sales side of it — which viewers share the public states — stays there.)
func TestSharedSeatMapRendering(t *testing.T) {
	seats := testutil.GridSeats(40)
	l := booking.NewLayout(seats)
	base := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	carts := []string{"", "cart-a", "cart-b", "cart-c"}
	rnd := rand.New(rand.NewPCG(1, 2))
	show := &sales.Show{Layout: l}
	m, err := seatMapOf(show)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := seatMapOf(show); again != m {
		t.Fatal("the seat map was rendered again for the same Show")
	}
	shared := 0
	for round := range 200 {
		claims := testutil.RandomClaims(rnd, seats, carts, base)
		first := base.Add(time.Duration(rnd.IntN(60)-30) * time.Second)
		viewAt := sales.ViewsOf(show, claims, booking.Settings{}) // one snapshot: its rendering is served to every viewer offered it
		for _, at := range []time.Time{first, first.Add(-time.Second), first.Add(time.Second), first.Add(45 * time.Second), base.Add(2 * time.Minute)} {
			for _, cart := range carts {
				v := viewAt(cart, at)
				want := make([]booking.SeatState, len(l.Seats))
				for _, cl := range claims {
					i, _ := l.Index(cl.SeatID)
					want[i] = cl.StateFor(cart, at)
				}
				r := sharedMapHTML(v, m)
				if r == nil {
					continue
				}
				shared++
				for _, list := range []bool{false, true} {
					var buf bytes.Buffer
					c := views.SeatRows(m.smap, want)
					if list {
						c = views.SeatList(m.smap, want)
					}
					if err := c.Render(context.Background(), &buf); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(r.Bytes(list), buf.Bytes()) {
						t.Fatalf("round %d, cart %q: shared rendering differs", round, cart)
					}
				}
			}
		}
	}
	if shared == 0 {
		t.Fatal("no viewer was offered the shared rendering")
	}
}
