package handlers

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/db"
	"marquee/views"
)

// The profile page and what its forms post. Every route here sits in the
// /account group, behind requireRole(customer): there is always a user.

func (h *Handler) accountData(c *fiber.Ctx, u *booking.User) (views.AccountPage, error) {
	ctx := c.UserContext()
	theatres, err := h.db.Theatres(ctx)
	if err != nil {
		return views.AccountPage{}, err
	}
	tokens, err := h.db.APITokens(ctx, u.ID)
	if err != nil {
		return views.AccountPage{}, err
	}
	return views.AccountPage{
		User: u, Theatres: theatres, Tokens: tokens,
		Profile: booking.Profile{Name: u.Name, Phone: u.Phone, PreferredTheatreID: u.PreferredTheatreID, MarketingOptOut: u.MarketingOptOut},
	}, nil
}

func (h *Handler) renderAccount(c *fiber.Ctx, status int, p views.AccountPage) error {
	return render(c, status, views.AccountView(h.pageMeta(c, "Your account", "account"), p))
}

// accountInvalid re-renders the page with err shown at its field (keyed
// section.field), or returns err when it isn't a form error.
func (h *Handler) accountInvalid(c *fiber.Ctx, section string, err error, edit func(*views.AccountPage)) error {
	errs, ok := formErrors(err, section+".")
	if !ok {
		return err
	}
	p, derr := h.accountData(c, h.currentUser(c))
	if derr != nil {
		return derr
	}
	p.Errors = errs
	if edit != nil {
		edit(&p)
	}
	return h.renderAccount(c, fiber.StatusUnprocessableEntity, p)
}

func (h *Handler) accountPage(c *fiber.Ctx) error {
	p, err := h.accountData(c, h.currentUser(c))
	if err != nil {
		return err
	}
	return h.renderAccount(c, fiber.StatusOK, p)
}

func (h *Handler) saveProfile(c *fiber.Ctx) error {
	u := h.currentUser(c)
	p := booking.Profile{
		Name:            strings.TrimSpace(copyForm(c, "name")),
		Phone:           strings.TrimSpace(copyForm(c, "phone")),
		MarketingOptOut: copyForm(c, "marketing_opt_out") != "",
	}
	keep := func(ap *views.AccountPage) { ap.Profile = p }
	if v := copyForm(c, "preferred_theatre"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			_, err = h.db.TheatreByID(c.UserContext(), id)
		}
		if err != nil {
			return h.accountInvalid(c, "profile", booking.Invalid("theatre", "Choose a theatre from the list."), keep)
		}
		p.PreferredTheatreID = &id
	}
	if err := p.Validate(); err != nil {
		return h.accountInvalid(c, "profile", err, keep)
	}
	if err := h.db.UpdateProfile(c.UserContext(), u.ID, p); err != nil {
		return err
	}
	h.sessionOf(c).SetFlash("Your profile is saved.")
	return c.Redirect("/account", fiber.StatusSeeOther)
}

// checkCurrentPassword verifies the signed-in user's password. Wrong ones
// are counted per user (RateLimits.PasswordCheck), apart from sign-in, so a
// stolen session can't be used to guess it and guessing here doesn't slow
// the owner's sign-in.
func (h *Handler) checkCurrentPassword(c *fiber.Ctx, u *booking.User, pw, field string) error {
	l := h.limits.PasswordCheck
	key := "password:user:" + strconv.FormatInt(u.ID, 10)
	if l.Max > 0 {
		hits, err := h.db.RateLimitHits(c.UserContext(), key, l.Window)
		if err != nil {
			return err
		}
		if hits >= l.Max {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(l.Window.Seconds())))
			return booking.Errorf(booking.ETOOMANY, "Too many attempts. Please wait %s and try again.", waitText(l.Window))
		}
	}
	if !booking.CheckPassword(pw, u.PasswordHash) {
		if l.Max > 0 {
			if _, err := h.db.HitRateLimit(c.UserContext(), key, l.Window); err != nil {
				return err
			}
		}
		return &booking.Error{Code: booking.EINVALID, Message: booking.ErrWrongPassword.Message, Field: field}
	}
	return nil
}

func (h *Handler) changePassword(c *fiber.Ctx) error {
	u := h.currentUser(c)
	current, next := copyForm(c, "current_password"), copyForm(c, "new_password")
	if err := h.checkCurrentPassword(c, u, current, "current_password"); err != nil {
		return h.accountInvalid(c, "password", err, nil)
	}
	if err := booking.ValidatePassword(next, u.Email, u.Name); err != nil {
		return h.accountInvalid(c, "password", booking.Invalid("new_password", "%s", booking.ErrorMessage(err)), nil)
	}
	hash, err := booking.HashPassword(next, h.pw)
	if err != nil {
		return err
	}
	v, err := h.db.SetPassword(c.UserContext(), u.ID, hash)
	if err != nil {
		return err
	}
	s := h.sessionOf(c)
	// Other sessions end (newer version); this one goes on with a fresh token.
	s.LogIn(u.ID, v, s.Remembered())
	s.SetFlash("Your password is changed. Other devices have been signed out.")
	d := views.MailLink{Name: u.Name, Link: h.cfg.BaseURL + "/forgot-password", Extra: "The password of your Marquee account was just changed."}
	h.sendMail(c, u.Email, "Your Marquee password was changed", views.NoticeMailText(d), views.NoticeMailHTML(d))
	return c.Redirect("/account", fiber.StatusSeeOther)
}

func (h *Handler) changeEmail(c *fiber.Ctx) error {
	u := h.currentUser(c)
	email, current := booking.NormalizeEmail(copyForm(c, "email")), copyForm(c, "current_password")
	keep := func(ap *views.AccountPage) { ap.NewEmail = email }
	if err := booking.ValidateEmail(email); err != nil {
		return h.accountInvalid(c, "email", err, keep)
	}
	if strings.EqualFold(email, u.Email) {
		return h.accountInvalid(c, "email", booking.Invalid("email", "That is already your address."), keep)
	}
	if err := h.checkCurrentPassword(c, u, current, "current_password"); err != nil {
		return h.accountInvalid(c, "email", err, keep)
	}
	// Whether another account has the address is only checked when the link
	// is used, so this form can't be used to probe addresses.
	token, err := h.db.CreateAccountToken(c.UserContext(), u.ID, db.TokenEmailChange, email, booking.EmailChangeTokenTTL)
	if err != nil {
		return err
	}
	d := views.MailLink{Name: u.Name, Link: h.link("/confirm-email-change", token)}
	h.sendMail(c, email, "Confirm your new e-mail address", views.EmailChangeMailText(d), views.EmailChangeMailHTML(d))
	h.sessionOf(c).SetFlash("We've sent a link to " + email + ". Your address changes when you open it.")
	return c.Redirect("/account", fiber.StatusSeeOther)
}

func (h *Handler) deleteAccount(c *fiber.Ctx) error {
	u := h.currentUser(c)
	if err := h.checkCurrentPassword(c, u, copyForm(c, "password"), "password"); err != nil {
		return h.accountInvalid(c, "delete", err, nil)
	}
	if err := h.db.DeleteUser(c.UserContext(), u.ID); err != nil {
		return err
	}
	h.audit(c, "account.deleted", "user "+strconv.FormatInt(u.ID, 10), nil)
	h.sessionOf(c).LogOut()
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (h *Handler) createToken(c *fiber.Ctx) error {
	u := h.currentUser(c)
	name := strings.TrimSpace(copyForm(c, "name"))
	if name == "" || utf8.RuneCountInString(name) > 60 {
		return h.accountInvalid(c, "token", booking.Invalid("name", "Give the token a name of 1 to 60 characters."), nil)
	}
	// A token outlives the session: only the password (not a copied cookie) makes one.
	if err := h.checkCurrentPassword(c, u, copyForm(c, "password"), "password"); err != nil {
		return h.accountInvalid(c, "token", err, nil)
	}
	plain, t, err := h.db.CreateAPIToken(c.UserContext(), u.ID, name)
	if err != nil {
		return err
	}
	if u.Role.AtLeast(booking.RoleStaff) {
		h.audit(c, "api_token.created", u.Email, map[string]any{"name": name, "prefix": t.Prefix})
	}
	p, err := h.accountData(c, u)
	if err != nil {
		return err
	}
	p.NewToken, p.NewTokenName = plain, name
	c.Set(fiber.HeaderCacheControl, "no-store")
	return h.renderAccount(c, fiber.StatusCreated, p)
}

func (h *Handler) revokeToken(c *fiber.Ctx) error {
	u := h.currentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	t, err := h.db.RevokeAPIToken(c.UserContext(), u.ID, id)
	if err != nil {
		return err
	}
	if u.Role.AtLeast(booking.RoleStaff) {
		h.audit(c, "api_token.revoked", u.Email, map[string]any{"name": t.Name, "prefix": t.Prefix})
	}
	h.sessionOf(c).SetFlash("The token “" + t.Name + "” is revoked.")
	return c.Redirect("/account", fiber.StatusSeeOther)
}

// endOtherSessions is "sign out everywhere": every session of the account
// ends but this one, which takes the new session version.
func (h *Handler) endOtherSessions(c *fiber.Ctx) error {
	u := h.currentUser(c)
	v, err := h.db.EndSessions(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	s := h.sessionOf(c)
	s.SetVersion(v)
	s.SetFlash("You are signed out everywhere else.")
	return c.Redirect("/account", fiber.StatusSeeOther)
}
