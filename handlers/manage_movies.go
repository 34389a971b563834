package handlers

import (
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/db"
	"marquee/poster"
	"marquee/views"
)

// The manager's movie pages (/manage/movies): the catalogue is the cinema's,
// not a theatre's, so any manager (and admin) may edit every movie; the
// /manage group's requireRole(manager) refuses staff and customers. Every
// change is audited with the fields before and after; the movies trigger
// tells every instance's catalogue cache.

// ratingSuggestions are offered in the rating field (any short text is accepted).
var ratingSuggestions = []string{"G", "PG", "PG-13", "R", "NC-17", "NR", "U", "12A", "15", "18"}

// movieID parses the :id of a /manage/movies/:id route.
func movieID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

// manageMovies is GET /manage/movies?q=&archived=1: the catalogue, searchable by title.
func (h *Handler) manageMovies(c *fiber.Ctx) error {
	f := db.MovieFilter{Query: strings.TrimSpace(copyQuery(c, "q")), Archived: c.Query("archived") == "1"}
	if len(f.Query) > 100 {
		return BadQuery("q", "Search for at most 100 characters.")
	}
	ms, total, err := h.db.ManageMovies(c.UserContext(), f, h.clock.Now())
	if err != nil {
		return err
	}
	p := views.ManageMoviesPage{Total: total, Query: f.Query, Archived: f.Archived}
	for _, m := range ms {
		p.Rows = append(p.Rows, views.ManageMovieRow{Movie: m.Movie, Upcoming: m.Upcoming})
	}
	return render(c, fiber.StatusOK, views.ManageMovies(h.pageMeta(c, "Movies", "manage"), p))
}

// movieForm reads the details form.
func movieForm(c *fiber.Ctx) booking.MovieForm {
	return booking.MovieForm{
		Title: copyForm(c, booking.FieldTitle), OriginalTitle: copyForm(c, booking.FieldOriginalTitle),
		Genres: copyForm(c, booking.FieldGenres), Director: copyForm(c, booking.FieldDirector),
		Cast: copyForm(c, booking.FieldCast), Runtime: copyForm(c, booking.FieldRuntime),
		Rating: copyForm(c, booking.FieldRating), Synopsis: copyForm(c, booking.FieldSynopsis),
		TrailerURL: copyForm(c, booking.FieldTrailerURL), ReleaseDate: copyForm(c, booking.FieldReleaseDate),
		Distributor: copyForm(c, booking.FieldDistributor),
	}
}

// renderMovieEdit renders the movie's page (new when p.Movie.ID is 0).
func (h *Handler) renderMovieEdit(c *fiber.Ctx, status int, p views.MovieEditPage) error {
	l := h.posters.Limits()
	p.PosterAccept = poster.AcceptAttr
	p.PosterHint = poster.Accepted + ", at most " + strconv.Itoa(l.MaxBytes>>20) + " MB, at least " +
		strconv.Itoa(l.MinWidth) + " × " + strconv.Itoa(l.MinHeight) + " pixels; portrait 2:3 (other shapes are cropped to it)."
	p.Ratings = ratingSuggestions
	title := "New movie"
	if !p.New() {
		title = p.Movie.Title
		if !p.Movie.Archived() {
			n, err := h.db.UpcomingShowtimes(c.UserContext(), p.Movie.ID, h.clock.Now())
			if err != nil {
				return err
			}
			p.Upcoming = n
		}
	}
	return render(c, status, views.MovieEdit(h.pageMeta(c, title, "manage"), p))
}

// newMoviePage is GET /manage/movies/new.
func (h *Handler) newMoviePage(c *fiber.Ctx) error {
	return h.renderMovieEdit(c, fiber.StatusOK, views.MovieEditPage{})
}

// invalidForm re-renders the form with one message per wrong field (422),
// when err is about fields; otherwise it returns err.
func (h *Handler) invalidForm(c *fiber.Ctx, err error, p views.MovieEditPage) error {
	fe := booking.InvalidFields(err)
	if len(fe) == 0 {
		return err
	}
	p.Errors = views.FormErrors{}
	for _, e := range fe {
		p.Errors[e.Field] = e.Message
	}
	return h.renderMovieEdit(c, fiber.StatusUnprocessableEntity, p)
}

// createMovie is POST /manage/movies.
func (h *Handler) createMovie(c *fiber.Ctx) error {
	f := movieForm(c)
	m, err := f.Movie()
	if err != nil {
		return h.invalidForm(c, err, views.MovieEditPage{Form: f})
	}
	m, err = h.db.CreateMovie(c.UserContext(), m)
	if err != nil {
		return err
	}
	_, after := booking.MovieChanges(booking.Movie{}, m)
	h.audit(c, "movie.created", m.Slug, map[string]any{"before": nil, "after": after})
	h.sessionOf(c).SetFlash("Added " + m.Title + ". Upload its poster here.")
	return c.Redirect(views.MovieAdminURL(m.ID), fiber.StatusSeeOther)
}

// editMoviePage is GET /manage/movies/:id.
func (h *Handler) editMoviePage(c *fiber.Ctx) error {
	id, err := movieID(c)
	if err != nil {
		return err
	}
	m, err := h.db.MovieByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return h.renderMovieEdit(c, fiber.StatusOK, views.MovieEditPage{Movie: m, Form: booking.MovieFormOf(m)})
}

// updateMovie is POST /manage/movies/:id: the details (slug, poster and
// archive state stay).
func (h *Handler) updateMovie(c *fiber.Ctx) error {
	id, err := movieID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	cur, err := h.db.MovieByID(ctx, id)
	if err != nil {
		return err
	}
	f := movieForm(c)
	m, err := f.Movie()
	if err != nil {
		return h.invalidForm(c, err, views.MovieEditPage{Movie: cur, Form: f})
	}
	before, after, err := h.db.UpdateMovie(ctx, id, m)
	if err != nil {
		return err
	}
	old, nw := booking.MovieChanges(before, after)
	if len(nw) == 0 {
		h.sessionOf(c).SetFlash("Nothing changed.")
	} else {
		h.audit(c, "movie.updated", after.Slug, map[string]any{"before": old, "after": nw})
		h.sessionOf(c).SetFlash("Saved " + after.Title + ".")
	}
	return c.Redirect(views.MovieAdminURL(id), fiber.StatusSeeOther)
}

// archiveMovie is POST /manage/movies/:id/archive (confirmed with a tick box):
// refused (409) while scheduled showtimes are to come.
func (h *Handler) archiveMovie(c *fiber.Ctx) error {
	id, err := movieID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	cur, err := h.db.MovieByID(ctx, id)
	if err != nil {
		return err
	}
	page := views.MovieEditPage{Movie: cur, Form: booking.MovieFormOf(cur)}
	if c.FormValue("confirm") != "yes" {
		page.ArchiveError = "Tick the box to confirm you want to archive " + cur.Title + "."
		return h.renderMovieEdit(c, fiber.StatusUnprocessableEntity, page)
	}
	after, err := h.db.ArchiveMovie(ctx, id, h.clock.Now())
	if booking.ErrorCode(err) == booking.ECONFLICT {
		page.ArchiveError = booking.ErrorMessage(err)
		return h.renderMovieEdit(c, fiber.StatusConflict, page)
	}
	if err != nil {
		return err
	}
	if !cur.Archived() {
		h.audit(c, "movie.archived", after.Slug, map[string]any{"before": map[string]any{"archived": false}, "after": map[string]any{"archived": true}})
	}
	h.sessionOf(c).SetFlash("Archived " + after.Title + ". It is no longer listed in the catalogue.")
	return c.Redirect(views.MovieAdminURL(id), fiber.StatusSeeOther)
}

// unarchiveMovie is POST /manage/movies/:id/unarchive.
func (h *Handler) unarchiveMovie(c *fiber.Ctx) error {
	id, err := movieID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	cur, err := h.db.MovieByID(ctx, id)
	if err != nil {
		return err
	}
	after, err := h.db.UnarchiveMovie(ctx, id, h.clock.Now())
	if err != nil {
		return err
	}
	if cur.Archived() {
		h.audit(c, "movie.unarchived", after.Slug, map[string]any{"before": map[string]any{"archived": true}, "after": map[string]any{"archived": false}})
	}
	h.sessionOf(c).SetFlash(after.Title + " is back in the catalogue.")
	return c.Redirect(views.MovieAdminURL(id), fiber.StatusSeeOther)
}

// uploadPoster is POST /manage/movies/:id/poster (multipart, field "poster"):
// the file is checked and resized (poster.Processor) before anything is
// stored; a refused file is answered 422 on the movie's page, nothing saved.
func (h *Handler) uploadPoster(c *fiber.Ctx) error {
	id, err := movieID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	cur, err := h.db.MovieByID(ctx, id)
	if err != nil {
		return err
	}
	refused := func(err error) error {
		fe := booking.InvalidFields(err)
		if len(fe) == 0 {
			return err
		}
		return h.renderMovieEdit(c, fiber.StatusUnprocessableEntity,
			views.MovieEditPage{Movie: cur, Form: booking.MovieFormOf(cur), PosterError: fe[0].Message})
	}
	data, err := posterBytes(c, h.posters.Limits().MaxBytes)
	if err != nil {
		return refused(err)
	}
	imgs, err := h.posters.Process(ctx, data)
	if err != nil {
		return refused(err)
	}
	rows := make([]db.PosterImage, len(imgs))
	for i, img := range imgs {
		rows[i] = db.PosterImage{Size: img.Size, ContentType: img.ContentType, Width: img.Width, Height: img.Height,
			Data: img.Data, Digest: img.Digest}
	}
	before, after, err := h.db.SetPoster(ctx, id, rows)
	if err != nil {
		return err
	}
	h.audit(c, "movie.poster_uploaded", after.Slug, map[string]any{
		"before": map[string]any{"poster": before.Poster, "poster_card": before.PosterCard},
		"after":  map[string]any{"poster": after.Poster, "poster_card": after.PosterCard, "bytes": len(data)},
	})
	h.sessionOf(c).SetFlash("New poster for " + after.Title + " saved.")
	return c.Redirect(views.MovieAdminURL(id), fiber.StatusSeeOther)
}

// posterBytes reads the uploaded file of the "poster" field, at most max
// bytes (more: an EINVALID error, as for any refused file).
func posterBytes(c *fiber.Ctx, max int) ([]byte, error) {
	fh, err := c.FormFile("poster")
	if err != nil {
		return nil, booking.Invalid(booking.FieldPoster, "Choose a poster file (%s) to upload.", poster.Accepted)
	}
	if fh.Size > int64(max) {
		return nil, booking.Invalid(booking.FieldPoster, "That file is %.1f MB; a poster may be at most %d MB.",
			float64(fh.Size)/(1<<20), max>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(max)+1))
	if err != nil {
		return nil, err
	}
	return data, nil // Process refuses more than max
}

// posterImage is GET /posters/:digest.jpg: a stored poster rendition. Its
// URL names its content, so it is cached for a year and never revalidated;
// a client that asks anyway with its ETag gets 304.
func (h *Handler) posterImage(c *fiber.Ctx) error {
	name := c.Params("file")
	digest, ok := strings.CutSuffix(name, ".jpg")
	if !ok || len(digest) != 64 || strings.Trim(digest, "0123456789abcdef") != "" {
		return fiber.ErrNotFound
	}
	etag := `"` + digest + `"`
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderETag, etag)
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && etagMatches(inm, etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	p, err := h.db.PosterByDigest(c.UserContext(), strings.Clone(digest))
	if err != nil {
		c.Response().Header.Del(fiber.HeaderCacheControl)
		c.Response().Header.Del(fiber.HeaderETag)
		return err
	}
	c.Set(fiber.HeaderContentType, p.ContentType)
	c.Set("X-Content-Type-Options", "nosniff")
	return c.Send(p.Data)
}

// etagMatches reports whether an If-None-Match header names etag (or is *).
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		t = strings.TrimPrefix(t, "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
