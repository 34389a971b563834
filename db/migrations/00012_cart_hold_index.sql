-- +goose Up
-- A cart's holds are always looked up per showtime (the seat count and timer
-- of a click, releasing a cart, checkout). Keyed by (showtime, cart) the
-- lookup is a plain index scan of a few entries, which also marks the entries
-- of released holds dead as it passes them: under a booking rush the table
-- churns thousands of holds a second and, between two autovacuum runs, the
-- old cart_id-only index made every click re-read the cart's whole history
-- (a bitmap scan never marks anything dead).
DROP INDEX seat_claims_cart;
CREATE INDEX seat_claims_cart ON seat_claims (showtime_id, cart_id) WHERE order_id IS NULL;

-- +goose Down
DROP INDEX seat_claims_cart;
CREATE INDEX seat_claims_cart ON seat_claims (cart_id) WHERE cart_id IS NOT NULL;
