package booking

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Scheduling the programme: how a showtime is shown (ShowAttrs), when it
// occupies its auditorium and sells (Slot, SalesWindow), series of showtimes
// in the theatre's local time, and which changes a showtime allows when.

// Formats a showtime may be projected in, in menu order.
var Formats = []string{"2D", "3D", "IMAX", "IMAX 3D", "Dolby Cinema", "4DX", "ScreenX"}

// Language versions.
const (
	VersionOriginal  = "original"  // the original soundtrack, no subtitles
	VersionDubbed    = "dubbed"    // dubbed into Language
	VersionSubtitled = "subtitled" // original soundtrack, subtitles in Language
)

// Versions lists the language versions in menu order.
var Versions = []string{VersionOriginal, VersionDubbed, VersionSubtitled}

// ShowAttrs are what customers are told about how a showtime is shown
// (besides its format): language version, access, a special event.
type ShowAttrs struct {
	Version          string `db:"version"`           // VersionOriginal, VersionDubbed, VersionSubtitled ("": original)
	Language         string `db:"language"`          // of the dubbing or the subtitles, e.g. "English"
	AudioDescription bool   `db:"audio_description"` // narration for blind and partially sighted people
	Captions         bool   `db:"captions"`          // subtitles for the deaf and hard of hearing
	Event            string `db:"event_label"`       // e.g. "Premiere with Q&A"; "" for none
}

// Chip is one short label about a showtime (what's on, movie and showtime
// pages); Title says it in full for screen readers and tooltips.
type Chip struct {
	Label, Title string
}

// VersionText is the language version in words ("" for the original
// version without a language named).
func (a ShowAttrs) VersionText() string {
	switch a.Version {
	case VersionDubbed:
		if a.Language != "" {
			return "Dubbed (" + a.Language + ")"
		}
		return "Dubbed"
	case VersionSubtitled:
		if a.Language != "" {
			return a.Language + " subtitles"
		}
		return "Subtitled"
	default:
		if a.Language != "" {
			return "Original version (" + a.Language + ")"
		}
		return ""
	}
}

// Chips are the showtime's attributes as short labels, in a fixed order:
// language version, audio description, captions, event.
func (a ShowAttrs) Chips() []Chip {
	var out []Chip
	if v := a.VersionText(); v != "" {
		short := v
		switch a.Version {
		case VersionSubtitled:
			short = "Sub"
			if a.Language != "" {
				short += " " + a.Language
			}
		case VersionOriginal, "":
			short = "OV"
		}
		out = append(out, Chip{Label: short, Title: v})
	}
	if a.AudioDescription {
		out = append(out, Chip{Label: "AD", Title: "Audio description"})
	}
	if a.Captions {
		out = append(out, Chip{Label: "CC", Title: "Captions for the deaf and hard of hearing"})
	}
	if a.Event != "" {
		out = append(out, Chip{Label: a.Event, Title: "Special event: " + a.Event})
	}
	return out
}

// Limits of free text on a showtime.
const (
	maxLanguage = 40
	maxEvent    = 60
)

// Check validates and normalises the attributes: a known version, a
// language for a dubbed or subtitled version, short texts.
func (a ShowAttrs) Check() (ShowAttrs, error) {
	a.Language = strings.TrimSpace(a.Language)
	a.Event = strings.TrimSpace(a.Event)
	if a.Version == "" {
		a.Version = VersionOriginal
	}
	switch {
	case !slices.Contains(Versions, a.Version):
		return a, Invalid("version", "Choose original, dubbed or subtitled.")
	case a.Version != VersionOriginal && a.Language == "":
		return a, Invalid("language", "Say which language it is %s in.", a.Version)
	case len([]rune(a.Language)) > maxLanguage:
		return a, Invalid("language", "The language may be at most %d characters.", maxLanguage)
	case len([]rune(a.Event)) > maxEvent:
		return a, Invalid("event", "The event label may be at most %d characters.", maxEvent)
	}
	return a, nil
}

// CheckFormat validates a projection format.
func CheckFormat(f string) error {
	if !slices.Contains(Formats, f) {
		return Invalid("format", "Choose a format from the list.")
	}
	return nil
}

// SalesWindow says when a showtime sells, relative to its start: online from
// OpenAt (nil: at once) until Close after the start (negative: before it),
// at the counter until Counter after the start.
type SalesWindow struct {
	OpenAt  *time.Time
	Close   time.Duration
	Counter time.Duration
}

// DefaultSalesWindow: online until the start, the counter ten minutes longer.
func DefaultSalesWindow() SalesWindow { return SalesWindow{Close: 0, Counter: 10 * time.Minute} }

// Slot is when a showtime occupies its auditorium and when it sells.
type Slot struct {
	StartsAt       time.Time
	EndsAt         time.Time // the feature's end: StartsAt + trailers + runtime
	ReadyAt        time.Time // the auditorium is free again: EndsAt + cleaning
	SalesOpenAt    *time.Time
	SalesCloseAt   time.Time
	CounterCloseAt time.Time
}

// maxSalesLead bounds how long before the start online sales may close.
const maxSalesLead = 7 * 24 * time.Hour

// Slot returns the slot of a showtime of a feature of runtimeMin minutes
// starting at start, selling in w.
func (r ProgrammeRules) Slot(start time.Time, runtimeMin int, w SalesWindow) (Slot, error) {
	if runtimeMin <= 0 {
		return Slot{}, Invalid("movie", "The movie has no runtime; set it on the movie first.")
	}
	end := start.Add(r.Trailers + time.Duration(runtimeMin)*time.Minute)
	s := Slot{StartsAt: start, EndsAt: end, ReadyAt: end.Add(r.Cleaning),
		SalesCloseAt: start.Add(w.Close), CounterCloseAt: start.Add(w.Counter)}
	switch {
	case w.Close < -maxSalesLead:
		return Slot{}, Invalid("sales_close", "Online sales may close at most 7 days before the start.")
	case s.SalesCloseAt.After(end):
		return Slot{}, Invalid("sales_close", "Online sales must close before the show ends.")
	case w.Counter < w.Close:
		return Slot{}, Invalid("counter_close", "The counter can't close before online sales do.")
	case s.CounterCloseAt.After(end):
		return Slot{}, Invalid("counter_close", "The counter must close before the show ends.")
	}
	if w.OpenAt != nil {
		if !w.OpenAt.Before(s.SalesCloseAt) {
			return Slot{}, Invalid("sales_open", "Online sales must open before they close.")
		}
		t := *w.OpenAt
		s.SalesOpenAt = &t
	}
	return s, nil
}

// Series is a run of showtimes: on the chosen weekdays (none: every day)
// from From to To (local calendar days, YYYY-MM-DD, both included), at each
// of Times (local "HH:MM").
type Series struct {
	From, To string
	Weekdays []time.Weekday
	Times    []string
}

// Series limits.
const (
	MaxSeriesDays  = 366
	MaxSeriesShows = 500
)

// ParseClock parses a local time of day, "19:30" (or "9:05").
func ParseClock(s string) (h, m int, err error) {
	hs, ms, ok := strings.Cut(strings.TrimSpace(s), ":")
	if ok {
		h, err = strconv.Atoi(hs)
		if err == nil {
			m, err = strconv.Atoi(ms)
		}
	}
	if !ok || err != nil || len(ms) != 2 || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, Invalid("times", "%q is not a time of day; write it like 19:30.", s)
	}
	return h, m, nil
}

// ParseClocks parses start times separated by spaces or commas, sorted, without duplicates.
func ParseClocks(s string) ([]string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		h, m, err := ParseClock(f)
		if err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("%02d:%02d", h, m))
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) == 0 {
		return nil, Invalid("times", "Give at least one start time, like 14:00 19:30.")
	}
	return out, nil
}

// LocalTime is the instant of a local date and time of day in loc. A time
// that doesn't exist that day (the hour skipped when clocks go forward) is
// refused; a time that exists twice (clocks go back) is the first of them.
func LocalTime(date string, clock string, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(DateLayout, date, loc)
	if err != nil {
		return time.Time{}, Invalid("date", "%q is not a date; write it like 2026-03-28.", date)
	}
	h, m, err := ParseClock(clock)
	if err != nil {
		return time.Time{}, err
	}
	t := time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
	if l := t.In(loc); l.Hour() != h || l.Minute() != m {
		return time.Time{}, Invalid("times", "%s doesn't exist on %s in %s: the clocks go forward that night.", clock, d.Format("Mon 2 Jan 2006"), loc)
	}
	// Clocks going back show this wall time twice; time.Date may pick either: take the first.
	for _, back := range []time.Duration{2 * time.Hour, time.Hour, 30 * time.Minute} {
		if e := t.Add(-back).In(loc); e.Hour() == h && e.Minute() == m && e.Day() == d.Day() {
			return e, nil
		}
	}
	return t, nil
}

// Starts returns every start of the series in loc, in order. Each is the
// wall-clock time asked for on its day, whatever the UTC offset that day
// (a 19:30 show is at 19:30 before and after a change of summer time).
func (s Series) Starts(loc *time.Location) ([]time.Time, error) {
	from, err := time.ParseInLocation(DateLayout, s.From, loc)
	if err != nil {
		return nil, Invalid("from", "Give the first day of the series.")
	}
	to, err := time.ParseInLocation(DateLayout, s.To, loc)
	if err != nil {
		return nil, Invalid("to", "Give the last day of the series.")
	}
	if to.Before(from) {
		return nil, Invalid("to", "The last day is before the first.")
	}
	if len(s.Times) == 0 {
		return nil, Invalid("times", "Give at least one start time, like 14:00 19:30.")
	}
	var out []time.Time
	for d, n := from, 0; !d.After(to); d, n = d.AddDate(0, 0, 1), n+1 {
		if n >= MaxSeriesDays {
			return nil, Invalid("to", "A series may span at most %d days.", MaxSeriesDays)
		}
		if len(s.Weekdays) > 0 && !slices.Contains(s.Weekdays, d.Weekday()) {
			continue
		}
		for _, c := range s.Times {
			t, err := LocalTime(d.Format(DateLayout), c, loc)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
			if len(out) > MaxSeriesShows {
				return nil, Invalid("to", "A series may have at most %d showtimes; split it.", MaxSeriesShows)
			}
		}
	}
	if len(out) == 0 {
		return nil, Invalid("weekdays", "No day in that range is one of the chosen weekdays.")
	}
	return out, nil
}

// Overlap is a wanted showtime refused because its auditorium is taken: the
// show already there.
type Overlap struct {
	Wanted     time.Time // start of the refused showtime
	ShowtimeID int64     `db:"id"`
	Movie      string    `db:"title"`
	StartsAt   time.Time `db:"starts_at"`
	ReadyAt    time.Time `db:"ready_at"`
	Auditorium string    `db:"auditorium"`
}

// OverlapError is the ECONFLICT error naming every show in the way of
// wanted showtimes (of total asked for), times in loc.
func OverlapError(overlaps []Overlap, total int, loc *time.Location) *Error {
	name := func(o Overlap) string {
		return fmt.Sprintf("“%s” at %s in %s (until %s with cleaning)", o.Movie,
			o.StartsAt.In(loc).Format("Mon 2 Jan 15:04"), o.Auditorium, o.ReadyAt.In(loc).Format("15:04"))
	}
	if len(overlaps) == 1 && total == 1 {
		return Errorf(ECONFLICT, "The auditorium is taken then: it overlaps %s. Nothing was changed.", name(overlaps[0]))
	}
	parts := make([]string, len(overlaps))
	for i, o := range overlaps {
		parts[i] = fmt.Sprintf("%s overlaps %s", o.Wanted.In(loc).Format("Mon 2 Jan 15:04"), name(o))
	}
	return Errorf(ECONFLICT, "Nothing was scheduled: %d of the %d showtimes overlap shows in the programme — %s.",
		len(overlaps), total, strings.Join(parts, "; "))
}

// ShowtimeLive is a showtime with what decides which changes it allows.
type ShowtimeLive struct {
	Showtime
	Sold   int // seats sold (paid orders)
	Orders int // live orders: paid or awaiting payment
}

// Edit is a change to a showtime made on its edit form.
type Edit struct {
	AuditoriumID int64
	StartsAt     time.Time
	PriceCardID  int64
	Format       string
	Attrs        ShowAttrs
	Published    bool
	Window       SalesWindow
}

// CheckEdit says whether cur may take the edit at now: a cancelled or
// started show can't be edited; a start or an auditorium can't change once
// the show has orders (its customers must be told: that is Move); a show
// with tickets sold can't be withdrawn from sale (unpublished) — cancel or
// move it.
func CheckEdit(cur ShowtimeLive, e Edit, now time.Time) error {
	switch {
	case cur.Status == ShowtimeCancelled:
		return Errorf(ECONFLICT, "This showtime is cancelled; it can't be changed.")
	case !now.Before(cur.StartsAt):
		return Errorf(ECONFLICT, "This show has started; it can't be changed any more.")
	}
	moved := !e.StartsAt.Equal(cur.StartsAt) || e.AuditoriumID != cur.AuditoriumID
	if moved && cur.Orders > 0 {
		return Errorf(ECONFLICT, "This show has orders, so its time and auditorium change only with Move, which tells its customers.")
	}
	if moved && !now.Before(e.StartsAt) {
		return Invalid("start", "A showtime can't start in the past.")
	}
	if !e.Published && !cur.Unpublished && cur.Sold > 0 {
		return Errorf(ECONFLICT, "Tickets have been sold for this show, so it can't be withdrawn; cancel or move it instead.")
	}
	return nil
}

// CheckNew says whether a showtime may be scheduled to start at start.
func CheckNew(start, now time.Time) error {
	if !now.Before(start) {
		return Invalid("start", "A showtime can't start in the past (%s).", start.Format("2 Jan 15:04 MST"))
	}
	return nil
}

// CheckMove says whether cur may move to start at now: not a cancelled or
// started show, not into the past, not nowhere.
func CheckMove(cur ShowtimeLive, start time.Time, auditoriumID int64, now time.Time) error {
	switch {
	case cur.Status == ShowtimeCancelled:
		return Errorf(ECONFLICT, "This showtime is cancelled; it can't be moved.")
	case !now.Before(cur.StartsAt):
		return Errorf(ECONFLICT, "This show has started; it can't be moved.")
	case !now.Before(start):
		return Invalid("start", "A show can't be moved into the past.")
	case start.Equal(cur.StartsAt) && auditoriumID == cur.AuditoriumID:
		return Invalid("start", "That is where and when the show already is.")
	}
	return nil
}

// CheckCancel says whether the cinema may cancel cur at now: any show not
// already cancelled and not yet over.
func CheckCancel(cur ShowtimeLive, now time.Time) error {
	switch {
	case cur.Status == ShowtimeCancelled:
		return Errorf(ECONFLICT, "This showtime is already cancelled.")
	case !now.Before(cur.EndsAt):
		return Errorf(ECONFLICT, "This show is over; it can't be cancelled.")
	}
	return nil
}

// MoveItem is a seat of a live order of a showtime being moved.
type MoveItem struct {
	OrderID   int64  `db:"order_id"`
	OrderCode string `db:"code"`
	Email     string `db:"email"`
	SeatID    int64  `db:"seat_id"`
	Row       string `db:"row_label"`
	Number    int    `db:"number"`
	Status    string `db:"status"` // ItemSold or ItemReserved
}

// MovePlan is what moving a showtime into another auditorium does to its
// orders' seats: each keeps the seat of the same row and number where the
// new auditorium has one (Seats: old id → new id); the others (Lost, by
// order code) are refunded.
type MovePlan struct {
	Seats map[int64]int64
	Lost  map[string][]int64
}

// PlanMove maps the items' seats from the old auditorium's seats onto the
// new one's by row and number. Moving within one auditorium keeps every seat.
func PlanMove(items []MoveItem, to []Seat, sameAuditorium bool) MovePlan {
	p := MovePlan{Seats: map[int64]int64{}, Lost: map[string][]int64{}}
	byLabel := make(map[string]int64, len(to))
	for _, s := range to {
		byLabel[s.Label()] = s.ID
	}
	for _, it := range items {
		if sameAuditorium {
			p.Seats[it.SeatID] = it.SeatID
			continue
		}
		if id, ok := byLabel[Seat{Row: it.Row, Number: it.Number}.Label()]; ok {
			p.Seats[it.SeatID] = id
		} else {
			p.Lost[it.OrderCode] = append(p.Lost[it.OrderCode], it.SeatID)
		}
	}
	return p
}

// PlanSeatRefund is the cinema taking back some seats of an order (a moved
// show without those seats): tickets and their share of the booking fee
// refunded, no charge, whatever the time and check-in state.
func PlanSeatRefund(o Order, seatIDs []int64) (Cancellation, error) {
	if len(seatIDs) == 0 {
		return Cancellation{}, Errorf(ECONFLICT, "No seat to refund.")
	}
	return planRefund(o, seatIDs, func(_, feeShare int64) (int64, int64) { return feeShare, 0 }, true)
}
