package db

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// StaffTheatres returns the ids of the theatres a staff member or manager
// belongs to, in id order.
func (db *DB) StaffTheatres(ctx context.Context, userID int64) ([]int64, error) {
	var ids []int64
	err := db.selectAll(ctx, &ids, `
		SELECT theatre_id FROM staff_theatres WHERE user_id = $1 ORDER BY theatre_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("theatres of user %d: %w", userID, err)
	}
	return ids, nil
}

// SetStaffTheatres makes theatres the exact set a user belongs to and
// returns the set before, for the audit log.
func (db *DB) SetStaffTheatres(ctx context.Context, userID int64, theatres []int64) (before []int64, err error) {
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &before, `
			SELECT theatre_id FROM staff_theatres WHERE user_id = $1 ORDER BY theatre_id FOR UPDATE`, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			DELETE FROM staff_theatres WHERE user_id = $1 AND NOT (theatre_id = ANY($2))`, userID, pq.Array(theatres)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO staff_theatres (user_id, theatre_id)
			SELECT $1, t.id FROM theatres t WHERE t.id = ANY($2)
			ON CONFLICT DO NOTHING`, userID, pq.Array(theatres))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("set theatres of user %d: %w", userID, err)
	}
	return before, nil
}
