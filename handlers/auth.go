package handlers

import (
	"errors"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"marquee/booking"
	"marquee/db"
	"marquee/views"
)

// Sign-up, sign-in, sign-out and the e-mailed links (confirm, reset,
// invitation). None of them tells whether an address has an account: the
// same page and message, and a password hash computed either way.

// form returns a copy of a form value: Fiber reuses request memory, and some
// values outlive the handler (the capture mailer keeps messages).
func copyForm(c *fiber.Ctx, name string) string { return utils.CopyString(c.FormValue(name)) }

func copyQuery(c *fiber.Ctx, name string) string { return utils.CopyString(c.Query(name)) }

func (h *Handler) registerPage(c *fiber.Ctx) error {
	if h.currentUser(c) != nil {
		return c.Redirect("/account", fiber.StatusSeeOther)
	}
	return render(c, fiber.StatusOK, views.RegisterPage(h.pageMeta(c, "Create an account", "account"), views.RegisterForm{}, nil))
}

func (h *Handler) register(c *fiber.Ctx) error {
	f := views.RegisterForm{Email: booking.NormalizeEmail(copyForm(c, "email")), Name: strings.TrimSpace(copyForm(c, "name"))}
	password := copyForm(c, "password")
	if err := h.rateLimit(c, "register:ip", h.clientIP(c), h.limits.RegisterIP); err != nil {
		return err
	}
	invalid := func(err error) error {
		if errs, ok := formErrors(err, ""); ok {
			return render(c, fiber.StatusUnprocessableEntity, views.RegisterPage(h.pageMeta(c, "Create an account", "account"), f, errs))
		}
		return err
	}
	if err := booking.ValidateEmail(f.Email); err != nil {
		return invalid(err)
	}
	if err := booking.ValidateName(f.Name); err != nil {
		return invalid(err)
	}
	if err := booking.ValidatePassword(password, f.Email, f.Name); err != nil {
		return invalid(err)
	}
	if err := h.rateLimit(c, "register:acct", f.Email, h.limits.RegisterAccount); err != nil {
		return err
	}
	hash, err := booking.HashPassword(password, h.pw) // hashed in both cases below: same timing
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	u, err := h.db.CreateUser(ctx, db.NewUser{Email: f.Email, PasswordHash: hash, Name: f.Name})
	switch {
	case booking.ErrorCode(err) == booking.ECONFLICT:
		// The address has an account: tell its owner, not the visitor.
		existing, err := h.db.UserByEmail(ctx, f.Email)
		if err != nil {
			return err
		}
		token, err := h.db.CreateAccountToken(ctx, existing.ID, db.TokenReset, "", booking.ResetTokenTTL)
		if err != nil {
			return err
		}
		d := views.MailLink{Link: h.link("/reset-password", token)}
		h.sendMail(c, existing.Email, "You already have a Marquee account", views.AlreadyRegisteredMailText(d), views.AlreadyRegisteredMailHTML(d))
	case err != nil:
		return err
	default:
		if err := h.sendConfirmation(c, u); err != nil {
			return err
		}
	}
	return render(c, fiber.StatusOK, views.CheckInboxPage(h.pageMeta(c, "Check your inbox", "account"), "Check your inbox", f.Email,
		"with a link to confirm your address and finish creating your account"))
}

func (h *Handler) sendConfirmation(c *fiber.Ctx, u *booking.User) error {
	token, err := h.db.CreateAccountToken(c.UserContext(), u.ID, db.TokenConfirm, "", booking.ConfirmTokenTTL)
	if err != nil {
		return err
	}
	d := views.MailLink{Name: u.Name, Link: h.link("/confirm-email", token)}
	h.sendMail(c, u.Email, "Confirm your e-mail address", views.ConfirmMailText(d), views.ConfirmMailHTML(d))
	return nil
}

func (h *Handler) loginPage(c *fiber.Ctx) error {
	next := safeNext(copyQuery(c, "next"))
	if h.currentUser(c) != nil {
		return c.Redirect(firstNonEmpty(next, "/account"), fiber.StatusSeeOther)
	}
	return render(c, fiber.StatusOK, views.LoginPage(h.pageMeta(c, "Sign in", "account"), views.LoginForm{Next: next}, nil))
}

func (h *Handler) login(c *fiber.Ctx) error {
	f := views.LoginForm{Email: booking.NormalizeEmail(copyForm(c, "email")), Remember: copyForm(c, "remember") != "", Next: safeNext(copyForm(c, "next"))}
	password := copyForm(c, "password")
	if err := h.checkSignIn(c, f.Email); err != nil { // counts the attempt; failures stay counted: see RateLimits
		var de *booking.Error
		if errors.As(err, &de) && de.Code == booking.ETOOMANY && !isHTMX(c) {
			// Slowed down: say so, and offer the owner a way in that a guesser doesn't have.
			f.Limited = f.Email != ""
			errs := views.FormErrors{"": de.Message}
			return render(c, fiber.StatusTooManyRequests, views.LoginPage(h.pageMeta(c, "Sign in", "account"), f, errs))
		}
		return err
	}
	ctx := c.UserContext()
	u, err := h.db.UserByEmail(ctx, f.Email)
	if err != nil && booking.ErrorCode(err) != booking.ENOTFOUND {
		return err
	}
	ok := false
	if u == nil {
		booking.CheckPassword(password, h.dummyPW) // same work as for a real account
	} else {
		ok = booking.CheckPassword(password, u.PasswordHash)
	}
	if ok && !u.Confirmed() {
		// Right password, address not yet proven: send the link again, and
		// answer like any failure so registration can't be probed.
		if err := h.sendConfirmation(c, u); err != nil {
			return err
		}
		ok = false
	}
	if !ok { // counted already (checkSignIn)
		errs := views.FormErrors{"": booking.ErrBadCredentials.Message}
		return render(c, fiber.StatusUnauthorized, views.LoginPage(h.pageMeta(c, "Sign in", "account"), f, errs))
	}
	if err := h.signedIn(c, f.Email); err != nil {
		return err
	}
	h.sessionOf(c).LogIn(u.ID, u.SessionVersion, f.Remember)
	c.Locals(localAccount, u)
	if u.Role.AtLeast(booking.RoleStaff) {
		h.audit(c, "staff.login", u.Email, map[string]any{"ip": h.clientIP(c)})
	}
	return c.Redirect(firstNonEmpty(f.Next, "/"), fiber.StatusSeeOther)
}

func firstNonEmpty(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// logout ends the session on the server too: the user's session version
// moves on, so a copy of this cookie is signed out as well (and so is every
// other session of the account: sessions live in the cookie only, the
// version is what the server can revoke).
func (h *Handler) logout(c *fiber.Ctx) error {
	s := h.sessionOf(c)
	if u := h.currentUser(c); u != nil {
		if _, err := h.db.EndSessions(c.UserContext(), u.ID); err != nil {
			return err
		}
	}
	s.LogOut()
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (h *Handler) forgotPage(c *fiber.Ctx) error {
	return render(c, fiber.StatusOK, views.ForgotPage(h.pageMeta(c, "Reset your password", "account"), "", nil))
}

func (h *Handler) forgot(c *fiber.Ctx) error {
	return h.mailAccountLink(c, accountLink{
		limit: "reset", page: views.ForgotPage, title: "Reset your password", purpose: db.TokenReset,
		ttl: booking.ResetTokenTTL, path: "/reset-password", subject: "Reset your Marquee password",
		text: views.ResetMailText, html: views.ResetMailHTML, inbox: "with a link to choose a new password",
	})
}

// accountLink is an e-mailed single-use link asked for by address (password
// reset, sign-in): its page, limits, token and e-mail.
type accountLink struct {
	limit, title, purpose, path, subject, inbox string
	page                                        func(views.Meta, string, views.FormErrors) templ.Component
	ttl                                         time.Duration
	text, html                                  func(views.MailLink) templ.Component
}

// mailAccountLink e-mails a link of kind l to the address in the form. The
// answer is the same whether or not the address has an account; the sends
// are limited per IP and per address (RateLimits.ResetIP, ResetAccount).
func (h *Handler) mailAccountLink(c *fiber.Ctx, l accountLink) error {
	email := booking.NormalizeEmail(copyForm(c, "email"))
	if err := h.rateLimit(c, l.limit+":ip", h.clientIP(c), h.limits.ResetIP); err != nil {
		return err
	}
	if err := booking.ValidateEmail(email); err != nil {
		errs, _ := formErrors(err, "")
		return render(c, fiber.StatusUnprocessableEntity, l.page(h.pageMeta(c, l.title, "account"), email, errs))
	}
	if err := h.rateLimit(c, l.limit+":acct", email, h.limits.ResetAccount); err != nil {
		return err
	}
	ctx := c.UserContext()
	u, err := h.db.UserByEmail(ctx, email)
	switch {
	case booking.ErrorCode(err) == booking.ENOTFOUND:
		// Nothing to send; the answer is the same.
	case err != nil:
		return err
	default:
		token, err := h.db.CreateAccountToken(ctx, u.ID, l.purpose, "", l.ttl)
		if err != nil {
			return err
		}
		d := views.MailLink{Name: u.Name, Link: h.link(l.path, token)}
		h.sendMail(c, u.Email, l.subject, l.text(d), l.html(d))
	}
	return render(c, fiber.StatusOK, views.CheckInboxPage(h.pageMeta(c, "Check your inbox", "account"), "Check your inbox", email, l.inbox))
}

func (h *Handler) resetPage(c *fiber.Ctx) error {
	token := copyQuery(c, "token")
	if _, err := h.db.CheckAccountToken(c.UserContext(), token, db.TokenReset); err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.ResetPage(h.pageMeta(c, "Choose a new password", "account"), token, nil))
}

func (h *Handler) reset(c *fiber.Ctx) error {
	token, password := copyForm(c, "token"), copyForm(c, "password")
	if err := h.rateLimit(c, "reset:ip", h.clientIP(c), h.limits.ResetIP); err != nil {
		return err
	}
	ctx := c.UserContext()
	u, err := h.db.CheckAccountToken(ctx, token, db.TokenReset)
	if err != nil {
		return err
	}
	if err := booking.ValidatePassword(password, u.Email, u.Name); err != nil {
		errs, _ := formErrors(err, "")
		return render(c, fiber.StatusUnprocessableEntity, views.ResetPage(h.pageMeta(c, "Choose a new password", "account"), token, errs))
	}
	hash, err := booking.HashPassword(password, h.pw)
	if err != nil {
		return err
	}
	u, err = h.db.ResetPassword(ctx, token, hash)
	if err != nil {
		return err
	}
	s := h.sessionOf(c)
	s.LogIn(u.ID, u.SessionVersion, false)
	s.SetFlash("Your password has been changed. You're signed in.")
	return c.Redirect("/account", fiber.StatusSeeOther)
}

func (h *Handler) confirmEmailPage(c *fiber.Ctx) error {
	token := copyQuery(c, "token")
	if _, err := h.db.CheckAccountToken(c.UserContext(), token, db.TokenConfirm); err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.ConfirmPage(h.pageMeta(c, "Confirm your address", "account"), "Confirm your e-mail address",
		"One click to confirm your address and sign in.", "/confirm-email", token, "Confirm my address"))
}

func (h *Handler) confirmEmail(c *fiber.Ctx) error {
	u, err := h.db.ConfirmEmail(c.UserContext(), copyForm(c, "token"))
	if err != nil {
		return err
	}
	s := h.sessionOf(c)
	s.LogIn(u.ID, u.SessionVersion, false)
	s.SetFlash("Your address is confirmed. Welcome to Marquee!")
	return c.Redirect("/account", fiber.StatusSeeOther)
}

func (h *Handler) confirmEmailChangePage(c *fiber.Ctx) error {
	token := copyQuery(c, "token")
	if _, err := h.db.CheckAccountToken(c.UserContext(), token, db.TokenEmailChange); err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.ConfirmPage(h.pageMeta(c, "Confirm your new address", "account"), "Confirm your new e-mail address",
		"One click and this becomes the address of your account.", "/confirm-email-change", token, "Use this address"))
}

func (h *Handler) confirmEmailChange(c *fiber.Ctx) error {
	u, old, err := h.db.ChangeEmail(c.UserContext(), copyForm(c, "token"))
	if err != nil {
		return err
	}
	d := views.MailLink{Name: u.Name, Link: h.cfg.BaseURL + "/forgot-password",
		Extra: "The e-mail address of your Marquee account was changed to " + u.Email + "."}
	h.sendMail(c, old, "Your Marquee e-mail address was changed", views.NoticeMailText(d), views.NoticeMailHTML(d))
	s := h.sessionOf(c)
	s.SetFlash("Your e-mail address is now " + u.Email + ".")
	if s.UserID() == u.ID {
		return c.Redirect("/account", fiber.StatusSeeOther)
	}
	return c.Redirect("/login", fiber.StatusSeeOther)
}

func (h *Handler) invitePage(c *fiber.Ctx) error {
	token := copyQuery(c, "token")
	inv, err := h.db.InvitationByToken(c.UserContext(), token)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.InvitePage(h.pageMeta(c, "Join the team", "account"), inv.Email, views.RoleLabel(inv.Role), token, "", nil))
}

func (h *Handler) acceptInvite(c *fiber.Ctx) error {
	token, name, password := copyForm(c, "token"), strings.TrimSpace(copyForm(c, "name")), copyForm(c, "password")
	ctx := c.UserContext()
	inv, err := h.db.InvitationByToken(ctx, token)
	if err != nil {
		return err
	}
	err = booking.ValidateName(name)
	if err == nil {
		err = booking.ValidatePassword(password, inv.Email, name)
	}
	if err != nil {
		errs, ok := formErrors(err, "")
		if !ok {
			return err
		}
		return render(c, fiber.StatusUnprocessableEntity, views.InvitePage(h.pageMeta(c, "Join the team", "account"), inv.Email, views.RoleLabel(inv.Role), token, name, errs))
	}
	hash, err := booking.HashPassword(password, h.pw)
	if err != nil {
		return err
	}
	u, inv, err := h.db.AcceptInvitation(ctx, token, name, hash)
	if err != nil {
		return err
	}
	c.Locals(localAccount, u)
	h.audit(c, "staff.invitation_accepted", u.Email, map[string]any{"role": inv.Role})
	s := h.sessionOf(c)
	s.LogIn(u.ID, u.SessionVersion, false)
	s.SetFlash("Welcome to the team!")
	return c.Redirect("/boxoffice", fiber.StatusSeeOther)
}

// signInLinkPage asks for an address to e-mail a sign-in link to: GET /login/link.
func (h *Handler) signInLinkPage(c *fiber.Ctx) error {
	return render(c, fiber.StatusOK, views.SignInLinkPage(h.pageMeta(c, "Sign in by e-mail", "account"), "", nil))
}

// sendSignInLink e-mails a single-use sign-in link: POST /login/link. The
// owner of an account that the sign-in limits slow down (someone guessing
// its password) gets in through their inbox.
func (h *Handler) sendSignInLink(c *fiber.Ctx) error {
	return h.mailAccountLink(c, accountLink{
		limit: "signin-link", page: views.SignInLinkPage, title: "Sign in by e-mail", purpose: db.TokenSignIn,
		ttl: booking.SignInTokenTTL, path: "/login/link/use", subject: "Your Marquee sign-in link",
		text: views.SignInMailText, html: views.SignInMailHTML, inbox: "with a link that signs you in",
	})
}

// signInLinkUsePage asks for one click to use a sign-in link (mail scanners
// prefetch links): GET /login/link/use?token=…
func (h *Handler) signInLinkUsePage(c *fiber.Ctx) error {
	token := copyQuery(c, "token")
	if _, err := h.db.CheckAccountToken(c.UserContext(), token, db.TokenSignIn); err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.ConfirmPage(h.pageMeta(c, "Sign in", "account"), "Sign in to Marquee",
		"One click to sign in on this device.", "/login/link/use", token, "Sign in"))
}

// useSignInLink signs in with a sign-in link: POST /login/link/use. The
// failures counted against this address from here are forgotten: its owner
// proved who they are.
func (h *Handler) useSignInLink(c *fiber.Ctx) error {
	u, err := h.db.UseSignInLink(c.UserContext(), copyForm(c, "token"))
	if err != nil {
		return err
	}
	if err := h.db.ForgetFailures(c.UserContext(), signInKey(h.clientIP(c), u.Email)); err != nil {
		return err
	}
	h.sessionOf(c).LogIn(u.ID, u.SessionVersion, false)
	c.Locals(localAccount, u)
	if u.Role.AtLeast(booking.RoleStaff) {
		h.audit(c, "staff.login", u.Email, map[string]any{"ip": h.clientIP(c), "by": "e-mailed link"})
	}
	return c.Redirect("/account", fiber.StatusSeeOther)
}
