-- +goose Up
-- Money received for orders: hosted checkouts (Stripe, or the offline demo
-- gateway) and counter tenders (cash, card-present). A checkout row is
-- written before the provider is called ('creating'), so the idempotency key
-- and expiry sent to the provider are fixed and a retry sends the same ones.
CREATE TABLE payments (
    id                  bigserial PRIMARY KEY,
    order_id            bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    provider            text NOT NULL CHECK (provider IN ('stripe', 'demo', 'cash', 'card_present')),
    kind                text NOT NULL CHECK (kind IN ('checkout', 'counter')),
    status              text NOT NULL CHECK (status IN (
                            'creating',   -- row written, provider not yet answered
                            'open',       -- hosted page open for payment
                            'expiring',   -- our hold ran out: being expired at the provider
                            'expired',    -- closed without money
                            'processing', -- completed with an asynchronous method, money not yet settled
                            'failed',     -- the asynchronous payment failed, or the page could not be created
                            'succeeded',  -- money received
                            'refunded')), -- money received and all of it returned
    checkout_session_id text UNIQUE,
    checkout_url        text,
    checkout_expires_at timestamptz,
    idempotency_key     text UNIQUE,
    provider_ref        text,                 -- Stripe: the PaymentIntent id
    amount_cents        bigint NOT NULL CHECK (amount_cents >= 0),
    refunded_cents      bigint NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0),
    currency            text NOT NULL,
    tendered_cents      bigint CHECK (tendered_cents >= 0),  -- cash: what the customer handed over
    change_cents        bigint CHECK (change_cents >= 0),    -- cash: what was given back
    card_reference      text,                                -- card-present: the terminal's reference
    staff_user_id       bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CHECK ((kind = 'checkout') = (provider IN ('stripe', 'demo'))),
    CHECK (provider <> 'cash' OR (tendered_cents IS NOT NULL AND change_cents IS NOT NULL)),
    CHECK (provider <> 'card_present' OR card_reference IS NOT NULL)
);
CREATE UNIQUE INDEX payments_provider_ref ON payments (provider_ref) WHERE provider_ref IS NOT NULL;
-- At most one live hosted checkout per order: pressing "Pay" again reuses it.
CREATE UNIQUE INDEX payments_live_checkout ON payments (order_id)
    WHERE kind = 'checkout' AND status IN ('creating', 'open');
CREATE INDEX payments_order ON payments (order_id);
-- The expiry job: live checkouts whose order's hold may have run out.
CREATE INDEX payments_to_expire ON payments (updated_at) WHERE status IN ('creating', 'open', 'expiring');
-- Cash per shift (staff user and day).
CREATE INDEX payments_counter ON payments (created_at, staff_user_id) WHERE kind = 'counter';

-- Provider events (webhooks and the demo gateway's), stored by id: a
-- duplicate delivery finds its row and does nothing.
CREATE TABLE payment_events (
    id           bigserial PRIMARY KEY,
    provider     text NOT NULL,
    event_id     text NOT NULL UNIQUE,
    type         text NOT NULL,
    order_code   text,
    session_id   text,
    received_at  timestamptz NOT NULL,
    processed_at timestamptz
);

-- Money returned through the provider, one row per refund request. Keyed by
-- the caller's idempotency key (the cancellation flow passes its own refund's
-- key), so a retried call refunds once.
CREATE TABLE payment_refunds (
    id              bigserial PRIMARY KEY,
    order_id        bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    payment_id      bigint NOT NULL REFERENCES payments(id) ON DELETE CASCADE,
    amount_cents    bigint NOT NULL CHECK (amount_cents > 0),
    status          text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    reason          text NOT NULL,
    idempotency_key text NOT NULL UNIQUE,
    provider_ref    text UNIQUE,
    failure         text,
    notified_at     timestamptz,  -- late-payment refunds: when the customer was told
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX payment_refunds_order ON payment_refunds (order_id);
CREATE INDEX payment_refunds_pending ON payment_refunds (created_at) WHERE status = 'pending';

-- Leases for the payment jobs (reconciliation): whoever moves held_until
-- forward runs the job; the others skip it. Safe with several instances, and
-- no connection or transaction is held while the job calls the provider.
CREATE TABLE payment_leases (
    name       text PRIMARY KEY,
    held_until timestamptz NOT NULL
);

-- +goose Down
DROP TABLE payment_leases;
DROP TABLE payment_refunds;
DROP TABLE payment_events;
DROP TABLE payments;
