package db

import (
	"context"
	"fmt"
	"time"

	"marquee/booking"
)

// APITokenPrefix starts every personal API token, so leaked ones are easy to recognise.
const APITokenPrefix = "mq_"

// CreateAPIToken creates a personal API token and returns its secret, shown
// to the user once; only its hash is stored.
func (db *DB) CreateAPIToken(ctx context.Context, userID int64, name string) (string, *booking.APIToken, error) {
	plain, hash := newSecret(APITokenPrefix)
	var t booking.APIToken
	err := db.get(ctx, &t, `
		INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at)
		VALUES ($1, $2, $3, $4, $5)
		RETURNING id, user_id, name, prefix, created_at, last_used_at, revoked_at`,
		userID, name, hash, plain[:len(APITokenPrefix)+6], db.Now())
	if err != nil {
		return "", nil, fmt.Errorf("create API token: %w", err)
	}
	return plain, &t, nil
}

// APITokens lists a user's tokens, live ones first.
func (db *DB) APITokens(ctx context.Context, userID int64) ([]booking.APIToken, error) {
	var ts []booking.APIToken
	err := db.selectAll(ctx, &ts, `
		SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE user_id = $1
		ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("API tokens: %w", err)
	}
	return ts, nil
}

// RevokeAPIToken revokes one of the user's tokens. ENOTFOUND when it isn't theirs or is already revoked.
func (db *DB) RevokeAPIToken(ctx context.Context, userID, tokenID int64) (*booking.APIToken, error) {
	var t booking.APIToken
	err := db.get(ctx, &t, `
		UPDATE api_tokens SET revoked_at = $3
		WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL
		RETURNING id, user_id, name, prefix, created_at, last_used_at, revoked_at`, tokenID, userID, db.Now())
	if err != nil {
		return nil, fmt.Errorf("revoke API token: %w", err)
	}
	return &t, nil
}

// UserByAPIToken authenticates a bearer token: the live user owning the live
// token, ENOTFOUND otherwise. last_used_at is refreshed at most once a minute.
func (db *DB) UserByAPIToken(ctx context.Context, plain string) (*booking.User, error) {
	var row struct {
		TokenID  int64      `db:"token_id"`
		LastUsed *time.Time `db:"last_used_at"`
		booking.User
	}
	err := db.get(ctx, &row, `
		SELECT t.id AS token_id, t.last_used_at, `+prefixed("u", userColumns)+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.deleted_at IS NULL`, hashSecret(plain))
	if err != nil {
		return nil, fmt.Errorf("API token: %w", err)
	}
	now := db.Now()
	if row.LastUsed == nil || now.Sub(*row.LastUsed) > time.Minute {
		if _, err := db.exec(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, row.TokenID, now); err != nil {
			db.logger.Warn("API token last use", "err", err)
		}
	}
	return &row.User, nil
}
