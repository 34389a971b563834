package devpg_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"marquee/internal/devpg"
)

// TestPrivateCluster creates, starts, reuses and stops a private cluster in a
// temporary data directory, for real. As root this also exercises running the
// server as the postgres user and (t.TempDir is 0700) the /var/tmp placement.
func TestPrivateCluster(t *testing.T) {
	if _, err := devpg.FindBinaries(); errors.Is(err, devpg.ErrNoBinaries) {
		t.Skip(err)
	}
	ctx := context.Background()
	data := t.TempDir()

	c, err := devpg.Start(ctx, devpg.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Stop()
		if real := c.Dir(); real != filepath.Join(data, "postgres") {
			os.RemoveAll(real) // the /var/tmp placement; t.TempDir removes the rest
		}
	})
	t.Logf("cluster files in %s, port %d", c.Dir(), c.Port())
	if !c.Started() {
		t.Fatal("Started() = false for a cluster this test started")
	}
	if err := devpg.EnsureDatabase(ctx, c.URL("postgres"), "marquee"); err != nil {
		t.Fatal(err)
	}
	if err := devpg.EnsureDatabase(ctx, c.URL("postgres"), "marquee"); err != nil {
		t.Fatalf("second EnsureDatabase: %v", err)
	}
	if err := devpg.Ping(ctx, c.URL("marquee")); err != nil {
		t.Fatalf("ping marquee: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(data, "postgres.password")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("password file: %v %v", fi, err)
	}

	// A second user of the same data directory finds the running server and does not own it.
	c2, err := devpg.Start(ctx, devpg.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	if c2.Started() || c2.Port() != c.Port() {
		t.Fatalf("second Start: started=%v port=%d, want reuse of port %d", c2.Started(), c2.Port(), c.Port())
	}
	c2.Stop() // no-op
	if err := devpg.Ping(ctx, c.URL("postgres")); err != nil {
		t.Fatalf("Stop of a borrowed cluster stopped it: %v", err)
	}

	// Stop shuts it down; starting again reuses the files (no initdb) and the database is still there.
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := devpg.Ping(ctx, c.URL("postgres")); err == nil {
		t.Fatal("server still answers after Stop")
	}
	c3, err := devpg.Start(ctx, devpg.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Stop()
	if err := devpg.Ping(ctx, c3.URL("marquee")); err != nil {
		t.Fatalf("restart: %v", err)
	}
}

func TestWithDatabase(t *testing.T) {
	got := devpg.WithDatabase("postgres://u:p@127.0.0.1:5/postgres?sslmode=disable", "marquee")
	if got != "postgres://u:p@127.0.0.1:5/marquee?sslmode=disable" {
		t.Fatal(got)
	}
}
