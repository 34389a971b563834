package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/booking"
	"marquee/payment"
)

// The payment service's storage (payment.Store). Each method is one statement
// or one short transaction; the service calls the gateway between them, never
// inside. Order rows are locked before payment rows, always.

var _ payment.Store = (*DB)(nil)

type paymentRow struct {
	ID            int64          `db:"id"`
	OrderID       int64          `db:"order_id"`
	Provider      string         `db:"provider"`
	Kind          string         `db:"kind"`
	Status        string         `db:"status"`
	SessionID     sql.NullString `db:"checkout_session_id"`
	URL           sql.NullString `db:"checkout_url"`
	ExpiresAt     *time.Time     `db:"checkout_expires_at"`
	Key           sql.NullString `db:"idempotency_key"`
	ProviderRef   sql.NullString `db:"provider_ref"`
	AmountCents   int64          `db:"amount_cents"`
	RefundedCents int64          `db:"refunded_cents"`
	Currency      string         `db:"currency"`
	Tendered      sql.NullInt64  `db:"tendered_cents"`
	Change        sql.NullInt64  `db:"change_cents"`
	CardRef       sql.NullString `db:"card_reference"`
	StaffUserID   *int64         `db:"staff_user_id"`
	CreatedAt     time.Time      `db:"created_at"`
	UpdatedAt     time.Time      `db:"updated_at"`
}

const paymentColumns = `id, order_id, provider, kind, status, checkout_session_id, checkout_url, checkout_expires_at,
	idempotency_key, provider_ref, amount_cents, refunded_cents, currency, tendered_cents, change_cents,
	card_reference, staff_user_id, created_at, updated_at`

func (r paymentRow) record() payment.Record {
	rec := payment.Record{ID: r.ID, OrderID: r.OrderID, Provider: r.Provider, Kind: r.Kind, Status: r.Status,
		SessionID: r.SessionID.String, URL: r.URL.String, IdempotencyKey: r.Key.String, ProviderRef: r.ProviderRef.String,
		AmountCents: r.AmountCents, RefundedCents: r.RefundedCents, Currency: r.Currency, TenderedCents: r.Tendered.Int64,
		ChangeCents: r.Change.Int64, CardReference: r.CardRef.String, StaffUserID: r.StaffUserID, CreatedAt: r.CreatedAt}
	if r.ExpiresAt != nil {
		rec.ExpiresAt = *r.ExpiresAt
	}
	return rec
}

// ReserveCheckout returns the order's live checkout row, or writes a new one
// ('creating') whose idempotency key (derived from the order code and the
// row id) and provider expiry are fixed before the provider is called.
func (db *DB) ReserveCheckout(ctx context.Context, n payment.NewCheckout) (payment.Record, error) {
	var rows []paymentRow
	err := db.selectAll(ctx, &rows, `
		WITH n AS (SELECT nextval(pg_get_serial_sequence('payments', 'id')) AS id)
		INSERT INTO payments (id, order_id, provider, kind, status, amount_cents, currency, checkout_expires_at,
		                      idempotency_key, created_at, updated_at)
		SELECT n.id, $1, $2, 'checkout', 'creating', $3, $4, $5, 'marquee-checkout-' || $6::text || '-' || n.id, $7, $7
		FROM n
		ON CONFLICT (order_id) WHERE kind = 'checkout' AND status IN ('creating', 'open') DO NOTHING
		RETURNING `+paymentColumns,
		n.OrderID, n.Provider, n.AmountCents, n.Currency, n.ExpiresAt, n.OrderCode, n.Now)
	if err != nil {
		return payment.Record{}, fmt.Errorf("reserve checkout: %w", err)
	}
	if len(rows) == 1 {
		return rows[0].record(), nil
	}
	var r paymentRow
	if err := db.get(ctx, &r, `SELECT `+paymentColumns+` FROM payments
		WHERE order_id = $1 AND kind = 'checkout' AND status IN ('creating', 'open')`, n.OrderID); err != nil {
		if booking.ErrorCode(err) == booking.ENOTFOUND { // abandoned meanwhile: the caller tries again
			return payment.Record{Status: payment.PayFailed}, nil
		}
		return payment.Record{}, fmt.Errorf("live checkout: %w", err)
	}
	return r.record(), nil
}

// OpenCheckout stores the session the provider created for a checkout row.
// The row keeps its status if it is no longer 'creating' (the hold ran out
// meanwhile): the caller sees that and expires the session.
func (db *DB) OpenCheckout(ctx context.Context, paymentID int64, co payment.Checkout, now time.Time) (payment.Record, error) {
	var r paymentRow
	err := db.get(ctx, &r, `
		UPDATE payments SET checkout_session_id = $2, checkout_url = $3, checkout_expires_at = $4, updated_at = $5,
		       status = CASE WHEN status = 'creating' THEN 'open' ELSE status END
		WHERE id = $1
		RETURNING `+paymentColumns, paymentID, co.ID, co.URL, co.ExpiresAt, now)
	if err != nil {
		return payment.Record{}, fmt.Errorf("open checkout: %w", err)
	}
	return r.record(), nil
}

// AbandonCheckout closes a live checkout row that can't be used any more.
func (db *DB) AbandonCheckout(ctx context.Context, paymentID int64, now time.Time) error {
	if _, err := db.exec(ctx, `
		UPDATE payments SET status = 'failed', updated_at = $2
		WHERE id = $1 AND status IN ('creating', 'open')`, paymentID, now); err != nil {
		return fmt.Errorf("abandon checkout: %w", err)
	}
	return nil
}

// RecordPaymentEvent stores a provider event by id. fresh is false when the
// event was stored and processed before (a duplicate delivery).
func (db *DB) RecordPaymentEvent(ctx context.Context, provider string, ev payment.Event, now time.Time) (bool, error) {
	var code, session string
	if ev.Checkout != nil {
		code, session = ev.Checkout.OrderCode, ev.Checkout.ID
	}
	var r struct {
		Inserted  bool       `db:"inserted"`
		Processed *time.Time `db:"processed"`
	}
	err := db.get(ctx, &r, `
		WITH ins AS (
			INSERT INTO payment_events (provider, event_id, type, order_code, session_id, received_at)
			VALUES ($1, $2, $3, nullif($4, ''), nullif($5, ''), $6)
			ON CONFLICT (event_id) DO NOTHING
			RETURNING id
		)
		SELECT EXISTS (SELECT 1 FROM ins) AS inserted,
		       (SELECT processed_at FROM payment_events WHERE event_id = $2) AS processed`,
		provider, ev.ID, ev.Type, code, session, now)
	if err != nil {
		return false, fmt.Errorf("record payment event: %w", err)
	}
	return r.Inserted || r.Processed == nil, nil
}

// PaymentEventProcessed marks a stored event as processed.
func (db *DB) PaymentEventProcessed(ctx context.Context, eventID string, now time.Time) error {
	if _, err := db.exec(ctx, `
		UPDATE payment_events SET processed_at = $2 WHERE event_id = $1 AND processed_at IS NULL`, eventID, now); err != nil {
		return fmt.Errorf("payment event processed: %w", err)
	}
	return nil
}

// payOrder is an order as the payment transactions see it, locked.
type payOrder struct {
	ID            int64     `db:"id"`
	Code          string    `db:"code"`
	Email         string    `db:"email"`
	Status        string    `db:"status"`
	TotalCents    int64     `db:"total_cents"`
	Currency      string    `db:"currency"`
	HoldExpiresAt time.Time `db:"hold_expires_at"`
	SalesCloseAt  time.Time `db:"sales_close_at"`
}

func (db *DB) lockPayOrder(ctx context.Context, tx *sqlx.Tx, code string) (payOrder, error) {
	var o payOrder
	err := db.txGet(ctx, tx, &o, `
		SELECT o.id, o.code, o.email, o.status, o.total_cents, o.currency, o.hold_expires_at, s.sales_close_at
		FROM orders o JOIN showtimes s ON s.id = o.showtime_id
		WHERE o.code = $1
		FOR UPDATE OF o`, code)
	if booking.ErrorCode(err) == booking.ENOTFOUND {
		return o, payment.ErrUnknownOrder
	}
	if err != nil {
		return o, fmt.Errorf("lock order: %w", err)
	}
	return o, nil
}

// lockCheckoutRow finds (and locks) the payment row of a session: by session
// id; else the order's 'creating' row that never learnt its session (the
// process stopped between the provider's answer and storing it); else a new
// row, so that money we didn't know about is recorded all the same.
func (db *DB) lockCheckoutRow(ctx context.Context, tx *sqlx.Tx, o payOrder, in payment.Settle) (paymentRow, error) {
	st := in.Checkout
	var rows []paymentRow
	sel, err := db.txStmt(ctx, tx, `SELECT `+paymentColumns+` FROM payments WHERE checkout_session_id = $1 FOR UPDATE`)
	if err != nil {
		return paymentRow{}, err
	}
	if err := sel.SelectContext(ctx, &rows, st.ID); err != nil {
		return paymentRow{}, fmt.Errorf("payment of session: %w", err)
	}
	if len(rows) == 0 {
		adopt, err := db.txStmt(ctx, tx, `
			UPDATE payments SET checkout_session_id = $2, updated_at = $3
			WHERE id = (SELECT id FROM payments
			            WHERE order_id = $1 AND kind = 'checkout' AND status = 'creating' AND checkout_session_id IS NULL
			            ORDER BY id DESC LIMIT 1 FOR UPDATE)
			RETURNING `+paymentColumns)
		if err != nil {
			return paymentRow{}, err
		}
		if err := adopt.SelectContext(ctx, &rows, o.ID, st.ID, in.Now); err != nil {
			return paymentRow{}, fmt.Errorf("adopt checkout row: %w", err)
		}
	}
	if len(rows) == 0 {
		cur := st.Currency
		if cur == "" {
			cur = o.Currency
		}
		ins, err := db.txStmt(ctx, tx, `
			INSERT INTO payments (order_id, provider, kind, status, checkout_session_id, amount_cents, currency, created_at, updated_at)
			VALUES ($1, $2, 'checkout', 'expired', $3, $4, $5, $6, $6)
			RETURNING `+paymentColumns)
		if err != nil {
			return paymentRow{}, err
		}
		if err := ins.SelectContext(ctx, &rows, o.ID, in.Provider, st.ID, st.AmountCents, cur, in.Now); err != nil {
			return paymentRow{}, fmt.Errorf("record unknown checkout: %w", err)
		}
	}
	if rows[0].OrderID != o.ID {
		return paymentRow{}, fmt.Errorf("checkout session %s belongs to order %d, not %s", st.ID, rows[0].OrderID, o.Code)
	}
	return rows[0], nil
}

// lockCheckout locks the order of a session and then its payment row
// (lockPayOrder, lockCheckoutRow), in that order, as every change a session
// brings does.
func (db *DB) lockCheckout(ctx context.Context, tx *sqlx.Tx, in payment.Settle) (payOrder, paymentRow, error) {
	o, err := db.lockPayOrder(ctx, tx, in.Checkout.OrderCode)
	if err != nil {
		return o, paymentRow{}, err
	}
	p, err := db.lockCheckoutRow(ctx, tx, o, in)
	return o, p, err
}

// retakeSeats makes the order's seats its own again in one conditional
// statement: each seat is taken when its claim is the order's own (a hold,
// lapsed or not) or an expired hold of anyone, or when it has no claim. All
// or nothing: when any seat is taken by someone else the statement's effect
// is rolled back (to a savepoint) and false returned. until is the new
// expiry (nil: a sale).
func (db *DB) retakeSeats(ctx context.Context, tx *sqlx.Tx, orderID int64, until *time.Time, now time.Time) (bool, error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT retake_seats`); err != nil {
		return false, mapErr(err)
	}
	s, err := db.txStmt(ctx, tx, `
		INSERT INTO seat_claims AS c (showtime_id, seat_id, cart_id, order_id, ticket_type, expires_at, claimed_at)
		SELECT i.showtime_id, i.seat_id, NULL, i.order_id, i.ticket_type, $2::timestamptz, $3
		FROM order_items i
		WHERE i.order_id = $1
		ON CONFLICT (showtime_id, seat_id) DO UPDATE
			SET cart_id = NULL, order_id = EXCLUDED.order_id, ticket_type = EXCLUDED.ticket_type,
			    expires_at = EXCLUDED.expires_at, claimed_at = EXCLUDED.claimed_at
			WHERE c.order_id = EXCLUDED.order_id OR c.expires_at <= $3
		RETURNING c.seat_id`)
	if err != nil {
		return false, err
	}
	var got []int64
	if err := s.SelectContext(ctx, &got, orderID, until, now); err != nil {
		return false, fmt.Errorf("retake seats: %w", err)
	}
	var want int
	if err := db.txGet(ctx, tx, &want, `SELECT count(*) FROM order_items WHERE order_id = $1`, orderID); err != nil {
		return false, fmt.Errorf("count items: %w", err)
	}
	if len(got) < want {
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT retake_seats`); err != nil {
			return false, mapErr(err)
		}
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT retake_seats`); err != nil {
		return false, mapErr(err)
	}
	return true, nil
}

// transitionTx moves a locked order from its status to `to`, asking the state
// machine (booking.CheckTransition) and checking again in the UPDATE.
func (db *DB) transitionTx(ctx context.Context, tx *sqlx.Tx, o payOrder, to string, now time.Time) error {
	if err := booking.CheckTransition(o.Status, to); err != nil {
		return err
	}
	n, err := db.txExec(ctx, tx, `
		UPDATE orders SET status = $2, paid_at = CASE WHEN $2 = 'paid' THEN $3 ELSE paid_at END
		WHERE id = $1 AND status = ANY($4::text[])`, o.ID, to, now, pq.Array(booking.TransitionsInto(to)))
	if err != nil {
		return fmt.Errorf("order %s to %s: %w", o.Code, to, err)
	}
	if n != 1 {
		return booking.CheckTransition(o.Status, to)
	}
	return nil
}

// sellTx turns the order's items into sales and the order paid; its seats
// must already be its own (retakeSeats with until nil).
func (db *DB) sellTx(ctx context.Context, tx *sqlx.Tx, o payOrder, now time.Time) error {
	if _, err := db.txExec(ctx, tx, `
		UPDATE order_items SET status = $2 WHERE order_id = $1 AND status IN ($3, $4)`,
		o.ID, booking.ItemSold, booking.ItemReserved, booking.ItemReleased); err != nil {
		return fmt.Errorf("sell items: %w", err)
	}
	return db.transitionTx(ctx, tx, o, booking.OrderPaid, now)
}

// releaseTx gives an unpaid order's seats back and moves it to `to` (expired, failed).
func (db *DB) releaseTx(ctx context.Context, tx *sqlx.Tx, o payOrder, to string, now time.Time) error {
	if err := db.transitionTx(ctx, tx, o, to, now); err != nil {
		return err
	}
	if _, err := db.txExec(ctx, tx, `
		UPDATE order_items SET status = $2 WHERE order_id = $1 AND status = $3`,
		o.ID, booking.ItemReleased, booking.ItemReserved); err != nil {
		return fmt.Errorf("release items: %w", err)
	}
	if _, err := db.txExec(ctx, tx, `
		DELETE FROM seat_claims WHERE order_id = $1 AND expires_at IS NOT NULL`, o.ID); err != nil {
		return fmt.Errorf("release seats: %w", err)
	}
	return nil
}

func (db *DB) setPaymentTx(ctx context.Context, tx *sqlx.Tx, id int64, status, ref string, amount int64, now time.Time) error {
	if _, err := db.txExec(ctx, tx, `
		UPDATE payments SET status = $2, provider_ref = coalesce(nullif($3, ''), provider_ref),
		       amount_cents = CASE WHEN $4 > 0 THEN $4 ELSE amount_cents END, updated_at = $5
		WHERE id = $1`, id, status, ref, amount, now); err != nil {
		return fmt.Errorf("payment %d to %s: %w", id, status, err)
	}
	return nil
}

// SettleCheckout applies money received for a checkout session, in one short
// transaction: the order's seats become sales and the order paid — also when
// the hold lapsed (late payment), if every seat can be re-taken. When a seat
// is gone, or the order can't take the money (already paid, closed), a
// pending refund of the whole amount is recorded for the caller to send after
// commit, and an unpaid order becomes failed. Applying the same money twice
// changes nothing.
func (db *DB) SettleCheckout(ctx context.Context, in payment.Settle) (payment.Settlement, error) {
	var out payment.Settlement
	st := in.Checkout
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		o, p, err := db.lockCheckout(ctx, tx, in)
		if err != nil {
			return err
		}
		if p.Status == payment.PaySucceeded || p.Status == payment.PayRefunded {
			out.Outcome = payment.OutcomeAlready
			return nil
		}
		if err := db.setPaymentTx(ctx, tx, p.ID, payment.PaySucceeded, st.PaymentRef, st.AmountCents, in.Now); err != nil {
			return err
		}
		reason := payment.ReasonDuplicate
		if booking.CanTransition(o.Status, booking.OrderPaid) {
			ok, err := db.retakeSeats(ctx, tx, o.ID, nil, in.Now)
			if err != nil {
				return err
			}
			if ok {
				out.Outcome = payment.OutcomePaid
				return db.sellTx(ctx, tx, o, in.Now)
			}
			// Paid too late: someone else has a seat now.
			reason = payment.ReasonLatePayment
			if err := db.releaseTx(ctx, tx, o, booking.OrderFailed, in.Now); err != nil {
				return err
			}
		}
		out.Outcome = payment.OutcomeRefund
		amount := st.AmountCents
		if amount <= 0 {
			amount = p.AmountCents
		}
		if amount <= 0 {
			return nil
		}
		r, err := db.insertRefundTx(ctx, tx, o, p.ID, amount, reason, "marquee-refund-"+reason+"-"+strconv.FormatInt(p.ID, 10), payment.RefundPending, in.Now)
		if err != nil {
			return err
		}
		r.PaymentRef = st.PaymentRef
		r.Provider = p.Provider
		out.Refund = &r
		return nil
	})
	if err != nil {
		return payment.Settlement{}, fmt.Errorf("settle checkout %s: %w", st.ID, err)
	}
	return out, nil
}

// AwaitCheckout records a session completed with an asynchronous payment
// method (money not yet settled) and, while the order is unpaid, extends its
// hold until online sales close.
func (db *DB) AwaitCheckout(ctx context.Context, in payment.Settle) error {
	st := in.Checkout
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		o, p, err := db.lockCheckout(ctx, tx, in)
		if err != nil {
			return err
		}
		switch p.Status {
		case payment.PaySucceeded, payment.PayRefunded, payment.PayFailed, payment.PayProcessing:
			return nil // a later state is known already
		}
		if err := db.setPaymentTx(ctx, tx, p.ID, payment.PayProcessing, st.PaymentRef, st.AmountCents, in.Now); err != nil {
			return err
		}
		if o.Status != booking.OrderPendingPayment || !o.SalesCloseAt.After(in.Now) || !o.SalesCloseAt.After(o.HoldExpiresAt) {
			return nil
		}
		until := o.SalesCloseAt
		ok, err := db.retakeSeats(ctx, tx, o.ID, &until, in.Now)
		if err != nil || !ok {
			return err // seats gone: the order expires as usual; money arriving later takes the late path
		}
		_, err = db.txExec(ctx, tx, `UPDATE orders SET hold_expires_at = $2 WHERE id = $1`, o.ID, until)
		return err
	})
	if err != nil {
		return fmt.Errorf("await checkout %s: %w", st.ID, err)
	}
	return nil
}

// FailCheckout records a failed asynchronous payment; an unpaid order fails
// and its seats go back on sale.
func (db *DB) FailCheckout(ctx context.Context, in payment.Settle) error {
	st := in.Checkout
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		o, p, err := db.lockCheckout(ctx, tx, in)
		if err != nil {
			return err
		}
		if p.Status == payment.PaySucceeded || p.Status == payment.PayRefunded {
			return nil
		}
		if err := db.setPaymentTx(ctx, tx, p.ID, payment.PayFailed, st.PaymentRef, 0, in.Now); err != nil {
			return err
		}
		if o.Status != booking.OrderPendingPayment {
			return nil
		}
		return db.releaseTx(ctx, tx, o, booking.OrderFailed, in.Now)
	})
	if err != nil {
		return fmt.Errorf("fail checkout %s: %w", st.ID, err)
	}
	return nil
}

// CloseCheckout records a session the provider expired. The order expires
// with it only when our own hold has run out too and no other payment of it
// is live (our hold timer is the truth; the sweeper would do the same).
func (db *DB) CloseCheckout(ctx context.Context, in payment.Settle) error {
	st := in.Checkout
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		o, p, err := db.lockCheckout(ctx, tx, in)
		if err != nil {
			return err
		}
		switch p.Status {
		case payment.PayCreating, payment.PayOpen, payment.PayExpiring:
			if err := db.setPaymentTx(ctx, tx, p.ID, payment.PayExpired, "", 0, in.Now); err != nil {
				return err
			}
		}
		if o.Status != booking.OrderPendingPayment || in.Now.Before(o.HoldExpiresAt) {
			return nil
		}
		var live bool
		if err := db.txGet(ctx, tx, &live, `
			SELECT EXISTS (SELECT 1 FROM payments
			               WHERE order_id = $1 AND id <> $2 AND status IN ('creating', 'open', 'processing'))`, o.ID, p.ID); err != nil {
			return err
		}
		if live {
			return nil
		}
		return db.releaseTx(ctx, tx, o, booking.OrderExpired, in.Now)
	})
	if err != nil {
		return fmt.Errorf("close checkout %s: %w", st.ID, err)
	}
	return nil
}

// RecordProviderRefund records what the provider says was refunded of a
// payment in total (charge.refunded), whoever made the refund.
func (db *DB) RecordProviderRefund(ctx context.Context, paymentRef string, refundedCents int64, now time.Time) error {
	if _, err := db.exec(ctx, `
		UPDATE payments SET refunded_cents = LEAST(amount_cents, GREATEST(refunded_cents, $2)),
		       status = CASE WHEN status = 'succeeded' AND GREATEST(refunded_cents, $2) >= amount_cents THEN 'refunded' ELSE status END,
		       updated_at = $3
		WHERE provider_ref = $1`, paymentRef, refundedCents, now); err != nil {
		return fmt.Errorf("record provider refund: %w", err)
	}
	return nil
}

// LapsedCheckouts claims up to limit live checkouts whose order no longer
// awaits payment (hold ran out, expired, failed…), marking them 'expiring'
// for the caller to expire at the provider. Rows another instance is
// claiming are skipped; 'expiring' rows not finished within two minutes are
// claimed again.
func (db *DB) LapsedCheckouts(ctx context.Context, now time.Time, limit int) ([]payment.LapsedCheckout, error) {
	var rows []struct {
		ID      int64  `db:"id"`
		Session string `db:"session"`
		Code    string `db:"code"`
	}
	err := db.selectAll(ctx, &rows, `
		WITH due AS (
			SELECT p.id FROM payments p JOIN orders o ON o.id = p.order_id
			WHERE (p.status IN ('creating', 'open') AND (o.status <> 'pending_payment' OR o.hold_expires_at <= $1))
			   OR (p.status = 'expiring' AND p.updated_at <= $2 AND p.created_at > $1 - interval '1 day')
			ORDER BY p.id
			LIMIT $3
			FOR UPDATE OF p SKIP LOCKED
		)
		UPDATE payments p SET status = 'expiring', updated_at = $1
		FROM due, orders o
		WHERE p.id = due.id AND o.id = p.order_id
		RETURNING p.id, coalesce(p.checkout_session_id, '') AS session, o.code`,
		now, now.Add(-2*time.Minute), limit)
	if err != nil {
		return nil, fmt.Errorf("lapsed checkouts: %w", err)
	}
	out := make([]payment.LapsedCheckout, len(rows))
	for i, r := range rows {
		out[i] = payment.LapsedCheckout{PaymentID: r.ID, SessionID: r.Session, OrderCode: r.Code}
	}
	return out, nil
}

// CheckoutExpired records that a checkout was expired at the provider.
func (db *DB) CheckoutExpired(ctx context.Context, paymentID int64, now time.Time) error {
	if _, err := db.exec(ctx, `
		UPDATE payments SET status = 'expired', updated_at = $2
		WHERE id = $1 AND status IN ('creating', 'open', 'expiring')`, paymentID, now); err != nil {
		return fmt.Errorf("checkout expired: %w", err)
	}
	return nil
}

// CheckoutStatuses returns the stored status of each known session id.
func (db *DB) CheckoutStatuses(ctx context.Context, sessionIDs []string) (map[string]string, error) {
	var rows []struct {
		Session string `db:"checkout_session_id"`
		Status  string `db:"status"`
	}
	if err := db.selectAll(ctx, &rows, `
		SELECT checkout_session_id, status FROM payments WHERE checkout_session_id = ANY($1::text[])`,
		pq.Array(sessionIDs)); err != nil {
		return nil, fmt.Errorf("checkout statuses: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Session] = r.Status
	}
	return out, nil
}

type refundRow struct {
	ID          int64     `db:"id"`
	OrderID     int64     `db:"order_id"`
	OrderCode   string    `db:"order_code"`
	Email       string    `db:"email"`
	PaymentID   int64     `db:"payment_id"`
	Provider    string    `db:"provider"`
	PaymentRef  string    `db:"payment_ref"`
	AmountCents int64     `db:"amount_cents"`
	Currency    string    `db:"currency"`
	Status      string    `db:"status"`
	Reason      string    `db:"reason"`
	Key         string    `db:"idempotency_key"`
	ProviderRef string    `db:"provider_ref"`
	Failure     string    `db:"failure"`
	CreatedAt   time.Time `db:"created_at"`
}

const paymentRefundColumns = `r.id, r.order_id, o.code AS order_code, o.email, r.payment_id, p.provider,
	coalesce(p.provider_ref, '') AS payment_ref, r.amount_cents, p.currency, r.status, r.reason, r.idempotency_key,
	coalesce(r.provider_ref, '') AS provider_ref, coalesce(r.failure, '') AS failure, r.created_at
	FROM payment_refunds r JOIN payments p ON p.id = r.payment_id JOIN orders o ON o.id = r.order_id`

func (r refundRow) record() payment.RefundRecord {
	return payment.RefundRecord{ID: r.ID, OrderID: r.OrderID, OrderCode: r.OrderCode, Email: r.Email, PaymentID: r.PaymentID,
		Provider: r.Provider, PaymentRef: r.PaymentRef, AmountCents: r.AmountCents, Currency: r.Currency, Status: r.Status,
		Reason: r.Reason, IdempotencyKey: r.Key, ProviderRef: r.ProviderRef, Failure: r.Failure, CreatedAt: r.CreatedAt}
}

func (db *DB) insertRefundTx(ctx context.Context, tx *sqlx.Tx, o payOrder, paymentID, amount int64, reason, key, status string, now time.Time) (payment.RefundRecord, error) {
	var id int64
	err := db.txGet(ctx, tx, &id, `
		INSERT INTO payment_refunds (order_id, payment_id, amount_cents, status, reason, idempotency_key, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
		ON CONFLICT (idempotency_key) DO UPDATE SET updated_at = payment_refunds.updated_at
		RETURNING id`, o.ID, paymentID, amount, status, reason, key, now)
	if err != nil {
		return payment.RefundRecord{}, fmt.Errorf("record refund: %w", err)
	}
	var r refundRow
	if err := db.txGet(ctx, tx, &r, `SELECT `+paymentRefundColumns+` WHERE r.id = $1`, id); err != nil {
		return payment.RefundRecord{}, fmt.Errorf("read refund: %w", err)
	}
	return r.record(), nil
}

// BeginPaymentRefund records a refund against the order's payment in one
// short transaction (order row locked, so concurrent refunds queue): pending
// for provider payments (the caller sends it after commit), succeeded at once
// for counter payments (handed back at the counter). A key used before
// returns that refund as it stands.
func (db *DB) BeginPaymentRefund(ctx context.Context, n payment.NewRefund) (payment.RefundRecord, error) {
	var out payment.RefundRecord
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		o, err := db.lockPayOrder(ctx, tx, n.OrderCode)
		if errors.Is(err, payment.ErrUnknownOrder) {
			return booking.Errorf(booking.ENOTFOUND, "No such order.")
		}
		if err != nil {
			return err
		}
		sel, err := db.txStmt(ctx, tx, `SELECT `+paymentRefundColumns+` WHERE r.idempotency_key = $1`)
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
			out = prior[0].record()
			return nil
		}
		var pays []struct {
			ID        int64  `db:"id"`
			Provider  string `db:"provider"`
			Remaining int64  `db:"remaining"`
		}
		ps, err := db.txStmt(ctx, tx, `
			SELECT p.id, p.provider,
			       p.amount_cents - GREATEST(p.refunded_cents,
			           (SELECT coalesce(sum(r.amount_cents), 0) FROM payment_refunds r
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
		status := payment.RefundPending
		if pays[0].Provider == payment.ProviderCash || pays[0].Provider == payment.ProviderCardPresent {
			status = payment.RefundSucceeded
		}
		out, err = db.insertRefundTx(ctx, tx, o, pays[0].ID, n.AmountCents, n.Reason, n.IdempotencyKey, status, n.Now)
		if err != nil {
			return err
		}
		if status == payment.RefundSucceeded {
			_, err = db.txExec(ctx, tx, `
				UPDATE payments SET refunded_cents = refunded_cents + $2,
				       status = CASE WHEN refunded_cents + $2 >= amount_cents THEN 'refunded' ELSE status END, updated_at = $3
				WHERE id = $1`, pays[0].ID, n.AmountCents, n.Now)
		}
		return err
	})
	if err != nil {
		return payment.RefundRecord{}, fmt.Errorf("begin refund: %w", err)
	}
	return out, nil
}

// FinishPaymentRefund records the provider's answer to a pending refund;
// changed is false when it already had one (another instance, a retry).
func (db *DB) FinishPaymentRefund(ctx context.Context, id int64, ok bool, providerRef, failure string, now time.Time) (payment.RefundRecord, bool, error) {
	status := payment.RefundFailed
	if ok {
		status = payment.RefundSucceeded
	}
	var n int
	err := db.get(ctx, &n, `
		WITH r AS (
			UPDATE payment_refunds SET status = $2, provider_ref = nullif($3, ''), failure = nullif($4, ''), updated_at = $5
			WHERE id = $1 AND status = 'pending'
			RETURNING payment_id, amount_cents, status
		), p AS (
			UPDATE payments p
			SET refunded_cents = LEAST(p.amount_cents, GREATEST(p.refunded_cents, r.amount_cents +
			        (SELECT coalesce(sum(x.amount_cents), 0) FROM payment_refunds x
			         WHERE x.payment_id = p.id AND x.status = 'succeeded'))),
			    status = CASE WHEN p.status = 'succeeded' AND GREATEST(p.refunded_cents, r.amount_cents +
			        (SELECT coalesce(sum(x.amount_cents), 0) FROM payment_refunds x
			         WHERE x.payment_id = p.id AND x.status = 'succeeded')) >= p.amount_cents THEN 'refunded' ELSE p.status END,
			    updated_at = $5
			FROM r WHERE p.id = r.payment_id AND r.status = 'succeeded'
			RETURNING p.id
		)
		SELECT count(*) FROM r`, id, status, providerRef, failure, now)
	if err != nil {
		return payment.RefundRecord{}, false, fmt.Errorf("finish refund %d: %w", id, err)
	}
	var r refundRow
	if err := db.get(ctx, &r, `SELECT `+paymentRefundColumns+` WHERE r.id = $1`, id); err != nil {
		return payment.RefundRecord{}, false, fmt.Errorf("read refund %d: %w", id, err)
	}
	return r.record(), n == 1, nil
}

// PendingPaymentRefunds lists refunds recorded before `before` that never got
// the provider's answer (the retry job sends them again with the same key).
func (db *DB) PendingPaymentRefunds(ctx context.Context, before time.Time, limit int) ([]payment.RefundRecord, error) {
	var rows []refundRow
	if err := db.selectAll(ctx, &rows, `SELECT `+paymentRefundColumns+`
		WHERE r.status = 'pending' AND r.created_at < $1 ORDER BY r.created_at LIMIT $2`, before, limit); err != nil {
		return nil, fmt.Errorf("pending refunds: %w", err)
	}
	out := make([]payment.RefundRecord, len(rows))
	for i, r := range rows {
		out[i] = r.record()
	}
	return out, nil
}

// MarkPaymentRefundNotified records that the customer was told; false when
// someone already did.
func (db *DB) MarkPaymentRefundNotified(ctx context.Context, id int64, now time.Time) (bool, error) {
	res, err := db.exec(ctx, `UPDATE payment_refunds SET notified_at = $2 WHERE id = $1 AND notified_at IS NULL`, id, now)
	if err != nil {
		return false, fmt.Errorf("refund notified: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// PaymentsOfOrder lists an order's payments, oldest first.
func (db *DB) PaymentsOfOrder(ctx context.Context, orderID int64) ([]payment.Record, error) {
	var rows []paymentRow
	if err := db.selectAll(ctx, &rows, `SELECT `+paymentColumns+` FROM payments WHERE order_id = $1 ORDER BY id`, orderID); err != nil {
		return nil, fmt.Errorf("payments of order: %w", err)
	}
	out := make([]payment.Record, len(rows))
	for i, r := range rows {
		out[i] = r.record()
	}
	return out, nil
}

// PaymentRefundsOfOrder lists the refunds sent through the payment service for an order.
func (db *DB) PaymentRefundsOfOrder(ctx context.Context, orderID int64) ([]payment.RefundRecord, error) {
	var rows []refundRow
	if err := db.selectAll(ctx, &rows, `SELECT `+paymentRefundColumns+` WHERE r.order_id = $1 ORDER BY r.id`, orderID); err != nil {
		return nil, fmt.Errorf("refunds of order: %w", err)
	}
	out := make([]payment.RefundRecord, len(rows))
	for i, r := range rows {
		out[i] = r.record()
	}
	return out, nil
}

// SettleCounter records a box-office tender and sells the order's seats, in
// one short transaction. An order whose hold lapsed is sold if every seat can
// be re-taken; otherwise nothing is recorded (ECONFLICT, no money taken).
func (db *DB) SettleCounter(ctx context.Context, c payment.CounterSettle) (payment.Record, error) {
	var out paymentRow
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		o, err := db.lockPayOrder(ctx, tx, c.OrderCode)
		if errors.Is(err, payment.ErrUnknownOrder) {
			return booking.Errorf(booking.ENOTFOUND, "No such order.")
		}
		if err != nil {
			return err
		}
		if o.Status == booking.OrderPaid {
			return booking.Errorf(booking.ECONFLICT, "This order is already paid.")
		}
		if err := booking.CheckTransition(o.Status, booking.OrderPaid); err != nil {
			return err
		}
		var tendered, change, ref any
		switch c.Provider {
		case payment.ProviderCash:
			if c.TenderedCents < o.TotalCents {
				return booking.Invalid("tendered", "The cash handed over is less than the total.")
			}
			tendered, change = c.TenderedCents, c.TenderedCents-o.TotalCents
		case payment.ProviderCardPresent:
			ref = c.CardReference
		}
		ok, err := db.retakeSeats(ctx, tx, o.ID, nil, c.Now)
		if err != nil {
			return err
		}
		if !ok {
			return booking.Errorf(booking.ECONFLICT, "Some of these seats were sold meanwhile. Nothing was charged; please choose seats again.")
		}
		if err := db.sellTx(ctx, tx, o, c.Now); err != nil {
			return err
		}
		return db.txGet(ctx, tx, &out, `
			INSERT INTO payments (order_id, provider, kind, status, amount_cents, currency, tendered_cents, change_cents,
			                      card_reference, staff_user_id, created_at, updated_at)
			VALUES ($1, $2, 'counter', 'succeeded', $3, $4, $5, $6, $7, $8, $9, $9)
			RETURNING `+paymentColumns,
			o.ID, c.Provider, o.TotalCents, o.Currency, tendered, change, ref, c.StaffUserID, c.Now)
	})
	if err != nil {
		return payment.Record{}, fmt.Errorf("counter payment: %w", err)
	}
	return out.record(), nil
}

// CashTotals sums cash payments per staff member and day (in zone) between
// from and to: the cash each shift should have in the drawer.
func (db *DB) CashTotals(ctx context.Context, from, to time.Time, zone string) ([]payment.ShiftTotal, error) {
	var rows []struct {
		StaffUserID *int64    `db:"staff_user_id"`
		StaffName   string    `db:"staff_name"`
		Day         time.Time `db:"day"`
		Payments    int       `db:"payments"`
		Cash        int64     `db:"cash_cents"`
		Tendered    int64     `db:"tendered_cents"`
		Change      int64     `db:"change_cents"`
		Refunded    int64     `db:"refunded_cents"`
	}
	err := db.selectAll(ctx, &rows, `
		SELECT p.staff_user_id, coalesce(u.name, '') AS staff_name,
		       date_trunc('day', p.created_at AT TIME ZONE $3) AS day,
		       count(*) AS payments,
		       sum(p.amount_cents) AS cash_cents,
		       sum(p.tendered_cents) AS tendered_cents,
		       sum(p.change_cents) AS change_cents,
		       sum(p.refunded_cents) AS refunded_cents
		FROM payments p LEFT JOIN users u ON u.id = p.staff_user_id
		WHERE p.provider = 'cash' AND p.status IN ('succeeded', 'refunded')
		  AND p.created_at >= $1 AND p.created_at < $2
		GROUP BY p.staff_user_id, u.name, day
		ORDER BY day, staff_name`, from, to, zone)
	if err != nil {
		return nil, fmt.Errorf("cash totals: %w", err)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, fmt.Errorf("cash totals: %w", err)
	}
	out := make([]payment.ShiftTotal, len(rows))
	for i, r := range rows {
		d := r.Day // a timestamp without zone, read as UTC: the wall-clock midnight in zone
		out[i] = payment.ShiftTotal{StaffUserID: r.StaffUserID, StaffName: r.StaffName,
			Day:      time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc),
			Payments: r.Payments, CashCents: r.Cash, TenderedCents: r.Tendered, ChangeCents: r.Change, RefundedCents: r.Refunded}
	}
	return out, nil
}

// TryPaymentLease takes the named lease until `until` if it is free at now.
func (db *DB) TryPaymentLease(ctx context.Context, name string, now, until time.Time) (bool, error) {
	var got []string
	if err := db.selectAll(ctx, &got, `
		INSERT INTO payment_leases (name, held_until) VALUES ($1, $3)
		ON CONFLICT (name) DO UPDATE SET held_until = EXCLUDED.held_until
		WHERE payment_leases.held_until <= $2
		RETURNING name`, name, now, until); err != nil {
		return false, fmt.Errorf("payment lease: %w", err)
	}
	return len(got) == 1, nil
}
