-- +goose Up
-- Managers run the programme: a showtime is published (customers and the API
-- see it) or a draft that only staff see; online sales may open later than
-- the showtime is scheduled; and a showtime says how it is shown — its
-- format (2D, 3D, IMAX… is the existing column), language version, access
-- for people with sight or hearing loss, and a special event label.
ALTER TABLE showtimes
    ADD COLUMN published         boolean NOT NULL DEFAULT true,
    ADD COLUMN sales_open_at     timestamptz,              -- NULL: on sale as soon as published
    ADD COLUMN version           text NOT NULL DEFAULT 'original'
                                 CHECK (version IN ('original', 'dubbed', 'subtitled')),
    ADD COLUMN language          text NOT NULL DEFAULT '', -- of the soundtrack (dubbed) or the subtitles (subtitled)
    ADD COLUMN audio_description boolean NOT NULL DEFAULT false,
    ADD COLUMN captions          boolean NOT NULL DEFAULT false, -- subtitles for the deaf and hard of hearing
    ADD COLUMN event_label       text NOT NULL DEFAULT '',
    ADD CONSTRAINT showtimes_sales_window CHECK (sales_open_at IS NULL OR sales_open_at < sales_close_at),
    ADD CONSTRAINT showtimes_counter_after_online CHECK (counter_close_at >= sales_close_at);

-- The manager's programme: an auditorium's (a theatre's) shows by start.
CREATE INDEX showtimes_auditorium_starts ON showtimes (auditorium_id, starts_at);

-- +goose Down
DROP INDEX showtimes_auditorium_starts;
ALTER TABLE showtimes
    DROP CONSTRAINT showtimes_counter_after_online,
    DROP CONSTRAINT showtimes_sales_window,
    DROP COLUMN event_label, DROP COLUMN captions, DROP COLUMN audio_description,
    DROP COLUMN language, DROP COLUMN version, DROP COLUMN sales_open_at, DROP COLUMN published;
