-- +goose Up
-- One row per (showtime, seat) that is not free: a hold for a cart (expires_at
-- set) or a sale (order_id set, expires_at NULL). The primary key is what
-- guarantees a seat is never sold twice; an expired hold is reclaimable by the
-- same single INSERT … ON CONFLICT … DO UPDATE … WHERE expires_at <= now.
CREATE TABLE seat_claims (
    showtime_id bigint NOT NULL REFERENCES showtimes(id) ON DELETE CASCADE,
    seat_id     bigint NOT NULL REFERENCES seats(id),
    cart_id     text,
    order_id    bigint,
    ticket_type text NOT NULL DEFAULT 'adult',
    expires_at  timestamptz,
    claimed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (showtime_id, seat_id),
    CHECK (cart_id IS NOT NULL OR order_id IS NOT NULL)
);
CREATE INDEX seat_claims_cart ON seat_claims (cart_id) WHERE cart_id IS NOT NULL;
CREATE INDEX seat_claims_expires ON seat_claims (expires_at) WHERE expires_at IS NOT NULL;

-- +goose Down
DROP TABLE seat_claims;
