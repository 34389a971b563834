package handlers

import (
	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/views"
)

// The manager pages (/manage): movies, auditoriums and seat layouts,
// showtimes, prices, reports. Every route sits in the /manage group behind
// requireRole(manager); what a manager may change is scoped to the theatres
// they belong to (scope, requireTheatre), an admin's to every theatre. Each
// area has its own file: manage_movies.go, manage_layouts.go,
// manage_showtimes.go, manage_prices.go, reports.go.

const localScope = "marquee.scope" // booking.Scope of the signed-in staff member, set by scope

// scope returns the theatres the signed-in user may see and change (admins:
// all), read once per request.
func (h *Handler) scope(c *fiber.Ctx) (booking.Scope, error) {
	if s, ok := c.Locals(localScope).(booking.Scope); ok {
		return s, nil
	}
	u := h.currentUser(c)
	if u == nil {
		return booking.Scope{}, booking.ErrSignInRequired
	}
	var theatres []int64
	if !u.Role.AtLeast(booking.RoleAdmin) && u.Role.AtLeast(booking.RoleStaff) {
		ids, err := h.db.StaffTheatres(c.UserContext(), u.ID)
		if err != nil {
			return booking.Scope{}, err
		}
		theatres = ids
	}
	s := booking.ScopeOf(u.Role, theatres)
	c.Locals(localScope, s)
	return s, nil
}

// requireTheatre returns an EFORBIDDEN error (403) unless the signed-in user
// belongs to the theatre (admins belong to every theatre).
func (h *Handler) requireTheatre(c *fiber.Ctx, theatreID int64) error {
	s, err := h.scope(c)
	if err != nil {
		return err
	}
	return s.Check(theatreID)
}

func (h *Handler) manageHome(c *fiber.Ctx) error {
	return render(c, fiber.StatusOK, views.ManageHome(h.pageMeta(c, "Manage", "manage")))
}
