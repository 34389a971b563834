package db

import (
	"context"
	"fmt"
	"time"

	"marquee/booking"
)

// showtimeInfoRow is one row of ShowtimeInfo's join.
type showtimeInfoRow struct {
	booking.Showtime
	MovieSlug      string `db:"movie_slug"`
	MovieTitle     string `db:"movie_title"`
	MovieRating    string `db:"movie_rating"`
	MovieRuntime   int    `db:"movie_runtime"`
	MoviePoster    string `db:"movie_poster"`
	TheatreSlug    string `db:"theatre_slug"`
	TheatreName    string `db:"theatre_name"`
	TheatreCity    string `db:"theatre_city"`
	TimeZone       string `db:"time_zone"`
	AuditoriumName string `db:"auditorium_name"`
	TheatreID      int64  `db:"theatre_id"`
	Capacity       int    `db:"capacity"`
	Rows           int    `db:"rows"`
	Cols           int    `db:"cols"`
}

const showtimeInfoSQL = `
	SELECT s.id, s.movie_id, s.auditorium_id, s.starts_at, s.ends_at, s.sales_close_at, s.counter_close_at,
	       s.status, s.price_card_id, s.format, s.layout_id, NOT s.published AS unpublished, s.sales_open_at,
	       s.version, s.language, s.audio_description, s.captions, s.event_label, s.subtitle_language,
	       m.slug AS movie_slug, m.title AS movie_title, m.rating AS movie_rating,
	       m.runtime_min AS movie_runtime, m.poster AS movie_poster,
	       t.id AS theatre_id, t.slug AS theatre_slug, t.name AS theatre_name, t.city AS theatre_city, t.time_zone,
	       a.name AS auditorium_name, a.capacity, a.rows, a.cols
	FROM showtimes s
	JOIN movies m ON m.id = s.movie_id
	JOIN auditoriums a ON a.id = s.auditorium_id
	JOIN theatres t ON t.id = a.theatre_id`

func (r showtimeInfoRow) info() booking.ShowtimeInfo {
	return booking.ShowtimeInfo{
		Showtime: r.Showtime,
		Movie:    booking.Movie{ID: r.MovieID, Slug: r.MovieSlug, Title: r.MovieTitle, Rating: r.MovieRating, RuntimeMin: r.MovieRuntime, Poster: r.MoviePoster},
		Theatre:  booking.Theatre{ID: r.TheatreID, Slug: r.TheatreSlug, Name: r.TheatreName, City: r.TheatreCity, TimeZone: r.TimeZone},
		Auditorium: booking.Auditorium{ID: r.AuditoriumID, TheatreID: r.TheatreID, Name: r.AuditoriumName,
			Rows: r.Rows, Cols: r.Cols, Capacity: r.Capacity},
	}
}

// ShowtimeInfo returns a showtime with its movie, theatre and auditorium.
func (db *DB) ShowtimeInfo(ctx context.Context, id int64) (booking.ShowtimeInfo, error) {
	var r showtimeInfoRow
	if err := db.get(ctx, &r, showtimeInfoSQL+` WHERE s.id = $1`, id); err != nil {
		return booking.ShowtimeInfo{}, fmt.Errorf("showtime %d: %w", id, err)
	}
	return r.info(), nil
}

// ShowtimeOfMovieAt finds the scheduled showtime of a movie starting at an
// instant (the API's {movieId, showtime} shape). When several theatres show
// the movie at that instant, the one with the lowest id is used.
func (db *DB) ShowtimeOfMovieAt(ctx context.Context, movieID int64, startsAt time.Time) (booking.ShowtimeInfo, error) {
	var r showtimeInfoRow
	err := db.get(ctx, &r, showtimeInfoSQL+`
		WHERE s.movie_id = $1 AND s.starts_at = $2 AND s.status = 'scheduled' AND s.published
		ORDER BY s.id LIMIT 1`, movieID, startsAt)
	if err != nil {
		return booking.ShowtimeInfo{}, fmt.Errorf("showtime of movie %d at %s: %w", movieID, startsAt.Format(time.RFC3339), err)
	}
	return r.info(), nil
}

// AuditoriumSeats returns the seats of an auditorium's current layout
// version (a showtime sells the version it pins: LayoutSeats).
func (db *DB) AuditoriumSeats(ctx context.Context, auditoriumID int64) ([]booking.Seat, error) {
	var seats []booking.Seat
	err := db.selectAll(ctx, &seats, `
		SELECT s.id, s.auditorium_id, s.row_label, s.number, s.x, s.y, s.kind, s.zone
		FROM seats s JOIN auditoriums a ON a.layout_id = s.layout_id
		WHERE a.id = $1
		ORDER BY s.y, s.x`, auditoriumID)
	if err != nil {
		return nil, fmt.Errorf("seats of auditorium %d: %w", auditoriumID, err)
	}
	return seats, nil
}

// LayoutSeats returns the seats of one layout version.
func (db *DB) LayoutSeats(ctx context.Context, layoutID int64) ([]booking.Seat, error) {
	var seats []booking.Seat
	err := db.selectAll(ctx, &seats, `
		SELECT id, auditorium_id, row_label, number, x, y, kind, zone
		FROM seats
		WHERE layout_id = $1
		ORDER BY y, x`, layoutID)
	if err != nil {
		return nil, fmt.Errorf("seats of layout %d: %w", layoutID, err)
	}
	return seats, nil
}

// PriceCard returns a price card with its ticket types (those with a price,
// in display order, retired ones included) and every price (each zone and
// day-part). A showtime sells by it resolved: booking.PriceCard.ForShowtime.
func (db *DB) PriceCard(ctx context.Context, id int64) (booking.PriceCard, error) {
	var h cardRow
	if err := db.get(ctx, &h, cardSQL+` WHERE id = $1`, id); err != nil {
		return booking.PriceCard{}, fmt.Errorf("price card %d: %w", id, err)
	}
	pc := h.card()
	if err := db.selectAll(ctx, &pc.Prices, `
		SELECT ticket_type, seat_kind, zone, day_part, amount_cents
		FROM price_card_prices
		WHERE price_card_id = $1
		ORDER BY ticket_type, day_part, zone, seat_kind`, id); err != nil {
		return pc, fmt.Errorf("prices of card %d: %w", id, err)
	}
	if err := db.selectAll(ctx, &pc.TicketTypes, ticketTypeSQL+`
		WHERE EXISTS (SELECT 1 FROM price_card_prices p WHERE p.price_card_id = $1 AND p.ticket_type = tt.code)
		ORDER BY sort, code`, id); err != nil {
		return pc, fmt.Errorf("ticket types of card %d: %w", id, err)
	}
	return pc, nil
}
