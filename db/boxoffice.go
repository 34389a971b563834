package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"marquee/booking"
)

// The box office's reads and the door: today's showtimes of a theatre,
// order look-up, and admitting a ticket's seats once.

// BoardShow is a showtime on the box office board, with what the database
// counts for it (the live seat states come from the sales service).
type BoardShow struct {
	booking.Showtime
	Title      string `db:"title"`
	Auditorium string `db:"auditorium"`
	Sold       int    `db:"sold"`     // order items sold
	Admitted   int    `db:"admitted"` // of those, checked in at the door
}

// BoardShows returns the showtimes of a theatre starting in [from, to), by
// start then auditorium, with their sold and admitted tickets.
func (db *DB) BoardShows(ctx context.Context, theatreID int64, from, to time.Time) ([]BoardShow, error) {
	var out []BoardShow
	err := db.selectAll(ctx, &out, `
		SELECT s.id, s.movie_id, s.auditorium_id, s.starts_at, s.ends_at, s.sales_close_at, s.counter_close_at,
		       s.status, s.price_card_id, s.format, m.title, a.name AS auditorium,
		       (SELECT count(*) FROM order_items i WHERE i.showtime_id = s.id AND i.status = 'sold') AS sold,
		       (SELECT count(*) FROM order_items i WHERE i.showtime_id = s.id AND i.status = 'sold'
		                                             AND i.checked_in_at IS NOT NULL) AS admitted
		FROM showtimes s
		JOIN auditoriums a ON a.id = s.auditorium_id
		JOIN movies m ON m.id = s.movie_id
		WHERE a.theatre_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3
		ORDER BY s.starts_at, a.name, s.id`, theatreID, from, to)
	if err != nil {
		return nil, fmt.Errorf("board of theatre %d: %w", theatreID, err)
	}
	return out, nil
}

// FoundOrder is an order found at the box office.
type FoundOrder struct {
	Code       string    `db:"code"`
	Email      string    `db:"email"`
	Name       string    `db:"name"` // the account's name; "" for guests
	Phone      string    `db:"phone"`
	Status     string    `db:"status"`
	TotalCents int64     `db:"total_cents"`
	Seats      int       `db:"seats"`
	CreatedAt  time.Time `db:"created_at"`
	ShowtimeID int64     `db:"showtime_id"`
	Title      string    `db:"title"`
	StartsAt   time.Time `db:"starts_at"`
}

// FindOrders finds orders of the given theatres (nil: every theatre) by
// code (exact), e-mail (exact, any case), phone (the digits typed, six or
// more: the end of the number given at the counter or on the account) or,
// for three characters or more, part of the e-mail or the account's name;
// newest first, at most 50.
func (db *DB) FindOrders(ctx context.Context, q string, theatres []int64) ([]FoundOrder, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	like := ""
	if len([]rune(q)) >= 3 {
		like = "%" + likeEscape(q) + "%"
	}
	phone := booking.PhoneDigits(q)
	if len(phone) < 6 || len(phone) < len(strings.Join(strings.Fields(q), ""))/2 {
		phone = "" // not a phone number
	}
	var out []FoundOrder
	err := db.selectAll(ctx, &out, `
		SELECT o.code, o.email, coalesce(u.name, '') AS name, o.phone, o.status, o.total_cents, o.created_at, o.showtime_id,
		       m.title, s.starts_at,
		       (SELECT count(*) FROM order_items i WHERE i.order_id = o.id AND i.status IN ('reserved', 'sold')) AS seats
		FROM orders o
		LEFT JOIN users u ON u.id = o.user_id
		JOIN showtimes s ON s.id = o.showtime_id
		JOIN auditoriums a ON a.id = s.auditorium_id
		JOIN movies m ON m.id = s.movie_id
		WHERE ($4::bigint[] IS NULL OR a.theatre_id = ANY($4))
		  AND (o.code = upper($1) OR lower(o.email) = lower($1)
		       OR ($2 <> '' AND (o.email ILIKE $2 OR u.name ILIKE $2))
		       OR ($3 <> '' AND (o.phone LIKE '%' || $3
		                         OR regexp_replace(coalesce(u.phone, ''), '[^0-9]', '', 'g') LIKE '%' || $3)))
		ORDER BY o.created_at DESC, o.id DESC
		LIMIT 50`, q, like, phone, theatresArg(theatres))
	if err != nil {
		return nil, fmt.Errorf("find orders: %w", err)
	}
	return out, nil
}

// SetOrderPhone records the phone number given at the counter (digits only).
func (db *DB) SetOrderPhone(ctx context.Context, code, phone string) error {
	if _, err := db.exec(ctx, `UPDATE orders SET phone = $2 WHERE code = $1`, code, booking.PhoneDigits(phone)); err != nil {
		return fmt.Errorf("order %s phone: %w", code, err)
	}
	return nil
}

// OrderTheatre returns the theatre of an order's showtime (ENOTFOUND: no such order).
func (db *DB) OrderTheatre(ctx context.Context, code string) (int64, error) {
	var id int64
	err := db.get(ctx, &id, `
		SELECT a.theatre_id FROM orders o JOIN showtimes s ON s.id = o.showtime_id
		JOIN auditoriums a ON a.id = s.auditorium_id WHERE o.code = $1`, code)
	if err != nil {
		return 0, fmt.Errorf("theatre of order %s: %w", code, err)
	}
	return id, nil
}

// Admit checks in the seats a ticket names (a seat label, or
// booking.TicketAll for every seat of the order) that are sold and not yet
// admitted, for the staff member at now, and reads the ticket back. One
// conditional UPDATE decides: two doors scanning the same ticket at once
// admit it once. The door's theatre and showtime (0: any) refuse tickets
// of other theatres and showtimes, and a show is only entered from two hours
// before its start to its end, before anything changes.
func (db *DB) Admit(ctx context.Context, t booking.Ticket, door booking.Door, staffID int64, now time.Time) (booking.Admission, error) {
	var admitted []int64
	err := db.selectAll(ctx, &admitted, `
		UPDATE order_items i SET checked_in_at = $4, checked_in_by = $5
		FROM orders o, seats s
		WHERE o.code = $1 AND i.order_id = o.id AND s.id = i.seat_id
		  AND ($2 = 'ALL' OR s.row_label || s.number::text = $2)
		  AND ($3 = 0 OR o.showtime_id = $3)
		  AND EXISTS (SELECT 1 FROM showtimes st JOIN auditoriums a ON a.id = st.auditorium_id
		              WHERE st.id = o.showtime_id AND ($7 = 0 OR a.theatre_id = $7)
		                AND $4 >= st.starts_at - $6 * interval '1 second' AND $4 < st.ends_at)
		  AND o.status IN ('paid', 'partially_refunded')
		  AND i.status = 'sold' AND i.checked_in_at IS NULL
		RETURNING i.seat_id`, t.OrderCode, t.Seat, door.ShowtimeID, now, staffID, booking.EntryOpensBefore.Seconds(), door.TheatreID)
	if err != nil {
		return booking.Admission{}, fmt.Errorf("admit %s.%s: %w", t.OrderCode, t.Seat, err)
	}
	a, err := db.ticketAtDoor(ctx, t)
	if err != nil {
		return a, err
	}
	ids := make(map[int64]bool, len(admitted))
	for _, id := range admitted {
		ids[id] = true
	}
	return booking.Judge(a, door, ids, now), nil
}

// DoorCounts returns, for showtimes, the tickets admitted and expected (sold).
func (db *DB) DoorCounts(ctx context.Context, showtimeIDs []int64) (map[int64][2]int, error) {
	var rows []struct {
		ID       int64 `db:"showtime_id"`
		Admitted int   `db:"admitted"`
		Expected int   `db:"expected"`
	}
	err := db.selectAll(ctx, &rows, `
		SELECT i.showtime_id, count(*) FILTER (WHERE i.checked_in_at IS NOT NULL) AS admitted, count(*) AS expected
		FROM order_items i WHERE i.showtime_id = ANY($1) AND i.status = 'sold'
		GROUP BY i.showtime_id`, pq.Array(showtimeIDs))
	if err != nil {
		return nil, fmt.Errorf("door counts: %w", err)
	}
	out := make(map[int64][2]int, len(rows))
	for _, r := range rows {
		out[r.ID] = [2]int{r.Admitted, r.Expected}
	}
	return out, nil
}

// Unadmit undoes the check-in of a ticket's seats; it returns how many seats
// it let out again (0: none was admitted).
func (db *DB) Unadmit(ctx context.Context, t booking.Ticket) (booking.Admission, int, error) {
	res, err := db.exec(ctx, `
		UPDATE order_items i SET checked_in_at = NULL, checked_in_by = NULL
		FROM orders o, seats s
		WHERE o.code = $1 AND i.order_id = o.id AND s.id = i.seat_id
		  AND ($2 = 'ALL' OR s.row_label || s.number::text = $2)
		  AND i.checked_in_at IS NOT NULL`, t.OrderCode, t.Seat)
	if err != nil {
		return booking.Admission{}, 0, fmt.Errorf("undo check-in of %s.%s: %w", t.OrderCode, t.Seat, err)
	}
	n, _ := res.RowsAffected()
	a, err := db.ticketAtDoor(ctx, t)
	return a, int(n), err
}

// ticketAtDoor reads the order and seats a ticket names, with who admitted
// each; an unknown order gives an Admission without OrderCode.
func (db *DB) ticketAtDoor(ctx context.Context, t booking.Ticket) (booking.Admission, error) {
	var rows []struct {
		booking.AdmitSeat
		OrderCode   string    `db:"code"`
		OrderStatus string    `db:"order_status"`
		ShowtimeID  int64     `db:"showtime_id"`
		TheatreID   int64     `db:"theatre_id"`
		Theatre     string    `db:"theatre_name"`
		Title       string    `db:"title"`
		StartsAt    time.Time `db:"starts_at"`
		EndsAt      time.Time `db:"ends_at"`
	}
	err := db.selectAll(ctx, &rows, `
		SELECT o.code, o.status AS order_status, o.showtime_id, au.theatre_id, th.name AS theatre_name, m.title, st.starts_at, st.ends_at,
		       coalesce(i.seat_id, 0) AS seat_id, coalesce(s.row_label || s.number::text, '') AS label,
		       coalesce(i.ticket_type, '') AS ticket_type, coalesce(tt.name, '') AS ticket_name,
		       coalesce(tt.proof_required, false) AS proof_required, coalesce(tt.proof_note, '') AS proof_note,
		       coalesce(i.status, '') AS status, i.checked_in_at,
		       coalesce(nullif(u.name, ''), u.email, '') AS checked_in_by
		FROM orders o
		JOIN showtimes st ON st.id = o.showtime_id
		JOIN movies m ON m.id = st.movie_id
		JOIN auditoriums au ON au.id = st.auditorium_id
		JOIN theatres th ON th.id = au.theatre_id
		LEFT JOIN (order_items i JOIN seats s ON s.id = i.seat_id AND ($2 = 'ALL' OR s.row_label || s.number::text = $2))
		     ON i.order_id = o.id
		LEFT JOIN ticket_types tt ON tt.code = i.ticket_type
		LEFT JOIN users u ON u.id = i.checked_in_by
		WHERE o.code = $1
		ORDER BY s.y, s.x`, t.OrderCode, t.Seat)
	if err != nil {
		return booking.Admission{}, fmt.Errorf("ticket %s.%s: %w", t.OrderCode, t.Seat, err)
	}
	var a booking.Admission
	for _, r := range rows {
		a.OrderCode, a.OrderStatus, a.ShowtimeID, a.Title, a.StartsAt, a.EndsAt = r.OrderCode, r.OrderStatus, r.ShowtimeID, r.Title, r.StartsAt, r.EndsAt
		a.TheatreID, a.TheatreName = r.TheatreID, r.Theatre
		if r.SeatID != 0 {
			a.Seats = append(a.Seats, r.AdmitSeat)
		}
	}
	return a, nil
}
