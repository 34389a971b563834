package handlers

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
)

// Shared by the catalogue's pages (movies.go) and the API (api.go): the
// cache, the theatre list and the parsing of catalogue query parameters.

// initCatalog sets up the catalogue cache and the API document.
func (h *Handler) initCatalog(d Deps) {
	h.catalog = newCatalogCache(d.Clock)
	feed := d.CatalogChanges
	if feed == nil && d.Notifier != nil {
		feed = d.Notifier
	}
	if feed != nil {
		// Lives as long as the process, like the notifier it listens to.
		h.catalog.follow(context.Background(), feed)
	}
	doc, err := parseAPIDocument(openapiJSON)
	if err != nil {
		panic("handlers: embedded openapi.json: " + err.Error()) // fixed at build time; tested
	}
	h.apiDoc = doc
}

// theatreIndex is the theatre list with each zone loaded once.
type theatreIndex struct {
	list []booking.Theatre
	locs map[int64]*time.Location
}

func (ti *theatreIndex) has(id int64) bool { _, ok := ti.locs[id]; return ok }

// theatres returns the (cached) theatre list.
func (h *Handler) theatres(ctx context.Context) (*theatreIndex, error) {
	return h.catalog.theatres.get(struct{}{}, time.Minute, func() (*theatreIndex, error) {
		ts, err := h.db.Theatres(ctx)
		if err != nil {
			return nil, err
		}
		ti := &theatreIndex{list: ts, locs: make(map[int64]*time.Location, len(ts))}
		for _, t := range ts {
			ti.locs[t.ID] = t.Location()
		}
		return ti, nil
	})
}

// genres returns the (cached) genres of the catalogue.
func (h *Handler) genres(ctx context.Context) ([]string, error) {
	return h.catalog.genres.get(struct{}{}, time.Minute, func() ([]string, error) { return h.db.Genres(ctx) })
}

// today is the first day of the programme: the earliest local date among the
// theatres (or the chosen theatre's), so that no theatre's evening is cut off
// where it is still "today".
func (h *Handler) today(ti *theatreIndex, theatreID int64) time.Time {
	now := h.clock.Now()
	var first time.Time
	for id, loc := range ti.locs {
		if theatreID != 0 && id != theatreID {
			continue
		}
		y, m, d := now.In(loc).Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		if first.IsZero() || day.Before(first) {
			first = day
		}
	}
	if first.IsZero() {
		y, m, d := now.UTC().Date()
		first = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return first
}

// Limits on free-text query parameters (they are part of cache keys).
const (
	maxQueryLen = 100
	maxGenreLen = 40
)

// catalogQuery parses the catalogue filters of a request: date, theatre
// (named theatreParam), genre and q. Values are copied out of Fiber's request
// memory. With defaultToday the date defaults to today.
func (h *Handler) catalogQuery(c *fiber.Ctx, theatreParam string, defaultToday bool) (booking.CatalogFilter, *theatreIndex, error) {
	var f booking.CatalogFilter
	ti, err := h.theatres(c.UserContext())
	if err != nil {
		return f, nil, err
	}
	if v := c.Query(theatreParam); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return f, nil, BadQuery(theatreParam, "The theatre must be given by its number (e.g. %s=1).", theatreParam)
		}
		if !ti.has(id) {
			return f, nil, BadQuery(theatreParam, "There is no theatre number %d.", id)
		}
		f.TheatreID = id
	}
	if v := c.Query("date"); v != "" {
		d, err := time.Parse(booking.DateLayout, v)
		if err != nil {
			return f, nil, BadQuery("date", "The date must be a day written like 2026-11-25.")
		}
		f.Date = d.Format(booking.DateLayout)
	} else if defaultToday {
		f.Date = h.today(ti, f.TheatreID).Format(booking.DateLayout)
	}
	f.Genre = strings.Clone(strings.TrimSpace(c.Query("genre")))
	if len(f.Genre) > maxGenreLen {
		return f, nil, BadQuery("genre", "The genre is too long.")
	}
	f.Query = strings.Clone(strings.TrimSpace(c.Query("q")))
	if len(f.Query) > maxQueryLen {
		return f, nil, BadQuery("q", "The search is too long (%d characters at most).", maxQueryLen)
	}
	return f, ti, nil
}

// positiveInt parses an optional positive integer query parameter.
func positiveInt(c *fiber.Ctx, name string, def, max int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, BadQuery(name, "%s must be a whole number from 1 to %d.", name, max)
	}
	return n, nil
}

// optionalID parses an optional positive id query parameter (0 when absent).
func optionalID(c *fiber.Ctx, name string) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, BadQuery(name, "%s must be a positive whole number.", name)
	}
	return id, nil
}
