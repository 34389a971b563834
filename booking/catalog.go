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
	// OriginalTitle is the title in the film's own language, when it differs.
	OriginalTitle string `db:"original_title" json:"originalTitle,omitempty"`
	// Distributor is who the cinema books the film from (managers and reports only).
	Distributor string `db:"distributor" json:"-"`
	// PosterCard is the small poster of listings; "" : Poster.
	PosterCard string `db:"poster_card" json:"-"`
	// ArchivedAt is when the movie left the catalogue (nil: current).
	ArchivedAt *time.Time `db:"archived_at" json:"-"`
}

// CardPoster is the poster for listings: the small upload, else Poster.
func (m Movie) CardPoster() string {
	if m.PosterCard != "" {
		return m.PosterCard
	}
	return m.Poster
}

// Archived reports whether the movie has left the catalogue.
func (m Movie) Archived() bool { return m.ArchivedAt != nil }

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
	// SeatBlocked is a house seat or a seat out of use: drawn on the map,
	// never sold, held or offered (Sellable).
	SeatBlocked = "blocked"
)

// SeatKinds lists the seat kinds in legend order.
var SeatKinds = []string{SeatStandard, SeatPremium, SeatWheelchair, SeatCompanion, SeatBlocked}

// Sellable reports whether a seat of this kind may be held or sold at all.
func Sellable(kind string) bool { return kind != SeatBlocked }

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
	Zone         string `db:"zone"` // pricing zone, "" when priced by kind
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
	Format         string    `db:"format"`    // "2D", "3D", "IMAX"… (Formats)
	LayoutID       int64     `db:"layout_id"` // the seat layout version it sells (seat_layouts)
	// Unpublished: only staff see the showtime (a draft); customers and the API don't.
	Unpublished bool `db:"unpublished"`
	// SalesOpenAt is when online sales open (nil: as soon as it is published).
	SalesOpenAt *time.Time `db:"sales_open_at"`
	ShowAttrs
	// SubtitleLanguage is the BCP 47 language of the subtitles, "" for none.
	SubtitleLanguage string `db:"subtitle_language"`
}

// TicketType is a kind of ticket (adult, child, senior…).
type TicketType struct {
	Code string `db:"code" json:"code"`
	Name string `db:"name" json:"name"`
	Sort int    `db:"sort" json:"-"`
	// ProofRequired: the door checks a proof (age, student card); ProofNote
	// says which ("proof of age"), shown at checkout, on the ticket and at the door.
	ProofRequired bool   `db:"proof_required" json:"proofRequired,omitempty"`
	ProofNote     string `db:"proof_note" json:"proofNote,omitempty"`
	// MaxAge is the oldest age the type is for (a child ticket: 11); nil:
	// any age. AllowsTicketType compares it with a film's rating.
	MaxAge *int `db:"max_age" json:"maxAge,omitempty"`
	// RetiredAt: no longer sold (orders that have it keep it).
	RetiredAt *time.Time `db:"retired_at" json:"-"`
}

// Price is what one ticket type costs on one seat kind, or on the seats of
// one zone (SeatKind ""), all day (DayPart "") or in one day-part, in cents.
type Price struct {
	TicketType  string `db:"ticket_type" json:"ticketType"`
	SeatKind    string `db:"seat_kind" json:"seatKind,omitempty"`
	Zone        string `db:"zone" json:"zone,omitempty"`
	DayPart     string `db:"day_part" json:"dayPart,omitempty"`
	AmountCents int64  `db:"amount_cents" json:"amountCents"`
}
