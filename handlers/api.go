package handlers

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/db"
)

// The JSON API, /api/v1. Shapes are described in openapi.json (tests validate
// every response against it); errors become problem JSON in errors.go.

// apiMovie is a movie as the API shows it.
type apiMovie struct {
	ID             int64    `json:"id"`
	Slug           string   `json:"slug"`
	Title          string   `json:"title"`
	OriginalTitle  string   `json:"originalTitle"`
	Genre          []string `json:"genre"`
	Director       string   `json:"director"`
	Cast           []string `json:"cast"`
	RuntimeMinutes int      `json:"runtimeMinutes"`
	Rating         string   `json:"rating"`
	Synopsis       string   `json:"synopsis"`
	Poster         string   `json:"poster"`
	TrailerURL     string   `json:"trailerUrl"`
	ReleaseDate    string   `json:"releaseDate"`
	URL            string   `json:"url"`
}

func toAPIMovie(m booking.Movie) apiMovie {
	return apiMovie{
		ID: m.ID, Slug: m.Slug, Title: m.Title, OriginalTitle: m.OriginalTitle, Genre: m.Genres, Director: m.Director, Cast: m.Cast,
		RuntimeMinutes: m.RuntimeMin, Rating: m.Rating, Synopsis: m.Synopsis, Poster: m.Poster,
		TrailerURL: m.TrailerURL, ReleaseDate: m.ReleaseDate.Format(booking.DateLayout),
		URL: "/movies/" + m.Slug,
	}
}

type apiMovieList struct {
	Items   []apiMovie `json:"items"`
	Total   int        `json:"total"`
	Page    int        `json:"page"`
	PerPage int        `json:"perPage"`
}

// apiShowtime is a showtime with its availability. Times carry the theatre's UTC offset.
type apiShowtime struct {
	ID             int64  `json:"id"`
	MovieID        int64  `json:"movieId"`
	TheatreID      int64  `json:"theatreId"`
	TheatreName    string `json:"theatreName"`
	AuditoriumID   int64  `json:"auditoriumId"`
	AuditoriumName string `json:"auditoriumName"`
	TimeZone       string `json:"timeZone"`
	LocalDate      string `json:"localDate"`
	StartsAt       string `json:"startsAt"`
	EndsAt         string `json:"endsAt"`
	SalesCloseAt   string `json:"salesCloseAt"`
	Format         string `json:"format"`
	apiShowAttrs
	Capacity  int    `json:"capacity"`
	SeatsLeft int    `json:"seatsLeft"`
	URL       string `json:"url"`
}

// apiShowAttrs is how a showtime is shown besides its format.
type apiShowAttrs struct {
	Version          string `json:"version"`
	Language         string `json:"language"`
	AudioDescription bool   `json:"audioDescription"`
	Captions         bool   `json:"captions"`
	Event            string `json:"event"`
}

func toAPIShowAttrs(a booking.ShowAttrs) apiShowAttrs {
	v := a.Version
	if v == "" {
		v = booking.VersionOriginal
	}
	return apiShowAttrs{Version: v, Language: a.Language, AudioDescription: a.AudioDescription, Captions: a.Captions, Event: a.Event}
}

type apiShowtimeList struct {
	Date  string        `json:"date"`
	Items []apiShowtime `json:"items"`
}

// Pagination of GET /api/v1/movies.
const (
	defaultPerPage = 20
	maxPerPage     = 100
	maxPage        = 10000
)

// apiMovies is GET /api/v1/movies?genre=&q=&theatreId=&date=&page=&perPage=.
func (h *Handler) apiMovies(c *fiber.Ctx) error {
	f, _, err := h.catalogQuery(c, "theatreId", false)
	if err != nil {
		return err
	}
	page, err := positiveInt(c, "page", 1, maxPage)
	if err != nil {
		return err
	}
	perPage, err := positiveInt(c, "perPage", defaultPerPage, maxPerPage)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	key := apiMoviesKey{filter: canonical(f), page: page, perPage: perPage}
	body, err := h.catalog.apiMovies.get(key, catalogTTL, func() (*encodedBody, error) {
		ms, total, err := h.db.ListMovies(ctx, f, h.clock.Now(), perPage, (page-1)*perPage)
		if err != nil {
			return nil, err
		}
		out := apiMovieList{Items: make([]apiMovie, len(ms)), Total: total, Page: page, PerPage: perPage}
		for i, m := range ms {
			out.Items[i] = toAPIMovie(m)
		}
		return jsonBody(out)
	})
	if err != nil {
		return err
	}
	return sendCachedJSON(c, body)
}

// apiMovie is GET /api/v1/movies/:id.
func (h *Handler) apiMovie(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return BadQuery("id", "The movie id must be a positive whole number.")
	}
	ctx := c.UserContext()
	body, err := h.catalog.apiMovie.get(id, catalogTTL, func() (*encodedBody, error) {
		m, err := h.db.MovieByID(ctx, id)
		if err != nil {
			return nil, err
		}
		return jsonBody(toAPIMovie(m))
	})
	if err != nil {
		return err
	}
	return sendCachedJSON(c, body)
}

// apiShowtimes is GET /api/v1/showtimes?movieId=&theatreId=&date=: the
// showtimes of a day still on sale, with seats left (cached briefly).
func (h *Handler) apiShowtimes(c *fiber.Ctx) error {
	cf, ti, err := h.catalogQuery(c, "theatreId", true)
	if err != nil {
		return err
	}
	movieID, err := optionalID(c, "movieId")
	if err != nil {
		return err
	}
	f := db.ShowtimeFilter{MovieID: movieID, TheatreID: cf.TheatreID, Date: cf.Date}
	ctx := c.UserContext()
	body, err := h.catalog.apiShowtimes.get(f, seatsTTL, func() (*encodedBody, error) {
		ls, err := h.db.ListShowtimes(ctx, f, h.clock.Now())
		if err != nil {
			return nil, err
		}
		out := apiShowtimeList{Date: f.Date, Items: make([]apiShowtime, len(ls))}
		for i, l := range ls {
			loc := ti.locs[l.TheatreID]
			if loc == nil {
				loc = l.Location()
			}
			out.Items[i] = apiShowtime{
				ID: l.ID, MovieID: l.MovieID, TheatreID: l.TheatreID, TheatreName: l.TheatreName,
				AuditoriumID: l.AuditoriumID, AuditoriumName: l.AuditoriumName, TimeZone: l.TimeZone,
				LocalDate: l.LocalDate, Format: l.Format, apiShowAttrs: toAPIShowAttrs(l.ShowAttrs),
				Capacity: l.Capacity, SeatsLeft: max(l.SeatsLeft, 0),
				StartsAt:     l.StartsAt.In(loc).Format(time.RFC3339),
				EndsAt:       l.EndsAt.In(loc).Format(time.RFC3339),
				SalesCloseAt: l.SalesCloseAt.In(loc).Format(time.RFC3339),
				URL:          "/showtimes/" + strconv.FormatInt(l.ID, 10),
			}
		}
		return jsonBody(out)
	})
	if err != nil {
		return err
	}
	return sendCachedJSON(c, body)
}

// apiOpenAPI is GET /api/v1/openapi.json.
func (h *Handler) apiOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return sendJSON(c, openapiJSON)
}

// sendJSON writes a JSON body that must not be modified afterwards (cached bytes).
func sendJSON(c *fiber.Ctx, body []byte) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(body)
}

// jsonBody marshals a cache entry's JSON body (compressed once, on first use).
func jsonBody(v any) (*encodedBody, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return newEncodedBody(b, brotliCached, gzipCached), nil
}

// sendCachedJSON writes a cached JSON body in the coding the client accepts.
func sendCachedJSON(c *fiber.Ctx, body *encodedBody) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return body.send(c)
}
