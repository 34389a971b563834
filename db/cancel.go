package db

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/booking"
)

// Planner decides, on the order as locked in the transaction, what to cancel and refund.
type Planner func(o booking.Order, startsAt time.Time) (booking.Cancellation, error)

// CancelSeats cancels seats of an order in one short transaction: it locks
// the order row (so concurrent cancellations queue and the second sees the
// first's result), asks plan what to cancel on the current state, marks the
// items cancelled, deletes their seat claims (the trigger tells live seat maps
// at once), moves the order through the state machine (cancelled or refunded
// when no seat is left, else partially_refunded) and records a pending refund.
// The caller sends the refund to the provider after this returns, never inside.
func (db *DB) CancelSeats(ctx context.Context, code, reason string, now time.Time, plan Planner) (booking.Refund, error) {
	var out booking.Refund
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = db.cancelSeatsTx(ctx, tx, code, reason, now, plan)
		return err
	})
	if err != nil {
		return booking.Refund{}, fmt.Errorf("cancel seats of %s: %w", code, err)
	}
	return out, nil
}

// cancelSeatsTx is CancelSeats in the caller's transaction (the box office
// adds how the money goes back in the same transaction: CancelAtCounter).
func (db *DB) cancelSeatsTx(ctx context.Context, tx *sqlx.Tx, code, reason string, now time.Time, plan Planner) (booking.Refund, error) {
	o, startsAt, err := db.lockOrder(ctx, tx, code)
	if err != nil {
		return booking.Refund{}, err
	}
	c, err := plan(o, startsAt)
	if err != nil {
		return booking.Refund{}, err
	}
	n, err := db.txExec(ctx, tx, `
			UPDATE order_items SET status = $3, cancelled_at = $4
			WHERE order_id = $1 AND seat_id = ANY($2::bigint[]) AND status = $5`,
		o.ID, pq.Array(c.SeatIDs), booking.ItemCancelled, now, booking.ItemSold)
	if err != nil {
		return booking.Refund{}, fmt.Errorf("cancel items: %w", err)
	}
	if n != int64(len(c.SeatIDs)) { // cannot happen under the row lock; refuse rather than refund wrongly
		return booking.Refund{}, booking.Errorf(booking.ECONFLICT, "These seats were changed meanwhile. Please reload and try again.")
	}
	if _, err := db.txExec(ctx, tx, `
			DELETE FROM seat_claims WHERE showtime_id = $1 AND order_id = $2 AND seat_id = ANY($3::bigint[])`,
		o.ShowtimeID, o.ID, pq.Array(c.SeatIDs)); err != nil {
		return booking.Refund{}, fmt.Errorf("release seats: %w", err)
	}
	to := booking.OrderPartiallyRefunded
	if c.All {
		to = booking.OrderCancelled
		if reason == booking.RefundShowtimeCancelled {
			to = booking.OrderRefunded
		}
	}
	if err := booking.CheckTransition(o.Status, to); err != nil {
		return booking.Refund{}, err
	}
	if _, err := db.txExec(ctx, tx, `
			UPDATE orders SET status = $2,
			       cancelled_at = CASE WHEN $2 IN ('cancelled', 'refunded') THEN coalesce(cancelled_at, $3) ELSE cancelled_at END
			WHERE id = $1 AND status = ANY($4::text[])`, o.ID, to, now, pq.Array(booking.TransitionsInto(to))); err != nil {
		return booking.Refund{}, fmt.Errorf("order to %s: %w", to, err)
	}
	out, err := db.insertRefundTx(ctx, tx, newRefund{OrderID: o.ID, Reason: reason, Cancellation: c,
		Key: "refund-" + o.Code + "-" + randomHex(8), Now: now})
	if err != nil {
		return booking.Refund{}, err
	}
	out.OrderStatus = to
	return out, nil
}

// lockOrder reads an order and its items with the order row locked FOR UPDATE.
func (db *DB) lockOrder(ctx context.Context, tx *sqlx.Tx, code string) (booking.Order, time.Time, error) {
	var o booking.Order
	get, err := db.txStmt(ctx, tx, `SELECT `+orderColumns+` FROM orders WHERE code = $1 FOR UPDATE`)
	if err != nil {
		return o, time.Time{}, err
	}
	if err := get.GetContext(ctx, &o, code); err != nil {
		return o, time.Time{}, mapErr(fmt.Errorf("lock order: %w", err))
	}
	items, err := db.txStmt(ctx, tx, `
		SELECT i.order_id, i.showtime_id, i.seat_id, s.row_label, s.number, s.kind, i.ticket_type, i.price_cents,
		       i.status, i.checked_in_at, i.tax_cents, i.fee_tax_cents
		FROM order_items i JOIN seats s ON s.id = i.seat_id
		WHERE i.order_id = $1 ORDER BY s.y, s.x`)
	if err != nil {
		return o, time.Time{}, err
	}
	if err := items.SelectContext(ctx, &o.Items, o.ID); err != nil {
		return o, time.Time{}, fmt.Errorf("order items: %w", err)
	}
	st, err := db.txStmt(ctx, tx, `SELECT starts_at FROM showtimes WHERE id = $1`)
	if err != nil {
		return o, time.Time{}, err
	}
	var startsAt time.Time
	if err := st.GetContext(ctx, &startsAt, o.ShowtimeID); err != nil {
		return o, time.Time{}, fmt.Errorf("showtime: %w", err)
	}
	return o, startsAt, nil
}

// CheckIn marks a seat of an order as checked in (the box office; tests).
func (db *DB) CheckIn(ctx context.Context, orderID, seatID int64, now time.Time) error {
	res, err := db.exec(ctx, `
		UPDATE order_items SET checked_in_at = $3
		WHERE order_id = $1 AND seat_id = $2 AND status = 'sold' AND checked_in_at IS NULL`, orderID, seatID, now)
	if err != nil {
		return fmt.Errorf("check in: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return booking.Errorf(booking.ECONFLICT, "This ticket can't be checked in.")
	}
	return nil
}

// CancelShowtime marks a showtime cancelled, drops every hold on it, expires
// its unpaid orders, and returns the codes of its paid orders (which the
// caller then refunds one by one, each in its own short transaction). Calling
// it again on a cancelled showtime returns the orders still to refund.
func (db *DB) CancelShowtime(ctx context.Context, showtimeID int64, now time.Time) ([]string, error) {
	var codes []string
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		n, err := db.txExec(ctx, tx, `UPDATE showtimes SET status = 'cancelled' WHERE id = $1 AND status <> 'cancelled'`, showtimeID)
		if err != nil {
			return fmt.Errorf("cancel showtime: %w", err)
		}
		if n == 0 {
			var exists bool
			if err := tx.GetContext(ctx, &exists, `SELECT true FROM showtimes WHERE id = $1`, showtimeID); err != nil {
				return mapErr(err)
			}
		}
		if _, err := db.txExec(ctx, tx, `
			WITH pend AS (
				UPDATE orders SET status = $3
				WHERE showtime_id = $1 AND status = ANY($2::text[])
				RETURNING id
			)
			UPDATE order_items i SET status = $4 FROM pend WHERE i.order_id = pend.id AND i.status = $5`,
			showtimeID, pq.Array(booking.TransitionsInto(booking.OrderExpired)), booking.OrderExpired,
			booking.ItemReleased, booking.ItemReserved); err != nil {
			return fmt.Errorf("expire unpaid orders: %w", err)
		}
		// Holds and unpaid orders' claims go; sold seats go as each order is refunded.
		if _, err := db.txExec(ctx, tx, `
			DELETE FROM seat_claims c
			WHERE c.showtime_id = $1 AND (c.order_id IS NULL OR c.order_id IN
				(SELECT id FROM orders WHERE showtime_id = $1 AND status = 'expired'))`, showtimeID); err != nil {
			return fmt.Errorf("drop holds: %w", err)
		}
		s, err := db.txStmt(ctx, tx, `
			SELECT code FROM orders WHERE showtime_id = $1 AND status = ANY($2::text[]) ORDER BY id`)
		if err != nil {
			return err
		}
		return s.SelectContext(ctx, &codes, showtimeID, pq.Array(booking.TransitionsInto(booking.OrderRefunded)))
	})
	if err != nil {
		return nil, fmt.Errorf("cancel showtime %d: %w", showtimeID, err)
	}
	return codes, nil
}

// AddShowtimeNotice queues a "your show was cancelled/moved" e-mail for an order.
func (db *DB) AddShowtimeNotice(ctx context.Context, orderID int64, kind string, oldStartsAt *time.Time, now time.Time) error {
	if _, err := db.exec(ctx, `
		INSERT INTO showtime_notices (order_id, kind, old_starts_at, created_at) VALUES ($1, $2, $3, $4)`,
		orderID, kind, oldStartsAt, now); err != nil {
		return fmt.Errorf("showtime notice: %w", err)
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
