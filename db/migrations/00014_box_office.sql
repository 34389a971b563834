-- +goose Up
-- The box office: who admitted a ticket at the door (checked_in_at exists
-- since the after-sale migration), and order look-up by e-mail.
ALTER TABLE order_items ADD COLUMN checked_in_by bigint REFERENCES users(id) ON DELETE SET NULL;
CREATE INDEX orders_email_lower ON orders (lower(email));

-- +goose Down
DROP INDEX orders_email_lower;
ALTER TABLE order_items DROP COLUMN checked_in_by;
