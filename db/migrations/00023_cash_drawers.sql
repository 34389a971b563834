-- +goose Up
-- Cash-up: a drawer session per member of staff and till. Opened with a
-- float, closed with the cash counted; the counter's sales (payments) and
-- refunds made while it is open are attributed to it, so its expected cash
-- is the float plus cash sales minus cash refunds.
CREATE TABLE drawer_sessions (
    id             bigserial PRIMARY KEY,
    theatre_id     bigint NOT NULL REFERENCES theatres(id),
    till           text NOT NULL CHECK (till <> '' AND length(till) <= 40),
    staff_user_id  bigint NOT NULL REFERENCES users(id),
    float_cents    bigint NOT NULL CHECK (float_cents >= 0),
    opened_at      timestamptz NOT NULL,
    closed_at      timestamptz,
    closed_by      bigint REFERENCES users(id),
    -- Frozen at close: what the drawer should hold and what was counted.
    expected_cents bigint,
    counted_cents  bigint CHECK (counted_cents >= 0),
    note           text NOT NULL DEFAULT '',
    CHECK ((closed_at IS NULL) = (counted_cents IS NULL))
);
-- One open drawer per member of staff, and one per till of a theatre.
CREATE UNIQUE INDEX drawer_sessions_open_staff ON drawer_sessions (staff_user_id) WHERE closed_at IS NULL;
CREATE UNIQUE INDEX drawer_sessions_open_till ON drawer_sessions (theatre_id, lower(till)) WHERE closed_at IS NULL;
CREATE INDEX drawer_sessions_theatre ON drawer_sessions (theatre_id, opened_at DESC);

ALTER TABLE payments ADD COLUMN drawer_session_id bigint REFERENCES drawer_sessions(id);
CREATE INDEX payments_drawer ON payments (drawer_session_id) WHERE drawer_session_id IS NOT NULL;
-- A refund made at the counter: how it went back (cash from the drawer, or
-- to the card) and the drawer session it belongs to.
ALTER TABLE refunds ADD COLUMN tender text CHECK (tender IN ('cash', 'card'));
ALTER TABLE refunds ADD COLUMN drawer_session_id bigint REFERENCES drawer_sessions(id);
CREATE INDEX refunds_drawer ON refunds (drawer_session_id) WHERE drawer_session_id IS NOT NULL;

-- An optional phone number given at the counter (look-up by phone).
ALTER TABLE orders ADD COLUMN phone text NOT NULL DEFAULT '';
CREATE INDEX orders_phone ON orders (phone) WHERE phone <> '';

-- A counter sale form is submitted once: its key is claimed before the
-- order is placed, so a double submission makes one order.
CREATE TABLE counter_sale_keys (
    key           text PRIMARY KEY CHECK (length(key) BETWEEN 16 AND 64),
    staff_user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    order_code    text,
    created_at    timestamptz NOT NULL
);

-- +goose Down
DROP TABLE counter_sale_keys;
DROP INDEX orders_phone;
ALTER TABLE orders DROP COLUMN phone;
ALTER TABLE refunds DROP COLUMN drawer_session_id, DROP COLUMN tender;
ALTER TABLE payments DROP COLUMN drawer_session_id;
DROP TABLE drawer_sessions;
