package db

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"marquee/booking"
)

// movieRow is a movies row as scanned; arrays need lib/pq's types.
type movieRow struct {
	booking.Movie
	GenresArr pq.StringArray `db:"genres"`
	CastArr   pq.StringArray `db:"cast_members"`
	Total     int            `db:"total"`
}

func (r movieRow) movie() booking.Movie {
	m := r.Movie
	m.Genres = []string(r.GenresArr)
	m.Cast = []string(r.CastArr)
	if m.Genres == nil {
		m.Genres = []string{}
	}
	if m.Cast == nil {
		m.Cast = []string{}
	}
	return m
}

func movies(rows []movieRow) []booking.Movie {
	out := make([]booking.Movie, len(rows))
	for i, r := range rows {
		out[i] = r.movie()
	}
	return out
}

const movieColumns = `m.id, m.slug, m.title, m.genres, m.director, m.cast_members, m.runtime_min,
	m.rating, m.synopsis, m.poster, m.trailer_url, m.release_date,
	m.original_title, m.distributor, m.poster_card, m.archived_at`

// MovieByID returns one movie, ENOTFOUND when there is none.
func (db *DB) MovieByID(ctx context.Context, id int64) (booking.Movie, error) {
	var r movieRow
	err := db.get(ctx, &r, `SELECT `+movieColumns+`, 0 AS total FROM movies m WHERE m.id = $1`, id)
	if err != nil {
		return booking.Movie{}, fmt.Errorf("movie %d: %w", id, err)
	}
	return r.movie(), nil
}

// MovieBySlug returns one movie by its URL name, ENOTFOUND when there is none.
func (db *DB) MovieBySlug(ctx context.Context, slug string) (booking.Movie, error) {
	var r movieRow
	err := db.get(ctx, &r, `SELECT `+movieColumns+`, 0 AS total FROM movies m WHERE m.slug = $1`, slug)
	if err != nil {
		return booking.Movie{}, fmt.Errorf("movie %q: %w", slug, err)
	}
	return r.movie(), nil
}

// MoviesByID returns the movies with these ids, ordered by title.
func (db *DB) MoviesByID(ctx context.Context, ids []int64) ([]booking.Movie, error) {
	var rows []movieRow
	err := db.selectAll(ctx, &rows, `
		SELECT `+movieColumns+`, 0 AS total
		FROM movies m
		WHERE m.id = ANY($1::bigint[])
		ORDER BY m.title, m.id`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("movies by id: %w", err)
	}
	return movies(rows), nil
}

// ListMovies returns one page of the current (not archived) movies matching
// f, ordered by title, and how many match in all. With a theatre or a date, only movies with a showtime
// still on sale (at now) there / then are listed; dates are each theatre's local days.
func (db *DB) ListMovies(ctx context.Context, f booking.CatalogFilter, now time.Time, limit, offset int) ([]booking.Movie, int, error) {
	var rows []movieRow
	err := db.selectAll(ctx, &rows, `
		SELECT `+movieColumns+`, count(*) OVER () AS total
		FROM movies m
		WHERE m.archived_at IS NULL
		  AND ($1 = '' OR EXISTS (SELECT 1 FROM unnest(m.genres) g WHERE lower(g) = lower($1)))
		  AND ($2 = '' OR strpos(lower(m.title), lower($2)) > 0)
		  AND (($3::bigint = 0 AND $4::date IS NULL) OR EXISTS (
			SELECT 1
			FROM showtimes s
			JOIN auditoriums a ON a.id = s.auditorium_id
			JOIN theatres t ON t.id = a.theatre_id
			WHERE s.movie_id = m.id
			  AND s.status = 'scheduled' AND s.published
			  AND s.sales_close_at > $5
			  AND s.starts_at > $5::timestamptz - interval '1 day' -- index range, as in MovieShowtimes
			  AND ($3::bigint = 0 OR a.theatre_id = $3)
			  AND ($4::date IS NULL OR (s.starts_at AT TIME ZONE t.time_zone)::date = $4::date)))
		ORDER BY m.title, m.id
		LIMIT $6 OFFSET $7`,
		f.Genre, f.Query, f.TheatreID, nullDate(f.Date), now, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list movies: %w", err)
	}
	total := 0
	if len(rows) > 0 {
		total = rows[0].Total
	} else if offset > 0 {
		// Past the last page: count separately so the client still learns the total.
		_, total, err = db.ListMovies(ctx, f, now, 1, 0)
		if err != nil {
			return nil, 0, err
		}
	}
	return movies(rows), total, nil
}

// Genres returns every genre of the current catalogue, sorted.
func (db *DB) Genres(ctx context.Context) ([]string, error) {
	var gs []string
	err := db.selectAll(ctx, &gs, `
		SELECT DISTINCT g FROM movies m, unnest(m.genres) g WHERE m.archived_at IS NULL ORDER BY g`)
	if err != nil {
		return nil, fmt.Errorf("genres: %w", err)
	}
	return gs, nil
}

// nullDate passes an empty date as SQL NULL ("any day").
func nullDate(d string) any {
	if d == "" {
		return nil
	}
	return d
}
