package handlers

import (
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/views"
)

// The manager pages' prices (/manage/prices): price cards, edited by the
// managers of the card's theatre (shared cards: administrators), and the
// ticket types every theatre shares (administrators). Every change is
// audited with before and after. Orders keep the prices they were sold at.

// --- the list and ticket types ---------------------------------------------

func (h *Handler) pricesPage(c *fiber.Ctx) error {
	return h.renderPrices(c, fiber.StatusOK, views.PricesPage{Query: copyQuery(c, "q")})
}

func (h *Handler) renderPrices(c *fiber.Ctx, status int, p views.PricesPage) error {
	ctx := c.UserContext()
	s, err := h.scope(c)
	if err != nil {
		return err
	}
	types, err := h.db.TicketTypes(ctx)
	if err != nil {
		return err
	}
	cards, err := h.db.PriceCards(ctx, s, h.clock.Now())
	if err != nil {
		return err
	}
	p.Admin = s.All
	q := strings.ToLower(strings.TrimSpace(p.Query))
	for _, t := range types {
		r := views.TicketTypeRow{TicketType: t.TicketType, Sold: t.Sold, Cards: t.Cards}
		if q == "" || strings.Contains(r.Search(), q) {
			p.TicketTypes = append(p.TicketTypes, r)
		}
	}
	for _, pc := range cards {
		r := views.PriceCardRow{ID: pc.ID, Name: pc.Name, Theatre: pc.TheatreName, Currency: pc.Currency, Format: pc.Format,
			Prices: pc.Prices, Upcoming: pc.Upcoming, Editable: booking.CanEditCard(s, pc.TheatreID) == nil}
		if q == "" || strings.Contains(r.Search(), q) {
			p.Cards = append(p.Cards, r)
		}
	}
	return render(c, status, views.ManagePrices(h.pageMeta(c, "Prices", "manage"), p))
}

// requireTypesAdmin refuses a change to the shared ticket types unless the
// user is an administrator.
func (h *Handler) requireTypesAdmin(c *fiber.Ctx) error {
	s, err := h.scope(c)
	if err != nil {
		return err
	}
	if !s.All {
		return booking.ErrTicketTypesAdmin
	}
	return nil
}

// pricesRefused answers a refused ticket type form: the list again with the
// message at the field (keys prefixed by the form's key), 422 or 409.
func (h *Handler) pricesRefused(c *fiber.Ctx, err error, key string, mod func(*views.PricesPage)) error {
	errs, ok := formErrors(err, key+".")
	if !ok {
		return err
	}
	for _, msg := range errs {
		errs[""] = msg
	}
	p := views.PricesPage{Errors: errs}
	if mod != nil {
		mod(&p)
	}
	status := fiber.StatusUnprocessableEntity
	if booking.ErrorCode(err) == booking.ECONFLICT {
		status = fiber.StatusConflict
	}
	return h.renderPrices(c, status, p)
}

// ticketTypeForm reads a ticket type's form (code: the route's, or the
// form's for a new one) and validates it.
func ticketTypeForm(c *fiber.Ctx, code string) (booking.TicketType, views.TicketTypeForm, error) {
	f := views.TicketTypeForm{Code: code, Name: copyForm(c, "name"), Sort: copyForm(c, "sort"), MaxAge: copyForm(c, "max_age"),
		ProofNote: copyForm(c, "proof_note"), Proof: c.FormValue("proof") == "yes"}
	if code == "" {
		f.Code = copyForm(c, "code")
	}
	tt := booking.TicketType{Code: strings.ToLower(strings.TrimSpace(f.Code)), Name: strings.TrimSpace(f.Name),
		ProofRequired: f.Proof, ProofNote: strings.TrimSpace(f.ProofNote)}
	if s := strings.TrimSpace(f.Sort); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return tt, f, booking.Invalid("sort", "The position is a whole number.")
		}
		tt.Sort = n
	}
	if s := strings.TrimSpace(f.MaxAge); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return tt, f, booking.Invalid("max_age", "The age is a whole number of years (empty: any age).")
		}
		tt.MaxAge = &n
	}
	return tt, f, booking.CheckTicketType(tt)
}

func (h *Handler) createTicketType(c *fiber.Ctx) error {
	if err := h.requireTypesAdmin(c); err != nil {
		return err
	}
	tt, f, err := ticketTypeForm(c, "")
	if err == nil {
		err = h.db.CreateTicketType(c.UserContext(), tt)
	}
	if err != nil {
		return h.pricesRefused(c, err, "new", func(p *views.PricesPage) { p.NewType = f })
	}
	h.audit(c, "ticket_type.created", tt.Code, map[string]any{"after": tt})
	h.sessionOf(c).SetFlash("Ticket type " + tt.Name + " added. Give it prices on the cards that sell it.")
	return c.Redirect("/manage/prices", fiber.StatusSeeOther)
}

// typeCode is the :code route parameter, copied.
func typeCode(c *fiber.Ctx) string { return strings.Clone(c.Params("code")) }

func (h *Handler) updateTicketType(c *fiber.Ctx) error {
	if err := h.requireTypesAdmin(c); err != nil {
		return err
	}
	code := typeCode(c)
	tt, f, err := ticketTypeForm(c, code)
	if err != nil {
		return h.pricesRefused(c, err, code, func(p *views.PricesPage) { p.Rows = map[string]views.TicketTypeForm{code: f} })
	}
	before, err := h.db.UpdateTicketType(c.UserContext(), tt)
	if err != nil {
		return err
	}
	tt.RetiredAt = before.RetiredAt
	if sameTicketType(before, tt) {
		h.sessionOf(c).SetFlash("Nothing changed.")
	} else {
		h.audit(c, "ticket_type.updated", code, map[string]any{"before": before, "after": tt})
		h.sessionOf(c).SetFlash("Ticket type " + tt.Name + " saved.")
	}
	return c.Redirect("/manage/prices", fiber.StatusSeeOther)
}

func sameTicketType(a, b booking.TicketType) bool {
	age := func(p *int) int {
		if p == nil {
			return -1
		}
		return *p
	}
	return a.Code == b.Code && a.Name == b.Name && a.Sort == b.Sort && a.ProofRequired == b.ProofRequired &&
		a.ProofNote == b.ProofNote && age(a.MaxAge) == age(b.MaxAge)
}

func (h *Handler) retireTicketType(c *fiber.Ctx) error  { return h.setRetired(c, true) }
func (h *Handler) restoreTicketType(c *fiber.Ctx) error { return h.setRetired(c, false) }

func (h *Handler) setRetired(c *fiber.Ctx, retire bool) error {
	if err := h.requireTypesAdmin(c); err != nil {
		return err
	}
	code := typeCode(c)
	var at *time.Time
	action, msg := "ticket_type.restored", " is sold again."
	if retire {
		now := h.clock.Now()
		at, action, msg = &now, "ticket_type.retired", " is retired: no longer sold; orders keep it."
	}
	before, err := h.db.SetTicketTypeRetired(c.UserContext(), code, at)
	if err != nil {
		return err
	}
	h.audit(c, action, code, map[string]any{"before": map[string]any{"retiredAt": before.RetiredAt}, "after": map[string]any{"retiredAt": at}})
	h.sessionOf(c).SetFlash(before.Name + msg)
	return c.Redirect("/manage/prices", fiber.StatusSeeOther)
}

// errConfirm refuses a destructive action whose box wasn't ticked.
var errConfirm = booking.Invalid("confirm", "Tick the box to confirm: this can't be undone.")

func (h *Handler) deleteTicketType(c *fiber.Ctx) error {
	if err := h.requireTypesAdmin(c); err != nil {
		return err
	}
	code := typeCode(c)
	if c.FormValue("confirm") != "yes" {
		return h.pricesRefused(c, errConfirm, code, nil)
	}
	before, err := h.db.DeleteTicketType(c.UserContext(), code)
	if err != nil {
		return h.pricesRefused(c, err, code, nil)
	}
	h.audit(c, "ticket_type.deleted", code, map[string]any{"before": before})
	h.sessionOf(c).SetFlash("Ticket type " + before.Name + " deleted.")
	return c.Redirect("/manage/prices", fiber.StatusSeeOther)
}

// --- price cards -------------------------------------------------------------

// cardID is the :id route parameter.
func cardID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

// visibleCard loads a card the user may see: shared, or of one of their
// theatres (403 for another theatre's).
func (h *Handler) visibleCard(c *fiber.Ctx) (booking.PriceCard, booking.Scope, error) {
	id, err := cardID(c)
	if err != nil {
		return booking.PriceCard{}, booking.Scope{}, err
	}
	s, err := h.scope(c)
	if err != nil {
		return booking.PriceCard{}, s, err
	}
	pc, err := h.db.PriceCard(c.UserContext(), id)
	if err != nil {
		return pc, s, err
	}
	if pc.TheatreID != nil {
		if err := s.Check(*pc.TheatreID); err != nil {
			return pc, s, err
		}
	}
	return pc, s, nil
}

func (h *Handler) priceCardPage(c *fiber.Ctx) error {
	pc, s, err := h.visibleCard(c)
	if err != nil {
		return err
	}
	p, err := h.cardPage(c, s, pc, false)
	if err != nil {
		return err
	}
	p.Cells = cellsOf(pc.Prices)
	return h.renderCard(c, fiber.StatusOK, p)
}

func (h *Handler) newPriceCardPage(c *fiber.Ctx) error {
	s, err := h.scope(c)
	if err != nil {
		return err
	}
	pc := booking.PriceCard{Currency: "usd", DayParts: booking.DefaultDayPartRules()}
	p, err := h.cardPage(c, s, pc, true)
	if err != nil {
		return err
	}
	if len(p.Theatres) == 0 && !p.SharedOK {
		return booking.ErrOtherTheatre
	}
	return h.renderCard(c, fiber.StatusOK, p)
}

// cardPage is the editor of pc as stored (or a new card's defaults): its
// ticket types (every one that sells, and any with a price on the card,
// so that saving never drops a price) and columns (seat kinds, the zones of
// its theatre's seats and of its prices, a new zone).
func (h *Handler) cardPage(c *fiber.Ctx, s booking.Scope, pc booking.PriceCard, isNew bool) (views.PriceCardPage, error) {
	ctx := c.UserContext()
	p := views.PriceCardPage{New: isNew, ID: pc.ID, Name: pc.Name, Currency: pc.Currency, Format: pc.Format,
		MatineeEnds: views.ClockInput(pc.DayParts.MatineeEnds), Weekend: map[time.Weekday]bool{},
		Editable: isNew || booking.CanEditCard(s, pc.TheatreID) == nil, SharedOK: s.All, Cells: map[string]string{}}
	for _, d := range pc.DayParts.Weekend {
		p.Weekend[d] = true
	}
	theatres, err := h.db.Theatres(ctx)
	if err != nil {
		return p, err
	}
	for _, t := range theatres {
		if pc.TheatreID != nil && t.ID == *pc.TheatreID {
			p.Theatre = t.Name
		}
		if isNew && s.Allows(t.ID) {
			p.Theatres = append(p.Theatres, t)
		}
	}
	if isNew && !s.All && len(p.Theatres) > 0 {
		p.TheatreID = strconv.FormatInt(p.Theatres[0].ID, 10)
	}
	types, err := h.db.TicketTypes(ctx)
	if err != nil {
		return p, err
	}
	priced := map[string]bool{}
	zones := map[string]bool{}
	for _, pr := range pc.Prices {
		priced[pr.TicketType] = true
		if pr.Zone != "" {
			zones[pr.Zone] = true
		}
	}
	for _, t := range types {
		if t.RetiredAt == nil || priced[t.Code] {
			p.TicketTypes = append(p.TicketTypes, t.TicketType)
		}
	}
	seatZones, err := h.db.Zones(ctx, pc.TheatreID)
	if err != nil {
		return p, err
	}
	for _, z := range seatZones {
		zones[z] = true
	}
	for _, k := range booking.SeatKinds {
		p.Classes = append(p.Classes, views.PriceClass{Key: "k:" + k, Label: views.SeatKindLabel(k)})
	}
	names := make([]string, 0, len(zones))
	for z := range zones {
		names = append(names, z)
	}
	sort.Strings(names)
	for _, z := range names {
		p.Classes = append(p.Classes, views.PriceClass{Key: "z:" + z, Label: "Zone " + z})
	}
	p.Classes = append(p.Classes, views.PriceClass{Key: "new", Label: "New zone"})
	if !isNew {
		cards, err := h.db.PriceCards(ctx, s, h.clock.Now())
		if err != nil {
			return p, err
		}
		for _, l := range cards {
			if l.ID == pc.ID {
				p.Upcoming = l.Upcoming
			}
		}
	}
	return p, nil
}

func cellsOf(prices []booking.Price) map[string]string {
	cells := map[string]string{}
	for _, p := range prices {
		class := "k:" + p.SeatKind
		if p.Zone != "" {
			class = "z:" + p.Zone
		}
		cells[views.CellName(p.DayPart, p.TicketType, class)] = views.PriceInput(p.AmountCents)
	}
	return cells
}

func (h *Handler) renderCard(c *fiber.Ctx, status int, p views.PriceCardPage) error {
	title := "New price card"
	if !p.New {
		title = "Price card " + p.Name
	}
	return render(c, status, views.ManagePriceCard(h.pageMeta(c, title, "manage"), p))
}

// cardForm reads the editor's form onto pc (header and every price) and
// validates it. The typed cells come back for a refused form.
func cardForm(c *fiber.Ctx, pc booking.PriceCard) (booking.PriceCard, map[string]string, string, error) {
	pc.Name = strings.TrimSpace(copyForm(c, "name"))
	pc.Currency = strings.ToLower(strings.TrimSpace(copyForm(c, "currency")))
	pc.Format = strings.TrimSpace(copyForm(c, "format"))
	newZone := strings.TrimSpace(copyForm(c, "new_zone"))
	cells := map[string]string{}
	var firstErr error
	fail := func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	}
	if v := strings.TrimSpace(c.FormValue("matinee_ends")); v != "" {
		t, err := time.Parse("15:04", v)
		if err != nil {
			fail(booking.Invalid("card.matinee_ends", "Matinees end at a time of day, like 17:00."))
		}
		pc.DayParts.MatineeEnds = time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	} else {
		pc.DayParts.MatineeEnds = 0
	}
	pc.DayParts.Weekend = nil
	for _, v := range c.Request().PostArgs().PeekMulti("weekend") {
		d, err := strconv.Atoi(string(v))
		if err != nil || d < 0 || d > 6 {
			fail(booking.Invalid("card.weekend", "Pick weekend days from the list."))
			continue
		}
		if !slices.Contains(pc.DayParts.Weekend, time.Weekday(d)) {
			pc.DayParts.Weekend = append(pc.DayParts.Weekend, time.Weekday(d))
		}
	}
	pc.Prices = nil
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		name := string(k)
		if !strings.HasPrefix(name, "p|") {
			return
		}
		value := string(v)
		cells[name] = value
		parts := strings.SplitN(name, "|", 4)
		if len(parts) != 4 {
			fail(booking.Invalid(name, "That price field isn't one of this card's."))
			return
		}
		dp, tt, class := parts[1], parts[2], parts[3]
		if dp == "all" {
			dp = booking.DayAll
		}
		cents, ok, err := booking.ParsePrice(name, value)
		if err != nil {
			fail(err)
			return
		}
		if !ok {
			return
		}
		p := booking.Price{TicketType: tt, DayPart: dp, AmountCents: cents}
		switch {
		case strings.HasPrefix(class, "k:"):
			p.SeatKind = strings.TrimPrefix(class, "k:")
		case strings.HasPrefix(class, "z:"):
			p.Zone = strings.TrimPrefix(class, "z:")
		case class == "new" && newZone == "":
			fail(booking.Invalid("card.new_zone", "Name the new zone its prices are for (the zone set on the seats)."))
			return
		case class == "new":
			p.Zone = newZone
		default:
			fail(booking.Invalid(name, "That price field isn't one of this card's."))
			return
		}
		pc.Prices = append(pc.Prices, p)
	})
	if firstErr != nil {
		return pc, cells, newZone, firstErr
	}
	if err := booking.CheckPriceCard(pc); err != nil {
		var de *booking.Error
		if errors.As(err, &de) && de.Field != "prices" {
			de = booking.Invalid("card."+de.Field, "%s", de.Message)
			return pc, cells, newZone, de
		}
		return pc, cells, newZone, err
	}
	return pc, cells, newZone, nil
}

// cardRefused answers a refused card form with the form as typed: 422
// (409 for a name taken or a card in use).
func (h *Handler) cardRefused(c *fiber.Ctx, err error, p views.PriceCardPage) error {
	errs, ok := formErrors(err, "")
	if !ok {
		return err
	}
	for k, msg := range errs {
		label := ""
		if strings.HasPrefix(k, "p|") {
			label = cellLabel(k) + ": "
		}
		errs[""] = label + msg
	}
	p.Errors = errs
	status := fiber.StatusUnprocessableEntity
	if booking.ErrorCode(err) == booking.ECONFLICT {
		status = fiber.StatusConflict
	}
	return h.renderCard(c, status, p)
}

// cellLabel names a price field for an error message: "adult, standard, weekend".
func cellLabel(field string) string {
	parts := strings.SplitN(field, "|", 4)
	if len(parts) != 4 {
		return "A price"
	}
	class := strings.TrimPrefix(strings.TrimPrefix(parts[3], "k:"), "z:")
	if parts[3] == "new" {
		class = "new zone"
	}
	return parts[2] + ", " + class + ", " + booking.DayPartLabel(strings.TrimPrefix(parts[1], "all"))
}

// cardAudit is how a card is written to the audit log.
func cardAudit(pc booking.PriceCard) map[string]any {
	weekend := make([]string, 0, len(pc.DayParts.Weekend))
	for _, d := range pc.DayParts.Weekend {
		weekend = append(weekend, d.String())
	}
	return map[string]any{"name": pc.Name, "currency": pc.Currency, "format": pc.Format, "theatreId": pc.TheatreID,
		"matineeEnds": views.ClockInput(pc.DayParts.MatineeEnds), "weekend": weekend, "prices": pc.Prices}
}

func cardSubject(pc booking.PriceCard) string {
	return "price card " + strconv.FormatInt(pc.ID, 10) + " (" + pc.Name + ")"
}

func (h *Handler) savePriceCard(c *fiber.Ctx) error {
	before, s, err := h.visibleCard(c)
	if err != nil {
		return err
	}
	if err := booking.CanEditCard(s, before.TheatreID); err != nil {
		return err
	}
	pc, cells, newZone, err := cardForm(c, before)
	if err == nil {
		before, err = h.db.SavePriceCard(c.UserContext(), pc, h.clock.Now())
	}
	if err != nil {
		p, perr := h.cardPage(c, s, pc, false)
		if perr != nil {
			return perr
		}
		p.Cells, p.NewZone = cells, newZone
		return h.cardRefused(c, err, p)
	}
	h.audit(c, "price_card.updated", cardSubject(pc), map[string]any{"before": cardAudit(before), "after": cardAudit(pc)})
	h.sessionOf(c).SetFlash("Price card " + pc.Name + " saved. New sales use these prices; orders already made keep theirs.")
	return c.Redirect("/manage/prices/cards/"+strconv.FormatInt(pc.ID, 10), fiber.StatusSeeOther)
}

func (h *Handler) createPriceCard(c *fiber.Ctx) error {
	s, err := h.scope(c)
	if err != nil {
		return err
	}
	var pc booking.PriceCard
	theatre := strings.TrimSpace(c.FormValue("theatre"))
	if theatre != "" {
		id, err := strconv.ParseInt(theatre, 10, 64)
		if err != nil || id <= 0 {
			return booking.Invalid("theatre", "Choose a theatre from the list.")
		}
		pc.TheatreID = &id
	}
	if err := booking.CanEditCard(s, pc.TheatreID); err != nil {
		return err
	}
	if pc.TheatreID != nil {
		if _, err := h.db.TheatreByID(c.UserContext(), *pc.TheatreID); err != nil {
			return err
		}
	}
	pc, cells, newZone, err := cardForm(c, pc)
	if err == nil {
		pc.ID, err = h.db.CreatePriceCard(c.UserContext(), pc, h.clock.Now())
	}
	if err != nil {
		p, perr := h.cardPage(c, s, pc, true)
		if perr != nil {
			return perr
		}
		p.Cells, p.NewZone, p.TheatreID = cells, newZone, theatre
		return h.cardRefused(c, err, p)
	}
	h.audit(c, "price_card.created", cardSubject(pc), map[string]any{"after": cardAudit(pc)})
	h.sessionOf(c).SetFlash("Price card " + pc.Name + " created.")
	return c.Redirect("/manage/prices/cards/"+strconv.FormatInt(pc.ID, 10), fiber.StatusSeeOther)
}

func (h *Handler) deletePriceCard(c *fiber.Ctx) error {
	pc, s, err := h.visibleCard(c)
	if err != nil {
		return err
	}
	if err := booking.CanEditCard(s, pc.TheatreID); err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		err = errConfirm
	} else {
		err = h.db.DeletePriceCard(c.UserContext(), pc.ID)
	}
	if err != nil {
		p, perr := h.cardPage(c, s, pc, false)
		if perr != nil {
			return perr
		}
		p.Cells = cellsOf(pc.Prices)
		return h.cardRefused(c, err, p)
	}
	h.audit(c, "price_card.deleted", cardSubject(pc), map[string]any{"before": cardAudit(pc)})
	h.sessionOf(c).SetFlash("Price card " + pc.Name + " deleted.")
	return c.Redirect("/manage/prices", fiber.StatusSeeOther)
}
