package sales

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
)

// The snapshot TTL is a safety net for a lost notification: past it, an
// unchanged snapshot is still served at once while one reload runs in the
// background (a busy map never waits every TTL for a query), and the reload
// brings what the lost notification would have; far past it, the request
// waits for the reload.
func TestSeatSnapshotPastTTL(t *testing.T) {
	start := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	d := dbtest.New(t, booking.NewManualClock(start.Add(-time.Hour)))
	show := dbtest.AddShowtime(t, d, start)
	c := newSeatCache(d, nil)
	defer c.close()
	c.live = true // as with a change feed: nothing marks the snapshot dirty here
	var wall atomic.Int64
	wall.Store(start.Add(-time.Hour).UnixNano())
	c.wall = func() time.Time { return time.Unix(0, wall.Load()) }
	advance := func(d time.Duration) { wall.Add(int64(d)) }
	ctx := context.Background()

	s1, err := c.get(ctx, show.ShowtimeID, false)
	if err != nil {
		t.Fatal(err)
	}
	// A hold the snapshot never hears about (as if its NOTIFY were lost).
	now := start.Add(-time.Hour)
	if _, err := d.HoldSeats(ctx, db.Hold{ShowtimeID: show.ShowtimeID, CartID: "lost", SeatIDs: []int64{show.SeatIDs[0]},
		TicketType: "adult", Now: now, Until: now.Add(10 * time.Minute), Max: 10, Quiet: true}); err != nil {
		t.Fatal(err)
	}
	if s, _ := c.get(ctx, show.ShowtimeID, false); s != s1 {
		t.Fatal("within the TTL the snapshot was reloaded")
	}
	advance(seatSnapshotTTL + time.Second)
	if s, _ := c.get(ctx, show.ShowtimeID, false); s != s1 {
		t.Fatal("past the TTL the request waited for a reload instead of being served the snapshot")
	}
	var s2 *seatSnapshot
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if s2 = c.entry(show.ShowtimeID).snap.Load(); s2 != s1 {
			break
		}
	}
	if s2 == s1 {
		t.Fatal("no background reload past the TTL")
	}
	if _, ok := s2.claims.get(show.SeatIDs[0]); !ok {
		t.Fatal("the background reload doesn't show the hold")
	}
	advance(seatSnapshotMaxAge + time.Second)
	s3, err := c.get(ctx, show.ShowtimeID, false)
	if err != nil {
		t.Fatal(err)
	}
	if s3 == s2 || !s3.loaded.Equal(c.wall()) {
		t.Fatal("far past the TTL the old snapshot was served")
	}
}
