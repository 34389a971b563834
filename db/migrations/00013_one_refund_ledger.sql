-- +goose Up
-- One refund ledger. Until now one movement of money had two rows: the
-- after-sale refund (refunds) and the gateway's (payment_refunds, same
-- idempotency key). From here every refund — customer cancellation, cancelled
-- showtime, staff, late or duplicate payment — is one row of refunds, with
-- one status (booking.RefundTransition) and one "the customer was told" mark.
ALTER TABLE refunds
    DROP CONSTRAINT refunds_reason_check,
    ADD COLUMN payment_id bigint REFERENCES payments(id) ON DELETE CASCADE, -- set when the payment service picks the payment
    ADD COLUMN updated_at timestamptz;
ALTER TABLE refunds RENAME COLUMN mailed_at TO told_at; -- told, or nothing (more) to tell

-- What was settled before today was told when it settled, or was never to
-- be told (a cancelled show's notice said it; a refused late refund):
-- nothing left to tell. Pending refunds are told when they settle.
UPDATE refunds SET told_at = coalesce(completed_at, created_at) WHERE told_at IS NULL AND status <> 'pending';
UPDATE payment_refunds SET notified_at = updated_at WHERE notified_at IS NULL AND status <> 'pending';

-- Gateway rows of an after-sale refund (same key): one row with both halves.
-- Where the gateway knew the outcome and the after-sale row did not, the
-- outcome is taken, the order's refunded_cents counts the money, and the
-- customer, not told yet, is told by the after-sale job.
WITH pair AS (
    SELECT r.id, r.status AS old_status, pr.payment_id, pr.status, pr.provider_ref, pr.failure,
           pr.updated_at, r.order_id, r.amount_cents
    FROM refunds r JOIN payment_refunds pr ON pr.idempotency_key = r.idempotency_key
), upd AS (
    UPDATE refunds r
    SET payment_id   = pair.payment_id,
        status       = CASE WHEN r.status = 'pending' THEN pair.status ELSE r.status END,
        provider_ref = coalesce(r.provider_ref, pair.provider_ref),
        failure      = coalesce(r.failure, pair.failure),
        completed_at = CASE WHEN r.completed_at IS NULL AND pair.status <> 'pending' THEN pair.updated_at ELSE r.completed_at END,
        updated_at   = GREATEST(pair.updated_at, coalesce(r.completed_at, r.created_at))
    FROM pair WHERE r.id = pair.id
)
UPDATE orders o SET refunded_cents = o.refunded_cents + s.amount
FROM (SELECT order_id, sum(amount_cents) AS amount FROM pair
      WHERE old_status = 'pending' AND status = 'succeeded' GROUP BY order_id) s
WHERE o.id = s.order_id;

-- Gateway-only rows (late and duplicate payments, refunds asked of the
-- payment service directly): new ledger rows.
INSERT INTO refunds (order_id, payment_id, reason, amount_cents, status, idempotency_key, provider_ref, failure,
                     created_at, completed_at, updated_at, told_at)
SELECT pr.order_id, pr.payment_id, pr.reason, pr.amount_cents, pr.status, pr.idempotency_key, pr.provider_ref, pr.failure,
       pr.created_at, CASE WHEN pr.status <> 'pending' THEN pr.updated_at END, pr.updated_at, pr.notified_at
FROM payment_refunds pr
WHERE NOT EXISTS (SELECT 1 FROM refunds r WHERE r.idempotency_key = pr.idempotency_key)
ORDER BY pr.id;

-- New rows must name a known reason; rows carried over (from either old
-- table, whose gateway half had no check) keep theirs: NOT VALID, added
-- after the copy.
ALTER TABLE refunds ADD CONSTRAINT refunds_reason_check
    CHECK (reason IN ('customer', 'showtime_cancelled', 'staff', 'late_payment', 'duplicate_payment')) NOT VALID;

UPDATE refunds SET updated_at = coalesce(completed_at, created_at) WHERE updated_at IS NULL;
ALTER TABLE refunds ALTER COLUMN updated_at SET NOT NULL;

CREATE INDEX refunds_payment ON refunds (payment_id) WHERE payment_id IS NOT NULL;
-- The after-sale job's queue: settled refunds whose customer was not told yet.
CREATE INDEX refunds_untold ON refunds (id) WHERE told_at IS NULL AND status <> 'pending';

DROP TABLE payment_refunds;

-- +goose Down
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
    notified_at     timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX payment_refunds_order ON payment_refunds (order_id);
CREATE INDEX payment_refunds_pending ON payment_refunds (created_at) WHERE status = 'pending';

-- Every refund sent through a payment gets its gateway row back.
INSERT INTO payment_refunds (order_id, payment_id, amount_cents, status, reason, idempotency_key, provider_ref, failure,
                             notified_at, created_at, updated_at)
SELECT order_id, payment_id, amount_cents, status, reason, idempotency_key, provider_ref, failure,
       CASE WHEN reason IN ('late_payment', 'duplicate_payment') THEN told_at END, created_at, updated_at
FROM refunds WHERE payment_id IS NOT NULL AND amount_cents > 0
ORDER BY id;
-- Rows the old after-sale table can't hold live on in payment_refunds only.
DELETE FROM refunds WHERE reason NOT IN ('customer', 'showtime_cancelled', 'staff');

DROP INDEX refunds_untold;
DROP INDEX refunds_payment;
ALTER TABLE refunds DROP CONSTRAINT refunds_reason_check;
ALTER TABLE refunds ADD CONSTRAINT refunds_reason_check CHECK (reason IN ('customer', 'showtime_cancelled', 'staff'));
ALTER TABLE refunds RENAME COLUMN told_at TO mailed_at;
ALTER TABLE refunds DROP COLUMN updated_at, DROP COLUMN payment_id;
