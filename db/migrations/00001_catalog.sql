-- +goose Up
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE theatres (
    id         bigserial PRIMARY KEY,
    slug       text NOT NULL UNIQUE,
    name       text NOT NULL,
    city       text NOT NULL DEFAULT '',
    address    text NOT NULL DEFAULT '',
    time_zone  text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE auditoriums (
    id         bigserial PRIMARY KEY,
    theatre_id bigint NOT NULL REFERENCES theatres(id) ON DELETE CASCADE,
    name       text NOT NULL,
    rows       int NOT NULL CHECK (rows > 0),
    cols       int NOT NULL CHECK (cols > 0),
    capacity   int NOT NULL DEFAULT 0,
    UNIQUE (theatre_id, name)
);

CREATE TABLE seats (
    id            bigserial PRIMARY KEY,
    auditorium_id bigint NOT NULL REFERENCES auditoriums(id) ON DELETE CASCADE,
    row_label     text NOT NULL,
    number        int NOT NULL CHECK (number > 0),
    x             int NOT NULL,
    y             int NOT NULL,
    kind          text NOT NULL DEFAULT 'standard'
                  CHECK (kind IN ('standard', 'premium', 'wheelchair', 'companion')),
    UNIQUE (auditorium_id, row_label, number),
    UNIQUE (auditorium_id, x, y)
);

CREATE TABLE movies (
    id           bigserial PRIMARY KEY,
    slug         text NOT NULL UNIQUE,
    title        text NOT NULL,
    genres       text[] NOT NULL DEFAULT '{}',
    director     text NOT NULL DEFAULT '',
    cast_members text[] NOT NULL DEFAULT '{}',
    runtime_min  int NOT NULL CHECK (runtime_min > 0),
    rating       text NOT NULL DEFAULT '',
    synopsis     text NOT NULL DEFAULT '',
    poster       text NOT NULL DEFAULT '',
    trailer_url  text NOT NULL DEFAULT '',
    release_date date NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX movies_title_lower ON movies (lower(title));
CREATE INDEX movies_genres ON movies USING gin (genres);

CREATE TABLE ticket_types (
    code text PRIMARY KEY,
    name text NOT NULL,
    sort int NOT NULL DEFAULT 0
);

CREATE TABLE price_cards (
    id       bigserial PRIMARY KEY,
    name     text NOT NULL UNIQUE,
    currency text NOT NULL DEFAULT 'usd'
);

CREATE TABLE price_card_prices (
    price_card_id bigint NOT NULL REFERENCES price_cards(id) ON DELETE CASCADE,
    ticket_type   text NOT NULL REFERENCES ticket_types(code),
    seat_kind     text NOT NULL CHECK (seat_kind IN ('standard', 'premium', 'wheelchair', 'companion')),
    amount_cents  bigint NOT NULL CHECK (amount_cents >= 0),
    PRIMARY KEY (price_card_id, ticket_type, seat_kind)
);

CREATE TABLE showtimes (
    id               bigserial PRIMARY KEY,
    movie_id         bigint NOT NULL REFERENCES movies(id),
    auditorium_id    bigint NOT NULL REFERENCES auditoriums(id),
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz NOT NULL,
    -- when the auditorium is clean and free again (ends_at + cleaning buffer)
    ready_at         timestamptz NOT NULL,
    sales_close_at   timestamptz NOT NULL,
    counter_close_at timestamptz NOT NULL,
    status           text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    price_card_id    bigint NOT NULL REFERENCES price_cards(id),
    format           text NOT NULL DEFAULT '2D',
    CHECK (ends_at > starts_at),
    CHECK (ready_at >= ends_at),
    -- No two live showtimes overlap in one auditorium, cleaning time included.
    EXCLUDE USING gist (
        auditorium_id WITH =,
        tstzrange(starts_at, ready_at) WITH &&
    ) WHERE (status = 'scheduled')
);
CREATE INDEX showtimes_starts_at ON showtimes (starts_at) WHERE status = 'scheduled';
CREATE INDEX showtimes_movie_starts ON showtimes (movie_id, starts_at);

-- Every change to the programme bumps a version and notifies every instance,
-- so per-instance caches of the catalogue are dropped everywhere at once.
CREATE TABLE catalog_version (
    id      boolean PRIMARY KEY DEFAULT true CHECK (id),
    version bigint NOT NULL DEFAULT 1
);
INSERT INTO catalog_version DEFAULT VALUES;

-- +goose StatementBegin
CREATE FUNCTION catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_version SET version = version + 1;
    PERFORM pg_notify('marquee_catalog', '');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER movies_changed AFTER INSERT OR UPDATE OR DELETE ON movies
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();
CREATE TRIGGER showtimes_changed AFTER INSERT OR UPDATE OR DELETE ON showtimes
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();
CREATE TRIGGER theatres_changed AFTER INSERT OR UPDATE OR DELETE ON theatres
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();
CREATE TRIGGER auditoriums_changed AFTER INSERT OR UPDATE OR DELETE ON auditoriums
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();
CREATE TRIGGER seats_changed AFTER INSERT OR UPDATE OR DELETE ON seats
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();
CREATE TRIGGER prices_changed AFTER INSERT OR UPDATE OR DELETE ON price_card_prices
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed();

-- +goose Down
DROP TABLE catalog_version, showtimes, price_card_prices, price_cards, ticket_types,
    movies, seats, auditoriums, theatres CASCADE;
DROP FUNCTION catalog_changed();
