package booking

import "math"

// BestSeats picks n seats together for a new booking: all in one row, next to
// each other (consecutive X, so never across an aisle), free, and of a kind
// "best seats" may pick (standard or premium). Among the candidates it
// prefers, in this order:
//
//  1. blocks that leave no single empty seat stranded between the block and a
//     taken seat (when some block can avoid it);
//  2. blocks closest to the ideal spot: horizontally centred, in the middle
//     rows (slightly behind the middle, where the picture is best);
//  3. front-to-back then left-to-right, so the answer is deterministic.
//
// taken reports whether a seat id is not free. It returns nil when no row has
// n free seats together.
func BestSeats(l *Layout, taken func(seatID int64) bool, n int) []Seat {
	if n <= 0 || l == nil || len(l.Seats) == 0 {
		return nil
	}
	centreX := float64(l.MinX+l.MaxX) / 2
	width := math.Max(1, float64(l.MaxX-l.MinX))
	idealY := float64(l.MinY) + 0.65*float64(l.MaxY-l.MinY)
	height := math.Max(1, float64(l.MaxY-l.MinY))

	type candidate struct {
		row, start int // index into rows, index of first seat in the row
		strands    int
		dist       float64
	}
	var best *candidate
	better := func(c candidate) bool {
		if best == nil {
			return true
		}
		if c.strands != best.strands {
			return c.strands < best.strands
		}
		if math.Abs(c.dist-best.dist) > 1e-9 {
			return c.dist < best.dist
		}
		return false // earlier rows and seats were seen first
	}
	rows := l.Rows()
	for ri, row := range rows {
		free := make([]bool, len(row))
		for i, s := range row {
			free[i] = Bookable(s.Kind) && !taken(s.ID)
		}
		// adjacent[i] says row[i] and row[i+1] are physically next to each other.
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
			c := candidate{row: ri, start: start}
			c.strands = stranded(row, free, taken, start-1, -1) + stranded(row, free, taken, end+1, +1)
			bx := float64(row[start].X+row[end].X) / 2
			dx := (bx - centreX) / width
			dy := (float64(row[0].Y) - idealY) / height
			c.dist = math.Sqrt(dx*dx + 1.2*dy*dy)
			if better(c) {
				cc := c
				best = &cc
			}
		}
	}
	if best == nil {
		return nil
	}
	return append([]Seat(nil), rows[best.row][best.start:best.start+n]...)
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
