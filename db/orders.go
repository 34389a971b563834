package db

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/booking"
)

// orderCodeAlphabet has no 0/O or 1/I, so codes read well over the phone.
const orderCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newOrderCode returns a random 12-character public order code (60 bits).
func newOrderCode() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = orderCodeAlphabet[int(b[i])%len(orderCodeAlphabet)]
	}
	return string(b)
}

const insertOrderSQL = `
	INSERT INTO orders (code, user_id, email, showtime_id, status, currency, hold_expires_at, created_at,
	                    idempotency_key, idempotency_fingerprint, channel)
	VALUES ($1, $2, $3, $4, 'pending_payment', $5, $6, $7, $8, $9, coalesce(nullif($10, ''), 'online'))
	ON CONFLICT (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
	RETURNING id`

const insertItemsSQL = `
	INSERT INTO order_items (order_id, showtime_id, seat_id, ticket_type, price_cents, tax_cents, fee_tax_cents, status)
	SELECT $1, $2, s.seat_id, s.ticket_type, s.price_cents, s.tax_cents, s.fee_tax_cents, 'reserved'
	FROM unnest($3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[]) AS s(seat_id, ticket_type, price_cents, tax_cents, fee_tax_cents)`

const setTotalsSQL = `
	UPDATE orders SET subtotal_cents = $2, fee_cents = $3, total_cents = $4, hold_expires_at = $5,
	       tax_included = $6, tax_rate = $7, currency = $8
	WHERE id = $1`

// moveClaimsSQL moves a cart's live holds onto an order.
const moveClaimsSQL = `
	UPDATE seat_claims SET order_id = $1, cart_id = NULL
	WHERE showtime_id = $2 AND cart_id = $3 AND order_id IS NULL AND expires_at > $4
	RETURNING seat_id, ticket_type, expires_at`

// claimForOrderSQL takes seats straight for an order: the same conditional
// single statement as holdSQL (free, or an expired hold reclaimed).
const claimForOrderSQL = `
	INSERT INTO seat_claims AS c (showtime_id, seat_id, cart_id, order_id, ticket_type, expires_at, claimed_at)
	SELECT $1, s.seat_id, NULL, $2, s.ticket_type, $3, $4
	FROM unnest($5::bigint[], $6::text[]) AS s(seat_id, ticket_type)
	ON CONFLICT (showtime_id, seat_id) DO UPDATE
		SET cart_id = NULL, order_id = EXCLUDED.order_id, ticket_type = EXCLUDED.ticket_type,
		    expires_at = EXCLUDED.expires_at, claimed_at = EXCLUDED.claimed_at
		WHERE c.expires_at <= $4
	RETURNING seat_id`

// Checkout turns a cart's held seats of one showtime into an order.
type Checkout struct {
	ShowtimeID int64
	CartID     string
	UserID     *int64
	Email      string
	Now        time.Time
	Layout     *booking.Layout
	Card       booking.PriceCard
	Settings   booking.Settings
}

// CheckoutCart creates a pending_payment order from the cart's live holds in
// one short transaction: the claims move from the cart onto the order and keep
// their expiry, which becomes the order's hold expiry. The seats stay taken
// until the order is paid, or the sweeper expires it.
func (db *DB) CheckoutCart(ctx context.Context, co Checkout) (booking.Order, error) {
	code := newOrderCode()
	var id int64
	if err := db.prepare(ctx, insertOrderSQL, moveClaimsSQL, insertItemsSQL, setTotalsSQL); err != nil {
		return booking.Order{}, err
	}
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		ins, err := db.txStmt(ctx, tx, insertOrderSQL)
		if err != nil {
			return err
		}
		if err := ins.GetContext(ctx, &id, code, co.UserID, co.Email, co.ShowtimeID, cmp.Or(co.Settings.Currency, co.Card.SaleCurrency()), co.Now, co.Now, nil, nil, booking.ChannelOnline); err != nil {
			return fmt.Errorf("insert order: %w", err)
		}
		move, err := db.txStmt(ctx, tx, moveClaimsSQL)
		if err != nil {
			return err
		}
		var moved []claimRow
		if err := move.SelectContext(ctx, &moved, id, co.ShowtimeID, co.CartID, co.Now); err != nil {
			return fmt.Errorf("move holds to order: %w", err)
		}
		if len(moved) == 0 {
			return booking.Invalid("seat", "You have no seats held for this show any more. Please pick your seats again.")
		}
		lines := make([]booking.Line, 0, len(moved))
		until := *moved[0].ExpiresAt
		for _, m := range moved {
			seat, ok := co.Layout.Seat(m.SeatID)
			if !ok {
				return fmt.Errorf("seat %d is not in the layout", m.SeatID)
			}
			lines = append(lines, booking.Line{Seat: seat, TicketType: m.TicketType})
			if m.ExpiresAt.Before(until) {
				until = *m.ExpiresAt
			}
		}
		q, err := booking.PriceLines(co.Card, lines, co.Settings)
		if err != nil {
			return err
		}
		return db.writeItems(ctx, tx, id, co.ShowtimeID, q, until)
	})
	if err != nil {
		return booking.Order{}, fmt.Errorf("checkout: %w", err)
	}
	return db.OrderByCode(ctx, code)
}

func (db *DB) writeItems(ctx context.Context, tx *sqlx.Tx, orderID, showtimeID int64, q booking.Quote, until time.Time) error {
	seatIDs := make([]int64, len(q.Lines))
	types := make([]string, len(q.Lines))
	prices := make([]int64, len(q.Lines))
	taxes, feeTaxes := make([]int64, len(q.Lines)), make([]int64, len(q.Lines))
	for i, l := range q.Lines {
		seatIDs[i], types[i], prices[i], taxes[i], feeTaxes[i] = l.Seat.ID, l.TicketType, l.PriceCents, l.TaxCents, l.FeeTaxCents
	}
	if _, err := db.txExec(ctx, tx, insertItemsSQL, orderID, showtimeID, pq.Array(seatIDs), pq.Array(types), pq.Array(prices), pq.Array(taxes), pq.Array(feeTaxes)); err != nil {
		return fmt.Errorf("insert order items: %w", err)
	}
	if _, err := db.txExec(ctx, tx, setTotalsSQL, orderID, q.SubtotalCents, q.FeeCents, q.TotalCents, until,
		q.TaxIncluded, q.TaxRate, q.Currency); err != nil {
		return fmt.Errorf("order totals: %w", err)
	}
	return nil
}

// PlaceOrder is an order for chosen seats made in one go (the API): the seats
// are claimed straight for the order.
type PlaceOrder struct {
	ShowtimeID int64
	UserID     *int64
	Email      string
	Lines      []booking.Line
	Now, Until time.Time
	Card       booking.PriceCard
	Settings   booking.Settings
	// IdempotencyKey, when set, makes a repeated request (same user, same key)
	// return the first order. Fingerprint identifies the request's content; a
	// key reused for a different request is refused.
	IdempotencyKey string
	Fingerprint    string
	// Channel is what reports count the order under (booking.ChannelAPI,
	// ChannelCounter; "" is online).
	Channel string
}

// PlaceOrderResult is the order and whether it was created by this call
// (false: an earlier request with the same idempotency key created it).
type PlaceOrderResult struct {
	Order   booking.Order
	Created bool
}

// PlaceOrder claims the seats for a new pending_payment order, all or none,
// in one short transaction. ECONFLICT when a seat is taken.
func (db *DB) PlaceOrder(ctx context.Context, p PlaceOrder) (PlaceOrderResult, error) {
	q, err := booking.PriceLines(p.Card, p.Lines, p.Settings)
	if err != nil {
		return PlaceOrderResult{}, err
	}
	code := newOrderCode()
	var key, fp any
	if p.IdempotencyKey != "" {
		key, fp = p.IdempotencyKey, p.Fingerprint
	}
	errReplay := errors.New("replay")
	if err := db.prepare(ctx, insertOrderSQL, claimForOrderSQL, insertItemsSQL, setTotalsSQL); err != nil {
		return PlaceOrderResult{}, err
	}
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		ins, err := db.txStmt(ctx, tx, insertOrderSQL)
		if err != nil {
			return err
		}
		var id int64
		var ids []int64
		if err := ins.SelectContext(ctx, &ids, code, p.UserID, p.Email, p.ShowtimeID, q.Currency, p.Until, p.Now, key, fp, p.Channel); err != nil {
			return fmt.Errorf("insert order: %w", err)
		}
		if len(ids) == 0 {
			return errReplay // the same key was used before: nothing to do here
		}
		id = ids[0]
		seatIDs := make([]int64, len(q.Lines))
		types := make([]string, len(q.Lines))
		for i, l := range q.Lines {
			seatIDs[i], types[i] = l.Seat.ID, l.TicketType
		}
		claim, err := db.txStmt(ctx, tx, claimForOrderSQL)
		if err != nil {
			return err
		}
		var granted []int64
		if err := claim.SelectContext(ctx, &granted, p.ShowtimeID, id, p.Until, p.Now, pq.Array(seatIDs), pq.Array(types)); err != nil {
			return fmt.Errorf("claim seats: %w", err)
		}
		if len(granted) < len(seatIDs) {
			return booking.ErrSeatTaken()
		}
		return db.writeItems(ctx, tx, id, p.ShowtimeID, q, p.Until)
	})
	if errors.Is(err, errReplay) {
		return db.replayOrder(ctx, p)
	}
	if err != nil {
		return PlaceOrderResult{}, fmt.Errorf("place order: %w", err)
	}
	o, err := db.OrderByCode(ctx, code)
	return PlaceOrderResult{Order: o, Created: true}, err
}

func (db *DB) replayOrder(ctx context.Context, p PlaceOrder) (PlaceOrderResult, error) {
	var r struct {
		Code        string  `db:"code"`
		Fingerprint *string `db:"idempotency_fingerprint"`
	}
	err := db.get(ctx, &r, `
		SELECT code, idempotency_fingerprint FROM orders
		WHERE user_id = $1 AND idempotency_key = $2`, p.UserID, p.IdempotencyKey)
	if err != nil {
		return PlaceOrderResult{}, fmt.Errorf("idempotent replay: %w", err)
	}
	if r.Fingerprint == nil || *r.Fingerprint != p.Fingerprint {
		return PlaceOrderResult{}, booking.Invalid("Idempotency-Key", "This Idempotency-Key was already used for a different request.")
	}
	o, err := db.OrderByCode(ctx, r.Code)
	return PlaceOrderResult{Order: o}, err
}

const orderColumns = `id, code, user_id, email, status, subtotal_cents, fee_cents, total_cents, currency,
	hold_expires_at, created_at, paid_at, cancelled_at, showtime_id, tax_included, tax_rate`

// OrderByCode returns an order with its items by public code.
func (db *DB) OrderByCode(ctx context.Context, code string) (booking.Order, error) {
	var o booking.Order
	if err := db.get(ctx, &o, `SELECT `+orderColumns+` FROM orders WHERE code = $1`, code); err != nil {
		return o, fmt.Errorf("order: %w", err)
	}
	o.Items = []booking.OrderItem{}
	if err := db.selectAll(ctx, &o.Items, `
		SELECT i.order_id, i.showtime_id, i.seat_id, s.row_label, s.number, s.kind, i.ticket_type, i.price_cents, i.status, i.checked_in_at, i.tax_cents, i.fee_tax_cents
		FROM order_items i
		JOIN seats s ON s.id = i.seat_id
		WHERE i.order_id = $1
		ORDER BY s.y, s.x`, o.ID); err != nil {
		return o, fmt.Errorf("order items: %w", err)
	}
	return o, nil
}

// TransitionOrder moves an order to status to, if the state machine in
// booking allows it from the order's current status (checked in the same
// conditional UPDATE, so concurrent transitions can't both win).
func (db *DB) TransitionOrder(ctx context.Context, orderID int64, to string, now time.Time) error {
	var got []string
	err := db.selectAll(ctx, &got, `
		UPDATE orders SET status = $2,
		       paid_at = CASE WHEN $2 = 'paid' THEN $3 ELSE paid_at END,
		       cancelled_at = CASE WHEN $2 IN ('cancelled', 'refunded') THEN coalesce(cancelled_at, $3) ELSE cancelled_at END
		WHERE id = $1 AND status = ANY($4::text[])
		RETURNING status`, orderID, to, now, pq.Array(booking.TransitionsInto(to)))
	if err != nil {
		return fmt.Errorf("order %d to %s: %w", orderID, to, err)
	}
	if len(got) == 1 {
		return nil
	}
	var from string
	if err := db.get(ctx, &from, `SELECT status FROM orders WHERE id = $1`, orderID); err != nil {
		return fmt.Errorf("order %d: %w", orderID, err)
	}
	return booking.CheckTransition(from, to)
}

// ExpireOrders moves unpaid orders whose hold ran out at now to expired,
// releases their items and gives their seats back, in one statement. Rows
// locked by another instance's sweeper are skipped (FOR UPDATE SKIP LOCKED).
func (db *DB) ExpireOrders(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := db.get(ctx, &n, `
		WITH due AS (
			SELECT id FROM orders
			WHERE status = ANY($2::text[]) AND hold_expires_at <= $1
			ORDER BY hold_expires_at
			LIMIT 500
			FOR UPDATE SKIP LOCKED
		), expired AS (
			UPDATE orders o SET status = $3 FROM due WHERE o.id = due.id
			RETURNING o.id
		), items AS (
			UPDATE order_items i SET status = $4
			FROM expired WHERE i.order_id = expired.id AND i.status = $5
		), freed AS (
			DELETE FROM seat_claims c USING expired
			WHERE c.order_id = expired.id AND c.expires_at IS NOT NULL
		)
		SELECT count(*) FROM expired`,
		now, pq.Array(booking.TransitionsInto(booking.OrderExpired)), booking.OrderExpired,
		booking.ItemReleased, booking.ItemReserved)
	if err != nil {
		return 0, fmt.Errorf("expire orders: %w", err)
	}
	return n, nil
}

// AbandonOrder expires an order still awaiting payment at once (its
// customer gave up on it), releases its items and gives its seats back, in
// one statement; the provider's payment page is then expired by the lapsed
// checkout job. It reports false when the order was not awaiting payment
// (paid, or already expired, meanwhile).
func (db *DB) AbandonOrder(ctx context.Context, code string, now time.Time) (bool, error) {
	var n int
	err := db.get(ctx, &n, `
		WITH due AS (
			SELECT id FROM orders WHERE code = $1 AND status = $3 FOR UPDATE
		), expired AS (
			UPDATE orders o SET status = $4, hold_expires_at = LEAST(o.hold_expires_at, $2)
			FROM due WHERE o.id = due.id
			RETURNING o.id
		), items AS (
			UPDATE order_items i SET status = $5
			FROM expired WHERE i.order_id = expired.id AND i.status = $6
		), freed AS (
			DELETE FROM seat_claims c USING expired
			WHERE c.order_id = expired.id AND c.expires_at IS NOT NULL
		)
		SELECT count(*) FROM expired`,
		code, now, booking.OrderPendingPayment, booking.OrderExpired, booking.ItemReleased, booking.ItemReserved)
	if err != nil {
		return false, fmt.Errorf("abandon order: %w", err)
	}
	return n == 1, nil
}

// IdempotentOrder returns the order a user created earlier with this
// Idempotency-Key and its request fingerprint; ENOTFOUND when there is none.
func (db *DB) IdempotentOrder(ctx context.Context, userID int64, key string) (booking.Order, string, error) {
	var r struct {
		Code        string  `db:"code"`
		Fingerprint *string `db:"idempotency_fingerprint"`
	}
	if err := db.get(ctx, &r, `
		SELECT code, idempotency_fingerprint FROM orders
		WHERE user_id = $1 AND idempotency_key = $2`, userID, key); err != nil {
		return booking.Order{}, "", fmt.Errorf("idempotency key: %w", err)
	}
	o, err := db.OrderByCode(ctx, r.Code)
	fp := ""
	if r.Fingerprint != nil {
		fp = *r.Fingerprint
	}
	return o, fp, err
}
