package booking

import (
	"strconv"
	"sync"
	"time"
)

// Movie is a film in the programme.
type Movie struct {
	ID          int64     `db:"id" json:"id"`
	Slug        string    `db:"slug" json:"slug"`
	Title       string    `db:"title" json:"title"`
	Genres      []string  `db:"-" json:"genre"`
	Director    string    `db:"director" json:"director"`
	Cast        []string  `db:"-" json:"cast"`
	RuntimeMin  int       `db:"runtime_min" json:"runtimeMinutes"`
	Rating      string    `db:"rating" json:"rating"`
	Synopsis    string    `db:"synopsis" json:"synopsis"`
	Poster      string    `db:"poster" json:"poster"`
	TrailerURL  string    `db:"trailer_url" json:"trailerUrl,omitempty"`
	ReleaseDate time.Time `db:"release_date" json:"releaseDate"`
}

// Theatre is a cinema building. Its showtimes are shown in its own time zone.
type Theatre struct {
	ID       int64  `db:"id"`
	Slug     string `db:"slug"`
	Name     string `db:"name"`
	City     string `db:"city"`
	Address  string `db:"address"`
	TimeZone string `db:"time_zone"`
}

// Location returns the theatre's time zone, UTC when it cannot be loaded.
// Zones are loaded once per name: time.LoadLocation reads and parses the
// tzdata file on every call, which the hottest pages call several times.
func (t Theatre) Location() *time.Location {
	if loc, ok := locations.Load(t.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(t.TimeZone)
	if err != nil {
		return time.UTC // not cached: a zone missing now may be installed later
	}
	locations.Store(t.TimeZone, loc)
	return loc
}

// locations caches loaded time zones by name (a handful in practice).
var locations sync.Map

// Auditorium is a screen inside a theatre.
type Auditorium struct {
	ID        int64  `db:"id"`
	TheatreID int64  `db:"theatre_id"`
	Name      string `db:"name"`
	Rows      int    `db:"rows"`
	Cols      int    `db:"cols"`
	Capacity  int    `db:"capacity"`
}

// Seat kinds.
const (
	SeatStandard   = "standard"
	SeatPremium    = "premium"
	SeatWheelchair = "wheelchair"
	SeatCompanion  = "companion"
)

// SeatKinds lists the seat kinds in legend order.
var SeatKinds = []string{SeatStandard, SeatPremium, SeatWheelchair, SeatCompanion}

// Seat is a physical place in an auditorium. X and Y are grid positions
// (columns and rows of the drawn map, aisles and gaps included).
type Seat struct {
	ID           int64  `db:"id"`
	AuditoriumID int64  `db:"auditorium_id"`
	Row          string `db:"row_label"`
	Number       int    `db:"number"`
	X            int    `db:"x"`
	Y            int    `db:"y"`
	Kind         string `db:"kind"`
}

// Label is the human name of a seat, e.g. "F12".
func (s Seat) Label() string { return s.Row + strconv.Itoa(s.Number) }

// Showtime statuses.
const (
	ShowtimeScheduled = "scheduled"
	ShowtimeCancelled = "cancelled"
)

// Showtime is one screening of a movie in an auditorium.
type Showtime struct {
	ID             int64     `db:"id"`
	MovieID        int64     `db:"movie_id"`
	AuditoriumID   int64     `db:"auditorium_id"`
	StartsAt       time.Time `db:"starts_at"`
	EndsAt         time.Time `db:"ends_at"`
	SalesCloseAt   time.Time `db:"sales_close_at"`   // online sales cutoff
	CounterCloseAt time.Time `db:"counter_close_at"` // walk-in (box office) cutoff
	Status         string    `db:"status"`
	PriceCardID    int64     `db:"price_card_id"`
	Format         string    `db:"format"` // "2D", "3D", "IMAX"…
	// SubtitleLanguage is the BCP 47 language of the subtitles, "" for none.
	SubtitleLanguage string `db:"subtitle_language"`
}

// TicketType is a kind of ticket (adult, child, senior…).
type TicketType struct {
	Code string `db:"code" json:"code"`
	Name string `db:"name" json:"name"`
	Sort int    `db:"sort" json:"-"`
}

// Price is what one ticket type costs on one seat kind, in integer cents.
type Price struct {
	TicketType  string `db:"ticket_type" json:"ticketType"`
	SeatKind    string `db:"seat_kind" json:"seatKind"`
	AmountCents int64  `db:"amount_cents" json:"amountCents"`
}
