package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/booking"
	"marquee/payment"
)

// The refund ledger: one row per refund of any kind (cancellation, cancelled
// showtime, staff, late or duplicate payment), one status that only
// booking.RefundTransition changes, one "the customer was told" mark
// (told_at). A refund is written pending in the transaction that decides it
// (CancelSeats, SettleCheckout, BeginRefund), sent to the provider after
// commit, and settled once by FinishRefund, whoever hears the answer first.

type refundRow struct {
	ID           int64          `db:"id"`
	OrderID      int64          `db:"order_id"`
	OrderCode    string         `db:"order_code"`
	Email        string         `db:"email"`
	PaymentID    sql.NullInt64  `db:"payment_id"`
	Provider     string         `db:"provider"`
	PaymentRef   string         `db:"payment_ref"`
	Currency     string         `db:"currency"`
	Reason       string         `db:"reason"`
	SeatIDs      pq.Int64Array  `db:"seat_ids"`
	TicketsCents int64          `db:"tickets_cents"`
	FeeCents     int64          `db:"fee_cents"`
	ChargeCents  int64          `db:"charge_cents"`
	AmountCents  int64          `db:"amount_cents"`
	Status       string         `db:"status"`
	Key          string         `db:"idempotency_key"`
	ProviderRef  sql.NullString `db:"provider_ref"`
	Failure      sql.NullString `db:"failure"`
	CreatedAt    time.Time      `db:"created_at"`
	CompletedAt  *time.Time     `db:"completed_at"`
	ToldAt       *time.Time     `db:"told_at"`
}

const refundColumns = `r.id, r.order_id, o.code AS order_code, o.email, r.payment_id, coalesce(p.provider, '') AS provider,
	coalesce(p.provider_ref, '') AS payment_ref, coalesce(p.currency, o.currency) AS currency, r.reason, r.seat_ids,
	r.tickets_cents, r.fee_cents, r.charge_cents, r.amount_cents, r.status, r.idempotency_key, r.provider_ref, r.failure,
	r.created_at, r.completed_at, r.told_at
	FROM refunds r JOIN orders o ON o.id = r.order_id LEFT JOIN payments p ON p.id = r.payment_id`

func (r refundRow) refund() booking.Refund {
	seats := []int64(r.SeatIDs)
	if seats == nil {
		seats = []int64{}
	}
	return booking.Refund{ID: r.ID, OrderID: r.OrderID, OrderCode: r.OrderCode, Email: r.Email, PaymentID: r.PaymentID.Int64,
		Provider: r.Provider, PaymentRef: r.PaymentRef, Currency: r.Currency, Reason: r.Reason, SeatIDs: seats,
		TicketsCents: r.TicketsCents, FeeCents: r.FeeCents, ChargeCents: r.ChargeCents, AmountCents: r.AmountCents,
		Status: r.Status, IdempotencyKey: r.Key, ProviderRef: r.ProviderRef.String, Failure: r.Failure.String,
		CreatedAt: r.CreatedAt, CompletedAt: r.CompletedAt, ToldAt: r.ToldAt}
}

func refunds(rows []refundRow) []booking.Refund {
	out := make([]booking.Refund, len(rows))
	for i, r := range rows {
		out[i] = r.refund()
	}
	return out
}

// newRefund is a ledger row to write.
type newRefund struct {
	OrderID   int64
	PaymentID int64 // 0: not chosen yet
	Reason    string
	booking.Cancellation
	Key string
	Now time.Time
}

// insertRefundTx writes a refund in the caller's transaction: pending when
// there is money to send, settled at once when there is none. A key used
// before returns that refund unchanged.
func (db *DB) insertRefundTx(ctx context.Context, tx *sqlx.Tx, n newRefund) (booking.Refund, error) {
	ev := booking.RefundRecorded
	if n.RefundCents == 0 {
		ev = booking.RefundSettledAtOnce // nothing to send to the provider
	}
	status, _ := booking.RefundTransition("", ev)
	var completed *time.Time
	if status != booking.RefundPending {
		completed = &n.Now
	}
	var paymentID any
	if n.PaymentID != 0 {
		paymentID = n.PaymentID
	}
	ins, err := db.txStmt(ctx, tx, `
		INSERT INTO refunds (order_id, payment_id, reason, seat_ids, tickets_cents, fee_cents, charge_cents, amount_cents,
		                     status, idempotency_key, created_at, completed_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11)
		ON CONFLICT (idempotency_key) DO UPDATE SET updated_at = refunds.updated_at
		RETURNING id`)
	if err != nil {
		return booking.Refund{}, err
	}
	seats := n.SeatIDs
	if seats == nil {
		seats = []int64{}
	}
	var id int64
	if err := ins.GetContext(ctx, &id, n.OrderID, paymentID, n.Reason, pq.Array(seats), n.TicketsCents, n.FeeRefundedCents,
		n.ChargeCents, n.RefundCents, status, n.Key, n.Now, completed); err != nil {
		return booking.Refund{}, fmt.Errorf("record refund: %w", err)
	}
	return db.refundTx(ctx, tx, id, false)
}

// refundTx reads one refund in a transaction, locked FOR UPDATE if lock.
func (db *DB) refundTx(ctx context.Context, tx *sqlx.Tx, id int64, lock bool) (booking.Refund, error) {
	q := `SELECT ` + refundColumns + ` WHERE r.id = $1`
	if lock {
		q += ` FOR UPDATE OF r`
	}
	s, err := db.txStmt(ctx, tx, q)
	if err != nil {
		return booking.Refund{}, err
	}
	var r refundRow
	if err := s.GetContext(ctx, &r, id); err != nil {
		return booking.Refund{}, mapErr(fmt.Errorf("refund %d: %w", id, err))
	}
	return r.refund(), nil
}

// BeginRefund prepares a refund against the order's payment in one short
// transaction (order row locked, so concurrent refunds queue) for the payment
// service to send after commit. A key used before returns that refund; one
// written by a cancellation that has no payment yet gets the payment now.
// The payment is the order's succeeded one with the most left to refund;
// a counter payment's refund is handed back at once (settled here).
func (db *DB) BeginRefund(ctx context.Context, n payment.NewRefund) (booking.Refund, error) {
	var out booking.Refund
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		o, err := db.lockPayOrder(ctx, tx, n.OrderCode)
		if errors.Is(err, payment.ErrUnknownOrder) {
			return booking.Errorf(booking.ENOTFOUND, "No such order.")
		}
		if err != nil {
			return err
		}
		sel, err := db.txStmt(ctx, tx, `SELECT `+refundColumns+` WHERE r.idempotency_key = $1`)
		if err != nil {
			return err
		}
		var prior []refundRow
		if err := sel.SelectContext(ctx, &prior, n.IdempotencyKey); err != nil {
			return fmt.Errorf("refund by key: %w", err)
		}
		if len(prior) == 1 {
			if prior[0].OrderID != o.ID || prior[0].AmountCents != n.AmountCents {
				return booking.Invalid("idempotency_key", "This refund key was already used for a different refund.")
			}
			out = prior[0].refund()
			if out.PaymentID != 0 || out.Status != booking.RefundPending {
				return nil
			}
		}
		var pays []struct {
			ID        int64  `db:"id"`
			Provider  string `db:"provider"`
			Remaining int64  `db:"remaining"`
		}
		ps, err := db.txStmt(ctx, tx, `
			SELECT p.id, p.provider,
			       p.amount_cents - GREATEST(p.refunded_cents,
			           (SELECT coalesce(sum(r.amount_cents), 0) FROM refunds r
			            WHERE r.payment_id = p.id AND r.status IN ('pending', 'succeeded'))) AS remaining
			FROM payments p
			WHERE p.order_id = $1 AND p.status = 'succeeded'
			ORDER BY remaining DESC, p.id
			FOR UPDATE OF p`)
		if err != nil {
			return err
		}
		if err := ps.SelectContext(ctx, &pays, o.ID); err != nil {
			return fmt.Errorf("refundable payments: %w", err)
		}
		if len(pays) == 0 {
			return booking.Errorf(booking.ECONFLICT, "This order has no payment to refund.")
		}
		if pays[0].Remaining < n.AmountCents {
			return booking.Invalid("amount", "That is more than remains to refund on this order.")
		}
		if out.ID != 0 {
			if _, err := db.txExec(ctx, tx, `UPDATE refunds SET payment_id = $2, updated_at = $3 WHERE id = $1`,
				out.ID, pays[0].ID, n.Now); err != nil {
				return fmt.Errorf("refund %d: choose payment: %w", out.ID, err)
			}
		} else {
			out, err = db.insertRefundTx(ctx, tx, newRefund{OrderID: o.ID, PaymentID: pays[0].ID, Reason: n.Reason,
				Cancellation: booking.Cancellation{RefundCents: n.AmountCents}, Key: n.IdempotencyKey, Now: n.Now})
			if err != nil {
				return err
			}
		}
		if pays[0].Provider == payment.ProviderCash || pays[0].Provider == payment.ProviderCardPresent {
			out, _, err = db.settleRefundTx(ctx, tx, out.ID, booking.RefundAccepted, "", "", n.Now) // handed back at the counter
			return err
		}
		out, err = db.refundTx(ctx, tx, out.ID, false)
		return err
	})
	if err != nil {
		return booking.Refund{}, fmt.Errorf("begin refund: %w", err)
	}
	return out, nil
}

// FinishRefund records the provider's answer to a pending refund (ok: it
// accepted) in one short transaction; changed is false when the refund
// already had an answer (another instance, a retry, the other service).
func (db *DB) FinishRefund(ctx context.Context, id int64, ok bool, providerRef, failure string, now time.Time) (booking.Refund, bool, error) {
	ev := booking.RefundRefused
	if ok {
		ev = booking.RefundAccepted
	}
	var out booking.Refund
	var changed bool
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, changed, err = db.settleRefundTx(ctx, tx, id, ev, providerRef, failure, now)
		return err
	})
	if err != nil {
		return booking.Refund{}, false, fmt.Errorf("finish refund %d: %w", id, err)
	}
	return out, changed, nil
}

// settleRefundTx applies ev to a refund as the state machine says: the
// order row is locked first (as everywhere), then the refund; money accepted
// counts on its payment and, unless it was returned whole, on its order.
func (db *DB) settleRefundTx(ctx context.Context, tx *sqlx.Tx, id int64, ev booking.RefundEvent, providerRef, failure string, now time.Time) (booking.Refund, bool, error) {
	lock, err := db.txStmt(ctx, tx, `SELECT o.id FROM orders o JOIN refunds r ON r.order_id = o.id WHERE r.id = $1 FOR UPDATE OF o`)
	if err != nil {
		return booking.Refund{}, false, err
	}
	var orderID int64
	if err := lock.GetContext(ctx, &orderID, id); err != nil {
		return booking.Refund{}, false, mapErr(fmt.Errorf("lock order of refund %d: %w", id, err))
	}
	r, err := db.refundTx(ctx, tx, id, true)
	if err != nil {
		return r, false, err
	}
	to, ok := booking.RefundTransition(r.Status, ev)
	if !ok {
		return r, false, nil
	}
	if _, err := db.txExec(ctx, tx, `
		UPDATE refunds SET status = $2, provider_ref = coalesce(nullif($3, ''), provider_ref), failure = nullif($4, ''),
		       completed_at = $5, updated_at = $5, attempts = attempts + 1
		WHERE id = $1`, id, to, providerRef, failure, now); err != nil {
		return r, false, fmt.Errorf("refund %d to %s: %w", id, to, err)
	}
	if to == booking.RefundSucceeded {
		if r.PaymentID != 0 {
			if _, err := db.txExec(ctx, tx, `
				UPDATE payments p
				SET refunded_cents = LEAST(p.amount_cents, GREATEST(p.refunded_cents, s.total)),
				    status = CASE WHEN p.status = 'succeeded' AND GREATEST(p.refunded_cents, s.total) >= p.amount_cents
				                  THEN 'refunded' ELSE p.status END,
				    updated_at = $2
				FROM (SELECT coalesce(sum(amount_cents), 0) AS total FROM refunds
				      WHERE payment_id = $1 AND status = 'succeeded') s
				WHERE p.id = $1`, r.PaymentID, now); err != nil {
				return r, false, fmt.Errorf("refund %d: payment refunded: %w", id, err)
			}
		}
		if r.CountsOnOrder() {
			if _, err := db.txExec(ctx, tx, `UPDATE orders SET refunded_cents = refunded_cents + $2 WHERE id = $1`,
				orderID, r.AmountCents); err != nil {
				return r, false, fmt.Errorf("refund %d: order refunded: %w", id, err)
			}
		}
	}
	r, err = db.refundTx(ctx, tx, id, false)
	return r, true, err
}

// PendingRefunds returns refunds recorded before `before` that never got the
// provider's answer (a transient error, or the process stopped between
// commit and call): the retry job sends them again with the same key.
func (db *DB) PendingRefunds(ctx context.Context, before time.Time, limit int) ([]booking.Refund, error) {
	var rows []refundRow
	if err := db.selectAll(ctx, &rows, `SELECT `+refundColumns+`
		WHERE r.status = 'pending' AND r.created_at < $1 ORDER BY r.created_at, r.id LIMIT $2`, before, limit); err != nil {
		return nil, fmt.Errorf("pending refunds: %w", err)
	}
	return refunds(rows), nil
}

// RefundsOfOrder lists an order's refunds, oldest first.
func (db *DB) RefundsOfOrder(ctx context.Context, orderID int64) ([]booking.Refund, error) {
	var rows []refundRow
	if err := db.selectAll(ctx, &rows, `SELECT `+refundColumns+`
		WHERE r.order_id = $1 ORDER BY r.created_at, r.id`, orderID); err != nil {
		return nil, fmt.Errorf("refunds of order %d: %w", orderID, err)
	}
	return refunds(rows), nil
}

// UntoldRefunds returns up to limit settled refunds whose customer has not
// been told yet, oldest first (the after-sale job tells them).
func (db *DB) UntoldRefunds(ctx context.Context, limit int) ([]booking.Refund, error) {
	var rows []refundRow
	if err := db.selectAll(ctx, &rows, `SELECT `+refundColumns+`
		WHERE r.told_at IS NULL AND r.status <> 'pending' ORDER BY r.id LIMIT $1`, limit); err != nil {
		return nil, fmt.Errorf("untold refunds: %w", err)
	}
	return refunds(rows), nil
}

// MarkRefundTold records that the customer was told about a refund (or that
// there is nothing to tell); false when it was already recorded (another
// instance told them). The one place that says so.
func (db *DB) MarkRefundTold(ctx context.Context, id int64, now time.Time) (bool, error) {
	res, err := db.exec(ctx, `UPDATE refunds SET told_at = $2 WHERE id = $1 AND told_at IS NULL`, id, now)
	if err != nil {
		return false, fmt.Errorf("refund told: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
