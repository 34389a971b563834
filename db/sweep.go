package db

import (
	"context"
	"time"

	"marquee/booking"
)

// Sweep expires unpaid orders and deletes expired holds at now. Each step is
// a single statement that is safe to run on several instances at once; the
// triggers on seat_claims notify the seat maps of what changed.
func (db *DB) Sweep(ctx context.Context, now time.Time) (orders, holds int, err error) {
	if orders, err = db.ExpireOrders(ctx, now); err != nil {
		return 0, 0, err
	}
	if holds, err = db.DeleteExpiredHolds(ctx, now); err != nil {
		return orders, 0, err
	}
	return orders, holds, nil
}

// RunSweeper sweeps every interval (time from clock) until ctx is done.
// Start it in a goroutine; it returns when ctx is cancelled.
func (db *DB) RunSweeper(ctx context.Context, clock booking.Clock, every time.Duration) {
	if every <= 0 {
		every = 5 * time.Second
	}
	booking.Every(ctx, every, func(ctx context.Context) {
		orders, holds, err := db.Sweep(ctx, clock.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			db.logger.Warn("sweep failed", "err", err)
		case orders > 0 || holds > 0:
			db.logger.Info("swept", "expired_orders", orders, "expired_holds", holds)
		}
	})
}
