package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"marquee/booking"
	"marquee/db"
	"marquee/handlers"
	"marquee/mail"
)

// The accounts area's part of the configuration and of main: session keys,
// mail, TLS and the create-admin command.
//
//	MARQUEE_SESSION_KEYS  comma-separated base64 secrets of 64 bytes, newest first (rotation:
//	                      put the new key first, keep the old one until its sessions have expired).
//	                      Required in production; in development a key is generated once and kept
//	                      in $MARQUEE_DATA_DIR/session.key.
//	MARQUEE_SMTP_URL      smtp://user:pass@host:587 (STARTTLS), smtps://user:pass@host:465, or
//	                      smtp://host:25?tls=none for a local relay; "log" keeps mail in memory
//	                      and logs it (also the default in development; readable at /dev/mail).
//	                      Required in production.
//	MARQUEE_MAIL_FROM     sender address, e.g. "Marquee <tickets@example.com>".
//	MARQUEE_TLS_CERT, MARQUEE_TLS_KEY  PEM files: serve HTTPS directly (both or neither).

type accountsConfig struct {
	SessionKeys [][]byte
	SMTPURL     string
	MailFrom    string
	TLSCert     string
	TLSKey      string
}

func loadAccountsConfig(getenv func(string) string, production bool) (accountsConfig, []error) {
	c := accountsConfig{
		SMTPURL:  getenv("MARQUEE_SMTP_URL"),
		MailFrom: or(getenv("MARQUEE_MAIL_FROM"), "Marquee <no-reply@localhost>"),
		TLSCert:  getenv("MARQUEE_TLS_CERT"),
		TLSKey:   getenv("MARQUEE_TLS_KEY"),
	}
	var errs []error
	if v := getenv("MARQUEE_SESSION_KEYS"); v != "" {
		keys, err := parseSessionKeys(v)
		if err != nil {
			errs = append(errs, err)
		}
		c.SessionKeys = keys
	} else if production {
		errs = append(errs, errors.New("MARQUEE_SESSION_KEYS is required in production (generate one with: head -c 64 /dev/urandom | base64 -w0)"))
	}
	if c.SMTPURL == "" && production {
		errs = append(errs, errors.New(`MARQUEE_SMTP_URL is required in production (or "log" to only log e-mail)`))
	}
	if c.SMTPURL != "" && c.SMTPURL != "log" {
		if _, err := mail.ParseSMTPURL(c.SMTPURL, c.MailFrom); err != nil {
			errs = append(errs, err)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("MARQUEE_TLS_CERT and MARQUEE_TLS_KEY go together: set both or neither"))
	}
	return c, errs
}

func parseSessionKeys(v string) ([][]byte, error) {
	var keys [][]byte
	for i, s := range strings.Split(v, ",") {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil {
			k, err = base64.RawURLEncoding.DecodeString(strings.TrimSpace(s))
		}
		if err != nil || len(k) != 64 {
			return nil, fmt.Errorf("MARQUEE_SESSION_KEYS: key %d must be 64 random bytes in base64 (head -c 64 /dev/urandom | base64 -w0)", i+1)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// sessionKeys returns the configured keys or, in development, the key kept
// under the data directory (created on first use), with a warning.
func sessionKeys(cfg Config, logger *slog.Logger) ([][]byte, error) {
	if len(cfg.Accounts.SessionKeys) > 0 {
		return cfg.Accounts.SessionKeys, nil
	}
	if cfg.Production() {
		return nil, errors.New("MARQUEE_SESSION_KEYS is required in production")
	}
	path := filepath.Join(cfg.DataDir, "session.key")
	if b, err := os.ReadFile(path); err == nil {
		keys, err := parseSessionKeys(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w (delete it to generate a new one)", path, err)
		}
		logger.Warn("MARQUEE_SESSION_KEYS not set: using the development session key", "file", path)
		return keys, nil
	}
	k := make([]byte, 64)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(k)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}
	logger.Warn("MARQUEE_SESSION_KEYS not set: generated a development session key", "file", path)
	return [][]byte{k}, nil
}

// newMailer returns the SMTP mailer, or the capture mailer (development, or "log").
func newMailer(cfg Config, logger *slog.Logger) (mail.Mailer, func(), error) {
	a := cfg.Accounts
	if a.SMTPURL == "" || a.SMTPURL == "log" {
		return mail.NewCapture(50, logger), func() {}, nil
	}
	sc, err := mail.ParseSMTPURL(a.SMTPURL, a.MailFrom)
	if err != nil {
		return nil, nil, err
	}
	m, err := mail.NewSMTP(sc, logger)
	if err != nil {
		return nil, nil, err
	}
	return m, m.Close, nil
}

// tlsListener wraps ln in TLS when a certificate is configured.
func tlsListener(cfg Config, ln net.Listener) (net.Listener, error) {
	a := cfg.Accounts
	if a.TLSCert == "" {
		return ln, nil
	}
	cert, err := tls.LoadX509KeyPair(a.TLSCert, a.TLSKey)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("MARQUEE_TLS_CERT/MARQUEE_TLS_KEY: %w", err)
	}
	return tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}), nil
}

// pruneRateLimits drops old rate-limit counters every hour until ctx ends.
func pruneRateLimits(ctx context.Context, h *handlers.Handler, logger *slog.Logger) {
	booking.Every(ctx, time.Hour, func(ctx context.Context) {
		if err := h.PruneRateLimits(ctx); err != nil {
			logger.Warn("prune rate limits", "err", err)
		}
	})
}

// createAdmin is `marquee create-admin`: it creates an administrator, or
// makes an existing account one (and sets its password).
//
//	marquee create-admin -email ann@example.com -name "Ann Admin" [-password …]
//
// The password comes from -password, else MARQUEE_ADMIN_PASSWORD, else a prompt.
func createAdmin(ctx context.Context, store *db.DB, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("create-admin", flag.ContinueOnError)
	fs.SetOutput(stdout)
	email := fs.String("email", getenv("MARQUEE_ADMIN_EMAIL"), "the administrator's e-mail address")
	name := fs.String("name", getenv("MARQUEE_ADMIN_NAME"), "the administrator's name")
	password := fs.String("password", "", "the password (prefer MARQUEE_ADMIN_PASSWORD or the prompt: flags show in ps)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	*email = booking.NormalizeEmail(*email)
	if err := booking.ValidateEmail(*email); err != nil {
		return fmt.Errorf("create-admin: -email: %s", booking.ErrorMessage(err))
	}
	if *name == "" {
		*name = strings.Split(*email, "@")[0]
	}
	if err := booking.ValidateName(*name); err != nil {
		return fmt.Errorf("create-admin: -name: %s", booking.ErrorMessage(err))
	}
	pw := *password
	if pw == "" {
		pw = getenv("MARQUEE_ADMIN_PASSWORD")
	}
	if pw == "" {
		var err error
		if pw, err = promptPassword(stdin, stdout); err != nil {
			return fmt.Errorf("create-admin: %w", err)
		}
	}
	if err := booking.ValidatePassword(pw, *email, *name); err != nil {
		return fmt.Errorf("create-admin: password: %s", booking.ErrorMessage(err))
	}
	hash, err := booking.HashPassword(pw, booking.DefaultPasswordParams)
	if err != nil {
		return err
	}
	u, err := store.CreateUser(ctx, db.NewUser{Email: *email, PasswordHash: hash, Name: *name, Role: booking.RoleAdmin, Confirmed: true})
	action := "user.created_admin"
	if booking.ErrorCode(err) == booking.ECONFLICT {
		if u, err = store.UserByEmail(ctx, *email); err != nil {
			return fmt.Errorf("create-admin: %w", err)
		}
		if _, err = store.SetRole(ctx, u.ID, booking.RoleAdmin); err == nil {
			_, err = store.SetPassword(ctx, u.ID, hash)
		}
		action = "user.promoted_admin"
	}
	if err != nil {
		return fmt.Errorf("create-admin: %w", err)
	}
	if err := store.Audit(ctx, booking.AuditEntry{ActorEmail: "cli", Action: action, Subject: u.Email}, nil); err != nil {
		return fmt.Errorf("create-admin: %w", err)
	}
	if action == "user.created_admin" {
		fmt.Fprintf(stdout, "Created administrator %s.\n", u.Email)
	} else {
		fmt.Fprintf(stdout, "%s already had an account: it is now an administrator, with the new password.\n", u.Email)
	}
	return nil
}

func promptPassword(stdin io.Reader, stdout io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stdout, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stdout, "Again: ")
		b2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		if string(b) != string(b2) {
			return "", errors.New("the passwords don't match")
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password: use -password, MARQUEE_ADMIN_PASSWORD or type it at the prompt")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
