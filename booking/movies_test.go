package booking_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"marquee/booking"
)

func goodForm() booking.MovieForm {
	return booking.MovieForm{
		Title: "  Amélie  ", OriginalTitle: "Le Fabuleux Destin d'Amélie Poulain", Genres: "Comedy, Romance, comedy",
		Director: "Jean-Pierre Jeunet", Cast: "Audrey Tautou\nMathieu Kassovitz, Rufus\n\n", Runtime: "122",
		Rating: "R", Synopsis: "Paris.\nA waitress decides to change lives.", TrailerURL: "https://example.com/amelie",
		ReleaseDate: "2001-04-25", Distributor: "UGC",
	}
}

func TestMovieFormValid(t *testing.T) {
	m, err := goodForm().Movie()
	if err != nil {
		t.Fatal(err)
	}
	want := booking.Movie{Title: "Amélie", OriginalTitle: "Le Fabuleux Destin d'Amélie Poulain",
		Genres: []string{"Comedy", "Romance"}, Director: "Jean-Pierre Jeunet",
		Cast: []string{"Audrey Tautou", "Mathieu Kassovitz", "Rufus"}, RuntimeMin: 122, Rating: "R",
		Synopsis: "Paris.\nA waitress decides to change lives.", TrailerURL: "https://example.com/amelie",
		ReleaseDate: time.Date(2001, 4, 25, 0, 0, 0, 0, time.UTC), Distributor: "UGC"}
	if m.Title != want.Title || m.OriginalTitle != want.OriginalTitle || !slices.Equal(m.Genres, want.Genres) ||
		!slices.Equal(m.Cast, want.Cast) || m.RuntimeMin != 122 || m.Rating != "R" || m.Synopsis != want.Synopsis ||
		m.TrailerURL != want.TrailerURL || !m.ReleaseDate.Equal(want.ReleaseDate) || m.Distributor != "UGC" || m.Director != want.Director {
		t.Errorf("got %+v\nwant %+v", m, want)
	}
	// Round trip through the edit form.
	again, err := booking.MovieFormOf(m).Movie()
	if err != nil || again.Title != m.Title || !slices.Equal(again.Cast, m.Cast) || !slices.Equal(again.Genres, m.Genres) {
		t.Errorf("round trip: %+v, %v", again, err)
	}
	// The same original title as the title is not kept twice.
	f := goodForm()
	f.OriginalTitle = "Amélie"
	if m, _ := f.Movie(); m.OriginalTitle != "" {
		t.Errorf("original title = %q", m.OriginalTitle)
	}
}

func TestMovieFormInvalid(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	for _, c := range []struct {
		name  string
		edit  func(*booking.MovieForm)
		field string
	}{
		{"no title", func(f *booking.MovieForm) { f.Title = "   " }, booking.FieldTitle},
		{"long title", func(f *booking.MovieForm) { f.Title = long(201) }, booking.FieldTitle},
		{"control in title", func(f *booking.MovieForm) { f.Title = "a\x07b" }, booking.FieldTitle},
		{"newline in title", func(f *booking.MovieForm) { f.Title = "a\nb" }, booking.FieldTitle},
		{"long original title", func(f *booking.MovieForm) { f.OriginalTitle = long(201) }, booking.FieldOriginalTitle},
		{"no genre", func(f *booking.MovieForm) { f.Genres = " , ," }, booking.FieldGenres},
		{"too many genres", func(f *booking.MovieForm) { f.Genres = "a,b,c,d,e,f,g,h,i" }, booking.FieldGenres},
		{"long genre", func(f *booking.MovieForm) { f.Genres = long(41) }, booking.FieldGenres},
		{"long director", func(f *booking.MovieForm) { f.Director = long(201) }, booking.FieldDirector},
		{"long cast name", func(f *booking.MovieForm) { f.Cast = long(101) }, booking.FieldCast},
		{"no runtime", func(f *booking.MovieForm) { f.Runtime = "" }, booking.FieldRuntime},
		{"runtime words", func(f *booking.MovieForm) { f.Runtime = "two hours" }, booking.FieldRuntime},
		{"runtime zero", func(f *booking.MovieForm) { f.Runtime = "0" }, booking.FieldRuntime},
		{"runtime huge", func(f *booking.MovieForm) { f.Runtime = "601" }, booking.FieldRuntime},
		{"no rating", func(f *booking.MovieForm) { f.Rating = "" }, booking.FieldRating},
		{"long rating", func(f *booking.MovieForm) { f.Rating = long(13) }, booking.FieldRating},
		{"long synopsis", func(f *booking.MovieForm) { f.Synopsis = long(5001) }, booking.FieldSynopsis},
		{"javascript trailer", func(f *booking.MovieForm) { f.TrailerURL = "javascript:alert(1)" }, booking.FieldTrailerURL},
		{"ftp trailer", func(f *booking.MovieForm) { f.TrailerURL = "ftp://example.com/t" }, booking.FieldTrailerURL},
		{"relative trailer", func(f *booking.MovieForm) { f.TrailerURL = "/trailer" }, booking.FieldTrailerURL},
		{"no host trailer", func(f *booking.MovieForm) { f.TrailerURL = "https://" }, booking.FieldTrailerURL},
		{"credentials trailer", func(f *booking.MovieForm) { f.TrailerURL = "https://u:p@example.com/" }, booking.FieldTrailerURL},
		{"no release date", func(f *booking.MovieForm) { f.ReleaseDate = "" }, booking.FieldReleaseDate},
		{"bad release date", func(f *booking.MovieForm) { f.ReleaseDate = "25/04/2001" }, booking.FieldReleaseDate},
		{"ancient release date", func(f *booking.MovieForm) { f.ReleaseDate = "1700-01-01" }, booking.FieldReleaseDate},
		{"long distributor", func(f *booking.MovieForm) { f.Distributor = long(201) }, booking.FieldDistributor},
	} {
		f := goodForm()
		c.edit(&f)
		_, err := f.Movie()
		if booking.ErrorCode(err) != booking.EINVALID {
			t.Errorf("%s: %v, want EINVALID", c.name, err)
			continue
		}
		fe := booking.InvalidFields(err)
		if len(fe) != 1 || fe[0].Field != c.field || fe[0].Message == "" {
			t.Errorf("%s: field errors %v, want one on %s", c.name, fe, c.field)
		}
	}
}

// Every wrong field is reported at once, one message each.
func TestMovieFormReportsEveryField(t *testing.T) {
	_, err := booking.MovieForm{TrailerURL: "nope"}.Movie()
	var fields []string
	for _, e := range booking.InvalidFields(err) {
		fields = append(fields, e.Field)
	}
	want := []string{booking.FieldTitle, booking.FieldRating, booking.FieldGenres, booking.FieldRuntime, booking.FieldTrailerURL, booking.FieldReleaseDate}
	if !slices.Equal(fields, want) {
		t.Errorf("fields %v, want %v", fields, want)
	}
	// Wrapped, they are still found.
	if n := len(booking.InvalidFields(errors.Join(errors.New("ctx"), err))); n != len(want) {
		t.Errorf("wrapped: %d field errors", n)
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"The Lighthouse Keeper's Daughter": "the-lighthouse-keepers-daughter",
		"Amélie":                           "amelie",
		"  Red -- Meridian!! ":             "red-meridian",
		"2001: A Space Odyssey":            "2001-a-space-odyssey",
		"Léon: The Professional":           "leon-the-professional",
		"千と千尋の神隠し":                         "千と千尋の神隠し",
		"!!!":                              "movie",
		"":                                 "movie",
		strings.Repeat("ab ", 60):          strings.TrimSuffix(strings.Repeat("ab-", 27), "-"),
	} {
		if got := booking.Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
		if got := booking.Slugify(in); len(got) > booking.MaxSlugLen {
			t.Errorf("Slugify(%q) is %d bytes", in, len(got))
		}
	}
}

func TestUniqueSlug(t *testing.T) {
	for _, c := range []struct {
		taken []string
		want  string
	}{
		{nil, "nightjar"},
		{[]string{"nightjar-2"}, "nightjar"},
		{[]string{"nightjar"}, "nightjar-2"},
		{[]string{"nightjar", "nightjar-2", "nightjar-3"}, "nightjar-4"},
		{[]string{"nightjar", "nightjar-3"}, "nightjar-2"},
	} {
		if got := booking.UniqueSlug("nightjar", c.taken); got != c.want {
			t.Errorf("UniqueSlug(%v) = %q, want %q", c.taken, got, c.want)
		}
	}
}

func TestMovieCardPoster(t *testing.T) {
	m := booking.Movie{Poster: "/static/img/posters/x.svg"}
	if m.CardPoster() != m.Poster {
		t.Error("no upload: the card shows the poster")
	}
	m.PosterCard = "/posters/abc.jpg"
	if m.CardPoster() != "/posters/abc.jpg" {
		t.Error("upload: the card shows the small poster")
	}
}

func TestErrMovieHasShowtimes(t *testing.T) {
	loc, _ := time.LoadLocation("America/New_York")
	err := booking.ErrMovieHasShowtimes("Nightjar", 3, time.Date(2026, 12, 4, 19, 30, 0, 0, loc), "Marquee Downtown, Screen 1")
	if booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatal(err)
	}
	msg := booking.ErrorMessage(err)
	for _, want := range []string{"Nightjar", "3 scheduled showtimes", "Fri 4 Dec 19:30 EST", "Marquee Downtown, Screen 1", "Cancel or move them first"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
}

func TestMovieChanges(t *testing.T) {
	a := booking.Movie{Title: "A", Genres: []string{"Drama"}, RuntimeMin: 90, ReleaseDate: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
	b := a
	b.Genres = []string{"Drama", "War"}
	b.RuntimeMin = 95
	now := time.Now()
	b.ArchivedAt = &now
	old, nw := booking.MovieChanges(a, b)
	if len(old) != 3 || len(nw) != 3 || old["runtime"] != 90 || nw["runtime"] != 95 || old["archived"] != false || nw["archived"] != true {
		t.Errorf("changes %v → %v", old, nw)
	}
	if old, _ := booking.MovieChanges(a, a); len(old) != 0 {
		t.Errorf("no change reported as %v", old)
	}
}

func TestCheckSchedulable(t *testing.T) {
	m := booking.Movie{Title: "Nightjar"}
	if err := m.CheckSchedulable(); err != nil {
		t.Errorf("current movie: %v", err)
	}
	now := time.Now()
	m.ArchivedAt = &now
	if err := m.CheckSchedulable(); booking.ErrorCode(err) != booking.EINVALID || !strings.Contains(booking.ErrorMessage(err), "Nightjar is archived") {
		t.Errorf("archived movie: %v", err)
	}
}

// Slugify is safe to call at once from many requests (run with -race).
func TestSlugifyConcurrent(t *testing.T) {
	done := make(chan string)
	for i := 0; i < 8; i++ {
		go func() { done <- booking.Slugify("Amélie à Paris") }()
	}
	for i := 0; i < 8; i++ {
		if got := <-done; got != "amelie-a-paris" {
			t.Errorf("got %q", got)
		}
	}
}
