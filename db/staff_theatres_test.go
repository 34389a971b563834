package db_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
)

func TestStaffTheatres(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	d := dbtest.New(t, clock)
	ctx := context.Background()
	var ids []int64
	for _, slug := range []string{"one", "two", "three"} {
		var id int64
		if err := dbtest.SQL(t, d).GetContext(ctx, &id, `INSERT INTO theatres (slug, name, time_zone) VALUES ($1, $1, 'UTC') RETURNING id`, slug); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	u, err := d.CreateUser(ctx, db.NewUser{Email: "sam@example.com", Name: "Sam", Role: booking.RoleStaff})
	if err != nil {
		t.Fatal(err)
	}
	if before, err := d.SetStaffTheatres(ctx, u.ID, ids[:2]); err != nil || len(before) != 0 {
		t.Fatalf("first assignment: before %v, err %v", before, err)
	}
	before, err := d.SetStaffTheatres(ctx, u.ID, []int64{ids[1], ids[2], 987654})
	if err != nil || !slices.Equal(before, ids[:2]) {
		t.Fatalf("second assignment: before %v (want %v), err %v", before, ids[:2], err)
	}
	got, err := d.StaffTheatres(ctx, u.ID)
	if err != nil || !slices.Equal(got, ids[1:]) {
		t.Fatalf("theatres %v (want %v; an unknown theatre is ignored), err %v", got, ids[1:], err)
	}
}
