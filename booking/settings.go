package booking

import "time"

// Settings are the booking rules of one theatre's showtimes, resolved from
// the settings in the database (CinemaSettings.BookingFor) and passed
// explicitly (no globals).
type Settings struct {
	// HoldLength is how long a seat stays held for a cart before it returns to
	// sale. The actual hold is shorter when online sales close sooner.
	HoldLength time.Duration
	// MaxSeatsPerCart bounds the seats one cart may hold for one showtime.
	MaxSeatsPerCart int
	// BookingFeeCents is charged once per ticket, in integer cents.
	BookingFeeCents int64
	// ClosingSoon is how long before online sales close the "closing soon" banner shows.
	ClosingSoon time.Duration
	// Tax is the theatre's tax model and rate: recorded on every order line
	// when the order is made (PriceLines). Zero: no tax.
	Tax Tax
	// Currency is the theatre's (ISO 4217, lower case); "": the price card's.
	Currency string
}

// DefaultSettings are the settings of a fresh installation.
func DefaultSettings() Settings {
	return Settings{
		HoldLength:      10 * time.Minute,
		MaxSeatsPerCart: 10,
		BookingFeeCents: 100,
		ClosingSoon:     30 * time.Minute,
	}
}

// WithDefaults fills zero fields from DefaultSettings.
func (s Settings) WithDefaults() Settings {
	d := DefaultSettings()
	if s.HoldLength <= 0 {
		s.HoldLength = d.HoldLength
	}
	if s.MaxSeatsPerCart <= 0 {
		s.MaxSeatsPerCart = d.MaxSeatsPerCart
	}
	if s.BookingFeeCents < 0 {
		s.BookingFeeCents = 0
	}
	if s.ClosingSoon <= 0 {
		s.ClosingSoon = d.ClosingSoon
	}
	return s
}

// ProgrammeRules say how showtimes are scheduled: a show occupies its
// auditorium from the advertised start for the feature's runtime plus
// Trailers, and the auditorium is free again Cleaning after that.
type ProgrammeRules struct {
	Trailers time.Duration // ads and trailers before the feature
	Cleaning time.Duration // turnaround between shows
}

// DefaultProgrammeRules are the programme rules of a fresh installation.
func DefaultProgrammeRules() ProgrammeRules {
	return ProgrammeRules{Trailers: 20 * time.Minute, Cleaning: 20 * time.Minute}
}

// ReportRules say how trade is counted: the business day ends at
// BusinessDayEnds after local midnight (a 01:00 show counts towards the day
// before when it is 6h), and the film week starts on FilmWeekStarts.
type ReportRules struct {
	BusinessDayEnds time.Duration
	FilmWeekStarts  time.Weekday
}

// DefaultReportRules are the report rules of a fresh installation.
func DefaultReportRules() ReportRules {
	return ReportRules{BusinessDayEnds: 6 * time.Hour, FilmWeekStarts: time.Friday}
}
