package views

import (
	"strings"
	"time"

	"marquee/booking"
)

// CalendarEvent is what an "add to calendar" file says about an order's show.
type CalendarEvent struct {
	UID         string // unique and stable: the order code and the site's host
	Stamp       time.Time
	Start, End  time.Time
	Summary     string
	Location    string
	Description string
	URL         string
}

// OrderCalendarEvent describes the show of an order for a calendar.
func OrderCalendarEvent(o booking.Order, info booking.ShowtimeInfo, host, orderURL string, now time.Time) CalendarEvent {
	var seats []string
	for _, it := range o.Items {
		if it.Status != booking.ItemCancelled {
			seats = append(seats, it.Label())
		}
	}
	title := info.Movie.Title
	if f := info.Showtime.Format; f != "" && f != "2D" {
		title += " (" + f + ")"
	}
	loc := info.Theatre.Name + ", " + info.Auditorium.Name
	if info.Theatre.Address != "" {
		loc += ", " + info.Theatre.Address
	}
	return CalendarEvent{
		UID:      strings.ToLower(o.Code) + "@" + host,
		Stamp:    now,
		Start:    info.Showtime.StartsAt,
		End:      info.Showtime.EndsAt,
		Summary:  title + " at " + info.Theatre.Name,
		Location: loc,
		Description: "Order " + o.Code + ", seats " + strings.Join(seats, ", ") +
			". Show the QR code of your tickets at the door, on your phone or printed: " + orderURL,
		URL: orderURL,
	}
}

// ICS is the event as an iCalendar file (RFC 5545): CRLF line ends, text
// escaped, lines folded at 75 octets, times in UTC.
func (e CalendarEvent) ICS() []byte {
	var b strings.Builder
	line := func(s string) {
		for len(s) > 75 { // fold at 75 octets without splitting a UTF-8 sequence
			cut := 75
			for cut > 1 && s[cut]&0xC0 == 0x80 {
				cut--
			}
			b.WriteString(s[:cut] + "\r\n")
			s = " " + s[cut:]
		}
		b.WriteString(s + "\r\n")
	}
	utc := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Marquee//Tickets//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("BEGIN:VEVENT")
	line("UID:" + icsText(e.UID))
	line("DTSTAMP:" + utc(e.Stamp))
	line("DTSTART:" + utc(e.Start))
	line("DTEND:" + utc(e.End))
	line("SUMMARY:" + icsText(e.Summary))
	line("LOCATION:" + icsText(e.Location))
	line("DESCRIPTION:" + icsText(e.Description))
	if e.URL != "" {
		line("URL:" + e.URL)
	}
	line("BEGIN:VALARM")
	line("ACTION:DISPLAY")
	line("DESCRIPTION:" + icsText(e.Summary))
	line("TRIGGER:-PT1H")
	line("END:VALARM")
	line("END:VEVENT")
	line("END:VCALENDAR")
	return []byte(b.String())
}

// icsText escapes a TEXT value: backslash, semicolon, comma and newlines.
func icsText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}
