package booking

import (
	"fmt"
	"time"
)

// SalesState says whether a showtime can be booked online right now.
type SalesState string

// Sales states, in the order a showtime goes through them.
const (
	SalesOpen        SalesState = "open"
	SalesClosingSoon SalesState = "closing_soon" // open, but online sales close within Settings.ClosingSoon
	SalesClosed      SalesState = "closed"       // online sales closed before the start (or the show was cancelled)
	SalesStarted     SalesState = "started"      // the show has started and online sales are closed
)

// Sales describes the sales state of a showtime at one instant, with the
// banner a page shows about it.
type Sales struct {
	State SalesState
	// CloseAt is when online sales close.
	CloseAt time.Time
	// Remaining is the time left until online sales close (0 when closed).
	Remaining time.Duration
	// Banner is a short sentence for the page; empty when nothing needs saying.
	Banner string
}

// Open reports whether seats may be held and orders created.
func (s Sales) Open() bool { return s.State == SalesOpen || s.State == SalesClosingSoon }

// SalesAt returns the online sales state of st at now.
func SalesAt(st Showtime, now time.Time, set Settings) Sales {
	set = set.WithDefaults()
	s := Sales{CloseAt: st.SalesCloseAt}
	switch {
	case st.Status == ShowtimeCancelled:
		s.State = SalesClosed
		s.Banner = "This showtime has been cancelled."
	case st.Unpublished:
		s.State = SalesClosed
		s.Banner = "This showtime is not on sale."
	case st.SalesOpenAt != nil && now.Before(*st.SalesOpenAt) && now.Before(st.SalesCloseAt):
		s.State = SalesClosed
		s.Banner = "Online sales for this show haven't opened yet."
	case !now.Before(st.SalesCloseAt) && !now.Before(st.StartsAt):
		s.State = SalesStarted
		s.Banner = "This show has started. Online sales are closed; the box office may still have seats."
	case !now.Before(st.SalesCloseAt):
		s.State = SalesClosed
		s.Banner = "Online sales for this show are closed."
	default:
		s.Remaining = st.SalesCloseAt.Sub(now)
		s.State = SalesOpen
		if s.Remaining <= set.ClosingSoon {
			s.State = SalesClosingSoon
			s.Banner = fmt.Sprintf("Hurry: online sales close in %s.", durationWords(s.Remaining))
			if !now.Before(st.StartsAt) {
				s.Banner = fmt.Sprintf("This show has started; online sales close in %s.", durationWords(s.Remaining))
			}
		}
	}
	return s
}

// HoldUntil returns when a hold taken at now ends: the hold length, cut short
// by the online sales cutoff. EGONE when sales are closed.
func HoldUntil(st Showtime, now time.Time, set Settings) (time.Time, error) {
	set = set.WithDefaults()
	sales := SalesAt(st, now, set)
	if !sales.Open() {
		return time.Time{}, ErrSalesClosed(sales)
	}
	until := now.Add(set.HoldLength)
	if st.SalesCloseAt.Before(until) {
		until = st.SalesCloseAt
	}
	return until, nil
}

// ErrSalesClosed is the EGONE error for a showtime that can't be booked online.
func ErrSalesClosed(s Sales) *Error {
	msg := s.Banner
	if msg == "" {
		msg = "Online sales for this show are closed."
	}
	return Errorf(EGONE, "%s", msg)
}

// durationWords writes a duration for people: "12 minutes", "1 minute", "40 seconds", "2 hours 5 minutes".
func durationWords(d time.Duration) string {
	if d < time.Minute {
		s := int(d.Round(time.Second) / time.Second)
		return plural(s, "second")
	}
	m := int(d.Round(time.Minute) / time.Minute)
	if m < 60 {
		return plural(m, "minute")
	}
	h, m := m/60, m%60
	if m == 0 {
		return plural(h, "hour")
	}
	return plural(h, "hour") + " " + plural(m, "minute")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
