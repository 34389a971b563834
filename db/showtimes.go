package db

import (
	"context"
	"fmt"
	"time"

	"marquee/booking"
)

// listingColumns are the columns of booking.Listing, over
// showtimes s JOIN auditoriums a JOIN theatres t.
const listingColumns = `s.id, s.movie_id, t.id AS theatre_id, t.name AS theatre_name, t.time_zone,
	a.id AS auditorium_id, a.name AS auditorium_name, s.starts_at, s.ends_at, s.sales_close_at, s.format,
	s.version, s.language, s.audio_description, s.captions, s.event_label,
	to_char(s.starts_at AT TIME ZONE t.time_zone, 'YYYY-MM-DD') AS local_date, a.capacity`

// WhatsOn returns the programme of one day (date is YYYY-MM-DD, a local day in
// each theatre's zone): the movies with showtimes still on sale at now, each with
// its showtimes by theatre, movies by title. f.Date is required.
func (db *DB) WhatsOn(ctx context.Context, f booking.CatalogFilter, now time.Time) ([]booking.MovieProgramme, error) {
	if f.Date == "" {
		return nil, booking.Invalid("date", "A date is required.")
	}
	var ls []booking.Listing
	// The starts_at range (the local day ± 2 days, wider than any UTC offset)
	// lets the index on starts_at narrow the scan before the exact local-day test.
	err := db.selectAll(ctx, &ls, `
		SELECT `+listingColumns+`, 0 AS seats_left
		FROM showtimes s
		JOIN auditoriums a ON a.id = s.auditorium_id
		JOIN theatres t ON t.id = a.theatre_id
		JOIN movies m ON m.id = s.movie_id
		WHERE s.status = 'scheduled' AND s.published
		  AND s.starts_at >= ($1::date - 2)::timestamptz AND s.starts_at < ($1::date + 3)::timestamptz
		  AND (s.starts_at AT TIME ZONE t.time_zone)::date = $1::date
		  AND s.sales_close_at > $2
		  AND ($3::bigint = 0 OR t.id = $3)
		  AND ($4 = '' OR EXISTS (SELECT 1 FROM unnest(m.genres) g WHERE lower(g) = lower($4)))
		  AND ($5 = '' OR strpos(lower(m.title), lower($5)) > 0)
		ORDER BY m.title, m.id, t.name, t.id, s.starts_at, a.name`,
		f.Date, now, f.TheatreID, f.Genre, f.Query)
	if err != nil {
		return nil, fmt.Errorf("what's on %s: %w", f.Date, err)
	}
	return db.programmes(ctx, ls)
}

// MovieShowtimes returns a movie's showtimes still on sale at now and starting
// within the next days, grouped by theatre and local day.
func (db *DB) MovieShowtimes(ctx context.Context, movieID int64, now time.Time, days int) ([]booking.TheatreDays, error) {
	var ls []booking.Listing
	err := db.selectAll(ctx, &ls, `
		SELECT `+listingColumns+`, 0 AS seats_left
		FROM showtimes s
		JOIN auditoriums a ON a.id = s.auditorium_id
		JOIN theatres t ON t.id = a.theatre_id
		WHERE s.movie_id = $1
		  AND s.status = 'scheduled' AND s.published
		  AND s.sales_close_at > $2
		  -- sales close at most a day after the start: bounds the index range
		  -- so the history of past showtimes is never scanned
		  AND s.starts_at > $2::timestamptz - interval '1 day'
		  AND s.starts_at < $2::timestamptz + make_interval(days => $3)
		ORDER BY t.name, t.id, s.starts_at, a.name`,
		movieID, now, days)
	if err != nil {
		return nil, fmt.Errorf("showtimes of movie %d: %w", movieID, err)
	}
	ps := booking.GroupListings([]booking.Movie{{ID: movieID}}, ls)
	if len(ps) == 0 {
		return nil, nil
	}
	return ps[0].Theatres, nil
}

// ShowtimeFilter selects showtimes for the API. Date (YYYY-MM-DD, each
// theatre's local day) is required; zero ids mean "any".
type ShowtimeFilter struct {
	MovieID   int64
	TheatreID int64
	Date      string
}

// ListShowtimes returns the showtimes of a day still on sale at now, with
// seats left = capacity − live claims (sales, and holds not expired at now).
func (db *DB) ListShowtimes(ctx context.Context, f ShowtimeFilter, now time.Time) ([]booking.Listing, error) {
	if f.Date == "" {
		return nil, booking.Invalid("date", "A date is required.")
	}
	ls := []booking.Listing{}
	err := db.selectAll(ctx, &ls, `
		SELECT `+listingColumns+`,
		       a.capacity - (SELECT count(*) FROM seat_claims c
		                     WHERE c.showtime_id = s.id
		                       AND (c.expires_at IS NULL OR c.expires_at > $2)) AS seats_left
		FROM showtimes s
		JOIN auditoriums a ON a.id = s.auditorium_id
		JOIN theatres t ON t.id = a.theatre_id
		WHERE s.status = 'scheduled' AND s.published
		  AND s.starts_at >= ($1::date - 2)::timestamptz AND s.starts_at < ($1::date + 3)::timestamptz
		  AND (s.starts_at AT TIME ZONE t.time_zone)::date = $1::date
		  AND s.sales_close_at > $2
		  AND ($3::bigint = 0 OR s.movie_id = $3)
		  AND ($4::bigint = 0 OR t.id = $4)
		ORDER BY s.starts_at, t.name, a.name, s.id`,
		f.Date, now, f.MovieID, f.TheatreID)
	if err != nil {
		return nil, fmt.Errorf("list showtimes: %w", err)
	}
	return ls, nil
}

// programmes attaches the movies to listings ordered by movie.
func (db *DB) programmes(ctx context.Context, ls []booking.Listing) ([]booking.MovieProgramme, error) {
	if len(ls) == 0 {
		return []booking.MovieProgramme{}, nil
	}
	var ids []int64
	seen := map[int64]bool{}
	for _, l := range ls {
		if !seen[l.MovieID] {
			seen[l.MovieID] = true
			ids = append(ids, l.MovieID)
		}
	}
	ms, err := db.MoviesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	return booking.GroupListings(ms, ls), nil
}
