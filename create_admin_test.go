package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"marquee/booking"
	"marquee/config"
	"marquee/db/dbtest"
)

func TestCreateAdmin(t *testing.T) {
	store := dbtest.New(t, booking.SystemClock{})
	ctx := context.Background()
	var out bytes.Buffer
	err := createAdmin(ctx, store, []string{"-email", "root@example.com", "-name", "Root"}, config.Admin{Password: "short"}, strings.NewReader(""), &out)
	if err == nil || !strings.Contains(err.Error(), "at least 10 characters") {
		t.Fatalf("weak password accepted: %v", err)
	}
	err = createAdmin(ctx, store, []string{"-email", "not an address"}, config.Admin{}, strings.NewReader(""), &out)
	if err == nil || !strings.Contains(err.Error(), "-email") {
		t.Fatalf("bad e-mail: %v", err)
	}
	err = createAdmin(ctx, store, []string{"-email", "root@example.com", "-name", "Root"}, config.Admin{}, strings.NewReader("the admin password\n"), &out)
	if err != nil {
		t.Fatal(err)
	}
	u, err := store.UserByEmail(ctx, "ROOT@example.com")
	if err != nil || u.Role != booking.RoleAdmin || !u.Confirmed() || !booking.CheckPassword("the admin password", u.PasswordHash) {
		t.Fatalf("admin not created: %+v %v", u, err)
	}
	// Again: the account is promoted and its password replaced, not duplicated.
	err = createAdmin(ctx, store, []string{"-email", "root@example.com", "-password", "another admin password"}, config.Admin{}, strings.NewReader(""), &out)
	if err != nil || !strings.Contains(out.String(), "already had an account") {
		t.Fatalf("second run: %v\n%s", err, out.String())
	}
	u, _ = store.UserByEmail(ctx, "root@example.com")
	if !booking.CheckPassword("another admin password", u.PasswordHash) {
		t.Fatal("password not replaced")
	}
}
