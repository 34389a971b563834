package handlers

import (
	"bytes"
	"context"
	"strings"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/views"
)

// The catalogue's pages: what's on, a movie, the theatres. Their main content
// depends only on the query (never on the visitor), so it is rendered once
// into the catalogue cache and wrapped in the per-request layout (user, CSRF).

// programmeDays is how many days the what's-on day row offers.
const programmeDays = 7

// whatsOn is GET /: one day of the programme with filters.
func (h *Handler) whatsOn(c *fiber.Ctx) error {
	f, ti, err := h.catalogQuery(c, "theatre", true)
	if err != nil {
		return err
	}
	today := h.today(ti, f.TheatreID)
	ctx := c.UserContext()
	key := whatsOnKey{today: today.Format(booking.DateLayout), filter: canonical(f)}
	content, err := h.catalog.whatsOn.get(key, catalogTTL, func() (string, error) {
		progs, err := h.db.WhatsOn(ctx, f, h.clock.Now())
		if err != nil {
			return "", err
		}
		genres, err := h.genres(ctx)
		if err != nil {
			return "", err
		}
		return renderString(views.WhatsOnContent(views.WhatsOnView{
			Date:       f.Date,
			Days:       views.DayLinks(today, programmeDays, f.Date),
			Theatres:   ti.list,
			Genres:     genres,
			TheatreID:  f.TheatreID,
			Genre:      f.Genre,
			Query:      f.Query,
			Programmes: progs,
		}))
	})
	if err != nil {
		return err
	}
	m := h.meta(c, "What's on")
	m.Nav = "whats-on"
	m.Description = "Showtimes at Marquee cinemas: pick a day, a theatre or a genre, and book your seats."
	m.URL = h.cfg.BaseURL + "/"
	return h.renderPage(c, pageKey{whatsOn: key}, m, views.WhatsOnPage(m, templ.Raw(content)))
}

// movieDays is how far ahead a movie page lists showtimes.
const movieDays = 8

// movie is GET /movies/:slug: the movie's details and upcoming showtimes.
func (h *Handler) movie(c *fiber.Ctx) error {
	slug := strings.Clone(c.Params("slug"))
	ctx := c.UserContext()
	p, err := h.catalog.movies.get(slug, catalogTTL, func() (moviePage, error) {
		mv, err := h.db.MovieBySlug(ctx, slug)
		if err != nil {
			return moviePage{}, err
		}
		ts, err := h.db.MovieShowtimes(ctx, mv.ID, h.clock.Now(), movieDays)
		if err != nil {
			return moviePage{}, err
		}
		mview := views.MovieView{Movie: mv, Theatres: ts}
		s, err := renderString(views.MovieContent(mview))
		if err != nil {
			return moviePage{}, err
		}
		return moviePage{title: mv.Title, content: s, description: views.Summarize(mv.Synopsis, 155),
			image: views.Absolute(h.cfg.BaseURL, views.PosterURL(mv.Poster)), jsonLD: views.MovieJSONLD(mview, h.cfg.BaseURL)}, nil
	})
	if err != nil {
		return err
	}
	m := h.meta(c, p.title)
	m.Nav = "whats-on"
	m.Description, m.Image, m.JSONLD, m.OGType = p.description, p.image, p.jsonLD, "video.movie"
	m.URL = h.cfg.BaseURL + views.MovieURL(slug)
	return h.renderPage(c, pageKey{movie: slug}, m, views.MoviePage(m, templ.Raw(p.content)))
}

// moviePage is a movie page's cached content, title and what search engines read.
type moviePage struct {
	title, content             string
	description, image, jsonLD string
}

// theatresPage is GET /theatres.
func (h *Handler) theatresPage(c *fiber.Ctx) error {
	ti, err := h.theatres(c.UserContext())
	if err != nil {
		return err
	}
	m := h.meta(c, "Theatres")
	m.Nav = "theatres"
	m.Description = "Marquee's cinemas: where they are and what's on at each."
	m.URL = h.cfg.BaseURL + "/theatres"
	return render(c, fiber.StatusOK, views.TheatresPage(m, views.TheatreView{Theatres: ti.list}))
}

// renderPage renders a catalogue page (200). For visitors whose layout has
// nothing personal in it (not signed in, no CSRF token, no flash) the whole
// page is cached too, keyed by the content's key and the layout data.
func (h *Handler) renderPage(c *fiber.Ctx, key pageKey, m views.Meta, page templ.Component) error {
	if m.User != nil || m.CSRFToken != "" || m.Flash != "" {
		return render(c, fiber.StatusOK, page)
	}
	body, err := h.catalog.pages.get(fullPageKey{meta: m, page: key}, catalogTTL, func() (*encodedBody, error) {
		var buf bytes.Buffer
		buf.Grow(32 << 10)
		if err := page.Render(context.Background(), &buf); err != nil {
			return nil, err
		}
		return newEncodedBody(buf.Bytes(), brotliCached, gzipCached), nil
	})
	if err != nil {
		return err
	}
	c.Status(fiber.StatusOK)
	c.Type("html", "utf-8")
	return body.send(c) // compressed once per cache entry, not per request
}

// renderString renders a component into a string (for the cache).
func renderString(comp templ.Component) (string, error) {
	var buf bytes.Buffer
	buf.Grow(16 << 10)
	if err := comp.Render(context.Background(), &buf); err != nil {
		return "", err
	}
	return buf.String(), nil
}
