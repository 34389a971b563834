package booking

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// A seat layout as a file: CSV, one seat a line, with a header naming the
// columns (any order; zone may be left out):
//
//	row,number,x,y,kind,zone
//	A,1,0,0,wheelchair,
//	A,2,1,0,companion,
//	A,3,3,0,standard,stalls
//
// x is the column (0 = leftmost, seen from the seats facing the screen), y the
// line (0 = nearest the screen); a place without a seat is a gap or an aisle.
// Lines starting with # are comments. The manager's editor saves this format
// too, so import, editor and export go through one parser and one validator.

// Layout limits.
const (
	MaxLayoutCols  = 80
	MaxLayoutLines = 50
	MaxLayoutSeats = 2000
	maxZoneLen     = 24
)

// LayoutColumns are the columns of an exported layout, in order.
var LayoutColumns = []string{"row", "number", "x", "y", "kind", "zone"}

// LayoutProblem is one reason a layout is refused: the line of the file (0
// when it concerns the whole layout) and what is wrong, in words.
type LayoutProblem struct {
	Line   int
	Reason string
}

func (p LayoutProblem) String() string {
	if p.Line == 0 {
		return p.Reason
	}
	return fmt.Sprintf("Line %d: %s", p.Line, p.Reason)
}

// LayoutProblemsError is the EINVALID error for a refused layout: its message
// names the first problem and how many more there are.
func LayoutProblemsError(problems []LayoutProblem) *Error {
	msg := "The layout was not saved. " + problems[0].String()
	if n := len(problems) - 1; n > 0 {
		msg += " (and " + plural(n, "more problem") + ")"
	}
	return Invalid("layout", "%s", msg)
}

// maxProblems bounds the problems reported for one file.
const maxProblems = 50

// ParseLayoutCSV reads a layout file and validates it whole. It returns the
// seats (in file order, without ids) or the problems; a layout with problems
// must not be saved, not even in part.
func ParseLayoutCSV(r io.Reader) ([]Seat, []LayoutProblem) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	var problems []LayoutProblem
	add := func(line int, format string, args ...any) {
		if len(problems) < maxProblems {
			problems = append(problems, LayoutProblem{Line: line, Reason: fmt.Sprintf(format, args...)})
		}
	}
	col := map[string]int{}
	var seats []Seat
	var lines []int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				add(pe.Line, "this isn't valid CSV (%v)", pe.Err)
			} else {
				add(0, "The file can't be read.")
			}
			break
		}
		line, _ := cr.FieldPos(0)
		if len(col) == 0 {
			if p := readHeader(rec, col); p != "" {
				add(line, "%s", p)
				return nil, problems
			}
			continue
		}
		if len(seats) >= MaxLayoutSeats {
			add(line, "a layout has at most %d seats", MaxLayoutSeats)
			break
		}
		if len(rec) != len(col) && !(len(rec) == len(col)-1 && col["zone"] == len(col)-1) {
			add(line, "expected %d fields (%s), found %d", len(col), headerNames(col), len(rec))
			continue
		}
		field := func(name string) string {
			i, ok := col[name]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		s, reason := parseSeat(field("row"), field("number"), field("x"), field("y"), field("kind"), field("zone"))
		if reason != "" {
			add(line, "%s", reason)
			continue
		}
		seats = append(seats, s)
		lines = append(lines, line)
	}
	if len(col) == 0 && len(problems) == 0 {
		add(0, "The file is empty: it needs a header line (%s) and a line per seat.", strings.Join(LayoutColumns, ","))
		return nil, problems
	}
	for _, p := range checkLayout(seats, lines) {
		add(p.Line, "%s", p.Reason)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return seats, nil
}

// readHeader maps column names to positions; it returns a problem in words.
func readHeader(rec []string, col map[string]int) string {
	for i, f := range rec {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(f, "\ufeff")))
		if !slices.Contains(LayoutColumns, name) {
			clear(col)
			return fmt.Sprintf("the first line must name the columns (%s); %q isn't one of them", strings.Join(LayoutColumns, ","), name)
		}
		if _, dup := col[name]; dup {
			clear(col)
			return fmt.Sprintf("the column %q is named twice", name)
		}
		col[name] = i
	}
	for _, need := range LayoutColumns[:5] {
		if _, ok := col[need]; !ok {
			clear(col)
			return fmt.Sprintf("the first line must name the columns (%s); %q is missing", strings.Join(LayoutColumns, ","), need)
		}
	}
	return ""
}

func headerNames(col map[string]int) string {
	names := make([]string, len(col))
	for n, i := range col {
		names[i] = n
	}
	return strings.Join(names, ",")
}

// parseSeat checks one seat's fields; it returns a problem in words.
func parseSeat(row, number, x, y, kind, zone string) (Seat, string) {
	var s Seat
	s.Row = strings.ToUpper(row)
	if !validRowLabel(s.Row) {
		return s, fmt.Sprintf("row %q: a row is named by 1 to 3 letters (A, B … AA)", row)
	}
	n, err := strconv.Atoi(number)
	if err != nil || n < 1 || n > 999 {
		return s, fmt.Sprintf("seat number %q: a whole number from 1 to 999", number)
	}
	s.Number = n
	if s.X, err = strconv.Atoi(x); err != nil || s.X < 0 || s.X >= MaxLayoutCols {
		return s, fmt.Sprintf("x %q: a column from 0 to %d", x, MaxLayoutCols-1)
	}
	if s.Y, err = strconv.Atoi(y); err != nil || s.Y < 0 || s.Y >= MaxLayoutLines {
		return s, fmt.Sprintf("y %q: a line from 0 to %d", y, MaxLayoutLines-1)
	}
	s.Kind = strings.ToLower(kind)
	if !slices.Contains(SeatKinds, s.Kind) {
		return s, fmt.Sprintf("unknown seat kind %q: use %s", kind, strings.Join(SeatKinds, ", "))
	}
	s.Zone = strings.ToLower(zone)
	if !validZone(s.Zone) {
		return s, fmt.Sprintf("zone %q: up to %d letters, digits, '-' or '_'", zone, maxZoneLen)
	}
	return s, ""
}

func validRowLabel(r string) bool {
	if len(r) < 1 || len(r) > 3 {
		return false
	}
	for _, c := range r {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

func validZone(z string) bool {
	if len(z) > maxZoneLen {
		return false
	}
	for _, c := range z {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ValidateLayout checks a whole layout (seats without ids, as parsed): see
// checkLayout. The problems' lines are positions in seats, counted from 1.
func ValidateLayout(seats []Seat) []LayoutProblem {
	lines := make([]int, len(seats))
	for i := range lines {
		lines[i] = i + 1
	}
	var problems []LayoutProblem
	for i, s := range seats {
		if _, reason := parseSeat(s.Row, strconv.Itoa(s.Number), strconv.Itoa(s.X), strconv.Itoa(s.Y), s.Kind, s.Zone); reason != "" {
			problems = append(problems, LayoutProblem{Line: i + 1, Reason: reason})
		}
	}
	if len(problems) > 0 {
		return problems
	}
	return checkLayout(seats, lines)
}

// checkLayout checks what concerns several seats: at least one seat, no seat
// named twice, no two seats in one place, one row label per line and one
// line per row label, and every companion seat beside the one wheelchair
// space it belongs to (Layout.CompanionOf: directly right of it, else
// directly left, in the same row). lines are the seats' lines in the file.
func checkLayout(seats []Seat, lines []int) []LayoutProblem {
	var problems []LayoutProblem
	add := func(line int, format string, args ...any) {
		if len(problems) < maxProblems {
			problems = append(problems, LayoutProblem{Line: line, Reason: fmt.Sprintf(format, args...)})
		}
	}
	if len(seats) == 0 {
		add(0, "The layout has no seats.")
		return problems
	}
	type place struct{ x, y int }
	byLabel := map[string]int{}
	byPlace := map[place]int{}
	rowY := map[string]int{} // row label → index of its first seat
	yRow := map[int]int{}    // y → index of its first seat
	for i, s := range seats {
		label := s.Label()
		if j, ok := byLabel[label]; ok {
			add(lines[i], "seat %s is there twice (first on line %d)", label, lines[j])
			continue
		}
		byLabel[label] = i
		p := place{s.X, s.Y}
		if j, ok := byPlace[p]; ok {
			add(lines[i], "seat %s is in the same place (x %d, y %d) as seat %s on line %d", label, s.X, s.Y, seats[j].Label(), lines[j])
			continue
		}
		byPlace[p] = i
		if j, ok := rowY[s.Row]; ok && seats[j].Y != s.Y {
			add(lines[i], "seat %s is on line y %d, but row %s is on y %d (line %d)", label, s.Y, s.Row, seats[j].Y, lines[j])
			continue
		}
		if j, ok := yRow[s.Y]; ok && seats[j].Row != s.Row {
			add(lines[i], "seat %s is in row %s, but y %d is row %s (line %d)", label, s.Row, s.Y, seats[j].Row, lines[j])
			continue
		}
		rowY[s.Row], yRow[s.Y] = i, i
	}
	if len(problems) > 0 {
		return problems
	}
	// Companion seats: ids stand for positions in seats.
	withIDs := make([]Seat, len(seats))
	for i, s := range seats {
		s.ID = int64(i + 1)
		withIDs[i] = s
	}
	l := NewLayout(withIDs)
	owners := map[int64][]Seat{} // companion id → the wheelchair spaces it belongs to
	for _, s := range l.Seats {
		if c, ok := l.CompanionOf(s); ok {
			owners[c.ID] = append(owners[c.ID], s)
		}
	}
	for i, s := range seats {
		if s.Kind != SeatCompanion {
			continue
		}
		switch w := owners[int64(i+1)]; len(w) {
		case 0:
			add(lines[i], "companion seat %s has no wheelchair space directly beside it in its row", s.Label())
		case 1:
		default:
			add(lines[i], "companion seat %s is beside two wheelchair spaces (%s and %s); each needs its own companion seat", s.Label(), w[0].Label(), w[1].Label())
		}
	}
	return problems
}

// WriteLayoutCSV writes seats in the layout file format, front to back, left
// to right.
func WriteLayoutCSV(w io.Writer, seats []Seat) error {
	sorted := slices.Clone(seats)
	slices.SortFunc(sorted, func(a, b Seat) int {
		if a.Y != b.Y {
			return a.Y - b.Y
		}
		return a.X - b.X
	})
	cw := csv.NewWriter(w)
	if err := cw.Write(LayoutColumns); err != nil {
		return err
	}
	for _, s := range sorted {
		if err := cw.Write([]string{s.Row, strconv.Itoa(s.Number), strconv.Itoa(s.X), strconv.Itoa(s.Y), s.Kind, s.Zone}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SeatCounts counts seats by kind (the audit log's before and after).
func SeatCounts(seats []Seat) map[string]int {
	out := map[string]int{}
	for _, s := range seats {
		out[s.Kind]++
	}
	return out
}

// SellableCount is the number of seats that can be sold (the capacity).
func SellableCount(seats []Seat) int {
	n := 0
	for _, s := range seats {
		if Sellable(s.Kind) {
			n++
		}
	}
	return n
}

// StarterLayout is a new auditorium's first layout: rows of standard seats,
// A at the front, numbered from 1 left to right.
func StarterLayout(rows, perRow int) ([]Seat, error) {
	if rows < 1 || rows > 26 {
		return nil, Invalid("rows", "Between 1 and 26 rows.")
	}
	if perRow < 1 || perRow > MaxLayoutCols {
		return nil, Invalid("perRow", "Between 1 and %d seats a row.", MaxLayoutCols)
	}
	seats := make([]Seat, 0, rows*perRow)
	for y := range rows {
		for x := range perRow {
			seats = append(seats, Seat{Row: string(rune('A' + y)), Number: x + 1, X: x, Y: y, Kind: SeatStandard})
		}
	}
	return seats, nil
}
