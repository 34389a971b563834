package booking

import (
	"fmt"
	"strings"
	"testing"
)

// grid builds a layout from a picture: one string per row, front row first.
// '.' is a free seat, 'x' a taken one, 'w' a wheelchair space, 'c' a companion
// seat, 'p' a premium seat, ' ' an aisle or gap. Seat ids are y*100+x+1.
func grid(rows ...string) (*Layout, func(int64) bool) {
	var seats []Seat
	taken := map[int64]bool{}
	for y, r := range rows {
		n := 0
		for x, ch := range r {
			if ch == ' ' {
				continue
			}
			n++
			s := Seat{ID: int64(y*100 + x + 1), Row: string(rune('A' + y)), Number: n, X: x, Y: y, Kind: SeatStandard}
			switch ch {
			case 'x':
				taken[s.ID] = true
			case 'w':
				s.Kind = SeatWheelchair
			case 'c':
				s.Kind = SeatCompanion
			case 'p':
				s.Kind = SeatPremium
			}
			seats = append(seats, s)
		}
	}
	return NewLayout(seats), func(id int64) bool { return taken[id] }
}

func labels(ss []Seat) string {
	var b []string
	for _, s := range ss {
		b = append(b, fmt.Sprintf("%s%d", s.Row, s.Number))
	}
	return strings.Join(b, " ")
}

func TestBestSeats(t *testing.T) {
	tests := []struct {
		name string
		rows []string
		n    int
		want string
	}{
		{"centre of the middle row in an empty room",
			[]string{"..........", "..........", "..........", "..........", ".........."}, 2,
			"D5 D6"},
		{"odd quantity is centred",
			[]string{".........", ".........", ".........", ".........", "........."}, 3,
			"D4 D5 D6"},
		{"never across an aisle",
			[]string{"....  ....", "....  ....", "....  ....", "....  ....", "....  ...."}, 2,
			"D3 D4"}, // x=2,3 (left section, next to the aisle) ties with x=6,7: the left one is seen first
		{"block wider than a section goes elsewhere",
			[]string{"...  ......", "...  ......", "...  ......"}, 5,
			"B4 B5 B6 B7 B8"},
		{"taken centre pushes to the nearer side",
			[]string{"..xxxx...."}, 2,
			"A7 A8"},
		{"a fuller good row loses to a free row next to it",
			[]string{"..........", "..........", "..........", "...xxxx...", ".........."}, 2,
			"C5 C6"},
		{"avoid leaving one seat between the block and a taken seat",
			// The centred pair x=4,5 would strand x=3 next to the taken x=2.
			[]string{"..x......."}, 2,
			"A4 A5"},
		{"stranding allowed when unavoidable",
			[]string{"x...x"}, 2,
			"A2 A3"},
		{"wheelchair and companion places are not picked",
			[]string{"...wc...", "...wc..."}, 2,
			"B2 B3"},
		{"premium seats are fine",
			[]string{"pppp", "pppp"}, 2,
			"B2 B3"},
		{"none together",
			[]string{".x.x.x", "x.x.x."}, 2,
			""},
		{"all seats",
			[]string{"...", "..."}, 3,
			"B1 B2 B3"},
		{"quantity larger than any row: two and two, one behind the other",
			[]string{"...", "..."}, 4,
			"A1 A2 B1 B2"},
		{"ten in rows of eight: five and five in the middle rows",
			[]string{"........", "........", "........", "........", "........"}, 10,
			"C2 C3 C4 C5 C6 D2 D3 D4 D5 D6"},
		{"an odd group splits five and four",
			[]string{"........", "........", "........"}, 9,
			"B2 B3 B4 B5 B6 C3 C4 C5 C6"},
		{"blocks too far apart sideways are not a split",
			[]string{"xxxx....", "....xxxx"}, 8,
			""},
		{"three are never split",
			[]string{"..x..", "..x.."}, 3,
			""},
		{"no room for the group",
			[]string{"...", "..."}, 7,
			""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, taken := grid(tt.rows...)
			got := labels(BestSeats(l, taken, tt.n))
			if got != tt.want {
				t.Fatalf("BestSeats(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}

func TestBestSeatsAvoidsSingleGapNextToTaken(t *testing.T) {
	// In a single row with one taken seat at 3, a pair at 4-5 or 5-6… The pair
	// 5-6 would strand seat 4 between the taken 3 and the block: avoid it.
	l, taken := grid("..x.......")
	got := BestSeats(l, taken, 2)
	if len(got) != 2 {
		t.Fatalf("got %v", got)
	}
	if got[0].X == 4 {
		t.Fatalf("picked %s, which strands the seat at x=3", labels(got))
	}
}

func TestBestSeatsInvariants(t *testing.T) {
	// A 200-seat room with pseudo-random taken seats: whatever is returned is
	// free, bookable, in one row, contiguous and of the right size.
	rows := make([]string, 10)
	for y := range rows {
		rows[y] = strings.Repeat(".", 4) + "  " + strings.Repeat(".", 12) + "  " + strings.Repeat(".", 4)
	}
	l, _ := grid(rows...)
	seed := uint32(7)
	for round := 0; round < 200; round++ {
		taken := map[int64]bool{}
		for _, s := range l.Seats {
			seed = seed*1664525 + 1013904223
			if seed%100 < uint32(round%90) {
				taken[s.ID] = true
			}
		}
		for n := 1; n <= 10; n++ {
			got := BestSeats(l, func(id int64) bool { return taken[id] }, n)
			if got == nil {
				continue
			}
			if len(got) != n {
				t.Fatalf("round %d n %d: %d seats", round, n, len(got))
			}
			together := BestTogether(l, func(id int64) bool { return taken[id] }, n) != nil
			// Together when a block exists; else two blocks in neighbouring rows.
			blocks := 1
			for i, s := range got {
				if taken[s.ID] || !Bookable(s.Kind) {
					t.Fatalf("round %d: seat %s not free", round, s.Label())
				}
				if i > 0 && (s.Y != got[i-1].Y || s.X != got[i-1].X+1) {
					blocks++
					if together || blocks > 2 || s.Y != got[i-1].Y+1 || n < 4 {
						t.Fatalf("round %d n %d: not the right blocks: %s", round, n, labels(got))
					}
				}
			}
		}
	}
}

func TestCompanionOf(t *testing.T) {
	l, _ := grid("..wc..", ".cw...", "..w...")
	w := func(y int) Seat {
		for _, s := range l.Seats {
			if s.Y == y && s.Kind == SeatWheelchair {
				return s
			}
		}
		t.Fatal("no wheelchair")
		return Seat{}
	}
	if c, ok := l.CompanionOf(w(0)); !ok || c.X != 3 {
		t.Fatalf("row A: %v %v", c, ok)
	}
	if c, ok := l.CompanionOf(w(1)); !ok || c.X != 1 {
		t.Fatalf("row B: %v %v", c, ok)
	}
	if _, ok := l.CompanionOf(w(2)); ok {
		t.Fatal("row C has no companion")
	}
}
