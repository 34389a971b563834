package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
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

// ForgetFailures deletes key's counter (a success after failures).
func (db *DB) ForgetFailures(ctx context.Context, key string) error {
	if _, err := db.exec(ctx, `DELETE FROM rate_limits WHERE key = $1`, key); err != nil {
		return fmt.Errorf("forget failures: %w", err)
	}
	return nil
}

// ClaimAttempt takes one attempt on key's failure counter before the attempt
// is made, so concurrent attempts can't all pass one check: under a lock on
// key (one transaction), wait(failures) says how long after the last counted
// attempt the next may come; when that time has come the attempt is counted
// (as a failure, until ForgetFailures says it succeeded) and 0 returned, else
// the time still to wait, counting nothing. Failures are forgotten once none
// came for the forget duration.
func (db *DB) ClaimAttempt(ctx context.Context, key string, forget time.Duration, wait func(failures int) time.Duration) (time.Duration, error) {
	var left time.Duration
	now := db.Now()
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := db.txExec(ctx, tx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key); err != nil {
			return err
		}
		var rows []struct {
			Hits int       `db:"hits"`
			Last time.Time `db:"window_start"`
		}
		s, err := db.txStmt(ctx, tx, `SELECT hits, window_start FROM rate_limits WHERE key = $1 AND window_start > $2`)
		if err != nil {
			return err
		}
		if err := s.SelectContext(ctx, &rows, key, now.Add(-forget)); err != nil {
			return err
		}
		if len(rows) > 0 {
			if left = rows[0].Last.Add(wait(rows[0].Hits)).Sub(now); left > 0 {
				return nil
			}
		}
		left = 0
		_, err = db.txExec(ctx, tx, `
			INSERT INTO rate_limits AS r (key, window_start, hits) VALUES ($1, $2, 1)
			ON CONFLICT (key) DO UPDATE
			SET hits = CASE WHEN r.window_start <= $2 - $3 * interval '1 second' THEN 1 ELSE r.hits + 1 END,
			    window_start = $2`, key, now, forget.Seconds())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("claim attempt: %w", err)
	}
	return left, nil
}

// UnhitRateLimit takes back one hit of key's current window (an attempt
// counted before it was made turned out a success).
func (db *DB) UnhitRateLimit(ctx context.Context, key string) error {
	if _, err := db.exec(ctx, `UPDATE rate_limits SET hits = greatest(hits - 1, 0) WHERE key = $1`, key); err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	return nil
}
