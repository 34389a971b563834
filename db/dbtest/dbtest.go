// Package dbtest gives each test its own throwaway PostgreSQL database,
// created from a migrated template and dropped when the test ends. It never
// touches a user's database: names start with marquee_test_.
//
// The server is MARQUEE_TEST_DATABASE_URL if set, else the PostgreSQL on
// 127.0.0.1:5432 (user postgres, trust) if one answers, else the private
// development cluster under the repository's data directory (MARQUEE_DATA_DIR,
// default ./data; MARQUEE_DEV_PG=private skips 5432), started once from the system's binaries by whichever test
// binary gets there first (a file lock serialises them) and left running for
// the next ones; `make stop-dev-db` stops it.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/booking"
	"marquee/db"
	"marquee/internal/devpg"
)

// ServerURL is the admin connection string of the test server ("" when none
// could be found or started; NewDSN reports why).
func ServerURL() string {
	u, _ := findServer()
	return u
}

// server caches the discovery for the life of the test binary: probing and
// starting a cluster once per test would be slow. It is the one piece of
// package state, and it only ever goes from unknown to known.
var server struct {
	once sync.Once
	url  string
	err  error
}

// Server returns the admin connection string of the test server, finding or
// starting it as described in the package comment (for tools such as the load
// benchmark that need a throwaway database outside a test).
func Server() (string, error) { return findServer() }

func findServer() (string, error) {
	server.once.Do(func() {
		if u := os.Getenv("MARQUEE_TEST_DATABASE_URL"); u != "" {
			server.url = u
			return
		}
		ctx := context.Background()
		localErr := errors.New("MARQUEE_DEV_PG=private")
		if os.Getenv("MARQUEE_DEV_PG") != "private" { // as for make run: force the private cluster
			localErr = devpg.Ping(ctx, devpg.LocalURL)
		}
		if localErr == nil {
			server.url = devpg.LocalURL
			return
		}
		data, err := dataDir()
		if err != nil {
			server.err = err
			return
		}
		c, err := devpg.Start(ctx, devpg.Options{DataDir: data, Detach: true})
		if err != nil {
			server.err = fmt.Errorf("no PostgreSQL on 127.0.0.1:5432 (%v), and the private cluster in %s did not start: %w", localErr, data, err)
			return
		}
		server.url = c.URL("postgres")
	})
	return server.url, server.err
}

// dataDir is MARQUEE_DATA_DIR (relative to the module root) or <module root>/data.
func dataDir() (string, error) {
	d := os.Getenv("MARQUEE_DATA_DIR")
	if d == "" {
		d = "data"
	}
	if filepath.IsAbs(d) {
		return d, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for { // tests run in their package's directory: walk up to go.mod
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, d), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("dbtest: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// New returns a migrated, empty database for this test, dropped at cleanup.
func New(t testing.TB, clock booking.Clock) *db.DB {
	t.Helper()
	d, _ := NewWithDSN(t, clock)
	return d
}

// NewWithDSN is New that also returns the database's connection string (for
// a change-feed listener or a second instance on the same database).
func NewWithDSN(t testing.TB, clock booking.Clock) (*db.DB, string) {
	t.Helper()
	dsn := NewDSN(t)
	d, err := db.Open(context.Background(), dsn, db.Options{MaxConns: 32, Clock: clock})
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d, dsn
}

// SQL returns a pool of raw connections to d's database, for a test's own
// set-up and checks: db.DB runs only the statements of its methods. It is
// closed when the test ends, and keeps no idle connection meanwhile, so a
// helper may call SQL for every query it runs.
func SQL(t testing.TB, d *db.DB) *sqlx.DB {
	t.Helper()
	x, err := Conn(context.Background(), d)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	x.SetMaxIdleConns(0)
	t.Cleanup(func() { x.Close() })
	return x
}

// Conn opens a small pool of raw connections to d's database (tools and
// helpers without a test); the caller closes it.
func Conn(ctx context.Context, d *db.DB) (*sqlx.DB, error) {
	x, err := sqlx.Open("postgres", d.DSN())
	if err != nil {
		return nil, fmt.Errorf("raw connection: %w", err)
	}
	x.SetMaxOpenConns(4)
	if err := x.PingContext(ctx); err != nil {
		x.Close()
		return nil, fmt.Errorf("raw connection: %w", err)
	}
	return x, nil
}

// NewDSN creates a fresh migrated database and returns its connection string.
func NewDSN(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	if _, err := findServer(); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	admin, err := sqlx.Open("postgres", ServerURL())
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	defer admin.Close()
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("dbtest: no PostgreSQL at %s (set MARQUEE_TEST_DATABASE_URL): %v", redact(ServerURL()), err)
	}
	name := "marquee_test_" + randHex(8)
	// A test binary built from another migration set (another checkout
	// testing against the same server) drops templates not its own: when
	// ours vanishes between making and using it, make it again.
	for attempt := 1; ; attempt++ {
		tmpl, err := ensureTemplate(ctx, admin)
		if err != nil {
			t.Fatalf("dbtest: template: %v", err)
		}
		_, err = admin.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmpl))
		var pqe *pq.Error
		if err != nil && errors.As(err, &pqe) && pqe.Code == "3D000" && attempt < 5 { // invalid_catalog_name
			continue
		}
		if err != nil {
			t.Fatalf("dbtest: create database: %v", err)
		}
		break
	}
	t.Cleanup(func() {
		a, err := sqlx.Open("postgres", ServerURL())
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec(fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return withDB(ServerURL(), name)
}

// ensureTemplate creates (once per migration set) a migrated template database.
// An advisory lock serialises test binaries that run in parallel.
func ensureTemplate(ctx context.Context, admin *sqlx.DB) (string, error) {
	name := "marquee_tmpl_" + migrationsHash()
	conn, err := admin.Connx(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(727272)"); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock(727272)")
	var exists bool
	if err := conn.GetContext(ctx, &exists, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	// Drop templates of older migration sets.
	var old []string
	conn.SelectContext(ctx, &old, "SELECT datname FROM pg_database WHERE datname LIKE 'marquee_tmpl_%'")
	for _, o := range old {
		conn.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", o))
	}
	building := name + "_build"
	conn.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", building))
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	d, err := db.Open(ctx, withDB(ServerURL(), building), db.Options{MaxConns: 2})
	if err != nil {
		return "", err
	}
	err = d.Migrate(ctx)
	d.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name)); err != nil {
		return "", err
	}
	return name, nil
}

func migrationsHash() string {
	h := sha256.New()
	var names []string
	fs.WalkDir(db.Migrations(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(db.Migrations(), n)
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func withDB(server, name string) string {
	u, err := url.Parse(server)
	if err != nil {
		return server
	}
	u.Path = "/" + name
	return u.String()
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
