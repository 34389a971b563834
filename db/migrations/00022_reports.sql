-- +goose Up
-- Reports (issue 14): sales and occupancy, distributor returns.
--
-- Summary tables kept by triggers in the same transaction as the sale, the
-- refund and the check-in, so a report over a year reads a few thousand
-- summary rows per theatre instead of every ticket, and can never disagree
-- with the rows it summarises. They are keyed by showtime (not by day): the
-- business day and the film week are computed at query time from the
-- showtime's start in its theatre's zone, so changing the report rules
-- (booking.ReportRules) rewrites nothing.

-- Per showtime, ticket type and channel: tickets sold (paid, later refunded
-- or not) and refunded, their prices and line tax, tickets admitted at the
-- door. Order-level money (booking fees, refunds from the ledger, cancellation
-- charges kept) sits on the rows with ticket_type = ''.
CREATE TABLE report_sales (
    showtime_id        bigint NOT NULL REFERENCES showtimes(id) ON DELETE CASCADE,
    ticket_type        text NOT NULL,
    channel            text NOT NULL,
    sold               bigint NOT NULL DEFAULT 0,
    sold_cents         bigint NOT NULL DEFAULT 0, -- what the customer paid for the tickets, tax included
    sold_tax_cents     bigint NOT NULL DEFAULT 0,
    refunded           bigint NOT NULL DEFAULT 0, -- of those, cancelled and refunded
    refunded_cents     bigint NOT NULL DEFAULT 0,
    refunded_tax_cents bigint NOT NULL DEFAULT 0,
    admitted           bigint NOT NULL DEFAULT 0, -- checked in at the door
    orders             bigint NOT NULL DEFAULT 0, -- paid orders (order-level rows)
    fee_cents          bigint NOT NULL DEFAULT 0, -- booking fees of paid orders
    refund_cents       bigint NOT NULL DEFAULT 0, -- money given back (succeeded refunds of the ledger)
    refund_fee_cents   bigint NOT NULL DEFAULT 0, -- of which booking fees
    charge_cents       bigint NOT NULL DEFAULT 0, -- cancellation charges kept
    -- Covering: a report reads a show's rows by an index-only scan, in
    -- showtime order, instead of a heap page per row (rows are written in
    -- the order tickets sell, scattered: 4–6× slower over a year).
    PRIMARY KEY (showtime_id, ticket_type, channel) INCLUDE (sold, sold_cents, sold_tax_cents, refunded, refunded_cents,
        refunded_tax_cents, admitted, orders, fee_cents, refund_cents, refund_fee_cents, charge_cents)
);

-- The same sums per showtime alone: what the reports by day, movie,
-- theatre, auditorium and showtime read (one row a show instead of one per
-- ticket type and channel: a year of a ten-screen cinema is 18,000 rows).
CREATE TABLE report_shows (
    showtime_id        bigint NOT NULL REFERENCES showtimes(id) ON DELETE CASCADE,
    sold               bigint NOT NULL DEFAULT 0,
    sold_cents         bigint NOT NULL DEFAULT 0,
    sold_tax_cents     bigint NOT NULL DEFAULT 0,
    refunded           bigint NOT NULL DEFAULT 0,
    refunded_cents     bigint NOT NULL DEFAULT 0,
    refunded_tax_cents bigint NOT NULL DEFAULT 0,
    admitted           bigint NOT NULL DEFAULT 0,
    orders             bigint NOT NULL DEFAULT 0,
    fee_cents          bigint NOT NULL DEFAULT 0,
    refund_cents       bigint NOT NULL DEFAULT 0,
    refund_fee_cents   bigint NOT NULL DEFAULT 0,
    charge_cents       bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (showtime_id) INCLUDE (sold, sold_cents, sold_tax_cents, refunded, refunded_cents, refunded_tax_cents, admitted, orders, fee_cents, refund_cents, refund_fee_cents, charge_cents)
);

-- Per showtime and tender (payments.provider): money taken and given back.
CREATE TABLE report_tenders (
    showtime_id    bigint NOT NULL REFERENCES showtimes(id) ON DELETE CASCADE,
    provider       text NOT NULL,
    payments       bigint NOT NULL DEFAULT 0,
    taken_cents    bigint NOT NULL DEFAULT 0,
    refunded_cents bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (showtime_id, provider) INCLUDE (payments, taken_cents, refunded_cents)
);

-- Reports pick showtimes by start (cancelled ones too: their refunds count).
CREATE INDEX showtimes_starts_all ON showtimes (starts_at) INCLUDE (auditorium_id, movie_id, status);

-- A closed film week's figures change only when its tickets are cancelled
-- afterwards: the distributor return finds those weeks through this index.
CREATE INDEX order_items_cancelled ON order_items (cancelled_at) INCLUDE (showtime_id) WHERE cancelled_at IS NOT NULL;

-- A change to a summary row, as the triggers compute it.
CREATE TYPE report_sales_delta AS (
    showtime_id bigint, ticket_type text, channel text,
    sold bigint, sold_cents bigint, sold_tax_cents bigint,
    refunded bigint, refunded_cents bigint, refunded_tax_cents bigint, admitted bigint,
    orders bigint, fee_cents bigint, refund_cents bigint, refund_fee_cents bigint, charge_cents bigint
);

-- +goose StatementBegin
-- Adds deltas to report_sales and report_shows, one upsert per key in key order (concurrent
-- sales of one showtime lock its rows in the same order: no deadlock).
-- plpgsql, not sql: its plan is cached per connection (a SQL function's
-- statement is planned again at every call, 40 times slower per trigger).
CREATE FUNCTION report_sales_apply(ds report_sales_delta[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_sales AS r (showtime_id, ticket_type, channel, sold, sold_cents, sold_tax_cents,
        refunded, refunded_cents, refunded_tax_cents, admitted, orders, fee_cents, refund_cents, refund_fee_cents, charge_cents)
    SELECT d.showtime_id, d.ticket_type, d.channel, sum(d.sold), sum(d.sold_cents), sum(d.sold_tax_cents),
           sum(d.refunded), sum(d.refunded_cents), sum(d.refunded_tax_cents), sum(d.admitted), sum(d.orders),
           sum(d.fee_cents), sum(d.refund_cents), sum(d.refund_fee_cents), sum(d.charge_cents)
    FROM unnest(ds) d
    GROUP BY d.showtime_id, d.ticket_type, d.channel
    HAVING sum(abs(d.sold)) + sum(abs(d.sold_cents)) + sum(abs(d.sold_tax_cents)) + sum(abs(d.refunded))
         + sum(abs(d.refunded_cents)) + sum(abs(d.refunded_tax_cents)) + sum(abs(d.admitted)) + sum(abs(d.orders))
         + sum(abs(d.fee_cents)) + sum(abs(d.refund_cents)) + sum(abs(d.refund_fee_cents)) + sum(abs(d.charge_cents)) <> 0
    ORDER BY 1, 2, 3
    ON CONFLICT (showtime_id, ticket_type, channel) DO UPDATE SET
        sold = r.sold + EXCLUDED.sold, sold_cents = r.sold_cents + EXCLUDED.sold_cents,
        sold_tax_cents = r.sold_tax_cents + EXCLUDED.sold_tax_cents,
        refunded = r.refunded + EXCLUDED.refunded, refunded_cents = r.refunded_cents + EXCLUDED.refunded_cents,
        refunded_tax_cents = r.refunded_tax_cents + EXCLUDED.refunded_tax_cents,
        admitted = r.admitted + EXCLUDED.admitted, orders = r.orders + EXCLUDED.orders,
        fee_cents = r.fee_cents + EXCLUDED.fee_cents, refund_cents = r.refund_cents + EXCLUDED.refund_cents,
        refund_fee_cents = r.refund_fee_cents + EXCLUDED.refund_fee_cents, charge_cents = r.charge_cents + EXCLUDED.charge_cents;
    INSERT INTO report_shows AS r (showtime_id, sold, sold_cents, sold_tax_cents, refunded, refunded_cents, refunded_tax_cents, admitted, orders, fee_cents, refund_cents, refund_fee_cents, charge_cents)
    SELECT d.showtime_id, sum(d.sold), sum(d.sold_cents), sum(d.sold_tax_cents), sum(d.refunded), sum(d.refunded_cents), sum(d.refunded_tax_cents), sum(d.admitted), sum(d.orders), sum(d.fee_cents), sum(d.refund_cents), sum(d.refund_fee_cents), sum(d.charge_cents)
    FROM unnest(ds) d
    GROUP BY d.showtime_id
    HAVING sum(abs(d.sold)) + sum(abs(d.sold_cents)) + sum(abs(d.sold_tax_cents)) + sum(abs(d.refunded)) + sum(abs(d.refunded_cents)) + sum(abs(d.refunded_tax_cents)) + sum(abs(d.admitted)) + sum(abs(d.orders)) + sum(abs(d.fee_cents)) + sum(abs(d.refund_cents)) + sum(abs(d.refund_fee_cents)) + sum(abs(d.charge_cents)) <> 0
    ORDER BY 1
    ON CONFLICT (showtime_id) DO UPDATE SET sold = r.sold + EXCLUDED.sold, sold_cents = r.sold_cents + EXCLUDED.sold_cents, sold_tax_cents = r.sold_tax_cents + EXCLUDED.sold_tax_cents, refunded = r.refunded + EXCLUDED.refunded, refunded_cents = r.refunded_cents + EXCLUDED.refunded_cents, refunded_tax_cents = r.refunded_tax_cents + EXCLUDED.refunded_tax_cents, admitted = r.admitted + EXCLUDED.admitted, orders = r.orders + EXCLUDED.orders, fee_cents = r.fee_cents + EXCLUDED.fee_cents, refund_cents = r.refund_cents + EXCLUDED.refund_cents, refund_fee_cents = r.refund_fee_cents + EXCLUDED.refund_fee_cents, charge_cents = r.charge_cents + EXCLUDED.charge_cents;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- What one order item contributes to report_sales (sign +1 for the new row,
-- -1 for the old one). A ticket counts as sold once paid (sold, or cancelled
-- after payment); its gross is the price plus the tax when the tax was added
-- on top of the price (orders.tax_included false).
CREATE FUNCTION report_item_delta(sign int, showtime_id bigint, ticket_type text, channel text, tax_included boolean,
                                  status text, price bigint, tax bigint, checked_in timestamptz)
RETURNS report_sales_delta LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(showtime_id, ticket_type, channel,
        sign * (status IN ('sold', 'cancelled'))::int,
        sign * CASE WHEN status IN ('sold', 'cancelled') THEN price + CASE WHEN tax_included THEN 0 ELSE tax END ELSE 0 END,
        sign * CASE WHEN status IN ('sold', 'cancelled') THEN tax ELSE 0 END,
        sign * (status = 'cancelled')::int,
        sign * CASE WHEN status = 'cancelled' THEN price + CASE WHEN tax_included THEN 0 ELSE tax END ELSE 0 END,
        sign * CASE WHEN status = 'cancelled' THEN tax ELSE 0 END,
        sign * (status = 'sold' AND checked_in IS NOT NULL)::int,
        0, 0, 0, 0, 0)::report_sales_delta
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- order_items → report_sales, once per statement (transition tables).
CREATE FUNCTION report_items_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM report_sales_apply(ARRAY(
            SELECT report_item_delta(1, n.showtime_id, n.ticket_type, o.channel, o.tax_included, n.status, n.price_cents, n.tax_cents, n.checked_in_at)
            FROM new_items n JOIN orders o ON o.id = n.order_id
            WHERE n.status IN ('sold', 'cancelled')));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM report_sales_apply(ARRAY(
            SELECT report_item_delta(-1, d.showtime_id, d.ticket_type, o.channel, o.tax_included, d.status, d.price_cents, d.tax_cents, d.checked_in_at)
            FROM old_items d JOIN orders o ON o.id = d.order_id
            WHERE d.status IN ('sold', 'cancelled')));
    ELSE
        PERFORM report_sales_apply(ARRAY(
            SELECT x.d FROM (
                SELECT report_item_delta(1, n.showtime_id, n.ticket_type, o.channel, o.tax_included, n.status, n.price_cents, n.tax_cents, n.checked_in_at) AS d
                FROM new_items n JOIN orders o ON o.id = n.order_id
                WHERE n.status IN ('sold', 'cancelled')
                UNION ALL
                SELECT report_item_delta(-1, d.showtime_id, d.ticket_type, o.channel, o.tax_included, d.status, d.price_cents, d.tax_cents, d.checked_in_at)
                FROM old_items d JOIN orders o ON o.id = d.order_id
                WHERE d.status IN ('sold', 'cancelled')) x));
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER report_items_inserted AFTER INSERT ON order_items
    REFERENCING NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION report_items_changed();
CREATE TRIGGER report_items_updated AFTER UPDATE ON order_items
    REFERENCING OLD TABLE AS old_items NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION report_items_changed();
CREATE TRIGGER report_items_deleted AFTER DELETE ON order_items
    REFERENCING OLD TABLE AS old_items FOR EACH STATEMENT EXECUTE FUNCTION report_items_changed();

-- +goose StatementBegin
-- orders → report_sales: a paid order's booking fee (paid_at set once paid).
CREATE FUNCTION report_order_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.paid_at IS NOT NULL THEN
        PERFORM report_sales_apply(ARRAY[ROW(OLD.showtime_id, '', OLD.channel, 0, 0, 0, 0, 0, 0, 0,
            -1, -OLD.fee_cents, 0, 0, 0)::report_sales_delta]);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.paid_at IS NOT NULL THEN
        PERFORM report_sales_apply(ARRAY[ROW(NEW.showtime_id, '', NEW.channel, 0, 0, 0, 0, 0, 0, 0,
            1, NEW.fee_cents, 0, 0, 0)::report_sales_delta]);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER report_order_inserted AFTER INSERT ON orders
    FOR EACH ROW WHEN (NEW.paid_at IS NOT NULL) EXECUTE FUNCTION report_order_changed();
CREATE TRIGGER report_order_updated AFTER UPDATE OF paid_at, fee_cents, channel, showtime_id ON orders
    FOR EACH ROW WHEN (OLD.paid_at IS DISTINCT FROM NEW.paid_at OR OLD.fee_cents <> NEW.fee_cents
                       OR OLD.channel <> NEW.channel OR OLD.showtime_id <> NEW.showtime_id)
    EXECUTE FUNCTION report_order_changed();
CREATE TRIGGER report_order_deleted AFTER DELETE ON orders
    FOR EACH ROW WHEN (OLD.paid_at IS NOT NULL) EXECUTE FUNCTION report_order_changed();

-- +goose StatementBegin
-- refunds → report_sales: money given back once the refund succeeded, for
-- refunds that count on their order (not money returned whole: late,
-- duplicate or mismatched payments, which the order never took).
CREATE FUNCTION report_refund_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    st bigint;
    ch text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'succeeded'
       AND OLD.reason NOT IN ('late_payment', 'duplicate_payment', 'mismatched_payment') THEN
        SELECT showtime_id, channel INTO st, ch FROM orders WHERE id = OLD.order_id;
        IF FOUND THEN
            PERFORM report_sales_apply(ARRAY[ROW(st, '', ch, 0, 0, 0, 0, 0, 0, 0,
                0, 0, -OLD.amount_cents, -OLD.fee_cents, -OLD.charge_cents)::report_sales_delta]);
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = 'succeeded'
       AND NEW.reason NOT IN ('late_payment', 'duplicate_payment', 'mismatched_payment') THEN
        SELECT showtime_id, channel INTO st, ch FROM orders WHERE id = NEW.order_id;
        PERFORM report_sales_apply(ARRAY[ROW(st, '', ch, 0, 0, 0, 0, 0, 0, 0,
            0, 0, NEW.amount_cents, NEW.fee_cents, NEW.charge_cents)::report_sales_delta]);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER report_refund_inserted AFTER INSERT ON refunds
    FOR EACH ROW WHEN (NEW.status = 'succeeded') EXECUTE FUNCTION report_refund_changed();
CREATE TRIGGER report_refund_updated AFTER UPDATE OF status, amount_cents, fee_cents, charge_cents, reason ON refunds
    FOR EACH ROW WHEN (OLD.status = 'succeeded' OR NEW.status = 'succeeded') EXECUTE FUNCTION report_refund_changed();
CREATE TRIGGER report_refund_deleted AFTER DELETE ON refunds
    FOR EACH ROW WHEN (OLD.status = 'succeeded') EXECUTE FUNCTION report_refund_changed();

-- +goose StatementBegin
-- payments → report_tenders: money taken (succeeded, or since refunded) and
-- given back, per tender.
CREATE FUNCTION report_payment_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    st bigint;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('succeeded', 'refunded') THEN
        SELECT showtime_id INTO st FROM orders WHERE id = OLD.order_id;
        IF FOUND THEN
            INSERT INTO report_tenders AS r (showtime_id, provider, payments, taken_cents, refunded_cents)
            VALUES (st, OLD.provider, -1, -OLD.amount_cents, -OLD.refunded_cents)
            ON CONFLICT (showtime_id, provider) DO UPDATE SET payments = r.payments + EXCLUDED.payments,
                taken_cents = r.taken_cents + EXCLUDED.taken_cents, refunded_cents = r.refunded_cents + EXCLUDED.refunded_cents;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status IN ('succeeded', 'refunded') THEN
        SELECT showtime_id INTO st FROM orders WHERE id = NEW.order_id;
        INSERT INTO report_tenders AS r (showtime_id, provider, payments, taken_cents, refunded_cents)
        VALUES (st, NEW.provider, 1, NEW.amount_cents, NEW.refunded_cents)
        ON CONFLICT (showtime_id, provider) DO UPDATE SET payments = r.payments + EXCLUDED.payments,
            taken_cents = r.taken_cents + EXCLUDED.taken_cents, refunded_cents = r.refunded_cents + EXCLUDED.refunded_cents;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER report_payment_inserted AFTER INSERT ON payments
    FOR EACH ROW WHEN (NEW.status IN ('succeeded', 'refunded')) EXECUTE FUNCTION report_payment_changed();
CREATE TRIGGER report_payment_updated AFTER UPDATE OF status, amount_cents, refunded_cents, provider ON payments
    FOR EACH ROW WHEN (OLD.status IN ('succeeded', 'refunded') OR NEW.status IN ('succeeded', 'refunded'))
    EXECUTE FUNCTION report_payment_changed();
CREATE TRIGGER report_payment_deleted AFTER DELETE ON payments
    FOR EACH ROW WHEN (OLD.status IN ('succeeded', 'refunded')) EXECUTE FUNCTION report_payment_changed();

-- +goose StatementBegin
-- Rebuilds both summary tables from the rows they summarise (this
-- migration, after bulk loads with the triggers off, and the check that
-- they agree: TestReportSummariesMatchRows).
CREATE FUNCTION report_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM report_sales;
    DELETE FROM report_shows;
    DELETE FROM report_tenders;
    INSERT INTO report_sales (showtime_id, ticket_type, channel, sold, sold_cents, sold_tax_cents,
        refunded, refunded_cents, refunded_tax_cents, admitted, orders, fee_cents, refund_cents, refund_fee_cents, charge_cents)
    SELECT d.showtime_id, d.ticket_type, d.channel, sum(d.sold), sum(d.sold_cents), sum(d.sold_tax_cents),
           sum(d.refunded), sum(d.refunded_cents), sum(d.refunded_tax_cents), sum(d.admitted), sum(d.orders),
           sum(d.fee_cents), sum(d.refund_cents), sum(d.refund_fee_cents), sum(d.charge_cents)
    FROM (
        SELECT x.* FROM order_items i JOIN orders o ON o.id = i.order_id
        CROSS JOIN LATERAL report_item_delta(1, i.showtime_id, i.ticket_type, o.channel, o.tax_included, i.status,
                                             i.price_cents, i.tax_cents, i.checked_in_at) x
        WHERE i.status IN ('sold', 'cancelled')
        UNION ALL
        SELECT o.showtime_id, '', o.channel, 0, 0, 0, 0, 0, 0, 0, 1, o.fee_cents, 0, 0, 0
        FROM orders o WHERE o.paid_at IS NOT NULL
        UNION ALL
        SELECT o.showtime_id, '', o.channel, 0, 0, 0, 0, 0, 0, 0, 0, 0, r.amount_cents, r.fee_cents, r.charge_cents
        FROM refunds r JOIN orders o ON o.id = r.order_id
        WHERE r.status = 'succeeded' AND r.reason NOT IN ('late_payment', 'duplicate_payment', 'mismatched_payment')
    ) d
    GROUP BY d.showtime_id, d.ticket_type, d.channel;
    INSERT INTO report_shows (showtime_id, sold, sold_cents, sold_tax_cents, refunded, refunded_cents, refunded_tax_cents, admitted, orders, fee_cents, refund_cents, refund_fee_cents, charge_cents)
    SELECT showtime_id, sum(sold), sum(sold_cents), sum(sold_tax_cents), sum(refunded), sum(refunded_cents), sum(refunded_tax_cents), sum(admitted), sum(orders), sum(fee_cents), sum(refund_cents), sum(refund_fee_cents), sum(charge_cents)
    FROM report_sales GROUP BY showtime_id;
    INSERT INTO report_tenders (showtime_id, provider, payments, taken_cents, refunded_cents)
    SELECT o.showtime_id, p.provider, count(*), sum(p.amount_cents), sum(p.refunded_cents)
    FROM payments p JOIN orders o ON o.id = p.order_id
    WHERE p.status IN ('succeeded', 'refunded')
    GROUP BY 1, 2;
END;
$$;
-- +goose StatementEnd

SELECT report_rebuild();

-- Film hire: what a film's distributor takes of the net box office (after
-- tax) of one film week at one theatre: a percentage (basis points: 3500 =
-- 35 %) with an optional minimum guarantee, entered by the manager.
CREATE TABLE film_hire_terms (
    movie_id      bigint NOT NULL REFERENCES movies(id) ON DELETE CASCADE,
    theatre_id    bigint NOT NULL REFERENCES theatres(id) ON DELETE CASCADE,
    week_start    date NOT NULL,
    rate_bp       int NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000),
    minimum_cents bigint NOT NULL DEFAULT 0 CHECK (minimum_cents >= 0),
    updated_at    timestamptz NOT NULL,
    updated_by    bigint REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (theatre_id, week_start, movie_id)
);

-- A closed film week of a theatre: its return is frozen (the lines below)
-- and re-running it gives the same figures; later changes to its sales
-- (refunds) show as adjustments in the next return that is still open.
CREATE TABLE distributor_weeks (
    theatre_id bigint NOT NULL REFERENCES theatres(id) ON DELETE CASCADE,
    week_start date NOT NULL,
    closed_at  timestamptz NOT NULL,
    closed_by  bigint REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (theatre_id, week_start)
);

-- The frozen lines of a closed return: its own week's (for_week =
-- week_start) and the adjustments it carried for earlier closed weeks.
CREATE TABLE distributor_lines (
    theatre_id  bigint NOT NULL,
    week_start  date NOT NULL,
    movie_id    bigint NOT NULL REFERENCES movies(id) ON DELETE CASCADE,
    for_week    date NOT NULL,
    ticket_type text NOT NULL,
    admissions  bigint NOT NULL,
    gross_cents bigint NOT NULL,
    tax_cents   bigint NOT NULL,
    PRIMARY KEY (theatre_id, week_start, movie_id, for_week, ticket_type),
    FOREIGN KEY (theatre_id, week_start) REFERENCES distributor_weeks (theatre_id, week_start) ON DELETE CASCADE
);

-- The frozen film hire of each film of a closed return (and of each
-- adjustment), with the terms it was computed at.
CREATE TABLE distributor_films (
    theatre_id    bigint NOT NULL,
    week_start    date NOT NULL,
    movie_id      bigint NOT NULL REFERENCES movies(id) ON DELETE CASCADE,
    for_week      date NOT NULL,
    title         text NOT NULL,
    rate_bp       int,    -- NULL: no terms were entered
    minimum_cents bigint NOT NULL DEFAULT 0,
    hire_cents    bigint NOT NULL,
    PRIMARY KEY (theatre_id, week_start, movie_id, for_week),
    FOREIGN KEY (theatre_id, week_start) REFERENCES distributor_weeks (theatre_id, week_start) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE distributor_films, distributor_lines, distributor_weeks, film_hire_terms;
DROP TRIGGER report_payment_inserted ON payments;
DROP TRIGGER report_payment_updated ON payments;
DROP TRIGGER report_payment_deleted ON payments;
DROP TRIGGER report_refund_inserted ON refunds;
DROP TRIGGER report_refund_updated ON refunds;
DROP TRIGGER report_refund_deleted ON refunds;
DROP TRIGGER report_order_inserted ON orders;
DROP TRIGGER report_order_updated ON orders;
DROP TRIGGER report_order_deleted ON orders;
DROP TRIGGER report_items_inserted ON order_items;
DROP TRIGGER report_items_updated ON order_items;
DROP TRIGGER report_items_deleted ON order_items;
DROP FUNCTION report_rebuild();
DROP FUNCTION report_payment_changed();
DROP FUNCTION report_refund_changed();
DROP FUNCTION report_order_changed();
DROP FUNCTION report_items_changed();
DROP FUNCTION report_item_delta(int, bigint, text, text, boolean, text, bigint, bigint, timestamptz);
DROP FUNCTION report_sales_apply(report_sales_delta[]);
DROP TYPE report_sales_delta;
DROP INDEX showtimes_starts_all;
DROP INDEX order_items_cancelled;
DROP TABLE report_tenders, report_shows, report_sales;
