package main

import (
	"context"
	"errors"
	"log/slog"
)

// devDatabase finds or starts a PostgreSQL for development when DATABASE_URL
// is unset, and returns its URL and a function that stops what it started.
func devDatabase(ctx context.Context, cfg Config, logger *slog.Logger) (string, func(), error) {
	return "", func() {}, errors.New("DATABASE_URL is not set")
}
