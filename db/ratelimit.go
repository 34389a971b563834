package db

import (
	"context"
	"fmt"
	"time"
)

// HitRateLimit counts one hit on key in a fixed window of the given length and
// returns the number of hits in the current window, including this one.
// One statement, so concurrent hits from any number of instances add up.
func (db *DB) HitRateLimit(ctx context.Context, key string, window time.Duration) (int, error) {
	var hits int
	now := db.Now()
	err := db.get(ctx, &hits, `
		INSERT INTO rate_limits AS r (key, window_start, hits) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE
		SET hits = CASE WHEN r.window_start <= $2 - $3 * interval '1 second' THEN 1 ELSE r.hits + 1 END,
		    window_start = CASE WHEN r.window_start <= $2 - $3 * interval '1 second' THEN $2 ELSE r.window_start END
		RETURNING hits`, key, now, window.Seconds())
	if err != nil {
		return 0, fmt.Errorf("rate limit: %w", err)
	}
	return hits, nil
}

// PruneRateLimits deletes counters whose window started before cutoff.
func (db *DB) PruneRateLimits(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.exec(ctx, `DELETE FROM rate_limits WHERE window_start < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("prune rate limits: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
