package booking

import (
	"errors"
	"strings"
	"time"
)

// CinemaSettings are the business settings of the whole cinema, kept in the
// database and edited by administrators (/admin/settings). Where it makes
// sense a theatre overrides them (TheatreOverrides).
type CinemaSettings struct {
	HoldLength      time.Duration // how long clicked seats stay held
	MaxSeatsPerCart int           // seats one cart may hold per showtime
	BookingFeeCents int64         // per ticket
	// Cancel is the online cancellation policy; Cutoff 0 means until the
	// start (no defaults are filled in here: the value is the value).
	Cancel         CancelPolicy
	TicketPerOrder bool          // one QR ticket for the whole order instead of one per seat
	ReminderBefore time.Duration // reminder e-mail this long before the show; 0: no reminders
	Programme      ProgrammeRules
	Reports        ReportRules
}

// DefaultCinemaSettings are the settings of a fresh installation (the
// migration writes the same values).
func DefaultCinemaSettings() CinemaSettings {
	b, a := DefaultSettings(), DefaultAfterSale()
	return CinemaSettings{
		HoldLength: b.HoldLength, MaxSeatsPerCart: b.MaxSeatsPerCart, BookingFeeCents: b.BookingFeeCents,
		Cancel: a.Cancel, ReminderBefore: a.ReminderBefore,
		Programme: DefaultProgrammeRules(), Reports: DefaultReportRules(),
	}
}

// TheatreSettings are one theatre's own settings: who and where it is, its
// money and tax, what its receipts say, and what it does differently from
// the cinema's settings.
type TheatreSettings struct {
	ID       int64
	Slug     string
	Name     string
	City     string
	Address  string
	TimeZone string // IANA
	Currency string // ISO 4217, lower case
	Tax      Tax
	// Seller is who issues the theatre's receipts (VATID: the tax id printed on them).
	Seller    Seller
	Overrides TheatreOverrides
}

// TheatreOverrides are the cinema settings a theatre sets for itself; nil
// (or a nil Cancel) takes the cinema's.
type TheatreOverrides struct {
	HoldLength      *time.Duration
	MaxSeatsPerCart *int
	BookingFeeCents *int64
	Cancel          *CancelPolicy
}

// BookingFor is the booking rules of a showtime in theatre t: the cinema's,
// with the theatre's overrides, tax and currency.
func (c CinemaSettings) BookingFor(t TheatreSettings) Settings {
	s := DefaultSettings()
	s.HoldLength, s.MaxSeatsPerCart, s.BookingFeeCents = c.HoldLength, c.MaxSeatsPerCart, c.BookingFeeCents
	o := t.Overrides
	if o.HoldLength != nil {
		s.HoldLength = *o.HoldLength
	}
	if o.MaxSeatsPerCart != nil {
		s.MaxSeatsPerCart = *o.MaxSeatsPerCart
	}
	if o.BookingFeeCents != nil {
		s.BookingFeeCents = *o.BookingFeeCents
	}
	s.Tax, s.Currency = t.Tax, t.Currency
	return s.WithDefaults()
}

// AfterSaleFor is the after-sale rules of an order in theatre t. The result
// is final: a zero cutoff means "until the start", a zero ReminderBefore "no
// reminders" (don't pass it through AfterSale.WithDefaults).
func (c CinemaSettings) AfterSaleFor(t TheatreSettings) AfterSale {
	a := AfterSale{Cancel: c.Cancel, TicketPerOrder: c.TicketPerOrder, ReminderBefore: c.ReminderBefore, Seller: t.Seller}
	if t.Overrides.Cancel != nil {
		a.Cancel = *t.Overrides.Cancel
	}
	if a.Seller.Name == "" {
		a.Seller.Name = t.Name
	}
	if a.Seller.Address == "" {
		a.Seller.Address = t.Address
	}
	if t.Tax.Included() {
		a.VATRateBP = t.Tax.Rate / 10
	}
	return a
}

// Limits of the settings, checked by Validate (and the database's CHECKs).
const (
	MaxHoldLength     = 2 * time.Hour
	MinHoldLength     = time.Minute
	MaxSeatsLimit     = 50
	MaxFeeCents       = 100_000
	MaxCancelCutoff   = 30 * 24 * time.Hour
	MaxReminderBefore = 7 * 24 * time.Hour
	MaxTrailers       = time.Hour
	MaxCleaning       = 2 * time.Hour
	MaxBusinessDayEnd = 12 * time.Hour
)

// Validate returns every problem of the settings, one EINVALID error per
// field (errors.Join), named by the settings form's field names.
func (c CinemaSettings) Validate() error {
	var errs []error
	bad := func(cond bool, field, msg string, args ...any) {
		if cond {
			errs = append(errs, Invalid(field, msg, args...))
		}
	}
	bad(c.HoldLength < MinHoldLength || c.HoldLength > MaxHoldLength || c.HoldLength%time.Minute != 0, "hold_minutes", "Hold seats for 1 to 120 minutes.")
	bad(c.MaxSeatsPerCart < 1 || c.MaxSeatsPerCart > MaxSeatsLimit, "max_seats", "Allow 1 to %d seats per order.", MaxSeatsLimit)
	bad(c.BookingFeeCents < 0 || c.BookingFeeCents > MaxFeeCents, "booking_fee", "The booking fee must be between 0.00 and 1000.00.")
	errs = append(errs, validateCancel(c.Cancel, "")...)
	bad(c.ReminderBefore < 0 || c.ReminderBefore > MaxReminderBefore || c.ReminderBefore%time.Minute != 0, "reminder_minutes", "Send reminders 0 (none) to 10080 minutes (a week) before the show.")
	bad(c.Programme.Trailers < 0 || c.Programme.Trailers > MaxTrailers || c.Programme.Trailers%time.Minute != 0, "trailers_minutes", "Trailers take 0 to 60 minutes.")
	bad(c.Programme.Cleaning < 0 || c.Programme.Cleaning > MaxCleaning || c.Programme.Cleaning%time.Minute != 0, "cleaning_minutes", "Cleaning takes 0 to 120 minutes.")
	bad(c.Reports.BusinessDayEnds < 0 || c.Reports.BusinessDayEnds > MaxBusinessDayEnd || c.Reports.BusinessDayEnds%time.Hour != 0, "day_ends_hour", "The business day ends at a whole hour from 0 to 12 (after midnight).")
	bad(c.Reports.FilmWeekStarts < time.Sunday || c.Reports.FilmWeekStarts > time.Saturday, "week_starts", "Choose the day the film week starts.")
	return errors.Join(errs...)
}

func validateCancel(p CancelPolicy, prefix string) []error {
	var errs []error
	if p.Cutoff < 0 || p.Cutoff > MaxCancelCutoff || p.Cutoff%time.Minute != 0 {
		errs = append(errs, Invalid(prefix+"cancel_cutoff_minutes", "Cancelling ends 0 (at the start) to 43200 minutes (30 days) before the show."))
	}
	if p.FeeCents < 0 || p.FeeCents > MaxFeeCents {
		errs = append(errs, Invalid(prefix+"cancel_fee", "The cancellation fee must be between 0.00 and 1000.00."))
	}
	if p.FeePercent < 0 || p.FeePercent > 100 {
		errs = append(errs, Invalid(prefix+"cancel_fee_percent", "The cancellation fee is 0 to 100 percent."))
	}
	return errs
}

// Validate returns every problem of the theatre's settings, one EINVALID
// error per field (errors.Join), named by the theatre form's field names.
// validZone says whether a time zone name is known (time.LoadLocation).
func (t TheatreSettings) Validate(validZone func(string) bool) error {
	var errs []error
	bad := func(cond bool, field, msg string, args ...any) {
		if cond {
			errs = append(errs, Invalid(field, msg, args...))
		}
	}
	bad(strings.TrimSpace(t.Name) == "" || len(t.Name) > 100, "name", "Give the theatre a name (at most 100 characters).")
	bad(len(t.City) > 100, "city", "At most 100 characters.")
	bad(len(t.Address) > 300, "address", "At most 300 characters.")
	bad(t.TimeZone == "" || !strings.Contains(t.TimeZone, "/") && t.TimeZone != "UTC" || !validZone(t.TimeZone), "time_zone", "Use an IANA time zone such as America/New_York or Europe/London.")
	bad(!currencyCode(t.Currency), "currency", "Use a three-letter ISO 4217 currency code such as usd or eur.")
	bad(!t.Tax.Model.Valid(), "tax_model", "Choose whether prices include VAT or sales tax is added.")
	bad(t.Tax.Rate < 0 || t.Tax.Rate > 50_000, "tax_rate", "The tax rate is a percentage from 0 to 50, with at most three decimals (8.875).")
	bad(len(t.Seller.Name) > 200, "seller_name", "At most 200 characters.")
	bad(len(t.Seller.Address) > 300, "seller_address", "At most 300 characters.")
	bad(len(t.Seller.VATID) > 50, "tax_id", "At most 50 characters.")
	o := t.Overrides
	bad(o.HoldLength != nil && (*o.HoldLength < MinHoldLength || *o.HoldLength > MaxHoldLength || *o.HoldLength%time.Minute != 0), "hold_minutes", "Hold seats for 1 to 120 minutes.")
	bad(o.MaxSeatsPerCart != nil && (*o.MaxSeatsPerCart < 1 || *o.MaxSeatsPerCart > MaxSeatsLimit), "max_seats", "Allow 1 to %d seats per order.", MaxSeatsLimit)
	bad(o.BookingFeeCents != nil && (*o.BookingFeeCents < 0 || *o.BookingFeeCents > MaxFeeCents), "booking_fee", "The booking fee must be between 0.00 and 1000.00.")
	if o.Cancel != nil {
		errs = append(errs, validateCancel(*o.Cancel, "")...)
	}
	return errors.Join(errs...)
}

func currencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// FieldErrors lists the EINVALID errors of err (one, or several joined) by
// field; ok is false when err holds anything else.
func FieldErrors(err error) (map[string]string, bool) {
	out := map[string]string{}
	var walk func(error) bool
	walk = func(e error) bool {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				if !walk(x) {
					return false
				}
			}
			return true
		}
		var de *Error
		if !errors.As(e, &de) || de.Code != EINVALID {
			return false
		}
		if _, dup := out[de.Field]; !dup {
			out[de.Field] = de.Message
		}
		return true
	}
	if err == nil || !walk(err) {
		return nil, false
	}
	return out, true
}
