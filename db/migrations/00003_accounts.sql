-- +goose Up
-- Accounts: users, the single-use tokens e-mailed to them, personal API
-- tokens, staff invitations, the audit log and the rate-limit counters.
-- Every secret (reset links, confirmation links, API tokens, invitations) is
-- stored as its SHA-256 hash only: a leaked table cannot be replayed.

CREATE TABLE users (
    id                   bigserial PRIMARY KEY,
    email                text NOT NULL,
    -- argon2id PHC string; '' means "no password" (deleted account), which never matches
    password_hash        text NOT NULL DEFAULT '',
    name                 text NOT NULL DEFAULT '',
    phone                text NOT NULL DEFAULT '',
    preferred_theatre_id bigint REFERENCES theatres(id) ON DELETE SET NULL,
    marketing_opt_out    boolean NOT NULL DEFAULT false,
    role                 text NOT NULL DEFAULT 'customer'
                         CHECK (role IN ('customer', 'staff', 'manager', 'admin')),
    email_confirmed_at   timestamptz,
    -- bumped when the password changes or the account is deleted: sessions
    -- carrying an older value are signed out on their next request
    session_version      int NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    deleted_at           timestamptz
);
-- One account per address, whatever its case. Deleted accounts are anonymised
-- (their address replaced) so they never block a new registration.
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));
CREATE INDEX users_role ON users (role) WHERE role <> 'customer';

-- Single-use links sent by e-mail: confirm an address, reset a password,
-- change the address (new_email is where it goes).
CREATE TABLE account_tokens (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('confirm', 'reset', 'email_change')),
    new_email  text,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CHECK ((purpose = 'email_change') = (new_email IS NOT NULL))
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

-- Personal API tokens, created on the profile page and shown once.
CREATE TABLE api_tokens (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    -- the first characters of the token, to recognise it in the list
    prefix       text NOT NULL,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Staff invitations: an admin invites an address to a role; the link lets
-- its owner set a password (creating the account or upgrading an existing one).
CREATE TABLE staff_invitations (
    id          bigserial PRIMARY KEY,
    email       text NOT NULL,
    role        text NOT NULL CHECK (role IN ('staff', 'manager', 'admin')),
    token_hash  bytea NOT NULL UNIQUE,
    invited_by  bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz
);

-- What staff and admins did. Rows are never updated or deleted by the application.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor_id    bigint REFERENCES users(id) ON DELETE SET NULL,
    -- the actor's address at the time (or "cli" for the command line)
    actor_email text NOT NULL DEFAULT '',
    action      text NOT NULL,
    subject     text NOT NULL DEFAULT '',
    request_id  text NOT NULL DEFAULT '',
    data        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_action ON audit_log (action, at DESC);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at DESC);

-- Fixed-window rate-limit counters, shared by every instance. key is e.g.
-- "login:ip:203.0.113.7" or "login:acct:ann@example.com"; a window restarts
-- when the stored one is over. Old rows are pruned periodically.
CREATE UNLOGGED TABLE rate_limits (
    key          text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    hits         int NOT NULL
);

-- +goose Down
DROP TABLE rate_limits, audit_log, staff_invitations, api_tokens, account_tokens, users;
