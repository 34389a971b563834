package views

import (
	"strings"
	"testing"
	"time"

	"marquee/booking"
)

func TestOrderCalendarEvent(t *testing.T) {
	start := time.Date(2026, 12, 1, 19, 30, 0, 0, time.UTC)
	o := booking.Order{Code: "ABCD1234EFGH", Items: []booking.OrderItem{
		{Row: "F", Number: 12}, {Row: "F", Number: 13, Status: booking.ItemCancelled}, {Row: "F", Number: 14},
	}}
	info := booking.ShowtimeInfo{
		Showtime:   booking.Showtime{StartsAt: start, EndsAt: start.Add(2 * time.Hour), Format: "IMAX"},
		Movie:      booking.Movie{Title: "Orbit of Glass; the sequel, again"},
		Theatre:    booking.Theatre{Name: "Marquee Sunset", Address: "1 Main St, Springfield"},
		Auditorium: booking.Auditorium{Name: "Grand"},
	}
	ics := string(OrderCalendarEvent(o, info, "tickets.example", "https://tickets.example/orders/ABCD1234EFGH?t=x", start.Add(-time.Hour)).ICS())
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\n", "UID:abcd1234efgh@tickets.example\r\n",
		"DTSTART:20261201T193000Z\r\n", "DTEND:20261201T213000Z\r\n",
		`SUMMARY:Orbit of Glass\; the sequel\, again (IMAX) at Marquee Sunset`,
		`LOCATION:Marquee Sunset\, Grand\, 1 Main St\, Springfield`,
		"END:VCALENDAR\r\n",
	} {
		if !strings.Contains(ics, want) {
			t.Errorf("ics lacks %q:\n%s", want, ics)
		}
	}
	unfolded := strings.ReplaceAll(ics, "\r\n ", "")
	if !strings.Contains(unfolded, `seats F12\, F14.`) {
		t.Errorf("cancelled seat listed or seats missing:\n%s", unfolded)
	}
	for _, l := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line longer than 75 octets: %q", l)
		}
		if strings.Contains(l, "\n") {
			t.Errorf("bare newline in %q", l)
		}
	}
}

func TestCountdown(t *testing.T) {
	for sec, want := range map[int]string{-5: "0:00", 59: "0:59", 600: "10:00", 3599: "59:59", 3600: "1 h 00 min", 34984: "9 h 43 min"} {
		if got := Countdown(sec); got != want {
			t.Errorf("Countdown(%d) = %q, want %q", sec, got, want)
		}
	}
}
