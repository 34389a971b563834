package db

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// The two places where accounts touch the orders table, which belongs to the
// booking area (db/migrations/00004_orders.sql: orders.user_id nullable,
// orders.email). Both check that the table exists, so accounts work on a
// schema without orders; once 00004 is in, the check always succeeds.

// ordersTableExists reports whether the orders table is in the schema.
func (db *DB) ordersTableExists(ctx context.Context, tx *sqlx.Tx) (bool, error) {
	var ok bool
	if err := db.txGet(ctx, tx, &ok, `SELECT to_regclass('orders') IS NOT NULL`); err != nil {
		return false, fmt.Errorf("orders table: %w", err)
	}
	return ok, nil
}

// adoptGuestOrders gives the account the guest orders placed with its
// address. Called only once the address is proven (confirmation link, reset
// link or e-mail change link), never at registration.
func (db *DB) adoptGuestOrders(ctx context.Context, tx *sqlx.Tx, userID int64, email string) error {
	ok, err := db.ordersTableExists(ctx, tx)
	if err != nil || !ok {
		return err
	}
	n, err := db.txExec(ctx, tx, `UPDATE orders SET user_id = $1 WHERE user_id IS NULL AND lower(email) = lower($2)`, userID, email)
	if err != nil {
		return fmt.Errorf("adopt guest orders: %w", err)
	}
	if n > 0 {
		db.logger.Info("guest orders adopted", "user_id", userID, "orders", n)
	}
	return nil
}

// anonymiseOrders is the hook account deletion calls, in its transaction:
// orders are kept (accounting, refunds) but no longer say who placed them.
// Booking area: extend this with any other personal column orders or their
// items gain (names on tickets, phone numbers…).
func (db *DB) anonymiseOrders(ctx context.Context, tx *sqlx.Tx, userID int64) error {
	ok, err := db.ordersTableExists(ctx, tx)
	if err != nil || !ok {
		return err
	}
	if _, err := db.txExec(ctx, tx, `
		UPDATE orders SET email = 'deleted-' || user_id || '@deleted.invalid'
		WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("anonymise orders: %w", err)
	}
	return nil
}
