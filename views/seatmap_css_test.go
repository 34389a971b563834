package views

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"marquee/booking"
)

// TestSeatClassesAreInTheStylesheet: every class a seat button can carry is
// in the built app.css. Tailwind drops classes it doesn't find written out in
// the sources, and a seat map without them shows no kinds and no states.
func TestSeatClassesAreInTheStylesheet(t *testing.T) {
	css, err := os.ReadFile("../static/css/app.css")
	if err != nil {
		t.Fatal(err)
	}
	kinds := booking.SeatKinds
	states := []booking.SeatState{booking.StateFree, booking.StateMine, booking.StateHeld, booking.StateSold}
	for _, k := range kinds {
		for _, s := range states {
			for _, class := range strings.Fields(seatClass(SeatView{Seat: booking.Seat{Kind: k}, State: s})) {
				if !regexp.MustCompile(`\.` + regexp.QuoteMeta(class) + `[,{:]`).Match(css) {
					t.Errorf("seat class %q (kind %s, %s) is not in static/css/app.css", class, k, s)
				}
			}
		}
	}
}
