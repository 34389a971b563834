package db

import (
	"context"
	"fmt"
	"time"
)

// Counter sale keys: the sale form carries a random key, claimed here before
// the order is placed (one conditional INSERT), so a form submitted twice
// makes one order; the second submission is shown the first one's order.

// ClaimSaleKey claims a sale form's key for the member of staff. claimed is
// false when the key was claimed before; orderCode is then that sale's order
// ("" while it is still being placed).
func (db *DB) ClaimSaleKey(ctx context.Context, key string, staffID int64, now time.Time) (claimed bool, orderCode string, err error) {
	var got []string
	if err := db.selectAll(ctx, &got, `
		INSERT INTO counter_sale_keys (key, staff_user_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO NOTHING RETURNING key`, key, staffID, now); err != nil {
		return false, "", fmt.Errorf("claim sale key: %w", err)
	}
	if len(got) == 1 {
		return true, "", nil
	}
	code, err := db.SaleKeyOrder(ctx, key, staffID)
	return false, code, err
}

// SaleKeyOrder is the order made under a sale key by the member of staff ("" : none yet).
func (db *DB) SaleKeyOrder(ctx context.Context, key string, staffID int64) (string, error) {
	var codes []string
	if err := db.selectAll(ctx, &codes, `
		SELECT coalesce(order_code, '') FROM counter_sale_keys WHERE key = $1 AND staff_user_id = $2`, key, staffID); err != nil {
		return "", fmt.Errorf("sale key: %w", err)
	}
	if len(codes) == 0 {
		return "", nil
	}
	return codes[0], nil
}

// FinishSaleKey records the order made under a claimed key; ReleaseSaleKey
// gives the key up again when the sale was refused (the form may be
// corrected and sent again).
func (db *DB) FinishSaleKey(ctx context.Context, key, orderCode string) error {
	if _, err := db.exec(ctx, `UPDATE counter_sale_keys SET order_code = $2 WHERE key = $1`, key, orderCode); err != nil {
		return fmt.Errorf("finish sale key: %w", err)
	}
	return nil
}

// ReleaseSaleKey: see FinishSaleKey.
func (db *DB) ReleaseSaleKey(ctx context.Context, key string) error {
	if _, err := db.exec(ctx, `DELETE FROM counter_sale_keys WHERE key = $1 AND order_code IS NULL`, key); err != nil {
		return fmt.Errorf("release sale key: %w", err)
	}
	return nil
}
