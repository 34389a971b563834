package handlers

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/db"
	"marquee/views"
)

// The manager's showtimes (/manage/showtimes): the programme of the
// manager's theatres by day or week, scheduling one showtime or a series in
// the theatre's local time, editing, publishing, moving and cancelling.
// Overlaps are refused by the database (db.ScheduleShowtimes); which change
// is allowed when is booking's (CheckNew, CheckEdit, CheckMove, CheckCancel).
// Every change is audited with before and after.

// programmeRules are the scheduling rules in force (trailers, cleaning). The
// one accessor: the settings pages make them editable.
func (h *Handler) programmeRules() booking.ProgrammeRules { return h.settings.Programme() }

// theatresInScope returns the theatres the signed-in manager may see, by name.
func (h *Handler) theatresInScope(c *fiber.Ctx) ([]booking.Theatre, booking.Scope, error) {
	s, err := h.scope(c)
	if err != nil {
		return nil, s, err
	}
	all, err := h.db.Theatres(c.UserContext())
	if err != nil {
		return nil, s, err
	}
	var out []booking.Theatre
	for _, t := range all {
		if s.Allows(t.ID) {
			out = append(out, t)
		}
	}
	return out, s, nil
}

// manageShowtimes is the programme: GET /manage/showtimes?theatre=&date=&days=&q=&status=.
func (h *Handler) manageShowtimes(c *fiber.Ctx) error {
	theatres, scope, err := h.theatresInScope(c)
	if err != nil {
		return err
	}
	p := views.ProgrammePage{Days: 1, Query: strings.TrimSpace(c.Query("q")), Status: c.Query("status"), CSRF: h.csrf(c)}
	switch p.Status {
	case "", "scheduled", "draft", "cancelled":
	default:
		return BadQuery("status", "status must be scheduled, draft or cancelled.")
	}
	if c.Query("days") == "7" {
		p.Days = 7
	} else if d := c.Query("days"); d != "" && d != "1" {
		return BadQuery("days", "days must be 1 or 7.")
	}
	var theatreID int64
	loc := time.UTC
	if len(theatres) > 0 {
		loc = theatres[0].Location()
	}
	if q := c.Query("theatre"); q != "" {
		theatreID, err = strconv.ParseInt(q, 10, 64)
		if err != nil || theatreID <= 0 {
			return BadQuery("theatre", "theatre must be a theatre id.")
		}
		if err := scope.Check(theatreID); err != nil {
			return err
		}
		p.TheatreID = q
	}
	zones := map[string]bool{}
	for _, t := range theatres {
		p.Theatres = append(p.Theatres, views.ProgrammeOption{Value: strconv.FormatInt(t.ID, 10), Label: t.Name})
		zones[t.TimeZone] = true
		if t.ID == theatreID {
			loc = t.Location()
		}
	}
	if len(theatres) == 1 {
		p.TheatreID = p.Theatres[0].Value
	}
	if theatreID == 0 && len(zones) > 1 {
		p.ZoneNote = " · days in " + loc.String() + ", times in each theatre's own"
	}
	now := h.clock.Now()
	p.Today = now.In(loc).Format(booking.DateLayout)
	p.Date = p.Today
	if d := c.Query("date"); d != "" {
		if _, err := time.Parse(booking.DateLayout, d); err != nil {
			return BadQuery("date", "date must be YYYY-MM-DD.")
		}
		p.Date = d
	}
	from, _ := time.ParseInLocation(booking.DateLayout, p.Date, loc)
	to := from.AddDate(0, 0, p.Days)
	p.Prev = from.AddDate(0, 0, -p.Days).Format(booking.DateLayout)
	p.Next = to.Format(booking.DateLayout)
	p.Span = views.Day(from, loc)
	if p.Days > 1 {
		p.Span += " – " + views.Day(to.Add(-time.Hour), loc)
	}
	p.NewShowLink = "/manage/showtimes/new"
	if p.TheatreID != "" {
		p.NewShowLink += "?theatre=" + p.TheatreID
	}
	var audID int64
	if q := c.Query("auditorium"); q != "" {
		if audID, err = strconv.ParseInt(q, 10, 64); err != nil || audID <= 0 {
			return BadQuery("auditorium", "auditorium must be an auditorium id.")
		}
		p.AuditoriumID = q
	}
	auds, err := h.db.ProgrammeAuditoriums(c.UserContext(), scope)
	if err != nil {
		return err
	}
	for _, a := range auds {
		if theatreID == 0 || a.TheatreID == theatreID {
			p.Auditoriums = append(p.Auditoriums, views.ProgrammeOption{Value: strconv.FormatInt(a.ID, 10), Label: a.Name, Group: a.TheatreName})
		}
	}
	shows, err := h.db.Programme(c.UserContext(), db.ProgrammeFilter{Scope: scope, TheatreID: theatreID, AuditoriumID: audID,
		From: from, To: to, Query: p.Query, Status: p.Status})
	if err != nil {
		return err
	}
	p.Count = len(shows)
	for _, s := range shows {
		sl := s.Location()
		day := views.Day(s.StartsAt, sl)
		if n := len(p.Groups); n == 0 || p.Groups[n-1].Label != day {
			p.Groups = append(p.Groups, views.ProgrammeDay{Label: day})
		}
		g := &p.Groups[len(p.Groups)-1]
		g.Rows = append(g.Rows, views.ProgrammeRow{
			ID: s.ID, Start: views.Clock(s.StartsAt, sl), End: views.Clock(s.EndsAt, sl), Ready: views.Clock(s.ReadyAt, sl),
			Title: s.Title, Theatre: s.TheatreName, Auditorium: s.Auditorium, Format: s.Format, Chips: s.ShowAttrs.Chips(),
			PriceCard: s.PriceCard, Sold: s.Sold, Capacity: s.Capacity,
			Cancelled: s.Status == booking.ShowtimeCancelled, Draft: s.Unpublished, Past: !now.Before(s.StartsAt),
			Sales: salesWords(s, now, h.settings.Booking(s.TheatreID)),
		})
	}
	return render(c, fiber.StatusOK, views.ManageShowtimes(h.pageMeta(c, "Showtimes", "manage"), p))
}

// salesWords is a showtime's online sales state for the programme.
func salesWords(s db.ProgrammeShow, now time.Time, set booking.Settings) string {
	switch {
	case s.Status == booking.ShowtimeCancelled:
		return "Cancelled"
	case s.Unpublished:
		return "Draft: not on sale"
	}
	sales := booking.SalesAt(s.Showtime, now, set)
	switch {
	case sales.Open():
		return "On sale online"
	case s.SalesOpenAt != nil && now.Before(*s.SalesOpenAt):
		return "Online from " + views.Day(*s.SalesOpenAt, s.Location()) + " " + views.Clock(*s.SalesOpenAt, s.Location())
	default:
		return booking.BoardLabel(booking.CounterSales(s.Showtime, now, set))
	}
}

// showtimeFormPage fills the menus of the schedule and edit forms.
func (h *Handler) showtimeFormPage(c *fiber.Ctx, scope booking.Scope, onlyTheatre int64) (views.ShowtimeFormPage, error) {
	ctx := c.UserContext()
	p := views.ShowtimeFormPage{Formats: booking.Formats, Errors: views.FormErrors{}}
	r := h.programmeRules()
	p.Rules = fmt.Sprintf("A show takes the auditorium for %s of trailers plus the film, then %s to clean; overlapping shows are refused.",
		durationText(r.Trailers), durationText(r.Cleaning))
	movies, err := h.db.ProgrammeMovies(ctx)
	if err != nil {
		return p, err
	}
	for _, m := range movies {
		p.Movies = append(p.Movies, views.ProgrammeOption{Value: strconv.FormatInt(m.ID, 10), Label: fmt.Sprintf("%s (%d min)", m.Name, m.RuntimeMin)})
	}
	auds, err := h.db.ProgrammeAuditoriums(ctx, scope)
	if err != nil {
		return p, err
	}
	for _, a := range auds {
		if onlyTheatre != 0 && a.TheatreID != onlyTheatre {
			continue
		}
		p.Auditoriums = append(p.Auditoriums, views.ProgrammeOption{Value: strconv.FormatInt(a.ID, 10),
			Label: a.Name + " (" + strconv.Itoa(a.Capacity) + " seats)", Group: a.TheatreName})
	}
	cards, err := h.db.ProgrammePriceCards(ctx, scope) // the shared cards and those of the manager's theatres
	if err != nil {
		return p, err
	}
	for _, pc := range cards {
		p.PriceCards = append(p.PriceCards, views.ProgrammeOption{Value: strconv.FormatInt(pc.ID, 10), Label: pc.Name})
	}
	p.Versions = []views.ProgrammeOption{{Value: booking.VersionOriginal, Label: "Original version"},
		{Value: booking.VersionDubbed, Label: "Dubbed"}, {Value: booking.VersionSubtitled, Label: "Subtitled"}}
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		p.Weekdays = append(p.Weekdays, views.ProgrammeOption{Value: strconv.Itoa(int(d)), Label: d.String()[:3]})
	}
	return p, nil
}

func durationText(d time.Duration) string {
	return strconv.Itoa(int(d/time.Minute)) + " minutes"
}

// readShowtimeForm reads the schedule / edit form as typed.
func readShowtimeForm(c *fiber.Ctx) views.ShowtimeFormValues {
	f := views.ShowtimeFormValues{
		Movie: c.FormValue("movie"), Auditorium: c.FormValue("auditorium"), PriceCard: c.FormValue("price_card"),
		Format: c.FormValue("format"), Version: c.FormValue("version"), Language: c.FormValue("language"),
		Event: c.FormValue("event"), AudioDescription: c.FormValue("audio_description") == "1",
		Captions: c.FormValue("captions") == "1", Published: c.FormValue("published") == "1",
		From: strings.TrimSpace(c.FormValue("from")), To: strings.TrimSpace(c.FormValue("to")),
		Times: c.FormValue("times"), SalesOpen: strings.TrimSpace(c.FormValue("sales_open")),
		SalesClose: strings.TrimSpace(c.FormValue("sales_close")), CounterClose: strings.TrimSpace(c.FormValue("counter_close")),
		Weekdays: map[string]bool{},
	}
	if mf, err := c.MultipartForm(); err == nil && mf != nil {
		for _, d := range mf.Value["weekday"] {
			f.Weekdays[d] = true
		}
	} else {
		c.Request().PostArgs().VisitAll(func(k, v []byte) {
			if string(k) == "weekday" {
				f.Weekdays[string(v)] = true
			}
		})
	}
	return f
}

// formID parses a required id field of a form.
func formID(v, field, what string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || id <= 0 {
		return 0, booking.Invalid(field, "Choose %s.", what)
	}
	return id, nil
}

// minutesField parses a whole number of minutes, def when empty.
func minutesField(v, field string, def time.Duration) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < -10080 || n > 10080 {
		return 0, booking.Invalid(field, "Give a whole number of minutes.")
	}
	return time.Duration(n) * time.Minute, nil
}

// showSettings are the parts of a form every showtime of it shares.
type showSettings struct {
	PriceCardID int64
	Format      string
	Attrs       booking.ShowAttrs
	Published   bool
	Window      booking.SalesWindow
}

func parseShowSettings(f views.ShowtimeFormValues, loc *time.Location) (showSettings, error) {
	var s showSettings
	var err error
	if s.PriceCardID, err = formID(f.PriceCard, "price_card", "a price card"); err != nil {
		return s, err
	}
	s.Format = f.Format
	if s.Format == "" {
		s.Format = booking.Formats[0]
	}
	if err := booking.CheckFormat(s.Format); err != nil {
		return s, err
	}
	if s.Attrs, err = (booking.ShowAttrs{Version: f.Version, Language: f.Language, AudioDescription: f.AudioDescription,
		Captions: f.Captions, Event: f.Event}).Check(); err != nil {
		return s, err
	}
	s.Published = f.Published
	s.Window = booking.DefaultSalesWindow()
	if s.Window.Close, err = minutesField(f.SalesClose, "sales_close", s.Window.Close); err != nil {
		return s, err
	}
	if s.Window.Counter, err = minutesField(f.CounterClose, "counter_close", s.Window.Counter); err != nil {
		return s, err
	}
	if f.SalesOpen != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", f.SalesOpen, loc)
		if err != nil {
			return s, booking.Invalid("sales_open", "Give the day and time online sales open, or leave it empty.")
		}
		s.Window.OpenAt = &t
	}
	return s, nil
}

// formPageError puts err on the form: a field's message by its field, any
// other domain message at the top. ok is false for internal errors.
func formPageError(p *views.ShowtimeFormPage, err error) (status int, ok bool) {
	code := booking.ErrorCode(err)
	if code == booking.EINTERNAL || code == booking.EUNAVAILABLE || code == booking.EFORBIDDEN || code == booking.ENOTFOUND {
		return 0, false
	}
	if fe, isField := formErrors(err, ""); isField && !(len(fe) == 1 && fe[""] != "") {
		if msg, ok := fe["start"]; ok { // the start is typed as a day and a time
			fe = views.FormErrors{"from": msg}
		}
		p.Errors = fe
	} else {
		p.Errors = views.FormErrors{"": booking.ErrorMessage(err)}
	}
	return statusOf(code), true
}

// newShowtimePage is the schedule form: GET /manage/showtimes/new?theatre=.
func (h *Handler) newShowtimePage(c *fiber.Ctx) error {
	theatres, scope, err := h.theatresInScope(c)
	if err != nil {
		return err
	}
	var theatre int64
	if q := c.Query("theatre"); q != "" {
		if theatre, err = strconv.ParseInt(q, 10, 64); err != nil {
			return BadQuery("theatre", "theatre must be a theatre id.")
		}
		if err := scope.Check(theatre); err != nil {
			return err
		}
	}
	p, err := h.showtimeFormPage(c, scope, theatre)
	if err != nil {
		return err
	}
	// Today where the shows will be: the theatre asked for, else the manager's first.
	loc := time.UTC
	for i, t := range theatres {
		if t.ID == theatre || (theatre == 0 && i == 0) {
			loc = t.Location()
		}
	}
	today := h.clock.Now().In(loc).Format(booking.DateLayout)
	p.Form = views.ShowtimeFormValues{Format: "2D", Version: booking.VersionOriginal, Published: true, From: today,
		SalesClose: "0", CounterClose: "10", Weekdays: map[string]bool{}}
	return render(c, fiber.StatusOK, views.ShowtimeNew(h.pageMeta(c, "Schedule showtimes", "manage"), p))
}

// scheduleShowtimes schedules one showtime or a series: POST /manage/showtimes.
func (h *Handler) scheduleShowtimes(c *fiber.Ctx) error {
	_, scope, err := h.theatresInScope(c)
	if err != nil {
		return err
	}
	f := readShowtimeForm(c)
	ids, aud, err := h.schedule(c, f)
	if err != nil {
		if booking.ErrorCode(err) == booking.EFORBIDDEN {
			return err
		}
		p, perr := h.showtimeFormPage(c, scope, 0)
		if perr != nil {
			return perr
		}
		p.Form = f
		status, ok := formPageError(&p, err)
		if !ok {
			return err
		}
		return render(c, status, views.ShowtimeNew(h.pageMeta(c, "Schedule showtimes", "manage"), p))
	}
	h.audit(c, "showtime.schedule", "auditorium:"+strconv.FormatInt(aud.ID, 10), map[string]any{
		"before": nil, "after": map[string]any{"showtimes": ids, "movie": f.Movie, "auditorium": aud.ID, "from": f.From,
			"to": f.To, "times": f.Times, "weekdays": f.Weekdays, "format": f.Format, "version": f.Version,
			"language": f.Language, "priceCard": f.PriceCard, "published": f.Published}})
	h.sessionOf(c).SetFlash(fmt.Sprintf("%d showtime(s) scheduled in %s.", len(ids), aud.Name))
	return c.Redirect("/manage/showtimes?theatre="+strconv.FormatInt(aud.TheatreID, 10)+"&date="+f.From+"&days=7", fiber.StatusSeeOther)
}

// schedule turns the form into showtimes and inserts them, all or none.
func (h *Handler) schedule(c *fiber.Ctx, f views.ShowtimeFormValues) ([]int64, db.ProgrammeAuditorium, error) {
	ctx := c.UserContext()
	var aud db.ProgrammeAuditorium
	movieID, err := formID(f.Movie, "movie", "a movie")
	if err != nil {
		return nil, aud, err
	}
	audID, err := formID(f.Auditorium, "auditorium", "an auditorium")
	if err != nil {
		return nil, aud, err
	}
	if aud, err = h.db.ProgrammeAuditoriumByID(ctx, audID); err != nil {
		if booking.ErrorCode(err) == booking.ENOTFOUND {
			return nil, aud, booking.Invalid("auditorium", "Choose an auditorium.")
		}
		return nil, aud, err
	}
	if err := h.requireTheatre(c, aud.TheatreID); err != nil {
		return nil, aud, err
	}
	movie, err := h.db.MovieByID(ctx, movieID)
	if err != nil {
		if booking.ErrorCode(err) == booking.ENOTFOUND {
			return nil, aud, booking.Invalid("movie", "Choose a movie.")
		}
		return nil, aud, err
	}
	loc := aud.Location()
	set, err := parseShowSettings(f, loc)
	if err != nil {
		return nil, aud, err
	}
	times, err := booking.ParseClocks(f.Times)
	if err != nil {
		return nil, aud, err
	}
	to := f.To
	if to == "" {
		to = f.From
	}
	series := booking.Series{From: f.From, To: to, Times: times}
	for d := range f.Weekdays {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 6 {
			return nil, aud, booking.Invalid("weekdays", "Tick weekdays from the list.")
		}
		series.Weekdays = append(series.Weekdays, time.Weekday(n))
	}
	starts, err := series.Starts(loc)
	if err != nil {
		return nil, aud, err
	}
	now, rules := h.clock.Now(), h.programmeRules()
	shows := make([]db.NewShowtime, 0, len(starts))
	for _, st := range starts {
		if err := booking.CheckNew(st, now); err != nil {
			return nil, aud, err
		}
		slot, err := rules.Slot(st, movie.RuntimeMin, set.Window)
		if err != nil {
			return nil, aud, err
		}
		shows = append(shows, db.NewShowtime{MovieID: movieID, AuditoriumID: audID, PriceCardID: set.PriceCardID,
			Format: set.Format, Attrs: set.Attrs, Published: set.Published, Slot: slot})
	}
	if err := h.checkPriceCard(c, set.PriceCardID, aud.TheatreID); err != nil {
		return nil, aud, err
	}
	ids, err := h.db.ScheduleShowtimes(ctx, shows, loc)
	return ids, aud, err
}

// checkPriceCard refuses a price card that doesn't exist, or belongs to
// another theatre than the show's (EINVALID): shared cards sell everywhere.
func (h *Handler) checkPriceCard(c *fiber.Ctx, id, theatreID int64) error {
	pc, err := h.db.PriceCard(c.UserContext(), id)
	if booking.ErrorCode(err) == booking.ENOTFOUND || (err == nil && !pc.SellsIn(theatreID)) {
		return booking.Invalid("price_card", "Choose a price card of this theatre (or one shared by every theatre).")
	}
	return err
}

// managedShow loads the showtime in the path, refusing one of another theatre (403).
func (h *Handler) managedShow(c *fiber.Ctx) (db.ProgrammeShow, error) {
	id, err := showtimeID(c)
	if err != nil {
		return db.ProgrammeShow{}, err
	}
	s, err := h.db.ProgrammeShowByID(c.UserContext(), id)
	if err != nil {
		return s, err
	}
	if err := h.requireTheatre(c, s.TheatreID); err != nil {
		return s, err
	}
	return s, nil
}

// editForm is a showtime's row as its edit form shows it.
func editForm(s db.ProgrammeShow) views.ShowtimeFormValues {
	loc := s.Location()
	f := views.ShowtimeFormValues{Movie: strconv.FormatInt(s.MovieID, 10), Auditorium: strconv.FormatInt(s.AuditoriumID, 10),
		PriceCard: strconv.FormatInt(s.PriceCardID, 10), Format: s.Format, Version: s.Version, Language: s.Language,
		Event: s.Event, AudioDescription: s.AudioDescription, Captions: s.Captions, Published: !s.Unpublished,
		From: s.StartsAt.In(loc).Format(booking.DateLayout), Times: views.Clock(s.StartsAt, loc),
		SalesClose:   strconv.Itoa(int(s.SalesCloseAt.Sub(s.StartsAt) / time.Minute)),
		CounterClose: strconv.Itoa(int(s.CounterCloseAt.Sub(s.StartsAt) / time.Minute)), Weekdays: map[string]bool{}}
	if s.SalesOpenAt != nil {
		f.SalesOpen = s.SalesOpenAt.In(loc).Format("2006-01-02T15:04")
	}
	return f
}

func (h *Handler) editPage(c *fiber.Ctx, s db.ProgrammeShow) (views.ShowtimeFormPage, error) {
	scope, err := h.scope(c)
	if err != nil {
		return views.ShowtimeFormPage{}, err
	}
	p, err := h.showtimeFormPage(c, scope, s.TheatreID)
	if err != nil {
		return p, err
	}
	now := h.clock.Now()
	p.ID, p.Title, p.Sold = s.ID, s.Title+" · "+views.ShowtimeWhen(s.StartsAt, s.EndsAt, s.Location()), s.Sold
	p.Cancelled, p.Started = s.Status == booking.ShowtimeCancelled, !now.Before(s.StartsAt)
	switch {
	case p.Cancelled:
		p.Locked = "This showtime is cancelled."
	case p.Started:
		p.Locked = "This show has started; it can't be changed any more."
	case s.Orders > 0:
		p.Locked = "This show has orders: change its time or auditorium with Move, which tells its customers."
	}
	p.Form = editForm(s)
	return p, nil
}

// editShowtimePage is a showtime's edit form: GET /manage/showtimes/:id.
func (h *Handler) editShowtimePage(c *fiber.Ctx) error {
	s, err := h.managedShow(c)
	if err != nil {
		return err
	}
	p, err := h.editPage(c, s)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.ShowtimeEdit(h.pageMeta(c, "Edit showtime", "manage"), p))
}

// editShowtime saves the edit form: POST /manage/showtimes/:id.
func (h *Handler) editShowtime(c *fiber.Ctx) error {
	s, err := h.managedShow(c)
	if err != nil {
		return err
	}
	f := readShowtimeForm(c)
	before, after, err := h.edit(c, s, f)
	if err != nil {
		if booking.ErrorCode(err) == booking.EFORBIDDEN {
			return err
		}
		p, perr := h.editPage(c, s)
		if perr != nil {
			return perr
		}
		f.Movie = p.Form.Movie
		p.Form = f
		status, ok := formPageError(&p, err)
		if !ok {
			return err
		}
		return render(c, status, views.ShowtimeEdit(h.pageMeta(c, "Edit showtime", "manage"), p))
	}
	h.sales.ShowChanged(s.ID)
	h.audit(c, "showtime.edit", "showtime:"+strconv.FormatInt(s.ID, 10), map[string]any{"before": auditShow(before), "after": auditShow(after)})
	h.sessionOf(c).SetFlash("The showtime is saved.")
	return c.Redirect("/manage/showtimes/"+strconv.FormatInt(s.ID, 10), fiber.StatusSeeOther)
}

func (h *Handler) edit(c *fiber.Ctx, s db.ProgrammeShow, f views.ShowtimeFormValues) (before, after db.ProgrammeShow, err error) {
	loc := s.Location()
	audID, err := formID(f.Auditorium, "auditorium", "an auditorium")
	if err != nil {
		return before, after, err
	}
	if audID != s.AuditoriumID {
		aud, err := h.db.ProgrammeAuditoriumByID(c.UserContext(), audID)
		if err != nil || aud.TheatreID != s.TheatreID {
			return before, after, booking.Invalid("auditorium", "Choose an auditorium of this theatre.")
		}
	}
	set, err := parseShowSettings(f, loc)
	if err != nil {
		return before, after, err
	}
	if err := h.checkPriceCard(c, set.PriceCardID, s.TheatreID); err != nil {
		return before, after, err
	}
	start, err := booking.LocalTime(f.From, strings.TrimSpace(f.Times), loc)
	if err != nil {
		return before, after, err
	}
	now, rules := h.clock.Now(), h.programmeRules()
	return h.db.EditShowtime(c.UserContext(), s.ID, func(cur db.ProgrammeShow) (db.ShowtimeChange, error) {
		e := booking.Edit{AuditoriumID: audID, StartsAt: start, PriceCardID: set.PriceCardID, Format: set.Format,
			Attrs: set.Attrs, Published: set.Published, Window: set.Window}
		if err := booking.CheckEdit(cur.Live(), e, now); err != nil {
			return db.ShowtimeChange{}, err
		}
		slot, err := rules.Slot(start, cur.RuntimeMin, set.Window)
		if err != nil {
			return db.ShowtimeChange{}, err
		}
		return db.ShowtimeChange{AuditoriumID: audID, PriceCardID: set.PriceCardID, Format: set.Format, Attrs: set.Attrs,
			Published: set.Published, Slot: slot}, nil
	})
}

// auditShow is a showtime as the audit log records it.
func auditShow(s db.ProgrammeShow) map[string]any {
	return map[string]any{"id": s.ID, "movie": s.Title, "auditorium": s.Auditorium, "auditoriumId": s.AuditoriumID,
		"startsAt": s.StartsAt, "endsAt": s.EndsAt, "salesOpenAt": s.SalesOpenAt, "salesCloseAt": s.SalesCloseAt,
		"counterCloseAt": s.CounterCloseAt, "priceCardId": s.PriceCardID, "format": s.Format, "version": s.Version,
		"language": s.Language, "audioDescription": s.AudioDescription, "captions": s.Captions, "event": s.Event,
		"published": !s.Unpublished, "status": s.Status}
}

// publishShowtime publishes or withdraws a showtime: POST /manage/showtimes/:id/publish (published=1|0).
func (h *Handler) publishShowtime(c *fiber.Ctx) error {
	s, err := h.managedShow(c)
	if err != nil {
		return err
	}
	var pub bool
	switch c.FormValue("published") {
	case "1":
		pub = true
	case "0":
	default:
		return booking.Invalid("published", "Say whether to publish (1) or withdraw (0).")
	}
	before, after, err := h.db.SetShowtimePublished(c.UserContext(), s.ID, pub, h.clock.Now())
	if err != nil {
		return err
	}
	h.sales.ShowChanged(s.ID)
	h.audit(c, "showtime.publish", "showtime:"+strconv.FormatInt(s.ID, 10), map[string]any{"before": auditShow(before), "after": auditShow(after)})
	msg := "The showtime is published: customers see it now."
	if !pub {
		msg = "The showtime is withdrawn: only staff see it."
	}
	h.sessionOf(c).SetFlash(msg)
	return c.Redirect("/manage/showtimes/"+strconv.FormatInt(s.ID, 10), fiber.StatusSeeOther)
}

func summaryOf(s db.ProgrammeShow) views.ShowtimeSummary {
	return views.ShowtimeSummary{ID: s.ID, Title: s.Title, When: views.ShowtimeWhen(s.StartsAt, s.EndsAt, s.Location()),
		Theatre: s.TheatreName, Auditorium: s.Auditorium, Sold: s.Sold, Orders: s.Orders - s.Pending, Status: s.Status}
}

func (h *Handler) movePage(c *fiber.Ctx, s db.ProgrammeShow) (views.MovePage, error) {
	scope, err := h.scope(c)
	if err != nil {
		return views.MovePage{}, err
	}
	auds, err := h.db.ProgrammeAuditoriums(c.UserContext(), scope)
	if err != nil {
		return views.MovePage{}, err
	}
	loc := s.Location()
	p := views.MovePage{Show: summaryOf(s), Auditorium: strconv.FormatInt(s.AuditoriumID, 10),
		Date: s.StartsAt.In(loc).Format(booking.DateLayout), Time: views.Clock(s.StartsAt, loc), Errors: views.FormErrors{}}
	for _, a := range auds {
		if a.TheatreID == s.TheatreID {
			p.Auditoriums = append(p.Auditoriums, views.ProgrammeOption{Value: strconv.FormatInt(a.ID, 10),
				Label: a.Name + " (" + strconv.Itoa(a.Capacity) + " seats)"})
		}
	}
	return p, nil
}

// moveShowtimePage is the move form: GET /manage/showtimes/:id/move.
func (h *Handler) moveShowtimePage(c *fiber.Ctx) error {
	s, err := h.managedShow(c)
	if err != nil {
		return err
	}
	p, err := h.movePage(c, s)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.ShowtimeMove(h.pageMeta(c, "Move a show", "manage"), p))
}

// moveShowtime checks a move (without confirm=1: the confirm step, a dry run
// that says what it would do) or makes it: POST /manage/showtimes/:id/move.
func (h *Handler) moveShowtime(c *fiber.Ctx) error {
	s, err := h.managedShow(c)
	if err != nil {
		return err
	}
	p, err := h.movePage(c, s)
	if err != nil {
		return err
	}
	p.Auditorium, p.Date, p.Time = c.FormValue("auditorium"), strings.TrimSpace(c.FormValue("date")), strings.TrimSpace(c.FormValue("time"))
	plan, target, err := h.movePlanner(c, s, p)
	if err == nil {
		if c.FormValue("confirm") != "1" {
			var m db.Moved
			m, err = h.db.MoveShowtime(c.UserContext(), s.ID, plan, false)
			if err == nil {
				conf := &views.MoveConfirm{To: target}
				for _, o := range m.Orders {
					conf.Orders++
					conf.Seats += o.Seats
					conf.Lost += o.Lost
					if o.Lost > 0 {
						conf.LostOrders++
					}
				}
				p.Confirm = conf
				return render(c, fiber.StatusOK, views.ShowtimeMove(h.pageMeta(c, "Move a show", "manage"), p))
			}
		} else {
			res, merr := h.after.MoveShowtime(c.UserContext(), s.ID, plan)
			if merr == nil {
				h.sales.ShowChanged(s.ID)
				h.audit(c, "showtime.move", "showtime:"+strconv.FormatInt(s.ID, 10), map[string]any{
					"before": auditShow(res.Before), "after": auditShow(res.After), "orders": res.Orders,
					"refunded": res.Refunded, "problems": res.Problems})
				msg := fmt.Sprintf("The show is moved to %s. %d customers are told", target, len(res.Orders))
				if res.Refunded > 0 {
					msg += fmt.Sprintf("; %d orders had seats refunded", res.Refunded)
				}
				if len(res.Problems) > 0 {
					msg += ". Problems: " + strings.Join(res.Problems, "; ")
				}
				h.sessionOf(c).SetFlash(msg + ".")
				return c.Redirect("/manage/showtimes/"+strconv.FormatInt(s.ID, 10)+"/affected?done=moved", fiber.StatusSeeOther)
			}
			err = merr
		}
	}
	code := booking.ErrorCode(err)
	if code != booking.EINVALID && code != booking.ECONFLICT {
		return err
	}
	if fe, ok := formErrors(err, ""); ok && fe[""] == "" {
		if msg, ok := fe["start"]; ok {
			fe = views.FormErrors{"date": msg}
		}
		p.Errors = fe
	} else {
		p.Errors = views.FormErrors{"": booking.ErrorMessage(err)}
	}
	return render(c, statusOf(code), views.ShowtimeMove(h.pageMeta(c, "Move a show", "manage"), p))
}

// movePlanner parses the move form into a planner for db.MoveShowtime and
// the target in words.
func (h *Handler) movePlanner(c *fiber.Ctx, s db.ProgrammeShow, p views.MovePage) (db.MovePlanner, string, error) {
	audID, err := formID(p.Auditorium, "auditorium", "an auditorium")
	if err != nil {
		return nil, "", err
	}
	aud, err := h.db.ProgrammeAuditoriumByID(c.UserContext(), audID)
	if err != nil || aud.TheatreID != s.TheatreID {
		return nil, "", booking.Invalid("auditorium", "A show moves only within its theatre: choose one of its auditoriums.")
	}
	loc := s.Location()
	start, err := booking.LocalTime(p.Date, p.Time, loc)
	if err != nil {
		if de, ok := err.(*booking.Error); ok && de.Field == "times" {
			de.Field = "time"
		}
		return nil, "", err
	}
	now, rules := h.clock.Now(), h.programmeRules()
	plan := func(cur db.ProgrammeShow) (db.MoveTarget, error) {
		if err := booking.CheckMove(cur.Live(), start, audID, now); err != nil {
			return db.MoveTarget{}, err
		}
		w := booking.SalesWindow{OpenAt: cur.SalesOpenAt, Close: cur.SalesCloseAt.Sub(cur.StartsAt), Counter: cur.CounterCloseAt.Sub(cur.StartsAt)}
		if w.OpenAt != nil && !w.OpenAt.Before(start.Add(w.Close)) {
			w.OpenAt = nil // opening after the new close: on sale at once
		}
		slot, err := rules.Slot(start, cur.RuntimeMin, w)
		if err != nil {
			return db.MoveTarget{}, err
		}
		return db.MoveTarget{AuditoriumID: audID, Slot: slot}, nil
	}
	return plan, views.Day(start, loc) + " " + views.Clock(start, loc) + " in " + aud.Name, nil
}

// cancelShowtimePage is the confirm step of cancelling: GET /manage/showtimes/:id/cancel.
func (h *Handler) cancelShowtimePage(c *fiber.Ctx) error {
	s, err := h.managedShow(c)
	if err != nil {
		return err
	}
	p, err := h.cancelPageOf(c, s)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if err := booking.CheckCancel(s.Live(), h.clock.Now()); err != nil {
		p.Error = booking.ErrorMessage(err)
		status = statusOf(booking.ErrorCode(err))
	}
	return render(c, status, views.ShowtimeCancel(h.pageMeta(c, "Cancel a show", "manage"), p))
}

func (h *Handler) cancelPageOf(c *fiber.Ctx, s db.ProgrammeShow) (views.CancelShowPage, error) {
	rows, err := h.affectedRows(c, s)
	if err != nil {
		return views.CancelShowPage{}, err
	}
	return views.CancelShowPage{Show: summaryOf(s), Orders: rows}, nil
}

// cancelShowtime cancels a show and refunds every order (aftersale):
// POST /manage/showtimes/:id/cancel with confirm=1.
func (h *Handler) cancelShowtime(c *fiber.Ctx) error {
	s, err := h.managedShow(c)
	if err != nil {
		return err
	}
	err = booking.CheckCancel(s.Live(), h.clock.Now())
	if err == nil && c.FormValue("confirm") != "1" {
		err = booking.Invalid("confirm", "Tick the box to confirm that the show is cancelled and everyone refunded.")
	}
	if err != nil {
		p, perr := h.cancelPageOf(c, s)
		if perr != nil {
			return perr
		}
		p.Error = booking.ErrorMessage(err)
		return render(c, statusOf(booking.ErrorCode(err)), views.ShowtimeCancel(h.pageMeta(c, "Cancel a show", "manage"), p))
	}
	res, err := h.after.CancelShowtime(c.UserContext(), s.ID)
	if err != nil {
		return err
	}
	h.sales.ShowChanged(s.ID)
	after, err := h.db.ProgrammeShowByID(c.UserContext(), s.ID)
	if err != nil {
		return err
	}
	h.audit(c, "showtime.cancel", "showtime:"+strconv.FormatInt(s.ID, 10), map[string]any{
		"before": auditShow(s), "after": auditShow(after), "refunded": res.Orders, "failed": res.Failed,
		"pending": res.Pending, "problems": res.Problems})
	msg := fmt.Sprintf("The show is cancelled. %d orders refunded", res.Orders)
	if res.Pending > 0 {
		msg += fmt.Sprintf(" (%d refunds still being sent)", res.Pending)
	}
	if res.Failed > 0 {
		msg += fmt.Sprintf("; %d refunds were refused by the provider and need the box office", res.Failed)
	}
	if len(res.Problems) > 0 {
		msg += ". Problems: " + strings.Join(res.Problems, "; ")
	}
	h.sessionOf(c).SetFlash(msg + ".")
	return c.Redirect("/manage/showtimes/"+strconv.FormatInt(s.ID, 10)+"/affected?done=cancelled", fiber.StatusSeeOther)
}

func (h *Handler) affectedRows(c *fiber.Ctx, s db.ProgrammeShow) ([]views.AffectedRow, error) {
	os, err := h.db.ShowtimeAffected(c.UserContext(), s.ID)
	if err != nil {
		return nil, err
	}
	loc := s.Location()
	rows := make([]views.AffectedRow, 0, len(os))
	for _, o := range os {
		r := views.AffectedRow{Code: o.Code, Email: o.Email, Status: booking.StatusText(o.Status), Seats: o.Seats,
			Cancelled: o.Cancelled, Refunds: o.Refunds}
		if o.RefundedCents > 0 {
			r.Refunded = views.Money(o.RefundedCents)
		}
		switch {
		case o.Notice != "" && o.NoticeSentAt != nil:
			r.Notice = o.Notice + ", sent " + views.Day(*o.NoticeSentAt, loc) + " " + views.Clock(*o.NoticeSentAt, loc)
		case o.Notice != "":
			r.Notice = o.Notice + ", queued"
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// showtimeAffected is who a cancel or move affected: GET /manage/showtimes/:id/affected.
func (h *Handler) showtimeAffected(c *fiber.Ctx) error {
	s, err := h.managedShow(c)
	if err != nil {
		return err
	}
	rows, err := h.affectedRows(c, s)
	if err != nil {
		return err
	}
	p := views.AffectedPage{Show: summaryOf(s), Done: c.Query("done"), Rows: rows}
	return render(c, fiber.StatusOK, views.ShowtimeAffected(h.pageMeta(c, "Who was affected", "manage"), p))
}
