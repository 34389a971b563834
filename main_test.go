package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"marquee/db/dbtest"
	"marquee/internal/devpg"
	"marquee/internal/testutil"
)

// env returns a getenv over the given variables only.
func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestRunRejectsBadConfigBeforeDoingAnything(t *testing.T) {
	var out testutil.Buffer
	err := run(context.Background(), nil, env(map[string]string{"LOG_LEVEL": "loud", "MARQUEE_SEED": "x"}), &out)
	if err == nil || !strings.HasPrefix(err.Error(), "configuration:") ||
		!strings.Contains(err.Error(), "LOG_LEVEL") || !strings.Contains(err.Error(), "MARQUEE_SEED") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunUnknownCommand(t *testing.T) {
	var out testutil.Buffer
	err := run(context.Background(), []string{"frobnicate"}, env(nil), &out)
	if err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) {
		t.Fatalf("err = %v", err)
	}
	if err := run(context.Background(), []string{"help"}, env(nil), &out); err != nil || !strings.Contains(out.String(), "usage: marquee") {
		t.Fatalf("help: err=%v out=%q", err, out.String())
	}
}

func TestRunMigrate(t *testing.T) {
	dsn := dbtest.NewDSN(t)
	var out testutil.Buffer
	vars := map[string]string{"DATABASE_URL": dsn}
	if err := run(context.Background(), []string{"migrate"}, env(vars), &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	// Idempotent: a second run has nothing to do.
	if err := run(context.Background(), []string{"migrate"}, env(vars), &out); err != nil {
		t.Fatalf("second migrate: %v\n%s", err, out.String())
	}
}

// TestRunMigrateOnPrivateCluster is `make run` on a machine where nothing
// answers on 5432: DATABASE_URL unset, a private cluster is created in the data
// directory, the marquee database in it, migrated, and the server stopped at exit.
func TestRunMigrateOnPrivateCluster(t *testing.T) {
	if _, err := devpg.FindBinaries(); errors.Is(err, devpg.ErrNoBinaries) {
		t.Skip(err)
	}
	data := t.TempDir()
	t.Cleanup(func() {
		if target, err := os.Readlink(filepath.Join(data, "postgres")); err == nil {
			os.RemoveAll(target) // placed under /var/tmp when running as root (see devpg)
		}
	})
	var out testutil.Buffer
	err := run(context.Background(), []string{"migrate"}, env(map[string]string{
		"MARQUEE_DEV_PG": "private", "MARQUEE_DATA_DIR": data,
	}), &out)
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	logs := out.String()
	if !strings.Contains(logs, "started a private PostgreSQL") || !strings.Contains(logs, "stopped the private PostgreSQL") {
		t.Fatalf("logs do not show the private cluster starting and stopping:\n%s", logs)
	}
}

func TestServeAnswersAndShutsDownGracefully(t *testing.T) {
	dsn := dbtest.NewDSN(t)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out testutil.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, env(map[string]string{
			"DATABASE_URL": dsn, "MARQUEE_ADDR": addr, "MARQUEE_SEED": "never",
			"MARQUEE_BASE_URL": "http://" + addr, "MARQUEE_DATA_DIR": t.TempDir(), // generated dev keys
			"MARQUEE_DRAIN": "2s",
		}), &out)
	}()

	client := &http.Client{Timeout: 10 * time.Second}
	var body string
	for { // wait for the server to come up (or to fail)
		resp, err := client.Get("http://" + addr + "/healthz")
		if err == nil {
			b := new(bytes.Buffer)
			b.ReadFrom(resp.Body)
			resp.Body.Close()
			body = b.String()
			if resp.StatusCode != 200 {
				t.Fatalf("/healthz: %d %s", resp.StatusCode, body)
			}
			break
		}
		select {
		case err := <-done:
			t.Fatalf("run returned before serving: %v\n%s", err, out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if body != "ok" {
		t.Fatalf("/healthz body = %q", body)
	}
	resp, err := client.Get("http://" + addr + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/readyz: %v %v", resp, err)
	}
	resp.Body.Close()

	cancel()
	// Draining: not ready at once, still serving everything else.
	drainDeadline := time.Now().Add(time.Second)
	for {
		resp, err := client.Get("http://" + addr + "/readyz")
		if err != nil {
			t.Fatalf("/readyz while draining: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(drainDeadline) {
			t.Fatalf("/readyz after SIGTERM: %d, want 503 while draining", resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if resp, err := client.Get("http://" + addr + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("/healthz while draining: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if err := <-done; err != nil {
		t.Fatalf("run after cancel: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "shutting down") {
		t.Fatalf("no shutdown log:\n%s", out.String())
	}
	if _, err := client.Get("http://" + addr + "/healthz"); err == nil {
		t.Fatal("server still answers after shutdown")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
