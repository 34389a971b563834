package handlers

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/db"
	"marquee/views"
)

// Cash-up (/boxoffice/drawer, /manage/cashup): a member of staff opens a
// drawer session at a till of their theatre with a float; cash sales and
// cash refunds are refused without one; closing with the cash counted shows
// the expected cash and the difference, on a summary that prints on 80 mm
// receipt printers. Managers see every session of their theatres. Opening
// and closing are audited.

// drawerPage: GET /boxoffice/drawer — the open drawer (totals so far, the
// close form) or the form to open one at the box office's theatre.
func (h *Handler) drawerPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := h.currentUser(c)
	v := views.DrawerView{}
	d, ok, err := h.db.OpenDrawerOf(ctx, u.ID)
	if err != nil {
		return err
	}
	if ok {
		v.Open = &d
	} else {
		cur, mine, err := h.boxTheatre(c, c.Query("theatre"))
		if err != nil {
			return err
		}
		v.Theatre, v.Theatres = cur, mine
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return render(c, fiber.StatusOK, views.DrawerPage(h.pageMeta(c, "Cash-up", "boxoffice"), v))
}

// openDrawer: POST /boxoffice/drawer/open — theatre, till, float.
func (h *Handler) openDrawer(c *fiber.Ctx) error {
	t, _, err := h.boxTheatre(c, c.FormValue("theatre"))
	if err != nil {
		return err
	}
	if t.ID == 0 {
		return booking.Errorf(booking.ENOTFOUND, "No theatre to open a drawer at yet.")
	}
	float := int64(0)
	if s := c.FormValue("float"); strings.TrimSpace(s) != "" {
		if float, err = booking.ParseCents("float", s); err != nil {
			return err
		}
	}
	u := h.currentUser(c)
	n, err := booking.CheckNewDrawer(booking.NewDrawer{TheatreID: t.ID, Till: copyForm(c, "till"), StaffUserID: u.ID, FloatCents: float, Now: h.clock.Now()})
	if err != nil {
		return err
	}
	d, err := h.db.OpenDrawer(c.UserContext(), n)
	if err != nil {
		return err
	}
	h.audit(c, "cashup.open", strconv.FormatInt(d.ID, 10), map[string]any{"after": map[string]any{"theatre": d.TheatreID, "till": d.Till, "float_cents": d.FloatCents}})
	h.sessionOf(c).SetFlash("Drawer " + d.Till + " open with a float of " + views.Money(d.FloatCents) + ".")
	return c.Redirect("/boxoffice/drawer", fiber.StatusSeeOther)
}

// closeDrawer: POST /boxoffice/drawer/close — the cash counted (and a note);
// confirm=1 is the form's "yes, close" box. Then the summary, to print.
func (h *Handler) closeDrawer(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := h.currentUser(c)
	d, ok, err := h.db.OpenDrawerOf(ctx, u.ID)
	if err != nil {
		return err
	}
	if !ok {
		return booking.Errorf(booking.ECONFLICT, "You have no drawer open.")
	}
	if c.FormValue("confirm") != "1" {
		return booking.Invalid("confirm", "Tick the box to confirm closing the drawer.")
	}
	counted, err := booking.ParseCents("counted", c.FormValue("counted"))
	if err != nil {
		return err
	}
	note := strings.TrimSpace(copyForm(c, "note"))
	closed, err := h.db.CloseDrawer(ctx, d.ID, u.ID, counted, note, h.clock.Now(), func(locked booking.DrawerSession) error {
		return booking.CheckDrawerClose(locked, counted, note)
	})
	if err != nil {
		return err
	}
	h.audit(c, "cashup.close", strconv.FormatInt(closed.ID, 10), map[string]any{
		"before": map[string]any{"open": true},
		"after": map[string]any{"expected_cents": closed.Expected(), "counted_cents": counted, "difference_cents": closed.Difference(),
			"cash_sales_cents": closed.CashSalesCents, "cash_refunds_cents": closed.CashRefundsCents, "note": note}})
	return c.Redirect("/boxoffice/drawer/"+strconv.FormatInt(closed.ID, 10)+"?closed=1", fiber.StatusSeeOther)
}

// drawerSummary: GET /boxoffice/drawer/:id — one session's summary: its own
// member of staff, or a manager (admin) of its theatre.
func (h *Handler) drawerSummary(c *fiber.Ctx) error {
	d, err := h.drawerInScope(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return render(c, fiber.StatusOK, views.DrawerSummaryPage(h.pageMeta(c, "Drawer "+d.Till, "boxoffice"),
		views.DrawerSummary{D: d, Closed: c.Query("closed") == "1"}))
}

// manageDrawerSummary: GET /manage/cashup/:id — the same, under the manager pages.
func (h *Handler) manageDrawerSummary(c *fiber.Ctx) error {
	d, err := h.drawerInScope(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return render(c, fiber.StatusOK, views.DrawerSummaryPage(h.pageMeta(c, "Drawer "+d.Till, "manage"),
		views.DrawerSummary{D: d, Manage: true}))
}

func (h *Handler) drawerInScope(c *fiber.Ctx) (booking.DrawerSession, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return booking.DrawerSession{}, fiber.ErrNotFound
	}
	d, err := h.db.Drawer(c.UserContext(), id)
	if err != nil {
		return d, err
	}
	u := h.currentUser(c)
	if d.StaffUserID == u.ID {
		return d, nil
	}
	if !u.Role.AtLeast(booking.RoleManager) {
		return booking.DrawerSession{}, booking.Errorf(booking.EFORBIDDEN, "This is another member of staff's drawer: a manager can see it.")
	}
	return d, h.requireTheatre(c, d.TheatreID)
}

// manageCashup: GET /manage/cashup?q=&theatre=&from=&to= — every drawer
// session of the manager's theatres (admins: all), searchable by staff or
// till, between two days (default: the last 7).
func (h *Handler) manageCashup(c *fiber.Ctx) error {
	theatres, err := h.scopeTheatres(c)
	if err != nil {
		return err
	}
	v := views.CashupView{Query: strings.TrimSpace(copyQuery(c, "q"))}
	if s := c.Query("theatre"); s != "" && s != "0" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return BadQuery("theatre", "theatre must be a theatre id.")
		}
		if err := h.requireTheatre(c, id); err != nil {
			return err
		}
		theatres, v.TheatreID = []int64{id}, id
	}
	now := h.clock.Now()
	to := now.Add(24 * time.Hour)
	from := now.AddDate(0, 0, -7)
	if s := c.Query("from"); s != "" {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return BadQuery("from", "from must be a date like 2026-11-25.")
		}
		from = t
	}
	if s := c.Query("to"); s != "" {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return BadQuery("to", "to must be a date like 2026-11-25.")
		}
		to = t.AddDate(0, 0, 1)
	}
	v.From, v.To = from.Format("2006-01-02"), to.AddDate(0, 0, -1).Format("2006-01-02")
	all, err := h.db.Theatres(c.UserContext())
	if err != nil {
		return err
	}
	s, _ := h.scope(c)
	for _, t := range all {
		if s.Allows(t.ID) {
			v.Theatres = append(v.Theatres, t)
		}
	}
	v.Sessions, err = h.db.DrawerSessions(c.UserContext(), db.DrawerFilter{Theatres: theatres, Query: v.Query, From: from, To: to})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return render(c, fiber.StatusOK, views.ManageCashupPage(h.pageMeta(c, "Cash-up", "manage"), v))
}
