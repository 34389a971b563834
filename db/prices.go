package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/booking"
)

// Ticket types and price cards as managers edit them (/manage/prices). A
// showtime's card as it is sold by is PriceCard (seats.go). Every change
// fires the catalogue trigger, so each instance reloads its seat maps and
// prices; orders keep the price they were sold at (order_items.price_cents).

const ticketTypeSQL = `
	SELECT code, name, sort, proof_required, proof_note, max_age, retired_at
	FROM ticket_types tt`

// cardRow is a price_cards row.
type cardRow struct {
	ID          int64         `db:"id"`
	Name        string        `db:"name"`
	Currency    string        `db:"currency"`
	TheatreID   *int64        `db:"theatre_id"`
	Format      string        `db:"format"`
	MatineeEnds int           `db:"matinee_ends"` // minutes after local midnight
	WeekendDays pq.Int64Array `db:"weekend_days"`
}

const cardSQL = `
	SELECT id, name, currency, theatre_id, format, matinee_ends, weekend_days
	FROM price_cards`

func (r cardRow) card() booking.PriceCard {
	pc := booking.PriceCard{ID: r.ID, Name: r.Name, Currency: r.Currency, TheatreID: r.TheatreID, Format: r.Format,
		DayParts: booking.DayPartRules{MatineeEnds: time.Duration(r.MatineeEnds) * time.Minute}}
	for _, d := range r.WeekendDays {
		pc.DayParts.Weekend = append(pc.DayParts.Weekend, time.Weekday(d))
	}
	return pc
}

func weekendArray(days []time.Weekday) pq.Int64Array {
	out := pq.Int64Array{}
	for _, d := range days {
		out = append(out, int64(d))
	}
	return out
}

// pqCode is the SQLSTATE of a PostgreSQL error in err's chain, "" if none.
func pqCode(err error) string {
	var pqe *pq.Error
	if errors.As(err, &pqe) {
		return string(pqe.Code)
	}
	return ""
}

// TicketTypeUse is a ticket type with what uses it.
type TicketTypeUse struct {
	booking.TicketType
	Sold  bool `db:"sold"`  // order items have it: retire it, never delete it
	Cards int  `db:"cards"` // price cards with a price for it
}

// InUse reports whether deleting the type would lose something.
func (u TicketTypeUse) InUse() bool { return u.Sold || u.Cards > 0 }

// TicketTypes returns every ticket type, the sold ones first, retired last.
func (db *DB) TicketTypes(ctx context.Context) ([]TicketTypeUse, error) {
	var out []TicketTypeUse
	err := db.selectAll(ctx, &out, `
		SELECT code, name, sort, proof_required, proof_note, max_age, retired_at,
		       EXISTS (SELECT 1 FROM order_items i WHERE i.ticket_type = tt.code)
		           OR EXISTS (SELECT 1 FROM seat_claims c WHERE c.ticket_type = tt.code) AS sold,
		       (SELECT count(DISTINCT p.price_card_id) FROM price_card_prices p WHERE p.ticket_type = tt.code) AS cards
		FROM ticket_types tt
		ORDER BY retired_at IS NOT NULL, sort, code`)
	if err != nil {
		return nil, fmt.Errorf("ticket types: %w", err)
	}
	return out, nil
}

// TicketTypeList returns every ticket type (a small table), in display order.
func (db *DB) TicketTypeList(ctx context.Context) ([]booking.TicketType, error) {
	var out []booking.TicketType
	if err := db.selectAll(ctx, &out, ticketTypeSQL+` ORDER BY sort, code`); err != nil {
		return nil, fmt.Errorf("ticket types: %w", err)
	}
	return out, nil
}

// TicketType returns one ticket type, ENOTFOUND when there is none.
func (db *DB) TicketType(ctx context.Context, code string) (booking.TicketType, error) {
	var tt booking.TicketType
	if err := db.get(ctx, &tt, ticketTypeSQL+` WHERE code = $1`, code); err != nil {
		return tt, fmt.Errorf("ticket type %q: %w", code, err)
	}
	return tt, nil
}

// CreateTicketType adds a ticket type; ECONFLICT when the code is taken.
func (db *DB) CreateTicketType(ctx context.Context, tt booking.TicketType) error {
	_, err := db.exec(ctx, `
		INSERT INTO ticket_types (code, name, sort, proof_required, proof_note, max_age)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		tt.Code, tt.Name, tt.Sort, tt.ProofRequired, tt.ProofNote, tt.MaxAge)
	if pqCode(err) == "23505" {
		return booking.Errorf(booking.ECONFLICT, "There is already a ticket type with the code %q.", tt.Code)
	}
	if err != nil {
		return fmt.Errorf("create ticket type %q: %w", tt.Code, err)
	}
	return nil
}

// changeTicketType locks the type's row, runs change on it and returns the
// type as it was. ENOTFOUND when there is none.
func (db *DB) changeTicketType(ctx context.Context, code string, change func(tx *sqlx.Tx) error) (booking.TicketType, error) {
	var before booking.TicketType
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &before, ticketTypeSQL+` WHERE code = $1 FOR UPDATE`, code); err != nil {
			return err
		}
		return change(tx)
	})
	if err != nil {
		return booking.TicketType{}, fmt.Errorf("change ticket type %q: %w", code, err)
	}
	return before, nil
}

// UpdateTicketType changes a type's name, position, proof and age (its code
// stays: orders refer to it) and returns it as it was.
func (db *DB) UpdateTicketType(ctx context.Context, tt booking.TicketType) (booking.TicketType, error) {
	return db.changeTicketType(ctx, tt.Code, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE ticket_types SET name = $2, sort = $3, proof_required = $4, proof_note = $5, max_age = $6
			WHERE code = $1`, tt.Code, tt.Name, tt.Sort, tt.ProofRequired, tt.ProofNote, tt.MaxAge)
		return err
	})
}

// SetTicketTypeRetired retires a type at at (nil: sells again) and returns
// it as it was. Orders that have it keep it.
func (db *DB) SetTicketTypeRetired(ctx context.Context, code string, at *time.Time) (booking.TicketType, error) {
	return db.changeTicketType(ctx, code, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE ticket_types SET retired_at = $2 WHERE code = $1`, code, at)
		return err
	})
}

// ErrTicketTypeInUse refuses to delete a ticket type that orders or price cards use.
var ErrTicketTypeInUse = booking.Errorf(booking.ECONFLICT, "This ticket type is sold in orders or priced on a card: retire it instead (orders keep it, it is no longer sold).")

// DeleteTicketType deletes a type nothing uses (the foreign keys of orders,
// seat claims and price cards decide: ErrTicketTypeInUse) and returns it.
func (db *DB) DeleteTicketType(ctx context.Context, code string) (booking.TicketType, error) {
	before, err := db.changeTicketType(ctx, code, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM ticket_types WHERE code = $1`, code)
		return err
	})
	if pqCode(err) == "23503" { // foreign_key_violation
		return booking.TicketType{}, ErrTicketTypeInUse
	}
	return before, err
}

// PriceCardListing is a card on the prices page.
type PriceCardListing struct {
	booking.PriceCard
	TheatreName string
	Prices      int // price cells
	Upcoming    int // scheduled showtimes from now on that sell by it
}

// PriceCards returns the cards a scope may see: shared cards and those of
// its theatres (every card for all), shared first, by name.
func (db *DB) PriceCards(ctx context.Context, s booking.Scope, now time.Time) ([]PriceCardListing, error) {
	var rows []struct {
		cardRow
		TheatreName string `db:"theatre_name"`
		Prices      int    `db:"prices"`
		Upcoming    int    `db:"upcoming"`
	}
	err := db.selectAll(ctx, &rows, `
		SELECT c.id, c.name, c.currency, c.theatre_id, c.format, c.matinee_ends, c.weekend_days,
		       coalesce(t.name, '') AS theatre_name,
		       (SELECT count(*) FROM price_card_prices p WHERE p.price_card_id = c.id) AS prices,
		       (SELECT count(*) FROM showtimes s
		        WHERE s.price_card_id = c.id AND s.status = 'scheduled' AND s.starts_at >= $3) AS upcoming
		FROM price_cards c
		LEFT JOIN theatres t ON t.id = c.theatre_id
		WHERE $1 OR c.theatre_id IS NULL OR c.theatre_id = ANY($2)
		ORDER BY c.theatre_id IS NOT NULL, t.name, lower(c.name), c.id`,
		s.All, pq.Array(s.Theatres), now)
	if err != nil {
		return nil, fmt.Errorf("price cards: %w", err)
	}
	out := make([]PriceCardListing, len(rows))
	for i, r := range rows {
		out[i] = PriceCardListing{PriceCard: r.card(), TheatreName: r.TheatreName, Prices: r.Prices, Upcoming: r.Upcoming}
	}
	return out, nil
}

// Zones returns the pricing zones of the seats of a theatre's auditoriums
// (nil: every theatre's), sorted.
func (db *DB) Zones(ctx context.Context, theatreID *int64) ([]string, error) {
	var zones []string
	err := db.selectAll(ctx, &zones, `
		SELECT DISTINCT s.zone
		FROM seats s JOIN auditoriums a ON a.id = s.auditorium_id
		WHERE s.zone <> '' AND ($1::bigint IS NULL OR a.theatre_id = $1)
		ORDER BY s.zone`, theatreID)
	if err != nil {
		return nil, fmt.Errorf("zones: %w", err)
	}
	return zones, nil
}

// cardConflict is the message for a name taken in the card's theatre.
func cardConflict(err error, name string) error {
	if pqCode(err) == "23505" {
		return booking.Errorf(booking.ECONFLICT, "There is already a price card called %q here.", name)
	}
	return err
}

const insertPricesSQL = `
	INSERT INTO price_card_prices (price_card_id, ticket_type, seat_kind, zone, day_part, amount_cents)
	SELECT $1, u.ticket_type, u.seat_kind, u.zone, u.day_part, u.amount_cents
	FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
	     AS u(ticket_type, seat_kind, zone, day_part, amount_cents)`

func insertPrices(ctx context.Context, tx *sqlx.Tx, cardID int64, prices []booking.Price) error {
	if len(prices) == 0 {
		return nil
	}
	var types, kinds, zones, parts []string
	var amounts []int64
	for _, p := range prices {
		types, kinds, zones, parts = append(types, p.TicketType), append(kinds, p.SeatKind), append(zones, p.Zone), append(parts, p.DayPart)
		amounts = append(amounts, p.AmountCents)
	}
	_, err := tx.ExecContext(ctx, insertPricesSQL, cardID, pq.Array(types), pq.Array(kinds), pq.Array(zones), pq.Array(parts), pq.Array(amounts))
	if pqCode(err) == "23503" {
		return booking.Invalid("prices", "A price names a ticket type that doesn't exist.")
	}
	return err
}

// CreatePriceCard adds a card with its prices and returns its id.
func (db *DB) CreatePriceCard(ctx context.Context, pc booking.PriceCard, now time.Time) (int64, error) {
	var id int64
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &id, `
			INSERT INTO price_cards (name, currency, theatre_id, format, matinee_ends, weekend_days, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			pc.Name, pc.Currency, pc.TheatreID, pc.Format, int(pc.DayParts.MatineeEnds/time.Minute),
			weekendArray(pc.DayParts.Weekend), now); err != nil {
			return cardConflict(err, pc.Name)
		}
		return insertPrices(ctx, tx, id, pc.Prices)
	})
	if err != nil {
		return 0, fmt.Errorf("create price card %q: %w", pc.Name, err)
	}
	return id, nil
}

// SavePriceCard replaces a card's name, currency, format, day-parts and
// prices (its theatre stays) in one transaction, and returns the card as
// it was. Orders already made keep their prices; holds and carts are priced
// by the new card at checkout.
func (db *DB) SavePriceCard(ctx context.Context, pc booking.PriceCard, now time.Time) (booking.PriceCard, error) {
	var before booking.PriceCard
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var h cardRow
		if err := tx.GetContext(ctx, &h, cardSQL+` WHERE id = $1 FOR UPDATE`, pc.ID); err != nil {
			return err
		}
		before = h.card()
		if err := tx.SelectContext(ctx, &before.Prices, `
			SELECT ticket_type, seat_kind, zone, day_part, amount_cents
			FROM price_card_prices WHERE price_card_id = $1
			ORDER BY ticket_type, day_part, zone, seat_kind`, pc.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE price_cards SET name = $2, currency = $3, format = $4, matinee_ends = $5, weekend_days = $6, updated_at = $7
			WHERE id = $1`, pc.ID, pc.Name, pc.Currency, pc.Format, int(pc.DayParts.MatineeEnds/time.Minute),
			weekendArray(pc.DayParts.Weekend), now); err != nil {
			return cardConflict(err, pc.Name)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM price_card_prices WHERE price_card_id = $1`, pc.ID); err != nil {
			return err
		}
		return insertPrices(ctx, tx, pc.ID, pc.Prices)
	})
	if err != nil {
		return booking.PriceCard{}, fmt.Errorf("save price card %d: %w", pc.ID, err)
	}
	return before, nil
}

// ErrPriceCardInUse refuses to delete a card showtimes sell by.
var ErrPriceCardInUse = booking.Errorf(booking.ECONFLICT, "Showtimes sell by this card: give them another card first.")

// DeletePriceCard deletes a card no showtime refers to (the foreign key
// decides: ErrPriceCardInUse), prices included.
func (db *DB) DeletePriceCard(ctx context.Context, id int64) error {
	_, err := db.exec(ctx, `DELETE FROM price_cards WHERE id = $1`, id)
	if pqCode(err) == "23503" {
		return ErrPriceCardInUse
	}
	if err != nil {
		return fmt.Errorf("delete price card %d: %w", id, err)
	}
	return nil
}
