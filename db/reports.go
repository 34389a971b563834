package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"marquee/booking"
)

// Reports read the summary tables the triggers of migration 00022 keep
// (report_sales, report_tenders: per showtime), never the orders themselves,
// so a year of a busy cinema is a few hundred thousand summary rows at most.
// The business day is computed here from each showtime's start in its
// theatre's zone (the same rule as booking.ReportRules.BusinessDay).

// Report dimensions: what a sales report is broken down by.
const (
	ByDay        = "day"
	ByMovie      = "movie"
	ByTheatre    = "theatre"
	ByAuditorium = "auditorium"
	ByShowtime   = "showtime"
	ByTicketType = "type"
	ByChannel    = "channel"
	ByTender     = "tender"
)

// ReportDimensions lists them in menu order.
var ReportDimensions = []string{ByDay, ByMovie, ByTheatre, ByAuditorium, ByShowtime, ByTicketType, ByChannel, ByTender}

// SalesQuery is a sales report's question.
type SalesQuery struct {
	Scope     booking.Scope
	TheatreID int64 // 0: every theatre of the scope
	Range     booking.DateRange
	Rules     booking.ReportRules
	By        string
}

// SalesRow is one row of a sales report; the total row has Total set.
type SalesRow struct {
	Key, Label string
	Cancelled  bool // a cancelled showtime (ByShowtime)
	Total      bool
	booking.SalesFigures
}

// TenderRow is one row of the tender report.
type TenderRow struct {
	Provider string
	Total    bool
	booking.TenderFigures
}

// salesDim says how a dimension groups: its key, label and sort
// expressions over the showtimes in range (st) and the joins they need.
// perShow dimensions group whole showtimes (so capacity adds up); the others
// group summary rows (r).
type salesDim struct {
	key, label, sort, joins string
	perShow                 bool
}

var salesDims = map[string]salesDim{
	ByDay:     {key: `st.day::text`, label: `st.day::text`, sort: `st.day::text`, perShow: true},
	ByMovie:   {key: `st.movie_id::text`, label: `m.title`, sort: `lower(m.title) || m.id`, joins: `JOIN movies m ON m.id = st.movie_id`, perShow: true},
	ByTheatre: {key: `st.theatre_id::text`, label: `th.name`, sort: `th.name`, joins: `JOIN theatres th ON th.id = st.theatre_id`, perShow: true},
	ByAuditorium: {key: `st.auditorium_id::text`, label: `th.name || ' · ' || au.name`, sort: `th.name || ' · ' || au.name`,
		joins: `JOIN theatres th ON th.id = st.theatre_id JOIN auditoriums au ON au.id = st.auditorium_id`, perShow: true},
	ByShowtime: {key: `st.id::text`,
		label:   `to_char(st.starts_at AT TIME ZONE st.time_zone, 'YYYY-MM-DD HH24:MI') || ' · ' || m.title || ' · ' || th.name || ' · ' || au.name`,
		sort:    `to_char(st.starts_at, 'YYYY-MM-DD HH24:MI:SS') || st.id`,
		joins:   `JOIN movies m ON m.id = st.movie_id JOIN theatres th ON th.id = st.theatre_id JOIN auditoriums au ON au.id = st.auditorium_id`,
		perShow: true},
	ByTicketType: {key: `r.ticket_type`, label: `coalesce(tt.name, CASE WHEN r.ticket_type = '' THEN 'Whole orders (booking fees, refunds)' ELSE r.ticket_type END)`,
		sort: `lpad(coalesce(tt.sort, 9999)::text, 5, '0') || r.ticket_type`, joins: `LEFT JOIN ticket_types tt ON tt.code = r.ticket_type`},
	ByChannel: {key: `r.channel`, label: `r.channel`, sort: `CASE r.channel WHEN 'online' THEN '1' WHEN 'counter' THEN '2' WHEN 'api' THEN '3' ELSE '9' || r.channel END`},
}

// showsInRangeSQL picks the showtimes whose business day is in the range:
// $1/$2 bound the start generously (UTC), $3 is the business day's end in
// seconds after midnight, $4 all theatres, $5 the scope's theatres, $6 one
// theatre (0: any), $7/$8 the first and last business day.
const showsInRangeSQL = `
	st AS (
		SELECT * FROM (
			SELECT s.id, s.movie_id, s.auditorium_id, a.theatre_id, s.status, a.capacity, s.starts_at, t.time_zone,
			       ((s.starts_at AT TIME ZONE t.time_zone) - make_interval(secs => $3))::date AS day
			FROM showtimes s
			JOIN auditoriums a ON a.id = s.auditorium_id
			JOIN theatres t ON t.id = a.theatre_id
			WHERE s.starts_at >= $1 AND s.starts_at < $2
			  AND ($4 OR a.theatre_id = ANY($5::bigint[])) AND ($6 = 0 OR a.theatre_id = $6)
		) x WHERE day BETWEEN $7 AND $8
	)`

const salesSums = `sold, sold_cents, sold_tax_cents, refunded, refunded_cents, refunded_tax_cents, admitted, orders,
	fee_cents, refund_cents, refund_fee_cents, charge_cents`

func sumsOf(prefix string) string {
	var b strings.Builder
	for i, c := range strings.Split(salesSums, ",") {
		c = strings.TrimSpace(c)
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "coalesce(sum(%s%s), 0) AS %s", prefix, c, c)
	}
	return b.String()
}

func salesSQL(d salesDim) string {
	if d.perShow {
		// Each show's sums by its summary rows' index (a lateral lookup:
		// the planner can't misjudge a join of two CTEs into a nested loop).
		return `WITH ` + showsInRangeSQL + `
		SELECT coalesce(` + d.key + `, '') AS key, coalesce(min(` + d.label + `), '') AS label, coalesce(min(` + d.sort + `), '') AS sort,
		       grouping(` + d.key + `) = 1 AS total, coalesce(bool_and(st.status = 'cancelled'), false) AS cancelled,
		       ` + sumsOf("per.") + `,
		       coalesce(sum(st.capacity) FILTER (WHERE st.status = 'scheduled'), 0) AS capacity,
		       count(*) FILTER (WHERE st.status = 'scheduled') AS shows
		FROM st
		CROSS JOIN LATERAL (SELECT ` + sumsOf("r.") + ` FROM report_shows r WHERE r.showtime_id = st.id) per ` + d.joins + `
		GROUP BY GROUPING SETS ((` + d.key + `), ())
		ORDER BY grouping(` + d.key + `), sort`
	}
	return `WITH ` + showsInRangeSQL + `
		SELECT coalesce(` + d.key + `, '') AS key, coalesce(min(` + d.label + `), '') AS label, coalesce(min(` + d.sort + `), '') AS sort,
		       grouping(` + d.key + `) = 1 AS total, false AS cancelled,
		       ` + sumsOf("r.") + `,
		       CASE WHEN grouping(` + d.key + `) = 1 THEN (SELECT coalesce(sum(capacity), 0) FROM st WHERE status = 'scheduled') ELSE 0 END AS capacity,
		       CASE WHEN grouping(` + d.key + `) = 1 THEN (SELECT count(*) FROM st WHERE status = 'scheduled') ELSE 0 END AS shows
		FROM report_sales r JOIN st ON st.id = r.showtime_id ` + d.joins + `
		GROUP BY GROUPING SETS ((` + d.key + `), ())
		ORDER BY grouping(` + d.key + `), sort`
}

const tenderSQL = `WITH ` + showsInRangeSQL + `
	SELECT coalesce(p.provider, '') AS key, grouping(p.provider) = 1 AS total,
	       coalesce(sum(p.payments), 0) AS payments, coalesce(sum(p.taken_cents), 0) AS taken_cents,
	       coalesce(sum(p.refunded_cents), 0) AS refunded_cents
	FROM report_tenders p JOIN st ON st.id = p.showtime_id
	GROUP BY GROUPING SETS ((p.provider), ())
	ORDER BY grouping(p.provider), p.provider`

type salesRowDB struct {
	Key       string `db:"key"`
	Label     string `db:"label"`
	Sort      string `db:"sort"`
	Total     bool   `db:"total"`
	Cancelled bool   `db:"cancelled"`
	Sold      int64  `db:"sold"`
	SoldCents int64  `db:"sold_cents"`
	SoldTax   int64  `db:"sold_tax_cents"`
	Refunded  int64  `db:"refunded"`
	RefCents  int64  `db:"refunded_cents"`
	RefTax    int64  `db:"refunded_tax_cents"`
	Admitted  int64  `db:"admitted"`
	Orders    int64  `db:"orders"`
	Fee       int64  `db:"fee_cents"`
	Refund    int64  `db:"refund_cents"`
	RefundFee int64  `db:"refund_fee_cents"`
	Charge    int64  `db:"charge_cents"`
	Capacity  int64  `db:"capacity"`
	Shows     int64  `db:"shows"`
}

// rangeArgs are the arguments of showsInRangeSQL.
func rangeArgs(scope booking.Scope, theatreID int64, r booking.DateRange, rules booking.ReportRules) []any {
	ids := scope.Theatres
	if ids == nil {
		ids = []int64{}
	}
	return []any{r.From.AddDate(0, 0, -2), r.To.AddDate(0, 0, 3), rules.BusinessDayEnds.Seconds(),
		scope.All, pq.Array(ids), theatreID, r.From.Format(booking.DateLayout), r.To.Format(booking.DateLayout)}
}

// SalesReport answers a sales report: a row per key of the dimension (every
// showtime in range counts for the showtime dimensions, sold or not), then
// the total row. Unknown dimensions are EINVALID.
func (db *DB) SalesReport(ctx context.Context, q SalesQuery) ([]SalesRow, error) {
	d, ok := salesDims[q.By]
	if !ok {
		return nil, booking.Invalid("by", "Unknown report.")
	}
	var rows []salesRowDB
	if err := db.selectAll(ctx, &rows, salesSQL(d), rangeArgs(q.Scope, q.TheatreID, q.Range, q.Rules)...); err != nil {
		return nil, fmt.Errorf("sales report by %s: %w", q.By, err)
	}
	out := make([]SalesRow, len(rows))
	for i, r := range rows {
		out[i] = SalesRow{Key: r.Key, Label: r.Label, Total: r.Total, Cancelled: r.Cancelled && !r.Total, SalesFigures: booking.SalesFigures{
			Sold: r.Sold, SoldCents: r.SoldCents, SoldTaxCents: r.SoldTax, Refunded: r.Refunded, RefundedCents: r.RefCents,
			RefundedTax: r.RefTax, Admitted: r.Admitted, Orders: r.Orders, FeeCents: r.Fee, RefundCents: r.Refund,
			RefundFee: r.RefundFee, ChargeCents: r.Charge, Capacity: r.Capacity, Shows: r.Shows,
		}}
		if q.By == ByTicketType || q.By == ByChannel {
			if !r.Total {
				out[i].Capacity, out[i].Shows = 0, 0
			}
		}
	}
	if len(out) == 0 || !out[len(out)-1].Total { // GROUPING SETS always yields the () row; be safe
		out = append(out, SalesRow{Total: true})
	}
	return out, nil
}

// TenderReport answers the tender breakdown: per payment provider, then the total row.
func (db *DB) TenderReport(ctx context.Context, q SalesQuery) ([]TenderRow, error) {
	var rows []struct {
		Key      string `db:"key"`
		Total    bool   `db:"total"`
		Payments int64  `db:"payments"`
		Taken    int64  `db:"taken_cents"`
		Refunded int64  `db:"refunded_cents"`
	}
	if err := db.selectAll(ctx, &rows, tenderSQL, rangeArgs(q.Scope, q.TheatreID, q.Range, q.Rules)...); err != nil {
		return nil, fmt.Errorf("tender report: %w", err)
	}
	out := make([]TenderRow, len(rows))
	for i, r := range rows {
		out[i] = TenderRow{Provider: r.Key, Total: r.Total, TenderFigures: booking.TenderFigures{Payments: r.Payments, TakenCents: r.Taken, RefundedCents: r.Refunded}}
	}
	if len(out) == 0 || !out[len(out)-1].Total {
		out = append(out, TenderRow{Total: true})
	}
	return out, nil
}

// --- distributor returns ---

// querier runs a query into dest: prepared on the pool, or plain in a transaction.
type querier func(ctx context.Context, dest any, query string, args ...any) error

func txQuerier(tx *sqlx.Tx) querier {
	return func(ctx context.Context, dest any, query string, args ...any) error {
		return mapErr(sqlx.SelectContext(ctx, tx, dest, query, args...))
	}
}

type returnLineDB struct {
	MovieID    int64  `db:"movie_id"`
	Title      string `db:"title"`
	TicketType string `db:"ticket_type"`
	Admissions int64  `db:"admissions"`
	Gross      int64  `db:"gross_cents"`
	Tax        int64  `db:"tax_cents"`
}

// liveWeekSQL: the live figures of one theatre's film week, per film and
// ticket type (a film with shows but no sales has one line of ticket type ”).
const liveWeekSQL = `
	WITH st AS (
		SELECT * FROM (
			SELECT s.id, s.movie_id,
			       ((s.starts_at AT TIME ZONE t.time_zone) - make_interval(secs => $4))::date AS day
			FROM showtimes s
			JOIN auditoriums a ON a.id = s.auditorium_id
			JOIN theatres t ON t.id = a.theatre_id
			WHERE a.theatre_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3
		) x WHERE day BETWEEN $5::date AND $5::date + 6
	)
	SELECT st.movie_id, m.title, coalesce(r.ticket_type, '') AS ticket_type,
	       coalesce(sum(r.sold - r.refunded), 0) AS admissions,
	       coalesce(sum(r.sold_cents - r.refunded_cents), 0) AS gross_cents,
	       coalesce(sum(r.sold_tax_cents - r.refunded_tax_cents), 0) AS tax_cents
	FROM st
	JOIN movies m ON m.id = st.movie_id
	LEFT JOIN report_sales r ON r.showtime_id = st.id AND r.ticket_type <> ''
	GROUP BY st.movie_id, m.title, r.ticket_type`

func (db *DB) liveWeek(ctx context.Context, q querier, theatreID int64, week time.Time, rules booking.ReportRules) ([]returnLineDB, error) {
	var rows []returnLineDB
	err := q(ctx, &rows, liveWeekSQL, theatreID, week.AddDate(0, 0, -2), week.AddDate(0, 0, 10),
		rules.BusinessDayEnds.Seconds(), week.Format(booking.DateLayout))
	if err != nil {
		return nil, fmt.Errorf("film week %s: %w", week.Format(booking.DateLayout), err)
	}
	return rows, nil
}

// dirtyWeeksSQL: the closed weeks of a theatre before $2 whose tickets were
// cancelled at or after (a margin before) their closing — the only way a
// closed week's figures change. False positives only cost a comparison.
const dirtyWeeksSQL = `
	SELECT DISTINCT w.week_start
	FROM order_items i
	JOIN showtimes s ON s.id = i.showtime_id
	JOIN auditoriums a ON a.id = s.auditorium_id
	JOIN theatres t ON t.id = a.theatre_id
	JOIN distributor_weeks w ON w.theatre_id = a.theatre_id
	     AND w.week_start = (((s.starts_at AT TIME ZONE t.time_zone) - make_interval(secs => $3))::date
	          - ((extract(dow FROM ((s.starts_at AT TIME ZONE t.time_zone) - make_interval(secs => $3))::date)::int - $4 + 7) % 7))
	WHERE i.cancelled_at >= $5::timestamptz - interval '10 minutes'
	  AND a.theatre_id = $1 AND w.week_start < $2::date
	  AND i.cancelled_at >= w.closed_at - interval '10 minutes'
	ORDER BY 1`

// reportedSQL: what earlier returns reported for closed week $2 (its own
// return and every adjustment since), per film and ticket type.
const reportedLinesSQL = `
	SELECT l.movie_id, '' AS title, l.ticket_type, sum(l.admissions) AS admissions, sum(l.gross_cents) AS gross_cents, sum(l.tax_cents) AS tax_cents
	FROM distributor_lines l WHERE l.theatre_id = $1 AND l.for_week = $2::date
	GROUP BY l.movie_id, l.ticket_type`

const reportedHireSQL = `
	SELECT movie_id, max(title) AS title, sum(hire_cents) AS hire_cents
	FROM distributor_films WHERE theatre_id = $1 AND for_week = $2::date
	GROUP BY movie_id`

// termsSQL: each film's terms for week $2 at theatre $1: the week's own, or
// the latest earlier week's.
const termsSQL = `
	SELECT DISTINCT ON (movie_id) movie_id, week_start, rate_bp, minimum_cents
	FROM film_hire_terms
	WHERE theatre_id = $1 AND week_start <= $2::date AND movie_id = ANY($3::bigint[])
	ORDER BY movie_id, week_start DESC`

type termsDB struct {
	MovieID int64     `db:"movie_id"`
	Week    time.Time `db:"week_start"`
	RateBP  int       `db:"rate_bp"`
	Minimum int64     `db:"minimum_cents"`
}

func (db *DB) termsFor(ctx context.Context, q querier, theatreID int64, week time.Time, movies []int64) (map[int64]booking.HireTerms, error) {
	var rows []termsDB
	if err := q(ctx, &rows, termsSQL, theatreID, week.Format(booking.DateLayout), pq.Array(movies)); err != nil {
		return nil, fmt.Errorf("film hire terms: %w", err)
	}
	out := map[int64]booking.HireTerms{}
	for _, r := range rows {
		out[r.MovieID] = booking.HireTerms{Set: true, RateBP: r.RateBP, MinimumCents: r.Minimum, From: r.Week.UTC()}
	}
	return out, nil
}

// groupLines turns rows into films (by movie) in first-seen order.
func groupLines(rows []returnLineDB) (order []int64, titles map[int64]string, lines map[int64][]booking.ReturnLine) {
	titles, lines = map[int64]string{}, map[int64][]booking.ReturnLine{}
	for _, r := range rows {
		if _, ok := titles[r.MovieID]; !ok {
			order = append(order, r.MovieID)
			titles[r.MovieID] = r.Title
			lines[r.MovieID] = nil
		}
		if r.TicketType != "" {
			lines[r.MovieID] = append(lines[r.MovieID], booking.ReturnLine{TicketType: r.TicketType, Admissions: r.Admissions, GrossCents: r.Gross, TaxCents: r.Tax})
		}
	}
	return order, titles, lines
}

// liveReturn computes an open week's return: the week's own films at their
// terms and the adjustments to earlier closed weeks.
func (db *DB) liveReturn(ctx context.Context, q querier, t booking.Theatre, week time.Time, rules booking.ReportRules) (booking.Return, error) {
	ret := booking.Return{TheatreID: t.ID, Theatre: t.Name, Week: week}
	rows, err := db.liveWeek(ctx, q, t.ID, week, rules)
	if err != nil {
		return ret, err
	}
	order, titles, lines := groupLines(rows)
	terms, err := db.termsFor(ctx, q, t.ID, week, order)
	if err != nil {
		return ret, err
	}
	for _, id := range order {
		ret.Films = append(ret.Films, booking.FilmReturn(id, titles[id], week, lines[id], terms[id]))
	}
	// The first closing of the theatre bounds the cancellations to look at
	// (a bound, not a subquery: the planner then takes the index).
	var first []time.Time
	if err := q(ctx, &first, `SELECT closed_at FROM distributor_weeks WHERE theatre_id = $1 AND week_start < $2::date ORDER BY closed_at LIMIT 1`,
		t.ID, week.Format(booking.DateLayout)); err != nil {
		return ret, fmt.Errorf("first closed week: %w", err)
	}
	var dirty []time.Time
	if len(first) == 1 {
		if err := q(ctx, &dirty, dirtyWeeksSQL, t.ID, week.Format(booking.DateLayout), rules.BusinessDayEnds.Seconds(), int(rules.FilmWeekStarts), first[0]); err != nil {
			return ret, fmt.Errorf("changed closed weeks: %w", err)
		}
	}
	for _, c := range dirty {
		c = c.UTC()
		adj, err := db.adjustments(ctx, q, t.ID, c, rules)
		if err != nil {
			return ret, err
		}
		ret.Adjustments = append(ret.Adjustments, adj...)
	}
	ret.SortFilms()
	return ret, nil
}

// adjustments compares closed week c's live figures with what was reported for it.
func (db *DB) adjustments(ctx context.Context, q querier, theatreID int64, c time.Time, rules booking.ReportRules) ([]booking.ReturnFilm, error) {
	live, err := db.liveWeek(ctx, q, theatreID, c, rules)
	if err != nil {
		return nil, err
	}
	var rep []returnLineDB
	if err := q(ctx, &rep, reportedLinesSQL, theatreID, c.Format(booking.DateLayout)); err != nil {
		return nil, fmt.Errorf("reported week: %w", err)
	}
	var hires []struct {
		MovieID int64  `db:"movie_id"`
		Title   string `db:"title"`
		Hire    int64  `db:"hire_cents"`
	}
	if err := q(ctx, &hires, reportedHireSQL, theatreID, c.Format(booking.DateLayout)); err != nil {
		return nil, fmt.Errorf("reported hire: %w", err)
	}
	order, titles, liveLines := groupLines(live)
	_, _, repLines := groupLines(rep)
	hire := map[int64]int64{}
	for _, h := range hires {
		hire[h.MovieID] = h.Hire
		if _, ok := titles[h.MovieID]; !ok {
			order = append(order, h.MovieID)
			titles[h.MovieID] = h.Title
		}
	}
	terms, err := db.termsFor(ctx, q, theatreID, c, order)
	if err != nil {
		return nil, err
	}
	var out []booking.ReturnFilm
	for _, id := range order {
		if a, ok := booking.Adjustment(id, titles[id], c, liveLines[id], repLines[id], hire[id], terms[id]); ok {
			out = append(out, a)
		}
	}
	return out, nil
}

type closedWeekDB struct {
	ClosedAt time.Time `db:"closed_at"`
}

// frozenReturn reads a closed week's return as it was closed.
func (db *DB) frozenReturn(ctx context.Context, q querier, t booking.Theatre, week time.Time, closedAt time.Time) (booking.Return, error) {
	ret := booking.Return{TheatreID: t.ID, Theatre: t.Name, Week: week, Closed: true, ClosedAt: &closedAt}
	var films []struct {
		MovieID int64     `db:"movie_id"`
		ForWeek time.Time `db:"for_week"`
		Title   string    `db:"title"`
		RateBP  *int      `db:"rate_bp"`
		Minimum int64     `db:"minimum_cents"`
		Hire    int64     `db:"hire_cents"`
	}
	if err := q(ctx, &films, `
		SELECT movie_id, for_week, title, rate_bp, minimum_cents, hire_cents
		FROM distributor_films WHERE theatre_id = $1 AND week_start = $2::date`, t.ID, week.Format(booking.DateLayout)); err != nil {
		return ret, fmt.Errorf("closed return: %w", err)
	}
	var lines []struct {
		MovieID int64     `db:"movie_id"`
		ForWeek time.Time `db:"for_week"`
		Type    string    `db:"ticket_type"`
		Adm     int64     `db:"admissions"`
		Gross   int64     `db:"gross_cents"`
		Tax     int64     `db:"tax_cents"`
	}
	if err := q(ctx, &lines, `
		SELECT movie_id, for_week, ticket_type, admissions, gross_cents, tax_cents
		FROM distributor_lines WHERE theatre_id = $1 AND week_start = $2::date`, t.ID, week.Format(booking.DateLayout)); err != nil {
		return ret, fmt.Errorf("closed return lines: %w", err)
	}
	type key struct {
		movie int64
		week  string
	}
	byKey := map[key][]booking.ReturnLine{}
	for _, l := range lines {
		k := key{l.MovieID, l.ForWeek.UTC().Format(booking.DateLayout)}
		byKey[k] = append(byKey[k], booking.ReturnLine{TicketType: l.Type, Admissions: l.Adm, GrossCents: l.Gross, TaxCents: l.Tax})
	}
	for _, f := range films {
		fw := f.ForWeek.UTC()
		terms := booking.HireTerms{}
		if f.RateBP != nil {
			terms = booking.HireTerms{Set: true, RateBP: *f.RateBP, MinimumCents: f.Minimum}
		}
		rf := booking.FilmReturn(f.MovieID, f.Title, fw, byKey[key{f.MovieID, fw.Format(booking.DateLayout)}], terms)
		rf.HireCents = f.Hire // as frozen, whatever the rules say today
		if !fw.Equal(week) {
			rf.Adjustment = true
			ret.Adjustments = append(ret.Adjustments, rf)
		} else {
			ret.Films = append(ret.Films, rf)
		}
	}
	ret.SortFilms()
	return ret, nil
}

// DistributorReturn is a theatre's return for a film week: frozen when the
// week is closed, else computed live (with adjustments to closed weeks).
func (db *DB) DistributorReturn(ctx context.Context, t booking.Theatre, week time.Time, rules booking.ReportRules) (booking.Return, error) {
	q := querier(db.selectAll)
	var closed []closedWeekDB
	if err := db.selectAll(ctx, &closed, `SELECT closed_at FROM distributor_weeks WHERE theatre_id = $1 AND week_start = $2::date`,
		t.ID, week.Format(booking.DateLayout)); err != nil {
		return booking.Return{}, fmt.Errorf("distributor week: %w", err)
	}
	if len(closed) == 1 {
		return db.frozenReturn(ctx, q, t, week, closed[0].ClosedAt)
	}
	return db.liveReturn(ctx, q, t, week, rules)
}

// CloseWeek freezes a theatre's return for a film week, in one short
// transaction: the return is computed on the rows it reads there and written
// as distributor lines and films; closing a closed week is ECONFLICT.
// Closes of one theatre queue on its row.
func (db *DB) CloseWeek(ctx context.Context, t booking.Theatre, week time.Time, rules booking.ReportRules, by int64, now time.Time) (booking.Return, error) {
	var out booking.Return
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM theatres WHERE id = $1 FOR UPDATE`, t.ID); err != nil {
			return fmt.Errorf("lock theatre: %w", err)
		}
		q := txQuerier(tx)
		var n []int
		if err := q(ctx, &n, `SELECT 1 FROM distributor_weeks WHERE theatre_id = $1 AND week_start = $2::date`, t.ID, week.Format(booking.DateLayout)); err != nil {
			return err
		}
		if len(n) > 0 {
			return booking.Errorf(booking.ECONFLICT, "This film week is already closed.")
		}
		ret, err := db.liveReturn(ctx, q, t, week, rules)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO distributor_weeks (theatre_id, week_start, closed_at, closed_by) VALUES ($1, $2::date, $3, $4)`,
			t.ID, week.Format(booking.DateLayout), now, nullID(by)); err != nil {
			return fmt.Errorf("close week: %w", err)
		}
		for _, f := range append(append([]booking.ReturnFilm{}, ret.Films...), ret.Adjustments...) {
			var rate any
			if f.Terms.Set {
				rate = f.Terms.RateBP
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO distributor_films (theatre_id, week_start, movie_id, for_week, title, rate_bp, minimum_cents, hire_cents)
				VALUES ($1, $2::date, $3, $4::date, $5, $6, $7, $8)`,
				t.ID, week.Format(booking.DateLayout), f.MovieID, f.ForWeek.Format(booking.DateLayout), f.Title, rate, f.Terms.MinimumCents, f.HireCents); err != nil {
				return fmt.Errorf("freeze film: %w", err)
			}
			for _, l := range f.Lines {
				if _, err := tx.ExecContext(ctx, `
					INSERT INTO distributor_lines (theatre_id, week_start, movie_id, for_week, ticket_type, admissions, gross_cents, tax_cents)
					VALUES ($1, $2::date, $3, $4::date, $5, $6, $7, $8)`,
					t.ID, week.Format(booking.DateLayout), f.MovieID, f.ForWeek.Format(booking.DateLayout), l.TicketType, l.Admissions, l.GrossCents, l.TaxCents); err != nil {
					return fmt.Errorf("freeze line: %w", err)
				}
			}
		}
		ret.Closed, ret.ClosedAt = true, &now
		out = ret
		return nil
	})
	if err != nil {
		return booking.Return{}, fmt.Errorf("close film week: %w", err)
	}
	return out, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// ClosedWeek is a closed film week of a theatre.
type ClosedWeek struct {
	Week     time.Time `db:"week_start"`
	ClosedAt time.Time `db:"closed_at"`
	ClosedBy string    `db:"closed_by"`
}

// ClosedWeeks lists a theatre's closed weeks, newest first (at most limit).
func (db *DB) ClosedWeeks(ctx context.Context, theatreID int64, limit int) ([]ClosedWeek, error) {
	var ws []ClosedWeek
	if err := db.selectAll(ctx, &ws, `
		SELECT w.week_start, w.closed_at, coalesce(u.email, '') AS closed_by
		FROM distributor_weeks w LEFT JOIN users u ON u.id = w.closed_by
		WHERE w.theatre_id = $1 ORDER BY w.week_start DESC LIMIT $2`, theatreID, limit); err != nil {
		return nil, fmt.Errorf("closed weeks: %w", err)
	}
	for i := range ws {
		ws[i].Week = ws[i].Week.UTC()
	}
	return ws, nil
}

// IsWeekClosed reports whether a theatre's film week is closed.
func (db *DB) IsWeekClosed(ctx context.Context, theatreID int64, week time.Time) (bool, error) {
	var n int
	if err := db.get(ctx, &n, `SELECT count(*) FROM distributor_weeks WHERE theatre_id = $1 AND week_start = $2::date`,
		theatreID, week.Format(booking.DateLayout)); err != nil {
		return false, fmt.Errorf("week closed: %w", err)
	}
	return n > 0, nil
}

// FilmTerms is a film of a film week with its hire terms, for the terms page.
type FilmTerms struct {
	MovieID int64
	Title   string
	Terms   booking.HireTerms
}

// WeekFilms lists the films a theatre shows in a film week (and any with
// terms entered for it) with their terms (the week's own or carried on).
func (db *DB) WeekFilms(ctx context.Context, theatreID int64, week time.Time, rules booking.ReportRules) ([]FilmTerms, error) {
	var films []struct {
		ID    int64  `db:"id"`
		Title string `db:"title"`
	}
	if err := db.selectAll(ctx, &films, `
		SELECT m.id, m.title FROM movies m
		WHERE m.id IN (
			SELECT s.movie_id FROM showtimes s
			JOIN auditoriums a ON a.id = s.auditorium_id JOIN theatres t ON t.id = a.theatre_id
			WHERE a.theatre_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3
			  AND ((s.starts_at AT TIME ZONE t.time_zone) - make_interval(secs => $4))::date BETWEEN $5::date AND $5::date + 6
			UNION
			SELECT movie_id FROM film_hire_terms WHERE theatre_id = $1 AND week_start = $5::date)
		ORDER BY lower(m.title), m.id`,
		theatreID, week.AddDate(0, 0, -2), week.AddDate(0, 0, 10), rules.BusinessDayEnds.Seconds(), week.Format(booking.DateLayout)); err != nil {
		return nil, fmt.Errorf("films of the week: %w", err)
	}
	ids := make([]int64, len(films))
	for i, f := range films {
		ids[i] = f.ID
	}
	terms, err := db.termsFor(ctx, querier(db.selectAll), theatreID, week, ids)
	if err != nil {
		return nil, err
	}
	out := make([]FilmTerms, len(films))
	for i, f := range films {
		out[i] = FilmTerms{MovieID: f.ID, Title: f.Title, Terms: terms[f.ID]}
	}
	return out, nil
}

// SetFilmTerms enters a film's hire terms for a week at a theatre, returning
// the terms it replaced (Set false: none for that week). A closed week's
// terms are frozen: ECONFLICT.
func (db *DB) SetFilmTerms(ctx context.Context, movieID, theatreID int64, week time.Time, rateBP int, minimumCents int64, by int64, now time.Time) (booking.HireTerms, error) {
	var before booking.HireTerms
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM theatres WHERE id = $1 FOR SHARE`, theatreID); err != nil {
			return fmt.Errorf("lock theatre: %w", err) // a close of the same theatre waits, or is waited for
		}
		q := txQuerier(tx)
		var closed []int
		if err := q(ctx, &closed, `SELECT 1 FROM distributor_weeks WHERE theatre_id = $1 AND week_start = $2::date`,
			theatreID, week.Format(booking.DateLayout)); err != nil {
			return err
		}
		if len(closed) > 0 {
			return booking.Errorf(booking.ECONFLICT, "This film week is closed: its terms can't change any more.")
		}
		var old []termsDB
		if err := q(ctx, &old, `SELECT movie_id, week_start, rate_bp, minimum_cents FROM film_hire_terms
			WHERE theatre_id = $1 AND week_start = $2::date AND movie_id = $3 FOR UPDATE`, theatreID, week.Format(booking.DateLayout), movieID); err != nil {
			return err
		}
		if len(old) == 1 {
			before = booking.HireTerms{Set: true, RateBP: old[0].RateBP, MinimumCents: old[0].Minimum, From: old[0].Week.UTC()}
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO film_hire_terms (movie_id, theatre_id, week_start, rate_bp, minimum_cents, updated_at, updated_by)
			VALUES ($1, $2, $3::date, $4, $5, $6, $7)
			ON CONFLICT (theatre_id, week_start, movie_id) DO UPDATE
			SET rate_bp = EXCLUDED.rate_bp, minimum_cents = EXCLUDED.minimum_cents, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
			movieID, theatreID, week.Format(booking.DateLayout), rateBP, minimumCents, now, nullID(by)); err != nil {
			return mapErr(fmt.Errorf("film hire terms: %w", err))
		}
		return nil
	})
	return before, err
}
