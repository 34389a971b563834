package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"marquee/booking"
	"marquee/payment"
)

// Counter tenders: cash and card-present payments taken at the box office,
// and the cash each shift should have in the drawer.

// SettleCounter records a box-office tender and sells the order's seats, in
// one short transaction. Cash (or a split's cash part) needs the staff
// member's open drawer session at the showtime's theatre (ECONFLICT
// otherwise); the payments are attributed to it. A split tender writes two payments (cash, then
// card) and returns the cash one. An order whose hold lapsed is sold if every seat can
// be re-taken; otherwise nothing is recorded (ECONFLICT, no money taken).
func (db *DB) SettleCounter(ctx context.Context, c payment.CounterSettle) (payment.Record, error) {
	var out paymentRow
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		o, err := db.lockPayOrder(ctx, tx, c.OrderCode)
		if errors.Is(err, payment.ErrUnknownOrder) {
			return booking.Errorf(booking.ENOTFOUND, "No such order.")
		}
		if err != nil {
			return err
		}
		if o.Status == booking.OrderPaid {
			return booking.Errorf(booking.ECONFLICT, "This order is already paid.")
		}
		if err := booking.CheckTransition(o.Status, booking.OrderPaid); err != nil {
			return err
		}
		type row struct {
			provider         string
			amount           int64
			tendered, change any
			ref              any
		}
		var rows []row
		switch c.Provider {
		case payment.ProviderCash:
			if c.TenderedCents < o.TotalCents {
				return booking.Invalid("tendered", "The cash handed over is less than the total.")
			}
			rows = []row{{provider: payment.ProviderCash, amount: o.TotalCents, tendered: c.TenderedCents, change: c.TenderedCents - o.TotalCents}}
		case payment.ProviderCardPresent:
			rows = []row{{provider: payment.ProviderCardPresent, amount: o.TotalCents, ref: c.CardReference}}
		case payment.TenderSplit: // the cash row first: its record is returned, with the change
			cash := o.TotalCents - c.CardCents
			if c.CardCents <= 0 || cash <= 0 {
				return booking.Invalid("card_amount", "For a split, the card pays part of the total: more than 0, less than the total.")
			}
			if c.TenderedCents < cash {
				return booking.Invalid("tendered", "The cash handed over is less than the cash part of the total.")
			}
			rows = []row{
				{provider: payment.ProviderCash, amount: cash, tendered: c.TenderedCents, change: c.TenderedCents - cash},
				{provider: payment.ProviderCardPresent, amount: c.CardCents, ref: c.CardReference},
			}
		default:
			return booking.Invalid("method", "Choose cash, card or split.")
		}
		// The drawer: cash needs the staff member's open drawer at this
		// theatre; a card payment is counted in it when there is one.
		drawer, here, err := db.drawerForCashTx(ctx, tx, c.StaffUserID, c.OrderCode)
		if err != nil {
			return err
		}
		if c.Provider == payment.ProviderCash || c.Provider == payment.TenderSplit {
			switch {
			case drawer == 0:
				return booking.ErrNoDrawer
			case !here:
				return booking.ErrDrawerElsewhere
			}
		}
		var drawerID any
		if drawer != 0 && here {
			drawerID = drawer
		}
		ok, err := db.retakeSeats(ctx, tx, o.ID, nil, c.Now)
		if err != nil {
			return err
		}
		if !ok {
			return booking.Errorf(booking.ECONFLICT, "Some of these seats were sold meanwhile. Nothing was charged; please choose seats again.")
		}
		if err := db.sellTx(ctx, tx, o, c.Now); err != nil {
			return err
		}
		for i, r := range rows {
			var rec paymentRow
			if err := db.txGet(ctx, tx, &rec, `
				INSERT INTO payments (order_id, provider, kind, status, amount_cents, currency, tendered_cents, change_cents,
				                      card_reference, staff_user_id, created_at, updated_at, drawer_session_id)
				VALUES ($1, $2, 'counter', 'succeeded', $3, $4, $5, $6, $7, $8, $9, $9, $10)
				RETURNING `+paymentColumns,
				o.ID, r.provider, r.amount, o.Currency, r.tendered, r.change, r.ref, c.StaffUserID, c.Now, drawerID); err != nil {
				return err
			}
			if i == 0 {
				out = rec
			}
		}
		return nil
	})
	if err != nil {
		return payment.Record{}, fmt.Errorf("counter payment: %w", err)
	}
	return out.record(), nil
}

// CashTotals sums cash payments per staff member and day (in zone) between
// from and to: the cash each shift should have in the drawer.
func (db *DB) CashTotals(ctx context.Context, from, to time.Time, zone string) ([]payment.ShiftTotal, error) {
	var rows []struct {
		StaffUserID *int64    `db:"staff_user_id"`
		StaffName   string    `db:"staff_name"`
		Day         time.Time `db:"day"`
		Payments    int       `db:"payments"`
		Cash        int64     `db:"cash_cents"`
		Tendered    int64     `db:"tendered_cents"`
		Change      int64     `db:"change_cents"`
		Refunded    int64     `db:"refunded_cents"`
	}
	err := db.selectAll(ctx, &rows, `
		SELECT p.staff_user_id, coalesce(u.name, '') AS staff_name,
		       date_trunc('day', p.created_at AT TIME ZONE $3) AS day,
		       count(*) AS payments,
		       sum(p.amount_cents) AS cash_cents,
		       sum(p.tendered_cents) AS tendered_cents,
		       sum(p.change_cents) AS change_cents,
		       sum(p.refunded_cents) AS refunded_cents
		FROM payments p LEFT JOIN users u ON u.id = p.staff_user_id
		WHERE p.provider = 'cash' AND p.status IN ('succeeded', 'refunded')
		  AND p.created_at >= $1 AND p.created_at < $2
		GROUP BY p.staff_user_id, u.name, day
		ORDER BY day, staff_name`, from, to, zone)
	if err != nil {
		return nil, fmt.Errorf("cash totals: %w", err)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, fmt.Errorf("cash totals: %w", err)
	}
	out := make([]payment.ShiftTotal, len(rows))
	for i, r := range rows {
		d := r.Day // a timestamp without zone, read as UTC: the wall-clock midnight in zone
		out[i] = payment.ShiftTotal{StaffUserID: r.StaffUserID, StaffName: r.StaffName,
			Day:      time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc),
			Payments: r.Payments, CashCents: r.Cash, TenderedCents: r.Tendered, ChangeCents: r.Change, RefundedCents: r.Refunded}
	}
	return out, nil
}
