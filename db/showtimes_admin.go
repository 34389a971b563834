package db

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/booking"
)

// The manager's programme: showtimes as staff see them (drafts and cancelled
// ones included), scheduling one or a series, editing, moving. Overlaps in an
// auditorium are refused by the showtimes' exclusion constraint alone; when it
// fires (23P01) the show in the way is looked up for the message.

// ProgrammeShow is a showtime in the manager's programme.
type ProgrammeShow struct {
	booking.Showtime
	ReadyAt     time.Time `db:"ready_at"`
	Title       string    `db:"title"`
	RuntimeMin  int       `db:"runtime_min"`
	Auditorium  string    `db:"auditorium"`
	TheatreID   int64     `db:"theatre_id"`
	TheatreName string    `db:"theatre_name"`
	TimeZone    string    `db:"time_zone"`
	PriceCard   string    `db:"price_card"`
	Capacity    int       `db:"capacity"`
	Sold        int       `db:"sold"`   // seats sold (paid orders)
	Orders      int       `db:"orders"` // live orders: paid or awaiting payment
	Pending     int       `db:"pending"`
}

// Live is the showtime with what decides which changes it allows.
func (p ProgrammeShow) Live() booking.ShowtimeLive {
	return booking.ShowtimeLive{Showtime: p.Showtime, Sold: p.Sold, Orders: p.Orders}
}

// Location is the theatre's time zone.
func (p ProgrammeShow) Location() *time.Location {
	return booking.Theatre{TimeZone: p.TimeZone}.Location()
}

const programmeColumns = `s.id, s.movie_id, s.auditorium_id, s.starts_at, s.ends_at, s.ready_at, s.sales_close_at,
	s.counter_close_at, s.status, s.price_card_id, s.format, NOT s.published AS unpublished, s.sales_open_at,
	s.version, s.language, s.audio_description, s.captions, s.event_label,
	m.title, m.runtime_min, a.name AS auditorium, a.capacity, t.id AS theatre_id, t.name AS theatre_name, t.time_zone,
	pc.name AS price_card,
	(SELECT count(*) FROM order_items i WHERE i.showtime_id = s.id AND i.status = 'sold') AS sold,
	(SELECT count(*) FROM orders o WHERE o.showtime_id = s.id
	                                 AND o.status IN ('paid', 'partially_refunded', 'pending_payment')) AS orders,
	(SELECT count(*) FROM orders o WHERE o.showtime_id = s.id AND o.status = 'pending_payment') AS pending`

const programmeFrom = `
	FROM showtimes s
	JOIN movies m ON m.id = s.movie_id
	JOIN auditoriums a ON a.id = s.auditorium_id
	JOIN theatres t ON t.id = a.theatre_id
	JOIN price_cards pc ON pc.id = s.price_card_id`

// ProgrammeFilter selects the manager's programme: showtimes starting in
// [From, To) of the theatres in Scope (and of TheatreID, when set).
type ProgrammeFilter struct {
	Scope        booking.Scope
	TheatreID    int64
	AuditoriumID int64
	From, To     time.Time
	Query        string // part of a movie title
	Status       string // "" any; "scheduled", "cancelled", "draft" (unpublished and scheduled)
}

// Programme returns the showtimes matching f by start, then auditorium (at most 1000).
func (db *DB) Programme(ctx context.Context, f ProgrammeFilter) ([]ProgrammeShow, error) {
	out := []ProgrammeShow{}
	err := db.selectAll(ctx, &out, `
		SELECT `+programmeColumns+programmeFrom+`
		WHERE s.starts_at >= $1 AND s.starts_at < $2
		  AND ($3 OR t.id = ANY($4::bigint[]))
		  AND ($5::bigint = 0 OR t.id = $5)
		  AND ($6::bigint = 0 OR a.id = $6)
		  AND ($7 = '' OR strpos(lower(m.title), lower($7)) > 0)
		  AND ($8 = '' OR ($8 = 'draft' AND s.status = 'scheduled' AND NOT s.published) OR s.status = $8)
		ORDER BY s.starts_at, a.name, s.id
		LIMIT 1000`,
		f.From, f.To, f.Scope.All, pq.Array(f.Scope.Theatres), f.TheatreID, f.AuditoriumID, f.Query, f.Status)
	if err != nil {
		return nil, fmt.Errorf("programme: %w", err)
	}
	return out, nil
}

// ProgrammeShowByID returns one showtime as the manager sees it.
func (db *DB) ProgrammeShowByID(ctx context.Context, id int64) (ProgrammeShow, error) {
	var p ProgrammeShow
	if err := db.get(ctx, &p, `SELECT `+programmeColumns+programmeFrom+` WHERE s.id = $1`, id); err != nil {
		return p, fmt.Errorf("showtime %d: %w", id, err)
	}
	return p, nil
}

// ProgrammeAuditorium is an auditorium a showtime can be scheduled in.
type ProgrammeAuditorium struct {
	ID          int64  `db:"id"`
	Name        string `db:"name"`
	Capacity    int    `db:"capacity"`
	TheatreID   int64  `db:"theatre_id"`
	TheatreName string `db:"theatre_name"`
	TimeZone    string `db:"time_zone"`
}

// Location is the auditorium's theatre's time zone.
func (a ProgrammeAuditorium) Location() *time.Location {
	return booking.Theatre{TimeZone: a.TimeZone}.Location()
}

// ProgrammeAuditoriums returns the auditoriums of the theatres in scope, by theatre then name.
func (db *DB) ProgrammeAuditoriums(ctx context.Context, scope booking.Scope) ([]ProgrammeAuditorium, error) {
	var out []ProgrammeAuditorium
	err := db.selectAll(ctx, &out, `
		SELECT a.id, a.name, a.capacity, t.id AS theatre_id, t.name AS theatre_name, t.time_zone
		FROM auditoriums a JOIN theatres t ON t.id = a.theatre_id
		WHERE $1 OR t.id = ANY($2::bigint[])
		ORDER BY t.name, t.id, a.name`, scope.All, pq.Array(scope.Theatres))
	if err != nil {
		return nil, fmt.Errorf("auditoriums: %w", err)
	}
	return out, nil
}

// ProgrammeAuditoriumByID returns one auditorium with its theatre.
func (db *DB) ProgrammeAuditoriumByID(ctx context.Context, id int64) (ProgrammeAuditorium, error) {
	var a ProgrammeAuditorium
	err := db.get(ctx, &a, `
		SELECT a.id, a.name, a.capacity, t.id AS theatre_id, t.name AS theatre_name, t.time_zone
		FROM auditoriums a JOIN theatres t ON t.id = a.theatre_id
		WHERE a.id = $1`, id)
	if err != nil {
		return a, fmt.Errorf("auditorium %d: %w", id, err)
	}
	return a, nil
}

// Choice is an id and a name, for a menu.
type Choice struct {
	ID         int64  `db:"id"`
	Name       string `db:"name"`
	RuntimeMin int    `db:"runtime_min"` // movies only
}

// ProgrammeMovies returns the movies that can be scheduled, by title.
func (db *DB) ProgrammeMovies(ctx context.Context) ([]Choice, error) {
	var out []Choice
	if err := db.selectAll(ctx, &out, `SELECT id, title AS name, runtime_min FROM movies ORDER BY title, id`); err != nil {
		return nil, fmt.Errorf("movies: %w", err)
	}
	return out, nil
}

// ProgrammePriceCards returns the price cards, by name.
func (db *DB) ProgrammePriceCards(ctx context.Context, scope booking.Scope) ([]Choice, error) {
	var out []Choice
	if err := db.selectAll(ctx, &out, `
		SELECT id, name, 0 AS runtime_min FROM price_cards
		WHERE $1 OR theatre_id IS NULL OR theatre_id = ANY($2)
		ORDER BY name, id`, scope.All, pq.Array(scope.Theatres)); err != nil {
		return nil, fmt.Errorf("price cards: %w", err)
	}
	return out, nil
}

// NewShowtime is one showtime to schedule.
type NewShowtime struct {
	MovieID      int64
	AuditoriumID int64
	PriceCardID  int64
	Format       string
	Attrs        booking.ShowAttrs
	Published    bool
	Slot         booking.Slot
}

// ScheduleShowtimes inserts the showtimes in one transaction: all of them or
// none. Each insert runs under a savepoint, so that every one refused by the
// exclusion constraint (its auditorium taken, cleaning included, by a show
// already there or an earlier one of the same batch) is found: the error
// (booking.OverlapError, times in loc) names the show in the way of each.
func (db *DB) ScheduleShowtimes(ctx context.Context, shows []NewShowtime, loc *time.Location) ([]int64, error) {
	ids := make([]int64, 0, len(shows))
	var overlaps []booking.Overlap
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, n := range shows {
			if _, err := tx.ExecContext(ctx, `SAVEPOINT schedule_one`); err != nil {
				return err
			}
			var id int64
			err := db.txGet(ctx, tx, &id, `
				INSERT INTO showtimes (movie_id, auditorium_id, starts_at, ends_at, ready_at, sales_open_at, sales_close_at,
				                       counter_close_at, price_card_id, format, published,
				                       version, language, audio_description, captions, event_label)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
				RETURNING id`,
				n.MovieID, n.AuditoriumID, n.Slot.StartsAt, n.Slot.EndsAt, n.Slot.ReadyAt, n.Slot.SalesOpenAt, n.Slot.SalesCloseAt,
				n.Slot.CounterCloseAt, n.PriceCardID, n.Format, n.Published,
				n.Attrs.Version, n.Attrs.Language, n.Attrs.AudioDescription, n.Attrs.Captions, n.Attrs.Event)
			if isExclusion(err) {
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT schedule_one`); err != nil {
					return err
				}
				o, err := db.overlapsWith(ctx, tx, n.AuditoriumID, 0, n.Slot)
				if err != nil {
					return err
				}
				overlaps = append(overlaps, o...)
				continue
			}
			if err != nil {
				return fmt.Errorf("insert showtime: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT schedule_one`); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if len(overlaps) > 0 {
			return booking.OverlapError(overlaps, len(shows), loc)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schedule %d showtimes: %w", len(shows), err)
	}
	return ids, nil
}

// isExclusion reports whether err is PostgreSQL's exclusion_violation (23P01).
func isExclusion(err error) bool {
	var pqe *pq.Error
	return errors.As(err, &pqe) && pqe.Code == "23P01"
}

// overlapsWith returns the live shows of an auditorium whose time (cleaning
// included) meets slot's, other than showtime except; read after the
// constraint refused the slot, for the message only.
func (db *DB) overlapsWith(ctx context.Context, tx *sqlx.Tx, auditoriumID, except int64, slot booking.Slot) ([]booking.Overlap, error) {
	var out []booking.Overlap
	s, err := db.txStmt(ctx, tx, `
		SELECT s.id, m.title, s.starts_at, s.ready_at, a.name AS auditorium
		FROM showtimes s JOIN movies m ON m.id = s.movie_id JOIN auditoriums a ON a.id = s.auditorium_id
		WHERE s.auditorium_id = $1 AND s.status = 'scheduled' AND s.id <> $2
		  AND tstzrange(s.starts_at, s.ready_at) && tstzrange($3, $4)
		ORDER BY s.starts_at`)
	if err != nil {
		return nil, err
	}
	if err := s.SelectContext(ctx, &out, auditoriumID, except, slot.StartsAt, slot.ReadyAt); err != nil {
		return nil, fmt.Errorf("overlapping shows: %w", err)
	}
	for i := range out {
		out[i].Wanted = slot.StartsAt
	}
	if len(out) == 0 { // gone meanwhile: still refused, without a name
		return []booking.Overlap{{Wanted: slot.StartsAt, Movie: "another show", StartsAt: slot.StartsAt, ReadyAt: slot.ReadyAt, Auditorium: "this auditorium"}}, nil
	}
	return out, nil
}

// ShowtimeChange is a showtime's row as an edit or a move leaves it.
type ShowtimeChange struct {
	AuditoriumID int64
	PriceCardID  int64
	Format       string
	Attrs        booking.ShowAttrs
	Published    bool
	Slot         booking.Slot
}

// EditPlanner decides, on the showtime as locked in the transaction, what it becomes.
type EditPlanner func(cur ProgrammeShow) (ShowtimeChange, error)

// EditShowtime changes a showtime in one short transaction: the row locked,
// plan asked on its current state (booking.CheckEdit), the row updated. An
// overlap is refused by the exclusion constraint and named. It returns the
// showtime before and after, for the audit log.
func (db *DB) EditShowtime(ctx context.Context, id int64, plan EditPlanner) (before, after ProgrammeShow, err error) {
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := db.lockProgrammeShow(ctx, tx, id)
		if err != nil {
			return err
		}
		before = cur
		ch, err := plan(cur)
		if err != nil {
			return err
		}
		if err := db.updateShowtimeRow(ctx, tx, id, ch, cur.Location()); err != nil {
			return err
		}
		return db.txGet(ctx, tx, &after, `SELECT `+programmeColumns+programmeFrom+` WHERE s.id = $1`, id)
	})
	if err != nil {
		return before, after, fmt.Errorf("edit showtime %d: %w", id, err)
	}
	return before, after, nil
}

func (db *DB) lockProgrammeShow(ctx context.Context, tx *sqlx.Tx, id int64) (ProgrammeShow, error) {
	var cur ProgrammeShow
	if _, err := db.txExec(ctx, tx, `SELECT 1 FROM showtimes WHERE id = $1 FOR UPDATE`, id); err != nil {
		return cur, err
	}
	if err := db.txGet(ctx, tx, &cur, `SELECT `+programmeColumns+programmeFrom+` WHERE s.id = $1`, id); err != nil {
		return cur, fmt.Errorf("showtime: %w", err)
	}
	return cur, nil
}

func (db *DB) updateShowtimeRow(ctx context.Context, tx *sqlx.Tx, id int64, ch ShowtimeChange, loc *time.Location) error {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT edit_showtime`); err != nil {
		return err
	}
	_, err := db.txExec(ctx, tx, `
		UPDATE showtimes SET auditorium_id = $2, starts_at = $3, ends_at = $4, ready_at = $5, sales_open_at = $6,
		       sales_close_at = $7, counter_close_at = $8, price_card_id = $9, format = $10, published = $11,
		       version = $12, language = $13, audio_description = $14, captions = $15, event_label = $16
		WHERE id = $1`,
		id, ch.AuditoriumID, ch.Slot.StartsAt, ch.Slot.EndsAt, ch.Slot.ReadyAt, ch.Slot.SalesOpenAt,
		ch.Slot.SalesCloseAt, ch.Slot.CounterCloseAt, ch.PriceCardID, ch.Format, ch.Published,
		ch.Attrs.Version, ch.Attrs.Language, ch.Attrs.AudioDescription, ch.Attrs.Captions, ch.Attrs.Event)
	if err == nil {
		_, err = tx.ExecContext(ctx, `RELEASE SAVEPOINT edit_showtime`)
		return err
	}
	if !isExclusion(err) {
		return fmt.Errorf("update showtime: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT edit_showtime`); err != nil {
		return err
	}
	o, err := db.overlapsWith(ctx, tx, ch.AuditoriumID, id, ch.Slot)
	if err != nil {
		return err
	}
	return booking.OverlapError(o, 1, loc)
}

// SetShowtimePublished publishes or withdraws a showtime (booking.CheckEdit
// on the locked row decides whether it may), returning it before and after.
func (db *DB) SetShowtimePublished(ctx context.Context, id int64, published bool, now time.Time) (before, after ProgrammeShow, err error) {
	return db.EditShowtime(ctx, id, func(cur ProgrammeShow) (ShowtimeChange, error) {
		ch := changeOf(cur)
		ch.Published = published
		if err := booking.CheckEdit(cur.Live(), booking.Edit{AuditoriumID: cur.AuditoriumID, StartsAt: cur.StartsAt,
			Published: published}, now); err != nil {
			return ch, err
		}
		return ch, nil
	})
}

// changeOf is a showtime's row unchanged.
func changeOf(p ProgrammeShow) ShowtimeChange {
	return ShowtimeChange{AuditoriumID: p.AuditoriumID, PriceCardID: p.PriceCardID, Format: p.Format, Attrs: p.ShowAttrs,
		Published: !p.Unpublished, Slot: booking.Slot{StartsAt: p.StartsAt, EndsAt: p.EndsAt, ReadyAt: p.ReadyAt,
			SalesOpenAt: p.SalesOpenAt, SalesCloseAt: p.SalesCloseAt, CounterCloseAt: p.CounterCloseAt}}
}

// ChangeOf is a showtime's row unchanged, for planners to start from.
func ChangeOf(p ProgrammeShow) ShowtimeChange { return changeOf(p) }

// MoveTarget is where and when a moved showtime goes.
type MoveTarget struct {
	AuditoriumID int64
	Slot         booking.Slot
}

// MovePlanner decides, on the showtime as locked in the transaction, where it goes.
type MovePlanner func(cur ProgrammeShow) (MoveTarget, error)

// Moved is what MoveShowtime did.
type Moved struct {
	Before, After ProgrammeShow
	// Lost are the seats (old ids) of orders that the new auditorium has no
	// seat for, by order code: the caller refunds them.
	Lost map[string][]int64
	// Orders are the live orders moved (paid ones; codes in id order).
	Orders []MovedOrder
}

// MovedOrder is an order of a moved showtime.
type MovedOrder struct {
	Code  string
	Email string
	Seats int // seats moved with it
	Lost  int // seats without a place in the new auditorium
}

// MoveShowtime moves a showtime to another time and/or auditorium of its
// theatre in one short transaction: every paid order keeps the seat of the
// same row and number (booking.PlanMove); seats without one are returned in
// Lost for the caller to refund after commit. Holds are dropped when the
// auditorium changes, and such a move is refused while an order is being
// paid (its seats would be claimed in the wrong auditorium). An overlap is
// refused by the exclusion constraint and named. With commit false it is a
// dry run: everything is checked and counted, then rolled back (the confirm step).
func (db *DB) MoveShowtime(ctx context.Context, id int64, plan MovePlanner, commit bool) (Moved, error) {
	var out Moved
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := db.lockProgrammeShow(ctx, tx, id)
		if err != nil {
			return err
		}
		out.Before = cur
		to, err := plan(cur)
		if err != nil {
			return err
		}
		same := to.AuditoriumID == cur.AuditoriumID
		if !same && cur.Pending > 0 {
			return booking.Errorf(booking.ECONFLICT, "%d order(s) of this show are being paid right now. Try the move again in a few minutes.", cur.Pending)
		}
		var items []booking.MoveItem
		s, err := db.txStmt(ctx, tx, `
			SELECT o.id AS order_id, o.code, o.email, i.seat_id, st.row_label, st.number, i.status
			FROM order_items i JOIN orders o ON o.id = i.order_id JOIN seats st ON st.id = i.seat_id
			WHERE i.showtime_id = $1 AND i.status = 'sold' AND o.status IN ('paid', 'partially_refunded')
			ORDER BY o.id, st.y, st.x`)
		if err != nil {
			return err
		}
		if err := s.SelectContext(ctx, &items, id); err != nil {
			return fmt.Errorf("items: %w", err)
		}
		var seats []booking.Seat
		if !same {
			seats, err = db.txSeats(ctx, tx, to.AuditoriumID)
			if err != nil {
				return err
			}
		}
		p := booking.PlanMove(items, seats, same)
		out.Lost = p.Lost
		out.Orders = movedOrders(items, p)
		// The show takes its new time and auditorium (and that auditorium's
		// current layout) first: moved claims are checked against it.
		ch := changeOf(cur)
		ch.AuditoriumID, ch.Slot = to.AuditoriumID, to.Slot
		if err := db.updateShowtimeRow(ctx, tx, id, ch, cur.Location()); err != nil {
			return err
		}
		if !same {
			if _, err := db.txExec(ctx, tx, `DELETE FROM seat_claims WHERE showtime_id = $1 AND order_id IS NULL`, id); err != nil {
				return fmt.Errorf("drop holds: %w", err)
			}
			var olds, news []int64
			for o, n := range p.Seats {
				olds, news = append(olds, o), append(news, n)
			}
			if _, err := db.txExec(ctx, tx, `
				UPDATE order_items i SET seat_id = m.new
				FROM unnest($2::bigint[], $3::bigint[]) AS m(old, new)
				WHERE i.showtime_id = $1 AND i.seat_id = m.old AND i.status = 'sold'`, id, pq.Array(olds), pq.Array(news)); err != nil {
				return fmt.Errorf("move items: %w", err)
			}
			if _, err := db.txExec(ctx, tx, `
				UPDATE seat_claims c SET seat_id = m.new
				FROM unnest($2::bigint[], $3::bigint[]) AS m(old, new)
				WHERE c.showtime_id = $1 AND c.seat_id = m.old AND c.order_id IS NOT NULL`, id, pq.Array(olds), pq.Array(news)); err != nil {
				return fmt.Errorf("move claims: %w", err)
			}
		}
		if err := db.txGet(ctx, tx, &out.After, `SELECT `+programmeColumns+programmeFrom+` WHERE s.id = $1`, id); err != nil {
			return err
		}
		if !commit {
			return errDryRun
		}
		return nil
	})
	if err != nil && !(errors.Is(err, errDryRun) && !commit) {
		return Moved{}, fmt.Errorf("move showtime %d: %w", id, err)
	}
	return out, nil
}

// errDryRun rolls a dry run back.
var errDryRun = errors.New("dry run")

// txSeats are the seats a show moved to the auditorium would sell: those of
// its current layout version that are for sale (a blocked seat takes no
// moved ticket: its ticket is refunded, like one the auditorium lacks).
func (db *DB) txSeats(ctx context.Context, tx *sqlx.Tx, auditoriumID int64) ([]booking.Seat, error) {
	var seats []booking.Seat
	s, err := db.txStmt(ctx, tx, `
		SELECT s.id, s.auditorium_id, s.row_label, s.number, s.x, s.y, s.kind, s.zone
		FROM seats s JOIN auditoriums a ON a.layout_id = s.layout_id
		WHERE a.id = $1 AND s.kind <> 'blocked'
		ORDER BY s.y, s.x`)
	if err != nil {
		return nil, err
	}
	if err := s.SelectContext(ctx, &seats, auditoriumID); err != nil {
		return nil, fmt.Errorf("seats of auditorium %d: %w", auditoriumID, err)
	}
	return seats, nil
}

func movedOrders(items []booking.MoveItem, p booking.MovePlan) []MovedOrder {
	var out []MovedOrder
	idx := map[string]int{}
	for _, it := range items {
		i, ok := idx[it.OrderCode]
		if !ok {
			i = len(out)
			idx[it.OrderCode] = i
			out = append(out, MovedOrder{Code: it.OrderCode, Email: it.Email})
		}
		if slices.Contains(p.Lost[it.OrderCode], it.SeatID) {
			out[i].Lost++
		} else {
			out[i].Seats++
		}
	}
	return out
}

// AffectedOrder is an order of a showtime as the cancel/move summary shows
// it: who, how many seats, what was refunded, whether they were e-mailed.
type AffectedOrder struct {
	Code          string     `db:"code"`
	Email         string     `db:"email"`
	Status        string     `db:"status"`
	Seats         int        `db:"seats"`     // seats still sold
	Cancelled     int        `db:"cancelled"` // seats cancelled
	RefundedCents int64      `db:"refunded_cents"`
	Refunds       string     `db:"refunds"` // statuses of the cinema's refunds, e.g. "succeeded"
	NoticeSentAt  *time.Time `db:"notice_sent_at"`
	Notice        string     `db:"notice"` // kind of the newest notice: cancelled, moved, ""
}

// ShowtimeAffected returns the orders of a showtime that were paid (live,
// or refunded since), with their refunds and notices, by order id.
func (db *DB) ShowtimeAffected(ctx context.Context, showtimeID int64) ([]AffectedOrder, error) {
	var out []AffectedOrder
	err := db.selectAll(ctx, &out, `
		SELECT o.code, o.email, o.status,
		       (SELECT count(*) FROM order_items i WHERE i.order_id = o.id AND i.status = 'sold') AS seats,
		       (SELECT count(*) FROM order_items i WHERE i.order_id = o.id AND i.status = 'cancelled') AS cancelled,
		       coalesce((SELECT sum(r.amount_cents) FROM refunds r WHERE r.order_id = o.id AND r.reason = 'showtime_cancelled'), 0)::bigint AS refunded_cents,
		       coalesce((SELECT string_agg(DISTINCT r.status, ', ') FROM refunds r WHERE r.order_id = o.id AND r.reason = 'showtime_cancelled'), '') AS refunds,
		       (SELECT n.sent_at FROM showtime_notices n WHERE n.order_id = o.id ORDER BY n.id DESC LIMIT 1) AS notice_sent_at,
		       coalesce((SELECT n.kind FROM showtime_notices n WHERE n.order_id = o.id ORDER BY n.id DESC LIMIT 1), '') AS notice
		FROM orders o
		WHERE o.showtime_id = $1 AND o.paid_at IS NOT NULL
		ORDER BY o.id`, showtimeID)
	if err != nil {
		return nil, fmt.Errorf("orders of showtime %d: %w", showtimeID, err)
	}
	return out, nil
}
