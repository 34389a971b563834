-- +goose Up
-- Orders: a cart's seats turned into a purchase waiting for payment, then paid.
-- user_id is null for guests.
CREATE TABLE orders (
    id                      bigserial PRIMARY KEY,
    code                    text NOT NULL UNIQUE,  -- public, random, unguessable
    user_id                 bigint REFERENCES users(id) ON DELETE SET NULL,
    email                   text NOT NULL DEFAULT '',
    showtime_id             bigint NOT NULL REFERENCES showtimes(id),
    status                  text NOT NULL DEFAULT 'pending_payment'
                            CHECK (status IN ('pending_payment', 'paid', 'partially_refunded',
                                              'cancelled', 'refunded', 'expired', 'failed')),
    subtotal_cents          bigint NOT NULL DEFAULT 0 CHECK (subtotal_cents >= 0),
    fee_cents               bigint NOT NULL DEFAULT 0 CHECK (fee_cents >= 0),
    total_cents             bigint NOT NULL DEFAULT 0 CHECK (total_cents >= 0),
    currency                text NOT NULL DEFAULT 'usd',
    hold_expires_at         timestamptz NOT NULL,
    created_at              timestamptz NOT NULL,
    paid_at                 timestamptz,
    cancelled_at            timestamptz,
    -- API clients may send an Idempotency-Key: the same key from the same user
    -- returns the same order. The fingerprint detects a key reused for another request.
    idempotency_key         text,
    idempotency_fingerprint text
);
CREATE UNIQUE INDEX orders_idempotency ON orders (user_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX orders_user ON orders (user_id, created_at DESC) WHERE user_id IS NOT NULL;
CREATE INDEX orders_pending_expiry ON orders (hold_expires_at) WHERE status = 'pending_payment';
CREATE INDEX orders_showtime ON orders (showtime_id);

CREATE TABLE order_items (
    order_id    bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    showtime_id bigint NOT NULL REFERENCES showtimes(id),
    seat_id     bigint NOT NULL REFERENCES seats(id),
    ticket_type text NOT NULL REFERENCES ticket_types(code),
    price_cents bigint NOT NULL CHECK (price_cents >= 0),
    status      text NOT NULL DEFAULT 'reserved'
                CHECK (status IN ('reserved', 'sold', 'released', 'cancelled')),
    PRIMARY KEY (order_id, seat_id)
);
CREATE INDEX order_items_showtime_seat ON order_items (showtime_id, seat_id);

ALTER TABLE seat_claims
    ADD CONSTRAINT seat_claims_order_fk FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE CASCADE;
CREATE INDEX seat_claims_order ON seat_claims (order_id) WHERE order_id IS NOT NULL;

-- Every change to seat claims tells every instance which showtimes changed
-- (payload: the showtime id), in the same transaction as the change. Statement
-- triggers with transition tables: one notification per showtime per statement,
-- none when a statement changed nothing (a refused hold).
-- +goose StatementBegin
CREATE FUNCTION seat_claims_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('marquee_seats', s::text) FROM (SELECT DISTINCT showtime_id AS s FROM changed) x;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER seat_claims_inserted AFTER INSERT ON seat_claims
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION seat_claims_notify();
CREATE TRIGGER seat_claims_updated AFTER UPDATE ON seat_claims
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION seat_claims_notify();
CREATE TRIGGER seat_claims_deleted AFTER DELETE ON seat_claims
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION seat_claims_notify();

-- +goose Down
DROP TRIGGER seat_claims_deleted ON seat_claims;
DROP TRIGGER seat_claims_updated ON seat_claims;
DROP TRIGGER seat_claims_inserted ON seat_claims;
DROP FUNCTION seat_claims_notify();
ALTER TABLE seat_claims DROP CONSTRAINT seat_claims_order_fk;
DROP INDEX seat_claims_order;
DROP TABLE order_items, orders;
