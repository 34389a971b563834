package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/booking"
)

// claimRow is a seat_claims row as scanned.
type claimRow struct {
	SeatID     int64          `db:"seat_id"`
	CartID     sql.NullString `db:"cart_id"`
	OrderID    sql.NullInt64  `db:"order_id"`
	TicketType string         `db:"ticket_type"`
	ExpiresAt  *time.Time     `db:"expires_at"`
}

func (r claimRow) claim() booking.Claim {
	return booking.Claim{SeatID: r.SeatID, CartID: r.CartID.String, OrderID: r.OrderID.Int64, TicketType: r.TicketType, ExpiresAt: r.ExpiresAt}
}

func claims(rows []claimRow) []booking.Claim {
	out := make([]booking.Claim, len(rows))
	for i, r := range rows {
		out[i] = r.claim()
	}
	return out
}

// Claims returns every claim of a showtime (holds, expired or not, and sales).
func (db *DB) Claims(ctx context.Context, showtimeID int64) ([]booking.Claim, error) {
	var rows []claimRow
	err := db.selectAll(ctx, &rows, `
		SELECT seat_id, cart_id, order_id, ticket_type, expires_at
		FROM seat_claims
		WHERE showtime_id = $1`, showtimeID)
	if err != nil {
		return nil, fmt.Errorf("claims of showtime %d: %w", showtimeID, err)
	}
	return claims(rows), nil
}

// CartHolds returns a cart's holds for a showtime, expired ones included (not
// yet swept), so a page can say that a hold ran out.
func (db *DB) CartHolds(ctx context.Context, showtimeID int64, cartID string) ([]booking.Claim, error) {
	var rows []claimRow
	err := db.selectAll(ctx, &rows, `
		SELECT seat_id, cart_id, order_id, ticket_type, expires_at
		FROM seat_claims
		WHERE showtime_id = $1 AND cart_id = $2 AND order_id IS NULL
		ORDER BY seat_id`, showtimeID, cartID)
	if err != nil {
		return nil, fmt.Errorf("holds of a cart: %w", err)
	}
	return claims(rows), nil
}

// Hold asks for seats of one showtime for a cart.
type Hold struct {
	ShowtimeID int64
	CartID     string
	SeatIDs    []int64
	TicketType string
	// Now is the instant of the request; Until is when a new hold ends. A cart
	// that already holds seats keeps one timer: new seats end with the old ones.
	Now, Until time.Time
	// Max is the most seats the cart may hold for the showtime.
	Max int
	// Replace releases the cart's other holds of the showtime in the same
	// transaction (best seats replace the selection).
	Replace bool
	// Quiet marks a hot-path change (a click on a seat): the trigger's NOTIFY
	// is skipped — the caller announces the change itself, batched
	// (NotifySeats) — and the transaction commits asynchronously: a hold is
	// worth less than a disk flush. A PostgreSQL crash may forget holds of
	// the last moments (their seats are simply free again); the uniqueness
	// that prevents double sales is unaffected, and any later synchronous
	// commit (an order) flushes the hold with it.
	Quiet bool
}

// HoldResult is what the database granted.
type HoldResult struct {
	Granted   []int64
	ExpiresAt time.Time
}

// holdSQL takes seats for a cart in one conditional statement: a seat is taken
// when it has no claim, or when its claim (a cart's hold or a pending order's
// hold) expired at $4 — the expired hold is reclaimed by the same statement.
// The cart's seat count is checked in the same statement. Concurrency is
// settled by the primary key (showtime_id, seat_id): of two requests for one
// seat, exactly one row wins; the other sees a conflict and gets nothing back.
const holdSQL = `
	WITH quiet AS (
		SELECT set_config('marquee.seat_notify', CASE WHEN $8 THEN 'off' ELSE '' END, true) AS q,
		       set_config('synchronous_commit', CASE WHEN $8 THEN 'off' ELSE current_setting('synchronous_commit') END, true) AS s
	), cart AS (
		SELECT count(*) AS n, min(expires_at) AS until
		FROM seat_claims
		WHERE showtime_id = $1 AND cart_id = $2 AND order_id IS NULL AND expires_at > $4
	), taken AS (
		INSERT INTO seat_claims AS c (showtime_id, seat_id, cart_id, order_id, ticket_type, expires_at, claimed_at)
		SELECT $1, s.id, $2, NULL, $3, coalesce(cart.until, $5), $4
		FROM unnest($6::bigint[]) AS s(id), cart, quiet
		WHERE cart.n + cardinality($6::bigint[]) <= $7
		ON CONFLICT (showtime_id, seat_id) DO UPDATE
			SET cart_id = EXCLUDED.cart_id, order_id = NULL, ticket_type = EXCLUDED.ticket_type,
			    expires_at = EXCLUDED.expires_at, claimed_at = EXCLUDED.claimed_at
			WHERE c.expires_at <= $4
		RETURNING c.seat_id, c.expires_at
	)
	SELECT (SELECT n FROM cart) AS held,
	       coalesce((SELECT array_agg(seat_id) FROM taken), '{}') AS granted,
	       (SELECT min(expires_at) FROM taken) AS until`

type holdRow struct {
	Held    int           `db:"held"`
	Granted pq.Int64Array `db:"granted"`
	Until   *time.Time    `db:"until"`
}

// HoldSeats takes all of h.SeatIDs for the cart, or none: EINVALID when the
// cart would hold more than h.Max seats, ECONFLICT when a seat is taken. A
// single seat is one statement; several seats are that same statement in a
// short transaction, rolled back unless every seat was granted.
func (db *DB) HoldSeats(ctx context.Context, h Hold) (HoldResult, error) {
	if len(h.SeatIDs) == 0 {
		return HoldResult{}, booking.Invalid("seat", "Choose a seat.")
	}
	args := []any{h.ShowtimeID, h.CartID, h.TicketType, h.Now, h.Until, pq.Array(h.SeatIDs), h.Max, h.Quiet}
	var row holdRow
	if len(h.SeatIDs) == 1 && !h.Replace {
		if err := db.get(ctx, &row, holdSQL, args...); err != nil {
			return HoldResult{}, fmt.Errorf("hold seat: %w", err)
		}
		return holdResult(h, row)
	}
	// Prepare before taking a connection for the transaction: preparing inside
	// it would need a second connection from the pool (deadlock under load).
	if err := db.prepare(ctx, releaseCartSQL, holdSQL, quietSQL); err != nil {
		return HoldResult{}, err
	}
	var res HoldResult
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		if h.Quiet {
			if _, err := db.txExec(ctx, tx, quietSQL); err != nil {
				return err
			}
		}
		if h.Replace {
			rel, err := db.txStmt(ctx, tx, releaseCartSQL)
			if err != nil {
				return err
			}
			if _, err := rel.ExecContext(ctx, h.ShowtimeID, h.CartID); err != nil {
				return fmt.Errorf("release cart: %w", err)
			}
		}
		hold, err := db.txStmt(ctx, tx, holdSQL)
		if err != nil {
			return err
		}
		if err := hold.GetContext(ctx, &row, args...); err != nil {
			return err
		}
		res, err = holdResult(h, row)
		return err
	})
	if err != nil {
		return HoldResult{}, fmt.Errorf("hold seats: %w", err)
	}
	return res, nil
}

func holdResult(h Hold, row holdRow) (HoldResult, error) {
	if row.Held+len(h.SeatIDs) > h.Max {
		return HoldResult{}, booking.MaxSeatsError(h.Max)
	}
	if len(row.Granted) < len(h.SeatIDs) {
		return HoldResult{}, booking.ErrSeatTaken()
	}
	res := HoldResult{Granted: []int64(row.Granted)}
	if row.Until != nil {
		res.ExpiresAt = *row.Until
	}
	return res, nil
}

// prepare makes sure the statements are prepared (on the pool) before a
// transaction that uses them starts; tx.Stmt then re-prepares them on the
// transaction's own connection, never asking the pool for another one.
func (db *DB) prepare(ctx context.Context, queries ...string) error {
	for _, q := range queries {
		if _, err := db.stmt(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

const releaseCartSQL = `
	DELETE FROM seat_claims
	WHERE showtime_id = $1 AND cart_id = $2 AND order_id IS NULL`

// quietSQL makes the rest of the transaction quiet (see Hold.Quiet).
const quietSQL = `SELECT set_config('marquee.seat_notify', 'off', true), set_config('synchronous_commit', 'off', true)`

// ReleaseCart gives back every seat a cart holds for a showtime.
func (db *DB) ReleaseCart(ctx context.Context, showtimeID int64, cartID string) error {
	if _, err := db.exec(ctx, releaseCartSQL, showtimeID, cartID); err != nil {
		return fmt.Errorf("release cart: %w", err)
	}
	return nil
}

// SetTicketType changes the ticket type of one live held seat of a cart.
// ENOTFOUND when the cart doesn't hold the seat (any more).
func (db *DB) SetTicketType(ctx context.Context, showtimeID int64, cartID string, seatID int64, ticketType string, now time.Time) error {
	res, err := db.exec(ctx, `
		UPDATE seat_claims SET ticket_type = $4
		WHERE showtime_id = $1 AND cart_id = $2 AND seat_id = $3 AND order_id IS NULL AND expires_at > $5`,
		showtimeID, cartID, seatID, ticketType, now)
	if err != nil {
		return fmt.Errorf("set ticket type: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return booking.Errorf(booking.ENOTFOUND, "That seat isn't held for you any more.")
	}
	return nil
}

// RetimeHolds moves the end of a cart's live holds for a showtime to until
// (longer or shorter, e.g. when a showtime's sales cutoff moves). It returns
// how many holds changed.
func (db *DB) RetimeHolds(ctx context.Context, showtimeID int64, cartID string, until, now time.Time) (int, error) {
	res, err := db.exec(ctx, `
		UPDATE seat_claims SET expires_at = $3
		WHERE showtime_id = $1 AND cart_id = $2 AND order_id IS NULL AND expires_at > $4`,
		showtimeID, cartID, until, now)
	if err != nil {
		return 0, fmt.Errorf("retime holds: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// DeleteExpiredHolds deletes the carts' holds that ended at now. A hold that
// is being re-taken concurrently is re-checked by PostgreSQL after the lock
// and left alone, so this is safe on every instance at once.
func (db *DB) DeleteExpiredHolds(ctx context.Context, now time.Time) (int, error) {
	res, err := db.exec(ctx, `
		DELETE FROM seat_claims
		WHERE expires_at <= $1 AND order_id IS NULL`, now)
	if err != nil {
		return 0, fmt.Errorf("delete expired holds: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// NotifySeats tells every instance (LISTEN marquee_seats) that the claims of
// these showtimes changed: one statement for a batch of quiet changes.
func (db *DB) NotifySeats(ctx context.Context, showtimeIDs []int64) error {
	if len(showtimeIDs) == 0 {
		return nil
	}
	if _, err := db.exec(ctx, `SELECT count(pg_notify('`+ChannelSeats+`', x::text)) FROM unnest($1::bigint[]) x`, pq.Array(showtimeIDs)); err != nil {
		return fmt.Errorf("notify seats: %w", err)
	}
	return nil
}
