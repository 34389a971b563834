-- +goose Up
-- After payment: check-in, cancellations and refunds, receipts, e-mails sent.
ALTER TABLE order_items
    ADD COLUMN checked_in_at timestamptz,
    ADD COLUMN cancelled_at  timestamptz;

ALTER TABLE orders
    ADD COLUMN refunded_cents       bigint NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0),
    ADD COLUMN receipt_number       bigint UNIQUE,
    ADD COLUMN receipt_issued_at    timestamptz,
    ADD COLUMN confirmation_sent_at timestamptz,
    ADD COLUMN reminder_sent_at     timestamptz;

-- Receipt numbers: gapless and assigned once per paid order. A one-row
-- counter (not a sequence, whose numbers are lost on rollback or on a
-- concurrent first view) incremented in the transaction that assigns it.
CREATE TABLE receipt_counter (
    id   boolean PRIMARY KEY DEFAULT true CHECK (id),
    last bigint NOT NULL
);
INSERT INTO receipt_counter (last) VALUES (999);

-- Paid orders still waiting for their confirmation e-mail / reminder (the mail jobs' queues).
CREATE INDEX orders_confirmation_due ON orders (paid_at)
    WHERE confirmation_sent_at IS NULL AND paid_at IS NOT NULL;
CREATE INDEX orders_reminder_due ON orders (showtime_id)
    WHERE reminder_sent_at IS NULL AND status IN ('paid', 'partially_refunded');

-- A refund: recorded (pending) in the same transaction that cancels the
-- seats, sent to the payment provider after commit, then marked with the
-- outcome. The idempotency key makes a retried call refund once.
CREATE TABLE refunds (
    id              bigserial PRIMARY KEY,
    order_id        bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    reason          text NOT NULL CHECK (reason IN ('customer', 'showtime_cancelled', 'staff')),
    seat_ids        bigint[] NOT NULL DEFAULT '{}',
    tickets_cents   bigint NOT NULL DEFAULT 0,
    fee_cents       bigint NOT NULL DEFAULT 0,  -- booking fee refunded
    charge_cents    bigint NOT NULL DEFAULT 0,  -- cancellation charge kept
    amount_cents    bigint NOT NULL CHECK (amount_cents >= 0),
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    idempotency_key text NOT NULL UNIQUE,
    provider_ref    text,
    failure         text,           -- what the provider said, for staff
    attempts        int NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    completed_at    timestamptz,
    mailed_at       timestamptz
);
CREATE INDEX refunds_order ON refunds (order_id);
CREATE INDEX refunds_pending ON refunds (created_at) WHERE status = 'pending';

-- Notices to customers about a showtime the cinema cancelled or moved: one
-- row per order and event, sent by the mail job (sent_at), so several instances send once.
CREATE TABLE showtime_notices (
    id          bigserial PRIMARY KEY,
    order_id    bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('cancelled', 'moved')),
    old_starts_at timestamptz,
    created_at  timestamptz NOT NULL,
    sent_at     timestamptz
);
CREATE INDEX showtime_notices_due ON showtime_notices (created_at) WHERE sent_at IS NULL;

-- +goose Down
DROP TABLE showtime_notices;
DROP TABLE refunds;
DROP TABLE receipt_counter;
DROP INDEX orders_confirmation_due;
DROP INDEX orders_reminder_due;
ALTER TABLE orders
    DROP COLUMN refunded_cents, DROP COLUMN receipt_number, DROP COLUMN receipt_issued_at,
    DROP COLUMN confirmation_sent_at, DROP COLUMN reminder_sent_at;
ALTER TABLE order_items DROP COLUMN checked_in_at, DROP COLUMN cancelled_at;
