// Package config is Marquee's infrastructure configuration: every setting
// in one Config, read from the environment once by Load and validated once,
// with every problem reported together. Business settings (fees, policies,
// tax, sellers) are not here: they live in the database (package settings),
// and the variables that once held them are refused. The variables are documented in the README's
// Configuration table (a test keeps the two in step).
//
// The parsing is a small reader (reader.go) rather than an environment
// library such as caarlos0/env: each message names the variable, what it
// accepts and the value given ("MARQUEE_DB_MAX_CONNS must be a number from 1 to
// 1000, not "lots""), where a library reports the Go field and type, and
// ranges, defaults and cross-field rules would be checked afterwards anyway.
package config

import (
	"errors"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"time"

	"marquee/mail"
)

// Config is every setting of a Marquee instance.
type Config struct {
	Env  string // development | production
	Addr string // listen address, host:port or :port (development: see ListenAddr)
	// DevPublic lets development mode listen beyond loopback (MARQUEE_DEV_PUBLIC).
	DevPublic      bool
	BaseURL        string // public URL, no trailing slash
	DatabaseURL    string // empty in development: found or started (dev.go)
	DBMaxConns     int
	TrustedProxies []string
	LogLevel       slog.Level
	LogJSON        bool
	Seed           string // auto | never
	DataDir        string // where development files live (private PostgreSQL cluster, generated keys)
	DevPG          string // auto | local | private: which PostgreSQL development uses when DATABASE_URL is unset
	Accounts       Accounts
	SweepEvery     time.Duration // expired holds and unpaid orders
	Payments       Payments
	AfterSale      AfterSale
	Admin          Admin // defaults of the create-admin command
	Server         Server
	// HoldsPerIP bounds the seats held per client IP and showtime within a
	// hold length (MARQUEE_HOLDS_PER_IP; 0: no limit).
	HoldsPerIP int
	// MetricsAddr is where Prometheus metrics are served ("": not at all).
	MetricsAddr string
	// SlowRequest: requests slower than this are logged with their route (0: never).
	SlowRequest time.Duration
}

// Server bounds the HTTP server, so that one client can't exhaust an
// instance's connections or file descriptors, and says how it stops.
type Server struct {
	MaxConns      int           // connections served at once, in total (fasthttp Concurrency)
	MaxConnsPerIP int           // connections from one client IP; 0: no cap (behind a load balancer)
	ReadTimeout   time.Duration // to read a request, the first one of a connection included
	IdleTimeout   time.Duration // a keep-alive connection idle this long is closed
	// Drain is how long, after SIGTERM, the instance keeps serving while
	// /readyz answers 503 so the load balancer stops sending it requests.
	Drain time.Duration
}

// Accounts are the session keys, mail and TLS settings.
type Accounts struct {
	SessionKeys [][]byte // newest first; empty in development: see Config.SessionKeys
	SMTPURL     string   // "" or "log": mail is kept in memory (/dev/mail)
	MailFrom    string
	TLSCert     string
	TLSKey      string
}

// Payments are Stripe's settings (no key: the offline demo gateway, development only).
type Payments struct {
	StripeKey      string
	WebhookSecret  string
	APIURL         string
	ReconcileEvery time.Duration
}

// AfterSale is the configuration of orders after payment (the rules —
// cancellation policy, tax, seller, reminders — are business settings, in
// the database: package settings).
type AfterSale struct {
	OrderSecret []byte        // signs guest order links and ticket QR codes; empty in development: see Config.OrderSecret
	JobsEvery   time.Duration // confirmation, reminder, notice e-mails and refund retries
}

// Admin holds the defaults of `marquee create-admin` (its flags win).
type Admin struct {
	Email, Name, Password string
}

// ListenAddr is the address to listen on. Development mode, wide open by
// design (/dev/mail shows every e-mail, seeded accounts, free tickets from
// the demo gateway), listens on loopback only unless DevPublic: an address
// without a host, or with 0.0.0.0 or ::, becomes 127.0.0.1 or [::1].
func (c Config) ListenAddr() string {
	if c.Production() || c.DevPublic {
		return c.Addr
	}
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return c.Addr
	}
	switch ip := net.ParseIP(host); {
	case host == "" || (ip != nil && ip.To4() != nil && ip.IsUnspecified()):
		return net.JoinHostPort("127.0.0.1", port)
	case ip != nil && ip.IsUnspecified():
		return net.JoinHostPort("::1", port)
	}
	return c.Addr
}

// Production reports whether development conveniences are off.
func (c Config) Production() bool { return c.Env == "production" }

// SecureCookies reports whether the session cookie is marked Secure (an https:// base URL).
func (c Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// movedToDatabase are the variables that once held business settings. They
// live in the database now, edited by administrators; a deployment still
// setting one is refused at start-up, so nobody believes it still applies.
var movedToDatabase = []struct{ name, what, page string }{
	{"MARQUEE_HOLD_LENGTH", "the hold length", "/admin/settings (or per theatre: /admin/theatres)"},
	{"MARQUEE_MAX_SEATS", "the seats per order", "/admin/settings (or per theatre: /admin/theatres)"},
	{"MARQUEE_BOOKING_FEE_CENTS", "the booking fee", "/admin/settings (or per theatre: /admin/theatres)"},
	{"MARQUEE_CANCEL_CUTOFF", "the cancellation policy", "/admin/settings (or per theatre: /admin/theatres)"},
	{"MARQUEE_CANCEL_FEE_CENTS", "the cancellation policy", "/admin/settings (or per theatre: /admin/theatres)"},
	{"MARQUEE_CANCEL_FEE_PERCENT", "the cancellation policy", "/admin/settings (or per theatre: /admin/theatres)"},
	{"MARQUEE_CANCEL_REFUND_BOOKING_FEE", "the cancellation policy", "/admin/settings (or per theatre: /admin/theatres)"},
	{"MARQUEE_TICKET_PER_ORDER", "one ticket per order", "/admin/settings"},
	{"MARQUEE_REMINDER_BEFORE", "the reminder e-mail", "/admin/settings"},
	{"MARQUEE_VAT_RATE", "each theatre's tax model and rate", "/admin/theatres"},
	{"MARQUEE_SELLER_NAME", "each theatre's seller", "/admin/theatres"},
	{"MARQUEE_SELLER_ADDRESS", "each theatre's seller", "/admin/theatres"},
	{"MARQUEE_SELLER_VAT_ID", "each theatre's tax id", "/admin/theatres"},
	{"MARQUEE_CURRENCY", "each theatre's currency", "/admin/theatres"},
}

// refuseMoved fails for every business variable still set.
func refuseMoved(e *reader) {
	for _, m := range movedToDatabase {
		if v := e.str(m.name, ""); v != "" {
			e.fail("%s is no longer read: %s is a business setting kept in the database; an administrator sets it at %s. Unset %s.",
				m.name, m.what, m.page, m.name)
		}
	}
}

// Load reads every setting from getenv (os.Getenv in main) and validates it.
// The error joins every problem found, each naming its variable.
func Load(getenv func(string) string) (Config, error) {
	e := &reader{getenv: getenv}
	c := Config{
		Env:         e.oneOf("MARQUEE_ENV", "development", "development", "production"),
		Addr:        e.str("MARQUEE_ADDR", ":8080"),
		BaseURL:     strings.TrimRight(e.str("MARQUEE_BASE_URL", ""), "/"),
		DatabaseURL: e.str("DATABASE_URL", ""),
		DBMaxConns:  e.intIn("MARQUEE_DB_MAX_CONNS", 2*runtime.NumCPU()+4, 1, 1000, "a number"),
		LogJSON:     e.str("LOG_FORMAT", "") == "json",
		Seed:        e.oneOf("MARQUEE_SEED", "auto", "auto", "never"),
		DataDir:     e.str("MARQUEE_DATA_DIR", "data"),
		DevPG:       e.oneOf("MARQUEE_DEV_PG", "auto", "auto", "local", "private"),
	}
	c.DevPublic = e.boolean("MARQUEE_DEV_PUBLIC", false)
	if host, _, err := net.SplitHostPort(c.Addr); err != nil {
		e.fail("MARQUEE_ADDR must be host:port or :port, not %q", c.Addr)
	} else if ip := net.ParseIP(host); !c.Production() && !c.DevPublic && host != "" && host != "localhost" &&
		(ip == nil || (!ip.IsLoopback() && !ip.IsUnspecified())) {
		e.fail("MARQUEE_ADDR %q: development mode (/dev/mail, demo accounts, the demo payment gateway) only listens on loopback; set MARQUEE_DEV_PUBLIC=1 to expose it", c.Addr)
	}
	if c.BaseURL == "" {
		c.BaseURL = localURL(c.Addr)
	}
	if !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		e.fail("MARQUEE_BASE_URL must start with http:// or https://, not %q", c.BaseURL)
	}
	for _, p := range e.list("MARQUEE_TRUSTED_PROXIES") {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				e.fail("MARQUEE_TRUSTED_PROXIES: %q is not an IP address or CIDR range", p)
				continue
			}
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	switch strings.ToLower(e.str("LOG_LEVEL", "info")) {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		e.fail("LOG_LEVEL must be debug, info, warn or error, not %q", e.getenv("LOG_LEVEL"))
	}
	c.Accounts = loadAccounts(e, c.Production())
	refuseMoved(e)
	c.SweepEvery = e.durationIn("MARQUEE_SWEEP_EVERY", 5*time.Second, 100*time.Millisecond, 10*time.Minute, "100ms to 10m")
	c.Payments = loadPayments(e, c.Production())
	c.AfterSale = loadAfterSale(e, c.Production())
	c.Admin = Admin{Email: e.str("MARQUEE_ADMIN_EMAIL", ""), Name: e.str("MARQUEE_ADMIN_NAME", ""),
		Password: e.str("MARQUEE_ADMIN_PASSWORD", "")}
	c.Server = loadServer(e, len(c.TrustedProxies) > 0, c.Production())
	c.HoldsPerIP = e.intIn("MARQUEE_HOLDS_PER_IP", 30, 0, 100_000, "a number (0: no limit)")
	c.MetricsAddr, c.SlowRequest = loadObservability(e, c.Production())
	if c.Production() && c.DatabaseURL == "" {
		e.fail("DATABASE_URL is required in production")
	}
	return c, errors.Join(e.errs...)
}

// loadServer reads the connection limits and timeouts. Behind a trusted
// proxy every connection comes from the proxy, so there is no per-IP cap
// unless one is set. Development stops at once (no load balancer to drain).
func loadServer(e *reader, proxied, production bool) Server {
	perIP := 64
	if proxied {
		perIP = 0
	}
	drain := time.Duration(0)
	if production {
		drain = 5 * time.Second
	}
	return Server{
		MaxConns:      e.intIn("MARQUEE_MAX_CONNS", 4096, 16, 1_000_000, "a number"),
		MaxConnsPerIP: e.intIn("MARQUEE_MAX_CONNS_PER_IP", perIP, 0, 1_000_000, "a number (0: no cap)"),
		ReadTimeout:   e.durationIn("MARQUEE_READ_TIMEOUT", 10*time.Second, time.Second, 5*time.Minute, "1s to 5m"),
		IdleTimeout:   e.durationIn("MARQUEE_IDLE_TIMEOUT", 30*time.Second, time.Second, 10*time.Minute, "1s to 10m"),
		Drain:         e.durationIn("MARQUEE_DRAIN", drain, 0, 5*time.Minute, "0 to 5m"),
	}
}

// loadObservability reads where metrics are served — loopback by default in
// development, nowhere in production unless set ("off": nowhere) — and the
// slow-request threshold.
func loadObservability(e *reader, production bool) (string, time.Duration) {
	def := "127.0.0.1:9464"
	if production {
		def = ""
	}
	addr := e.str("MARQUEE_METRICS_ADDR", def)
	if addr == "off" {
		addr = ""
	}
	if addr != "" {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			e.fail("MARQUEE_METRICS_ADDR must be host:port or :port (or off), not %q", addr)
		}
	}
	slow := e.durationIn("MARQUEE_SLOW_REQUEST", 500*time.Millisecond, 0, time.Minute, "0 to 1m")
	return addr, slow
}

// localURL is the site's address on this machine when no public URL is
// configured: http://localhost with the port of addr (":8080" without one).
func localURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" || port == "0" {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// loadAccounts reads the session keys, mail and TLS settings.
func loadAccounts(e *reader, production bool) Accounts {
	c := Accounts{
		SMTPURL:  e.str("MARQUEE_SMTP_URL", ""),
		MailFrom: e.str("MARQUEE_MAIL_FROM", "Marquee <no-reply@localhost>"),
		TLSCert:  e.str("MARQUEE_TLS_CERT", ""),
		TLSKey:   e.str("MARQUEE_TLS_KEY", ""),
	}
	if v := e.str("MARQUEE_SESSION_KEYS", ""); v != "" {
		keys, err := parseSessionKeys(v)
		e.add(err)
		c.SessionKeys = keys
	} else if production {
		e.fail("MARQUEE_SESSION_KEYS is required in production (generate one with: head -c 64 /dev/urandom | base64 -w0)")
	}
	if c.SMTPURL == "" && production {
		e.fail(`MARQUEE_SMTP_URL is required in production (or "log" to only log e-mail)`)
	}
	if c.SMTPURL != "" && c.SMTPURL != "log" {
		_, err := mail.ParseSMTPURL(c.SMTPURL, c.MailFrom)
		e.add(err)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		e.fail("MARQUEE_TLS_CERT and MARQUEE_TLS_KEY go together: set both or neither")
	}
	return c
}

// loadPayments reads Stripe's settings.
func loadPayments(e *reader, production bool) Payments {
	c := Payments{
		StripeKey:      e.str("STRIPE_SECRET_KEY", ""),
		WebhookSecret:  e.str("STRIPE_WEBHOOK_SECRET", ""),
		APIURL:         e.str("STRIPE_API_URL", ""),
		ReconcileEvery: e.durationIn("MARQUEE_RECONCILE_EVERY", 3*time.Minute, 10*time.Second, time.Hour, "10s to 1h"),
	}
	if c.StripeKey != "" && !strings.HasPrefix(c.StripeKey, "sk_") && !strings.HasPrefix(c.StripeKey, "rk_") {
		e.fail("STRIPE_SECRET_KEY must be a Stripe secret key (sk_live_… or sk_test_…)")
	}
	if production && c.StripeKey == "" {
		e.fail("STRIPE_SECRET_KEY is required in production (the demo payment gateway is for development only)")
	}
	if production && c.StripeKey != "" && c.WebhookSecret == "" {
		e.fail("STRIPE_WEBHOOK_SECRET is required in production (the signing secret of the /webhooks/stripe endpoint)")
	}
	if c.APIURL != "" && !strings.HasPrefix(c.APIURL, "http://") && !strings.HasPrefix(c.APIURL, "https://") {
		e.fail("STRIPE_API_URL must be an http(s) URL, not %q", c.APIURL)
	}
	return c
}

// loadAfterSale reads the after-sale settings of the environment: the job
// interval and the order secret.
func loadAfterSale(e *reader, production bool) AfterSale {
	jobs := max(e.durationIn("MARQUEE_MAIL_JOBS_EVERY", 30*time.Second, 0, time.Hour, "0 to "+time.Hour.String()), time.Second)
	c := AfterSale{JobsEvery: jobs}
	if v := e.str("MARQUEE_ORDER_SECRET", ""); v != "" {
		k, err := parseOrderSecret(v)
		e.add(err)
		c.OrderSecret = k
	} else if production {
		e.fail("MARQUEE_ORDER_SECRET is required in production (it signs guest order links and tickets)")
	}
	return c
}

// Variables lists every environment variable Load reads, in reading order.
func Variables() []string {
	seen := map[string]bool{}
	var names []string
	Load(func(name string) string {
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
		return ""
	})
	return names
}
