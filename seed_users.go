package main

import (
	"context"
	"fmt"
	"log/slog"

	"marquee/booking"
	"marquee/db"
)

// demoUsers are the demo accounts, one per role, with documented passwords
// (README). They are created in development only, when missing.
// Staff and the manager belong to two of the three demo theatres (admins
// have every theatre), so the scoping of staff pages shows.
var demoUsers = []struct {
	Email, Name, Password string
	Role                  booking.Role
	Theatres              []string // slugs of the theatres a staff member belongs to
}{
	{"customer@marquee.test", "Casey Customer", "demo-customer-pass", booking.RoleCustomer, nil},
	{"staff@marquee.test", "Sam Staff", "demo-staff-pass", booking.RoleStaff, []string{"downtown", "lakeside"}},
	{"manager@marquee.test", "Morgan Manager", "demo-manager-pass", booking.RoleManager, []string{"downtown", "lakeside"}},
	{"admin@marquee.test", "Alex Admin", "demo-admin-pass", booking.RoleAdmin, nil},
}

// seedDemoUsers creates the demo accounts that don't exist yet and logs
// their credentials, so `make run` shows how to sign in.
func seedDemoUsers(ctx context.Context, store *db.DB, logger *slog.Logger) error {
	for _, d := range demoUsers {
		_, err := store.UserByEmail(ctx, d.Email)
		if err == nil {
			continue
		}
		if booking.ErrorCode(err) != booking.ENOTFOUND {
			return fmt.Errorf("demo accounts: %w", err)
		}
		hash, err := booking.HashPassword(d.Password, booking.DefaultPasswordParams)
		if err != nil {
			return err
		}
		if _, err := store.CreateUser(ctx, db.NewUser{Email: d.Email, PasswordHash: hash, Name: d.Name, Role: d.Role, Confirmed: true}); err != nil && booking.ErrorCode(err) != booking.ECONFLICT {
			return fmt.Errorf("demo accounts: %w", err)
		}
	}
	for _, d := range demoUsers {
		logger.Info("demo account", "role", string(d.Role), "email", d.Email, "password", d.Password)
	}
	return nil
}

// assignDemoTheatres puts the demo staff in their theatres, once the demo
// programme is seeded.
func assignDemoTheatres(ctx context.Context, store *db.DB) error {
	theatres, err := store.Theatres(ctx)
	if err != nil {
		return err
	}
	ids := map[string]int64{}
	for _, t := range theatres {
		ids[t.Slug] = t.ID
	}
	for _, d := range demoUsers {
		if len(d.Theatres) == 0 {
			continue
		}
		u, err := store.UserByEmail(ctx, d.Email)
		if err != nil {
			return fmt.Errorf("demo accounts: %w", err)
		}
		var mine []int64
		for _, slug := range d.Theatres {
			if id, ok := ids[slug]; ok {
				mine = append(mine, id)
			}
		}
		if _, err := store.SetStaffTheatres(ctx, u.ID, mine); err != nil {
			return fmt.Errorf("demo accounts: %w", err)
		}
	}
	return nil
}
