package db_test

import (
	"context"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
)

// layoutOf reads the seats of a showtime's pinned layout as the seat cache does.
func layoutOf(t *testing.T, d *db.DB, showtimeID int64) (booking.ShowtimeInfo, []booking.Seat) {
	t.Helper()
	ctx := context.Background()
	info, err := d.ShowtimeInfo(ctx, showtimeID)
	if err != nil {
		t.Fatal(err)
	}
	seats, err := d.LayoutSeats(ctx, info.Showtime.LayoutID)
	if err != nil {
		t.Fatal(err)
	}
	return info, seats
}

// addShowtimeAt adds a showtime of the same movie in the same auditorium.
func addShowtimeAt(t *testing.T, d *db.DB, s dbtest.Show, at time.Time) int64 {
	t.Helper()
	var id int64
	if err := dbtest.SQL(t, d).GetContext(context.Background(), &id, `
		INSERT INTO showtimes (movie_id, auditorium_id, starts_at, ends_at, ready_at, sales_close_at, counter_close_at, price_card_id)
		VALUES ($1, $2, $3, $3::timestamptz + interval '110 minutes', $3::timestamptz + interval '130 minutes', $3, $3, $4)
		RETURNING id`, s.MovieID, s.AuditoriumID, at, s.PriceCardID); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestLayoutDefaultsAndScope(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	d := dbtest.New(t, clock)
	ctx := context.Background()
	s := dbtest.AddShowtime(t, d, clock.Now().Add(24*time.Hour))
	info, seats := layoutOf(t, d, s.ShowtimeID)
	if info.Showtime.LayoutID == 0 || len(seats) != 200 {
		t.Fatalf("showtime pins layout %d with %d seats, want the auditorium's 200", info.Showtime.LayoutID, len(seats))
	}
	a, err := d.ManagedAuditoriumByID(ctx, s.AuditoriumID, clock.Now())
	if err != nil || a.LayoutID != info.Showtime.LayoutID || a.Version != 1 || a.Seats != 200 || a.Coming != 1 {
		t.Fatalf("auditorium = %+v, %v", a, err)
	}

	starter, _ := booking.StarterLayout(3, 4)
	id, err := d.CreateAuditorium(ctx, info.Theatre.ID, "Screen 2", starter)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateAuditorium(ctx, info.Theatre.ID, "Screen 2", starter); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("second Screen 2: %v, want a conflict", err)
	}
	b, err := d.ManagedAuditoriumByID(ctx, id, clock.Now())
	if err != nil || b.Version != 1 || b.Seats != 12 || b.Capacity != 12 || b.Rows != 3 || b.Cols != 4 {
		t.Fatalf("new auditorium = %+v, %v", b, err)
	}
	seatsB, err := d.AuditoriumSeats(ctx, id)
	if err != nil || len(seatsB) != 12 {
		t.Fatalf("seats of the new auditorium: %d, %v", len(seatsB), err)
	}

	var other int64
	if err := dbtest.SQL(t, d).GetContext(ctx, &other, `INSERT INTO theatres (slug, name, time_zone) VALUES ('other', 'Other', 'UTC') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateAuditorium(ctx, other, "Big", starter); err != nil {
		t.Fatal(err)
	}
	all, err := d.ManagedAuditoriums(ctx, booking.Scope{All: true}, "", clock.Now())
	if err != nil || len(all) != 3 {
		t.Fatalf("admin sees %d auditoriums, %v", len(all), err)
	}
	mine, err := d.ManagedAuditoriums(ctx, booking.Scope{Theatres: []int64{info.Theatre.ID}}, "", clock.Now())
	if err != nil || len(mine) != 2 {
		t.Fatalf("manager sees %d auditoriums, want 2: %v", len(mine), err)
	}
	found, err := d.ManagedAuditoriums(ctx, booking.Scope{All: true}, "BIG", clock.Now())
	if err != nil || len(found) != 1 || found[0].Name != "Big" {
		t.Fatalf("search: %+v, %v", found, err)
	}
	if none, _ := d.ManagedAuditoriums(ctx, booking.Scope{}, "", clock.Now()); len(none) != 0 {
		t.Fatalf("empty scope sees %d", len(none))
	}
}

func TestSaveLayoutInPlace(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	d := dbtest.New(t, clock)
	ctx := context.Background()
	s := dbtest.AddShowtime(t, d, clock.Now().Add(24*time.Hour))
	info, seats := layoutOf(t, d, s.ShowtimeID)
	// A sold seat (A3), a past show's ticket on nothing else.
	dbtest.PaidOrder(t, d, s, "a@example.com", nil, clock.Now(), s.SeatIDs[2])

	next := append([]booking.Seat(nil), seats...)
	var removed booking.Seat
	for i := range next {
		switch next[i].Label() {
		case "B1":
			next[i].Kind = booking.SeatBlocked
		case "B2":
			next[i].Zone = "front"
		case "C1":
			next[i].X = 21 // to the place of C20, which goes
		case "C20":
			removed = next[i]
		}
	}
	next = deleteSeat(next, removed.ID)
	next = append(next, booking.Seat{Row: "K", Number: 1, X: 0, Y: 10, Kind: booking.SeatPremium})
	if p := booking.ValidateLayout(next); p != nil {
		t.Fatal(p)
	}
	res, err := d.SaveLayout(ctx, db.SaveLayout{AuditoriumID: s.AuditoriumID, LayoutID: info.Showtime.LayoutID, Seats: next, Now: clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if res.NewVersion || res.LayoutID != info.Showtime.LayoutID || len(res.Plan.Add) != 1 || len(res.Plan.Update) != 3 || len(res.Plan.Remove) != 1 {
		t.Fatalf("saved %+v", res.Plan)
	}
	_, after := layoutOf(t, d, s.ShowtimeID)
	if len(after) != 200 {
		t.Fatalf("%d seats after, want 200", len(after))
	}
	byLabel := map[string]booking.Seat{}
	for _, st := range after {
		byLabel[st.Label()] = st
	}
	if byLabel["B1"].Kind != booking.SeatBlocked || byLabel["B2"].Zone != "front" || byLabel["C1"].X != 21 || byLabel["K1"].Kind != booking.SeatPremium {
		t.Fatalf("seats after: B1 %+v B2 %+v C1 %+v K1 %+v", byLabel["B1"], byLabel["B2"], byLabel["C1"], byLabel["K1"])
	}
	if _, ok := byLabel["C20"]; ok {
		t.Fatal("C20 is still there")
	}
	if byLabel["A3"].ID != s.SeatIDs[2] {
		t.Fatal("the sold seat lost its row")
	}
	a, _ := d.ManagedAuditoriumByID(ctx, s.AuditoriumID, clock.Now())
	if a.Capacity != 199 || a.Rows != 11 {
		t.Fatalf("auditorium after: capacity %d rows %d, want 199 sellable seats in 11 rows", a.Capacity, a.Rows)
	}

	// The sold seat may not move, vanish or change kind in place; nothing changes.
	for name, change := range map[string]func([]booking.Seat) []booking.Seat{
		"vanish": func(ss []booking.Seat) []booking.Seat { return deleteSeat(ss, s.SeatIDs[2]) },
		"move": func(ss []booking.Seat) []booking.Seat {
			return withSeat(ss, s.SeatIDs[2], func(x *booking.Seat) { x.Y, x.Row = 11, "L" })
		},
		"kind": func(ss []booking.Seat) []booking.Seat {
			return withSeat(ss, s.SeatIDs[2], func(x *booking.Seat) { x.Kind = booking.SeatPremium })
		},
	} {
		bad := change(append([]booking.Seat(nil), after...))
		bad = withSeat(bad, byLabel["D5"].ID, func(x *booking.Seat) { x.Kind = booking.SeatPremium }) // a harmless change alongside
		res, err := d.SaveLayout(ctx, db.SaveLayout{AuditoriumID: s.AuditoriumID, LayoutID: info.Showtime.LayoutID, Seats: bad, Now: clock.Now()})
		if booking.ErrorCode(err) != booking.ECONFLICT || len(res.Plan.Blockers) != 1 {
			t.Fatalf("%s: err %v, blockers %v", name, err, res.Plan.Blockers)
		}
		if _, again := layoutOf(t, d, s.ShowtimeID); !sameSeats(again, after) {
			t.Fatalf("%s: a refused save changed seats", name)
		}
	}

	// A stale editor is refused.
	if _, err := d.SaveLayout(ctx, db.SaveLayout{AuditoriumID: s.AuditoriumID, LayoutID: info.Showtime.LayoutID + 1000, Seats: after, Now: clock.Now()}); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("stale layout id: %v", err)
	}

	// Once the show is over its sale no longer pins the seat's place and
	// kind, but the row stays (its ticket refers to it).
	clock.Advance(48 * time.Hour)
	later := withSeat(append([]booking.Seat(nil), after...), s.SeatIDs[2], func(x *booking.Seat) { x.Kind = booking.SeatPremium })
	if _, err := d.SaveLayout(ctx, db.SaveLayout{AuditoriumID: s.AuditoriumID, Seats: later, Now: clock.Now()}); err != nil {
		t.Fatalf("kind of a seat sold for a past show: %v", err)
	}
	res, err = d.SaveLayout(ctx, db.SaveLayout{AuditoriumID: s.AuditoriumID, Seats: deleteSeat(later, s.SeatIDs[2]), Now: clock.Now()})
	if booking.ErrorCode(err) != booking.ECONFLICT || len(res.Plan.Blockers) != 1 {
		t.Fatalf("removing a seat with past tickets: %v %v", err, res.Plan.Blockers)
	}
}

func TestSaveLayoutNewVersion(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	d := dbtest.New(t, clock)
	ctx := context.Background()
	s := dbtest.AddShowtime(t, d, clock.Now().Add(24*time.Hour)) // will have a sale
	empty := addShowtimeAt(t, d, s, clock.Now().Add(72*time.Hour))
	held := addShowtimeAt(t, d, s, clock.Now().Add(96*time.Hour))
	dbtest.PaidOrder(t, d, s, "a@example.com", nil, clock.Now(), s.SeatIDs[0], s.SeatIDs[5])
	dbtest.HoldElsewhere(t, d, held, "cart-1", s.SeatIDs[7], clock.Now())
	info, seats := layoutOf(t, d, s.ShowtimeID)

	next, _ := booking.StarterLayout(5, 10)
	res, err := d.SaveLayout(ctx, db.SaveLayout{AuditoriumID: s.AuditoriumID, LayoutID: info.Showtime.LayoutID, Seats: next, NewVersion: true, Now: clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if !res.NewVersion || res.Version != 2 || res.Moved != 1 || len(res.Kept) != 2 || res.Kept[0].ID != s.ShowtimeID || res.Kept[0].Version != 1 {
		t.Fatalf("saved %+v", res)
	}
	if len(res.Before) != 200 || len(res.After) != 50 {
		t.Fatalf("before %d after %d", len(res.Before), len(res.After))
	}
	// The sold and the held show keep version 1 and its seats; the empty one moved.
	for _, id := range []int64{s.ShowtimeID, held} {
		if inf, ss := layoutOf(t, d, id); inf.Showtime.LayoutID != info.Showtime.LayoutID || !sameSeats(ss, seats) {
			t.Fatalf("showtime %d: layout %d, %d seats", id, inf.Showtime.LayoutID, len(ss))
		}
	}
	if inf, ss := layoutOf(t, d, empty); inf.Showtime.LayoutID != res.LayoutID || len(ss) != 50 {
		t.Fatalf("empty showtime: layout %d (new %d), %d seats", inf.Showtime.LayoutID, res.LayoutID, len(ss))
	}
	// New showtimes get the new version; the auditorium's seats are the new ones.
	fresh := addShowtimeAt(t, d, s, clock.Now().Add(120*time.Hour))
	if inf, _ := layoutOf(t, d, fresh); inf.Showtime.LayoutID != res.LayoutID {
		t.Fatalf("a new showtime pins %d, want %d", inf.Showtime.LayoutID, res.LayoutID)
	}
	cur, err := d.AuditoriumSeats(ctx, s.AuditoriumID)
	if err != nil || len(cur) != 50 {
		t.Fatalf("current seats: %d, %v", len(cur), err)
	}
	a, _ := d.ManagedAuditoriumByID(ctx, s.AuditoriumID, clock.Now())
	if a.Version != 2 || a.Capacity != 50 || a.OldVersions != 2 || a.Coming != 4 {
		t.Fatalf("auditorium %+v", a)
	}
	// A showtime can't pin another auditorium's layout.
	starter, _ := booking.StarterLayout(1, 1)
	otherAud, err := d.CreateAuditorium(ctx, info.Theatre.ID, "Screen 9", starter)
	if err != nil {
		t.Fatal(err)
	}
	ob, _ := d.ManagedAuditoriumByID(ctx, otherAud, clock.Now())
	if _, err := dbtest.SQL(t, d).ExecContext(ctx, `UPDATE showtimes SET layout_id = $1 WHERE id = $2`, ob.LayoutID, fresh); err == nil {
		t.Fatal("a showtime pinned another auditorium's layout")
	}
	// Moving a showtime to another auditorium takes that auditorium's current layout.
	if _, err := dbtest.SQL(t, d).ExecContext(ctx, `UPDATE showtimes SET auditorium_id = $1 WHERE id = $2`, otherAud, fresh); err != nil {
		t.Fatal(err)
	}
	if inf, _ := layoutOf(t, d, fresh); inf.Showtime.LayoutID != ob.LayoutID {
		t.Fatalf("moved showtime pins %d, want %d", inf.Showtime.LayoutID, ob.LayoutID)
	}
	// Seats of an older version that was sold are never deleted.
	if _, err := dbtest.SQL(t, d).ExecContext(ctx, `DELETE FROM seats WHERE id = $1`, s.SeatIDs[0]); err == nil {
		t.Fatal("deleted a sold seat")
	}
}

func TestSeatUses(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	d := dbtest.New(t, clock)
	s := dbtest.AddShowtime(t, d, clock.Now().Add(time.Hour))
	dbtest.PaidOrder(t, d, s, "a@example.com", nil, clock.Now(), s.SeatIDs[0])
	dbtest.HoldElsewhere(t, d, s.ShowtimeID, "cart", s.SeatIDs[1], clock.Now()) // a minute
	info, _ := layoutOf(t, d, s.ShowtimeID)
	uses, err := d.SeatUses(context.Background(), info.Showtime.LayoutID, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !uses[s.SeatIDs[0]].Sold || !uses[s.SeatIDs[1]].Sold || uses[s.SeatIDs[2]].Referenced || len(uses) != 2 {
		t.Fatalf("uses now: %v", uses)
	}
	later, _ := d.SeatUses(context.Background(), info.Showtime.LayoutID, clock.Now().Add(2*time.Minute))
	if !later[s.SeatIDs[0]].Sold || later[s.SeatIDs[1]].Sold || !later[s.SeatIDs[1]].Referenced {
		t.Fatalf("uses once the hold lapsed: %v", later)
	}
	after, _ := d.SeatUses(context.Background(), info.Showtime.LayoutID, clock.Now().Add(5*time.Hour))
	if after[s.SeatIDs[0]].Sold || !after[s.SeatIDs[0]].Referenced {
		t.Fatalf("uses after the show: %v", after)
	}
}

func deleteSeat(seats []booking.Seat, id int64) []booking.Seat {
	out := seats[:0:0]
	for _, s := range seats {
		if s.ID != id {
			out = append(out, s)
		}
	}
	return out
}

func withSeat(seats []booking.Seat, id int64, fn func(*booking.Seat)) []booking.Seat {
	for i := range seats {
		if seats[i].ID == id {
			fn(&seats[i])
		}
	}
	return seats
}

func sameSeats(a, b []booking.Seat) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[int64]booking.Seat{}
	for _, s := range a {
		m[s.ID] = s
	}
	for _, s := range b {
		if m[s.ID] != s {
			return false
		}
	}
	return true
}

// Down keeps each auditorium's current version; it refuses while older
// versions hold sold seats. Up again gives every auditorium version 1.
func TestSeatLayoutsMigrationDown(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	d := dbtest.New(t, clock)
	ctx := context.Background()
	s := dbtest.AddShowtime(t, d, clock.Now().Add(24*time.Hour))
	next, _ := booking.StarterLayout(3, 3)
	next[0].Kind = booking.SeatBlocked
	dbtest.HoldElsewhere(t, d, s.ShowtimeID, "cart", s.SeatIDs[0], clock.Now()) // a hold only: Down may drop it
	if _, err := d.SaveLayout(ctx, db.SaveLayout{AuditoriumID: s.AuditoriumID, Seats: next, NewVersion: true, Now: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := d.MigrateDownTo(ctx, 18); err != nil {
		t.Fatalf("down: %v", err)
	}
	var n int
	if err := dbtest.SQL(t, d).GetContext(ctx, &n, `SELECT count(*) FROM seats WHERE auditorium_id = $1 AND kind = 'standard'`, s.AuditoriumID); err != nil || n != 9 {
		t.Fatalf("after down: %d standard seats (want the current version's 9, blocked made standard): %v", n, err)
	}
	if err := d.Migrate(ctx); err != nil { // up again, the later migrations too: the rest of the test uses them
		t.Fatalf("up again: %v", err)
	}
	if a, err := d.ManagedAuditoriumByID(ctx, s.AuditoriumID, clock.Now()); err != nil || a.Version != 1 || a.Seats != 9 {
		t.Fatalf("after up: %+v %v", a, err)
	}

	// Sold seats of an older version: Down refuses.
	s2 := dbtest.AddShowtime(t, d, clock.Now().Add(24*time.Hour))
	dbtest.PaidOrder(t, d, s2, "a@example.com", nil, clock.Now(), s2.SeatIDs[0])
	if _, err := d.SaveLayout(ctx, db.SaveLayout{AuditoriumID: s2.AuditoriumID, Seats: next, NewVersion: true, Now: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := d.MigrateDownTo(ctx, 18); err == nil {
		t.Fatal("down dropped sold seats of an older version")
	}
}

// TestClaimsOnlySeatsOfTheShowtimesLayout: the database refuses a claim of
// a seat outside the layout version the showtime sells, or a blocked one —
// the guard when a hold checked against a cached layout lands after the
// layout changed (a new version saved, the show moved, a seat blocked).
func TestClaimsOnlySeatsOfTheShowtimesLayout(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	d := dbtest.New(t, clock)
	ctx := context.Background()
	s := dbtest.AddShowtime(t, d, clock.Now().Add(24*time.Hour))
	next, _ := booking.StarterLayout(3, 3)
	next[4].Kind = booking.SeatBlocked
	if _, err := d.SaveLayout(ctx, db.SaveLayout{AuditoriumID: s.AuditoriumID, Seats: next, NewVersion: true, Now: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	hold := func(seatID int64) error {
		_, err := d.HoldSeats(ctx, db.Hold{ShowtimeID: s.ShowtimeID, CartID: "c", SeatIDs: []int64{seatID}, TicketType: "adult",
			Now: clock.Now(), Until: clock.Now().Add(time.Minute), Max: 10})
		return err
	}
	// The show (no sales) now sells the new version: the old seat ids are gone from it.
	if err := hold(s.SeatIDs[10]); booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("a seat of the old layout version: %v, want a conflict", err)
	}
	seats, err := d.LayoutSeats(ctx, mustLayoutOf(t, d, s.ShowtimeID))
	if err != nil || len(seats) != 9 {
		t.Fatalf("new layout: %d seats, %v", len(seats), err)
	}
	for _, seat := range seats {
		err := hold(seat.ID)
		if seat.Kind == booking.SeatBlocked && booking.ErrorCode(err) != booking.ECONFLICT {
			t.Errorf("blocked seat %s held: %v", seat.Label(), err)
		}
		if seat.Kind != booking.SeatBlocked && err != nil {
			t.Errorf("seat %s of the new layout: %v", seat.Label(), err)
		}
	}
}

func mustLayoutOf(t *testing.T, d *db.DB, showtimeID int64) int64 {
	t.Helper()
	var id int64
	if err := dbtest.SQL(t, d).GetContext(context.Background(), &id, `SELECT layout_id FROM showtimes WHERE id = $1`, showtimeID); err != nil {
		t.Fatal(err)
	}
	return id
}
