package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
)

// The box office's theatre: staff work at the theatres they belong to
// (h.scope); the board and the door open on the account's home theatre
// (users.home_theatre_id, chosen with the switcher: POST /boxoffice/theatre),
// else the first of theirs. ?theatre=ID looks at another of theirs without
// changing the home theatre. Sales, look-ups, check-ins and refunds of a
// theatre the user doesn't belong to are refused (403).

// boxTheatre returns the theatre the box office works at for this request
// (asked: a theatre id typed in the query or form, "" for the home theatre)
// and the theatres the user may switch to. A fresh installation without
// theatres gives the zero theatre.
func (h *Handler) boxTheatre(c *fiber.Ctx, asked string) (booking.Theatre, []booking.Theatre, error) {
	ctx := c.UserContext()
	all, err := h.db.Theatres(ctx)
	if err != nil {
		return booking.Theatre{}, nil, err
	}
	s, err := h.scope(c)
	if err != nil {
		return booking.Theatre{}, nil, err
	}
	var mine []booking.Theatre
	for _, t := range all {
		if s.Allows(t.ID) {
			mine = append(mine, t)
		}
	}
	if len(all) == 0 {
		return booking.Theatre{}, nil, nil
	}
	if len(mine) == 0 {
		return booking.Theatre{}, nil, booking.Errorf(booking.EFORBIDDEN, "You don't work at any theatre yet: ask an administrator to add you to one.")
	}
	var want int64
	if asked = strings.TrimSpace(asked); asked != "" && asked != "0" {
		id, err := strconv.ParseInt(asked, 10, 64)
		if err != nil {
			return booking.Theatre{}, nil, BadQuery("theatre", "theatre must be a theatre id.")
		}
		known := false
		for _, t := range all {
			known = known || t.ID == id
		}
		if !known {
			return booking.Theatre{}, nil, booking.Errorf(booking.ENOTFOUND, "No such theatre.")
		}
		if err := s.Check(id); err != nil {
			return booking.Theatre{}, nil, err
		}
		want = id
	} else if u := h.currentUser(c); u != nil {
		if want, err = h.db.HomeTheatre(ctx, u.ID); err != nil {
			return booking.Theatre{}, nil, err
		}
	}
	for _, t := range mine {
		if t.ID == want {
			return t, mine, nil
		}
	}
	return mine[0], mine, nil
}

// setBoxTheatre: POST /boxoffice/theatre — the switcher: the chosen theatre
// becomes the account's home theatre (audited), then back to the board or door.
func (h *Handler) setBoxTheatre(c *fiber.Ctx) error {
	t, _, err := h.boxTheatre(c, c.FormValue("theatre"))
	if err != nil {
		return err
	}
	u := h.currentUser(c)
	before, err := h.db.SetHomeTheatre(c.UserContext(), u.ID, t.ID)
	if err != nil {
		return err
	}
	if before != t.ID {
		h.audit(c, "boxoffice.home_theatre", strconv.FormatInt(u.ID, 10), map[string]any{"before": before, "after": t.ID})
	}
	to := "/boxoffice"
	if c.FormValue("back") == "door" {
		to = "/boxoffice/door"
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// orderInScope returns the order in the path when the user works at its theatre (403 otherwise).
func (h *Handler) orderInScope(c *fiber.Ctx) (booking.Order, error) {
	ctx := c.UserContext()
	code := strings.ToUpper(c.Params("code"))
	theatre, err := h.db.OrderTheatre(ctx, code)
	if err != nil {
		return booking.Order{}, err
	}
	if err := h.requireTheatre(c, theatre); err != nil {
		return booking.Order{}, err
	}
	return h.db.OrderByCode(ctx, code)
}

// scopeTheatres is the user's scope as a list for queries (nil: every theatre).
func (h *Handler) scopeTheatres(c *fiber.Ctx) ([]int64, error) {
	s, err := h.scope(c)
	if err != nil {
		return nil, err
	}
	if s.All {
		return nil, nil
	}
	if s.Theatres == nil {
		return []int64{}, nil
	}
	return s.Theatres, nil
}

// changeSeats: POST /boxoffice/orders/:code/seats — from="F12 F13" to="G5
// G6": the order's sold seats move within the showtime through the sales
// service (the same claims as any sale: never a seat someone else has);
// audited with before and after. The moved seats' tickets are new: reprint.
func (h *Handler) changeSeats(c *fiber.Ctx) error {
	o, err := h.orderInScope(c)
	if err != nil {
		return err
	}
	split := func(s string) []string {
		return strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool { return r == ' ' || r == ',' })
	}
	from, to := split(copyForm(c, "from")), split(copyForm(c, "to"))
	moves, err := h.sales.ChangeSeats(c.UserContext(), o, from, to)
	if err != nil {
		return err
	}
	before, after := make([]string, len(moves)), make([]string, len(moves))
	for i, m := range moves {
		before[i], after[i] = m.From.Label(), m.To.Label()
	}
	h.audit(c, "boxoffice.seats_changed", o.Code, map[string]any{"before": before, "after": after})
	h.sessionOf(c).SetFlash("Seats changed: " + strings.Join(before, " ") + " → " + strings.Join(after, " ") + ". Print the new tickets; the old ones no longer admit.")
	return c.Redirect("/boxoffice/orders/"+o.Code, fiber.StatusSeeOther)
}
