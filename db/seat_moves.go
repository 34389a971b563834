package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/booking"
)

// MoveSeats changes seats of a paid order within its showtime, in one short
// transaction: the order row locked, plan asked on the order as locked,
// the new seats claimed with the one conditional statement every sale uses
// (free, or an expired hold; never a live hold or a sale: ECONFLICT and
// nothing changes), the items moved, the old seats' claims given back. The
// trigger tells the live seat maps.
func (db *DB) MoveSeats(ctx context.Context, code string, now time.Time, plan func(o booking.Order) ([]booking.SeatMove, error)) ([]booking.SeatMove, error) {
	var out []booking.SeatMove
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		o, _, err := db.lockOrder(ctx, tx, code)
		if err != nil {
			return err
		}
		moves, err := plan(o)
		if err != nil {
			return err
		}
		to := make([]int64, len(moves))
		from := make([]int64, len(moves))
		types := make([]string, len(moves))
		for i, m := range moves {
			from[i], to[i], types[i] = m.From.ID, m.To.ID, m.TicketType
		}
		claim, err := db.txStmt(ctx, tx, `
			INSERT INTO seat_claims AS c (showtime_id, seat_id, cart_id, order_id, ticket_type, expires_at, claimed_at)
			SELECT $1, s.seat_id, NULL, $2, s.ticket_type, NULL, $3
			FROM unnest($4::bigint[], $5::text[]) AS s(seat_id, ticket_type)
			ON CONFLICT (showtime_id, seat_id) DO UPDATE
				SET cart_id = NULL, order_id = EXCLUDED.order_id, ticket_type = EXCLUDED.ticket_type,
				    expires_at = NULL, claimed_at = EXCLUDED.claimed_at
				WHERE c.expires_at <= $3
			RETURNING seat_id`)
		if err != nil {
			return err
		}
		var granted []int64
		if err := claim.SelectContext(ctx, &granted, o.ShowtimeID, o.ID, now, pq.Array(to), pq.Array(types)); err != nil {
			return fmt.Errorf("claim new seats: %w", err)
		}
		if len(granted) < len(to) {
			return booking.ErrSeatTaken()
		}
		n, err := db.txExec(ctx, tx, `
			UPDATE order_items i SET seat_id = m.to_seat
			FROM unnest($2::bigint[], $3::bigint[]) AS m(from_seat, to_seat)
			WHERE i.order_id = $1 AND i.seat_id = m.from_seat AND i.status = 'sold' AND i.checked_in_at IS NULL`,
			o.ID, pq.Array(from), pq.Array(to))
		if err != nil {
			return fmt.Errorf("move items: %w", err)
		}
		if n != int64(len(moves)) { // cannot happen under the row lock; refuse rather than move part
			return booking.Errorf(booking.ECONFLICT, "These seats were changed meanwhile. Please reload and try again.")
		}
		if _, err := db.txExec(ctx, tx, `
			DELETE FROM seat_claims WHERE showtime_id = $1 AND order_id = $2 AND seat_id = ANY($3::bigint[])`,
			o.ShowtimeID, o.ID, pq.Array(from)); err != nil {
			return fmt.Errorf("give back old seats: %w", err)
		}
		out = moves
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("move seats of %s: %w", code, err)
	}
	return out, nil
}
