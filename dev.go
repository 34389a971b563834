package main

import (
	"context"
	"fmt"
	"log/slog"

	"marquee/config"
	"marquee/internal/devpg"
)

// devDatabase finds or starts a PostgreSQL for development when DATABASE_URL
// is unset, and returns its URL and a function that stops what it started.
//
// MARQUEE_DEV_PG chooses: auto (default) uses the PostgreSQL answering on
// 127.0.0.1:5432 as user postgres when there is one, else a private cluster
// under the data directory; local insists on the former, private on the latter.
func devDatabase(ctx context.Context, cfg config.Config, logger *slog.Logger) (string, func(), error) {
	const name = "marquee"
	if cfg.DevPG != "private" {
		err := devpg.Ping(ctx, devpg.LocalURL)
		if err == nil {
			if err := devpg.EnsureDatabase(ctx, devpg.LocalURL, name); err != nil {
				return "", nil, fmt.Errorf("local PostgreSQL on 127.0.0.1:5432: %w", err)
			}
			logger.Info("DATABASE_URL not set: using the PostgreSQL on 127.0.0.1:5432", "database", name)
			return devpg.WithDatabase(devpg.LocalURL, name), func() {}, nil
		}
		if cfg.DevPG == "local" {
			return "", nil, fmt.Errorf("MARQUEE_DEV_PG=local but no PostgreSQL accepts user postgres on 127.0.0.1:5432: %w", err)
		}
		logger.Info("DATABASE_URL not set and no PostgreSQL answers on 127.0.0.1:5432: using a private one", "dir", cfg.DataDir+"/postgres", "reason", err.Error())
	}
	cluster, err := devpg.Start(ctx, devpg.Options{DataDir: cfg.DataDir, Logger: logger})
	if err != nil {
		return "", nil, fmt.Errorf("development database: %w", err)
	}
	if err := devpg.EnsureDatabase(ctx, cluster.URL("postgres"), name); err != nil {
		cluster.Stop()
		return "", nil, fmt.Errorf("development database: %w", err)
	}
	return cluster.URL(name), func() { cluster.Stop() }, nil
}
