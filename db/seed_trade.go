package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// SeedTrade gives a freshly seeded demo programme a past: the programme's
// first week repeated for the weeks before now, and trade on every show
// that has already played — online, box office (cash, card, split) and API
// sales with 20 % VAT in the price, booking fees, full and partial refunds,
// check-ins — so every report shows real figures on a fresh machine. All of
// it is set-based SQL in one transaction (the report triggers see it as the
// application's writes would, or are rebuilt from them); figures are pseudo-random but the same for
// the same programme. Demo orders are marked as mailed, so nobody is sent
// thousands of confirmations. It returns the number of tickets sold.
func (db *DB) SeedTrade(ctx context.Context, now time.Time, weeks int) (int, error) {
	var tickets int
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, q := range seedTradeSQL {
			var args []any
			if strings.Contains(q, "$1") {
				args = []any{now, weeks}
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("%w\n%s", err, q)
			}
		}
		return tx.GetContext(ctx, &tickets, `SELECT count(*) FROM demo_sold`)
	})
	if err != nil {
		return 0, fmt.Errorf("seed trade: %w", err)
	}
	return tickets, nil
}

// A statement takes $1 (now) and $2 (weeks), or neither.
var seedTradeSQL = []string{
	// The weeks before: the programme's shows moved back by whole weeks;
	// one that would overlap a show already there is left out.
	`INSERT INTO showtimes (movie_id, auditorium_id, starts_at, ends_at, ready_at, sales_close_at, counter_close_at, price_card_id, format)
	 SELECT s.movie_id, s.auditorium_id, s.starts_at - w * interval '7 days', s.ends_at - w * interval '7 days',
	        s.ready_at - w * interval '7 days', s.sales_close_at - w * interval '7 days', s.counter_close_at - w * interval '7 days',
	        s.price_card_id, s.format
	 FROM showtimes s CROSS JOIN generate_series(1, $2::int) w
	 WHERE s.starts_at >= $1::timestamptz - interval '1 day' AND s.ready_at - w * interval '7 days' < $1::timestamptz - interval '1 hour'
	 ORDER BY s.starts_at, w
	 ON CONFLICT DO NOTHING`,
	// Bulk loading: when the role may (a development superuser), row
	// triggers (foreign keys, the report summaries, seat notifications) are
	// off for the rest of the transaction and the summaries rebuilt at the
	// end; otherwise they run, only slower.
	`DO $$ BEGIN
	     IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
	         SET LOCAL session_replication_role = replica;
	     END IF;
	 END $$`,
	// The seats sold: a share of each show (more at weekends), tickets typed
	// and priced from the show's price card.
	`CREATE TEMP TABLE demo_sold ON COMMIT DROP AS
	 WITH st AS (
	     SELECT s.id, s.price_card_id, s.starts_at, a.id AS aud, a.capacity,
	            10 + abs(hashtext('fill' || s.id)) % 40
	               + CASE WHEN extract(isodow FROM s.starts_at AT TIME ZONE t.time_zone) IN (5, 6) THEN 20 ELSE 0 END AS fill,
	            1 + abs(hashtext('group' || s.id)) % 4 AS size
	     FROM showtimes s JOIN auditoriums a ON a.id = s.auditorium_id JOIN theatres t ON t.id = a.theatre_id
	     WHERE s.starts_at < $1::timestamptz - interval '3 hours' AND $2::int > 0
	 ), seats AS (
	     SELECT st.id AS showtime_id, st.price_card_id, st.starts_at, st.size, st.capacity, st.fill, se.id AS seat_id, se.kind,
	            row_number() OVER (PARTITION BY st.id ORDER BY hashtext(se.id || '/' || st.id)) AS rn
	     FROM st JOIN seats se ON se.auditorium_id = st.aud
	 )
	 SELECT x.showtime_id, x.starts_at, x.seat_id, (x.rn - 1) / x.size AS grp, x.ticket_type, p.amount_cents AS price_cents,
	        round(p.amount_cents / 6.0)::bigint AS tax_cents -- 20 % VAT included in the price
	 FROM (SELECT seats.*,
	              CASE abs(hashtext('type' || seat_id || '/' || showtime_id)) % 10 WHEN 0 THEN 'child' WHEN 1 THEN 'child'
	                   WHEN 2 THEN 'senior' WHEN 3 THEN 'student' ELSE 'adult' END AS ticket_type
	       FROM seats WHERE rn <= capacity * fill / 100) x
	 JOIN price_card_prices p ON p.price_card_id = x.price_card_id AND p.ticket_type = x.ticket_type AND p.seat_kind = x.kind`,
	// The orders: a channel each, paid some time before the show.
	`CREATE TEMP TABLE demo_orders ON COMMIT DROP AS
	 SELECT showtime_id, grp, code, channel, h, n, sub,
	        CASE WHEN channel = 'counter' THEN 0 ELSE 100 * n END AS fee,
	        CASE WHEN channel = 'counter' THEN starts_at - (h % 40) * interval '1 minute' - interval '5 minutes'
	             ELSE starts_at - (1 + h % 200) * interval '1 hour' END AS paid_at,
	        starts_at, 0::bigint AS id
	 FROM (SELECT showtime_id, grp, min(starts_at) AS starts_at, count(*) AS n, sum(price_cents) AS sub,
	              'D' || upper(substr(md5(showtime_id || '-' || grp), 1, 11)) AS code,
	              abs(hashtext('order' || showtime_id || '-' || grp)) AS h,
	              CASE WHEN abs(hashtext('order' || showtime_id || '-' || grp)) % 100 < 60 THEN 'online'
	                   WHEN abs(hashtext('order' || showtime_id || '-' || grp)) % 100 < 90 THEN 'counter' ELSE 'api' END AS channel
	       FROM demo_sold GROUP BY showtime_id, grp) g`,
	`INSERT INTO orders (code, email, showtime_id, status, subtotal_cents, fee_cents, total_cents, currency, hold_expires_at,
	                     created_at, paid_at, channel, tax_included, confirmation_sent_at, reminder_sent_at)
	 SELECT code, CASE WHEN channel = 'counter' AND h % 3 > 0 THEN '' ELSE 'guest' || (h % 5000) || '@example.com' END,
	        showtime_id, 'paid', sub, fee, sub + fee, 'usd', paid_at, paid_at - interval '3 minutes', paid_at, channel, true, paid_at, paid_at
	 FROM demo_orders ORDER BY paid_at`,
	`UPDATE demo_orders d SET id = o.id FROM orders o WHERE o.code = d.code`,
	`INSERT INTO order_items (order_id, showtime_id, seat_id, ticket_type, price_cents, tax_cents, status)
	 SELECT d.id, s.showtime_id, s.seat_id, s.ticket_type, s.price_cents, s.tax_cents, 'sold'
	 FROM demo_sold s JOIN demo_orders d ON d.showtime_id = s.showtime_id AND d.grp = s.grp`,
	// Tenders: the demo gateway online and through the API; cash, card or
	// both at the counter.
	`INSERT INTO payments (order_id, provider, kind, status, provider_ref, amount_cents, currency, tendered_cents, change_cents,
	                       card_reference, created_at, updated_at)
	 SELECT id, 'demo', 'checkout', 'succeeded', 'demo_' || code, sub + fee, 'usd', NULL, NULL, NULL, paid_at, paid_at
	 FROM demo_orders WHERE channel <> 'counter'
	 UNION ALL
	 SELECT id, 'cash', 'counter', 'succeeded', NULL, CASE WHEN h % 5 = 0 THEN (sub + fee) / 2 ELSE sub + fee END, 'usd',
	        ceil(CASE WHEN h % 5 = 0 THEN (sub + fee) / 2 ELSE sub + fee END / 500.0)::bigint * 500,
	        ceil(CASE WHEN h % 5 = 0 THEN (sub + fee) / 2 ELSE sub + fee END / 500.0)::bigint * 500 - CASE WHEN h % 5 = 0 THEN (sub + fee) / 2 ELSE sub + fee END,
	        NULL, paid_at, paid_at
	 FROM demo_orders WHERE channel = 'counter' AND (h % 2 = 0 OR h % 5 = 0)
	 UNION ALL
	 SELECT id, 'card_present', 'counter', 'succeeded', NULL, CASE WHEN h % 5 = 0 THEN sub + fee - (sub + fee) / 2 ELSE sub + fee END, 'usd',
	        NULL, NULL, 'T-' || (h % 100000), paid_at, paid_at
	 FROM demo_orders WHERE channel = 'counter' AND (h % 2 = 1 OR h % 5 = 0)`,
	// Refunds (online and API orders): about 4 % cancelled whole, 3 % one seat.
	`CREATE TEMP TABLE demo_refunds ON COMMIT DROP AS
	 SELECT d.id, d.code, d.starts_at, least(d.paid_at + interval '1 day', d.starts_at - interval '3 hours') AS at,
	        d.h % 100 < 4 AS whole,
	        (SELECT array_agg(i.seat_id ORDER BY i.seat_id) FROM order_items i WHERE i.order_id = d.id) AS seats
	 FROM demo_orders d
	 WHERE d.channel <> 'counter' AND (d.h % 100 < 4 OR (d.h % 100 < 7 AND d.n > 1)) AND d.paid_at < d.starts_at - interval '3 hours'`,
	`UPDATE demo_refunds SET seats = seats[1:1] WHERE NOT whole`,
	`UPDATE order_items i SET status = 'cancelled', cancelled_at = r.at
	 FROM demo_refunds r WHERE i.order_id = r.id AND i.seat_id = ANY(r.seats)`,
	`INSERT INTO refunds (order_id, payment_id, reason, seat_ids, tickets_cents, fee_cents, charge_cents, amount_cents, status,
	                      idempotency_key, created_at, completed_at, updated_at, told_at, attempts)
	 SELECT r.id, p.id, 'customer', r.seats, t.cents, 0, 0, t.cents, 'succeeded', 'demo-refund-' || r.code, r.at, r.at, r.at, r.at, 1
	 FROM demo_refunds r
	 JOIN payments p ON p.order_id = r.id
	 CROSS JOIN LATERAL (SELECT sum(price_cents) AS cents FROM order_items WHERE order_id = r.id AND seat_id = ANY(r.seats)) t`,
	`UPDATE payments p SET refunded_cents = f.amount_cents,
	        status = CASE WHEN f.amount_cents >= p.amount_cents THEN 'refunded' ELSE p.status END, updated_at = f.created_at
	 FROM refunds f WHERE f.payment_id = p.id AND f.idempotency_key LIKE 'demo-refund-%'`,
	`UPDATE orders o SET refunded_cents = f.amount_cents, status = CASE WHEN r.whole THEN 'cancelled' ELSE 'partially_refunded' END,
	        cancelled_at = CASE WHEN r.whole THEN r.at END
	 FROM demo_refunds r JOIN refunds f ON f.order_id = r.id WHERE o.id = r.id`,
	// The sold seats stay taken; most of them were admitted at the door.
	`INSERT INTO seat_claims (showtime_id, seat_id, order_id, ticket_type, expires_at, claimed_at)
	 SELECT i.showtime_id, i.seat_id, i.order_id, i.ticket_type, NULL, o.paid_at
	 FROM order_items i JOIN demo_orders o ON o.id = i.order_id WHERE i.status = 'sold'
	 ON CONFLICT DO NOTHING`,
	`UPDATE order_items i SET checked_in_at = d.starts_at - interval '8 minutes' + (abs(hashtext('in' || i.seat_id)) % 15) * interval '1 minute'
	 FROM demo_orders d
	 WHERE i.order_id = d.id AND i.status = 'sold' AND abs(hashtext('door' || i.seat_id || '/' || i.showtime_id)) % 100 < 85
	   AND $2::int > 0 AND d.starts_at < $1::timestamptz`,
	// Film hire terms from the (Friday) film week before the first past week
	// on (they carry on): 35–50 %, some with a minimum guarantee.
	`INSERT INTO film_hire_terms (movie_id, theatre_id, week_start, rate_bp, minimum_cents, updated_at)
	 SELECT DISTINCT s.movie_id, a.theatre_id, w.d - ((extract(dow FROM w.d)::int - 5 + 7) % 7),
	        3500 + (abs(hashtext('rate' || s.movie_id)) % 4) * 500, CASE WHEN s.movie_id % 3 = 0 THEN 25000 ELSE 0 END, $1::timestamptz
	 FROM showtimes s JOIN auditoriums a ON a.id = s.auditorium_id
	 CROSS JOIN (SELECT ($1::timestamptz - ($2::int * 7 + 7) * interval '1 day')::date AS d) w
	 ON CONFLICT DO NOTHING`,
	`SET LOCAL session_replication_role = origin`,
	`SELECT report_rebuild()`,
}
