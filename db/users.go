package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"marquee/booking"
)

const userColumns = `id, email, password_hash, name, phone, preferred_theatre_id, marketing_opt_out,
	role, email_confirmed_at, session_version, created_at, deleted_at`

// NewUser is an account to create.
type NewUser struct {
	Email        string
	PasswordHash string
	Name         string
	Role         booking.Role
	Confirmed    bool // the address is known to be theirs (demo accounts, create-admin, invitations)
}

// CreateUser inserts an account. booking.ErrEmailTaken when the address is in use.
func (db *DB) CreateUser(ctx context.Context, u NewUser) (*booking.User, error) {
	if u.Role == "" {
		u.Role = booking.RoleCustomer
	}
	now := db.Now()
	var confirmed any
	if u.Confirmed {
		confirmed = now
	}
	var out booking.User
	err := db.get(ctx, &out, `
		INSERT INTO users (email, password_hash, name, role, email_confirmed_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)
		RETURNING `+userColumns,
		u.Email, u.PasswordHash, u.Name, string(u.Role), confirmed, now)
	if err != nil {
		return nil, fmt.Errorf("create user: %w", emailTaken(err))
	}
	return &out, nil
}

// emailTaken turns the unique violation on users_email_lower into ErrEmailTaken.
func emailTaken(err error) error {
	if booking.ErrorCode(err) == booking.ECONFLICT {
		return &wrapped{booking.ErrEmailTaken, err}
	}
	return err
}

// UserByID returns a live (not deleted) account, ENOTFOUND otherwise.
func (db *DB) UserByID(ctx context.Context, id int64) (*booking.User, error) {
	var u booking.User
	err := db.get(ctx, &u, `SELECT `+userColumns+` FROM users WHERE id = $1 AND deleted_at IS NULL`, id)
	if err != nil {
		return nil, fmt.Errorf("user %d: %w", id, err)
	}
	return &u, nil
}

// UserByEmail returns the live account with this address (any case), ENOTFOUND otherwise.
func (db *DB) UserByEmail(ctx context.Context, email string) (*booking.User, error) {
	var u booking.User
	err := db.get(ctx, &u, `SELECT `+userColumns+` FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL`, email)
	if err != nil {
		return nil, fmt.Errorf("user by e-mail: %w", err)
	}
	return &u, nil
}

// UpdateProfile saves what a user edits on their profile page.
func (db *DB) UpdateProfile(ctx context.Context, id int64, p booking.Profile) error {
	_, err := db.exec(ctx, `
		UPDATE users
		SET name = $2, phone = $3, preferred_theatre_id = $4, marketing_opt_out = $5, updated_at = $6
		WHERE id = $1 AND deleted_at IS NULL`,
		id, strings.TrimSpace(p.Name), strings.TrimSpace(p.Phone), p.PreferredTheatreID, p.MarketingOptOut, db.Now())
	if err != nil {
		return fmt.Errorf("update profile %d: %w", id, err)
	}
	return nil
}

// SetPassword stores a new password hash, bumps the session version, so
// every other session of this user ends, and revokes the user's API tokens
// (one statement). It returns the new version.
func (db *DB) SetPassword(ctx context.Context, id int64, hash string) (int, error) {
	var v int
	err := db.get(ctx, &v, `
		WITH u AS (
			UPDATE users SET password_hash = $2, session_version = session_version + 1, updated_at = $3
			WHERE id = $1 AND deleted_at IS NULL
			RETURNING id, session_version
		), t AS (
			UPDATE api_tokens SET revoked_at = $3 WHERE user_id IN (SELECT id FROM u) AND revoked_at IS NULL
		)
		SELECT session_version FROM u`, id, hash, db.Now())
	if err != nil {
		return 0, fmt.Errorf("set password %d: %w", id, err)
	}
	return v, nil
}

// EndSessions bumps the user's session version: every session signed in
// before ends (logout, "sign out everywhere"). It returns the new version.
func (db *DB) EndSessions(ctx context.Context, id int64) (int, error) {
	var v int
	err := db.get(ctx, &v, `
		UPDATE users SET session_version = session_version + 1, updated_at = $2
		WHERE id = $1 AND deleted_at IS NULL
		RETURNING session_version`, id, db.Now())
	if err != nil {
		return 0, fmt.Errorf("end sessions of %d: %w", id, err)
	}
	return v, nil
}

// SetRole changes a user's role and returns the previous one.
func (db *DB) SetRole(ctx context.Context, id int64, role booking.Role) (booking.Role, error) {
	var old booking.Role
	err := db.get(ctx, &old, `
		UPDATE users u SET role = $2, updated_at = $3
		FROM users prev
		WHERE u.id = $1 AND prev.id = u.id AND u.deleted_at IS NULL
		RETURNING prev.role`, id, string(role), db.Now())
	if err != nil {
		return "", fmt.Errorf("set role %d: %w", id, err)
	}
	return old, nil
}

// UserFilter selects users for the admin list.
type UserFilter struct {
	Query  string // substring of e-mail or name
	Role   booking.Role
	Limit  int
	Offset int
}

// ListUsers returns live accounts, staff first then by e-mail, and the total count.
func (db *DB) ListUsers(ctx context.Context, f UserFilter) ([]booking.User, int, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var rows []struct {
		booking.User
		Total int `db:"total"`
	}
	err := db.selectAll(ctx, &rows, `
		SELECT `+userColumns+`, count(*) OVER () AS total
		FROM users
		WHERE deleted_at IS NULL
		  AND ($1 = '' OR email ILIKE '%' || $1 || '%' OR name ILIKE '%' || $1 || '%')
		  AND ($2 = '' OR role = $2)
		ORDER BY role = 'customer', lower(email)
		LIMIT $3 OFFSET $4`, likeEscape(f.Query), string(f.Role), f.Limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	out := make([]booking.User, len(rows))
	total := 0
	for i, r := range rows {
		out[i] = r.User
		total = r.Total
	}
	return out, total, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.TrimSpace(s))
}

// DeleteUser deletes an account: the row stays (orders and the audit log
// point at it) but everything personal is erased, the address replaced by an
// unroutable one, the password and API tokens made useless, and the user's
// orders anonymised (see anonymiseOrders).
func (db *DB) DeleteUser(ctx context.Context, id int64) error {
	now := db.Now()
	return db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := db.txExec(ctx, tx, `
			UPDATE users
			SET email = 'deleted-' || id || '@deleted.invalid', password_hash = '', name = '', phone = '',
			    preferred_theatre_id = NULL, marketing_opt_out = true, role = 'customer',
			    session_version = session_version + 1, deleted_at = $2, updated_at = $2
			WHERE id = $1 AND deleted_at IS NULL`, id, now); err != nil {
			return fmt.Errorf("delete user %d: %w", id, err)
		}
		if _, err := db.txExec(ctx, tx, `UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, id, now); err != nil {
			return fmt.Errorf("delete user %d: revoke tokens: %w", id, err)
		}
		if _, err := db.txExec(ctx, tx, `DELETE FROM account_tokens WHERE user_id = $1`, id); err != nil {
			return fmt.Errorf("delete user %d: links: %w", id, err)
		}
		return db.anonymiseOrders(ctx, tx, id)
	})
}

// newSecret returns a random token (prefix + 32 random bytes, URL-safe) and its SHA-256 hash.
func newSecret(prefix string) (string, []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	plain := prefix + base64.RawURLEncoding.EncodeToString(b)
	return plain, hashSecret(plain)
}

func hashSecret(plain string) []byte {
	h := sha256.Sum256([]byte(plain))
	return h[:]
}

// isNotFound reports whether err is the domain's ENOTFOUND.
func isNotFound(err error) bool { return booking.ErrorCode(err) == booking.ENOTFOUND }

// prefixed qualifies each column of a comma-separated list with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
