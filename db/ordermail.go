package db

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"marquee/booking"
)

// The mail jobs claim their work with one conditional UPDATE … RETURNING over
// rows locked FOR UPDATE SKIP LOCKED: with several instances running the same
// job, each order is claimed (and e-mailed) by exactly one of them.

// ClaimConfirmations marks up to limit orders paid since `since` that have had
// no confirmation e-mail as sent at now, and returns their codes.
func (db *DB) ClaimConfirmations(ctx context.Context, since, now time.Time, limit int) ([]string, error) {
	var codes []string
	err := db.selectAll(ctx, &codes, `
		UPDATE orders SET confirmation_sent_at = $2
		WHERE id IN (
			SELECT id FROM orders
			WHERE confirmation_sent_at IS NULL AND paid_at IS NOT NULL AND paid_at >= $1
			  AND status = ANY($3::text[])
			ORDER BY paid_at LIMIT $4
			FOR UPDATE SKIP LOCKED)
		RETURNING code`, since, now, pq.Array([]string{booking.OrderPaid, booking.OrderPartiallyRefunded}), limit)
	if err != nil {
		return nil, fmt.Errorf("claim confirmations: %w", err)
	}
	return codes, nil
}

// UnclaimConfirmation puts an order back in the confirmation queue (sending failed).
func (db *DB) UnclaimConfirmation(ctx context.Context, code string) error {
	_, err := db.exec(ctx, `UPDATE orders SET confirmation_sent_at = NULL WHERE code = $1`, code)
	return err
}

// ClaimReminders marks up to limit live orders whose show starts within
// (now, now+before] and that have had no reminder as reminded at now, and
// returns their codes.
func (db *DB) ClaimReminders(ctx context.Context, now time.Time, before time.Duration, limit int) ([]string, error) {
	var codes []string
	err := db.selectAll(ctx, &codes, `
		UPDATE orders SET reminder_sent_at = $1
		WHERE id IN (
			SELECT o.id FROM orders o JOIN showtimes s ON s.id = o.showtime_id
			WHERE o.reminder_sent_at IS NULL AND o.status = ANY($3::text[])
			  AND s.status = 'scheduled' AND s.starts_at > $1 AND s.starts_at <= $2
			ORDER BY s.starts_at LIMIT $4
			FOR UPDATE OF o SKIP LOCKED)
		RETURNING code`, now, now.Add(before), pq.Array([]string{booking.OrderPaid, booking.OrderPartiallyRefunded}), limit)
	if err != nil {
		return nil, fmt.Errorf("claim reminders: %w", err)
	}
	return codes, nil
}

// ShowtimeNotice is a queued "your show was cancelled/moved" e-mail.
type ShowtimeNotice struct {
	ID          int64      `db:"id"`
	OrderCode   string     `db:"code"`
	Kind        string     `db:"kind"`
	OldStartsAt *time.Time `db:"old_starts_at"`
}

// ClaimNotices marks up to limit queued showtime notices as sent at now and returns them.
func (db *DB) ClaimNotices(ctx context.Context, now time.Time, limit int) ([]ShowtimeNotice, error) {
	var ns []ShowtimeNotice
	err := db.selectAll(ctx, &ns, `
		WITH claimed AS (
			UPDATE showtime_notices SET sent_at = $1
			WHERE id IN (
				SELECT id FROM showtime_notices WHERE sent_at IS NULL
				ORDER BY created_at LIMIT $2
				FOR UPDATE SKIP LOCKED)
			RETURNING id, order_id, kind, old_starts_at
		)
		SELECT c.id, o.code, c.kind, c.old_starts_at FROM claimed c JOIN orders o ON o.id = c.order_id
		ORDER BY c.id`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("claim notices: %w", err)
	}
	return ns, nil
}

// LiveOrderCodes returns the codes of a showtime's paid (or partly refunded) orders.
func (db *DB) LiveOrderCodes(ctx context.Context, showtimeID int64) ([]string, error) {
	var codes []string
	err := db.selectAll(ctx, &codes, `SELECT code FROM orders WHERE showtime_id = $1 AND status = ANY($2::text[]) ORDER BY id`,
		showtimeID, pq.Array([]string{booking.OrderPaid, booking.OrderPartiallyRefunded}))
	if err != nil {
		return nil, fmt.Errorf("orders of showtime %d: %w", showtimeID, err)
	}
	return codes, nil
}
