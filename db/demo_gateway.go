package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"marquee/payment"
)

// The demo payment gateway's sessions (payment.DemoStore). The gateway's
// logic stays in payment/demo.go; this only stores its sessions, one row each,
// read-modify-written under a row lock.

type demoRow struct {
	ID       string    `db:"id"`
	State    []byte    `db:"state"`
	Request  []byte    `db:"request"`
	Expires  time.Time `db:"expires_at"`
	Refunded int64     `db:"refunded_cents"`
	Events   int       `db:"events"`
}

const demoColumns = `id, state, request, expires_at, refunded_cents, events`

func (r demoRow) session() (payment.DemoSession, error) {
	s := payment.DemoSession{Expires: r.Expires, RefundedCents: r.Refunded, Events: r.Events}
	if err := json.Unmarshal(r.State, &s.State); err != nil {
		return s, fmt.Errorf("demo session %s: state: %w", r.ID, err)
	}
	if err := json.Unmarshal(r.Request, &s.Request); err != nil {
		return s, fmt.Errorf("demo session %s: request: %w", r.ID, err)
	}
	return s, nil
}

func demoJSON(s payment.DemoSession) (state, request []byte, err error) {
	if state, err = json.Marshal(s.State); err != nil {
		return nil, nil, err
	}
	request, err = json.Marshal(s.Request)
	return state, request, err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateDemoSession stores a new session, or returns the one already stored
// under its idempotency key.
func (db *DB) CreateDemoSession(ctx context.Context, s payment.DemoSession) (payment.DemoSession, error) {
	state, request, err := demoJSON(s)
	if err != nil {
		return s, fmt.Errorf("create demo session: %w", err)
	}
	var r demoRow
	err = db.get(ctx, &r, `
		WITH ins AS (
			INSERT INTO demo_checkout_sessions (id, idempotency_key, state, request, expires_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (idempotency_key) DO NOTHING
			RETURNING `+demoColumns+`)
		SELECT `+demoColumns+` FROM ins
		UNION ALL
		SELECT `+demoColumns+` FROM demo_checkout_sessions WHERE idempotency_key = $2 AND NOT EXISTS (SELECT 1 FROM ins)`,
		s.State.ID, nullable(s.Request.IdempotencyKey), state, request, s.Expires, s.State.Created)
	if err != nil {
		return s, fmt.Errorf("create demo session: %w", err)
	}
	return r.session()
}

// DemoSession returns a session; ENOTFOUND when there is none.
func (db *DB) DemoSession(ctx context.Context, id string) (payment.DemoSession, error) {
	var r demoRow
	if err := db.get(ctx, &r, `SELECT `+demoColumns+` FROM demo_checkout_sessions WHERE id = $1`, id); err != nil {
		return payment.DemoSession{}, fmt.Errorf("demo session %q: %w", id, err)
	}
	return r.session()
}

// DemoSessionByRef returns the session whose payment is ref; ENOTFOUND when none.
func (db *DB) DemoSessionByRef(ctx context.Context, ref string) (payment.DemoSession, error) {
	var r demoRow
	if err := db.get(ctx, &r, `SELECT `+demoColumns+` FROM demo_checkout_sessions WHERE payment_ref = $1`, ref); err != nil {
		return payment.DemoSession{}, fmt.Errorf("demo payment %q: %w", ref, err)
	}
	return r.session()
}

// UpdateDemoSession runs change on the session, locked, and stores what it
// leaves when it returns nil. ENOTFOUND when there is no such session.
func (db *DB) UpdateDemoSession(ctx context.Context, id string, change func(*payment.DemoSession) error) (payment.DemoSession, error) {
	var s payment.DemoSession
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var r demoRow
		if err := db.txGet(ctx, tx, &r, `SELECT `+demoColumns+` FROM demo_checkout_sessions WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		var err error
		if s, err = r.session(); err != nil {
			return err
		}
		if err := change(&s); err != nil {
			return err
		}
		state, request, err := demoJSON(s)
		if err != nil {
			return err
		}
		_, err = db.txExec(ctx, tx, `
			UPDATE demo_checkout_sessions
			SET state = $2, request = $3, payment_ref = $4, refunded_cents = $5, events = $6
			WHERE id = $1`, id, state, request, nullable(s.State.PaymentRef), s.RefundedCents, s.Events)
		return err
	})
	if err != nil {
		return payment.DemoSession{}, fmt.Errorf("update demo session %q: %w", id, err)
	}
	return s, nil
}

// RecentDemoSessions lists the sessions created since the given time, oldest
// first. It also forgets sessions that never took a payment and are older
// than a week, so the table stays small (paid ones stay: refunds name them).
func (db *DB) RecentDemoSessions(ctx context.Context, since time.Time) ([]payment.DemoSession, error) {
	if _, err := db.exec(ctx, `
		DELETE FROM demo_checkout_sessions WHERE payment_ref IS NULL AND created_at < $1`,
		db.Now().Add(-7*24*time.Hour)); err != nil {
		return nil, fmt.Errorf("forget old demo sessions: %w", err)
	}
	var rows []demoRow
	if err := db.selectAll(ctx, &rows, `
		SELECT `+demoColumns+` FROM demo_checkout_sessions WHERE created_at >= $1 ORDER BY created_at, id`, since); err != nil {
		return nil, fmt.Errorf("recent demo sessions: %w", err)
	}
	out := make([]payment.DemoSession, 0, len(rows))
	for _, r := range rows {
		s, err := r.session()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
