package booking

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// The catalogue as managers edit it: a movie's details as typed into the
// form, checked field by field, its URL name (slug), and archiving.

// MovieForm is a movie's details as typed: every field a string, as the form sends it.
// Genres are comma-separated; the cast is one name per line (commas also separate).
type MovieForm struct {
	Title, OriginalTitle, Genres, Director, Cast, Runtime, Rating,
	Synopsis, TrailerURL, ReleaseDate, Distributor string
}

// Limits of a movie's details.
const (
	MaxTitleLen     = 200
	MaxNameLen      = 200 // director, distributor
	MaxGenres       = 8
	MaxGenreLen     = 40
	MaxCast         = 50
	MaxCastNameLen  = 100
	MaxRuntimeMin   = 600
	MaxRatingLen    = 12
	MaxSynopsisLen  = 5000
	MaxTrailerLen   = 2000
	MaxSlugLen      = 80
	earliestRelease = 1888 // the first films
)

// Field names of the movie form, as its errors name them.
const (
	FieldTitle         = "title"
	FieldOriginalTitle = "original_title"
	FieldGenres        = "genres"
	FieldDirector      = "director"
	FieldCast          = "cast"
	FieldRuntime       = "runtime"
	FieldRating        = "rating"
	FieldSynopsis      = "synopsis"
	FieldTrailerURL    = "trailer_url"
	FieldReleaseDate   = "release_date"
	FieldDistributor   = "distributor"
	FieldPoster        = "poster"
)

// MovieFormOf is the form showing m's details, for editing.
func MovieFormOf(m Movie) MovieForm {
	f := MovieForm{
		Title: m.Title, OriginalTitle: m.OriginalTitle, Genres: strings.Join(m.Genres, ", "),
		Director: m.Director, Cast: strings.Join(m.Cast, "\n"), Rating: m.Rating,
		Synopsis: m.Synopsis, TrailerURL: m.TrailerURL, Distributor: m.Distributor,
	}
	if m.RuntimeMin > 0 {
		f.Runtime = strconv.Itoa(m.RuntimeMin)
	}
	if !m.ReleaseDate.IsZero() {
		f.ReleaseDate = m.ReleaseDate.Format(DateLayout)
	}
	return f
}

// Movie checks every field of the form and returns the movie it describes
// (without id, slug or poster), or an error joining one EINVALID error per
// wrong field (InvalidFields lists them). Text is trimmed; nothing is guessed.
func (f MovieForm) Movie() (Movie, error) {
	var errs []error
	bad := func(field, format string, args ...any) { errs = append(errs, Invalid(field, format, args...)) }
	text := func(field, label, v string, max int, required bool) string {
		v = strings.TrimSpace(v)
		switch {
		case v == "" && required:
			bad(field, "Enter the %s.", label)
		case utf8.RuneCountInString(v) > max:
			bad(field, "Keep the %s to %d characters.", label, max)
		case hasControl(v, field == FieldSynopsis):
			bad(field, "The %s contains characters that can't be shown.", label)
		}
		return v
	}
	m := Movie{
		Title:         text(FieldTitle, "title", f.Title, MaxTitleLen, true),
		OriginalTitle: text(FieldOriginalTitle, "original title", f.OriginalTitle, MaxTitleLen, false),
		Director:      text(FieldDirector, "director", f.Director, MaxNameLen, false),
		Rating:        text(FieldRating, "age rating", f.Rating, MaxRatingLen, true),
		Synopsis:      text(FieldSynopsis, "synopsis", f.Synopsis, MaxSynopsisLen, false),
		Distributor:   text(FieldDistributor, "distributor", f.Distributor, MaxNameLen, false),
	}
	if m.OriginalTitle == m.Title {
		m.OriginalTitle = "" // the same: nothing to show twice
	}

	genres := splitList(f.Genres, false)
	switch {
	case len(genres) == 0:
		bad(FieldGenres, "Give at least one genre, e.g. Drama.")
	case len(genres) > MaxGenres:
		bad(FieldGenres, "At most %d genres.", MaxGenres)
	default:
		for _, g := range genres {
			if utf8.RuneCountInString(g) > MaxGenreLen || hasControl(g, false) {
				bad(FieldGenres, "Keep each genre to %d characters.", MaxGenreLen)
				break
			}
		}
	}
	m.Genres = genres

	cast := splitList(f.Cast, true)
	if len(cast) > MaxCast {
		bad(FieldCast, "List at most %d people.", MaxCast)
	} else {
		for _, c := range cast {
			if utf8.RuneCountInString(c) > MaxCastNameLen || hasControl(c, false) {
				bad(FieldCast, "Keep each name to %d characters.", MaxCastNameLen)
				break
			}
		}
	}
	m.Cast = cast

	rt := strings.TrimSpace(f.Runtime)
	if n, err := strconv.Atoi(rt); rt == "" {
		bad(FieldRuntime, "Enter the running time in minutes.")
	} else if err != nil || n < 1 || n > MaxRuntimeMin {
		bad(FieldRuntime, "Enter the running time as whole minutes between 1 and %d.", MaxRuntimeMin)
	} else {
		m.RuntimeMin = n
	}

	if u := strings.TrimSpace(f.TrailerURL); u != "" {
		if err := checkWebURL(u); err != nil {
			bad(FieldTrailerURL, "%s", err.Error())
		}
		m.TrailerURL = u
	}

	rd := strings.TrimSpace(f.ReleaseDate)
	if d, err := time.Parse(DateLayout, rd); rd == "" {
		bad(FieldReleaseDate, "Enter the release date.")
	} else if err != nil {
		bad(FieldReleaseDate, "Enter the release date like 2026-11-25.")
	} else if d.Year() < earliestRelease || d.Year() > 2200 {
		bad(FieldReleaseDate, "Enter a release date between %d and 2200.", earliestRelease)
	} else {
		m.ReleaseDate = d
	}
	if len(errs) > 0 {
		return Movie{}, errors.Join(errs...)
	}
	return m, nil
}

// checkWebURL accepts an absolute http or https URL with a host.
func checkWebURL(s string) error {
	if len(s) > MaxTrailerLen {
		return fmt.Errorf("Keep the link to %d characters.", MaxTrailerLen)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		strings.ContainsAny(s, " \t\r\n\\") {
		return errors.New("Enter a web link starting with https:// (or http://).")
	}
	return nil
}

// splitList splits a comma-separated (and, with lines, newline-separated)
// list, trimming each entry and dropping empty and repeated ones (case-insensitively).
func splitList(s string, lines bool) []string {
	sep := func(r rune) bool { return r == ',' || (lines && (r == '\n' || r == '\r')) }
	out := []string{}
	for _, part := range strings.FieldsFunc(s, sep) {
		p := strings.Join(strings.Fields(part), " ")
		if p == "" || slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, p) }) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// hasControl reports whether s contains control characters (newlines and
// tabs allowed in multi-line text).
func hasControl(s string, multiline bool) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			return false
		}
		return unicode.IsControl(r)
	}) >= 0
}

// InvalidFields lists the EINVALID errors with a field in err (a single error
// or errors joined by MovieForm.Movie), first per field.
func InvalidFields(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if de, ok := e.(*Error); ok {
			if de.Code == EINVALID && !slices.ContainsFunc(out, func(o *Error) bool { return o.Field == de.Field }) {
				out = append(out, de)
			}
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// Slugify makes a movie's URL name from its title: lower case letters and
// digits (accents dropped, apostrophes too) joined by single hyphens, at most
// MaxSlugLen bytes; "movie" when nothing is left.
func Slugify(title string) string {
	// Accents dropped ("Amélie" → "Amelie"). A chain has state: one per call.
	stripMarks := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	s, _, err := transform.String(stripMarks, title)
	if err != nil {
		s = title
	}
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '\'' || r == '’' || r == '‘':
			continue // "Keeper's" → "keepers"
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			if b.Len()+utf8.RuneLen(r) > MaxSlugLen {
				return finishSlug(b.String())
			}
			b.WriteRune(r)
		default:
			hyphen = true
		}
	}
	return finishSlug(b.String())
}

func finishSlug(s string) string {
	s = strings.Trim(s, "-")
	if s == "" {
		return "movie"
	}
	return s
}

// UniqueSlug returns base, or base-2, base-3… the first not in taken.
func UniqueSlug(base string, taken []string) string {
	if !slices.Contains(taken, base) {
		return base
	}
	for n := 2; ; n++ {
		s := base + "-" + strconv.Itoa(n)
		if !slices.Contains(taken, s) {
			return s
		}
	}
}

// ErrMovieHasShowtimes refuses to archive a movie that still has scheduled
// showtimes to come.
func ErrMovieHasShowtimes(title string, n int, first time.Time, where string) error {
	shows := "1 scheduled showtime"
	if n != 1 {
		shows = strconv.Itoa(n) + " scheduled showtimes"
	}
	return Errorf(ECONFLICT, "%s still has %s to come (the next: %s, %s). Cancel or move them first, then archive it.",
		title, shows, first.Format("Mon 2 Jan 15:04 MST"), where)
}

// PosterURL is the content-addressed path of a stored poster image (its
// digest is the hex SHA-256 of its bytes): what it names never changes.
func PosterURL(digest string) string { return "/posters/" + digest + ".jpg" }

// MovieChanges returns the details that differ between two versions of a
// movie, old values and new, keyed by form field (for the audit log).
func MovieChanges(before, after Movie) (old, new map[string]any) {
	old, new = map[string]any{}, map[string]any{}
	diff := func(field string, a, b any, same bool) {
		if !same {
			old[field], new[field] = a, b
		}
	}
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(DateLayout)
	}
	diff(FieldTitle, before.Title, after.Title, before.Title == after.Title)
	diff(FieldOriginalTitle, before.OriginalTitle, after.OriginalTitle, before.OriginalTitle == after.OriginalTitle)
	diff(FieldGenres, before.Genres, after.Genres, slices.Equal(before.Genres, after.Genres))
	diff(FieldDirector, before.Director, after.Director, before.Director == after.Director)
	diff(FieldCast, before.Cast, after.Cast, slices.Equal(before.Cast, after.Cast))
	diff(FieldRuntime, before.RuntimeMin, after.RuntimeMin, before.RuntimeMin == after.RuntimeMin)
	diff(FieldRating, before.Rating, after.Rating, before.Rating == after.Rating)
	diff(FieldSynopsis, before.Synopsis, after.Synopsis, before.Synopsis == after.Synopsis)
	diff(FieldTrailerURL, before.TrailerURL, after.TrailerURL, before.TrailerURL == after.TrailerURL)
	diff(FieldReleaseDate, date(before.ReleaseDate), date(after.ReleaseDate), date(before.ReleaseDate) == date(after.ReleaseDate))
	diff(FieldDistributor, before.Distributor, after.Distributor, before.Distributor == after.Distributor)
	diff(FieldPoster, before.Poster, after.Poster, before.Poster == after.Poster)
	diff("archived", before.Archived(), after.Archived(), before.Archived() == after.Archived())
	return old, new
}

// CheckSchedulable refuses (EINVALID, field "movie") new showtimes of an
// archived movie: it must be put back in the catalogue first.
func (m Movie) CheckSchedulable() error {
	if m.Archived() {
		return Invalid("movie", "%s is archived. Put it back in the catalogue (Movies) before scheduling it.", m.Title)
	}
	return nil
}
