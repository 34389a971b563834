package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/booking"
)

// Auditoriums and their versioned seat layouts (migration 00019). Every
// showtime pins the layout version it sells; an auditorium's layout_id is
// its current version, the one new showtimes get. A seat row is never
// deleted or moved while a coming show has sold it, and never deleted once
// any claim or order item refers to it: such changes make a new version.

// ManagedAuditorium is an auditorium as the manager pages list it.
type ManagedAuditorium struct {
	booking.Auditorium
	TheatreName string `db:"theatre_name"`
	LayoutID    int64  `db:"layout_id"`
	Version     int    `db:"version"`
	Seats       int    `db:"seats"`        // seats of the current version, blocked ones included
	Coming      int    `db:"coming"`       // showtimes still to come
	OldVersions int    `db:"old_versions"` // coming showtimes that sell an older version
}

const managedAuditoriumSQL = `
	SELECT a.id, a.theatre_id, a.name, a.rows, a.cols, a.capacity, a.layout_id,
	       t.name AS theatre_name, l.version,
	       (SELECT count(*) FROM seats s WHERE s.layout_id = a.layout_id) AS seats,
	       (SELECT count(*) FROM showtimes st WHERE st.auditorium_id = a.id AND st.ends_at > $1 AND st.status = 'scheduled') AS coming,
	       (SELECT count(*) FROM showtimes st WHERE st.auditorium_id = a.id AND st.ends_at > $1 AND st.status = 'scheduled'
	                                          AND st.layout_id <> a.layout_id) AS old_versions
	FROM auditoriums a
	JOIN theatres t ON t.id = a.theatre_id
	JOIN seat_layouts l ON l.id = a.layout_id`

// ManagedAuditoriums lists the auditoriums of the scope's theatres by
// theatre and name; q filters by theatre or auditorium name.
func (db *DB) ManagedAuditoriums(ctx context.Context, scope booking.Scope, q string, now time.Time) ([]ManagedAuditorium, error) {
	var out []ManagedAuditorium
	err := db.selectAll(ctx, &out, managedAuditoriumSQL+`
		WHERE ($2 OR a.theatre_id = ANY($3))
		  AND ($4 = '' OR strpos(lower(t.name || ' ' || a.name), lower($4)) > 0)
		ORDER BY t.name, a.name`, now, scope.All, pq.Array(scope.Theatres), q)
	if err != nil {
		return nil, fmt.Errorf("managed auditoriums: %w", err)
	}
	return out, nil
}

// ManagedAuditoriumByID returns one auditorium (ENOTFOUND when there is none).
func (db *DB) ManagedAuditoriumByID(ctx context.Context, id int64, now time.Time) (ManagedAuditorium, error) {
	var a ManagedAuditorium
	if err := db.get(ctx, &a, managedAuditoriumSQL+` WHERE a.id = $2`, now, id); err != nil {
		return a, fmt.Errorf("auditorium %d: %w", id, err)
	}
	return a, nil
}

// CreateAuditorium adds an auditorium to a theatre with a first layout
// (validated by the caller). ECONFLICT when the theatre has one of that name.
func (db *DB) CreateAuditorium(ctx context.Context, theatreID int64, name string, seats []booking.Seat) (int64, error) {
	var id int64
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		rows, cols := layoutSize(seats)
		// The trigger gives the auditorium its layout version 1.
		if err := db.txGet(ctx, tx, &id, `
			INSERT INTO auditoriums (theatre_id, name, rows, cols, capacity)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			theatreID, name, rows, cols, booking.SellableCount(seats)); err != nil {
			return err
		}
		var layoutID int64
		if err := db.txGet(ctx, tx, &layoutID, `SELECT layout_id FROM auditoriums WHERE id = $1`, id); err != nil {
			return err
		}
		return db.insertSeats(ctx, tx, id, layoutID, seats)
	})
	if err != nil {
		return 0, fmt.Errorf("create auditorium %q: %w", name, err)
	}
	return id, nil
}

func layoutSize(seats []booking.Seat) (rows, cols int) {
	rows, cols = 1, 1
	for _, s := range seats {
		rows, cols = max(rows, s.Y+1), max(cols, s.X+1)
	}
	return rows, cols
}

func (db *DB) insertSeats(ctx context.Context, tx *sqlx.Tx, auditoriumID, layoutID int64, seats []booking.Seat) error {
	if len(seats) == 0 {
		return nil
	}
	var rowLabels, kinds, zones []string
	var numbers, xs, ys []int64
	for _, s := range seats {
		rowLabels = append(rowLabels, s.Row)
		numbers = append(numbers, int64(s.Number))
		xs = append(xs, int64(s.X))
		ys = append(ys, int64(s.Y))
		kinds = append(kinds, s.Kind)
		zones = append(zones, s.Zone)
	}
	_, err := db.txExec(ctx, tx, `
		INSERT INTO seats (auditorium_id, layout_id, row_label, number, x, y, kind, zone)
		SELECT $1, $2, u.row_label, u.number, u.x, u.y, u.kind, u.zone
		FROM unnest($3::text[], $4::int[], $5::int[], $6::int[], $7::text[], $8::text[])
		     AS u(row_label, number, x, y, kind, zone)`,
		auditoriumID, layoutID, pq.Array(rowLabels), pq.Array(numbers), pq.Array(xs), pq.Array(ys),
		pq.Array(kinds), pq.Array(zones))
	return err
}

// SeatUses says what refers to each seat of a layout version at now (seats
// nothing refers to are left out): see booking.SeatUse. Claims and order
// items of a version's seats only exist for showtimes that pin it.
func (db *DB) SeatUses(ctx context.Context, layoutID int64, now time.Time) (map[int64]booking.SeatUse, error) {
	return seatUses(ctx, db.x, layoutID, now)
}

type queryer interface {
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

func seatUses(ctx context.Context, q queryer, layoutID int64, now time.Time) (map[int64]booking.SeatUse, error) {
	var rows []struct {
		SeatID int64 `db:"seat_id"`
		Sold   bool  `db:"sold"`
	}
	err := q.SelectContext(ctx, &rows, `
		SELECT c.seat_id,
		       (st.status = 'scheduled' AND st.ends_at > $2 AND (c.expires_at IS NULL OR c.expires_at > $2)) AS sold
		FROM showtimes st JOIN seat_claims c ON c.showtime_id = st.id
		WHERE st.layout_id = $1
		UNION ALL
		SELECT i.seat_id, (st.status = 'scheduled' AND st.ends_at > $2 AND i.status = 'sold') AS sold
		FROM showtimes st JOIN order_items i ON i.showtime_id = st.id
		WHERE st.layout_id = $1`, layoutID, now)
	if err != nil {
		return nil, fmt.Errorf("uses of layout %d: %w", layoutID, err)
	}
	uses := map[int64]booking.SeatUse{}
	for _, r := range rows {
		u := uses[r.SeatID]
		u.Referenced = true
		u.Sold = u.Sold || r.Sold
		uses[r.SeatID] = u
	}
	return uses, nil
}

// SaveLayout is a layout saved from the editor or an import.
type SaveLayout struct {
	AuditoriumID int64
	LayoutID     int64 // the version the editor showed: refused if another was saved since
	Seats        []booking.Seat
	NewVersion   bool // save as a new version (else in place, if no sale is in the way)
	Now          time.Time
}

// LayoutSaved is what saving did.
type LayoutSaved struct {
	LayoutID      int64
	Version       int
	NewVersion    bool
	Before, After []booking.Seat
	Plan          booking.LayoutPlan // in place: what changed (Blockers when refused)
	Moved         int                // coming showtimes that moved to the new version
	Kept          []KeptShowtime     // coming showtimes with sales that keep an older version
}

// KeptShowtime is a coming showtime with sales left on an older version.
type KeptShowtime struct {
	ID       int64     `db:"id"`
	StartsAt time.Time `db:"starts_at"`
	Title    string    `db:"title"`
	Version  int       `db:"version"`
}

// SaveLayout changes an auditorium's layout in one short transaction. In
// place it applies booking.PlanLayoutChange to the seats and their uses as
// read under lock; when the plan has blockers nothing changes and the error
// is booking.ErrLayoutInUse (the result carries the blockers). As a new
// version it inserts the seats as new rows, makes the version current and
// moves to it the coming showtimes that have no claim and no order item;
// those with any keep the version they sold.
//
// The coming showtimes of the auditorium are locked FOR UPDATE first: a new
// seat claim checks its showtime row (FOR KEY SHARE, the foreign key), so no
// hold or sale can slip in between reading the uses and changing the seats.
func (db *DB) SaveLayout(ctx context.Context, r SaveLayout) (LayoutSaved, error) {
	var res LayoutSaved
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		var cur struct {
			LayoutID int64 `db:"layout_id"`
			Version  int   `db:"version"`
		}
		if err := db.txGet(ctx, tx, &cur, `
			SELECT a.layout_id, l.version FROM auditoriums a JOIN seat_layouts l ON l.id = a.layout_id
			WHERE a.id = $1 FOR UPDATE OF a`, r.AuditoriumID); err != nil {
			return err
		}
		if r.LayoutID != 0 && cur.LayoutID != r.LayoutID {
			return booking.Errorf(booking.ECONFLICT, "Someone saved another version of this layout meanwhile. Reload the editor to see it; your changes were not saved.")
		}
		var locked []int64
		if err := tx.SelectContext(ctx, &locked, `
			SELECT id FROM showtimes WHERE auditorium_id = $1 AND ends_at > $2 ORDER BY id FOR UPDATE`,
			r.AuditoriumID, r.Now); err != nil {
			return err
		}
		if err := tx.SelectContext(ctx, &res.Before, `
			SELECT id, auditorium_id, row_label, number, x, y, kind, zone FROM seats
			WHERE layout_id = $1 ORDER BY y, x`, cur.LayoutID); err != nil {
			return err
		}
		res.After = r.Seats
		rows, cols := layoutSize(r.Seats)
		if !r.NewVersion {
			uses, err := seatUses(ctx, tx, cur.LayoutID, r.Now)
			if err != nil {
				return err
			}
			res.Plan = booking.PlanLayoutChange(res.Before, r.Seats, uses)
			if len(res.Plan.Blockers) > 0 {
				return booking.ErrLayoutInUse(res.Plan.Blockers)
			}
			res.LayoutID, res.Version = cur.LayoutID, cur.Version
			if err := db.applyPlan(ctx, tx, r.AuditoriumID, cur.LayoutID, res.Plan); err != nil {
				return err
			}
		} else {
			res.NewVersion = true
			if err := db.txGet(ctx, tx, &res.Version, `
				SELECT max(version) + 1 FROM seat_layouts WHERE auditorium_id = $1`, r.AuditoriumID); err != nil {
				return err
			}
			if err := db.txGet(ctx, tx, &res.LayoutID, `
				INSERT INTO seat_layouts (auditorium_id, version, created_at) VALUES ($1, $2, $3) RETURNING id`,
				r.AuditoriumID, res.Version, r.Now); err != nil {
				return err
			}
			if err := db.insertSeats(ctx, tx, r.AuditoriumID, res.LayoutID, r.Seats); err != nil {
				return err
			}
			n, err := db.txExec(ctx, tx, `
				UPDATE showtimes st SET layout_id = $2
				WHERE st.auditorium_id = $1 AND st.starts_at > $3 AND st.layout_id <> $2
				  AND NOT EXISTS (SELECT 1 FROM seat_claims c WHERE c.showtime_id = st.id)
				  AND NOT EXISTS (SELECT 1 FROM order_items i WHERE i.showtime_id = st.id)`,
				r.AuditoriumID, res.LayoutID, r.Now)
			if err != nil {
				return err
			}
			res.Moved = int(n)
		}
		if _, err := db.txExec(ctx, tx, `
			UPDATE auditoriums SET layout_id = $2, rows = $3, cols = $4, capacity = $5 WHERE id = $1`,
			r.AuditoriumID, res.LayoutID, rows, cols, booking.SellableCount(r.Seats)); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &res.Kept, `
			SELECT st.id, st.starts_at, m.title, l.version
			FROM showtimes st JOIN movies m ON m.id = st.movie_id JOIN seat_layouts l ON l.id = st.layout_id
			WHERE st.auditorium_id = $1 AND st.ends_at > $2 AND st.status = 'scheduled' AND st.layout_id <> $3
			ORDER BY st.starts_at`, r.AuditoriumID, r.Now, res.LayoutID)
	})
	if err != nil {
		return res, fmt.Errorf("save layout of auditorium %d: %w", r.AuditoriumID, err)
	}
	return res, nil
}

// applyPlan changes a version's seats in place (the place constraints are
// deferred to the commit, so seats may swap places).
func (db *DB) applyPlan(ctx context.Context, tx *sqlx.Tx, auditoriumID, layoutID int64, p booking.LayoutPlan) error {
	if len(p.Remove) > 0 {
		if _, err := db.txExec(ctx, tx, `DELETE FROM seats WHERE layout_id = $1 AND id = ANY($2)`,
			layoutID, pq.Array(p.Remove)); err != nil {
			return err
		}
	}
	if len(p.Update) > 0 {
		var ids, xs, ys []int64
		var kinds, zones []string
		for _, s := range p.Update {
			ids = append(ids, s.ID)
			xs = append(xs, int64(s.X))
			ys = append(ys, int64(s.Y))
			kinds = append(kinds, s.Kind)
			zones = append(zones, s.Zone)
		}
		if _, err := db.txExec(ctx, tx, `
			UPDATE seats s SET x = u.x, y = u.y, kind = u.kind, zone = u.zone
			FROM unnest($2::bigint[], $3::int[], $4::int[], $5::text[], $6::text[]) AS u(id, x, y, kind, zone)
			WHERE s.id = u.id AND s.layout_id = $1`,
			layoutID, pq.Array(ids), pq.Array(xs), pq.Array(ys), pq.Array(kinds), pq.Array(zones)); err != nil {
			return err
		}
	}
	return db.insertSeats(ctx, tx, auditoriumID, layoutID, p.Add)
}
