package handlers

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/db"
	"marquee/views"
)

// The business settings (admins only, in the /admin group): the cinema's
// (/admin/settings) and each theatre's (/admin/theatres/:id). A bad field
// gets its own message (422) and nothing is saved; a saved change is in the
// audit log with before and after, and in force on every instance at once
// (the settings store reloads from NOTIFY).

// adminSettingsPage: GET /admin/settings.
func (h *Handler) adminSettingsPage(c *fiber.Ctx) error {
	cs, err := h.db.CinemaSettings(c.UserContext())
	if err != nil {
		return err
	}
	p := views.AdminSettingsPage{Form: cinemaForm(cs)}
	return render(c, fiber.StatusOK, views.AdminSettings(h.pageMeta(c, "Settings", "admin"), p))
}

// adminSaveSettings: POST /admin/settings.
func (h *Handler) adminSaveSettings(c *fiber.Ctx) error {
	f := readCinemaForm(c)
	s, errs := parseCinemaForm(f)
	var before booking.CinemaSettings
	if len(errs) == 0 {
		var err error
		before, err = h.settings.SaveCinema(c.UserContext(), s)
		if fe, ok := booking.FieldErrors(err); ok {
			errs = fe
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		p := views.AdminSettingsPage{Form: f, Errors: errs}
		return render(c, fiber.StatusUnprocessableEntity, views.AdminSettings(h.pageMeta(c, "Settings", "admin"), p))
	}
	return h.settingsSaved(c, "settings.cinema_changed", "cinema", [2]any{cinemaForm(before), cinemaForm(s)}, "/admin/settings")
}

// settingsSaved audits a change (unless nothing changed) and goes back to the page.
func (h *Handler) settingsSaved(c *fiber.Ctx, action, subject string, change [2]any, back string) error {
	if reflect.DeepEqual(change[0], change[1]) {
		h.sessionOf(c).SetFlash("Nothing changed.")
		return c.Redirect(back, fiber.StatusSeeOther)
	}
	h.audit(c, action, subject, map[string]any{"before": change[0], "after": change[1]})
	h.sessionOf(c).SetFlash("Saved. The change applies everywhere now.")
	return c.Redirect(back, fiber.StatusSeeOther)
}

// adminTheatres: GET /admin/theatres?q=.
func (h *Handler) adminTheatres(c *fiber.Ctx) error {
	ts, err := h.db.TheatreSettingsAll(c.UserContext()) // the truth, not the snapshot: a page, not a hot path
	if err != nil {
		return err
	}
	q := strings.ToLower(strings.TrimSpace(copyQuery(c, "q")))
	p := views.AdminTheatresPage{Query: q}
	for _, t := range ts {
		if q == "" || strings.Contains(strings.ToLower(t.Name+" "+t.City+" "+t.Slug), q) {
			p.Theatres = append(p.Theatres, t)
		}
	}
	return render(c, fiber.StatusOK, views.AdminTheatres(h.pageMeta(c, "Theatres", "admin"), p))
}

func (h *Handler) theatreParam(c *fiber.Ctx) (booking.TheatreSettings, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return booking.TheatreSettings{}, fiber.ErrNotFound
	}
	ts, err := h.db.TheatreSettingsAll(c.UserContext())
	if err != nil {
		return booking.TheatreSettings{}, err
	}
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	return booking.TheatreSettings{}, booking.Errorf(booking.ENOTFOUND, "No such theatre.")
}

// adminTheatrePage: GET /admin/theatres/:id.
func (h *Handler) adminTheatrePage(c *fiber.Ctx) error {
	t, err := h.theatreParam(c)
	if err != nil {
		return err
	}
	p := views.AdminTheatrePage{ID: t.ID, Slug: t.Slug, Form: theatreForm(t), Cinema: cinemaForm(h.settings.Cinema())}
	return render(c, fiber.StatusOK, views.AdminTheatre(h.pageMeta(c, t.Name, "admin"), p))
}

// adminSaveTheatre: POST /admin/theatres/:id.
func (h *Handler) adminSaveTheatre(c *fiber.Ctx) error {
	cur, err := h.theatreParam(c)
	if err != nil {
		return err
	}
	f := readTheatreForm(c)
	t, errs := parseTheatreForm(f)
	t.ID, t.Slug = cur.ID, cur.Slug
	var before booking.TheatreSettings
	if len(errs) == 0 {
		before, err = h.settings.SaveTheatre(c.UserContext(), t)
		if fe, ok := booking.FieldErrors(err); ok {
			errs = fe
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		p := views.AdminTheatrePage{ID: cur.ID, Slug: cur.Slug, Form: f, Cinema: cinemaForm(h.settings.Cinema()), Errors: errs}
		return render(c, fiber.StatusUnprocessableEntity, views.AdminTheatre(h.pageMeta(c, cur.Name, "admin"), p))
	}
	back := "/admin/theatres/" + strconv.FormatInt(t.ID, 10)
	return h.settingsSaved(c, "settings.theatre_changed", t.Slug, [2]any{theatreForm(before), theatreForm(t)}, back)
}

// --- forms ---

func minutes(d time.Duration) string { return strconv.FormatInt(int64(d/time.Minute), 10) }

// cents writes an amount of cents as the forms take it: "1.50".
func cents(n int64) string {
	return strconv.FormatInt(n/100, 10) + "." + strconv.FormatInt(n%100+100, 10)[1:]
}

func cinemaForm(s booking.CinemaSettings) views.CinemaSettingsForm {
	return views.CinemaSettingsForm{
		HoldMinutes: minutes(s.HoldLength), MaxSeats: strconv.Itoa(s.MaxSeatsPerCart), BookingFee: cents(s.BookingFeeCents),
		CancelOnline: !s.Cancel.Disabled, CancelCutoffMinutes: minutes(s.Cancel.Cutoff), CancelFee: cents(s.Cancel.FeeCents),
		CancelFeePercent: strconv.FormatInt(s.Cancel.FeePercent, 10), CancelRefundFee: s.Cancel.RefundBookingFee,
		TicketPerOrder: s.TicketPerOrder, ReminderMinutes: minutes(s.ReminderBefore),
		TrailersMinutes: minutes(s.Programme.Trailers), CleaningMinutes: minutes(s.Programme.Cleaning),
		DayEndsHour: strconv.Itoa(int(s.Reports.BusinessDayEnds / time.Hour)), WeekStarts: strconv.Itoa(int(s.Reports.FilmWeekStarts)),
	}
}

func readCinemaForm(c *fiber.Ctx) views.CinemaSettingsForm {
	v := func(k string) string { return strings.TrimSpace(copyForm(c, k)) }
	return views.CinemaSettingsForm{
		HoldMinutes: v("hold_minutes"), MaxSeats: v("max_seats"), BookingFee: v("booking_fee"),
		CancelOnline: c.FormValue("cancel_online") != "", CancelCutoffMinutes: v("cancel_cutoff_minutes"),
		CancelFee: v("cancel_fee"), CancelFeePercent: v("cancel_fee_percent"), CancelRefundFee: c.FormValue("cancel_refund_booking_fee") != "",
		TicketPerOrder: c.FormValue("ticket_per_order") != "", ReminderMinutes: v("reminder_minutes"),
		TrailersMinutes: v("trailers_minutes"), CleaningMinutes: v("cleaning_minutes"),
		DayEndsHour: v("day_ends_hour"), WeekStarts: v("week_starts"),
	}
}

// formParser reads typed values out of form strings, one message per bad field.
type formParser struct{ errs views.FormErrors }

func (p *formParser) whole(field, s, msg string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > 1_000_000 {
		p.errs[field] = msg
		return 0
	}
	return n
}

// money reads "12", "12.5" or "12.50" (a leading currency sign allowed) as cents.
func (p *formParser) money(field, s string) int64 {
	s = strings.TrimLeft(s, "$€£ ")
	whole, frac, _ := strings.Cut(s, ".")
	ok := whole != "" && len(frac) <= 2 && len(whole) <= 7
	for _, r := range whole + frac {
		ok = ok && r >= '0' && r <= '9'
	}
	if !ok {
		p.errs[field] = "Write an amount such as 1.50."
		return 0
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	frac += strings.Repeat("0", 2-len(frac))
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f
}

func (p *formParser) mins(field, s, msg string) time.Duration {
	return time.Duration(p.whole(field, s, msg)) * time.Minute
}

// merge adds the validation errors of err for fields without a parse error.
func (p *formParser) merge(err error) {
	fe, _ := booking.FieldErrors(err)
	for k, v := range fe {
		if _, ok := p.errs[k]; !ok {
			p.errs[k] = v
		}
	}
}

func parseCancel(p *formParser, online bool, cutoff, fee, percent string, refundFee bool) booking.CancelPolicy {
	return booking.CancelPolicy{
		Disabled: !online,
		Cutoff:   p.mins("cancel_cutoff_minutes", cutoff, "Write a number of minutes, e.g. 120."),
		FeeCents: p.money("cancel_fee", fee), FeePercent: p.whole("cancel_fee_percent", percent, "Write a whole percentage, e.g. 10."),
		RefundBookingFee: refundFee,
	}
}

// parseCinemaForm reads the form; errs has one message per bad field (parse
// and validation alike), nil when the settings may be saved.
func parseCinemaForm(f views.CinemaSettingsForm) (booking.CinemaSettings, views.FormErrors) {
	p := &formParser{errs: views.FormErrors{}}
	s := booking.CinemaSettings{
		HoldLength:      p.mins("hold_minutes", f.HoldMinutes, "Write a number of minutes, e.g. 10."),
		MaxSeatsPerCart: int(p.whole("max_seats", f.MaxSeats, "Write a whole number, e.g. 10.")),
		BookingFeeCents: p.money("booking_fee", f.BookingFee),
		Cancel:          parseCancel(p, f.CancelOnline, f.CancelCutoffMinutes, f.CancelFee, f.CancelFeePercent, f.CancelRefundFee),
		TicketPerOrder:  f.TicketPerOrder,
		ReminderBefore:  p.mins("reminder_minutes", f.ReminderMinutes, "Write a number of minutes (0: no reminders)."),
		Programme: booking.ProgrammeRules{
			Trailers: p.mins("trailers_minutes", f.TrailersMinutes, "Write a number of minutes, e.g. 20."),
			Cleaning: p.mins("cleaning_minutes", f.CleaningMinutes, "Write a number of minutes, e.g. 20."),
		},
		Reports: booking.ReportRules{
			BusinessDayEnds: time.Duration(p.whole("day_ends_hour", f.DayEndsHour, "Write an hour from 0 to 12.")) * time.Hour,
			FilmWeekStarts:  time.Weekday(p.whole("week_starts", f.WeekStarts, "Choose the day the film week starts.")),
		},
	}
	p.merge(s.Validate())
	if len(p.errs) == 0 {
		return s, nil
	}
	return s, p.errs
}

func theatreForm(t booking.TheatreSettings) views.TheatreForm {
	f := views.TheatreForm{
		Name: t.Name, City: t.City, Address: t.Address, TimeZone: t.TimeZone, Currency: t.Currency,
		TaxModel: string(t.Tax.Model), TaxRate: booking.RateInput(t.Tax.Rate),
		SellerName: t.Seller.Name, SellerAddress: t.Seller.Address, TaxID: t.Seller.VATID,
		CancelOnline: true, CancelCutoffMinutes: "120", CancelFee: "0.00", CancelFeePercent: "0",
	}
	o := t.Overrides
	if o.HoldLength != nil {
		f.HoldMinutes = minutes(*o.HoldLength)
	}
	if o.MaxSeatsPerCart != nil {
		f.MaxSeats = strconv.Itoa(*o.MaxSeatsPerCart)
	}
	if o.BookingFeeCents != nil {
		f.BookingFee = cents(*o.BookingFeeCents)
	}
	if cp := o.Cancel; cp != nil {
		f.CancelOverride, f.CancelOnline, f.CancelCutoffMinutes = true, !cp.Disabled, minutes(cp.Cutoff)
		f.CancelFee, f.CancelFeePercent, f.CancelRefundFee = cents(cp.FeeCents), strconv.FormatInt(cp.FeePercent, 10), cp.RefundBookingFee
	}
	return f
}

func readTheatreForm(c *fiber.Ctx) views.TheatreForm {
	v := func(k string) string { return strings.TrimSpace(copyForm(c, k)) }
	return views.TheatreForm{
		Name: v("name"), City: v("city"), Address: v("address"), TimeZone: v("time_zone"),
		Currency: strings.ToLower(v("currency")), TaxModel: v("tax_model"), TaxRate: v("tax_rate"),
		SellerName: v("seller_name"), SellerAddress: v("seller_address"), TaxID: v("tax_id"),
		HoldMinutes: v("hold_minutes"), MaxSeats: v("max_seats"), BookingFee: v("booking_fee"),
		CancelOverride: c.FormValue("cancel_override") != "", CancelOnline: c.FormValue("cancel_online") != "",
		CancelCutoffMinutes: v("cancel_cutoff_minutes"), CancelFee: v("cancel_fee"), CancelFeePercent: v("cancel_fee_percent"),
		CancelRefundFee: c.FormValue("cancel_refund_booking_fee") != "",
	}
}

func parseTheatreForm(f views.TheatreForm) (booking.TheatreSettings, views.FormErrors) {
	p := &formParser{errs: views.FormErrors{}}
	t := booking.TheatreSettings{
		Name: f.Name, City: f.City, Address: f.Address, TimeZone: f.TimeZone, Currency: f.Currency,
		Tax:    booking.Tax{Model: booking.TaxModel(f.TaxModel)},
		Seller: booking.Seller{Name: f.SellerName, Address: f.SellerAddress, VATID: f.TaxID},
	}
	if r, ok := booking.ParseRate(f.TaxRate); ok {
		t.Tax.Rate = r
	} else {
		p.errs["tax_rate"] = "Write the rate as a percentage, e.g. 8.875 or 20."
	}
	o := &t.Overrides
	if f.HoldMinutes != "" {
		d := p.mins("hold_minutes", f.HoldMinutes, "Write a number of minutes, or leave it empty for the cinema's.")
		o.HoldLength = &d
	}
	if f.MaxSeats != "" {
		n := int(p.whole("max_seats", f.MaxSeats, "Write a whole number, or leave it empty for the cinema's."))
		o.MaxSeatsPerCart = &n
	}
	if f.BookingFee != "" {
		n := p.money("booking_fee", f.BookingFee)
		o.BookingFeeCents = &n
	}
	if f.CancelOverride {
		cp := parseCancel(p, f.CancelOnline, f.CancelCutoffMinutes, f.CancelFee, f.CancelFeePercent, f.CancelRefundFee)
		o.Cancel = &cp
	}
	p.merge(t.Validate(func(name string) bool { _, err := time.LoadLocation(name); return err == nil }))
	if len(p.errs) == 0 {
		return t, nil
	}
	return t, p.errs
}

// --- who works where ---

// adminUserPage: GET /admin/users/:id — a member of staff's theatres and home theatre.
func (h *Handler) adminUserPage(c *fiber.Ctx) error {
	p, err := h.userPage(c)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.AdminUser(h.pageMeta(c, p.User.Email, "admin"), p))
}

func (h *Handler) userPage(c *fiber.Ctx) (views.AdminUserPage, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return views.AdminUserPage{}, fiber.ErrNotFound
	}
	ctx := c.UserContext()
	u, err := h.db.UserByID(ctx, id)
	if err != nil {
		return views.AdminUserPage{}, err
	}
	ts, err := h.db.Theatres(ctx)
	if err != nil {
		return views.AdminUserPage{}, err
	}
	a, err := h.db.StaffAssignmentOf(ctx, id)
	if err != nil {
		return views.AdminUserPage{}, err
	}
	p := views.AdminUserPage{User: *u, Theatres: ts, Member: map[int64]bool{}}
	for _, t := range a.Theatres {
		p.Member[t] = true
	}
	if a.Home != nil {
		p.Home = *a.Home
	}
	return p, nil
}

// adminSetUserTheatres: POST /admin/users/:id/theatres (theatre=ID…, home=ID).
func (h *Handler) adminSetUserTheatres(c *fiber.Ctx) error {
	p, err := h.userPage(c)
	if err != nil {
		return err
	}
	if !p.User.Role.AtLeast(booking.RoleStaff) {
		return booking.Invalid("theatre", "Only staff, managers and administrators work at theatres; change the role first.")
	}
	want, errs := h.parseTheatres(c, p.Theatres)
	var home *int64
	if v := c.FormValue("home"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !slices.Contains(want, id) {
			errs["home"] = "The home theatre must be one of the theatres ticked above."
		} else {
			home = &id
		}
	}
	if len(errs) > 0 {
		p.Errors = errs
		p.Member = map[int64]bool{}
		for _, t := range want {
			p.Member[t] = true
		}
		return render(c, fiber.StatusUnprocessableEntity, views.AdminUser(h.pageMeta(c, p.User.Email, "admin"), p))
	}
	after := assignment(want, home)
	before, err := h.db.AssignStaff(c.UserContext(), p.User.ID, after)
	if err != nil {
		return err
	}
	back := "/admin/users/" + strconv.FormatInt(p.User.ID, 10)
	if slices.Equal(before.Theatres, after.Theatres) && equalHome(before.Home, after.Home) {
		h.sessionOf(c).SetFlash("Nothing changed.")
		return c.Redirect(back, fiber.StatusSeeOther)
	}
	h.audit(c, "user.theatres_changed", p.User.Email, map[string]any{"before": before, "after": after})
	h.sessionOf(c).SetFlash("Saved: " + p.User.Email + " works at " + strconv.Itoa(len(after.Theatres)) + " theatre(s).")
	return c.Redirect(back, fiber.StatusSeeOther)
}

// parseTheatres reads the ticked theatre=ID values, each a known theatre.
func (h *Handler) parseTheatres(c *fiber.Ctx, known []booking.Theatre) ([]int64, views.FormErrors) {
	errs := views.FormErrors{}
	var ids []int64
	args := c.Request().PostArgs()
	for _, v := range args.PeekMulti("theatre") {
		id, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil || !slices.ContainsFunc(known, func(t booking.Theatre) bool { return t.ID == id }) {
			errs["theatre"] = "Tick theatres from the list."
			continue
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return slices.Compact(ids), errs
}

func assignment(theatres []int64, home *int64) db.StaffAssignment {
	if theatres == nil {
		theatres = []int64{}
	}
	return db.StaffAssignment{Theatres: theatres, Home: home}
}

func equalHome(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
