-- +goose Up
-- The language of a showtime's subtitles (BCP 47, e.g. 'en', 'es'; '' = none),
-- shown on its page and given to search engines (schema.org subtitleLanguage).
ALTER TABLE showtimes ADD COLUMN subtitle_language text NOT NULL DEFAULT ''
    CHECK (subtitle_language ~ '^([a-z]{2,3}(-[A-Za-z0-9]{2,8})*)?$');

-- +goose Down
ALTER TABLE showtimes DROP COLUMN subtitle_language;
