-- +goose Up
-- A claim (hold or sale) must name a seat of the layout version its
-- showtime sells, and one that is for sale. The sales service checks it
-- against its cached layout; this is the guarantee when the layout changes
-- meanwhile (a new version saved, the show moved to another auditorium, a
-- seat blocked): the showtime row is read FOR KEY SHARE — the lock the
-- foreign key takes anyway — so a claim racing a layout change (which holds
-- the showtime FOR UPDATE) waits for it and then sees the new layout.
-- +goose StatementBegin
CREATE FUNCTION seat_claim_in_layout() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    layout bigint;
BEGIN
    SELECT st.layout_id INTO layout FROM showtimes st WHERE st.id = NEW.showtime_id FOR KEY SHARE;
    IF NOT EXISTS (SELECT 1 FROM seats s WHERE s.id = NEW.seat_id AND s.layout_id = layout AND s.kind <> 'blocked') THEN
        RAISE EXCEPTION 'seat % is not for sale in showtime %', NEW.seat_id, NEW.showtime_id
            USING ERRCODE = 'unique_violation'; -- answered like a seat someone else took (409)
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER seat_claims_in_layout BEFORE INSERT OR UPDATE OF seat_id, showtime_id ON seat_claims
    FOR EACH ROW EXECUTE FUNCTION seat_claim_in_layout();

-- +goose Down
DROP TRIGGER seat_claims_in_layout ON seat_claims;
DROP FUNCTION seat_claim_in_layout();
