package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/booking"
)

// Cash drawers (cash-up): a session per member of staff and till. Counter
// payments (SettleCounter) and counter refunds (CancelAtCounter) made while
// one is open carry its id, taken under a share lock on the session row;
// closing locks the row for update, so a close and a sale never cross: the
// sale is in the totals the close freezes, or it finds the drawer closed.

const drawerColumns = `d.id, d.theatre_id, t.name AS theatre_name, t.time_zone, d.till, d.staff_user_id,
	coalesce(nullif(u.name, ''), u.email) AS staff_name, d.float_cents, d.opened_at, d.closed_at,
	coalesce(nullif(cb.name, ''), cb.email, '') AS closed_by_name, d.expected_cents, d.counted_cents, d.note,
	tot.cash_sales, tot.cash_sales_cents, tot.card_sales, tot.card_sales_cents,
	rf.cash_refunds, rf.cash_refunds_cents, rf.card_refunds, rf.card_refunds_cents
	FROM drawer_sessions d
	JOIN theatres t ON t.id = d.theatre_id
	JOIN users u ON u.id = d.staff_user_id
	LEFT JOIN users cb ON cb.id = d.closed_by
	CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE p.provider = 'cash') AS cash_sales,
		       coalesce(sum(p.amount_cents) FILTER (WHERE p.provider = 'cash'), 0) AS cash_sales_cents,
		       count(*) FILTER (WHERE p.provider = 'card_present') AS card_sales,
		       coalesce(sum(p.amount_cents) FILTER (WHERE p.provider = 'card_present'), 0) AS card_sales_cents
		FROM payments p WHERE p.drawer_session_id = d.id AND p.status IN ('succeeded', 'refunded')) tot
	CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE r.tender = 'cash') AS cash_refunds,
		       coalesce(sum(r.amount_cents) FILTER (WHERE r.tender = 'cash'), 0) AS cash_refunds_cents,
		       count(*) FILTER (WHERE r.tender = 'card') AS card_refunds,
		       coalesce(sum(r.amount_cents) FILTER (WHERE r.tender = 'card'), 0) AS card_refunds_cents
		FROM refunds r WHERE r.drawer_session_id = d.id AND r.status IN ('pending', 'succeeded')) rf`

// OpenDrawer opens a drawer session. ECONFLICT when the member of staff has
// one open already, or the till is open for someone else.
func (db *DB) OpenDrawer(ctx context.Context, n booking.NewDrawer) (booking.DrawerSession, error) {
	var id int64
	err := db.get(ctx, &id, `
		INSERT INTO drawer_sessions (theatre_id, till, staff_user_id, float_cents, opened_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, n.TheatreID, n.Till, n.StaffUserID, n.FloatCents, n.Now)
	var pqe *pq.Error
	if errors.As(err, &pqe) && pqe.Code == "23505" {
		if pqe.Constraint == "drawer_sessions_open_staff" {
			return booking.DrawerSession{}, booking.Errorf(booking.ECONFLICT, "You have a drawer open already: close it first.")
		}
		return booking.DrawerSession{}, booking.Errorf(booking.ECONFLICT, "%s is open for someone else: close that drawer first, or name another till.", n.Till)
	}
	if err != nil {
		return booking.DrawerSession{}, fmt.Errorf("open drawer: %w", err)
	}
	return db.Drawer(ctx, id)
}

// Drawer returns a drawer session with its totals.
func (db *DB) Drawer(ctx context.Context, id int64) (booking.DrawerSession, error) {
	var d booking.DrawerSession
	if err := db.get(ctx, &d, `SELECT `+drawerColumns+` WHERE d.id = $1`, id); err != nil {
		return d, fmt.Errorf("drawer %d: %w", id, err)
	}
	return d, nil
}

// OpenDrawerOf returns the member of staff's open drawer session (ok false: none).
func (db *DB) OpenDrawerOf(ctx context.Context, staffID int64) (booking.DrawerSession, bool, error) {
	var ds []booking.DrawerSession
	if err := db.selectAll(ctx, &ds, `SELECT `+drawerColumns+` WHERE d.staff_user_id = $1 AND d.closed_at IS NULL`, staffID); err != nil {
		return booking.DrawerSession{}, false, fmt.Errorf("open drawer of %d: %w", staffID, err)
	}
	if len(ds) == 0 {
		return booking.DrawerSession{}, false, nil
	}
	return ds[0], true, nil
}

// DrawerFilter selects drawer sessions for the managers' cash-up page.
type DrawerFilter struct {
	Theatres []int64 // nil: every theatre
	Query    string  // part of the staff member's name or e-mail, or the till
	From, To time.Time
	Limit    int
}

// DrawerSessions lists drawer sessions opened in [From, To), newest first.
func (db *DB) DrawerSessions(ctx context.Context, f DrawerFilter) ([]booking.DrawerSession, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	like := ""
	if f.Query != "" {
		like = "%" + likeEscape(f.Query) + "%"
	}
	var out []booking.DrawerSession
	err := db.selectAll(ctx, &out, `SELECT `+drawerColumns+`
		WHERE ($1::bigint[] IS NULL OR d.theatre_id = ANY($1))
		  AND ($2 = '' OR d.till ILIKE $2 OR u.name ILIKE $2 OR u.email ILIKE $2)
		  AND d.opened_at >= $3 AND d.opened_at < $4
		ORDER BY d.opened_at DESC, d.id DESC
		LIMIT $5`, theatresArg(f.Theatres), like, f.From, f.To, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("drawer sessions: %w", err)
	}
	return out, nil
}

// theatresArg is a scope's theatres as a query argument: NULL for every theatre.
func theatresArg(ids []int64) any {
	if ids == nil {
		return nil
	}
	return pq.Array(ids)
}

// CloseDrawer closes a drawer session with the cash counted, freezing what it
// should have held; check decides on the session as locked.
func (db *DB) CloseDrawer(ctx context.Context, id, closedBy, countedCents int64, note string, now time.Time,
	check func(booking.DrawerSession) error) (booking.DrawerSession, error) {
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var locked int64
		if err := db.txGet(ctx, tx, &locked, `SELECT id FROM drawer_sessions WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		var d booking.DrawerSession
		if err := db.txGet(ctx, tx, &d, `SELECT `+drawerColumns+` WHERE d.id = $1`, id); err != nil {
			return err
		}
		if err := check(d); err != nil {
			return err
		}
		_, err := db.txExec(ctx, tx, `
			UPDATE drawer_sessions SET closed_at = $2, closed_by = $3, expected_cents = $4, counted_cents = $5, note = $6
			WHERE id = $1 AND closed_at IS NULL`, id, now, closedBy, d.Expected(), countedCents, note)
		return err
	})
	if err != nil {
		return booking.DrawerSession{}, fmt.Errorf("close drawer %d: %w", id, err)
	}
	return db.Drawer(ctx, id)
}

// drawerForCashTx finds the member of staff's open drawer in tx, share-locked
// until commit (a close waits for this sale or refund), and whether it is at
// the theatre of the order's showtime. 0 when none is open.
func (db *DB) drawerForCashTx(ctx context.Context, tx *sqlx.Tx, staffID int64, orderCode string) (id int64, here bool, err error) {
	var rows []struct {
		ID   int64 `db:"id"`
		Here bool  `db:"here"`
	}
	s, err := db.txStmt(ctx, tx, `
		SELECT d.id, d.theatre_id = (SELECT a.theatre_id FROM orders o JOIN showtimes st ON st.id = o.showtime_id
		                             JOIN auditoriums a ON a.id = st.auditorium_id WHERE o.code = $2) AS here
		FROM drawer_sessions d WHERE d.staff_user_id = $1 AND d.closed_at IS NULL
		FOR SHARE OF d`)
	if err != nil {
		return 0, false, err
	}
	if err := s.SelectContext(ctx, &rows, staffID, orderCode); err != nil {
		return 0, false, fmt.Errorf("open drawer: %w", err)
	}
	if len(rows) == 0 {
		return 0, false, nil
	}
	return rows[0].ID, rows[0].Here, nil
}
