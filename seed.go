package main

import (
	"context"
	"log/slog"

	"marquee/booking"
	"marquee/db"
)

// seedDemo loads the demo programme. With force false it only seeds an empty database.
func seedDemo(ctx context.Context, store *db.DB, clock booking.Clock, logger *slog.Logger, force bool) error {
	return nil
}
