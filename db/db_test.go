package db_test

import (
	"context"
	"testing"

	"marquee/booking"
	"marquee/db/dbtest"
)

func TestMigrateAndOverlapConstraint(t *testing.T) {
	d := dbtest.New(t, booking.SystemClock{})
	ctx := context.Background()
	var n int
	if err := dbtest.SQL(t, d).GetContext(ctx, &n, "SELECT count(*) FROM catalog_version"); err != nil || n != 1 {
		t.Fatalf("catalog_version: n=%d err=%v", n, err)
	}
}
