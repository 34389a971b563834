package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/db"
	"marquee/views"
)

// Auditoriums and seat layouts (/manage/auditoriums). A layout travels as
// the CSV of booking.ParseLayoutCSV: the editor's textarea (kept in step by
// static/js/layout-editor.js), an uploaded file and the export are the same
// text, so every save is parsed and validated whole on the server, and a
// refused one saves nothing. Saves go through db.SaveLayout: in place when no
// sale is in the way, else (when asked) as a new layout version.

// maxLayoutFile caps an imported layout file (a 2,000-seat layout is ~50 KB).
const maxLayoutFile = 256 << 10

func (h *Handler) manageAuditoriums(c *fiber.Ctx) error {
	return h.renderAuditoriums(c, fiber.StatusOK, views.NewAuditoriumForm{Rows: "10", PerRow: "16"}, nil)
}

func (h *Handler) renderAuditoriums(c *fiber.Ctx, status int, form views.NewAuditoriumForm, errs views.FormErrors) error {
	ctx := c.UserContext()
	scope, err := h.scope(c)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(c.Query("q"))
	list, err := h.db.ManagedAuditoriums(ctx, scope, q, h.clock.Now())
	if err != nil {
		return err
	}
	theatres, err := h.db.Theatres(ctx)
	if err != nil {
		return err
	}
	p := views.AuditoriumsPage{Query: q, Form: form, Errors: errs}
	for _, t := range theatres {
		if scope.Allows(t.ID) {
			p.Theatres = append(p.Theatres, t)
		}
	}
	for _, a := range list {
		p.Auditoriums = append(p.Auditoriums, views.AuditoriumItem{ID: a.ID, Theatre: a.TheatreName, Name: a.Name,
			Version: a.Version, Seats: a.Seats, Capacity: a.Capacity, Coming: a.Coming, OldVersions: a.OldVersions})
	}
	return render(c, status, views.ManageAuditoriums(h.pageMeta(c, "Auditoriums", "manage"), p))
}

func (h *Handler) createAuditorium(c *fiber.Ctx) error {
	form := views.NewAuditoriumForm{Name: strings.TrimSpace(copyForm(c, "name")), Rows: copyForm(c, "rows"), PerRow: copyForm(c, "perRow")}
	theatreID, err := strconv.ParseInt(c.FormValue("theatre"), 10, 64)
	if err != nil {
		return booking.Invalid("theatre", "Choose a theatre.")
	}
	form.TheatreID = theatreID
	if err := h.requireTheatre(c, theatreID); err != nil {
		return err
	}
	if _, err := h.db.TheatreByID(c.UserContext(), theatreID); booking.ErrorCode(err) == booking.ENOTFOUND {
		return booking.Invalid("theatre", "Choose a theatre.")
	} else if err != nil {
		return err
	}
	errs := views.FormErrors{}
	if n := len([]rune(form.Name)); n < 1 || n > 60 {
		errs["name"] = "Give the auditorium a name of up to 60 characters."
	}
	rows, err1 := strconv.Atoi(strings.TrimSpace(form.Rows))
	perRow, err2 := strconv.Atoi(strings.TrimSpace(form.PerRow))
	var seats []booking.Seat
	if err1 != nil || err2 != nil {
		errs["rows"] = "Give the number of rows and of seats a row."
	} else if seats, err = booking.StarterLayout(rows, perRow); err != nil {
		var be *booking.Error
		if !errors.As(err, &be) {
			return err
		}
		errs[be.Field] = be.Message
	}
	if len(errs) > 0 {
		return h.renderAuditoriums(c, statusOf(booking.EINVALID), form, errs)
	}
	id, err := h.db.CreateAuditorium(c.UserContext(), theatreID, form.Name, seats)
	if booking.ErrorCode(err) == booking.ECONFLICT {
		errs["name"] = "This theatre already has an auditorium called " + form.Name + "."
		return h.renderAuditoriums(c, statusOf(booking.ECONFLICT), form, errs)
	}
	if err != nil {
		return err
	}
	h.audit(c, "manage.auditorium.create", auditoriumSubject(id), map[string]any{
		"theatre": theatreID, "name": form.Name, "before": nil, "after": booking.SeatCounts(seats)})
	h.sessionOf(c).SetFlash(form.Name + " is added with " + strconv.Itoa(len(seats)) + " standard seats. Shape its layout here.")
	return c.Redirect("/manage/auditoriums/"+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

func auditoriumSubject(id int64) string { return "auditorium:" + strconv.FormatInt(id, 10) }

// managedAuditorium is the auditorium of the path, if the user may change it
// (404 when there is none, 403 for another theatre's).
func (h *Handler) managedAuditorium(c *fiber.Ctx) (db.ManagedAuditorium, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return db.ManagedAuditorium{}, fiber.ErrNotFound
	}
	a, err := h.db.ManagedAuditoriumByID(c.UserContext(), id, h.clock.Now())
	if err != nil {
		return a, err
	}
	return a, h.requireTheatre(c, a.TheatreID)
}

// editorPage is the editor of an auditorium's current version, showing csv
// (the current layout when empty).
func (h *Handler) editorPage(c *fiber.Ctx, a db.ManagedAuditorium) (views.LayoutEditorPage, []booking.Seat, error) {
	ctx := c.UserContext()
	p := views.LayoutEditorPage{AuditoriumID: a.ID, Theatre: a.TheatreName, Name: a.Name, LayoutID: a.LayoutID,
		Version: a.Version, Seats: a.Seats, Capacity: a.Capacity, Coming: a.Coming, OldVersions: a.OldVersions}
	seats, err := h.db.LayoutSeats(ctx, a.LayoutID)
	if err != nil {
		return p, nil, err
	}
	uses, err := h.db.SeatUses(ctx, a.LayoutID, h.clock.Now())
	if err != nil {
		return p, nil, err
	}
	for _, s := range seats {
		if uses[s.ID].Sold {
			p.Locked = append(p.Locked, s.Label())
		}
	}
	return p, seats, nil
}

func (h *Handler) layoutEditor(c *fiber.Ctx) error {
	a, err := h.managedAuditorium(c)
	if err != nil {
		return err
	}
	p, seats, err := h.editorPage(c, a)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := booking.WriteLayoutCSV(&buf, seats); err != nil {
		return err
	}
	p.CSV = buf.String()
	p.Preview, p.Counts = views.PreviewOf(seats)
	return render(c, fiber.StatusOK, views.ManageLayoutEditor(h.pageMeta(c, a.Name+" layout", "manage"), p))
}

// layoutPreview answers the editor's live preview (htmx): the customer seat
// map of the layout sent, or its problems (422). Nothing is saved.
func (h *Handler) layoutPreview(c *fiber.Ctx) error {
	if _, err := h.managedAuditorium(c); err != nil {
		return err
	}
	seats, problems := booking.ParseLayoutCSV(strings.NewReader(c.FormValue("csv")))
	if problems != nil {
		return render(c, fiber.StatusUnprocessableEntity, views.LayoutPreview(nil, nil, problems))
	}
	m, counts := views.PreviewOf(seats)
	return render(c, fiber.StatusOK, views.LayoutPreview(m, counts, nil))
}

// layoutText is the layout a save sends: an uploaded file, else the editor's text.
func layoutText(c *fiber.Ctx) (string, error) {
	fh, err := c.FormFile("file")
	if err != nil || fh == nil || fh.Size == 0 {
		return copyForm(c, "csv"), nil
	}
	if c.FormValue("replace") != "1" {
		return "", booking.Invalid("replace", "Tick “Replace the whole layout with the file” to import it.")
	}
	if fh.Size > maxLayoutFile {
		return "", booking.Invalid("file", "The file is too big for a layout (at most %d KB).", maxLayoutFile>>10)
	}
	f, err := fh.Open()
	if err != nil {
		return "", fmt.Errorf("open upload: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxLayoutFile+1))
	if err != nil {
		return "", fmt.Errorf("read upload: %w", err)
	}
	return string(b), nil
}

func (h *Handler) saveLayout(c *fiber.Ctx) error {
	a, err := h.managedAuditorium(c)
	if err != nil {
		return err
	}
	text, err := layoutText(c)
	if err != nil {
		return err
	}
	layoutID, _ := strconv.ParseInt(c.FormValue("layout"), 10, 64)
	newVersion := c.FormValue("version") == "new"
	seats, problems := booking.ParseLayoutCSV(strings.NewReader(text))
	if problems != nil {
		p, _, err := h.editorPage(c, a)
		if err != nil {
			return err
		}
		p.CSV, p.Problems = text, problems
		return render(c, statusOf(booking.EINVALID), views.ManageLayoutEditor(h.pageMeta(c, a.Name+" layout", "manage"), p))
	}
	res, err := h.db.SaveLayout(c.UserContext(), db.SaveLayout{AuditoriumID: a.ID, LayoutID: layoutID,
		Seats: seats, NewVersion: newVersion, Now: h.clock.Now()})
	if len(res.Plan.Blockers) > 0 {
		p, _, perr := h.editorPage(c, a)
		if perr != nil {
			return perr
		}
		p.CSV, p.Blockers = text, res.Plan.Blockers
		p.Preview, p.Counts = views.PreviewOf(seats)
		return render(c, statusOf(booking.ErrorCode(err)), views.ManageLayoutEditor(h.pageMeta(c, a.Name+" layout", "manage"), p))
	}
	if err != nil {
		return err
	}
	if !res.NewVersion && !res.Plan.Changed() {
		h.sessionOf(c).SetFlash("Nothing changed: the layout is as it was.")
		return c.Redirect("/manage/auditoriums/"+strconv.FormatInt(a.ID, 10), fiber.StatusSeeOther)
	}
	data := map[string]any{"before": booking.SeatCounts(res.Before), "after": booking.SeatCounts(res.After),
		"version": res.Version, "newVersion": res.NewVersion}
	flash := fmt.Sprintf("The layout is saved (version %d, %d seats).", res.Version, len(res.After))
	if res.NewVersion {
		data["movedShowtimes"], data["keptShowtimes"] = res.Moved, len(res.Kept)
		flash = fmt.Sprintf("Saved as layout version %d: %d coming shows without sales use it, like every show scheduled from now on.", res.Version, res.Moved)
		if n := len(res.Kept); n > 0 {
			flash += fmt.Sprintf(" %d with sales keep the layout they sold (%s).", n, keptTitles(res.Kept))
		}
	} else {
		data["added"], data["changed"], data["removed"] = len(res.Plan.Add), len(res.Plan.Update), len(res.Plan.Remove)
	}
	h.audit(c, "manage.layout.save", auditoriumSubject(a.ID), data)
	h.sessionOf(c).SetFlash(flash)
	return c.Redirect("/manage/auditoriums/"+strconv.FormatInt(a.ID, 10), fiber.StatusSeeOther)
}

// keptTitles names a few of the showtimes that keep an older version.
func keptTitles(kept []db.KeptShowtime) string {
	var names []string
	for i, k := range kept {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %d more", len(kept)-3))
			break
		}
		names = append(names, k.Title+" "+k.StartsAt.Format("2 Jan 15:04 MST"))
	}
	return strings.Join(names, ", ")
}

func (h *Handler) exportLayout(c *fiber.Ctx) error {
	a, err := h.managedAuditorium(c)
	if err != nil {
		return err
	}
	seats, err := h.db.LayoutSeats(c.UserContext(), a.LayoutID)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := booking.WriteLayoutCSV(&buf, seats); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-v%d.csv"`, fileSlug(a.TheatreName+" "+a.Name), a.Version))
	return c.Send(buf.Bytes())
}

// fileSlug is a name safe in a download's file name.
func fileSlug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
