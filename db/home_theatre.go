package db

import (
	"context"
	"fmt"
)

// HomeTheatre is the theatre a box-office account's board opens on (0: none chosen).
func (db *DB) HomeTheatre(ctx context.Context, userID int64) (int64, error) {
	var id int64
	if err := db.get(ctx, &id, `SELECT coalesce(home_theatre_id, 0) FROM users WHERE id = $1`, userID); err != nil {
		return 0, fmt.Errorf("home theatre of %d: %w", userID, err)
	}
	return id, nil
}

// SetHomeTheatre makes theatreID the account's home theatre and returns the one before (0: none).
func (db *DB) SetHomeTheatre(ctx context.Context, userID, theatreID int64) (before int64, err error) {
	err = db.get(ctx, &before, `
		UPDATE users u SET home_theatre_id = $2 FROM users old
		WHERE u.id = $1 AND old.id = u.id
		RETURNING coalesce(old.home_theatre_id, 0)`, userID, theatreID)
	if err != nil {
		return 0, fmt.Errorf("set home theatre of %d: %w", userID, err)
	}
	return before, nil
}
