package db

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// StaffAssignment is which theatres a member of staff belongs to and which
// of them is their home theatre (nil: none).
type StaffAssignment struct {
	Theatres []int64 `json:"theatres"`
	Home     *int64  `json:"home"`
}

// StaffAssignmentOf returns a user's theatres and home theatre.
func (db *DB) StaffAssignmentOf(ctx context.Context, userID int64) (StaffAssignment, error) {
	var a StaffAssignment
	ids, err := db.StaffTheatres(ctx, userID)
	if err != nil {
		return a, err
	}
	a.Theatres = ids
	if err := db.get(ctx, &a.Home, `SELECT home_theatre_id FROM users WHERE id = $1`, userID); err != nil {
		return a, fmt.Errorf("home theatre of user %d: %w", userID, err)
	}
	return a, nil
}

// AssignStaff makes a's theatres the exact set the user belongs to and a.Home
// their home theatre, in one transaction, and returns the assignment before.
// The caller checks that Home is one of Theatres.
func (db *DB) AssignStaff(ctx context.Context, userID int64, a StaffAssignment) (before StaffAssignment, err error) {
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &before.Home, `SELECT home_theatre_id FROM users WHERE id = $1 FOR UPDATE`, userID); err != nil {
			return mapErr(err)
		}
		return db.setStaffTheatresTx(ctx, tx, userID, a, &before.Theatres)
	})
	if err != nil {
		return before, fmt.Errorf("assign theatres to user %d: %w", userID, err)
	}
	if before.Theatres == nil {
		before.Theatres = []int64{}
	}
	return before, nil
}

func (db *DB) setStaffTheatresTx(ctx context.Context, tx *sqlx.Tx, userID int64, a StaffAssignment, before *[]int64) error {
	if before != nil {
		if err := tx.SelectContext(ctx, before, `
			SELECT theatre_id FROM staff_theatres WHERE user_id = $1 ORDER BY theatre_id`, userID); err != nil {
			return err
		}
	}
	theatres := a.Theatres
	if theatres == nil {
		theatres = []int64{}
	}
	if _, err := tx.ExecContext(ctx, `
		DELETE FROM staff_theatres WHERE user_id = $1 AND NOT (theatre_id = ANY($2))`, userID, pq.Array(theatres)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO staff_theatres (user_id, theatre_id)
		SELECT $1, t.id FROM theatres t WHERE t.id = ANY($2)
		ON CONFLICT DO NOTHING`, userID, pq.Array(theatres)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE users SET home_theatre_id = $2 WHERE id = $1`, userID, a.Home)
	return err
}
