package db

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/booking"
)

// CreateInvitation invites an address to a staff role, to work at the given
// theatres (the first one their home theatre), and returns the secret for
// the e-mailed link. Earlier open invitations of the address are retired.
func (db *DB) CreateInvitation(ctx context.Context, email string, role booking.Role, invitedBy int64, theatres ...int64) (string, error) {
	if theatres == nil {
		theatres = []int64{}
	}
	plain, hash := newSecret("")
	now := db.Now()
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := db.txExec(ctx, tx, `
			UPDATE staff_invitations SET expires_at = $2
			WHERE lower(email) = lower($1) AND accepted_at IS NULL AND expires_at > $2`, email, now); err != nil {
			return err
		}
		_, err := db.txExec(ctx, tx, `
			INSERT INTO staff_invitations (email, role, token_hash, invited_by, created_at, expires_at, theatre_ids)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, email, string(role), hash, invitedBy, now, now.Add(booking.InvitationTTL), pq.Array(theatres))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("invite %s: %w", role, err)
	}
	return plain, nil
}

// InvitationByToken returns an open invitation, booking.ErrLinkInvalid when the link is unknown, used or expired.
func (db *DB) InvitationByToken(ctx context.Context, plain string) (*booking.Invitation, error) {
	var inv booking.Invitation
	err := db.get(ctx, &inv, `
		SELECT id, email, role, invited_by, created_at, expires_at, accepted_at
		FROM staff_invitations
		WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2`, hashSecret(plain), db.Now())
	if isNotFound(err) {
		return nil, booking.ErrLinkInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("invitation: %w", err)
	}
	return &inv, nil
}

// AcceptInvitation uses an invitation link: the account with the invited
// address gets the role and the new password (it is created when there is
// none). The address is confirmed: the link was sent there.
func (db *DB) AcceptInvitation(ctx context.Context, plain, name, hash string) (*booking.User, *booking.Invitation, error) {
	var u booking.User
	var inv booking.Invitation
	now := db.Now()
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := db.txGet(ctx, tx, &inv, `
			UPDATE staff_invitations SET accepted_at = $2
			WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2
			RETURNING id, email, role, invited_by, created_at, expires_at, accepted_at`, hashSecret(plain), now); err != nil {
			if isNotFound(err) {
				return booking.ErrLinkInvalid
			}
			return err
		}
		if err := db.txGet(ctx, tx, &u, `
			INSERT INTO users (email, password_hash, name, role, email_confirmed_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5, $5)
			ON CONFLICT (lower(email)) DO UPDATE
			SET password_hash = excluded.password_hash, name = excluded.name, role = excluded.role,
			    email_confirmed_at = coalesce(users.email_confirmed_at, excluded.email_confirmed_at),
			    session_version = users.session_version + 1, updated_at = excluded.updated_at
			RETURNING `+userColumns, inv.Email, hash, name, string(inv.Role), now); err != nil {
			return err
		}
		// The invitation's theatres: the new member of staff works there,
		// the first one is their home theatre unless they have one.
		if _, err := db.txExec(ctx, tx, `
			INSERT INTO staff_theatres (user_id, theatre_id)
			SELECT $1, t.id FROM staff_invitations i JOIN theatres t ON t.id = ANY(i.theatre_ids)
			WHERE i.id = $2
			ON CONFLICT DO NOTHING`, u.ID, inv.ID); err != nil {
			return err
		}
		if _, err := db.txExec(ctx, tx, `
			UPDATE users SET home_theatre_id = coalesce(home_theatre_id,
			       (SELECT t.id FROM staff_invitations i JOIN theatres t ON t.id = i.theatre_ids[1] WHERE i.id = $2))
			WHERE id = $1`, u.ID, inv.ID); err != nil {
			return err
		}
		return db.adoptGuestOrders(ctx, tx, u.ID, u.Email)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("accept invitation: %w", err)
	}
	return &u, &inv, nil
}

// OpenInvitations lists invitations not yet accepted nor expired, newest first.
func (db *DB) OpenInvitations(ctx context.Context) ([]booking.Invitation, error) {
	var out []booking.Invitation
	err := db.selectAll(ctx, &out, `
		SELECT id, email, role, invited_by, created_at, expires_at, accepted_at
		FROM staff_invitations WHERE accepted_at IS NULL AND expires_at > $1
		ORDER BY created_at DESC LIMIT 100`, db.Now())
	if err != nil {
		return nil, fmt.Errorf("open invitations: %w", err)
	}
	return out, nil
}
