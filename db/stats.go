package db

import (
	"context"
	"database/sql"
	"fmt"
)

// Stats are the connection pool's statistics (metrics).
func (db *DB) Stats() sql.DBStats { return db.x.Stats() }

// RefundsWaiting counts refunds recorded but not yet settled by the
// provider (the retry job's queue; metrics).
func (db *DB) RefundsWaiting(ctx context.Context) (int, error) {
	var n int
	if err := db.get(ctx, &n, `SELECT count(*) FROM refunds WHERE status = 'pending'`); err != nil {
		return 0, fmt.Errorf("refunds waiting: %w", err)
	}
	return n, nil
}

// MailQueue counts the order e-mails waiting to go: confirmations of paid
// orders not yet sent and showtime notices not yet sent (metrics).
func (db *DB) MailQueue(ctx context.Context) (int, error) {
	var n int
	if err := db.get(ctx, &n, `
		SELECT (SELECT count(*) FROM orders
		        WHERE confirmation_sent_at IS NULL AND paid_at IS NOT NULL AND status IN ('paid', 'partially_refunded'))
		     + (SELECT count(*) FROM showtime_notices WHERE sent_at IS NULL)`); err != nil {
		return 0, fmt.Errorf("mail queue: %w", err)
	}
	return n, nil
}
