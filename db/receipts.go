package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"marquee/booking"
)

// ReceiptNumber returns a paid order's receipt number, assigning the next
// number on first use. Numbers are gapless: the order row is locked first, and
// only an order without a number takes one from the one-row counter, in the
// same short transaction (concurrent first views of one order wait for the
// lock and then read the number assigned).
func (db *DB) ReceiptNumber(ctx context.Context, orderID int64, now time.Time) (int64, time.Time, error) {
	var r struct {
		N    *int64     `db:"receipt_number"`
		At   *time.Time `db:"receipt_issued_at"`
		Paid bool       `db:"paid"`
	}
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &r, `
			SELECT receipt_number, receipt_issued_at, paid_at IS NOT NULL AS paid
			FROM orders WHERE id = $1 FOR UPDATE`, orderID); err != nil {
			return err
		}
		if r.N != nil {
			return nil
		}
		if !r.Paid {
			return booking.Errorf(booking.ENOTFOUND, "This order has no receipt yet: it isn't paid.")
		}
		return tx.GetContext(ctx, &r, `
			WITH next AS (UPDATE receipt_counter SET last = last + 1 RETURNING last)
			UPDATE orders SET receipt_number = (SELECT last FROM next), receipt_issued_at = $2
			WHERE id = $1
			RETURNING receipt_number, receipt_issued_at, true AS paid`, orderID, now)
	})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("receipt number of order %d: %w", orderID, err)
	}
	return *r.N, *r.At, nil
}

// PaymentMethod says how an order was paid, for its receipt: from its
// successful payment (payments, 00008), else "card".
func (db *DB) PaymentMethod(ctx context.Context, orderID int64) (string, error) {
	var provider []string
	if err := db.selectAll(ctx, &provider, `
		SELECT provider FROM payments
		WHERE order_id = $1 AND status IN ('succeeded', 'refunded')
		ORDER BY id DESC LIMIT 1`, orderID); err != nil {
		return "", fmt.Errorf("payment method of order %d: %w", orderID, err)
	}
	if len(provider) == 0 {
		return "card", nil
	}
	switch provider[0] {
	case "stripe":
		return "card (online, Stripe)", nil
	case "demo":
		return "demo payment (no money taken)", nil
	case "cash":
		return "cash", nil
	case "card_present":
		return "card at the counter", nil
	}
	return provider[0], nil
}
