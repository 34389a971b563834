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
var demoUsers = []struct {
	Email, Name, Password string
	Role                  booking.Role
}{
	{"customer@marquee.test", "Casey Customer", "demo-customer-pass", booking.RoleCustomer},
	{"staff@marquee.test", "Sam Staff", "demo-staff-pass", booking.RoleStaff},
	{"manager@marquee.test", "Morgan Manager", "demo-manager-pass", booking.RoleManager},
	{"admin@marquee.test", "Alex Admin", "demo-admin-pass", booking.RoleAdmin},
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
