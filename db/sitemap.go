package db

import (
	"context"
	"fmt"
	"time"
)

// SitemapEntry is one public page for search engines: a movie (by slug) or a
// showtime (by id) still on sale.
type SitemapEntry struct {
	Slug       string `db:"slug"`        // a movie page when ShowtimeID is 0
	ShowtimeID int64  `db:"showtime_id"` // a showtime page
}

// Sitemap lists the movies that have a showtime on sale at now before until,
// and those showtimes, movies first.
func (db *DB) Sitemap(ctx context.Context, now, until time.Time) ([]SitemapEntry, error) {
	var out []SitemapEntry
	err := db.selectAll(ctx, &out, `
		WITH on_sale AS (
			SELECT s.id, s.movie_id
			FROM showtimes s
			WHERE s.status = 'scheduled' AND s.sales_close_at > $1 AND s.starts_at < $2
		)
		SELECT m.slug, 0::bigint AS showtime_id
		FROM movies m
		WHERE EXISTS (SELECT 1 FROM on_sale o WHERE o.movie_id = m.id)
		UNION ALL
		SELECT '' AS slug, o.id AS showtime_id
		FROM on_sale o
		ORDER BY showtime_id, slug`, now, until)
	if err != nil {
		return nil, fmt.Errorf("sitemap: %w", err)
	}
	return out, nil
}
