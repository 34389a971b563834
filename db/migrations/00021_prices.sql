-- +goose Up
-- Ticket types: a proof asked for at the door (shown at checkout, on the
-- ticket and in the door's answer), the oldest age a type is for (the rating
-- rule: a child ticket for ages up to 11 isn't sold for a film rated 15 or
-- 18), and retirement (a type in use by orders is retired, never deleted).
ALTER TABLE ticket_types
    ADD COLUMN proof_required boolean NOT NULL DEFAULT false,
    ADD COLUMN proof_note     text NOT NULL DEFAULT '',
    ADD COLUMN max_age        int CHECK (max_age BETWEEN 0 AND 120),
    ADD COLUMN retired_at     timestamptz;

-- Price cards: a theatre's own (NULL: shared by every theatre, edited by
-- administrators), the format it is meant for ('' any; 'IMAX': the card new
-- IMAX showtimes get), and its day-parts: shows on weekend days are
-- 'weekend', others starting before matinee_ends (minutes after local
-- midnight) 'matinee', the rest 'evening'.
ALTER TABLE price_cards
    ADD COLUMN theatre_id   bigint REFERENCES theatres(id),
    ADD COLUMN format       text NOT NULL DEFAULT '',
    ADD COLUMN matinee_ends int NOT NULL DEFAULT 1020 CHECK (matinee_ends BETWEEN 0 AND 1440),
    ADD COLUMN weekend_days int[] NOT NULL DEFAULT '{0,6}' CHECK (weekend_days <@ '{0,1,2,3,4,5,6}'),
    ADD COLUMN updated_at   timestamptz NOT NULL DEFAULT now();
ALTER TABLE price_cards DROP CONSTRAINT price_cards_name_key;
CREATE UNIQUE INDEX price_cards_theatre_name ON price_cards (coalesce(theatre_id, 0), lower(name));
CREATE INDEX price_cards_theatre ON price_cards (theatre_id);

-- A price is for a seat kind or for a zone (seats.zone), all day ('') or
-- one day-part. booking.PriceCard.Price resolves: zone before kind, the
-- day-part's price before the all-day one.
ALTER TABLE price_card_prices DROP CONSTRAINT price_card_prices_pkey;
ALTER TABLE price_card_prices DROP CONSTRAINT price_card_prices_seat_kind_check;
ALTER TABLE price_card_prices
    ADD COLUMN zone     text NOT NULL DEFAULT '',
    ADD COLUMN day_part text NOT NULL DEFAULT '' CHECK (day_part IN ('', 'matinee', 'evening', 'weekend')),
    ADD CONSTRAINT price_card_prices_class CHECK (CASE WHEN zone = ''
        THEN seat_kind IN ('standard', 'premium', 'wheelchair', 'companion')
        ELSE seat_kind = '' END),
    ADD PRIMARY KEY (price_card_id, ticket_type, seat_kind, zone, day_part);

-- Seat maps and price legends are cached per instance: ticket types and
-- cards change the catalogue too (price_card_prices already does).
CREATE TRIGGER ticket_types_changed AFTER INSERT OR UPDATE OR DELETE ON ticket_types
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();
CREATE TRIGGER price_cards_changed AFTER INSERT OR UPDATE OR DELETE ON price_cards
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();

-- +goose Down
DROP TRIGGER price_cards_changed ON price_cards;
DROP TRIGGER ticket_types_changed ON ticket_types;
DELETE FROM price_card_prices WHERE zone <> '' OR day_part <> '';
ALTER TABLE price_card_prices DROP CONSTRAINT price_card_prices_pkey;
ALTER TABLE price_card_prices DROP CONSTRAINT price_card_prices_class;
ALTER TABLE price_card_prices DROP COLUMN day_part, DROP COLUMN zone;
ALTER TABLE price_card_prices ADD CONSTRAINT price_card_prices_seat_kind_check
    CHECK (seat_kind IN ('standard', 'premium', 'wheelchair', 'companion'));
ALTER TABLE price_card_prices ADD PRIMARY KEY (price_card_id, ticket_type, seat_kind);
DROP INDEX price_cards_theatre;
DROP INDEX price_cards_theatre_name;
-- Names were unique per theatre: make them unique again before the old constraint.
UPDATE price_cards p SET name = p.name || ' #' || p.id
WHERE EXISTS (SELECT 1 FROM price_cards q WHERE lower(q.name) = lower(p.name) AND q.id < p.id);
ALTER TABLE price_cards ADD CONSTRAINT price_cards_name_key UNIQUE (name);
ALTER TABLE price_cards DROP COLUMN updated_at, DROP COLUMN weekend_days, DROP COLUMN matinee_ends,
    DROP COLUMN format, DROP COLUMN theatre_id;
ALTER TABLE ticket_types DROP COLUMN retired_at, DROP COLUMN max_age, DROP COLUMN proof_note,
    DROP COLUMN proof_required;
