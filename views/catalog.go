package views

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"marquee/booking"
)

// WhatsOnView is the what's-on page's content: one day of the programme.
type WhatsOnView struct {
	Date       string // YYYY-MM-DD shown
	Days       []DayLink
	Theatres   []booking.Theatre
	Genres     []string
	TheatreID  int64
	Genre      string
	Query      string
	Programmes []booking.MovieProgramme
}

// DayLink is one entry of the row of days.
type DayLink struct {
	Date    string
	Weekday string // "Today", "Tomorrow", "Fri"…
	Label   string // "27 Nov"
	Current bool
}

// URL is the what's-on URL for the view's filters on another day.
func (v WhatsOnView) URL(date string) string {
	q := url.Values{}
	q.Set("date", date)
	if v.TheatreID != 0 {
		q.Set("theatre", strconv.FormatInt(v.TheatreID, 10))
	}
	if v.Genre != "" {
		q.Set("genre", v.Genre)
	}
	if v.Query != "" {
		q.Set("q", v.Query)
	}
	return "/?" + q.Encode()
}

// Filtered reports whether any filter besides the date is set.
func (v WhatsOnView) Filtered() bool { return v.TheatreID != 0 || v.Genre != "" || v.Query != "" }

// MovieView is the movie page's content.
type MovieView struct {
	Movie    booking.Movie
	Theatres []booking.TheatreDays
}

// TheatreView is the theatres page's content.
type TheatreView struct {
	Theatres []booking.Theatre
	Today    string
}

// DayLinks returns the links for days days from today (YYYY-MM-DD), marking current.
func DayLinks(today time.Time, days int, current string) []DayLink {
	out := make([]DayLink, days)
	for i := range out {
		d := today.AddDate(0, 0, i)
		date := d.Format(booking.DateLayout)
		wd := d.Format("Mon")
		switch i {
		case 0:
			wd = "Today"
		case 1:
			wd = "Tomorrow"
		}
		out[i] = DayLink{Date: date, Weekday: wd, Label: d.Format("2 Jan"), Current: date == current}
	}
	return out
}

// LongDate formats a YYYY-MM-DD day as "Wednesday 25 November".
func LongDate(date string) string {
	t, err := time.Parse(booking.DateLayout, date)
	if err != nil {
		return date
	}
	return t.Format("Monday 2 January")
}

// ShortDate formats a YYYY-MM-DD day as "Wed 25 Nov".
func ShortDate(date string) string {
	t, err := time.Parse(booking.DateLayout, date)
	if err != nil {
		return date
	}
	return t.Format("Mon 2 Jan")
}

// ShowtimeURL is the page of one showtime.
func ShowtimeURL(id int64) string { return "/showtimes/" + strconv.FormatInt(id, 10) }

// MovieURL is the page of one movie.
func MovieURL(slug string) string { return "/movies/" + url.PathEscape(slug) }

// ZoneAbbrev is the short name of a zone at t, e.g. "EST".
func ZoneAbbrev(t time.Time, loc *time.Location) string {
	name, _ := t.In(loc).Zone()
	return name
}

// Join joins strings with ", ".
func Join(xs []string) string { return strings.Join(xs, ", ") }

func catID(n int64) string { return strconv.FormatInt(n, 10) }

func catTheatreSelected(id, current int64) bool { return id == current }

func genreSelected(g, current string) bool { return strings.EqualFold(g, current) }

// chipLabel names a showtime link for screen readers, starting with exactly
// what the chip shows ("13:30 IMAX") so that voice control finds it by its
// visible text, then the zone and the screen.
func chipLabel(s booking.Listing, t booking.TheatreDays) string {
	l := Clock(s.StartsAt, t.Location())
	if s.Format != "2D" && s.Format != "" {
		l += " " + s.Format
	}
	return l + ", " + ZoneAbbrev(s.StartsAt, t.Location()) + ", " + s.AuditoriumName
}
