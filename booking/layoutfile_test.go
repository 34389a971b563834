package booking

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseLayoutCSV(t *testing.T) {
	const header = "row,number,x,y,kind,zone\n"
	tests := []struct {
		name  string
		in    string
		seats int
		line  int    // of the first problem
		want  string // in the first problem's reason
	}{
		{name: "small", in: header + "A,1,0,0,wheelchair,\nA,2,1,0,companion,\nA,3,3,0,standard,stalls\nB,1,0,1,premium,vip\nB,2,1,1,blocked,\n", seats: 5},
		{name: "columns in any order, zone left out", in: "kind,y,x,number,row\nstandard,0,0,1,a\npremium,0,1,2,a\n", seats: 2},
		{name: "zone omitted at end of line", in: header + "A,1,0,0,standard\n", seats: 1},
		{name: "comments and blank lines", in: "# screen 1\n" + header + "\n# front\nA,1,0,0,standard,\n", seats: 1},
		{name: "spaces and case", in: header + " a , 1 , 0 , 0 , Standard , Front\n", seats: 1},
		{name: "byte order mark", in: "\ufeff" + header + "A,1,0,0,standard,\n", seats: 1},
		{name: "crlf", in: strings.ReplaceAll(header+"A,1,0,0,standard,\nA,2,1,0,standard,\n", "\n", "\r\n"), seats: 2},

		{name: "empty", in: "", line: 0, want: "empty"},
		{name: "header only", in: header, line: 0, want: "no seats"},
		{name: "no header", in: "A,1,0,0,standard,\n", line: 1, want: "first line must name the columns"},
		{name: "missing column", in: "row,number,x,kind\nA,1,0,standard\n", line: 1, want: `"y" is missing`},
		{name: "column twice", in: "row,number,x,y,kind,kind\n", line: 1, want: "named twice"},
		{name: "unknown kind", in: header + "A,1,0,0,standard,\nA,2,1,0,vip,\n", line: 3, want: `unknown seat kind "vip"`},
		{name: "duplicate seat", in: header + "A,1,0,0,standard,\nA,2,1,0,standard,\nA,1,2,0,standard,\n", line: 4, want: "seat A1 is there twice (first on line 2)"},
		{name: "duplicate place", in: header + "A,1,0,0,standard,\nA,2,0,0,standard,\n", line: 3, want: "same place (x 0, y 0) as seat A1"},
		{name: "companion without wheelchair", in: header + "A,1,0,0,standard,\nA,2,1,0,companion,\n", line: 3, want: "companion seat A2 has no wheelchair space"},
		{name: "companion across an aisle", in: header + "A,1,0,0,wheelchair,\nA,2,2,0,companion,\n", line: 3, want: "companion seat A2 has no wheelchair space"},
		{name: "companion in the row behind", in: header + "A,1,0,0,wheelchair,\nB,1,0,1,companion,\n", line: 3, want: "companion seat B1 has no wheelchair space"},
		{name: "companion shared by two spaces", in: header + "A,1,0,0,wheelchair,\nA,2,1,0,companion,\nA,3,2,0,wheelchair,\n", line: 3, want: "beside two wheelchair spaces (A1 and A3)"},
		{name: "row on two lines", in: header + "A,1,0,0,standard,\nA,2,1,1,standard,\n", line: 3, want: "row A is on y 0"},
		{name: "two rows on one line", in: header + "A,1,0,0,standard,\nB,1,1,0,standard,\n", line: 3, want: "y 0 is row A"},
		{name: "bad row", in: header + "A1,1,0,0,standard,\n", line: 2, want: "row \"A1\""},
		{name: "number zero", in: header + "A,0,0,0,standard,\n", line: 2, want: "seat number \"0\""},
		{name: "number not a number", in: header + "A,one,0,0,standard,\n", line: 2, want: "seat number \"one\""},
		{name: "x negative", in: header + "A,1,-1,0,standard,\n", line: 2, want: "x \"-1\""},
		{name: "x too far", in: header + "A,1,80,0,standard,\n", line: 2, want: "x \"80\""},
		{name: "y too far", in: header + "A,1,0,50,standard,\n", line: 2, want: "y \"50\""},
		{name: "bad zone", in: header + "A,1,0,0,standard,front row\n", line: 2, want: "zone \"front row\""},
		{name: "wrong field count", in: header + "A,1,0\n", line: 2, want: "expected 6 fields"},
		{name: "bad quoting", in: header + "A,\"1,0,0,standard,\n", line: 2, want: "isn't valid CSV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seats, problems := ParseLayoutCSV(strings.NewReader(tt.in))
			if tt.want == "" {
				if len(problems) > 0 {
					t.Fatalf("problems: %v", problems)
				}
				if len(seats) != tt.seats {
					t.Fatalf("seats = %d, want %d", len(seats), tt.seats)
				}
				return
			}
			if seats != nil {
				t.Errorf("seats returned with problems: %v", seats)
			}
			if len(problems) == 0 {
				t.Fatalf("no problem, want %q", tt.want)
			}
			if p := problems[0]; p.Line != tt.line || !strings.Contains(p.Reason, tt.want) {
				t.Fatalf("first problem = %v, want line %d with %q", p, tt.line, tt.want)
			}
		})
	}
}

func TestParseLayoutCSVNormalises(t *testing.T) {
	seats, problems := ParseLayoutCSV(strings.NewReader("row,number,x,y,kind,zone\n b ,7, 3,2, PREMIUM ,Gold\n"))
	if problems != nil {
		t.Fatal(problems)
	}
	want := Seat{Row: "B", Number: 7, X: 3, Y: 2, Kind: SeatPremium, Zone: "gold"}
	if seats[0] != want {
		t.Fatalf("seat = %+v, want %+v", seats[0], want)
	}
}

func TestParseLayoutCSVReportsEveryLine(t *testing.T) {
	in := "row,number,x,y,kind\nA,1,0,0,vip\nA,2,1,0,standard\nA,3,2,0,throne\n"
	_, problems := ParseLayoutCSV(strings.NewReader(in))
	if len(problems) != 2 || problems[0].Line != 2 || problems[1].Line != 4 {
		t.Fatalf("problems = %v, want lines 2 and 4", problems)
	}
	err := LayoutProblemsError(problems)
	if err.Code != EINVALID || !strings.Contains(err.Message, "Line 2: unknown seat kind") || !strings.Contains(err.Message, "1 more problem") {
		t.Fatalf("error = %v", err)
	}
}

func TestParseLayoutCSVSeatLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("row,number,x,y,kind\n")
	n := 0
	for y := 0; y < MaxLayoutLines && n <= MaxLayoutSeats; y++ {
		for x := 0; x < MaxLayoutCols && n <= MaxLayoutSeats; x++ {
			b.WriteString(string(rune('A'+y%26)) + strings.Repeat("A", y/26) + "," + strconv.Itoa(x+1) + "," + strconv.Itoa(x) + "," + strconv.Itoa(y) + ",standard\n")
			n++
		}
	}
	_, problems := ParseLayoutCSV(strings.NewReader(b.String()))
	if len(problems) == 0 || !strings.Contains(problems[0].Reason, "at most 2000 seats") {
		t.Fatalf("problems = %v", problems)
	}
}

func TestLayoutCSVRoundTrip(t *testing.T) {
	seats, err := StarterLayout(3, 5)
	if err != nil {
		t.Fatal(err)
	}
	seats[0].Kind, seats[1].Kind, seats[7].Kind, seats[8].Zone = SeatWheelchair, SeatCompanion, SeatBlocked, "vip"
	var buf bytes.Buffer
	if err := WriteLayoutCSV(&buf, seats); err != nil {
		t.Fatal(err)
	}
	back, problems := ParseLayoutCSV(&buf)
	if problems != nil {
		t.Fatalf("%v\n%s", problems, buf.String())
	}
	if !slices.Equal(back, seats) {
		t.Fatalf("round trip changed the layout:\n%v\n%v", back, seats)
	}
}

func TestValidateLayout(t *testing.T) {
	ok := []Seat{{Row: "A", Number: 1, X: 0, Y: 0, Kind: SeatWheelchair}, {Row: "A", Number: 2, X: 1, Y: 0, Kind: SeatCompanion}}
	if p := ValidateLayout(ok); p != nil {
		t.Fatalf("valid layout refused: %v", p)
	}
	bad := []Seat{{Row: "A", Number: 1, X: 0, Y: 0, Kind: "sofa"}}
	if p := ValidateLayout(bad); len(p) != 1 || p[0].Line != 1 {
		t.Fatalf("problems = %v", p)
	}
	if p := ValidateLayout(nil); len(p) != 1 || !strings.Contains(p[0].Reason, "no seats") {
		t.Fatalf("problems = %v", p)
	}
}

func TestStarterLayout(t *testing.T) {
	seats, err := StarterLayout(2, 3)
	if err != nil || len(seats) != 6 || seats[5].Label() != "B3" || seats[5].X != 2 || seats[5].Y != 1 {
		t.Fatalf("seats = %v, %v", seats, err)
	}
	for _, c := range [][2]int{{0, 5}, {27, 5}, {5, 0}, {5, 81}} {
		if _, err := StarterLayout(c[0], c[1]); ErrorCode(err) != EINVALID {
			t.Errorf("StarterLayout(%d, %d) error = %v", c[0], c[1], err)
		}
	}
}

func TestBlockedSeatsAreNeverSold(t *testing.T) {
	seats := []Seat{
		{ID: 1, Row: "A", Number: 1, X: 0, Kind: SeatStandard},
		{ID: 2, Row: "A", Number: 2, X: 1, Kind: SeatBlocked},
		{ID: 3, Row: "A", Number: 3, X: 2, Kind: SeatStandard},
		{ID: 4, Row: "A", Number: 4, X: 3, Kind: SeatStandard},
	}
	l := NewLayout(seats)
	free := func(int64) bool { return false }
	if got := BestSeats(l, free, 3); got != nil {
		t.Errorf("best 3 = %v, want none (a blocked seat splits the row)", got)
	}
	for _, got := range [][]Seat{BestSeats(l, free, 2), BestSeats(l, free, 1)} {
		for _, s := range got {
			if s.Kind == SeatBlocked {
				t.Errorf("best seats offered blocked seat %s", s.Label())
			}
		}
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	st := Showtime{StartsAt: now.Add(time.Hour), SalesCloseAt: now.Add(time.Hour), CounterCloseAt: now.Add(time.Hour)}
	if _, err := CheckHold(st, l, []int64{2}, 0, now, Settings{}); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "A2 isn't for sale") {
		t.Errorf("hold of a blocked seat: %v", err)
	}
	if _, err := CheckHold(st, l, []int64{1}, 0, now, Settings{}); err != nil {
		t.Errorf("hold of a standard seat: %v", err)
	}
	if Sellable(SeatBlocked) || !Sellable(SeatWheelchair) {
		t.Error("Sellable")
	}
}

func TestPlanLayoutChange(t *testing.T) {
	cur := []Seat{
		{ID: 1, Row: "A", Number: 1, X: 0, Y: 0, Kind: SeatStandard},
		{ID: 2, Row: "A", Number: 2, X: 1, Y: 0, Kind: SeatStandard},
		{ID: 3, Row: "A", Number: 3, X: 2, Y: 0, Kind: SeatStandard},
	}
	seat := func(n, x int, kind, zone string) Seat {
		return Seat{Row: "A", Number: n, X: x, Y: 0, Kind: kind, Zone: zone}
	}
	sold := map[int64]SeatUse{2: {Sold: true, Referenced: true}}
	past := map[int64]SeatUse{2: {Referenced: true}}
	tests := []struct {
		name                string
		next                []Seat
		uses                map[int64]SeatUse
		add, update, remove int
		blocker             string
	}{
		{name: "unchanged", next: []Seat{seat(1, 0, "standard", ""), seat(2, 1, "standard", ""), seat(3, 2, "standard", "")}, uses: sold},
		{name: "add a seat beside sales", next: []Seat{seat(1, 0, "standard", ""), seat(2, 1, "standard", ""), seat(3, 2, "standard", ""), seat(4, 3, "standard", "")}, uses: sold, add: 1},
		{name: "kind and zone of unsold seats", next: []Seat{seat(1, 0, "premium", "vip"), seat(2, 1, "standard", ""), seat(3, 2, "blocked", "")}, uses: sold, update: 2},
		{name: "remove an unsold seat", next: []Seat{seat(1, 0, "standard", ""), seat(2, 1, "standard", "")}, uses: sold, remove: 1},
		{name: "move an unsold seat", next: []Seat{seat(1, 0, "standard", ""), seat(2, 1, "standard", ""), seat(3, 5, "standard", "")}, uses: sold, update: 1},
		{name: "sold seat vanishes", next: []Seat{seat(1, 0, "standard", ""), seat(3, 2, "standard", "")}, uses: sold, blocker: "Seat A2 is sold or held for a coming show and would vanish."},
		{name: "sold seat moves", next: []Seat{seat(1, 0, "standard", ""), seat(2, 4, "standard", ""), seat(3, 2, "standard", "")}, uses: sold, blocker: "Seat A2 is sold or held for a coming show and would move."},
		{name: "sold seat renumbered", next: []Seat{seat(1, 0, "standard", ""), seat(9, 1, "standard", ""), seat(3, 2, "standard", "")}, uses: sold, add: 1, blocker: "would vanish"},
		{name: "sold seat blocked", next: []Seat{seat(1, 0, "standard", ""), seat(2, 1, "blocked", ""), seat(3, 2, "standard", "")}, uses: sold, blocker: "would change from standard to blocked"},
		{name: "seat of past shows moves", next: []Seat{seat(1, 0, "standard", ""), seat(2, 4, "premium", ""), seat(3, 2, "standard", "")}, uses: past, update: 1},
		{name: "seat of past shows kept", next: []Seat{seat(1, 0, "standard", ""), seat(3, 2, "standard", "")}, uses: past, blocker: "is on tickets of past shows"},
		{name: "no uses: anything goes", next: []Seat{seat(5, 7, "premium", "")}, uses: nil, add: 1, remove: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := PlanLayoutChange(cur, tt.next, tt.uses)
			if tt.blocker != "" {
				if len(p.Blockers) == 0 || !strings.Contains(p.Blockers[0].Reason, tt.blocker) {
					t.Fatalf("blockers = %v, want %q", p.Blockers, tt.blocker)
				}
				if e := ErrLayoutInUse(p.Blockers); e.Code != ECONFLICT || !strings.Contains(e.Message, "new layout version") {
					t.Fatalf("error = %v", e)
				}
				return
			}
			if len(p.Blockers) > 0 {
				t.Fatalf("blockers: %v", p.Blockers)
			}
			if len(p.Add) != tt.add || len(p.Update) != tt.update || len(p.Remove) != tt.remove {
				t.Fatalf("add %d update %d remove %d, want %d %d %d", len(p.Add), len(p.Update), len(p.Remove), tt.add, tt.update, tt.remove)
			}
			for _, u := range p.Update {
				if u.ID == 0 {
					t.Errorf("update without the seat's id: %v", u)
				}
			}
			if p.Changed() != (tt.add+tt.update+tt.remove > 0) {
				t.Error("Changed")
			}
		})
	}
}

func TestSeatCounts(t *testing.T) {
	seats, _ := StarterLayout(2, 2)
	seats[0].Kind = SeatBlocked
	c := SeatCounts(seats)
	if c[SeatStandard] != 3 || c[SeatBlocked] != 1 || SellableCount(seats) != 3 {
		t.Fatalf("counts = %v", c)
	}
}

// FuzzParseLayoutCSV: whatever the file, the parser doesn't panic, returns
// seats or problems (never both), every problem has a reason, and what it
// accepts is valid and survives a round trip through the export.
func FuzzParseLayoutCSV(f *testing.F) {
	f.Add("row,number,x,y,kind,zone\nA,1,0,0,wheelchair,\nA,2,1,0,companion,\nB,1,0,1,premium,vip\n")
	f.Add("kind,row,number,x,y\nblocked,C,3,4,2\n")
	f.Add("row,number,x,y,kind\nA,1,0,0,companion\n")
	f.Add("# c\nrow,number,x,y,kind\n\"A\",1,0,0,standard\n")
	f.Add("row,number,x,y,kind,zone\nA,1,0,0,standard,z\nA,1,1,0,standard,z\n")
	f.Fuzz(func(t *testing.T, in string) {
		seats, problems := ParseLayoutCSV(strings.NewReader(in))
		if (seats == nil) == (problems == nil) {
			t.Fatalf("seats %v and problems %v", seats, problems)
		}
		for _, p := range problems {
			if p.Reason == "" || p.Line < 0 {
				t.Fatalf("problem %+v", p)
			}
		}
		if seats == nil {
			return
		}
		if p := ValidateLayout(seats); p != nil {
			t.Fatalf("accepted an invalid layout: %v", p)
		}
		var buf bytes.Buffer
		if err := WriteLayoutCSV(&buf, seats); err != nil {
			t.Fatal(err)
		}
		back, p := ParseLayoutCSV(&buf)
		if p != nil || len(back) != len(seats) {
			t.Fatalf("round trip: %v", p)
		}
	})
}
