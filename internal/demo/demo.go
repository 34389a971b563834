// Package demo is Marquee's demo programme: three theatres in three time
// zones, invented movies with posters drawn for Marquee (static/img/posters),
// seat layouts with aisles, a premium zone and wheelchair places, and a week
// of showtimes from today in each theatre's local time, one of them starting
// about 15 minutes from now. `marquee seed` and tests load it.
package demo

import (
	"fmt"
	"time"

	"marquee/booking"
	"marquee/db"
)

// demoTheatre describes a theatre and its screens.
type demoTheatre struct {
	theatre booking.Theatre
	screens []demoScreen
}

// demoScreen is an auditorium layout: rows of seat blocks separated by aisles.
type demoScreen struct {
	name   string
	rows   int
	blocks []int // seats per block, left to right; aisles between blocks
	large  bool  // plays large-format (IMAX) showings
}

var demoTheatres = []demoTheatre{
	{
		theatre: booking.Theatre{Slug: "downtown", Name: "Marquee Downtown", City: "New York", Address: "212 Bleecker Street, New York, NY 10012", TimeZone: "America/New_York"},
		screens: []demoScreen{
			{name: "Screen 1", rows: 14, blocks: []int{4, 12, 4}, large: true},
			{name: "Screen 2", rows: 11, blocks: []int{3, 10, 3}},
			{name: "Screen 3", rows: 8, blocks: []int{3, 9, 3}},
		},
	},
	{
		theatre: booking.Theatre{Slug: "lakeside", Name: "Marquee Lakeside", City: "Chicago", Address: "401 North Lake Shore Drive, Chicago, IL 60611", TimeZone: "America/Chicago"},
		screens: []demoScreen{
			{name: "Screen 1", rows: 12, blocks: []int{4, 11, 4}},
			{name: "Screen 2", rows: 9, blocks: []int{3, 10, 3}},
			{name: "Screen 3", rows: 8, blocks: []int{2, 11, 2}},
		},
	},
	{
		theatre: booking.Theatre{Slug: "sunset", Name: "Marquee Sunset", City: "Los Angeles", Address: "6360 Sunset Boulevard, Los Angeles, CA 90028", TimeZone: "America/Los_Angeles"},
		screens: []demoScreen{
			{name: "Grand", rows: 13, blocks: []int{5, 12, 5}, large: true},
			{name: "Studio", rows: 10, blocks: []int{3, 8, 3}},
		},
	},
}

// rowLabels skips I and O, which read like 1 and 0.
const rowLabels = "ABCDEFGHJKLMNPQRSTUVWXYZ"

// layout draws a screen's seats. X and Y are grid positions: aisles are empty
// columns between blocks, and screens of 10+ rows have a cross aisle (an empty
// grid row) halfway back. Row A has only the centre block. The middle rows'
// centre block is premium; the first row behind the cross aisle (or the back
// row) has two wheelchair places at the ends of the centre block, each with a
// companion seat beside it.
func (s demoScreen) layout() (seats []booking.Seat, rows, cols int) {
	centre := len(s.blocks) / 2
	premiumFrom, premiumTo := s.rows*45/100, s.rows*70/100
	cross := -1
	if s.rows >= 10 {
		cross = s.rows / 2
	}
	accessRow := s.rows - 1
	if cross >= 0 {
		accessRow = cross
	}
	for r := 0; r < s.rows; r++ {
		y := r + 1
		if cross >= 0 && r >= cross {
			y++
		}
		x, number := 1, 1
		for b, n := range s.blocks {
			for i := 0; i < n; i++ {
				if r == 0 && b != centre {
					continue
				}
				kind := booking.SeatStandard
				if b == centre {
					switch {
					case r == accessRow && (i == 0 || i == n-1):
						kind = booking.SeatWheelchair
					case r == accessRow && (i == 1 || i == n-2):
						kind = booking.SeatCompanion
					case r >= premiumFrom && r < premiumTo:
						kind = booking.SeatPremium
					}
				}
				seats = append(seats, booking.Seat{Row: string(rowLabels[r]), Number: number, X: x + i, Y: y, Kind: kind})
				number++
			}
			x += n + 1 // the aisle
		}
		if x-2 > cols {
			cols = x - 2
		}
		if y > rows {
			rows = y
		}
	}
	return seats, rows, cols
}

// demoMovies are invented films; release dates are days before today.
var demoMovies = []struct {
	booking.Movie
	releasedDaysAgo int
}{
	{booking.Movie{Slug: "red-meridian", Title: "Red Meridian", Genres: []string{"Action", "Sci-Fi"}, Director: "Tamsin Okafor",
		Cast: []string{"Idris Vale", "Noor Haddad", "Pietro Lund", "June Amari"}, RuntimeMin: 139, Rating: "PG-13",
		Synopsis: "When a solar storm knocks out every satellite above the equator, a disgraced flight engineer and a rookie controller have seventy hours to bring a crippled orbital station down in one piece — while someone on board is making sure it doesn't."}, 9},
	{booking.Movie{Slug: "orbit-of-glass", Title: "Orbit of Glass", Genres: []string{"Sci-Fi", "Drama"}, Director: "Ilse Marchetti",
		Cast: []string{"Anouk Brennan", "Kofi Mensah", "Dara Whitlock"}, RuntimeMin: 131, Rating: "PG-13",
		Synopsis: "A glassblower's daughter becomes the first artist-in-residence on a research ship bound for Saturn, and discovers that the crew's quiet routines hide a decision that will strand one of them forever."}, 16},
	{booking.Movie{Slug: "the-last-cartographer", Title: "The Last Cartographer", Genres: []string{"Adventure", "Fantasy"}, Director: "Rafael Quintero",
		Cast: []string{"Maya Strand", "Oluwaseun Eze", "Bertil Haug", "Lena Sato"}, RuntimeMin: 146, Rating: "PG-13",
		Synopsis: "In a kingdom where maps decide what exists, the last licensed cartographer must chart a coastline that appears only at low tide, before the royal surveyors erase her village from every atlas."}, 23},
	{booking.Movie{Slug: "nightjar", Title: "Nightjar", Genres: []string{"Thriller", "Crime"}, Director: "Colm Reddy",
		Cast: []string{"Sasha Ivers", "Marco Bellandi", "Priya Raman"}, RuntimeMin: 112, Rating: "R",
		Synopsis: "A night-shift radio host takes a call from a listener who describes, in real time, a burglary happening in the host's own apartment. Then the caller asks for a song request."}, 5},
	{booking.Movie{Slug: "sundown-express", Title: "Sundown Express", Genres: []string{"Western", "Adventure"}, Director: "Harriet Cole",
		Cast: []string{"Wade Kerrigan", "Esme Delacroix", "Tomás Reyes", "Ruth Ashby"}, RuntimeMin: 124, Rating: "PG-13",
		Synopsis: "1889. A mail train crossing the Arizona Territory carries a sealed strongbox, six strangers and a conductor who has never lost a delivery. By sundown, one of those three things will change."}, 30},
	{booking.Movie{Slug: "the-clockmakers-garden", Title: "The Clockmaker's Garden", Genres: []string{"Animation", "Family", "Fantasy"}, Director: "Yuki Arai",
		Cast: []string{"Poppy Lindqvist", "Arthur Benedek", "Celia Moreau"}, RuntimeMin: 96, Rating: "PG",
		Synopsis: "Ten-year-old Wren inherits her great-uncle's workshop and finds a garden where the flowers keep time. When the roses start running late, the whole town begins to forget what day it is."}, 12},
	{booking.Movie{Slug: "low-tide", Title: "Low Tide", Genres: []string{"Drama", "Romance"}, Director: "Agnieszka Wolan",
		Cast: []string{"Hugo Ferrand", "Imogen Kaye", "Samir Bouzid"}, RuntimeMin: 108, Rating: "PG-13",
		Synopsis: "Two former lovers return to the island where they grew up to scatter a friend's ashes, and have exactly one low tide to cross back to the mainland before the road disappears until morning."}, 19},
	{booking.Movie{Slug: "kilowatt-kids", Title: "Kilowatt Kids", Genres: []string{"Animation", "Comedy", "Family"}, Director: "Benny Osei",
		Cast: []string{"Milo Fairweather", "Zara Quist", "Desmond Hale", "Ivy Okoro"}, RuntimeMin: 89, Rating: "G",
		Synopsis: "A gang of household appliances stages the heist of the century when they learn the family is replacing them with a single smart gadget. The toaster has a plan. The vacuum has doubts."}, 2},
	{booking.Movie{Slug: "the-quiet-orchard", Title: "The Quiet Orchard", Genres: []string{"Horror", "Mystery"}, Director: "Mirela Dragan",
		Cast: []string{"Thea Lowry", "Jonas Pike", "Beatrix Holm"}, RuntimeMin: 101, Rating: "R",
		Synopsis: "The apples on the Halvorsen farm have never been picked, and the birds will not land in its trees. A new owner with a mortgage to pay decides this autumn will be different."}, 6},
	{booking.Movie{Slug: "second-chair", Title: "Second Chair", Genres: []string{"Comedy", "Music"}, Director: "Leon Fairbanks",
		Cast: []string{"Gemma Ortiz", "Felix Adeyemi", "Harold Winsome"}, RuntimeMin: 104, Rating: "PG-13",
		Synopsis: "A violinist who has played second chair for twenty-two years finally gets her solo — on the same night the orchestra's first chair returns from retirement, determined to reclaim it."}, 26},
	{booking.Movie{Slug: "atlas-of-small-things", Title: "Atlas of Small Things", Genres: []string{"Documentary"}, Director: "Nadia Kettering",
		Cast: []string{"Nadia Kettering (narrator)"}, RuntimeMin: 92, Rating: "PG",
		Synopsis: "Shot entirely through macro lenses over four seasons, a journey across one city block reveals the forests, deserts and migrations that happen at the scale of a thumbnail."}, 40},
	{booking.Movie{Slug: "the-lighthouse-keepers-daughter", Title: "The Lighthouse Keeper's Daughter", Genres: []string{"Drama", "Mystery"}, Director: "Owen Trevithick",
		Cast: []string{"Cara Penrose", "Matthias Brandt", "Eleanor Vance", "Joss Adair"}, RuntimeMin: 118, Rating: "PG-13",
		Synopsis: "Cornwall, 1953. After her father vanishes during a storm, Morwenna keeps the light burning alone and begins to log ships that no harbour has ever heard of."}, 33},
}

// largeFormat lists the movies shown in large format on the big screens.
var largeFormat = []string{"red-meridian", "orbit-of-glass", "the-last-cartographer"}

// Scheduling constants of the demo programme.
const (
	adsAndTrailers = 20 * time.Minute // from the advertised start to the feature's end is runtime + this
	cleaning       = 20 * time.Minute
	firstShow      = 10*time.Hour + 30*time.Minute // local time of a screen's first show
	lastStart      = 22*time.Hour + 45*time.Minute // no show starts later (local)
	counterGrace   = 10 * time.Minute              // walk-in sales stay open after the start
	demoDays       = 7
	soonScreen     = "Screen 3" // at the first theatre: where the show starting in ~15 minutes is
	soonMovie      = "kilowatt-kids"
	// SoonLead is how long after now the demo's soonest showtime starts.
	SoonLead = 15 * time.Minute
)

func demoPriceCards() []db.PriceCard {
	base := map[string][2]int64{ // ticket type → standard, premium (evening, cents)
		"adult":   {1500, 1900},
		"child":   {1100, 1500},
		"senior":  {1150, 1550},
		"student": {1250, 1650},
	}
	card := func(name string, delta int64) db.PriceCard {
		pc := db.PriceCard{Name: name, Currency: "usd"}
		for _, tt := range []string{"adult", "child", "senior", "student"} {
			std, prem := base[tt][0]+delta, base[tt][1]+delta
			pc.Prices = append(pc.Prices,
				booking.Price{TicketType: tt, SeatKind: booking.SeatStandard, AmountCents: std},
				booking.Price{TicketType: tt, SeatKind: booking.SeatPremium, AmountCents: prem},
				booking.Price{TicketType: tt, SeatKind: booking.SeatWheelchair, AmountCents: std},
				booking.Price{TicketType: tt, SeatKind: booking.SeatCompanion, AmountCents: std},
			)
		}
		return pc
	}
	large := card("Large format", 500)
	large.Format = "IMAX"
	return []db.PriceCard{card("Matinee", -300), card("Evening", 0), large}
}

// upTo is a ticket type's oldest age: the demo's child ticket is for ages
// up to 11 ("under 12"), so films rated for 15 or 18 and over don't sell it.
func upTo(age int) *int { return &age }

// Catalog builds the demo programme relative to now.
func Catalog(now time.Time) (db.Catalog, error) {
	c := db.Catalog{
		TicketTypes: []booking.TicketType{
			{Code: "adult", Name: "Adult", Sort: 1},
			{Code: "child", Name: "Child (under 12)", Sort: 2, MaxAge: upTo(11), ProofRequired: true, ProofNote: "proof of age"},
			{Code: "senior", Name: "Senior (65+)", Sort: 3, ProofRequired: true, ProofNote: "proof of age"},
			{Code: "student", Name: "Student", Sort: 4, ProofRequired: true, ProofNote: "student card"},
		},
		PriceCards: demoPriceCards(),
	}
	runtime := map[string]time.Duration{}
	for _, dm := range demoMovies {
		m := dm.Movie
		m.Poster = "/static/img/posters/" + m.Slug + ".svg"
		m.TrailerURL = "https://trailers.example.com/" + m.Slug
		m.ReleaseDate = dateOnly(now.AddDate(0, 0, -dm.releasedDaysAgo))
		c.Movies = append(c.Movies, m)
		runtime[m.Slug] = time.Duration(m.RuntimeMin) * time.Minute
	}
	soon := now.Add(SoonLead).Truncate(time.Minute)
	for ti, dt := range demoTheatres {
		loc, err := time.LoadLocation(dt.theatre.TimeZone)
		if err != nil {
			return db.Catalog{}, fmt.Errorf("theatre %s: %w", dt.theatre.Slug, err)
		}
		c.Theatres = append(c.Theatres, dt.theatre)
		local := now.In(loc)
		for si, s := range dt.screens {
			seats, rows, cols := s.layout()
			c.Auditoriums = append(c.Auditoriums, db.SeedAuditorium{TheatreSlug: dt.theatre.Slug, Name: s.name, Rows: rows, Cols: cols, Seats: seats})
			for day := 0; day < demoDays; day++ {
				midnight := time.Date(local.Year(), local.Month(), local.Day()+day, 0, 0, 0, 0, loc)
				start := midnight.Add(firstShow + time.Duration(si)*25*time.Minute)
				lineup := ti*5 + si*3 + day
				if ti == 0 && day == 0 && s.name == soonScreen {
					// Today this screen's programme starts with the show ~15 minutes from now.
					start = soon
					c.Showtimes = append(c.Showtimes, showing(soonMovie, dt.theatre.Slug, s.name, start, runtime[soonMovie], loc, "2D"))
					start = nextStart(c.Showtimes[len(c.Showtimes)-1].ReadyAt)
				}
				for slot := 0; start.Before(midnight.Add(lastStart)); slot++ {
					movie, format := c.Movies[(lineup+slot)%len(c.Movies)].Slug, "2D"
					if s.large {
						movie, format = largeFormat[(lineup+slot)%len(largeFormat)], "IMAX"
					}
					st := showing(movie, dt.theatre.Slug, s.name, start, runtime[movie], loc, format)
					c.Showtimes = append(c.Showtimes, st)
					start = nextStart(st.ReadyAt)
				}
			}
		}
	}
	return c, nil
}

// showing is one showtime with its end, cleaning buffer, sales cutoffs and price card.
func showing(movie, theatre, screen string, start time.Time, runtime time.Duration, loc *time.Location, format string) db.SeedShowtime {
	end := start.Add(adsAndTrailers + runtime)
	card := "Evening"
	switch {
	case format == "IMAX":
		card = "Large format"
	case start.In(loc).Hour() < 17:
		card = "Matinee"
	}
	return db.SeedShowtime{
		MovieSlug: movie, TheatreSlug: theatre, Auditorium: screen, PriceCard: card, Format: format,
		StartsAt: start, EndsAt: end, ReadyAt: end.Add(cleaning),
		SalesCloseAt: start, CounterCloseAt: start.Add(counterGrace),
	}
}

// nextStart rounds the moment a screen is ready up to the next quarter hour.
func nextStart(ready time.Time) time.Time {
	t := ready.Truncate(15 * time.Minute)
	if t.Before(ready) {
		t = t.Add(15 * time.Minute)
	}
	return t
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
