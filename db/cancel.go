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

// Refund reasons (refunds.reason).
const (
	RefundCustomer          = "customer"
	RefundShowtimeCancelled = "showtime_cancelled"
	RefundStaff             = "staff"
)

// Refund statuses.
const (
	RefundPending   = "pending"
	RefundSucceeded = "succeeded"
	RefundFailed    = "failed"
)

// Refund is a refund recorded for an order.
type Refund struct {
	ID             int64         `db:"id"`
	OrderID        int64         `db:"order_id"`
	OrderCode      string        `db:"order_code"`
	Email          string        `db:"email"`
	Reason         string        `db:"reason"`
	SeatIDs        pq.Int64Array `db:"seat_ids"`
	TicketsCents   int64         `db:"tickets_cents"`
	FeeCents       int64         `db:"fee_cents"`
	ChargeCents    int64         `db:"charge_cents"`
	AmountCents    int64         `db:"amount_cents"`
	Status         string        `db:"status"`
	IdempotencyKey string        `db:"idempotency_key"`
	ProviderRef    *string       `db:"provider_ref"`
	Failure        *string       `db:"failure"`
	CreatedAt      time.Time     `db:"created_at"`
	CompletedAt    *time.Time    `db:"completed_at"`
	// OrderStatus is the order's status after the cancellation that recorded this refund.
	OrderStatus string `db:"-"`
}

// Planner decides, on the order as locked in the transaction, what to cancel and refund.
type Planner func(o booking.Order, startsAt time.Time) (booking.Cancellation, error)

const refundColumns = `r.id, r.order_id, o.code AS order_code, o.email, r.reason, r.seat_ids, r.tickets_cents, r.fee_cents,
	r.charge_cents, r.amount_cents, r.status, r.idempotency_key, r.provider_ref, r.failure, r.created_at, r.completed_at`

// CancelSeats cancels seats of an order in one short transaction: it locks
// the order row (so concurrent cancellations queue and the second sees the
// first's result), asks plan what to cancel on the current state, marks the
// items cancelled, deletes their seat claims (the trigger tells live seat maps
// at once), moves the order through the state machine (cancelled or refunded
// when no seat is left, else partially_refunded) and records a pending refund.
// The caller sends the refund to the provider after this returns, never inside.
func (db *DB) CancelSeats(ctx context.Context, code, reason string, now time.Time, plan Planner) (Refund, error) {
	var out Refund
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		o, startsAt, err := db.lockOrder(ctx, tx, code)
		if err != nil {
			return err
		}
		c, err := plan(o, startsAt)
		if err != nil {
			return err
		}
		n, err := db.txExec(ctx, tx, `
			UPDATE order_items SET status = $3, cancelled_at = $4
			WHERE order_id = $1 AND seat_id = ANY($2::bigint[]) AND status = $5`,
			o.ID, pq.Array(c.SeatIDs), booking.ItemCancelled, now, booking.ItemSold)
		if err != nil {
			return fmt.Errorf("cancel items: %w", err)
		}
		if n != int64(len(c.SeatIDs)) { // cannot happen under the row lock; refuse rather than refund wrongly
			return booking.Errorf(booking.ECONFLICT, "These seats were changed meanwhile. Please reload and try again.")
		}
		if _, err := db.txExec(ctx, tx, `
			DELETE FROM seat_claims WHERE showtime_id = $1 AND order_id = $2 AND seat_id = ANY($3::bigint[])`,
			o.ShowtimeID, o.ID, pq.Array(c.SeatIDs)); err != nil {
			return fmt.Errorf("release seats: %w", err)
		}
		to := booking.OrderPartiallyRefunded
		if c.All {
			to = booking.OrderCancelled
			if reason == RefundShowtimeCancelled {
				to = booking.OrderRefunded
			}
		}
		if err := booking.CheckTransition(o.Status, to); err != nil {
			return err
		}
		if _, err := db.txExec(ctx, tx, `
			UPDATE orders SET status = $2,
			       cancelled_at = CASE WHEN $2 IN ('cancelled', 'refunded') THEN coalesce(cancelled_at, $3) ELSE cancelled_at END
			WHERE id = $1 AND status = ANY($4::text[])`, o.ID, to, now, pq.Array(booking.TransitionsInto(to))); err != nil {
			return fmt.Errorf("order to %s: %w", to, err)
		}
		ins, err := db.txStmt(ctx, tx, `
			INSERT INTO refunds (order_id, reason, seat_ids, tickets_cents, fee_cents, charge_cents, amount_cents,
			                     status, idempotency_key, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			RETURNING id`)
		if err != nil {
			return err
		}
		key := "refund-" + o.Code + "-" + randomHex(8)
		status := RefundPending
		if c.RefundCents == 0 {
			status = RefundSucceeded // nothing to send to the provider
		}
		var id int64
		if err := ins.GetContext(ctx, &id, o.ID, reason, pq.Array(c.SeatIDs), c.TicketsCents, c.FeeRefundedCents,
			c.ChargeCents, c.RefundCents, status, key, now); err != nil {
			return fmt.Errorf("record refund: %w", err)
		}
		out = Refund{ID: id, OrderID: o.ID, OrderCode: o.Code, Email: o.Email, Reason: reason, SeatIDs: c.SeatIDs,
			TicketsCents: c.TicketsCents, FeeCents: c.FeeRefundedCents, ChargeCents: c.ChargeCents,
			AmountCents: c.RefundCents, Status: status, IdempotencyKey: key, CreatedAt: now, OrderStatus: to}
		return nil
	})
	if err != nil {
		return Refund{}, fmt.Errorf("cancel seats of %s: %w", code, err)
	}
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
		       i.status, i.checked_in_at
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

// FinishRefund records what the provider answered for a pending refund. A
// refund that already has an outcome is left alone (returns false).
func (db *DB) FinishRefund(ctx context.Context, id int64, ok bool, providerRef, failure string, now time.Time) (bool, error) {
	status := RefundFailed
	if ok {
		status = RefundSucceeded
	}
	var ids []int64
	err := db.selectAll(ctx, &ids, `
		WITH r AS (
			UPDATE refunds SET status = $2, provider_ref = nullif($3, ''), failure = nullif($4, ''),
			       completed_at = $5, attempts = attempts + 1
			WHERE id = $1 AND status = 'pending'
			RETURNING order_id, amount_cents, status
		)
		UPDATE orders o SET refunded_cents = o.refunded_cents + r.amount_cents
		FROM r WHERE o.id = r.order_id AND r.status = 'succeeded'
		RETURNING o.id`, id, status, providerRef, failure, now)
	if err != nil {
		return false, fmt.Errorf("finish refund %d: %w", id, err)
	}
	if ok {
		return len(ids) == 1, nil
	}
	return true, nil
}

// PendingRefunds returns refunds recorded before the given time that never
// got an answer from the provider (the process stopped between commit and
// call): the retry job sends them again with the same idempotency key.
func (db *DB) PendingRefunds(ctx context.Context, before time.Time, limit int) ([]Refund, error) {
	var rs []Refund
	err := db.selectAll(ctx, &rs, `SELECT `+refundColumns+`
		FROM refunds r JOIN orders o ON o.id = r.order_id
		WHERE r.status = 'pending' AND r.created_at < $1
		ORDER BY r.created_at LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("pending refunds: %w", err)
	}
	return rs, nil
}

// RefundsOfOrder lists an order's refunds, oldest first.
func (db *DB) RefundsOfOrder(ctx context.Context, orderID int64) ([]Refund, error) {
	rs := []Refund{}
	err := db.selectAll(ctx, &rs, `SELECT `+refundColumns+`
		FROM refunds r JOIN orders o ON o.id = r.order_id
		WHERE r.order_id = $1 ORDER BY r.created_at, r.id`, orderID)
	if err != nil {
		return nil, fmt.Errorf("refunds of order %d: %w", orderID, err)
	}
	return rs, nil
}

// MarkRefundMailed records that the customer was told about a refund; false
// when it was already recorded (another instance told them).
func (db *DB) MarkRefundMailed(ctx context.Context, id int64, now time.Time) (bool, error) {
	res, err := db.exec(ctx, `UPDATE refunds SET mailed_at = $2 WHERE id = $1 AND mailed_at IS NULL`, id, now)
	if err != nil {
		return false, fmt.Errorf("refund mailed: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
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
