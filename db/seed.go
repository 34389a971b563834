package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/booking"
)

// ErrNotEmpty is returned by SeedCatalog when the database already has a programme.
var ErrNotEmpty = errors.New("the database already has a programme")

// Catalog is a whole programme to load at once (the demo data). Rows refer to
// each other by natural keys (theatre slug, auditorium name, movie slug, price
// card name) so that every table is one bulk insert.
type Catalog struct {
	TicketTypes []booking.TicketType
	PriceCards  []PriceCard
	Theatres    []booking.Theatre
	Auditoriums []SeedAuditorium
	Movies      []booking.Movie
	Showtimes   []SeedShowtime
}

// PriceCard is a named set of prices, shared by every theatre.
type PriceCard struct {
	Name     string
	Currency string
	Format   string // the format it is meant for ("IMAX"), "" any
	Prices   []booking.Price
}

// SeedAuditorium is an auditorium with its seats, in a theatre named by slug.
type SeedAuditorium struct {
	TheatreSlug string
	Name        string
	Rows, Cols  int
	Seats       []booking.Seat
}

// SeedShowtime is a showtime naming its movie, auditorium and price card.
type SeedShowtime struct {
	MovieSlug      string
	TheatreSlug    string
	Auditorium     string
	PriceCard      string
	StartsAt       time.Time
	EndsAt         time.Time
	ReadyAt        time.Time
	SalesCloseAt   time.Time
	CounterCloseAt time.Time
	Format         string
}

// SeedCatalog loads c in one transaction, unless the database already has
// theatres or movies (ErrNotEmpty). Instances starting together are
// serialised by an advisory lock, so exactly one of them seeds.
func (db *DB) SeedCatalog(ctx context.Context, c Catalog) error {
	return db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7274001)`); err != nil {
			return fmt.Errorf("seed lock: %w", err)
		}
		var empty bool
		err := tx.GetContext(ctx, &empty, `
			SELECT NOT EXISTS (SELECT 1 FROM theatres) AND NOT EXISTS (SELECT 1 FROM movies)`)
		if err != nil {
			return fmt.Errorf("seed: check empty: %w", err)
		}
		if !empty {
			return ErrNotEmpty
		}
		steps := []struct {
			name string
			fn   func(context.Context, *sqlx.Tx, Catalog) error
		}{
			{"ticket types", seedTicketTypes},
			{"price cards", seedPriceCards},
			{"theatres", seedTheatres},
			{"auditoriums", seedAuditoriums},
			{"seats", seedSeats},
			{"movies", seedMovies},
			{"showtimes", seedShowtimes},
		}
		for _, s := range steps {
			if err := s.fn(ctx, tx, c); err != nil {
				return fmt.Errorf("seed %s: %w", s.name, err)
			}
		}
		return nil
	})
}

// IsEmpty reports whether the database has no programme yet.
func (db *DB) IsEmpty(ctx context.Context) (bool, error) {
	var empty bool
	err := db.get(ctx, &empty, `
		SELECT NOT EXISTS (SELECT 1 FROM theatres) AND NOT EXISTS (SELECT 1 FROM movies)`)
	if err != nil {
		return false, fmt.Errorf("check empty: %w", err)
	}
	return empty, nil
}

func seedTicketTypes(ctx context.Context, tx *sqlx.Tx, c Catalog) error {
	var codes, names, notes []string
	var sorts, maxAges []int64
	var proofs []bool
	for _, t := range c.TicketTypes {
		codes = append(codes, t.Code)
		names = append(names, t.Name)
		sorts = append(sorts, int64(t.Sort))
		proofs = append(proofs, t.ProofRequired)
		notes = append(notes, t.ProofNote)
		age := int64(-1) // none
		if t.MaxAge != nil {
			age = int64(*t.MaxAge)
		}
		maxAges = append(maxAges, age)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO ticket_types (code, name, sort, proof_required, proof_note, max_age)
		SELECT u.code, u.name, u.sort, u.proof, u.note, nullif(u.max_age, -1)
		FROM unnest($1::text[], $2::text[], $3::int[], $4::boolean[], $5::text[], $6::int[])
		     AS u(code, name, sort, proof, note, max_age)`,
		pq.Array(codes), pq.Array(names), pq.Array(sorts), pq.Array(proofs), pq.Array(notes), pq.Array(maxAges))
	return err
}

func seedPriceCards(ctx context.Context, tx *sqlx.Tx, c Catalog) error {
	var names, currencies, formats, cards, types, kinds, zones, parts []string
	var amounts []int64
	for _, pc := range c.PriceCards {
		names = append(names, pc.Name)
		currencies = append(currencies, pc.Currency)
		formats = append(formats, pc.Format)
		for _, p := range pc.Prices {
			cards = append(cards, pc.Name)
			types = append(types, p.TicketType)
			kinds = append(kinds, p.SeatKind)
			zones = append(zones, p.Zone)
			parts = append(parts, p.DayPart)
			amounts = append(amounts, p.AmountCents)
		}
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO price_cards (name, currency, format)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
		pq.Array(names), pq.Array(currencies), pq.Array(formats)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO price_card_prices (price_card_id, ticket_type, seat_kind, zone, day_part, amount_cents)
		SELECT pc.id, u.ticket_type, u.seat_kind, u.zone, u.day_part, u.amount_cents
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
		     AS u(card, ticket_type, seat_kind, zone, day_part, amount_cents)
		JOIN price_cards pc ON pc.name = u.card`,
		pq.Array(cards), pq.Array(types), pq.Array(kinds), pq.Array(zones), pq.Array(parts), pq.Array(amounts))
	return err
}

func seedTheatres(ctx context.Context, tx *sqlx.Tx, c Catalog) error {
	var slugs, names, cities, addrs, zones []string
	for _, t := range c.Theatres {
		slugs = append(slugs, t.Slug)
		names = append(names, t.Name)
		cities = append(cities, t.City)
		addrs = append(addrs, t.Address)
		zones = append(zones, t.TimeZone)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO theatres (slug, name, city, address, time_zone)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])`,
		pq.Array(slugs), pq.Array(names), pq.Array(cities), pq.Array(addrs), pq.Array(zones))
	return err
}

func seedAuditoriums(ctx context.Context, tx *sqlx.Tx, c Catalog) error {
	var theatres, names []string
	var rows, cols, caps []int64
	for _, a := range c.Auditoriums {
		theatres = append(theatres, a.TheatreSlug)
		names = append(names, a.Name)
		rows = append(rows, int64(a.Rows))
		cols = append(cols, int64(a.Cols))
		caps = append(caps, int64(len(a.Seats)))
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO auditoriums (theatre_id, name, rows, cols, capacity)
		SELECT t.id, u.name, u.rows, u.cols, u.capacity
		FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[])
		     AS u(theatre, name, rows, cols, capacity)
		JOIN theatres t ON t.slug = u.theatre`,
		pq.Array(theatres), pq.Array(names), pq.Array(rows), pq.Array(cols), pq.Array(caps))
	return err
}

func seedSeats(ctx context.Context, tx *sqlx.Tx, c Catalog) error {
	var theatres, auds, rowLabels, kinds []string
	var numbers, xs, ys []int64
	for _, a := range c.Auditoriums {
		for _, s := range a.Seats {
			theatres = append(theatres, a.TheatreSlug)
			auds = append(auds, a.Name)
			rowLabels = append(rowLabels, s.Row)
			numbers = append(numbers, int64(s.Number))
			xs = append(xs, int64(s.X))
			ys = append(ys, int64(s.Y))
			kinds = append(kinds, s.Kind)
		}
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO seats (auditorium_id, row_label, number, x, y, kind)
		SELECT a.id, u.row_label, u.number, u.x, u.y, u.kind
		FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::text[])
		     AS u(theatre, auditorium, row_label, number, x, y, kind)
		JOIN theatres t ON t.slug = u.theatre
		JOIN auditoriums a ON a.theatre_id = t.id AND a.name = u.auditorium`,
		pq.Array(theatres), pq.Array(auds), pq.Array(rowLabels), pq.Array(numbers),
		pq.Array(xs), pq.Array(ys), pq.Array(kinds))
	return err
}

// arraySep joins list values (genres, cast) for transport in one text[] element;
// no demo value contains it.
const arraySep = "|"

func seedMovies(ctx context.Context, tx *sqlx.Tx, c Catalog) error {
	var slugs, titles, genres, directors, casts, ratings, synopses, posters, trailers, releases []string
	var runtimes []int64
	for _, m := range c.Movies {
		slugs = append(slugs, m.Slug)
		titles = append(titles, m.Title)
		genres = append(genres, strings.Join(m.Genres, arraySep))
		directors = append(directors, m.Director)
		casts = append(casts, strings.Join(m.Cast, arraySep))
		runtimes = append(runtimes, int64(m.RuntimeMin))
		ratings = append(ratings, m.Rating)
		synopses = append(synopses, m.Synopsis)
		posters = append(posters, m.Poster)
		trailers = append(trailers, m.TrailerURL)
		releases = append(releases, m.ReleaseDate.Format(booking.DateLayout))
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO movies (slug, title, genres, director, cast_members, runtime_min, rating,
		                    synopsis, poster, trailer_url, release_date)
		SELECT u.slug, u.title, string_to_array(u.genres, '`+arraySep+`'), u.director,
		       string_to_array(u.casts, '`+arraySep+`'), u.runtime, u.rating, u.synopsis,
		       u.poster, u.trailer, u.release::date
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
		            $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
		     AS u(slug, title, genres, director, casts, runtime, rating, synopsis, poster, trailer, release)`,
		pq.Array(slugs), pq.Array(titles), pq.Array(genres), pq.Array(directors), pq.Array(casts),
		pq.Array(runtimes), pq.Array(ratings), pq.Array(synopses), pq.Array(posters),
		pq.Array(trailers), pq.Array(releases))
	return err
}

func seedShowtimes(ctx context.Context, tx *sqlx.Tx, c Catalog) error {
	var movies, theatres, auds, cards, formats []string
	var starts, ends, ready, sales, counter []time.Time
	for _, s := range c.Showtimes {
		movies = append(movies, s.MovieSlug)
		theatres = append(theatres, s.TheatreSlug)
		auds = append(auds, s.Auditorium)
		cards = append(cards, s.PriceCard)
		formats = append(formats, s.Format)
		starts = append(starts, s.StartsAt)
		ends = append(ends, s.EndsAt)
		ready = append(ready, s.ReadyAt)
		sales = append(sales, s.SalesCloseAt)
		counter = append(counter, s.CounterCloseAt)
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO showtimes (movie_id, auditorium_id, starts_at, ends_at, ready_at,
		                       sales_close_at, counter_close_at, price_card_id, format)
		SELECT m.id, a.id, u.starts_at, u.ends_at, u.ready_at, u.sales_close_at,
		       u.counter_close_at, pc.id, u.format
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
		            $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::timestamptz[])
		     AS u(movie, theatre, auditorium, card, format, starts_at, ends_at, ready_at, sales_close_at, counter_close_at)
		JOIN movies m ON m.slug = u.movie
		JOIN theatres t ON t.slug = u.theatre
		JOIN auditoriums a ON a.theatre_id = t.id AND a.name = u.auditorium
		JOIN price_cards pc ON pc.name = u.card`,
		pq.Array(movies), pq.Array(theatres), pq.Array(auds), pq.Array(cards), pq.Array(formats),
		pq.Array(timestamps(starts)), pq.Array(timestamps(ends)), pq.Array(timestamps(ready)),
		pq.Array(timestamps(sales)), pq.Array(timestamps(counter)))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && int(n) != len(c.Showtimes) {
		return fmt.Errorf("inserted %d of %d showtimes (a movie, auditorium or price card name does not match)", n, len(c.Showtimes))
	}
	return nil
}

// timestamps renders times for a timestamptz[] parameter (lib/pq's Array has no time.Time support).
func timestamps(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.UTC().Format(time.RFC3339Nano)
	}
	return out
}
