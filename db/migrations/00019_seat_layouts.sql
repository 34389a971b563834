-- +goose Up
-- Seat layouts are versioned. Seat rows are referenced by seat claims and
-- order items, so a seat that was ever sold is never deleted or moved: a
-- change that would do so makes a new version of the layout (new seat rows)
-- instead, and only the coming showtimes without sales move to it. Every
-- showtime pins the layout version it sells (showtimes.layout_id); an
-- auditorium's layout_id is its current version, the one new showtimes get.
CREATE TABLE seat_layouts (
    id            bigserial PRIMARY KEY,
    auditorium_id bigint NOT NULL,
    version       int NOT NULL CHECK (version > 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (auditorium_id, version),
    UNIQUE (auditorium_id, id),
    -- deferred: an auditorium and its first layout are inserted together (trigger below)
    FOREIGN KEY (auditorium_id) REFERENCES auditoriums(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);
INSERT INTO seat_layouts (auditorium_id, version) SELECT id, 1 FROM auditoriums ORDER BY id;

ALTER TABLE auditoriums ADD COLUMN layout_id bigint;
UPDATE auditoriums a SET layout_id = l.id FROM seat_layouts l WHERE l.auditorium_id = a.id;
ALTER TABLE auditoriums ALTER COLUMN layout_id SET NOT NULL,
    ADD CONSTRAINT auditoriums_layout FOREIGN KEY (id, layout_id)
        REFERENCES seat_layouts (auditorium_id, id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE seats ADD COLUMN layout_id bigint;
UPDATE seats s SET layout_id = a.layout_id FROM auditoriums a WHERE a.id = s.auditorium_id;
ALTER TABLE seats ALTER COLUMN layout_id SET NOT NULL,
    ADD CONSTRAINT seats_layout FOREIGN KEY (auditorium_id, layout_id)
        REFERENCES seat_layouts (auditorium_id, id) ON DELETE CASCADE,
    DROP CONSTRAINT seats_auditorium_id_row_label_number_key,
    DROP CONSTRAINT seats_auditorium_id_x_y_key,
    -- deferred: a layout saved in place may swap two seats' places in one transaction
    ADD CONSTRAINT seats_layout_label UNIQUE (layout_id, row_label, number) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT seats_layout_place UNIQUE (layout_id, x, y) DEFERRABLE INITIALLY DEFERRED,
    DROP CONSTRAINT seats_kind_check,
    ADD CONSTRAINT seats_kind_check
        CHECK (kind IN ('standard', 'premium', 'wheelchair', 'companion', 'blocked'));
CREATE INDEX seats_auditorium ON seats (auditorium_id);

ALTER TABLE showtimes ADD COLUMN layout_id bigint;
UPDATE showtimes s SET layout_id = a.layout_id FROM auditoriums a WHERE a.id = s.auditorium_id;
ALTER TABLE showtimes ALTER COLUMN layout_id SET NOT NULL,
    ADD CONSTRAINT showtimes_layout FOREIGN KEY (auditorium_id, layout_id)
        REFERENCES seat_layouts (auditorium_id, id);
CREATE INDEX showtimes_layout ON showtimes (layout_id, starts_at);

-- Defaults, so code that inserts auditoriums, seats and showtimes without
-- naming a layout keeps working: a new auditorium gets its version 1; a seat
-- or showtime inserted without a layout gets its auditorium's current one; a
-- showtime moved to another auditorium takes that auditorium's current one.
-- +goose StatementBegin
CREATE FUNCTION auditorium_first_layout() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.layout_id IS NULL THEN
        INSERT INTO seat_layouts (auditorium_id, version) VALUES (NEW.id, 1) RETURNING id INTO NEW.layout_id;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER auditoriums_first_layout BEFORE INSERT ON auditoriums
    FOR EACH ROW EXECUTE FUNCTION auditorium_first_layout();

-- +goose StatementBegin
CREATE FUNCTION current_layout_default() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.layout_id IS NULL
       OR (TG_OP = 'UPDATE' AND NEW.auditorium_id <> OLD.auditorium_id AND NEW.layout_id = OLD.layout_id) THEN
        SELECT layout_id INTO NEW.layout_id FROM auditoriums WHERE id = NEW.auditorium_id;
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER seats_current_layout BEFORE INSERT ON seats
    FOR EACH ROW EXECUTE FUNCTION current_layout_default();
CREATE TRIGGER showtimes_current_layout BEFORE INSERT OR UPDATE OF auditorium_id, layout_id ON showtimes
    FOR EACH ROW EXECUTE FUNCTION current_layout_default();

-- +goose Down
DROP TRIGGER showtimes_current_layout ON showtimes;
DROP TRIGGER seats_current_layout ON seats;
DROP TRIGGER auditoriums_first_layout ON auditoriums;
DROP FUNCTION current_layout_default();
DROP FUNCTION auditorium_first_layout();
-- Down keeps each auditorium's current version only: the seats of older
-- versions have no place in the unversioned schema. Holds on them go; a seat
-- of an older version that was sold can't go, and Down refuses.
DELETE FROM seat_claims c USING seats s, auditoriums a
    WHERE s.id = c.seat_id AND a.id = s.auditorium_id AND s.layout_id <> a.layout_id AND c.order_id IS NULL;
DELETE FROM seats s USING auditoriums a
    WHERE a.id = s.auditorium_id AND s.layout_id <> a.layout_id
      AND NOT EXISTS (SELECT 1 FROM order_items i WHERE i.seat_id = s.id)
      AND NOT EXISTS (SELECT 1 FROM seat_claims c WHERE c.seat_id = s.id);
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM seats s JOIN auditoriums a ON a.id = s.auditorium_id WHERE s.layout_id <> a.layout_id) THEN
        RAISE EXCEPTION 'seats of older layout versions were sold: they cannot be merged into one layout per auditorium';
    END IF;
END;
$$;
-- +goose StatementEnd
UPDATE seats SET kind = 'standard' WHERE kind = 'blocked';
ALTER TABLE showtimes DROP COLUMN layout_id;
ALTER TABLE seats DROP CONSTRAINT seats_kind_check,
    ADD CONSTRAINT seats_kind_check CHECK (kind IN ('standard', 'premium', 'wheelchair', 'companion')),
    DROP CONSTRAINT seats_layout_label, DROP CONSTRAINT seats_layout_place,
    DROP COLUMN layout_id;
DROP INDEX seats_auditorium;
ALTER TABLE seats ADD CONSTRAINT seats_auditorium_id_row_label_number_key UNIQUE (auditorium_id, row_label, number),
    ADD CONSTRAINT seats_auditorium_id_x_y_key UNIQUE (auditorium_id, x, y);
ALTER TABLE auditoriums DROP COLUMN layout_id;
DROP TABLE seat_layouts;
