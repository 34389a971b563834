package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"marquee/booking"
)

// Purposes of the single-use links sent by e-mail.
const (
	TokenConfirm     = "confirm"
	TokenReset       = "reset"
	TokenEmailChange = "email_change"
	TokenSignIn      = "signin"
)

// CreateAccountToken stores a new single-use link secret for the user and
// returns the secret (to e-mail; only its hash is stored). newEmail is the
// target of an e-mail change and must be empty otherwise. Earlier unused links
// of the same purpose are retired: only the latest works.
func (db *DB) CreateAccountToken(ctx context.Context, userID int64, purpose, newEmail string, ttl time.Duration) (string, error) {
	plain, hash := newSecret("")
	now := db.Now()
	var ne any
	if newEmail != "" {
		ne = newEmail
	}
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := db.txExec(ctx, tx, `
			UPDATE account_tokens SET used_at = $3
			WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`, userID, purpose, now); err != nil {
			return err
		}
		_, err := db.txExec(ctx, tx, `
			INSERT INTO account_tokens (token_hash, user_id, purpose, new_email, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, hash, userID, purpose, ne, now, now.Add(ttl))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("create %s link: %w", purpose, err)
	}
	return plain, nil
}

// CheckAccountToken reports the user a live link belongs to, without using it
// (to show the reset form). booking.ErrLinkInvalid when it is unknown, used or expired.
func (db *DB) CheckAccountToken(ctx context.Context, plain, purpose string) (*booking.User, error) {
	var id int64
	err := db.get(ctx, &id, `
		SELECT t.user_id FROM account_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > $3
		  AND u.deleted_at IS NULL`, hashSecret(plain), purpose, db.Now())
	if isNotFound(err) {
		return nil, booking.ErrLinkInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("check %s link: %w", purpose, err)
	}
	return db.UserByID(ctx, id)
}

// useAccountToken marks a live link used, in tx, and returns its user and new e-mail.
// The conditional UPDATE makes a link usable once even under concurrent clicks.
func (db *DB) useAccountToken(ctx context.Context, tx *sqlx.Tx, plain, purpose string) (int64, string, error) {
	var row struct {
		UserID   int64   `db:"user_id"`
		NewEmail *string `db:"new_email"`
	}
	now := db.Now()
	err := db.txGet(ctx, tx, &row, `
		UPDATE account_tokens t SET used_at = $3
		FROM users u
		WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > $3
		  AND u.id = t.user_id AND u.deleted_at IS NULL
		RETURNING t.user_id, t.new_email`, hashSecret(plain), purpose, now)
	if isNotFound(err) {
		return 0, "", booking.ErrLinkInvalid
	}
	if err != nil {
		return 0, "", err
	}
	ne := ""
	if row.NewEmail != nil {
		ne = *row.NewEmail
	}
	return row.UserID, ne, nil
}

// ConfirmEmail uses a confirmation link: the address is confirmed and the
// guest orders placed with it are adopted by the account. It returns the user.
func (db *DB) ConfirmEmail(ctx context.Context, plain string) (*booking.User, error) {
	u, err := db.useProvingLink(ctx, plain, TokenConfirm)
	if err != nil {
		return nil, fmt.Errorf("confirm e-mail: %w", err)
	}
	return u, nil
}

// useProvingLink uses a link that proves its user owns the address: the
// address is confirmed (if it wasn't) and the guest orders placed with it
// are adopted, in one transaction. It returns the user.
func (db *DB) useProvingLink(ctx context.Context, plain, purpose string) (*booking.User, error) {
	var uid int64
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		var email string
		uid, _, err = db.useAccountToken(ctx, tx, plain, purpose)
		if err != nil {
			return err
		}
		if err := db.txGet(ctx, tx, &email, `
			UPDATE users SET email_confirmed_at = coalesce(email_confirmed_at, $2), updated_at = $2
			WHERE id = $1 RETURNING email`, uid, db.Now()); err != nil {
			return err
		}
		return db.adoptGuestOrders(ctx, tx, uid, email)
	})
	if err != nil {
		return nil, err
	}
	return db.UserByID(ctx, uid)
}

// ResetPassword uses a reset link to set a new password hash. Following the
// link proves the address too, so it is confirmed (and guest orders adopted).
// Every other session of the user ends (session version bump) and every API
// token is revoked.
func (db *DB) ResetPassword(ctx context.Context, plain, hash string) (*booking.User, error) {
	var uid int64
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		var email string
		uid, _, err = db.useAccountToken(ctx, tx, plain, TokenReset)
		if err != nil {
			return err
		}
		if err := db.txGet(ctx, tx, &email, `
			UPDATE users SET password_hash = $2, session_version = session_version + 1,
			    email_confirmed_at = coalesce(email_confirmed_at, $3), updated_at = $3
			WHERE id = $1 RETURNING email`, uid, hash, db.Now()); err != nil {
			return err
		}
		if _, err := db.txExec(ctx, tx, `UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, uid, db.Now()); err != nil {
			return fmt.Errorf("revoke api tokens: %w", err)
		}
		return db.adoptGuestOrders(ctx, tx, uid, email)
	})
	if err != nil {
		return nil, fmt.Errorf("reset password: %w", err)
	}
	return db.UserByID(ctx, uid)
}

// ChangeEmail uses an e-mail change link: the account's address becomes the
// new one (confirmed, since the link was sent there), and guest orders placed
// with it are adopted. It returns the user and the previous address.
func (db *DB) ChangeEmail(ctx context.Context, plain string) (*booking.User, string, error) {
	var uid int64
	var old string
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		var newEmail string
		uid, newEmail, err = db.useAccountToken(ctx, tx, plain, TokenEmailChange)
		if err != nil {
			return err
		}
		if err := db.txGet(ctx, tx, &old, `SELECT email FROM users WHERE id = $1 FOR UPDATE`, uid); err != nil {
			return err
		}
		if _, err := db.txExec(ctx, tx, `
			UPDATE users SET email = $2, email_confirmed_at = $3, updated_at = $3
			WHERE id = $1`, uid, newEmail, db.Now()); err != nil {
			return emailTaken(err)
		}
		return db.adoptGuestOrders(ctx, tx, uid, newEmail)
	})
	if err != nil {
		return nil, "", fmt.Errorf("change e-mail: %w", err)
	}
	u, err := db.UserByID(ctx, uid)
	return u, old, err
}

// UseSignInLink uses an e-mailed sign-in link and returns its user. Following
// it proves the address, so it is confirmed too (and guest orders adopted).
func (db *DB) UseSignInLink(ctx context.Context, plain string) (*booking.User, error) {
	u, err := db.useProvingLink(ctx, plain, TokenSignIn)
	if err != nil {
		return nil, fmt.Errorf("sign-in link: %w", err)
	}
	return u, nil
}
