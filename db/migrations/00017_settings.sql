-- +goose Up
-- Business settings live in the database, edited by administrators
-- (/admin/settings, /admin/theatres): the cinema's in one row, each
-- theatre's on its row. Every change notifies 'marquee_settings', and every
-- instance reloads its snapshot from it.
CREATE TABLE cinema_settings (
    id                        boolean PRIMARY KEY DEFAULT true CHECK (id),
    hold_seconds              int    NOT NULL DEFAULT 600   CHECK (hold_seconds BETWEEN 60 AND 7200),
    max_seats                 int    NOT NULL DEFAULT 10    CHECK (max_seats BETWEEN 1 AND 50),
    booking_fee_cents         bigint NOT NULL DEFAULT 100   CHECK (booking_fee_cents BETWEEN 0 AND 100000),
    cancel_online             boolean NOT NULL DEFAULT true,
    cancel_cutoff_seconds     int    NOT NULL DEFAULT 7200  CHECK (cancel_cutoff_seconds BETWEEN 0 AND 2592000),
    cancel_fee_cents          bigint NOT NULL DEFAULT 0     CHECK (cancel_fee_cents BETWEEN 0 AND 100000),
    cancel_fee_percent        int    NOT NULL DEFAULT 0     CHECK (cancel_fee_percent BETWEEN 0 AND 100),
    cancel_refund_booking_fee boolean NOT NULL DEFAULT false,
    ticket_per_order          boolean NOT NULL DEFAULT false,
    reminder_seconds          int    NOT NULL DEFAULT 10800 CHECK (reminder_seconds BETWEEN 0 AND 604800), -- 0: none
    trailers_minutes          int    NOT NULL DEFAULT 20    CHECK (trailers_minutes BETWEEN 0 AND 60),
    cleaning_minutes          int    NOT NULL DEFAULT 20    CHECK (cleaning_minutes BETWEEN 0 AND 120),
    business_day_ends_hours   int    NOT NULL DEFAULT 6     CHECK (business_day_ends_hours BETWEEN 0 AND 12),
    film_week_starts          int    NOT NULL DEFAULT 5     CHECK (film_week_starts BETWEEN 0 AND 6), -- 0 Sunday … 6 Saturday
    updated_at                timestamptz NOT NULL DEFAULT now()
);
INSERT INTO cinema_settings DEFAULT VALUES;

-- A theatre's money, tax and receipts, and what it does differently from
-- the cinema (NULL: the cinema's value; cancel_override: its own policy).
-- tax_rate is in thousandths of a percent (20 % = 20000, 8.875 % = 8875).
ALTER TABLE theatres
    ADD COLUMN currency        text NOT NULL DEFAULT 'usd' CHECK (currency ~ '^[a-z]{3}$'),
    ADD COLUMN tax_model       text NOT NULL DEFAULT 'vat_included' CHECK (tax_model IN ('vat_included', 'sales_tax_added')),
    ADD COLUMN tax_rate        int  NOT NULL DEFAULT 20000 CHECK (tax_rate BETWEEN 0 AND 50000),
    ADD COLUMN seller_name     text NOT NULL DEFAULT '',
    ADD COLUMN seller_address  text NOT NULL DEFAULT '',
    ADD COLUMN tax_id          text NOT NULL DEFAULT '',
    ADD COLUMN hold_seconds      int    CHECK (hold_seconds BETWEEN 60 AND 7200),
    ADD COLUMN max_seats         int    CHECK (max_seats BETWEEN 1 AND 50),
    ADD COLUMN booking_fee_cents bigint CHECK (booking_fee_cents BETWEEN 0 AND 100000),
    ADD COLUMN cancel_override           boolean NOT NULL DEFAULT false,
    ADD COLUMN cancel_online             boolean NOT NULL DEFAULT true,
    ADD COLUMN cancel_cutoff_seconds     int     NOT NULL DEFAULT 7200 CHECK (cancel_cutoff_seconds BETWEEN 0 AND 2592000),
    ADD COLUMN cancel_fee_cents          bigint  NOT NULL DEFAULT 0 CHECK (cancel_fee_cents BETWEEN 0 AND 100000),
    ADD COLUMN cancel_fee_percent        int     NOT NULL DEFAULT 0 CHECK (cancel_fee_percent BETWEEN 0 AND 100),
    ADD COLUMN cancel_refund_booking_fee boolean NOT NULL DEFAULT false;
-- The United States has no VAT: theatres there get sales tax added, at a
-- rate an administrator sets (0 until then).
UPDATE theatres SET tax_model = 'sales_tax_added', tax_rate = 0 WHERE time_zone LIKE 'America/%';

-- The rate an order was taxed at (with orders.tax_included and
-- order_items.tax_cents, recorded when it is made). Orders from before were
-- priced with VAT included at the then default 20 %: record that, with each
-- line's tax part (ticket plus its share of the fee), half up.
-- order_items.tax_cents is the tax on the ticket, fee_tax_cents on its
-- share of the booking fee (the box office's figures are the tickets').
ALTER TABLE orders ADD COLUMN tax_rate int NOT NULL DEFAULT 0 CHECK (tax_rate BETWEEN 0 AND 100000);
ALTER TABLE order_items ADD COLUMN fee_tax_cents bigint NOT NULL DEFAULT 0 CHECK (fee_tax_cents >= 0);
UPDATE orders SET tax_rate = 20000 WHERE tax_included;
UPDATE order_items i
SET tax_cents = (i.price_cents * 20000 * 2 + 120000) / (2 * 120000),
    fee_tax_cents = ((i.price_cents + o.fee_cents / n.items) * 20000 * 2 + 120000) / (2 * 120000)
                  - (i.price_cents * 20000 * 2 + 120000) / (2 * 120000)
FROM orders o, (SELECT order_id, count(*) AS items FROM order_items GROUP BY order_id) n
WHERE o.id = i.order_id AND n.order_id = i.order_id AND o.tax_included AND i.tax_cents = 0;

-- +goose StatementBegin
CREATE FUNCTION settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('marquee_settings', '');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER cinema_settings_changed AFTER INSERT OR UPDATE OR DELETE ON cinema_settings
    FOR EACH STATEMENT EXECUTE FUNCTION settings_changed();
CREATE TRIGGER theatres_settings_changed AFTER INSERT OR UPDATE OR DELETE ON theatres
    FOR EACH STATEMENT EXECUTE FUNCTION settings_changed();

-- Staff invitations carry the theatres the new member of staff will belong to.
ALTER TABLE staff_invitations ADD COLUMN theatre_ids bigint[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE staff_invitations DROP COLUMN theatre_ids;
DROP TRIGGER theatres_settings_changed ON theatres;
DROP TRIGGER cinema_settings_changed ON cinema_settings;
DROP FUNCTION settings_changed();
ALTER TABLE orders DROP COLUMN tax_rate;
ALTER TABLE order_items DROP COLUMN fee_tax_cents;
ALTER TABLE theatres
    DROP COLUMN currency, DROP COLUMN tax_model, DROP COLUMN tax_rate,
    DROP COLUMN seller_name, DROP COLUMN seller_address, DROP COLUMN tax_id,
    DROP COLUMN hold_seconds, DROP COLUMN max_seats, DROP COLUMN booking_fee_cents,
    DROP COLUMN cancel_override, DROP COLUMN cancel_online, DROP COLUMN cancel_cutoff_seconds,
    DROP COLUMN cancel_fee_cents, DROP COLUMN cancel_fee_percent, DROP COLUMN cancel_refund_booking_fee;
DROP TABLE cinema_settings;
