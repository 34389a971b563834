package db

import (
	"context"
	"fmt"
	"time"
)

// ReceiptNumber returns a paid order's receipt number, assigning the next
// number of the receipt_numbers sequence on first use. The conditional UPDATE
// takes a number only for an order that has none, so concurrent first views
// assign one number once (the second waits for the row lock, then finds it set).
func (db *DB) ReceiptNumber(ctx context.Context, orderID int64, now time.Time) (int64, time.Time, error) {
	var r struct {
		N  int64     `db:"receipt_number"`
		At time.Time `db:"receipt_issued_at"`
	}
	query := `
		WITH assigned AS (
			UPDATE orders SET receipt_number = nextval('receipt_numbers'), receipt_issued_at = $2
			WHERE id = $1 AND receipt_number IS NULL AND paid_at IS NOT NULL
			RETURNING receipt_number, receipt_issued_at
		)
		SELECT receipt_number, receipt_issued_at FROM assigned
		UNION ALL
		SELECT receipt_number, receipt_issued_at FROM orders WHERE id = $1 AND receipt_number IS NOT NULL
		LIMIT 1`
	err := db.get(ctx, &r, query, orderID, now)
	if isNotFound(err) {
		// A concurrent first view assigned the number after this statement's
		// snapshot was taken: a new statement sees it.
		err = db.get(ctx, &r, query, orderID, now)
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("receipt number of order %d: %w", orderID, err)
	}
	return r.N, r.At, nil
}
