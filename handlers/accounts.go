package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/mail"
	"marquee/views"
)

// mailbox is a mailer that keeps what it "sent" (the capture mailer), shown at /dev/mail.
type mailbox interface {
	Messages() []mail.Message
}

// Locals keys of the accounts area.
const (
	localAccount = "marquee.account" // *booking.User signed in by cookie session, set by loadUser
	localAPIUser = "marquee.apiuser" // *booking.User authenticated by bearer token, set by apiUser
)

func (h *Handler) initAccounts(d Deps) {
	h.mailer = d.Mailer
	h.mail = mail.NewComposer(h.mailer, h.clock.Now)
	h.pw = d.Config.Passwords
	if h.pw.Memory == 0 {
		h.pw = booking.DefaultPasswordParams
	}
	h.limits = DefaultRateLimits()
	if d.Config.Limits != nil {
		h.limits = *d.Config.Limits
	}
	dummy, err := booking.HashPassword(randomToken(16), h.pw)
	if err != nil {
		panic(err) // only fails on invalid parameters, fixed at start-up
	}
	h.dummyPW = dummy
	h.proxies = parseProxies(d.Config.TrustedProxies)
}

func parseProxies(list []string) []*net.IPNet {
	var out []*net.IPNet
	for _, p := range list {
		if !strings.Contains(p, "/") {
			if ip := net.ParseIP(p); ip != nil && ip.To4() != nil {
				p += "/32"
			} else {
				p += "/128"
			}
		}
		if _, n, err := net.ParseCIDR(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func (h *Handler) trusted(ip net.IP) bool {
	for _, n := range h.proxies {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// clientIP is the address rate limits count against. Behind trusted proxies
// it is the right-most X-Forwarded-For entry that isn't one of them: the
// left part of the header is whatever the client sent, so it can't be used
// (Fiber's h.clientIP(c) would return it). Otherwise it is the peer address.
func (h *Handler) clientIP(c *fiber.Ctx) string {
	peer := c.Context().RemoteIP()
	if len(h.proxies) == 0 || !h.trusted(peer) {
		return peer.String()
	}
	parts := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(parts) - 1; i >= 0; i-- {
		ip := net.ParseIP(strings.TrimSpace(parts[i]))
		if ip == nil {
			break
		}
		if !h.trusted(ip) {
			return ip.String()
		}
	}
	return peer.String()
}

// hasSessionCookie reports whether the request carries a session cookie at all.
func hasSessionCookie(c *fiber.Ctx) bool { return c.Cookies(sessionCookie) != "" }

// loadUser puts the signed-in user in c.Locals for handlers (localAccount)
// and the layout (localUser). Requests without a session cookie stay
// database-free and cookie-free; static assets are skipped. A session whose
// user is gone, deleted or has a newer session version is signed out.
func (h *Handler) loadUser(c *fiber.Ctx) error {
	if !hasSessionCookie(c) || strings.HasPrefix(c.Path(), "/static/") {
		return c.Next()
	}
	s := h.sessionOf(c)
	uid := s.UserID()
	if uid == 0 {
		return c.Next()
	}
	u, err := h.db.UserByID(c.UserContext(), uid)
	switch {
	case booking.ErrorCode(err) == booking.ENOTFOUND:
		s.LogOut()
		return c.Next()
	case err != nil:
		return err
	case u.SessionVersion != s.Version():
		s.LogOut()
		return c.Next()
	}
	c.Locals(localAccount, u)
	c.Locals(localUser, &views.UserInfo{Name: displayName(u), Role: string(u.Role)})
	h.csrf(c) // the header's sign-out form needs it
	return c.Next()
}

func displayName(u *booking.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

// currentUser returns the signed-in user, nil for a guest.
func (h *Handler) currentUser(c *fiber.Ctx) *booking.User {
	u, _ := c.Locals(localAccount).(*booking.User)
	return u
}

// requireRole is the one middleware per area: guests are sent to sign in
// (pages) or get 401 (other requests); signed-in users below role get 403.
func (h *Handler) requireRole(role booking.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := h.currentUser(c)
		if u == nil {
			if c.Method() == fiber.MethodGet && !isHTMX(c) && !isAPI(c) {
				return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
			}
			return booking.ErrSignInRequired
		}
		if !u.Role.AtLeast(role) {
			return booking.ErrStaffOnly
		}
		return c.Next()
	}
}

// apiUser authenticates an "Authorization: Bearer <token>" request against
// the personal API tokens. It returns nil, nil when the request has no bearer
// token (a guest), and an EUNAUTHORIZED error (401 problem JSON) when the
// token is unknown or revoked.
func (h *Handler) apiUser(c *fiber.Ctx) (*booking.User, error) {
	if u, ok := c.Locals(localAPIUser).(*booking.User); ok {
		return u, nil
	}
	if !isBearer(c) {
		return nil, nil
	}
	token := strings.TrimSpace(c.Get(fiber.HeaderAuthorization)[7:])
	u, err := h.db.UserByAPIToken(c.UserContext(), token)
	if booking.ErrorCode(err) == booking.ENOTFOUND || token == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="marquee", error="invalid_token"`)
		return nil, booking.Errorf(booking.EUNAUTHORIZED, "The API token is invalid or has been revoked.")
	}
	if err != nil {
		return nil, err
	}
	c.Locals(localAPIUser, u)
	return u, nil
}

// requireAPIUser is middleware for API routes that need a bearer token.
func (h *Handler) requireAPIUser(c *fiber.Ctx) error {
	u, err := h.apiUser(c)
	if err != nil {
		return err
	}
	if u == nil {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="marquee"`)
		return booking.Errorf(booking.EUNAUTHORIZED, "This endpoint needs an API token: send Authorization: Bearer <token>.")
	}
	return c.Next()
}

// audit writes an audit log line for the signed-in user's action. A failure
// is logged, never shown: the action itself already happened.
func (h *Handler) audit(c *fiber.Ctx, action, subject string, data any) {
	e := booking.AuditEntry{At: h.clock.Now(), Action: action, Subject: subject, RequestID: requestID(c)}
	if u := h.currentUser(c); u != nil {
		id := u.ID
		e.ActorID, e.ActorEmail = &id, u.Email
	}
	if err := h.db.Audit(c.UserContext(), e, data); err != nil {
		h.log.Error("audit", "request_id", requestID(c), "action", action, "err", err)
	}
}

// sendMail composes an account e-mail (mail.Composer) and sends it.
// Failures are logged: the page the user sees must not depend on whether
// mail went out (no enumeration, no internals).
func (h *Handler) sendMail(c *fiber.Ctx, to, subject string, text, htmlBody templ.Component) {
	if err := h.mail.Send(c.UserContext(), to, subject, text, htmlBody); err != nil {
		h.log.Error("send e-mail", "request_id", requestID(c), "subject", subject, "err", err)
	}
}

// link builds an absolute link to path with a token query parameter.
func (h *Handler) link(path, token string) string {
	return h.cfg.BaseURL + path + "?token=" + url.QueryEscape(token)
}

// pageMeta is meta plus a CSRF token for the page's forms.
func (h *Handler) pageMeta(c *fiber.Ctx, title, nav string) views.Meta {
	h.csrf(c)
	m := h.meta(c, title)
	m.Nav = nav
	return m
}

// formErrors returns the field errors in err (EINVALID, ECONFLICT with a
// field) keyed prefix+field, or ok false when err is another kind of error.
func formErrors(err error, prefix string) (views.FormErrors, bool) {
	var de *booking.Error
	if !errors.As(err, &de) {
		return nil, false
	}
	switch de.Code {
	case booking.EINVALID, booking.ECONFLICT:
		return views.FormErrors{prefix + de.Field: de.Message}, true
	}
	return nil, false
}

// safeNext keeps a post-login redirect on this site: a path, never //host or a scheme.
// Control characters and backslashes are refused anywhere: browsers drop tabs
// and newlines from URLs ("/\t/evil.example" becomes "//evil.example"), read
// "\\" as "/", and a raw CR/LF would split the Location header.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return ""
	}
	for i := 0; i < len(next); i++ {
		if b := next[i]; b < 0x20 || b == 0x7f || b == '\\' {
			return ""
		}
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return next
}

// --- rate limits ---

// Limit allows Max hits per Window.
type Limit struct {
	Max    int
	Window time.Duration
}

// RateLimits are the limits of the sensitive endpoints, per client IP and per
// account (e-mail address or user). Counters live in PostgreSQL
// (rate_limits), so every instance behind a load balancer shares them. The IP
// is clientIP, which believes X-Forwarded-For only from Config.TrustedProxies.
//
// Sign-in counts failures only, never successes: LoginIP bounds the failed
// sign-ins from one IP, whatever the account (429 past Max in Window); per
// IP and account, LoginAccount.Max failures are free, then each attempt
// waits twice as long as the last (1 s, 2 s, 4 s …, at most
// LoginAccount.Window) after the previous failure: guessing slows down, and
// an owner signing in from their own address is never locked out by failures
// from elsewhere. A success forgets that IP and account's failures.
// PasswordCheck bounds the wrong current passwords per signed-in user on the
// account page (its own counter).
type RateLimits struct {
	LoginIP, LoginAccount Limit
	// LoginAnyIP slows the guessing of one account from many addresses: its
	// free failures from all IPs together, then the same doubling delay.
	// The owner, slowed down too, is offered an e-mailed sign-in link.
	LoginAnyIP                  Limit
	PasswordCheck               Limit
	RegisterIP, RegisterAccount Limit
	ResetIP, ResetAccount       Limit
	OrderIP, OrderAccount       Limit
	// HoldIP bounds the seats held per client IP and showtime in a window
	// (seat clicks and best-N seats alike; staff are not counted), so one
	// client with many cookies can't hold a show hostage.
	HoldIP Limit
}

// DefaultRateLimits are the production limits.
func DefaultRateLimits() RateLimits {
	return RateLimits{
		LoginIP:         Limit{30, 15 * time.Minute},
		LoginAccount:    Limit{5, 15 * time.Minute},
		LoginAnyIP:      Limit{50, time.Hour},
		PasswordCheck:   Limit{10, 15 * time.Minute},
		RegisterIP:      Limit{10, time.Hour},
		RegisterAccount: Limit{3, time.Hour}, // each attempt e-mails the address
		ResetIP:         Limit{10, time.Hour},
		ResetAccount:    Limit{3, time.Hour},
		OrderIP:         Limit{60, 10 * time.Minute},
		OrderAccount:    Limit{30, 10 * time.Minute},
		HoldIP:          Limit{30, 10 * time.Minute},
	}
}

// maxRateKey bounds the key part of a rate-limit counter; longer keys are hashed.
const maxRateKey = 256

// rateLimit counts a hit on "name:key" and returns an ETOOMANY error (429)
// once the limit is passed. A zero limit is off.
func (h *Handler) rateLimit(c *fiber.Ctx, name, key string, l Limit) error {
	if l.Max <= 0 || key == "" {
		return nil
	}
	key = strings.ToLower(key)
	if len(key) > maxRateKey { // unvalidated input (a sign-in address): keep the stored key small
		sum := sha256.Sum256([]byte(key))
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	hits, err := h.db.HitRateLimit(c.UserContext(), name+":"+key, l.Window)
	if err != nil {
		return err
	}
	if hits > l.Max {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(l.Window.Seconds())))
		return booking.Errorf(booking.ETOOMANY, "Too many attempts. Please wait %s and try again.", waitText(l.Window))
	}
	return nil
}

// signInKey is the counter of failed sign-ins from one IP to one account.
func signInKey(ip, email string) string {
	k := strings.ToLower(ip + "|" + email)
	if len(k) > maxRateKey {
		sum := sha256.Sum256([]byte(k))
		k = "sha256:" + hex.EncodeToString(sum[:])
	}
	return "login:fail:" + k
}

// signInDelay is how long after the last of failures an attempt must wait
// (RateLimits: free failures, then doubling up to the window).
func signInDelay(failures int, l Limit) time.Duration {
	over := failures - l.Max
	if l.Max <= 0 || over <= 0 {
		return 0
	}
	if over > 20 {
		return l.Window
	}
	return min(time.Second<<(over-1), l.Window)
}

// checkSignIn counts a sign-in attempt before it is made and refuses it (429)
// from an IP past its failures, or to an account this IP failed on too
// recently (the progressive delay). Counting first, atomically, is what stops
// a burst of concurrent guesses from all passing one check; signedIn takes
// the count back when the attempt succeeds, so only failures stay counted.
func (h *Handler) checkSignIn(c *fiber.Ctx, email string) error {
	ctx := c.UserContext()
	ipKey := "login:ip:" + strings.ToLower(h.clientIP(c))
	if l := h.limits.LoginIP; l.Max > 0 {
		hits, err := h.db.HitRateLimit(ctx, ipKey, l.Window)
		if err != nil {
			return err
		}
		if hits > l.Max {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(l.Window.Seconds())))
			return booking.Errorf(booking.ETOOMANY, "Too many attempts. Please wait %s and try again.", waitText(l.Window))
		}
	}
	if email == "" {
		return nil
	}
	// Not made: neither an attempt of this IP's nor one on the account.
	notMade := func(anyIP bool) error {
		if h.limits.LoginIP.Max > 0 {
			if err := h.db.UnhitRateLimit(ctx, ipKey); err != nil {
				return err
			}
		}
		if anyIP {
			return h.db.UnhitRateLimit(ctx, anyIPKey(email))
		}
		return nil
	}
	var wait time.Duration
	if a := h.limits.LoginAnyIP; a.Max > 0 {
		w, err := h.db.ClaimAttempt(ctx, anyIPKey(email), a.Window, func(n int) time.Duration { return signInDelay(n, a) })
		if err != nil {
			return err
		}
		if w > 0 {
			if err := notMade(false); err != nil {
				return err
			}
			wait = w
		}
	}
	if l := h.limits.LoginAccount; wait == 0 && l.Max > 0 {
		w, err := h.db.ClaimAttempt(ctx, signInKey(h.clientIP(c), email), l.Window, func(n int) time.Duration { return signInDelay(n, l) })
		if err != nil {
			return err
		}
		if w > 0 {
			if err := notMade(h.limits.LoginAnyIP.Max > 0); err != nil {
				return err
			}
			wait = w
		}
	}
	if wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
		return booking.Errorf(booking.ETOOMANY, "Too many attempts. Please wait %d seconds and try again.", secs)
	}
	return nil
}

// signedIn takes back what checkSignIn counted for an attempt that succeeded.
func (h *Handler) signedIn(c *fiber.Ctx, email string) error {
	ctx := c.UserContext()
	if h.limits.LoginIP.Max > 0 {
		if err := h.db.UnhitRateLimit(ctx, "login:ip:"+strings.ToLower(h.clientIP(c))); err != nil {
			return err
		}
	}
	if h.limits.LoginAnyIP.Max > 0 { // the others' failures on the account stay counted
		if err := h.db.UnhitRateLimit(ctx, anyIPKey(email)); err != nil {
			return err
		}
	}
	return h.db.ForgetFailures(ctx, signInKey(h.clientIP(c), email))
}

// anyIPKey is the counter of sign-in failures on an account from every IP.
func anyIPKey(email string) string { return signInKey("*", email) }

// limitHolds refuses (429, with a plain message) a hold of n more seats of
// a showtime from the client's IP past RateLimits.HoldIP (holdlimit.go);
// countHolds counts the seats once they are held. Staff are not counted.
func (h *Handler) limitHolds(c *fiber.Ctx, showtimeID int64, n int) error {
	l := h.limits.HoldIP
	if l.Max <= 0 || h.holdExempt(c) {
		return nil
	}
	if h.holds.held(h.clientIP(c), showtimeID, h.clock.Now(), l.Window)+n > l.Max {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(l.Window.Seconds())))
		return booking.Errorf(booking.ETOOMANY, "So many seats of this showtime have been held from your connection that we can't hold more for now. Book the seats you have, or try again in %s.", waitText(l.Window))
	}
	return nil
}

func (h *Handler) countHolds(c *fiber.Ctx, showtimeID int64, n int) {
	if l := h.limits.HoldIP; l.Max > 0 && !h.holdExempt(c) {
		h.holds.add(h.clientIP(c), showtimeID, n, h.clock.Now(), l.Window)
	}
}

func (h *Handler) holdExempt(c *fiber.Ctx) bool {
	u := h.currentUser(c)
	return u != nil && u.Role.AtLeast(booking.RoleStaff)
}

func waitText(d time.Duration) string {
	if d >= time.Hour {
		return "an hour"
	}
	return strconv.Itoa(int(d.Minutes())) + " minutes"
}

// limitOrders is middleware for the routes that create orders (web checkout
// and POST /api/v1/orders): per IP and per account (signed-in or API user).
func (h *Handler) limitOrders(c *fiber.Ctx) error {
	if err := h.rateLimit(c, "order:ip", h.clientIP(c), h.limits.OrderIP); err != nil {
		return err
	}
	u := h.currentUser(c)
	if u == nil && isBearer(c) {
		var err error
		if u, err = h.apiUser(c); err != nil {
			return err
		}
	}
	if u != nil {
		if err := h.rateLimit(c, "order:user", strconv.FormatInt(u.ID, 10), h.limits.OrderAccount); err != nil {
			return err
		}
	}
	return c.Next()
}

// PruneRateLimits deletes rate-limit counters older than a day; main runs it periodically.
func (h *Handler) PruneRateLimits(ctx context.Context) error {
	_, err := h.db.PruneRateLimits(ctx, h.clock.Now().Add(-24*time.Hour))
	return err
}
