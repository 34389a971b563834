package views

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"marquee/booking"
)

// Structured data for search engines and link previews (schema.org JSON-LD,
// descriptions). The JSON is made with encoding/json, which escapes <, > and
// &, so it can sit inside a script element (Layout: jsonLD).

type ldThing = map[string]any

// isoDuration is minutes as an ISO 8601 duration: 112 → "PT1H52M".
func isoDuration(min int) string {
	if min <= 0 {
		return ""
	}
	if min < 60 {
		return fmt.Sprintf("PT%dM", min)
	}
	return fmt.Sprintf("PT%dH%dM", min/60, min%60)
}

func ldPeople(names []string) []ldThing {
	out := make([]ldThing, 0, len(names))
	for _, n := range names {
		out = append(out, ldThing{"@type": "Person", "name": n})
	}
	return out
}

// Absolute makes a site path absolute with the site's base URL.
func Absolute(base, path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") || path == "" {
		return path
	}
	return strings.TrimSuffix(base, "/") + path
}

func ldMovie(m booking.Movie, base string) ldThing {
	mv := ldThing{
		"@type": "Movie",
		"name":  m.Title,
		"url":   Absolute(base, MovieURL(m.Slug)),
	}
	if m.Synopsis != "" {
		mv["description"] = m.Synopsis
	}
	if m.Poster != "" {
		mv["image"] = Absolute(base, PosterURL(m.Poster))
	}
	if len(m.Genres) > 0 {
		mv["genre"] = m.Genres
	}
	if m.Director != "" {
		mv["director"] = ldPeople([]string{m.Director})
	}
	if len(m.Cast) > 0 {
		mv["actor"] = ldPeople(m.Cast)
	}
	if d := isoDuration(m.RuntimeMin); d != "" {
		mv["duration"] = d
	}
	if m.Rating != "" {
		mv["contentRating"] = m.Rating
	}
	if !m.ReleaseDate.IsZero() {
		mv["datePublished"] = m.ReleaseDate.Format("2006-01-02")
	}
	if m.TrailerURL != "" {
		mv["trailer"] = ldThing{"@type": "VideoObject", "name": m.Title + " — trailer", "embedUrl": m.TrailerURL,
			"description": "Trailer of " + m.Title, "thumbnailUrl": mv["image"], "uploadDate": mv["datePublished"]}
	}
	return mv
}

func ldTheatre(name, address string, base string) ldThing {
	t := ldThing{"@type": "MovieTheater", "name": name}
	if address != "" {
		t["address"] = address
	}
	return t
}

func ldJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "" // maps of strings: cannot fail
	}
	return string(b)
}

// MovieJSONLD is a movie page's structured data: the Movie, and a
// ScreeningEvent for each upcoming showtime listed on the page.
func MovieJSONLD(v MovieView, base string) string {
	mv := ldMovie(v.Movie, base)
	var events []ldThing
	for _, t := range v.Theatres {
		for _, d := range t.Days {
			for _, s := range d.Showtimes {
				ev := ldThing{
					"@type":               "ScreeningEvent",
					"name":                v.Movie.Title,
					"url":                 Absolute(base, ShowtimeURL(s.ID)),
					"startDate":           s.StartsAt.In(t.Location()).Format(time.RFC3339),
					"endDate":             s.EndsAt.In(t.Location()).Format(time.RFC3339),
					"eventStatus":         "https://schema.org/EventScheduled",
					"location":            ldTheatre(t.TheatreName, "", base),
					"workPresented":       ldThing{"@type": "Movie", "name": v.Movie.Title, "url": mv["url"]},
					"videoFormat":         s.Format,
					"eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
				}
				events = append(events, ev)
			}
		}
	}
	graph := []ldThing{mv}
	graph = append(graph, events...)
	return ldJSON(ldThing{"@context": "https://schema.org", "@graph": graph})
}

// ScreeningJSONLD is a showtime page's structured data: the ScreeningEvent
// with its movie, theatre, format and the offers (a price range per seat
// zone, available while online sales are open and seats are left).
func ScreeningJSONLD(v ShowtimeView, base, currency string, seatsLeft int) string {
	info := v.Info
	loc := info.Theatre.Location()
	url := Absolute(base, ShowtimeURL(info.Showtime.ID))
	availability := "https://schema.org/InStock"
	switch {
	case !v.Sales.Open():
		availability = "https://schema.org/SoldOut"
		if seatsLeft > 0 {
			availability = "https://schema.org/Discontinued" // online sales closed
		}
	case seatsLeft == 0:
		availability = "https://schema.org/SoldOut"
	case seatsLeft <= 20:
		availability = "https://schema.org/LimitedAvailability"
	}
	offers := make([]ldThing, 0, len(v.Zones))
	for _, z := range v.Zones {
		o := ldThing{
			"@type":         "Offer",
			"name":          KindName(z.Kind) + " seat",
			"price":         fmt.Sprintf("%d.%02d", z.MinCents/100, z.MinCents%100),
			"priceCurrency": strings.ToUpper(currency),
			"availability":  availability,
			"url":           url,
			"validThrough":  info.Showtime.SalesCloseAt.In(loc).Format(time.RFC3339),
		}
		if z.MaxCents != z.MinCents {
			o["priceSpecification"] = ldThing{"@type": "PriceSpecification", "minPrice": float64(z.MinCents) / 100,
				"maxPrice": float64(z.MaxCents) / 100, "priceCurrency": strings.ToUpper(currency)}
		}
		offers = append(offers, o)
	}
	ev := ldThing{
		"@context":                  "https://schema.org",
		"@type":                     "ScreeningEvent",
		"name":                      info.Movie.Title,
		"url":                       url,
		"startDate":                 info.Showtime.StartsAt.In(loc).Format(time.RFC3339),
		"endDate":                   info.Showtime.EndsAt.In(loc).Format(time.RFC3339),
		"eventStatus":               "https://schema.org/EventScheduled",
		"eventAttendanceMode":       "https://schema.org/OfflineEventAttendanceMode",
		"location":                  ldTheatre(info.Theatre.Name, info.Theatre.Address, base),
		"workPresented":             ldMovie(info.Movie, base),
		"offers":                    offers,
		"remainingAttendeeCapacity": seatsLeft,
	}
	if info.Showtime.Format != "" {
		ev["videoFormat"] = info.Showtime.Format
	}
	if info.Showtime.SubtitleLanguage != "" {
		ev["subtitleLanguage"] = info.Showtime.SubtitleLanguage
	}
	if info.Movie.Synopsis != "" {
		ev["description"] = info.Movie.Synopsis
	}
	if info.Movie.Poster != "" {
		ev["image"] = Absolute(base, PosterURL(info.Movie.Poster))
	}
	return ldJSON(ev)
}

// Summarize shortens text to at most n characters at a word boundary, with
// an ellipsis, for a meta description.
func Summarize(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// ShowtimeDescription is a showtime page's meta description.
func ShowtimeDescription(v ShowtimeView, seatsLeft int) string {
	info := v.Info
	loc := info.Theatre.Location()
	d := "Book seats for " + info.Movie.Title
	if f := info.Showtime.Format; f != "" && f != "2D" {
		d += " in " + f
	}
	d += " at " + info.Theatre.Name + ", " + info.Auditorium.Name + ": " + Day(info.Showtime.StartsAt, loc) + ", " +
		Clock(info.Showtime.StartsAt, loc) + "."
	switch {
	case !v.Sales.Open():
		d += " Online sales are closed."
	case seatsLeft == 0:
		d += " Sold out."
	default:
		d += fmt.Sprintf(" %d seats left.", seatsLeft)
	}
	return d
}
