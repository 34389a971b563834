-- +goose Up
-- Staff and managers belong to theatres: what they see and change is scoped
-- to them (admins: every theatre). A box-office account also has a home
-- theatre, the one its board opens on.
CREATE TABLE staff_theatres (
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    theatre_id bigint NOT NULL REFERENCES theatres(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, theatre_id)
);
CREATE INDEX staff_theatres_theatre ON staff_theatres (theatre_id);
-- Staff who existed before theatres were assigned keep seeing every theatre.
INSERT INTO staff_theatres (user_id, theatre_id)
SELECT u.id, t.id FROM users u CROSS JOIN theatres t WHERE u.role IN ('staff', 'manager');

ALTER TABLE users ADD COLUMN home_theatre_id bigint REFERENCES theatres(id) ON DELETE SET NULL;

-- A seat's pricing zone ('' : priced by its kind). Price cards price zones.
ALTER TABLE seats ADD COLUMN zone text NOT NULL DEFAULT '';

-- What reports need of every sale, recorded when it is made (so a later
-- change of tax rate or of the order's path doesn't rewrite history):
-- the tax on each line (ticket price and its booking fee), whether the price
-- included it (VAT) or it was added (sales tax), and the channel sold through.
ALTER TABLE order_items ADD COLUMN tax_cents bigint NOT NULL DEFAULT 0 CHECK (tax_cents >= 0);
ALTER TABLE orders ADD COLUMN tax_included boolean NOT NULL DEFAULT true;
ALTER TABLE orders ADD COLUMN channel text NOT NULL DEFAULT 'online'
    CHECK (channel IN ('online', 'counter', 'api'));

-- +goose Down
ALTER TABLE orders DROP COLUMN channel, DROP COLUMN tax_included;
ALTER TABLE order_items DROP COLUMN tax_cents;
ALTER TABLE seats DROP COLUMN zone;
ALTER TABLE users DROP COLUMN home_theatre_id;
DROP TABLE staff_theatres;
