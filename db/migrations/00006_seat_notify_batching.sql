-- +goose Up
-- NOTIFY serialises committing transactions on a global lock (held through the
-- commit's WAL flush), so one notification per seat click caps holds at a few
-- hundred per second. The application's hot paths (hold and release one seat)
-- therefore set marquee.seat_notify = 'off' for their own transaction and
-- notify in batches instead (one pg_notify per changed showtime every few
-- milliseconds, handlers/seatcache.go). Every other writer — the sweeper,
-- orders, payments, cancellations, psql — still notifies through this trigger.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION seat_claims_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('marquee.seat_notify', true) = 'off' THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('marquee_seats', s::text) FROM (SELECT DISTINCT showtime_id AS s FROM changed) x;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION seat_claims_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('marquee_seats', s::text) FROM (SELECT DISTINCT showtime_id AS s FROM changed) x;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
