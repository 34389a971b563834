package config

import (
	"bytes"
	"log/slog"
	"time"
)

// ForTest is the configuration of tests and tools that build the app in
// process (internal/app): development, base URL http://marquee.test, fixed
// session key and order secret (no files written), mail kept in memory, no
// Stripe key (the offline demo gateway), no per-IP connection cap and no drain at shutdown. Callers change what their test is about.
func ForTest() Config {
	return Config{
		Env:        "development",
		Addr:       "127.0.0.1:0",
		BaseURL:    "http://marquee.test",
		DBMaxConns: 8,
		LogLevel:   slog.LevelInfo,
		Seed:       "never",
		DataDir:    "data",
		DevPG:      "auto",
		Accounts: Accounts{
			SessionKeys: [][]byte{bytes.Repeat([]byte("s"), 64)},
			SMTPURL:     "log",
			MailFrom:    "Marquee <no-reply@localhost>",
		},
		SweepEvery: 5 * time.Second,
		Payments:   Payments{ReconcileEvery: 3 * time.Minute},
		AfterSale: AfterSale{
			OrderSecret: bytes.Repeat([]byte("x"), 32),
			JobsEvery:   30 * time.Second,
		},
		HoldsPerIP: 30,
		Server:     Server{MaxConns: 4096, MaxConnsPerIP: 0, ReadTimeout: 10 * time.Second, IdleTimeout: 30 * time.Second},
	}
}
