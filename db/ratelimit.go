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
	return db.HitRateLimitN(ctx, key, window, 1)
}

// HitRateLimitN is HitRateLimit counting n hits at once.
func (db *DB) HitRateLimitN(ctx context.Context, key string, window time.Duration, n int) (int, error) {
	var hits int
	now := db.Now()
	err := db.get(ctx, &hits, `
		INSERT INTO rate_limits AS r (key, window_start, hits) VALUES ($1, $2, $4)
		ON CONFLICT (key) DO UPDATE
		SET hits = CASE WHEN r.window_start <= $2 - $3 * interval '1 second' THEN $4 ELSE r.hits + $4 END,
		    window_start = CASE WHEN r.window_start <= $2 - $3 * interval '1 second' THEN $2 ELSE r.window_start END
		RETURNING hits`, key, now, window.Seconds(), n)
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

// RateLimitHits returns the hits counted on key in its current window
// (HitRateLimit's counter) without counting one.
func (db *DB) RateLimitHits(ctx context.Context, key string, window time.Duration) (int, error) {
	var hits []int
	err := db.selectAll(ctx, &hits, `SELECT hits FROM rate_limits WHERE key = $1 AND window_start > $2`, key, db.Now().Add(-window))
	if err != nil {
		return 0, fmt.Errorf("rate limit: %w", err)
	}
	if len(hits) == 0 {
		return 0, nil
	}
	return hits[0], nil
}

// RecordFailure counts a failure on key and returns the failures counted;
// failures are forgotten once none came for the forget duration. The row's
// window_start is the last failure (FailuresOf).
func (db *DB) RecordFailure(ctx context.Context, key string, forget time.Duration) (int, error) {
	var n int
	now := db.Now()
	err := db.get(ctx, &n, `
		INSERT INTO rate_limits AS r (key, window_start, hits) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE
		SET hits = CASE WHEN r.window_start <= $2 - $3 * interval '1 second' THEN 1 ELSE r.hits + 1 END,
		    window_start = $2
		RETURNING hits`, key, now, forget.Seconds())
	if err != nil {
		return 0, fmt.Errorf("record failure: %w", err)
	}
	return n, nil
}

// FailuresOf returns the failures RecordFailure counted on key and when the
// last one was (0 when they are forgotten).
func (db *DB) FailuresOf(ctx context.Context, key string, forget time.Duration) (int, time.Time, error) {
	var rows []struct {
		Hits int       `db:"hits"`
		Last time.Time `db:"window_start"`
	}
	err := db.selectAll(ctx, &rows, `SELECT hits, window_start FROM rate_limits WHERE key = $1 AND window_start > $2`, key, db.Now().Add(-forget))
	if err != nil || len(rows) == 0 {
		if err != nil {
			err = fmt.Errorf("failures: %w", err)
		}
		return 0, time.Time{}, err
	}
	return rows[0].Hits, rows[0].Last, nil
}

// ForgetFailures deletes key's counter (a success after failures).
func (db *DB) ForgetFailures(ctx context.Context, key string) error {
	if _, err := db.exec(ctx, `DELETE FROM rate_limits WHERE key = $1`, key); err != nil {
		return fmt.Errorf("forget failures: %w", err)
	}
	return nil
}
