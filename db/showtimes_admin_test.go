package db_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
)

// Managers scheduling the same auditorium at the same time from several
// instances: the exclusion constraint lets exactly one through, and every
// other is told which show is in the way. No read in Go decides.
func TestScheduleShowtimesRaceOneWins(t *testing.T) {
	start := time.Date(2026, 12, 5, 19, 0, 0, 0, time.UTC)
	clock := booking.NewManualClock(start.Add(-48 * time.Hour))
	d := dbtest.New(t, clock)
	s := dbtest.AddShowtime(t, d, start.Add(-24*time.Hour))
	rules := booking.DefaultProgrammeRules()
	ctx := context.Background()
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			slot, err := rules.Slot(start.Add(time.Duration(i)*time.Minute), 110, booking.DefaultSalesWindow())
			if err != nil {
				errs[i] = err
				return
			}
			_, errs[i] = d.ScheduleShowtimes(ctx, []db.NewShowtime{{MovieID: s.MovieID, AuditoriumID: s.AuditoriumID,
				PriceCardID: s.PriceCardID, Format: "2D", Attrs: booking.ShowAttrs{Version: booking.VersionOriginal},
				Published: true, Slot: slot}}, time.UTC)
		}(i)
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case booking.ErrorCode(err) == booking.ECONFLICT:
			if !strings.Contains(booking.ErrorMessage(err), "“The Test Picture” at Sat 5 Dec 19:") {
				t.Errorf("loser %d: %q doesn't name the show in the way", i, booking.ErrorMessage(err))
			}
		default:
			t.Errorf("schedule %d: %v", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d schedules won, want exactly 1", won)
	}
}

// A move's dry run (the confirm step) checks and counts, and changes nothing.
func TestMoveShowtimeDryRun(t *testing.T) {
	start := time.Date(2026, 12, 5, 19, 0, 0, 0, time.UTC)
	clock := booking.NewManualClock(start.Add(-48 * time.Hour))
	d := dbtest.New(t, clock)
	s := dbtest.AddShowtime(t, d, start)
	dbtest.PaidOrder(t, d, s, "a@example.com", nil, clock.Now(), s.SeatIDs[0], s.SeatIDs[1])
	ctx := context.Background()
	later := start.Add(3 * time.Hour)
	plan := func(cur db.ProgrammeShow) (db.MoveTarget, error) {
		slot, err := booking.DefaultProgrammeRules().Slot(later, cur.RuntimeMin, booking.DefaultSalesWindow())
		return db.MoveTarget{AuditoriumID: cur.AuditoriumID, Slot: slot}, err
	}
	m, err := d.MoveShowtime(ctx, s.ShowtimeID, plan, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Orders) != 1 || m.Orders[0].Seats != 2 || !m.After.StartsAt.Equal(later) {
		t.Fatalf("dry run %+v", m)
	}
	cur, err := d.ProgrammeShowByID(ctx, s.ShowtimeID)
	if err != nil || !cur.StartsAt.Equal(start) {
		t.Fatalf("the dry run moved the show: %v %v", cur.StartsAt, err)
	}
	if _, err := d.MoveShowtime(ctx, s.ShowtimeID, plan, true); err != nil {
		t.Fatal(err)
	}
	if cur, _ := d.ProgrammeShowByID(ctx, s.ShowtimeID); !cur.StartsAt.Equal(later) || cur.Sold != 2 {
		t.Fatalf("moved: %v, sold %d", cur.StartsAt, cur.Sold)
	}
}
