package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// parseSessionKeys reads MARQUEE_SESSION_KEYS: comma-separated base64
// secrets of 64 bytes, newest first.
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

// parseOrderSecret reads MARQUEE_ORDER_SECRET: base64 of at least 32 bytes.
func parseOrderSecret(v string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil || len(k) < 32 {
		return nil, errors.New("MARQUEE_ORDER_SECRET must be base64 of at least 32 random bytes (e.g. openssl rand -base64 32)")
	}
	return k, nil
}

// SessionKeys returns the configured session keys or, in development, the
// key kept in $MARQUEE_DATA_DIR/session.key (generated on first use), with a warning.
func (c Config) SessionKeys(logger *slog.Logger) ([][]byte, error) {
	if len(c.Accounts.SessionKeys) > 0 {
		return c.Accounts.SessionKeys, nil
	}
	var keys [][]byte
	err := c.devSecret(logger, "MARQUEE_SESSION_KEYS", "session key", 64, func(s string) (err error) {
		keys, err = parseSessionKeys(s)
		return err
	})
	return keys, err
}

// OrderSecret returns the secret that signs order links and tickets: from
// the environment or, in development, the key kept in
// $MARQUEE_DATA_DIR/order.key (generated on first use), with a warning. It is
// separate from the session keys on purpose: rotating session keys must not
// invalidate tickets and links already e-mailed.
func (c Config) OrderSecret(logger *slog.Logger) ([]byte, error) {
	if len(c.AfterSale.OrderSecret) > 0 {
		return c.AfterSale.OrderSecret, nil
	}
	var key []byte
	err := c.devSecret(logger, "MARQUEE_ORDER_SECRET", "order key", 32, func(s string) (err error) {
		key, err = parseOrderSecret(s)
		return err
	})
	return key, err
}

// devSecret is the development stand-in for the secret variable: the base64
// key kept in DataDir under what's name ("session key": session.key), read
// with parse, or n random bytes generated and stored there (mode 0600) on
// first use. Either way it warns that the variable is not set. Production
// refuses: its secrets must be configured (and the same on every instance).
func (c Config) devSecret(logger *slog.Logger, variable, what string, n int, parse func(string) error) error {
	if c.Production() {
		return fmt.Errorf("%s is required in production", variable)
	}
	path := filepath.Join(c.DataDir, strings.ReplaceAll(what, " ", ".")) // "session key" → session.key
	if b, err := os.ReadFile(path); err == nil {
		if err := parse(strings.TrimSpace(string(b))); err != nil {
			return fmt.Errorf("%s: %w (delete it to generate a new one)", path, err)
		}
		logger.Warn(variable+" not set: using the development "+what, "file", path)
		return nil
	}
	k := make([]byte, n)
	if _, err := rand.Read(k); err != nil {
		return err
	}
	text := base64.StdEncoding.EncodeToString(k)
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := os.WriteFile(path, []byte(text+"\n"), 0o600); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	logger.Warn(variable+" not set: generated a development "+what, "file", path)
	return parse(text)
}
