package booking

import "time"

// Settings are the booking rules an administrator may tune. They are passed
// explicitly (no globals); editing them in the admin pages is a later issue.
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
