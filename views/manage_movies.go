package views

import (
	"net/url"

	"marquee/booking"
)

// ManageMovieRow is one movie of the manager's list.
type ManageMovieRow struct {
	Movie    booking.Movie
	Upcoming int // scheduled showtimes still to come
}

// ManageMoviesPage is /manage/movies: the catalogue, searchable, current or archived.
type ManageMoviesPage struct {
	Rows     []ManageMovieRow
	Total    int
	Query    string
	Archived bool
}

// FilterURL is the list's URL with the same search, current or archived.
func (p ManageMoviesPage) FilterURL(archived bool) string {
	q := url.Values{}
	if p.Query != "" {
		q.Set("q", p.Query)
	}
	if archived {
		q.Set("archived", "1")
	}
	if len(q) == 0 {
		return "/manage/movies"
	}
	return "/manage/movies?" + q.Encode()
}

// MovieEditPage is the form of a new movie (Movie.ID 0) or of an existing one
// with its poster upload and archive actions.
type MovieEditPage struct {
	Movie  booking.Movie // as stored (zero for a new movie)
	Form   booking.MovieForm
	Errors FormErrors // by form field; "" : a message for the whole form
	// PosterError and ArchiveError are the refusals of those actions (422/409).
	PosterError, ArchiveError string
	Upcoming                  int // the movie's scheduled showtimes still to come
	PosterAccept, PosterHint  string
	Ratings                   []string // suggestions for the rating field
}

// New reports whether the page adds a movie.
func (p MovieEditPage) New() bool { return p.Movie.ID == 0 }

// Action is where the details form is sent.
func (p MovieEditPage) Action() string {
	if p.New() {
		return "/manage/movies"
	}
	return MovieAdminURL(p.Movie.ID)
}

// MovieAdminURL is the manager's page of a movie.
func MovieAdminURL(id int64) string { return "/manage/movies/" + i64(id) }

// hasUploadedPoster reports whether the movie shows an uploaded poster.
func hasUploadedPoster(m booking.Movie) bool { return m.PosterCard != "" }

// showsToCome says how many scheduled showtimes are still to come.
func showsToCome(n int) string {
	if n == 1 {
		return "1 scheduled showtime is still to come"
	}
	return itoa(n) + " scheduled showtimes are still to come"
}
