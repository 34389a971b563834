-- +goose Up
-- Managers edit the catalogue: a movie's original title and distributor, and
-- archiving (an archived movie leaves the catalogue's lists; its page and past
-- orders stay). Uploaded posters live in the database, one row per size, so
-- every instance serves them; movies.poster / poster_card then hold their
-- content-addressed URLs (poster_card '' : the card shows movies.poster).
ALTER TABLE movies
    ADD COLUMN original_title text NOT NULL DEFAULT '',
    ADD COLUMN distributor    text NOT NULL DEFAULT '',
    ADD COLUMN archived_at    timestamptz,
    ADD COLUMN poster_card    text NOT NULL DEFAULT '';

CREATE TABLE movie_posters (
    movie_id     bigint NOT NULL REFERENCES movies(id) ON DELETE CASCADE,
    size         text NOT NULL CHECK (size IN ('card', 'detail')),
    digest       text NOT NULL, -- hex SHA-256 of data: the URL and the ETag
    content_type text NOT NULL,
    width        int NOT NULL CHECK (width > 0),
    height       int NOT NULL CHECK (height > 0),
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (movie_id, size)
);
CREATE INDEX movie_posters_digest ON movie_posters (digest);

-- +goose Down
DROP TABLE movie_posters;
ALTER TABLE movies
    DROP COLUMN poster_card,
    DROP COLUMN archived_at,
    DROP COLUMN distributor,
    DROP COLUMN original_title;
