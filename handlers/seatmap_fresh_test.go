package handlers_test

import (
	"net/http"
	"testing"
	"time"

	"marquee/db/dbtest"
)

// TestSeatMapNotStaleAfterChangeElsewhere: a snapshot that was loaded a while
// ago and is known to be out of date (a change made through another path,
// such as a payment, a cancellation or another instance, was notified) is
// not served: the next page shows the change at once, not only a later one.
func TestSeatMapNotStaleAfterChangeElsewhere(t *testing.T) {
	e := newBookingEnv(t, nil, true)
	base := e.serveHTTP(t)

	// A viewer loads the map: the snapshot is taken now.
	b := e.browser()
	if _, doc := b.open(e.path("")); seatState(doc, e.seat(4, 4)) != "available" {
		t.Fatal("seat not free at the start")
	}
	// The live stream tells when the change notification has arrived.
	resp, err := http.Get(base + e.path("/events"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	waitLine, lines := streamLines(t, resp.Body)
	waitLine(": connected")

	// Some time later the seat is taken elsewhere (not through this
	// instance's handlers, so only the notification tells).
	time.Sleep(1200 * time.Millisecond) // set-up: let the snapshot age past the stale-while-revalidate window
	dbtest.HoldElsewhere(t, e.db, e.show.ShowtimeID, "elsewhere", e.seat(4, 4), e.clock.Now())
	waitLine("event: seats")

	// The very next page shows it.
	if _, doc := e.browser().open(e.path("")); seatState(doc, e.seat(4, 4)) != "held" {
		t.Fatalf("a page loaded after the change was notified shows the seat %q, want held", seatState(doc, e.seat(4, 4)))
	}
	e.sales.Close()
	for range lines {
	}
}
