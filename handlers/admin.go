package handlers

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/db"
	"marquee/views"
)

// Administration: users and roles, staff invitations, the audit log. Every
// route sits in the /admin group, behind requireRole(admin); every change is
// written to the audit log.

func (h *Handler) adminUsers(c *fiber.Ctx) error {
	f := db.UserFilter{Query: copyQuery(c, "q"), Role: booking.Role(copyQuery(c, "role")), Limit: 100}
	if f.Role != "" && !f.Role.Valid() {
		return BadQuery("role", "Unknown role.")
	}
	users, total, err := h.db.ListUsers(c.UserContext(), f)
	if err != nil {
		return err
	}
	p := views.AdminUsersPage{Users: users, Total: total, Query: f.Query, Role: string(f.Role), SelfID: h.currentUser(c).ID}
	return render(c, fiber.StatusOK, views.AdminUsers(h.pageMeta(c, "Users", "admin"), p))
}

func (h *Handler) adminSetRole(c *fiber.Ctx) error {
	me := h.currentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	role, err := booking.ParseRole(copyForm(c, "role"))
	if err != nil {
		return err
	}
	if id == me.ID {
		return booking.Invalid("role", "You can't change your own role; ask another administrator.")
	}
	ctx := c.UserContext()
	target, err := h.db.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if target.Role == role { // nothing changes: nothing to audit
		h.sessionOf(c).SetFlash(target.Email + " is already " + strings.ToLower(views.RoleLabel(role)) + ".")
		return c.Redirect("/admin", fiber.StatusSeeOther)
	}
	old, err := h.db.SetRole(ctx, id, role)
	if err != nil {
		return err
	}
	h.audit(c, "user.role_changed", target.Email, map[string]any{"from": old, "to": role})
	h.sessionOf(c).SetFlash(target.Email + " is now " + strings.ToLower(views.RoleLabel(role)) + ".")
	return c.Redirect("/admin", fiber.StatusSeeOther)
}

func (h *Handler) adminInvitePage(c *fiber.Ctx) error {
	return h.renderInvite(c, fiber.StatusOK, views.AdminInvitePage{Role: string(booking.RoleStaff)})
}

func (h *Handler) renderInvite(c *fiber.Ctx, status int, p views.AdminInvitePage) error {
	open, err := h.db.OpenInvitations(c.UserContext())
	if err != nil {
		return err
	}
	if p.Theatres == nil {
		if p.Theatres, err = h.db.Theatres(c.UserContext()); err != nil {
			return err
		}
	}
	p.Open = open
	return render(c, status, views.AdminInvite(h.pageMeta(c, "Invite staff", "admin"), p))
}

func (h *Handler) adminInvite(c *fiber.Ctx) error {
	p := views.AdminInvitePage{Email: booking.NormalizeEmail(copyForm(c, "email")), Role: copyForm(c, "role")}
	theatres, err := h.db.Theatres(c.UserContext())
	if err != nil {
		return err
	}
	ticked, terrs := h.parseTheatres(c, theatres) // the invited member of staff's theatres
	p.Theatres, p.Member = theatres, map[int64]bool{}
	for _, id := range ticked {
		p.Member[id] = true
	}
	if len(terrs) > 0 {
		p.Errors = terrs
		return h.renderInvite(c, fiber.StatusUnprocessableEntity, p)
	}
	role, err := booking.ParseRole(p.Role)
	if err == nil && role == booking.RoleCustomer {
		err = booking.Invalid("role", "Invite to a staff role: box office, manager or administrator.")
	}
	if err == nil {
		err = booking.ValidateEmail(p.Email)
	}
	if err != nil {
		errs, ok := formErrors(err, "")
		if !ok {
			return err
		}
		p.Errors = errs
		return h.renderInvite(c, fiber.StatusUnprocessableEntity, p)
	}
	if role == booking.RoleAdmin {
		ticked = nil // administrators work at every theatre
	}
	me := h.currentUser(c)
	token, err := h.db.CreateInvitation(c.UserContext(), p.Email, role, me.ID, ticked...)
	if err != nil {
		return err
	}
	d := views.MailLink{Link: h.link("/invite", token),
		Extra: displayName(me) + " invited you to join Marquee as " + strings.ToLower(views.RoleLabel(role)) + "."}
	h.sendMail(c, p.Email, "You're invited to Marquee", views.InviteMailText(d), views.InviteMailHTML(d))
	h.audit(c, "staff.invited", p.Email, map[string]any{"role": role, "theatres": nonNilIDs(ticked)})
	return h.renderInvite(c, fiber.StatusOK, views.AdminInvitePage{Role: string(booking.RoleStaff), Sent: p.Email})
}

func (h *Handler) adminAudit(c *fiber.Ctx) error {
	const pageSize = 100
	f := booking.AuditFilter{
		Actor: copyQuery(c, "actor"), Action: copyQuery(c, "action"), Subject: copyQuery(c, "subject"),
		Limit: pageSize,
	}
	p := views.AdminAuditPage{From: copyQuery(c, "from"), To: copyQuery(c, "to")}
	var err error
	if p.From != "" {
		if f.From, err = time.Parse(time.DateOnly, p.From); err != nil {
			return BadQuery("from", "Use a date like 2026-11-25.")
		}
	}
	if p.To != "" {
		if f.To, err = time.Parse(time.DateOnly, p.To); err != nil {
			return BadQuery("to", "Use a date like 2026-11-25.")
		}
		f.To = f.To.AddDate(0, 0, 1) // inclusive
	}
	if v := c.Query("offset"); v != "" {
		if f.Offset, err = strconv.Atoi(v); err != nil || f.Offset < 0 {
			return BadQuery("offset", "offset must be a whole number.")
		}
	}
	entries, total, err := h.db.AuditLog(c.UserContext(), f)
	if err != nil {
		return err
	}
	p.Entries, p.Total, p.Filter = entries, total, f
	if f.Offset+len(entries) < total {
		q := url.Values{}
		for k, v := range map[string]string{"actor": f.Actor, "action": f.Action, "subject": f.Subject, "from": p.From, "to": p.To} {
			if v != "" {
				q.Set(k, v)
			}
		}
		q.Set("offset", strconv.Itoa(f.Offset+pageSize))
		p.Next = q.Encode()
	}
	return render(c, fiber.StatusOK, views.AdminAudit(h.pageMeta(c, "Audit log", "admin"), p))
}

// The manager area's landing page; its features arrive with later issues
// (the box office: boxoffice.go).

// devMail shows the captured e-mail (development only; 404 in production or
// with a real mailer).
func (h *Handler) devMail(c *fiber.Ctx) error {
	mb, ok := h.mailer.(mailbox)
	if h.cfg.Production || !ok {
		return fiber.ErrNotFound
	}
	var msgs []views.MailMessage
	for _, m := range mb.Messages() {
		msgs = append(msgs, views.MailMessage{To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML, At: m.At})
	}
	return render(c, fiber.StatusOK, views.DevMail(h.meta(c, "Captured e-mail"), msgs))
}

func nonNilIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
