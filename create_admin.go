package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"marquee/booking"
	"marquee/config"
	"marquee/db"
)

// createAdmin is `marquee create-admin`: it creates an administrator, or
// makes an existing account one (and sets its password).
//
//	marquee create-admin -email ann@example.com -name "Ann Admin" [-password …]
//
// The flags default to MARQUEE_ADMIN_EMAIL and MARQUEE_ADMIN_NAME (config.Admin);
// the password comes from -password, else MARQUEE_ADMIN_PASSWORD, else a prompt.
func createAdmin(ctx context.Context, store *db.DB, args []string, defaults config.Admin, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("create-admin", flag.ContinueOnError)
	fs.SetOutput(stdout)
	email := fs.String("email", defaults.Email, "the administrator's e-mail address")
	name := fs.String("name", defaults.Name, "the administrator's name")
	password := fs.String("password", "", "the password (prefer MARQUEE_ADMIN_PASSWORD or the prompt: flags show in ps)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	*email = booking.NormalizeEmail(*email)
	if err := booking.ValidateEmail(*email); err != nil {
		return fmt.Errorf("create-admin: -email: %s", booking.ErrorMessage(err))
	}
	if *name == "" {
		*name = strings.Split(*email, "@")[0]
	}
	if err := booking.ValidateName(*name); err != nil {
		return fmt.Errorf("create-admin: -name: %s", booking.ErrorMessage(err))
	}
	pw := *password
	if pw == "" {
		pw = defaults.Password
	}
	if pw == "" {
		var err error
		if pw, err = promptPassword(stdin, stdout); err != nil {
			return fmt.Errorf("create-admin: %w", err)
		}
	}
	if err := booking.ValidatePassword(pw, *email, *name); err != nil {
		return fmt.Errorf("create-admin: password: %s", booking.ErrorMessage(err))
	}
	hash, err := booking.HashPassword(pw, booking.DefaultPasswordParams)
	if err != nil {
		return err
	}
	u, err := store.CreateUser(ctx, db.NewUser{Email: *email, PasswordHash: hash, Name: *name, Role: booking.RoleAdmin, Confirmed: true})
	action := "user.created_admin"
	if booking.ErrorCode(err) == booking.ECONFLICT {
		if u, err = store.UserByEmail(ctx, *email); err != nil {
			return fmt.Errorf("create-admin: %w", err)
		}
		if _, err = store.SetRole(ctx, u.ID, booking.RoleAdmin); err == nil {
			_, err = store.SetPassword(ctx, u.ID, hash)
		}
		action = "user.promoted_admin"
	}
	if err != nil {
		return fmt.Errorf("create-admin: %w", err)
	}
	if err := store.Audit(ctx, booking.AuditEntry{ActorEmail: "cli", Action: action, Subject: u.Email}, nil); err != nil {
		return fmt.Errorf("create-admin: %w", err)
	}
	if action == "user.created_admin" {
		fmt.Fprintf(stdout, "Created administrator %s.\n", u.Email)
	} else {
		fmt.Fprintf(stdout, "%s already had an account: it is now an administrator, with the new password.\n", u.Email)
	}
	return nil
}

func promptPassword(stdin io.Reader, stdout io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stdout, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stdout, "Again: ")
		b2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		if string(b) != string(b2) {
			return "", errors.New("the passwords don't match")
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password: use -password, MARQUEE_ADMIN_PASSWORD or type it at the prompt")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
