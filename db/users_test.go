package db_test

import (
	"context"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
)

func TestAccountsGuestOrdersAdoptedAfterConfirmation(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
	d := dbtest.New(t, clock)
	ctx := context.Background()
	show := dbtest.AddShowtime(t, d, clock.Now().Add(24*time.Hour))
	for i, email := range []string{"Guest@Example.com", "other@example.com"} {
		if _, err := dbtest.SQL(t, d).ExecContext(ctx, `INSERT INTO orders (code, email, showtime_id, hold_expires_at, created_at) VALUES ($1, $2, $3, $4, $4)`,
			"CODE"+string(rune('A'+i)), email, show.ShowtimeID, clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	u, err := d.CreateUser(ctx, db.NewUser{Email: "guest@example.com", Name: "Guest"})
	if err != nil {
		t.Fatal(err)
	}
	owned := func() int {
		var n int
		if err := dbtest.SQL(t, d).GetContext(ctx, &n, `SELECT count(*) FROM orders WHERE user_id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if owned() != 0 {
		t.Fatal("orders adopted before the address is confirmed")
	}
	token, err := d.CreateAccountToken(ctx, u.ID, db.TokenConfirm, "", booking.ConfirmTokenTTL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.ConfirmEmail(ctx, token); err != nil {
		t.Fatal(err)
	}
	if owned() != 1 {
		t.Fatalf("adopted %d orders, want 1 (same address, any case)", owned())
	}
	if _, err := d.ConfirmEmail(ctx, token); err != booking.ErrLinkInvalid && booking.ErrorCode(err) != booking.EGONE {
		t.Fatalf("second use: %v", err)
	}

	// Deleting the account keeps the order but not the address.
	if err := d.DeleteUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	var email string
	if err := dbtest.SQL(t, d).GetContext(ctx, &email, `SELECT email FROM orders WHERE code = 'CODEA'`); err != nil {
		t.Fatal(err)
	}
	if email == "Guest@Example.com" {
		t.Fatal("order still carries the deleted user's address")
	}
}

func TestAccountsRateLimitWindow(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
	d := dbtest.New(t, clock)
	ctx := context.Background()
	for want := 1; want <= 3; want++ {
		n, err := d.HitRateLimit(ctx, "k", time.Minute)
		if err != nil || n != want {
			t.Fatalf("hit %d: %d %v", want, n, err)
		}
	}
	clock.Advance(time.Minute)
	if n, _ := d.HitRateLimit(ctx, "k", time.Minute); n != 1 {
		t.Fatalf("new window starts at %d", n)
	}
	clock.Advance(48 * time.Hour)
	if n, err := d.PruneRateLimits(ctx, clock.Now().Add(-24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("pruned %d %v", n, err)
	}
}
