package booking

import "math"

// BestSeats picks n free seats for a new booking, of a kind "best seats" may
// pick (standard or premium):
//
//   - all together when it can: in one row, next to each other (consecutive
//     X, so never across an aisle);
//   - else, for four or more, split in two blocks as equal as can be (5 + 5
//     for 10) in neighbouring rows, one behind the other.
//
// Among blocks it prefers, in this order:
//
//  1. blocks that leave no single empty seat stranded between the block and a
//     taken seat (when some block can avoid it);
//  2. blocks closest to the ideal spot: horizontally centred, in the middle
//     rows (slightly behind the middle, where the picture is best);
//  3. front-to-back then left-to-right, so the answer is deterministic.
//
// taken reports whether a seat id is not free. It returns nil when there is
// no such choice.
func BestSeats(l *Layout, taken func(seatID int64) bool, n int) []Seat {
	if n <= 0 || l == nil || len(l.Seats) == 0 {
		return nil
	}
	p := newPicker(l)
	if b, ok := p.best(taken, n); ok {
		return p.seats(b)
	}
	if n >= 4 { // two and three stay together or are refused: a pair split apart isn't "best seats"
		if a, b, ok := p.bestPair(taken, n); ok {
			return append(p.seats(a), p.seats(b)...)
		}
	}
	return nil
}

// BestTogether is BestSeats limited to one block: nil when no row has n free
// seats together.
func BestTogether(l *Layout, taken func(seatID int64) bool, n int) []Seat {
	if n <= 0 || l == nil || len(l.Seats) == 0 {
		return nil
	}
	p := newPicker(l)
	if b, ok := p.best(taken, n); ok {
		return p.seats(b)
	}
	return nil
}

// picker finds blocks of free seats in a layout.
type picker struct {
	rows           [][]Seat
	centreX, width float64
	idealY, height float64
}

// block is n seats together: row index, index of the first seat in the row.
type block struct {
	row, start, n int
	strands       int
	centreX       float64 // X of the block's middle
	dist          float64 // from the ideal spot, normalised
}

func newPicker(l *Layout) *picker {
	return &picker{
		rows:    l.Rows(),
		centreX: float64(l.MinX+l.MaxX) / 2,
		width:   math.Max(1, float64(l.MaxX-l.MinX)),
		idealY:  float64(l.MinY) + 0.65*float64(l.MaxY-l.MinY),
		height:  math.Max(1, float64(l.MaxY-l.MinY)),
	}
}

func (p *picker) seats(b block) []Seat {
	return append([]Seat(nil), p.rows[b.row][b.start:b.start+b.n]...)
}

// blocks calls yield for every block of n free seats together in row ri.
func (p *picker) blocks(ri int, taken func(int64) bool, n int, yield func(block)) {
	row := p.rows[ri]
	free := make([]bool, len(row))
	for i, s := range row {
		free[i] = Bookable(s.Kind) && !taken(s.ID)
	}
	// adjacent(i) says row[i] and row[i+1] are physically next to each other.
	adjacent := func(i int) bool { return i+1 < len(row) && row[i+1].X == row[i].X+1 }
	for start := 0; start+n <= len(row); start++ {
		ok := true
		for i := start; i < start+n; i++ {
			if !free[i] || (i < start+n-1 && !adjacent(i)) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		end := start + n - 1
		b := block{row: ri, start: start, n: n}
		b.strands = stranded(row, free, taken, start-1, -1) + stranded(row, free, taken, end+1, +1)
		b.centreX = float64(row[start].X+row[end].X) / 2
		dx := (b.centreX - p.centreX) / p.width
		dy := (float64(row[0].Y) - p.idealY) / p.height
		b.dist = math.Sqrt(dx*dx + 1.2*dy*dy)
		yield(b)
	}
}

// better orders candidates: fewer stranded seats, then nearer the ideal spot;
// on a tie the one seen first (front to back, left to right) wins.
func better(strands int, dist float64, bestStrands int, bestDist float64) bool {
	if strands != bestStrands {
		return strands < bestStrands
	}
	return dist < bestDist-1e-9
}

// best is the best block of n together.
func (p *picker) best(taken func(int64) bool, n int) (block, bool) {
	var best block
	found := false
	for ri := range p.rows {
		p.blocks(ri, taken, n, func(b block) {
			if !found || better(b.strands, b.dist, best.strands, best.dist) {
				best, found = b, true
			}
		})
	}
	return best, found
}

// bestPair is the best split of n into two blocks of ⌈n/2⌉ and ⌊n/2⌋ seats in
// neighbouring rows, one behind the other: their middles at most a seat or
// two apart, so the group sits as one.
func (p *picker) bestPair(taken func(int64) bool, n int) (block, block, bool) {
	big, small := (n+1)/2, n/2
	var bestA, bestB block
	found := false
	for ri := 0; ri+1 < len(p.rows); ri++ {
		for _, sizes := range [][2]int{{big, small}, {small, big}} {
			var front, back []block
			p.blocks(ri, taken, sizes[0], func(b block) { front = append(front, b) })
			p.blocks(ri+1, taken, sizes[1], func(b block) { back = append(back, b) })
			for _, a := range front {
				for _, b := range back {
					if math.Abs(a.centreX-b.centreX) > 1.5 {
						continue
					}
					// Each block's distance weighs by its seats: the bigger block takes the better row.
					strands, dist := a.strands+b.strands, (a.dist*float64(a.n)+b.dist*float64(b.n))/float64(n)
					if !found || better(strands, dist, bestA.strands+bestB.strands,
						(bestA.dist*float64(bestA.n)+bestB.dist*float64(bestB.n))/float64(n)) {
						bestA, bestB, found = a, b, true
					}
				}
			}
			if big == small {
				break
			}
		}
	}
	return bestA, bestB, found
}

// stranded reports (1 or 0) whether the seat at row[i], the neighbour of a
// block on the side dir, would be left as a single free seat between the block
// and a taken seat.
func stranded(row []Seat, free []bool, taken func(int64) bool, i, dir int) int {
	if i < 0 || i >= len(row) || !free[i] {
		return 0
	}
	// Must be physically next to the block.
	if row[i-dir].X != row[i].X-dir {
		return 0
	}
	j := i + dir
	if j < 0 || j >= len(row) || row[j].X != row[i].X+dir {
		return 0 // an aisle or the wall: a single seat there is still easy to sell
	}
	if taken(row[j].ID) {
		return 1
	}
	return 0
}
