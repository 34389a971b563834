// Package db is Marquee's PostgreSQL storage: sqlx + lib/pq, SQL next to the
// method that runs it, explicit short transactions, statements prepared once,
// one file per aggregate. Decisions are not taken here: a transaction locks
// and loads the state, asks the rule passed in (Planner for cancellations,
// payment.SettlePlanner for money received, booking.RefundTransition for the
// refund ledger) and executes the answer.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"marquee/booking"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tunes the connection pool.
type Options struct {
	// MaxConns bounds the pool: HTTP concurrency must never become DB concurrency.
	// Open and idle sizes are equal so connections (and their prepared statements) are kept.
	MaxConns int
	Clock    booking.Clock
	Logger   *slog.Logger
}

// DB is the storage. It is safe for concurrent use.
type DB struct {
	x      *sqlx.DB // not embedded: callers use DB's methods, never raw SQL
	dsn    string
	clock  booking.Clock
	logger *slog.Logger

	mu    sync.Mutex
	stmts map[string]*sqlx.Stmt
}

// Open connects to PostgreSQL and checks the connection. It does not migrate.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	if opt.MaxConns <= 0 {
		opt.MaxConns = 16
	}
	if opt.Clock == nil {
		opt.Clock = booking.SystemClock{}
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	x, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	x.SetMaxOpenConns(opt.MaxConns)
	x.SetMaxIdleConns(opt.MaxConns)
	x.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := x.PingContext(pctx); err != nil {
		x.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return &DB{x: x, dsn: dsn, clock: opt.Clock, logger: opt.Logger, stmts: map[string]*sqlx.Stmt{}}, nil
}

// DSN returns the connection string the DB was opened with (for LISTEN).
func (db *DB) DSN() string { return db.dsn }

// Ping checks that the database answers (readiness).
func (db *DB) Ping(ctx context.Context) error { return mapErr(db.x.PingContext(ctx)) }

// Now returns the current time from the injected clock.
func (db *DB) Now() time.Time { return db.clock.Now() }

// Close closes prepared statements and the pool.
func (db *DB) Close() error {
	db.mu.Lock()
	for _, s := range db.stmts {
		s.Close()
	}
	db.stmts = map[string]*sqlx.Stmt{}
	db.mu.Unlock()
	return db.x.Close()
}

// Migrate brings the schema up to date with the embedded migrations.
// Several instances starting together take turns (a PostgreSQL session lock).
func (db *DB) Migrate(ctx context.Context) error {
	provider, err := db.migrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		db.logger.Info("migrated", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}

// migrations returns the goose provider of the embedded migrations.
func (db *DB) migrations() (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db.x.DB, mustSub(migrations, "migrations"),
		goose.WithSessionLocker(locker))
}

// stmt returns the prepared statement for query, preparing it on first use.
// Statements are prepared once per process and reused on every connection of the pool.
func (db *DB) stmt(ctx context.Context, query string) (*sqlx.Stmt, error) {
	db.mu.Lock()
	s, ok := db.stmts[query]
	db.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := db.x.PreparexContext(ctx, query)
	if err != nil {
		return nil, mapErr(fmt.Errorf("prepare: %w", err))
	}
	db.mu.Lock()
	if old, ok := db.stmts[query]; ok {
		db.mu.Unlock()
		s.Close()
		return old, nil
	}
	db.stmts[query] = s
	db.mu.Unlock()
	return s, nil
}

// get runs a prepared single-row query into dest.
func (db *DB) get(ctx context.Context, dest any, query string, args ...any) error {
	s, err := db.stmt(ctx, query)
	if err != nil {
		return err
	}
	return mapErr(s.GetContext(ctx, dest, args...))
}

// selectAll runs a prepared multi-row query into dest (a pointer to a slice).
func (db *DB) selectAll(ctx context.Context, dest any, query string, args ...any) error {
	s, err := db.stmt(ctx, query)
	if err != nil {
		return err
	}
	return mapErr(s.SelectContext(ctx, dest, args...))
}

// exec runs a prepared statement.
func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := db.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	res, err := s.ExecContext(ctx, args...)
	return res, mapErr(err)
}

// txStmt binds the prepared statement for query to tx. A statement not yet
// prepared on the pool is prepared on the transaction's own connection:
// preparing it on the pool would need a second connection while tx holds
// one, and with every connection inside such a transaction the pool would
// deadlock. The pool copy is then prepared in the background for next time.
func (db *DB) txStmt(ctx context.Context, tx *sqlx.Tx, query string) (*sqlx.Stmt, error) {
	db.mu.Lock()
	s, ok := db.stmts[query]
	db.mu.Unlock()
	if ok {
		return tx.StmtxContext(ctx, s), nil
	}
	go func() {
		pctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		db.stmt(pctx, query)
	}()
	ts, err := tx.PreparexContext(ctx, query)
	if err != nil {
		return nil, mapErr(fmt.Errorf("prepare: %w", err))
	}
	return ts, nil
}

func (db *DB) txExec(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (int64, error) {
	s, err := db.txStmt(ctx, tx, query)
	if err != nil {
		return 0, err
	}
	res, err := s.ExecContext(ctx, args...)
	if err != nil {
		return 0, mapErr(err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

func (db *DB) txGet(ctx context.Context, tx *sqlx.Tx, dest any, query string, args ...any) error {
	s, err := db.txStmt(ctx, tx, query)
	if err != nil {
		return err
	}
	return mapErr(s.GetContext(ctx, dest, args...))
}

// InTx runs fn in one short transaction, committing when fn returns nil.
// Never call a network service (Stripe, SMTP) inside fn.
func (db *DB) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return mapErr(fmt.Errorf("begin: %w", err))
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return mapErr(err)
	}
	if err := tx.Commit(); err != nil {
		return mapErr(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// mapErr turns storage errors into domain errors where the domain has a word
// for them, keeping the original in the chain for the logs.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var de *booking.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &wrapped{booking.Errorf(booking.ENOTFOUND, "Not found."), err}
	}
	var pqe *pq.Error
	if errors.As(err, &pqe) {
		switch pqe.Code.Class() {
		case "08", "57": // connection exception, operator intervention (shutdown)
			return &wrapped{booking.Errorf(booking.EUNAVAILABLE, "The service is temporarily unavailable. Please try again in a moment."), err}
		}
		switch pqe.Code {
		case "23505": // unique_violation
			return &wrapped{booking.Errorf(booking.ECONFLICT, "That already exists."), err}
		case "23P01": // exclusion_violation
			return &wrapped{booking.Errorf(booking.ECONFLICT, "That overlaps with something already scheduled."), err}
		}
		return err
	}
	var ne net.Error
	// A connection cut in the middle of a query surfaces as EOF rather than a net.Error.
	if errors.As(err, &ne) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &wrapped{booking.Errorf(booking.EUNAVAILABLE, "The service is temporarily unavailable. Please try again in a moment."), err}
	}
	return err
}

// wrapped is a domain error that keeps the storage error it came from.
type wrapped struct {
	domain *booking.Error
	cause  error
}

func (w *wrapped) Error() string { return w.domain.Error() + ": " + w.cause.Error() }

// Unwrap exposes both the domain error (for errors.As) and the cause (for logs).
func (w *wrapped) Unwrap() []error { return []error{w.domain, w.cause} }
