package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"marquee/booking"
)

// The business settings (migration 00017): the cinema's row and each
// theatre's columns. Every write notifies ChannelSettings through a trigger,
// in the writing transaction, so every instance reloads after the commit.

type cinemaRow struct {
	HoldSeconds      int   `db:"hold_seconds"`
	MaxSeats         int   `db:"max_seats"`
	BookingFeeCents  int64 `db:"booking_fee_cents"`
	CancelOnline     bool  `db:"cancel_online"`
	CancelCutoff     int   `db:"cancel_cutoff_seconds"`
	CancelFeeCents   int64 `db:"cancel_fee_cents"`
	CancelFeePercent int64 `db:"cancel_fee_percent"`
	CancelRefundFee  bool  `db:"cancel_refund_booking_fee"`
	TicketPerOrder   bool  `db:"ticket_per_order"`
	ReminderSeconds  int   `db:"reminder_seconds"`
	TrailersMinutes  int   `db:"trailers_minutes"`
	CleaningMinutes  int   `db:"cleaning_minutes"`
	DayEndsHours     int   `db:"business_day_ends_hours"`
	FilmWeekStarts   int   `db:"film_week_starts"`
}

const cinemaColumns = `hold_seconds, max_seats, booking_fee_cents, cancel_online, cancel_cutoff_seconds,
	cancel_fee_cents, cancel_fee_percent, cancel_refund_booking_fee, ticket_per_order, reminder_seconds,
	trailers_minutes, cleaning_minutes, business_day_ends_hours, film_week_starts`

func secs(n int) time.Duration { return time.Duration(n) * time.Second }

func (r cinemaRow) settings() booking.CinemaSettings {
	return booking.CinemaSettings{
		HoldLength: secs(r.HoldSeconds), MaxSeatsPerCart: r.MaxSeats, BookingFeeCents: r.BookingFeeCents,
		Cancel: booking.CancelPolicy{Disabled: !r.CancelOnline, Cutoff: secs(r.CancelCutoff), FeeCents: r.CancelFeeCents,
			FeePercent: r.CancelFeePercent, RefundBookingFee: r.CancelRefundFee},
		TicketPerOrder: r.TicketPerOrder, ReminderBefore: secs(r.ReminderSeconds),
		Programme: booking.ProgrammeRules{Trailers: time.Duration(r.TrailersMinutes) * time.Minute, Cleaning: time.Duration(r.CleaningMinutes) * time.Minute},
		Reports:   booking.ReportRules{BusinessDayEnds: time.Duration(r.DayEndsHours) * time.Hour, FilmWeekStarts: time.Weekday(r.FilmWeekStarts)},
	}
}

// CinemaSettings returns the cinema's settings.
func (db *DB) CinemaSettings(ctx context.Context) (booking.CinemaSettings, error) {
	var r cinemaRow
	if err := db.get(ctx, &r, `SELECT `+cinemaColumns+` FROM cinema_settings WHERE id`); err != nil {
		return booking.CinemaSettings{}, fmt.Errorf("cinema settings: %w", err)
	}
	return r.settings(), nil
}

// SaveCinemaSettings replaces the cinema's settings (validated by the
// caller) and returns them as they were, for the audit log.
func (db *DB) SaveCinemaSettings(ctx context.Context, s booking.CinemaSettings) (before booking.CinemaSettings, err error) {
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		var r cinemaRow
		if err := db.txGet(ctx, tx, &r, `SELECT `+cinemaColumns+` FROM cinema_settings WHERE id FOR UPDATE`); err != nil {
			return err
		}
		before = r.settings()
		_, err := db.txExec(ctx, tx, `
			UPDATE cinema_settings SET hold_seconds = $1, max_seats = $2, booking_fee_cents = $3,
			       cancel_online = $4, cancel_cutoff_seconds = $5, cancel_fee_cents = $6, cancel_fee_percent = $7,
			       cancel_refund_booking_fee = $8, ticket_per_order = $9, reminder_seconds = $10,
			       trailers_minutes = $11, cleaning_minutes = $12, business_day_ends_hours = $13,
			       film_week_starts = $14, updated_at = $15
			WHERE id`,
			int(s.HoldLength/time.Second), s.MaxSeatsPerCart, s.BookingFeeCents,
			!s.Cancel.Disabled, int(s.Cancel.Cutoff/time.Second), s.Cancel.FeeCents, s.Cancel.FeePercent,
			s.Cancel.RefundBookingFee, s.TicketPerOrder, int(s.ReminderBefore/time.Second),
			int(s.Programme.Trailers/time.Minute), int(s.Programme.Cleaning/time.Minute), int(s.Reports.BusinessDayEnds/time.Hour),
			int(s.Reports.FilmWeekStarts), db.Now())
		return err
	})
	if err != nil {
		return before, fmt.Errorf("save cinema settings: %w", err)
	}
	return before, nil
}

type theatreRow struct {
	ID               int64  `db:"id"`
	Slug             string `db:"slug"`
	Name             string `db:"name"`
	City             string `db:"city"`
	Address          string `db:"address"`
	TimeZone         string `db:"time_zone"`
	Currency         string `db:"currency"`
	TaxModel         string `db:"tax_model"`
	TaxRate          int64  `db:"tax_rate"`
	SellerName       string `db:"seller_name"`
	SellerAddress    string `db:"seller_address"`
	TaxID            string `db:"tax_id"`
	HoldSeconds      *int   `db:"hold_seconds"`
	MaxSeats         *int   `db:"max_seats"`
	BookingFeeCents  *int64 `db:"booking_fee_cents"`
	CancelOverride   bool   `db:"cancel_override"`
	CancelOnline     bool   `db:"cancel_online"`
	CancelCutoff     int    `db:"cancel_cutoff_seconds"`
	CancelFeeCents   int64  `db:"cancel_fee_cents"`
	CancelFeePercent int64  `db:"cancel_fee_percent"`
	CancelRefundFee  bool   `db:"cancel_refund_booking_fee"`
}

const theatreSettingsColumns = `id, slug, name, city, address, time_zone, currency, tax_model, tax_rate,
	seller_name, seller_address, tax_id, hold_seconds, max_seats, booking_fee_cents, cancel_override,
	cancel_online, cancel_cutoff_seconds, cancel_fee_cents, cancel_fee_percent, cancel_refund_booking_fee`

func (r theatreRow) settings() booking.TheatreSettings {
	t := booking.TheatreSettings{
		ID: r.ID, Slug: r.Slug, Name: r.Name, City: r.City, Address: r.Address, TimeZone: r.TimeZone,
		Currency: r.Currency, Tax: booking.Tax{Model: booking.TaxModel(r.TaxModel), Rate: r.TaxRate},
		Seller: booking.Seller{Name: r.SellerName, Address: r.SellerAddress, VATID: r.TaxID},
	}
	o := &t.Overrides
	if r.HoldSeconds != nil {
		d := secs(*r.HoldSeconds)
		o.HoldLength = &d
	}
	o.MaxSeatsPerCart, o.BookingFeeCents = r.MaxSeats, r.BookingFeeCents
	if r.CancelOverride {
		o.Cancel = &booking.CancelPolicy{Disabled: !r.CancelOnline, Cutoff: secs(r.CancelCutoff), FeeCents: r.CancelFeeCents,
			FeePercent: r.CancelFeePercent, RefundBookingFee: r.CancelRefundFee}
	}
	return t
}

// TheatreSettingsAll returns every theatre's settings, ordered by name.
func (db *DB) TheatreSettingsAll(ctx context.Context) ([]booking.TheatreSettings, error) {
	var rows []theatreRow
	if err := db.selectAll(ctx, &rows, `SELECT `+theatreSettingsColumns+` FROM theatres ORDER BY name, id`); err != nil {
		return nil, fmt.Errorf("theatre settings: %w", err)
	}
	out := make([]booking.TheatreSettings, len(rows))
	for i, r := range rows {
		out[i] = r.settings()
	}
	return out, nil
}

// SaveTheatreSettings replaces a theatre's settings (validated by the
// caller; t.Slug is kept) and returns them as they were. ENOTFOUND for an
// unknown theatre.
func (db *DB) SaveTheatreSettings(ctx context.Context, t booking.TheatreSettings) (before booking.TheatreSettings, err error) {
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		var r theatreRow
		if err := db.txGet(ctx, tx, &r, `SELECT `+theatreSettingsColumns+` FROM theatres WHERE id = $1 FOR UPDATE`, t.ID); err != nil {
			return mapErr(err)
		}
		before = r.settings()
		o := t.Overrides
		var hold *int
		if o.HoldLength != nil {
			h := int(*o.HoldLength / time.Second)
			hold = &h
		}
		c := booking.CancelPolicy{Cutoff: 2 * time.Hour}
		if o.Cancel != nil {
			c = *o.Cancel
		}
		_, err := db.txExec(ctx, tx, `
			UPDATE theatres SET name = $2, city = $3, address = $4, time_zone = $5, currency = $6,
			       tax_model = $7, tax_rate = $8, seller_name = $9, seller_address = $10, tax_id = $11,
			       hold_seconds = $12, max_seats = $13, booking_fee_cents = $14, cancel_override = $15,
			       cancel_online = $16, cancel_cutoff_seconds = $17, cancel_fee_cents = $18,
			       cancel_fee_percent = $19, cancel_refund_booking_fee = $20
			WHERE id = $1`,
			t.ID, t.Name, t.City, t.Address, t.TimeZone, t.Currency, string(t.Tax.Model), t.Tax.Rate,
			t.Seller.Name, t.Seller.Address, t.Seller.VATID, hold, o.MaxSeatsPerCart, o.BookingFeeCents,
			o.Cancel != nil, !c.Disabled, int(c.Cutoff/time.Second), c.FeeCents, c.FeePercent, c.RefundBookingFee)
		return err
	})
	if err != nil {
		return before, fmt.Errorf("save theatre %d settings: %w", t.ID, err)
	}
	return before, nil
}
