package booking

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Prices: a showtime's card resolved for it (day-part, rating, retired
// types), the rating rule, and what a manager may write on a card.

// Day-parts of a price card. DayAll prices hold whenever a day-part has none.
const (
	DayAll     = ""
	DayMatinee = "matinee"
	DayEvening = "evening"
	DayWeekend = "weekend"
)

// DayPartNames are the day-parts in the order the price editor shows them.
var DayPartNames = []string{DayAll, DayMatinee, DayEvening, DayWeekend}

// DayPartLabel is how pages name a day-part.
func DayPartLabel(dp string) string {
	switch dp {
	case DayMatinee:
		return "Matinee"
	case DayEvening:
		return "Evening"
	case DayWeekend:
		return "Weekend"
	default:
		return "All day"
	}
}

// DayPartRules say which day-part a show is in: all day on a weekend day,
// otherwise matinee when it starts (local time) before MatineeEnds after
// midnight, evening after.
type DayPartRules struct {
	MatineeEnds time.Duration
	Weekend     []time.Weekday
}

// DefaultDayPartRules: matinees start before 17:00, Saturday and Sunday are the weekend.
func DefaultDayPartRules() DayPartRules {
	return DayPartRules{MatineeEnds: 17 * time.Hour, Weekend: []time.Weekday{time.Saturday, time.Sunday}}
}

// Of is the day-part of a show starting at start, in the theatre's zone loc.
func (r DayPartRules) Of(start time.Time, loc *time.Location) string {
	t := start.In(loc)
	if slices.Contains(r.Weekend, t.Weekday()) {
		return DayWeekend
	}
	midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	if t.Sub(midnight) < r.MatineeEnds {
		return DayMatinee
	}
	return DayEvening
}

// BarredType is a ticket type a showtime doesn't sell, and why.
type BarredType struct {
	Code   string
	Reason string
}

// ForShowtime is the card as showtime info sells by it: the day-part of its
// start, only the prices of that day-part (or all day where it has none),
// and only the ticket types that are not retired and that the film's rating
// allows (AllowsTicketType) — the others are Barred, with the reason.
func (pc PriceCard) ForShowtime(info ShowtimeInfo) PriceCard {
	out := pc
	out.DayPart = pc.DayParts.Of(info.Showtime.StartsAt, info.Theatre.Location())
	out.TicketTypes, out.Barred, out.Prices = nil, nil, nil
	sold := map[string]bool{}
	for _, tt := range pc.TicketTypes {
		switch ok, why := AllowsTicketType(info.Movie.Rating, tt); {
		case tt.RetiredAt != nil:
			out.Barred = append(out.Barred, BarredType{tt.Code, tt.Name + " tickets are no longer sold."})
		case !ok:
			out.Barred = append(out.Barred, BarredType{tt.Code, why})
		default:
			sold[tt.Code] = true
		}
	}
	type cell struct{ tt, kind, zone string }
	override := map[cell]bool{}
	for _, p := range pc.Prices {
		if p.DayPart == out.DayPart && p.DayPart != DayAll {
			override[cell{p.TicketType, p.SeatKind, p.Zone}] = true
		}
	}
	priced := map[string]bool{}
	for _, p := range pc.Prices {
		if !sold[p.TicketType] || (p.DayPart != DayAll && p.DayPart != out.DayPart) {
			continue
		}
		if p.DayPart == DayAll && override[cell{p.TicketType, p.SeatKind, p.Zone}] {
			continue
		}
		out.Prices = append(out.Prices, p)
		priced[p.TicketType] = true
	}
	for _, tt := range pc.TicketTypes {
		if priced[tt.Code] {
			out.TicketTypes = append(out.TicketTypes, tt)
		}
	}
	return out
}

// ratingMinAge lists ratings that admit nobody under an age, not even with
// an adult (NC-17: "no one 17 and under admitted"; the UK's 15 and 18).
// Ratings that admit children with an adult (R, 12A, PG-13, MA15+…) and
// unknown ones are not listed: they allow every ticket type.
var ratingMinAge = map[string]int{
	"NC-17": 18, "NC17": 18, "18": 18, "18+": 18, "R18": 18, "R18+": 18, "X": 18, "FSK18": 18,
	"16": 16, "16+": 16, "R16": 16, "FSK16": 16,
	"15": 15, "15+": 15, "R15+": 15,
}

// RatingMinAge is the youngest age a film's rating admits at all (0: any
// age, with an adult where the rating asks for one).
func RatingMinAge(rating string) int {
	r := strings.ToUpper(strings.Join(strings.Fields(rating), ""))
	return ratingMinAge[r]
}

// AllowsTicketType is the rating rule: a ticket type for people up to an
// age (MaxAge) isn't sold for a film whose rating admits nobody that young —
// no child tickets for an adults-only film. Types for any age are always
// allowed. The reason is the customer's message when it is refused.
func AllowsTicketType(rating string, tt TicketType) (bool, string) {
	min := RatingMinAge(rating)
	if tt.MaxAge == nil || min == 0 || *tt.MaxAge >= min {
		return true, ""
	}
	return false, tt.Name + " tickets aren't sold for this film: it is rated " + strings.TrimSpace(rating) +
		" (ages " + strconv.Itoa(min) + " and over only)."
}

// CardFor is the card a new showtime of format in a theatre gets unless a
// manager picks another: the theatre's own card for the format, else a shared
// one for it, else the theatre's own card for any format, else a shared one
// (the first of cards in each case).
func CardFor(cards []PriceCard, theatreID int64, format string) (PriceCard, bool) {
	own := func(c PriceCard) bool { return c.TheatreID != nil && *c.TheatreID == theatreID }
	shared := func(c PriceCard) bool { return c.TheatreID == nil }
	for _, pick := range []func(PriceCard) bool{
		func(c PriceCard) bool { return own(c) && format != "" && strings.EqualFold(c.Format, format) },
		func(c PriceCard) bool { return shared(c) && format != "" && strings.EqualFold(c.Format, format) },
		func(c PriceCard) bool { return own(c) && c.Format == "" },
		func(c PriceCard) bool { return shared(c) && c.Format == "" },
	} {
		for _, c := range cards {
			if pick(c) {
				return c, true
			}
		}
	}
	return PriceCard{}, false
}

// MaxPriceCents bounds a price (and catches a price typed in cents where
// units were meant): 10,000.00.
const MaxPriceCents = 1_000_000

// ParsePrice reads a price typed in the editor in currency units ("12",
// "12.5", "12.50") as integer cents. Empty: no price (ok false, nil error).
// EINVALID for a negative amount, more than two decimals (not a whole number
// of cents), anything that isn't a number, or more than MaxPriceCents.
func ParsePrice(field, s string) (cents int64, ok bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false, nil
	}
	if strings.HasPrefix(s, "-") {
		return 0, false, Invalid(field, "A price can't be negative.")
	}
	_, frac, hasFrac := strings.Cut(s, ".")
	if hasFrac && len(frac) > 2 && strings.Trim(frac, "0123456789") == "" {
		return 0, false, Invalid(field, "A price is a whole number of cents: at most two decimals, like 12.50.")
	}
	c, err := ParseCents(field, s)
	if err != nil {
		return 0, false, Invalid(field, "Type a price like 12 or 12.50.")
	}
	if c > MaxPriceCents {
		return 0, false, Invalid(field, "That price is over 10,000.00: type it in currency units (12.50), not cents.")
	}
	return c, true, nil
}

var (
	ticketCodeRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,23}$`)
	currencyRE   = regexp.MustCompile(`^[a-z]{3}$`)
)

// CheckTicketType validates a ticket type as a manager wrote it.
func CheckTicketType(tt TicketType) error {
	switch {
	case !ticketCodeRE.MatchString(tt.Code):
		return Invalid("code", "A code is 1–24 lower-case letters, digits, - or _, starting with a letter (e.g. child).")
	case strings.TrimSpace(tt.Name) == "" || utf8.RuneCountInString(tt.Name) > 60:
		return Invalid("name", "Give the ticket type a name of at most 60 characters.")
	case utf8.RuneCountInString(tt.ProofNote) > 80:
		return Invalid("proof_note", "Keep the proof note under 80 characters.")
	case tt.MaxAge != nil && (*tt.MaxAge < 0 || *tt.MaxAge > 120):
		return Invalid("max_age", "The age is a whole number of years between 0 and 120.")
	case tt.Sort < -1000 || tt.Sort > 1000:
		return Invalid("sort", "The position is a number between -1000 and 1000.")
	}
	return nil
}

// CheckPriceCard validates a card as a manager wrote it: a name, a currency,
// day-part rules, and prices whose cells are each a seat kind or a zone, a
// known day-part, named once, at most MaxPriceCents.
func CheckPriceCard(pc PriceCard) error {
	switch {
	case strings.TrimSpace(pc.Name) == "" || utf8.RuneCountInString(pc.Name) > 60:
		return Invalid("name", "Give the card a name of at most 60 characters.")
	case !currencyRE.MatchString(pc.Currency):
		return Invalid("currency", "The currency is a three-letter ISO code, like usd or gbp.")
	case utf8.RuneCountInString(pc.Format) > 20:
		return Invalid("format", "Keep the format under 20 characters (e.g. IMAX).")
	case pc.DayParts.MatineeEnds < 0 || pc.DayParts.MatineeEnds > 24*time.Hour || pc.DayParts.MatineeEnds%time.Minute != 0:
		return Invalid("matinee_ends", "Matinees end at a time of day, like 17:00.")
	}
	for _, d := range pc.DayParts.Weekend {
		if d < time.Sunday || d > time.Saturday {
			return Invalid("weekend", "Pick weekend days from the list.")
		}
	}
	type cell struct{ tt, kind, zone, dp string }
	seen := map[cell]bool{}
	for _, p := range pc.Prices {
		c := cell{p.TicketType, p.SeatKind, p.Zone, p.DayPart}
		switch {
		case seen[c]:
			return Invalid("prices", "A price is given twice.")
		case !slices.Contains(DayPartNames, p.DayPart):
			return Invalid("prices", "Unknown day-part %q.", p.DayPart)
		case p.Zone == "" && !slices.Contains(SeatKinds, p.SeatKind):
			return Invalid("prices", "Unknown seat kind %q.", p.SeatKind)
		case p.Zone != "" && (p.SeatKind != "" || !ValidZone(p.Zone)):
			return Invalid("prices", "A zone is up to 30 letters, digits, spaces, - or _.")
		case p.AmountCents < 0 || p.AmountCents > MaxPriceCents:
			return Invalid("prices", "A price is between 0 and 10,000.00.")
		}
		seen[c] = true
	}
	return nil
}

var zoneRE = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} _-]{0,29}$`)

// ValidZone reports whether z can name a pricing zone.
func ValidZone(z string) bool { return zoneRE.MatchString(z) }

// IsBarred reports whether card has prices for tt that its showtime doesn't
// sell (the film's rating, a retired type).
func IsBarred(card PriceCard, tt string) bool {
	for _, b := range card.Barred {
		if b.Code == tt {
			return true
		}
	}
	return false
}

// ErrSharedCard refuses a manager's change to a card shared by every theatre.
var ErrSharedCard = Errorf(EFORBIDDEN, "This card is shared by every theatre: an administrator changes it. Make a card for your theatre instead.")

// ErrTicketTypesAdmin refuses a manager's change to the ticket types, which
// every theatre shares.
var ErrTicketTypesAdmin = Errorf(EFORBIDDEN, "Ticket types are shared by every theatre: an administrator changes them.")

// CanEditCard says whether scope may change a card of the theatre (nil:
// shared by every theatre, administrators only): nil, or EFORBIDDEN.
func CanEditCard(s Scope, theatreID *int64) error {
	if theatreID == nil {
		if s.All {
			return nil
		}
		return ErrSharedCard
	}
	return s.Check(*theatreID)
}

// SellsIn reports whether showtimes of a theatre may sell by the card: a
// shared card, or the theatre's own.
func (pc PriceCard) SellsIn(theatreID int64) bool {
	return pc.TheatreID == nil || *pc.TheatreID == theatreID
}
