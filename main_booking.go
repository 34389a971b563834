package main

import (
	"fmt"
	"strconv"
	"time"

	"marquee/booking"
)

// loadBookingSettings reads the booking rules from the environment; unset
// values keep booking.DefaultSettings (editing them in the admin pages comes later).
//
//	MARQUEE_HOLD_LENGTH        how long seats stay held (Go duration, default 10m)
//	MARQUEE_MAX_SEATS          seats one cart may hold per showtime (default 10)
//	MARQUEE_BOOKING_FEE_CENTS  booking fee per ticket in cents (default 100)
//	MARQUEE_SWEEP_EVERY        how often expired holds and unpaid orders are swept (default 5s)
func loadBookingSettings(getenv func(string) string) (booking.Settings, time.Duration, []error) {
	s := booking.DefaultSettings()
	sweep := 5 * time.Second
	var errs []error
	if v := getenv("MARQUEE_HOLD_LENGTH"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 30*time.Second || d > 2*time.Hour {
			errs = append(errs, fmt.Errorf("MARQUEE_HOLD_LENGTH must be a duration from 30s to 2h, not %q", v))
		}
		s.HoldLength = d
	}
	if v := getenv("MARQUEE_MAX_SEATS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			errs = append(errs, fmt.Errorf("MARQUEE_MAX_SEATS must be a number from 1 to 50, not %q", v))
		}
		s.MaxSeatsPerCart = n
	}
	if v := getenv("MARQUEE_BOOKING_FEE_CENTS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > 100000 {
			errs = append(errs, fmt.Errorf("MARQUEE_BOOKING_FEE_CENTS must be a number of cents from 0 to 100000, not %q", v))
		}
		s.BookingFeeCents = n
	}
	if v := getenv("MARQUEE_SWEEP_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond || d > 10*time.Minute {
			errs = append(errs, fmt.Errorf("MARQUEE_SWEEP_EVERY must be a duration from 100ms to 10m, not %q", v))
		}
		sweep = d
	}
	return s, sweep, errs
}
