package handlers

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/sessions"
)

// Sessions live entirely in a signed and encrypted cookie (gorilla/sessions
// CookieStore): no server-side state, so any instance behind a load balancer
// can serve any request. Cookies hold ids only (user id, cart id, CSRF token),
// never objects, to stay far below 4 KB.
//
// A session is decoded lazily, the first time a handler asks for it, and the
// cookie is written back only when something changed: anonymous browsing of
// the programme never sets or rewrites a cookie.

const sessionCookie = "marquee_session"

// Session keys.
const (
	sessUserID   = "uid"   // int64
	sessCart     = "cart"  // string, random cart id (holds are keyed to it)
	sessCSRF     = "csrf"  // string
	sessFlash    = "flash" // string, shown once
	sessIssued   = "iat"   // int64 unix seconds: absolute timeout
	sessSeen     = "seen"  // int64 unix seconds: idle timeout, refreshed at most every few minutes
	sessRemember = "rem"   // bool: "remember me" makes the cookie persistent
	sessVersion  = "ver"   // int: the user's session version at login; a newer one signs this session out
)

// SessionOptions tune the session cookie.
type SessionOptions struct {
	// Keys are secrets of 64 bytes each, newest first: the first signs and
	// encrypts, all are tried when decoding (rotation).
	Keys [][]byte
	// Secure marks the cookie Secure (set when served over HTTPS).
	Secure bool
	// IdleTimeout ends a session unused for this long; AbsoluteTimeout ends any session this old.
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
}

func newCookieStore(o SessionOptions) *sessions.CookieStore {
	var pairs [][]byte
	for _, k := range o.Keys {
		// 32 bytes authenticate (HMAC-SHA256), 32 bytes encrypt (AES-256).
		pairs = append(pairs, k[:32], k[32:64])
	}
	st := sessions.NewCookieStore(pairs...)
	st.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   0, // a browser-session cookie unless "remember me"
		HttpOnly: true,
		Secure:   o.Secure,
		SameSite: http.SameSiteLaxMode,
	}
	st.MaxAge(0)
	return st
}

// session is one request's view of the cookie session.
type session struct {
	h     *Handler
	c     *fiber.Ctx
	s     *sessions.Session
	dirty bool
}

const localSession = "marquee.session"

// sessionOf returns the request's session, decoding the cookie on first use.
// A missing, tampered or expired cookie yields a fresh empty session.
func (h *Handler) sessionOf(c *fiber.Ctx) *session {
	if s, ok := c.Locals(localSession).(*session); ok {
		return s
	}
	r := &http.Request{Header: http.Header{}}
	if ck := c.Get(fiber.HeaderCookie); ck != "" {
		r.Header.Set("Cookie", ck)
	}
	// sessioncache.go: a cookie seen before is not decoded again.
	gs, err := h.decodeSession(c, r)
	if err != nil || gs == nil { // tampered or signed with a retired key: logged out
		gs = sessions.NewSession(h.cookies, sessionCookie)
		gs.IsNew = true
	}
	gs.Options = copyOptions(h.cookies.Options)
	s := &session{h: h, c: c, s: gs}
	s.enforceTimeouts()
	c.Locals(localSession, s)
	return s
}

func copyOptions(o *sessions.Options) *sessions.Options {
	cp := *o
	return &cp
}

func (s *session) now() time.Time { return s.h.clock.Now() }

func (s *session) enforceTimeouts() {
	if s.s.IsNew {
		return
	}
	now := s.now().Unix()
	iat, _ := s.s.Values[sessIssued].(int64)
	seen, _ := s.s.Values[sessSeen].(int64)
	o := s.h.sessOpt
	remember, _ := s.s.Values[sessRemember].(bool)
	// "Remember me" sessions only end at the absolute timeout; others also when idle.
	if (iat != 0 && now-iat > int64(o.AbsoluteTimeout.Seconds())) ||
		(!remember && seen != 0 && now-seen > int64(o.IdleTimeout.Seconds())) {
		s.clear()
		return
	}
	if remember {
		s.s.Options.MaxAge = int(o.AbsoluteTimeout.Seconds())
	}
	// Refresh the idle timer, but rewrite the cookie at most every 5 minutes.
	if seen != 0 && now-seen > 300 {
		s.s.Values[sessSeen] = now
		s.dirty = true
	}
}

func (s *session) touch() {
	now := s.now().Unix()
	if _, ok := s.s.Values[sessIssued]; !ok {
		s.s.Values[sessIssued] = now
	}
	s.s.Values[sessSeen] = now
	s.dirty = true
}

func (s *session) clear() {
	for k := range s.s.Values {
		delete(s.s.Values, k)
	}
	s.s.Options.MaxAge = 0
	s.dirty = true
}

// UserID returns the signed-in user's id, 0 for a guest.
func (s *session) UserID() int64 {
	id, _ := s.s.Values[sessUserID].(int64)
	return id
}

// LogIn binds the session to a user. The CSRF token is renewed (session
// fixation); the cart is kept so a guest keeps their seats when logging in.
// version is the user's session version: when it changes (password change,
// account deletion) the session is signed out.
func (s *session) LogIn(userID int64, version int, remember bool) {
	cart := s.s.Values[sessCart]
	s.clear()
	if cart != nil {
		s.s.Values[sessCart] = cart
	}
	s.s.Values[sessUserID] = userID
	s.s.Values[sessVersion] = version
	s.s.Values[sessRemember] = remember
	if remember {
		s.s.Options.MaxAge = int(s.h.sessOpt.AbsoluteTimeout.Seconds())
	}
	s.touch()
}

// Version returns the user's session version recorded at login.
func (s *session) Version() int {
	v, _ := s.s.Values[sessVersion].(int)
	return v
}

// Remembered reports whether the user ticked "remember me".
func (s *session) Remembered() bool {
	r, _ := s.s.Values[sessRemember].(bool)
	return r
}

// SetVersion records a new session version (after this session changed the password).
func (s *session) SetVersion(v int) {
	s.s.Values[sessVersion] = v
	s.touch()
}

// LogOut ends the session entirely (user, cart and token).
func (s *session) LogOut() {
	s.clear()
	s.s.Options.MaxAge = -1
}

// CartID returns the cart id, creating one when create is true and there is none.
func (s *session) CartID(create bool) string {
	id, _ := s.s.Values[sessCart].(string)
	if id == "" && create {
		id = randomToken(18)
		s.s.Values[sessCart] = id
		s.touch()
	}
	return id
}

// CSRFToken returns the session's CSRF token, creating it (and so the cookie) when missing.
func (s *session) CSRFToken() string {
	t, _ := s.s.Values[sessCSRF].(string)
	if t == "" {
		t = randomToken(24)
		s.s.Values[sessCSRF] = t
		s.touch()
	}
	return t
}

// checkCSRF reports whether token matches the session's token.
func (s *session) checkCSRF(token string) bool {
	want, _ := s.s.Values[sessCSRF].(string)
	return want != "" && token != "" && subtle.ConstantTimeCompare([]byte(want), []byte(token)) == 1
}

// SetFlash stores a one-time message for the next page.
func (s *session) SetFlash(msg string) {
	s.s.Values[sessFlash] = msg
	s.touch()
}

// TakeFlash returns and removes the one-time message.
func (s *session) TakeFlash() string {
	msg, _ := s.s.Values[sessFlash].(string)
	if msg != "" {
		delete(s.s.Values, sessFlash)
		s.dirty = true
	}
	return msg
}

// save writes the cookie if the session changed.
func (s *session) save() error {
	if !s.dirty {
		return nil
	}
	w := &headerWriter{h: http.Header{}}
	if err := s.h.cookies.Save(&http.Request{Header: http.Header{}}, w, s.s); err != nil {
		return err
	}
	for _, v := range w.h.Values("Set-Cookie") {
		s.c.Response().Header.Add(fiber.HeaderSetCookie, v)
	}
	s.dirty = false
	return nil
}

// headerWriter is the minimal http.ResponseWriter gorilla/sessions needs to emit Set-Cookie.
type headerWriter struct{ h http.Header }

func (w *headerWriter) Header() http.Header         { return w.h }
func (w *headerWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *headerWriter) WriteHeader(int)             {}

// sessionMiddleware saves the session (if it was used and changed) after the
// handler ran, and exposes the flash and CSRF token to the layout.
func (h *Handler) sessionMiddleware(c *fiber.Ctx) error {
	err := c.Next()
	if s, ok := c.Locals(localSession).(*session); ok {
		if serr := s.save(); serr != nil {
			h.log.Error("save session", "request_id", requestID(c), "err", serr)
		}
	}
	return err
}

// csrfMiddleware rejects state-changing requests without the session's token,
// sent as the X-Csrf-Token header (htmx, from the meta tag) or the _csrf form
// field. Requests authenticated by an API bearer token carry no cookies and
// are exempt, as are the paths in exempt (payment webhooks, verified by signature).
//
// Fiber's csrf middleware keeps tokens in per-process storage; ours binds the
// token to the cookie session so it is valid on every instance.
func (h *Handler) csrfMiddleware(exempt ...string) fiber.Handler {
	skip := map[string]bool{}
	for _, p := range exempt {
		skip[p] = true
	}
	return func(c *fiber.Ctx) error {
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
			return c.Next()
		}
		// The bearer exemption holds only where the bearer token is what
		// authenticates (the API): elsewhere the cookie session does, and a
		// stray Authorization header must not switch off the check.
		if skip[c.Path()] || (isBearer(c) && isAPI(c)) {
			return c.Next()
		}
		token := c.Get("X-Csrf-Token")
		if token == "" {
			token = c.FormValue("_csrf")
		}
		if !h.sessionOf(c).checkCSRF(token) {
			return fiber.NewError(fiber.StatusForbidden, "Your session expired or the form is stale. Reload the page and try again.")
		}
		return c.Next()
	}
}

func isBearer(c *fiber.Ctx) bool {
	a := c.Get(fiber.HeaderAuthorization)
	return len(a) > 7 && (a[:7] == "Bearer " || a[:7] == "bearer ")
}

// csrf returns the token for forms on this page and makes the layout emit it.
func (h *Handler) csrf(c *fiber.Ctx) string {
	t := h.sessionOf(c).CSRFToken()
	c.Locals(localCSRF, t)
	return t
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
