-- +goose Up
-- The offline demo payment gateway's checkout sessions (development only;
-- Stripe keeps its own). In PostgreSQL, not in the process, so that several
-- instances share them and they survive a restart (a kill -9 during payment
-- left orders "expiring" for ever when they lived in memory).
CREATE TABLE demo_checkout_sessions (
    id              text PRIMARY KEY,
    idempotency_key text UNIQUE,
    payment_ref     text UNIQUE,
    state           jsonb NOT NULL,  -- payment.CheckoutState
    request         jsonb NOT NULL,  -- payment.CheckoutRequest
    expires_at      timestamptz NOT NULL,
    refunded_cents  bigint NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0),
    events          int NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL
);
CREATE INDEX demo_checkout_sessions_created ON demo_checkout_sessions (created_at);

-- +goose Down
DROP TABLE demo_checkout_sessions;
