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

func TestLoadConfigDefaults(t *testing.T) {
	c, err := loadConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Env != "development" || c.Addr != ":8080" || c.BaseURL != "http://localhost:8080" || c.Seed != "auto" ||
		c.DataDir != "data" || c.DevPG != "auto" || c.DBMaxConns < 1 || c.Production() {
		t.Fatalf("defaults: %+v", c)
	}
	// Without MARQUEE_BASE_URL, links point at the port actually served.
	for addr, want := range map[string]string{"127.0.0.1:8099": "http://127.0.0.1:8099", ":9000": "http://localhost:9000", "[::]:8443": "http://localhost:8443"} {
		c, err := loadConfig(env(map[string]string{"MARQUEE_ADDR": addr}))
		if err != nil || c.BaseURL != want {
			t.Errorf("MARQUEE_ADDR=%s: base URL %q (%v), want %q", addr, c.BaseURL, err, want)
		}
	}
	if c, _ := loadConfig(env(map[string]string{"MARQUEE_ADDR": ":9000", "MARQUEE_BASE_URL": "https://tickets.example/"})); c.BaseURL != "https://tickets.example" {
		t.Errorf("explicit base URL: %q", c.BaseURL)
	}
}

func TestLoadConfigCollectsEveryProblem(t *testing.T) {
	_, err := loadConfig(env(map[string]string{
		"MARQUEE_ENV":             "staging",
		"MARQUEE_ADDR":            "8080",
		"MARQUEE_BASE_URL":        "example.com",
		"MARQUEE_DB_MAX_CONNS":    "lots",
		"MARQUEE_TRUSTED_PROXIES": "10.0.0.1, not-an-ip",
		"LOG_LEVEL":               "loud",
		"MARQUEE_SEED":            "always",
		"MARQUEE_DEV_PG":          "remote",
	}))
	if err == nil {
		t.Fatal("no error for bad configuration")
	}
	msg := err.Error()
	for _, want := range []string{
		`MARQUEE_ENV must be development or production, not "staging"`,
		`MARQUEE_ADDR must be host:port or :port, not "8080"`,
		`MARQUEE_BASE_URL must start with http:// or https://, not "example.com"`,
		`MARQUEE_DB_MAX_CONNS must be a number from 1 to 1000, not "lots"`,
		`MARQUEE_TRUSTED_PROXIES: "not-an-ip" is not an IP address or CIDR range`,
		`LOG_LEVEL must be debug, info, warn or error, not "loud"`,
		`MARQUEE_SEED must be auto or never, not "always"`,
		`MARQUEE_DEV_PG must be auto, local or private, not "remote"`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
}

func TestLoadConfigProductionNeedsDatabaseURL(t *testing.T) {
	_, err := loadConfig(env(map[string]string{"MARQUEE_ENV": "production"}))
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL is required in production") {
		t.Fatalf("err = %v", err)
	}
	c, err := loadConfig(env(map[string]string{
		"MARQUEE_ENV": "production", "DATABASE_URL": "postgres://x@db/marquee",
		"MARQUEE_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.1", "LOG_LEVEL": "WARN", "LOG_FORMAT": "json",
		// Accounts: production also needs session keys and a mail setting (main_accounts.go).
		"MARQUEE_SESSION_KEYS": strings.Repeat("A", 86) + "==", "MARQUEE_SMTP_URL": "log",
		// After sale: the secret that signs order links and tickets (main_aftersale.go).
		"MARQUEE_ORDER_SECRET": strings.Repeat("B", 43) + "=",
		// Payments: production takes real payments only (main_payments.go).
		"STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec_x",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Production() || len(c.TrustedProxies) != 2 || !c.LogJSON || c.LogLevel.String() != "WARN" {
		t.Fatalf("config: %+v", c)
	}
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
