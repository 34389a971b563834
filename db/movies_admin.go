package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/booking"
)

// The catalogue as managers edit it (/manage/movies): create, edit, archive,
// posters. Every change updates the movies row, so its trigger bumps the
// catalogue version and notifies every instance (their caches drop it).

// ManagedMovie is a movie as the manager's list shows it.
type ManagedMovie struct {
	booking.Movie
	Upcoming int `db:"upcoming"` // scheduled showtimes not yet over
}

// MovieFilter selects movies for the manager's list.
type MovieFilter struct {
	Query    string // part of the title or original title
	Archived bool   // archived movies instead of current ones
	Limit    int    // at most this many (default and cap 500)
}

// ManageMovies returns the movies matching f ordered by title, how many match
// in all, and each one's count of showtimes still to come (at now).
func (db *DB) ManageMovies(ctx context.Context, f MovieFilter, now time.Time) ([]ManagedMovie, int, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	var rows []struct {
		movieRow
		Upcoming int `db:"upcoming"`
	}
	err := db.selectAll(ctx, &rows, `
		SELECT `+movieColumns+`, count(*) OVER () AS total,
		       (SELECT count(*) FROM showtimes s
		        WHERE s.movie_id = m.id AND s.status = 'scheduled' AND s.ends_at > $3) AS upcoming
		FROM movies m
		WHERE (m.archived_at IS NOT NULL) = $2
		  AND ($1 = '' OR strpos(lower(m.title), lower($1)) > 0 OR strpos(lower(m.original_title), lower($1)) > 0)
		ORDER BY lower(m.title), m.id
		LIMIT $4`, f.Query, f.Archived, now, f.Limit)
	if err != nil {
		return nil, 0, fmt.Errorf("manage movies: %w", err)
	}
	out := make([]ManagedMovie, len(rows))
	total := 0
	for i, r := range rows {
		out[i] = ManagedMovie{Movie: r.movie(), Upcoming: r.Upcoming}
		total = r.Total
	}
	return out, total, nil
}

// CreateMovie adds m to the catalogue under a slug made from its title
// (booking.Slugify, made unique with -2, -3…) and returns it as stored.
func (db *DB) CreateMovie(ctx context.Context, m booking.Movie) (booking.Movie, error) {
	base := booking.Slugify(m.Title)
	var id int64
	var err error
	// Two managers adding the same title at once take turns (a lock on the
	// slug's name until commit), so the second sees the first's slug taken.
	// The unique index stays the guard: a clash (a movie added some other
	// way meanwhile) is tried again.
	for attempt := 0; attempt < 3; attempt++ {
		err = db.InTx(ctx, func(tx *sqlx.Tx) error {
			if _, err := db.txExec(ctx, tx, `SELECT pg_advisory_xact_lock(hashtext('movie slug ' || $1))`, base); err != nil {
				return err
			}
			var taken []string
			s, err := db.txStmt(ctx, tx, `
				SELECT slug FROM movies WHERE slug = $1 OR slug LIKE $2 || '-%'`)
			if err != nil {
				return err
			}
			if err := s.SelectContext(ctx, &taken, base, likeEscape(base)); err != nil {
				return err
			}
			return db.txGet(ctx, tx, &id, `
				INSERT INTO movies (slug, title, original_title, genres, director, cast_members, runtime_min,
				                    rating, synopsis, trailer_url, release_date, distributor, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
				RETURNING id`,
				booking.UniqueSlug(base, taken), m.Title, m.OriginalTitle, pq.Array(m.Genres), m.Director,
				pq.Array(m.Cast), m.RuntimeMin, m.Rating, m.Synopsis, m.TrailerURL, m.ReleaseDate,
				m.Distributor, db.Now())
		})
		if booking.ErrorCode(err) != booking.ECONFLICT {
			break
		}
	}
	if err != nil {
		return booking.Movie{}, fmt.Errorf("create movie %q: %w", m.Title, err)
	}
	return db.MovieByID(ctx, id)
}

// lockMovie reads a movie and locks its row until the transaction ends.
// FOR UPDATE also waits for, and then holds off, showtimes being added for it
// (their foreign key takes a share lock on the row).
func (db *DB) lockMovie(ctx context.Context, tx *sqlx.Tx, id int64) (booking.Movie, error) {
	var r movieRow
	if err := db.txGet(ctx, tx, &r, `SELECT `+movieColumns+`, 0 AS total FROM movies m WHERE m.id = $1 FOR UPDATE`, id); err != nil {
		return booking.Movie{}, err
	}
	return r.movie(), nil
}

// UpdateMovie replaces the details of movie id with m's (its slug, poster
// and archive state stay) and returns the movie before and after.
func (db *DB) UpdateMovie(ctx context.Context, id int64, m booking.Movie) (before, after booking.Movie, err error) {
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		if before, err = db.lockMovie(ctx, tx, id); err != nil {
			return err
		}
		_, err := db.txExec(ctx, tx, `
			UPDATE movies SET title = $2, original_title = $3, genres = $4, director = $5, cast_members = $6,
			       runtime_min = $7, rating = $8, synopsis = $9, trailer_url = $10, release_date = $11,
			       distributor = $12, updated_at = $13
			WHERE id = $1`,
			id, m.Title, m.OriginalTitle, pq.Array(m.Genres), m.Director, pq.Array(m.Cast), m.RuntimeMin,
			m.Rating, m.Synopsis, m.TrailerURL, m.ReleaseDate, m.Distributor, db.Now())
		if err != nil {
			return err
		}
		after, err = db.lockMovie(ctx, tx, id)
		return err
	})
	if err != nil {
		return booking.Movie{}, booking.Movie{}, fmt.Errorf("update movie %d: %w", id, err)
	}
	return before, after, nil
}

// ArchiveMovie takes movie id out of the catalogue at now, refusing (ECONFLICT,
// booking.ErrMovieHasShowtimes) while it has scheduled showtimes not yet over.
// The movie's row is locked first, so no showtime can be added meanwhile.
// Archiving an archived movie changes nothing. It returns the movie after.
func (db *DB) ArchiveMovie(ctx context.Context, id int64, now time.Time) (booking.Movie, error) {
	var after booking.Movie
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		m, err := db.lockMovie(ctx, tx, id)
		if err != nil {
			return err
		}
		if m.Archived() {
			after = m
			return nil
		}
		var next []struct {
			StartsAt   time.Time `db:"starts_at"`
			Theatre    string    `db:"theatre"`
			Auditorium string    `db:"auditorium"`
			TimeZone   string    `db:"time_zone"`
			N          int       `db:"n"`
		}
		s, err := db.txStmt(ctx, tx, `
			SELECT s.starts_at, t.name AS theatre, a.name AS auditorium, t.time_zone, count(*) OVER () AS n
			FROM showtimes s
			JOIN auditoriums a ON a.id = s.auditorium_id
			JOIN theatres t ON t.id = a.theatre_id
			WHERE s.movie_id = $1 AND s.status = 'scheduled' AND s.ends_at > $2
			ORDER BY s.starts_at
			LIMIT 1`)
		if err != nil {
			return err
		}
		if err := s.SelectContext(ctx, &next, id, now); err != nil {
			return err
		}
		if len(next) > 0 {
			n := next[0]
			loc := booking.Theatre{TimeZone: n.TimeZone}.Location()
			return booking.ErrMovieHasShowtimes(m.Title, n.N, n.StartsAt.In(loc), n.Theatre+", "+n.Auditorium)
		}
		if _, err := db.txExec(ctx, tx, `UPDATE movies SET archived_at = $2, updated_at = $2 WHERE id = $1`, id, now); err != nil {
			return err
		}
		after, err = db.lockMovie(ctx, tx, id)
		return err
	})
	if err != nil {
		return booking.Movie{}, fmt.Errorf("archive movie %d: %w", id, err)
	}
	return after, nil
}

// UnarchiveMovie puts an archived movie back in the catalogue and returns it.
func (db *DB) UnarchiveMovie(ctx context.Context, id int64, now time.Time) (booking.Movie, error) {
	if _, err := db.exec(ctx, `UPDATE movies SET archived_at = NULL, updated_at = $2 WHERE id = $1 AND archived_at IS NOT NULL`, id, now); err != nil {
		return booking.Movie{}, fmt.Errorf("unarchive movie %d: %w", id, err)
	}
	return db.MovieByID(ctx, id)
}

// PosterImage is one stored rendition of a movie's poster.
type PosterImage struct {
	Size          string `db:"size"` // "card" or "detail"
	ContentType   string `db:"content_type"`
	Width, Height int
	Data          []byte `db:"data"`
	Digest        string `db:"digest"`
}

// SetPoster stores the renditions of movie id's new poster (replacing the
// previous upload's) and points the movie at them (the "detail" rendition
// is its poster, the "card" one its listing poster) in one transaction. It
// returns the movie before and after.
func (db *DB) SetPoster(ctx context.Context, id int64, imgs []PosterImage) (before, after booking.Movie, err error) {
	urls := map[string]string{}
	for _, img := range imgs {
		urls[img.Size] = booking.PosterURL(img.Digest)
	}
	if urls["card"] == "" || urls["detail"] == "" {
		return before, after, fmt.Errorf("set poster of movie %d: a card and a detail rendition are needed", id)
	}
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		if before, err = db.lockMovie(ctx, tx, id); err != nil {
			return err
		}
		for _, img := range imgs {
			if _, err := db.txExec(ctx, tx, `
				INSERT INTO movie_posters (movie_id, size, digest, content_type, width, height, data, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (movie_id, size) DO UPDATE SET digest = excluded.digest,
				    content_type = excluded.content_type, width = excluded.width, height = excluded.height,
				    data = excluded.data, created_at = excluded.created_at`,
				id, img.Size, img.Digest, img.ContentType, img.Width, img.Height, img.Data, db.Now()); err != nil {
				return err
			}
		}
		if _, err := db.txExec(ctx, tx, `
			UPDATE movies SET poster = $2, poster_card = $3, updated_at = $4 WHERE id = $1`,
			id, urls["detail"], urls["card"], db.Now()); err != nil {
			return err
		}
		after, err = db.lockMovie(ctx, tx, id)
		return err
	})
	if err != nil {
		return booking.Movie{}, booking.Movie{}, fmt.Errorf("set poster of movie %d: %w", id, err)
	}
	return before, after, nil
}

// PosterByDigest returns the stored poster image with that digest, ENOTFOUND when none.
func (db *DB) PosterByDigest(ctx context.Context, digest string) (PosterImage, error) {
	var p PosterImage
	err := db.get(ctx, &p, `
		SELECT size, content_type, data, digest FROM movie_posters WHERE digest = $1 LIMIT 1`, digest)
	if err != nil {
		return PosterImage{}, fmt.Errorf("poster %s: %w", digest, err)
	}
	return p, nil
}

// UpcomingShowtimes counts movie id's scheduled showtimes not over at now.
func (db *DB) UpcomingShowtimes(ctx context.Context, id int64, now time.Time) (int, error) {
	var n int
	err := db.get(ctx, &n, `
		SELECT count(*) FROM showtimes WHERE movie_id = $1 AND status = 'scheduled' AND ends_at > $2`, id, now)
	if err != nil {
		return 0, fmt.Errorf("upcoming showtimes of movie %d: %w", id, err)
	}
	return n, nil
}
