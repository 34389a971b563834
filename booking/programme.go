package booking

import (
	"strconv"
	"strings"
	"time"
)

// DateLayout is how a calendar day is written in URLs and the API (2026-11-25).
const DateLayout = "2006-01-02"

// Listing is one showtime as the programme lists it: when, where, what.
type Listing struct {
	ID             int64     `db:"id"`
	MovieID        int64     `db:"movie_id"`
	TheatreID      int64     `db:"theatre_id"`
	TheatreName    string    `db:"theatre_name"`
	TimeZone       string    `db:"time_zone"`
	AuditoriumID   int64     `db:"auditorium_id"`
	AuditoriumName string    `db:"auditorium_name"`
	StartsAt       time.Time `db:"starts_at"`
	EndsAt         time.Time `db:"ends_at"`
	SalesCloseAt   time.Time `db:"sales_close_at"`
	Format         string    `db:"format"`
	ShowAttrs
	// LocalDate is the day of StartsAt in the theatre's zone (YYYY-MM-DD).
	LocalDate string `db:"local_date"`
	Capacity  int    `db:"capacity"`
	// SeatsLeft is only filled by queries that count claims.
	SeatsLeft int `db:"seats_left"`
}

// Location is the listing theatre's time zone (UTC when unknown).
func (l Listing) Location() *time.Location {
	return Theatre{TimeZone: l.TimeZone}.Location()
}

// MovieProgramme is one movie with its showtimes grouped by theatre, then by day.
type MovieProgramme struct {
	Movie    Movie
	Theatres []TheatreDays
}

// TheatreDays is one theatre's showtimes of a movie, by local day.
type TheatreDays struct {
	TheatreID   int64
	TheatreName string
	TimeZone    string
	Loc         *time.Location // TimeZone, loaded once
	Days        []DayListings
}

// Location is the theatre's time zone.
func (t TheatreDays) Location() *time.Location {
	if t.Loc != nil {
		return t.Loc
	}
	return Theatre{TimeZone: t.TimeZone}.Location()
}

// DayListings is the showtimes of one local day, in start order.
type DayListings struct {
	Date      string // YYYY-MM-DD in the theatre's zone
	Showtimes []Listing
}

// GroupListings groups listings into programmes: movies in the order given,
// theatres in first-seen order, then days and showtimes in listing order
// (queries order them by start). Movies without listings are left out.
func GroupListings(movies []Movie, listings []Listing) []MovieProgramme {
	locs := map[string]*time.Location{} // loading a zone reads a file: once per call
	byMovie := make(map[int64][]Listing, len(movies))
	for _, l := range listings {
		byMovie[l.MovieID] = append(byMovie[l.MovieID], l)
	}
	out := make([]MovieProgramme, 0, len(movies))
	for _, m := range movies {
		ls := byMovie[m.ID]
		if len(ls) == 0 {
			continue
		}
		out = append(out, MovieProgramme{Movie: m, Theatres: groupByTheatre(ls, locs)})
	}
	return out
}

func groupByTheatre(ls []Listing, locs map[string]*time.Location) []TheatreDays {
	var out []TheatreDays
	idx := map[int64]int{}
	for _, l := range ls {
		i, ok := idx[l.TheatreID]
		if !ok {
			i = len(out)
			idx[l.TheatreID] = i
			loc, ok := locs[l.TimeZone]
			if !ok {
				loc = l.Location()
				locs[l.TimeZone] = loc
			}
			out = append(out, TheatreDays{TheatreID: l.TheatreID, TheatreName: l.TheatreName, TimeZone: l.TimeZone, Loc: loc})
		}
		td := &out[i]
		if n := len(td.Days); n == 0 || td.Days[n-1].Date != l.LocalDate {
			td.Days = append(td.Days, DayListings{Date: l.LocalDate})
		}
		d := &td.Days[len(td.Days)-1]
		d.Showtimes = append(d.Showtimes, l)
	}
	return out
}

// CatalogFilter selects movies and showtimes of the programme. Zero values mean "any".
type CatalogFilter struct {
	Genre     string
	Query     string // part of a title, case-insensitive
	TheatreID int64
	Date      string // YYYY-MM-DD, a day in each theatre's own zone
}

// Key is a canonical string of the filter, for caches.
func (f CatalogFilter) Key() string {
	var b strings.Builder
	b.WriteString("g=")
	b.WriteString(strings.ToLower(f.Genre))
	b.WriteString("&q=")
	b.WriteString(strings.ToLower(f.Query))
	b.WriteString("&t=")
	b.WriteString(strconv.FormatInt(f.TheatreID, 10))
	b.WriteString("&d=")
	b.WriteString(f.Date)
	return b.String()
}
