-- +goose Up
-- Staff and managers belong to theatres: what they see and change is scoped
-- to them (admins: every theatre). A box-office account also has a home
-- theatre, the one its board opens on.
CREATE TABLE staff_theatres (
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    theatre_id bigint NOT NULL REFERENCES theatres(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, theatre_id)
);
CREATE INDEX staff_theatres_theatre ON staff_theatres (theatre_id);
-- Staff who existed before theatres were assigned keep seeing every theatre.
INSERT INTO staff_theatres (user_id, theatre_id)
SELECT u.id, t.id FROM users u CROSS JOIN theatres t WHERE u.role IN ('staff', 'manager');

ALTER TABLE users ADD COLUMN home_theatre_id bigint REFERENCES theatres(id) ON DELETE SET NULL;

-- A seat's pricing zone ('' : priced by its kind). Price cards price zones.
ALTER TABLE seats ADD COLUMN zone text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE seats DROP COLUMN zone;
ALTER TABLE users DROP COLUMN home_theatre_id;
DROP TABLE staff_theatres;
