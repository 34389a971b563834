package config

import (
	"bytes"
	"encoding/base64"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// env returns a getenv over the given variables only.
func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

// section runs one part of Load over the variables and returns its problems.
func section[T any](kv map[string]string, load func(*reader) T) (T, []error) {
	r := &reader{getenv: env(kv)}
	v := load(r)
	return v, r.errs
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Env != "development" || c.Addr != ":8080" || c.BaseURL != "http://localhost:8080" || c.Seed != "auto" ||
		c.DataDir != "data" || c.DevPG != "auto" || c.DBMaxConns < 1 || c.Production() {
		t.Fatalf("defaults: %+v", c)
	}
	// Without MARQUEE_BASE_URL, links point at the port actually served.
	for addr, want := range map[string]string{"127.0.0.1:8099": "http://127.0.0.1:8099", ":9000": "http://localhost:9000", "[::]:8443": "http://localhost:8443"} {
		c, err := Load(env(map[string]string{"MARQUEE_ADDR": addr}))
		if err != nil || c.BaseURL != want {
			t.Errorf("MARQUEE_ADDR=%s: base URL %q (%v), want %q", addr, c.BaseURL, err, want)
		}
	}
	if c, _ := Load(env(map[string]string{"MARQUEE_ADDR": ":9000", "MARQUEE_BASE_URL": "https://tickets.example/"})); c.BaseURL != "https://tickets.example" {
		t.Errorf("explicit base URL: %q", c.BaseURL)
	}
}

func TestLoadCollectsEveryProblem(t *testing.T) {
	_, err := Load(env(map[string]string{
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

func TestLoadProductionNeedsDatabaseURL(t *testing.T) {
	_, err := Load(env(map[string]string{"MARQUEE_ENV": "production"}))
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL is required in production") {
		t.Fatalf("err = %v", err)
	}
	c, err := Load(env(map[string]string{
		"MARQUEE_ENV": "production", "DATABASE_URL": "postgres://x@db/marquee",
		"MARQUEE_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.1", "LOG_LEVEL": "WARN", "LOG_FORMAT": "json",
		// Accounts: production also needs session keys and a mail setting.
		"MARQUEE_SESSION_KEYS": strings.Repeat("A", 86) + "==", "MARQUEE_SMTP_URL": "log",
		// After sale: the secret that signs order links and tickets.
		"MARQUEE_ORDER_SECRET": strings.Repeat("B", 43) + "=",
		// Payments: production takes real payments only.
		"STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec_x",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Production() || len(c.TrustedProxies) != 2 || !c.LogJSON || c.LogLevel.String() != "WARN" {
		t.Fatalf("config: %+v", c)
	}
}

func TestAccountsConfig(t *testing.T) {
	k1 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 64))
	k2 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 64))
	accounts := func(production bool) func(*reader) Accounts {
		return func(r *reader) Accounts { return loadAccounts(r, production) }
	}
	c, errs := section(map[string]string{"MARQUEE_SESSION_KEYS": k1 + ", " + k2}, accounts(true))
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "MARQUEE_SMTP_URL") {
		t.Fatalf("errs = %v", errs)
	}
	if len(c.SessionKeys) != 2 || c.SessionKeys[0][0] != 1 {
		t.Fatalf("keys not read newest first: %v", c.SessionKeys)
	}
	_, errs = section(map[string]string{
		"MARQUEE_SESSION_KEYS": "c2hvcnQ=", "MARQUEE_SMTP_URL": "http://mail", "MARQUEE_TLS_CERT": "cert.pem",
	}, accounts(true))
	msg := ""
	for _, e := range errs {
		msg += e.Error() + "\n"
	}
	for _, want := range []string{"64 random bytes", "scheme must be smtp or smtps", "set both or neither"} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	if _, errs := section(nil, accounts(false)); len(errs) != 0 {
		t.Fatalf("development needs nothing: %v", errs)
	}
}

func TestDevelopmentSessionKeyIsGeneratedOnce(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Env: "development", DataDir: dir}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	k1, err := cfg.SessionKeys(logger)
	if err != nil || len(k1) != 1 || len(k1[0]) != 64 {
		t.Fatalf("keys %v, err %v", k1, err)
	}
	st, err := os.Stat(filepath.Join(dir, "session.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	k2, _ := cfg.SessionKeys(logger)
	if !bytes.Equal(k1[0], k2[0]) {
		t.Fatal("the development key changed between starts")
	}
	cfg.Env = "production"
	if _, err := cfg.SessionKeys(logger); err == nil {
		t.Fatal("production without keys must fail")
	}
}

// The order key is kept the same way, in its own file.
func TestDevelopmentOrderSecretIsGeneratedOnce(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Env: "development", DataDir: dir}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	k1, err := cfg.OrderSecret(logger)
	if err != nil || len(k1) != 32 {
		t.Fatalf("key %v, err %v", k1, err)
	}
	if st, err := os.Stat(filepath.Join(dir, "order.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	if k2, _ := cfg.OrderSecret(logger); !bytes.Equal(k1, k2) {
		t.Fatal("the development key changed between starts")
	}
	os.WriteFile(filepath.Join(dir, "order.key"), []byte("c2hvcnQ=\n"), 0o600)
	if _, err := cfg.OrderSecret(logger); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Fatalf("a bad key file: %v", err)
	}
}

func TestLoadAfterSaleConfig(t *testing.T) {
	afterSale := func(r *reader) AfterSale { return loadAfterSale(r, true) }
	c, errs := section(map[string]string{
		"MARQUEE_MAIL_JOBS_EVERY": "10s", "MARQUEE_ORDER_SECRET": strings.Repeat("B", 43) + "=",
	}, afterSale)
	if len(errs) != 0 || c.JobsEvery != 10*time.Second || len(c.OrderSecret) != 32 {
		t.Fatalf("%+v %v", c, errs)
	}
	_, errs = section(map[string]string{"MARQUEE_MAIL_JOBS_EVERY": "often", "MARQUEE_ORDER_SECRET": "c2hvcnQ="}, afterSale)
	if len(errs) != 2 {
		t.Fatalf("errors: %v", errs)
	}
	if _, errs = section(nil, afterSale); len(errs) != 1 {
		t.Fatal("production without MARQUEE_ORDER_SECRET")
	}
}

// Business settings live in the database now: a deployment still setting
// one of the variables that used to hold them is refused, each by name,
// pointing to the admin page where the setting is.
func TestBusinessVariablesAreRefused(t *testing.T) {
	kv := map[string]string{}
	for _, m := range movedToDatabase {
		kv[m.name] = "1"
	}
	_, err := Load(env(kv))
	if err == nil {
		t.Fatal("business variables accepted")
	}
	for _, m := range movedToDatabase {
		want := m.name + " is no longer read: "
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
	for _, want := range []string{
		"MARQUEE_HOLD_LENGTH is no longer read: the hold length is a business setting kept in the database; an administrator sets it at /admin/settings",
		"MARQUEE_VAT_RATE is no longer read: each theatre's tax model and rate is a business setting kept in the database; an administrator sets it at /admin/theatres",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
	// Unset (or empty), they are no problem.
	if _, err := Load(env(map[string]string{"MARQUEE_CURRENCY": ""})); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"MARQUEE_HOLDS_PER_IP", "MARQUEE_SWEEP_EVERY", "MARQUEE_MAIL_JOBS_EVERY"} {
		if slices.ContainsFunc(movedToDatabase, func(m struct{ name, what, page string }) bool { return m.name == name }) {
			t.Errorf("%s is infrastructure, not a business setting", name)
		}
	}
}

func TestLoadPaymentsConfig(t *testing.T) {
	payments := func(production bool) func(*reader) Payments {
		return func(r *reader) Payments { return loadPayments(r, production) }
	}
	// Production without a Stripe key: refused (the demo gateway is for development only).
	_, errs := section(map[string]string{}, payments(true))
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "STRIPE_SECRET_KEY is required in production") {
		t.Fatalf("errs = %v", errs)
	}
	_, errs = section(map[string]string{"STRIPE_SECRET_KEY": "sk_live_1"}, payments(true))
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "STRIPE_WEBHOOK_SECRET") {
		t.Fatalf("errs = %v", errs)
	}
	// Development: no key is fine (demo gateway); bad values are reported.
	c, errs := section(map[string]string{}, payments(false))
	if len(errs) != 0 || c.StripeKey != "" {
		t.Fatalf("dev: %+v %v", c, errs)
	}
	_, errs = section(map[string]string{"STRIPE_SECRET_KEY": "pk_test_1",
		"STRIPE_API_URL": "localhost:12111", "MARQUEE_RECONCILE_EVERY": "1s"}, payments(false))
	if len(errs) != 3 {
		t.Fatalf("errs = %v", errs)
	}
	c, errs = section(map[string]string{"STRIPE_SECRET_KEY": "sk_test_1",
		"STRIPE_WEBHOOK_SECRET": "whsec_1", "STRIPE_API_URL": "http://127.0.0.1:12111"}, payments(true))
	if len(errs) != 0 || c.APIURL == "" {
		t.Fatalf("stripe: %+v %v", c, errs)
	}
}

// The sweep interval is read and refused out of range.
func TestLoadSweepEvery(t *testing.T) {
	c, err := Load(env(map[string]string{"MARQUEE_SWEEP_EVERY": "1s"}))
	if err != nil || c.SweepEvery != time.Second {
		t.Fatalf("%v %v", c.SweepEvery, err)
	}
	_, err = Load(env(map[string]string{"MARQUEE_SWEEP_EVERY": "x"}))
	if want := `MARQUEE_SWEEP_EVERY must be a duration from 100ms to 10m, not "x"`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("missing %q in %v", want, err)
	}
}

// Every variable Load reads is documented in the README's configuration table.
func TestEveryVariableIsInTheREADME(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| `") {
			table.WriteString(line + "\n")
		}
	}
	vars := Variables()
	if len(vars) < 30 {
		t.Fatalf("only %d variables read: %v", len(vars), vars)
	}
	for _, v := range vars {
		if !strings.Contains(table.String(), "`"+v+"`") {
			t.Errorf("%s is read by config.Load but not in the README's configuration table", v)
		}
	}
}

// Development mode is wide open by design: it listens on loopback only
// unless told otherwise (issue 16 item 8).
func TestDevelopmentListensOnLoopbackOnly(t *testing.T) {
	for addr, want := range map[string]string{":8080": "127.0.0.1:8080", "0.0.0.0:8080": "127.0.0.1:8080", "[::]:8443": "[::1]:8443",
		"127.0.0.1:9000": "127.0.0.1:9000", "localhost:9000": "localhost:9000"} {
		c, err := Load(env(map[string]string{"MARQUEE_ADDR": addr}))
		if err != nil || c.ListenAddr() != want {
			t.Errorf("development, MARQUEE_ADDR=%s: listens on %q (%v), want %q", addr, c.ListenAddr(), err, want)
		}
	}
	if _, err := Load(env(map[string]string{"MARQUEE_ADDR": "192.0.2.10:8080"})); err == nil || !strings.Contains(err.Error(), "MARQUEE_DEV_PUBLIC") {
		t.Errorf("development on a public address: %v, want an error naming MARQUEE_DEV_PUBLIC", err)
	}
	c, err := Load(env(map[string]string{"MARQUEE_ADDR": ":8080", "MARQUEE_DEV_PUBLIC": "true"}))
	if err != nil || c.ListenAddr() != ":8080" {
		t.Errorf("MARQUEE_DEV_PUBLIC: listens on %q (%v)", c.ListenAddr(), err)
	}
	c, _ = Load(env(map[string]string{"MARQUEE_ENV": "production", "MARQUEE_ADDR": ":8080", "DATABASE_URL": "postgres://x/y"}))
	if c.ListenAddr() != ":8080" {
		t.Errorf("production listens on %q", c.ListenAddr())
	}
}

func TestLoadObservability(t *testing.T) {
	for _, tt := range []struct {
		kv         map[string]string
		production bool
		addr       string
		slow       time.Duration
		problem    string
	}{
		{kv: nil, addr: "127.0.0.1:9464", slow: 500 * time.Millisecond},
		{kv: nil, production: true, addr: "", slow: 500 * time.Millisecond},
		{kv: map[string]string{"MARQUEE_METRICS_ADDR": "10.0.0.5:9100"}, production: true, addr: "10.0.0.5:9100", slow: 500 * time.Millisecond},
		{kv: map[string]string{"MARQUEE_METRICS_ADDR": "off", "MARQUEE_SLOW_REQUEST": "0"}, addr: "", slow: 0},
		{kv: map[string]string{"MARQUEE_METRICS_ADDR": "9100"}, problem: `MARQUEE_METRICS_ADDR must be host:port or :port (or off), not "9100"`},
		{kv: map[string]string{"MARQUEE_SLOW_REQUEST": "2h"}, problem: "MARQUEE_SLOW_REQUEST"},
	} {
		r := &reader{getenv: env(tt.kv)}
		addr, slow := loadObservability(r, tt.production)
		if tt.problem != "" {
			if len(r.errs) != 1 || !strings.Contains(r.errs[0].Error(), tt.problem) {
				t.Errorf("%v: problems %v, want %q", tt.kv, r.errs, tt.problem)
			}
			continue
		}
		if len(r.errs) != 0 || addr != tt.addr || slow != tt.slow {
			t.Errorf("%v (production %v): %q %v %v, want %q %v", tt.kv, tt.production, addr, slow, r.errs, tt.addr, tt.slow)
		}
	}
}
