package db

import (
	"context"
	"fmt"

	"marquee/booking"
)

// Theatres returns every theatre, ordered by name.
func (db *DB) Theatres(ctx context.Context) ([]booking.Theatre, error) {
	var ts []booking.Theatre
	err := db.selectAll(ctx, &ts, `
		SELECT id, slug, name, city, address, time_zone
		FROM theatres
		ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("theatres: %w", err)
	}
	return ts, nil
}

// TheatreByID returns one theatre, ENOTFOUND when there is none.
func (db *DB) TheatreByID(ctx context.Context, id int64) (booking.Theatre, error) {
	var t booking.Theatre
	err := db.get(ctx, &t, `
		SELECT id, slug, name, city, address, time_zone
		FROM theatres
		WHERE id = $1`, id)
	if err != nil {
		return booking.Theatre{}, fmt.Errorf("theatre %d: %w", id, err)
	}
	return t, nil
}
