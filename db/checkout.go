package db

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/booking"
	"marquee/payment"
)

// The payment service's storage (payment.Store), in three files by
// aggregate: checkouts (this file: hosted payment pages, provider events,
// settlement, expiry and the reconciliation lookups), the refund ledger
// (refunds.go) and counter tenders (counter.go). Each method is one
// statement or one short transaction; the service calls the gateway between
// them, never inside. Order rows are locked before payment rows, always.

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
		// amount_cents is what we asked for: nothing, for a session we never
		// created — so the row says "unknown" to every later event too.
		if err := ins.SelectContext(ctx, &rows, o.ID, in.Provider, st.ID, 0, cur, in.Now); err != nil {
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

// SettleCheckout applies money received for a checkout session in one short
// transaction, doing what plan decides (payment.PlanSettlement) on the state
// it locked: it locks the order and the payment row, asks plan, and executes
// the decision — marks the payment succeeded, sells the order (re-taking
// every seat, all or none: when one is gone it asks plan again with
// SeatsGone), fails the order, records a pending refund for the caller to
// send after commit. It decides nothing itself.
func (db *DB) SettleCheckout(ctx context.Context, in payment.Settle, plan payment.SettlePlanner) (payment.Settlement, error) {
	var out payment.Settlement
	st := in.Checkout
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		out = payment.Settlement{}
		o, p, err := db.lockCheckout(ctx, tx, in)
		if err != nil {
			return err
		}
		facts := payment.SettleFacts{OrderStatus: o.Status, PaymentID: p.ID, PaymentStatus: p.Status,
			StoredCents: p.AmountCents, PaidCents: st.AmountCents, StoredCurrency: p.Currency, PaidCurrency: st.Currency,
			UnknownSession: p.AmountCents == 0} // a session we never created asked for nothing
		d, err := plan(facts)
		if err != nil {
			return err
		}
		if d.RecordPayment {
			if err := db.setPaymentTx(ctx, tx, p.ID, payment.PaySucceeded, st.PaymentRef, st.AmountCents, in.Now); err != nil {
				return err
			}
		}
		if d.Sell {
			ok, err := db.retakeSeats(ctx, tx, o.ID, nil, in.Now)
			if err != nil {
				return err
			}
			if ok {
				out.Outcome = d.Outcome
				return db.sellTx(ctx, tx, o, in.Now)
			}
			facts.SeatsGone = true
			if d, err = plan(facts); err != nil {
				return err
			}
			if d.Sell {
				return fmt.Errorf("settlement rule sells order %s although its seats are gone", o.Code)
			}
		}
		out.Outcome = d.Outcome
		if d.FailOrder {
			if err := db.releaseTx(ctx, tx, o, booking.OrderFailed, in.Now); err != nil {
				return err
			}
		}
		if d.Refund == nil {
			return nil
		}
		r, err := db.insertRefundTx(ctx, tx, newRefund{OrderID: o.ID, PaymentID: p.ID, Reason: d.Refund.Reason,
			Cancellation: booking.Cancellation{RefundCents: d.Refund.AmountCents}, Key: d.Refund.IdempotencyKey, Now: in.Now})
		if err != nil {
			return err
		}
		r.PaymentRef = cmp.Or(st.PaymentRef, r.PaymentRef)
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
		// The amount stays the one asked for: settlement compares it with
		// what finally arrives (payment.PlanSettlement).
		if err := db.setPaymentTx(ctx, tx, p.ID, payment.PayProcessing, st.PaymentRef, 0, in.Now); err != nil {
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
