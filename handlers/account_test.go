package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"marquee/booking"
	"marquee/db/dbtest"
	"marquee/handlers"
)

const goodPassword = "popcorn-and-a-movie"

func TestAccountRegisterConfirmAndSignIn(t *testing.T) {
	e := newAccEnv(t)
	cl := e.client()
	resp, doc := cl.submit("/register", "/register", url.Values{"email": {"Ann@Example.com"}, "name": {"Ann"}, "password": {goodPassword}})
	wantStatus(t, resp, http.StatusOK)
	if doc.Find(`[data-testid="check-inbox"]`).Length() != 1 {
		t.Fatal("no check-your-inbox page")
	}
	// Not confirmed yet: signing in fails with the one generic message.
	resp, doc = cl.login("ann@example.com", goodPassword, false)
	wantStatus(t, resp, http.StatusUnauthorized)
	if msg := doc.Find(`[data-testid="form-error"]`).Text(); msg != booking.ErrBadCredentials.Message {
		t.Fatalf("message %q", msg)
	}
	resp, _ = cl.follow(e.mailLink("Ann@Example.com"))
	wantRedirect(t, resp, "/account")
	resp, doc = cl.get("/account")
	wantStatus(t, resp, http.StatusOK)
	if got := doc.Find(`[data-testid="account-email"]`).Text(); got != "Ann@Example.com" {
		t.Fatalf("account e-mail %q", got)
	}
	if doc.Find(`[data-testid="flash"]`).Length() != 1 {
		t.Fatal("no welcome flash")
	}
	// The link works once.
	resp, _ = cl.get(e.mailLink("Ann@Example.com"))
	wantStatus(t, resp, http.StatusGone)

	// Sign out, then in again with any case of the address.
	resp, _ = cl.post("/logout", nil)
	wantRedirect(t, resp, "/")
	resp, _ = cl.get("/account")
	wantRedirect(t, resp, "/login")
	resp, _ = cl.login("ANN@example.com", goodPassword, false)
	wantRedirect(t, resp, "/")
	resp, doc = cl.get("/account")
	wantStatus(t, resp, http.StatusOK)
	if doc.Find(`[data-testid="nav-account"]`).Text() != "Ann" {
		t.Fatal("header doesn't show the user")
	}
}

func TestAccountRegisterValidation(t *testing.T) {
	e := newAccEnv(t)
	cl := e.client()
	for _, tc := range []struct{ email, name, password, field string }{
		{"not-an-address", "Ann", goodPassword, "email"},
		{"ann@example.com", "", goodPassword, "name"},
		{"ann@example.com", "Ann", "short", "password"},
		{"ann@example.com", "Ann", "password123", "password"}, // common
		{"ann@example.com", "Ann", "qwertyuiop", "password"},
	} {
		resp, doc := cl.submit("/register", "/register", url.Values{"email": {tc.email}, "name": {tc.name}, "password": {tc.password}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
		if doc.Find(`[data-testid="error-`+tc.field+`"]`).Length() != 1 {
			t.Errorf("%+v: no inline error on %s", tc, tc.field)
		}
		if v, _ := doc.Find(`input[name="password"]`).Attr("value"); v != "" {
			t.Error("password echoed back")
		}
	}
}

func TestAccountRegisterExistingAddressAnswersTheSame(t *testing.T) {
	e := newAccEnv(t)
	e.user("bob@example.com", goodPassword, booking.RoleCustomer, true)
	cl := e.client()
	_, fresh := cl.submit("/register", "/register", url.Values{"email": {"new@example.com"}, "name": {"New"}, "password": {goodPassword}})
	resp, taken := cl.submit("/register", "/register", url.Values{"email": {"bob@example.com"}, "name": {"Mallory"}, "password": {goodPassword}})
	wantStatus(t, resp, http.StatusOK)
	norm := func(s string) string {
		return strings.NewReplacer("new@example.com", "X", "bob@example.com", "X").Replace(strings.Join(strings.Fields(s), " "))
	}
	if a, b := norm(fresh.Find("main").Text()), norm(taken.Find("main").Text()); a != b {
		t.Fatalf("answers differ:\n%s\n%s", a, b)
	}
	m, ok := e.mail.Last("bob@example.com")
	if !ok || !strings.Contains(m.Subject, "already have") {
		t.Fatalf("owner not told: %+v", m)
	}
	// The attacker's password does not work on the existing account.
	resp, _ = cl.login("bob@example.com", goodPassword+"x", false)
	wantStatus(t, resp, http.StatusUnauthorized)
}

func TestAccountLoginFailuresLookAlike(t *testing.T) {
	e := newAccEnv(t)
	e.user("cat@example.com", goodPassword, booking.RoleCustomer, true)
	cl := e.client()
	resp1, d1 := cl.login("cat@example.com", "wrong password!", false)
	resp2, d2 := cl.login("nobody@example.com", "wrong password!", false)
	wantStatus(t, resp1, http.StatusUnauthorized)
	wantStatus(t, resp2, http.StatusUnauthorized)
	if a, b := d1.Find(`[data-testid="form-error"]`).Text(), d2.Find(`[data-testid="form-error"]`).Text(); a != b || a == "" {
		t.Fatalf("messages differ: %q / %q", a, b)
	}
	if _, ok := cl.cookies["marquee_session"]; !ok {
		t.Fatal("no session cookie for the form's CSRF token")
	}
	resp, _ := cl.get("/account")
	wantRedirect(t, resp, "/login?next=%2Faccount")
}

func TestAccountSessionRotatesAtLogin(t *testing.T) {
	e := newAccEnv(t)
	e.user("dan@example.com", goodPassword, booking.RoleCustomer, true)
	cl := e.client()
	cl.get("/login")
	before, beforeCookie := cl.csrf, cl.cookies["marquee_session"].Value
	resp, _ := cl.post("/login", url.Values{"email": {"dan@example.com"}, "password": {goodPassword}})
	wantRedirect(t, resp, "/")
	cl.get("/account")
	if cl.csrf == before || cl.csrf == "" {
		t.Fatal("CSRF token not renewed at login")
	}
	if cl.cookies["marquee_session"].Value == beforeCookie {
		t.Fatal("session cookie not rewritten at login")
	}
	// The pre-login token no longer works.
	resp, _ = cl.post("/account/profile", url.Values{"_csrf": {before}, "name": {"Dan"}})
	wantStatus(t, resp, http.StatusForbidden)
	// A copy of the pre-login cookie is not signed in.
	old := e.client()
	old.cookies["marquee_session"] = &http.Cookie{Name: "marquee_session", Value: beforeCookie}
	resp, _ = old.get("/account")
	wantRedirect(t, resp, "/login")
}

func TestAccountRememberMeAndTimeouts(t *testing.T) {
	e := newAccEnv(t)
	e.user("eve@example.com", goodPassword, booking.RoleCustomer, true)

	plain := e.client()
	resp, _ := plain.login("eve@example.com", goodPassword, false)
	if c := plain.cookies["marquee_session"]; c.MaxAge != 0 || !c.Expires.IsZero() {
		t.Fatalf("session cookie is persistent without remember me: %+v", c)
	}
	for _, c := range resp.Cookies() {
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Fatalf("cookie flags: %+v", c)
		}
	}
	remembered := e.client()
	remembered.login("eve@example.com", goodPassword, true)
	if c := remembered.cookies["marquee_session"]; c.MaxAge <= 0 {
		t.Fatalf("remember me didn't make the cookie persistent: %+v", c)
	}

	// Idle for 3 hours: the plain session has ended, the remembered one hasn't.
	e.clock.Advance(3 * time.Hour)
	resp, _ = plain.get("/account")
	wantRedirect(t, resp, "/login")
	resp, _ = remembered.get("/account")
	wantStatus(t, resp, http.StatusOK)
	// Past the absolute timeout, every session has ended.
	e.clock.Advance(31 * 24 * time.Hour)
	resp, _ = remembered.get("/account")
	wantRedirect(t, resp, "/login")
}

func TestAccountTamperedCookieIsSignedOut(t *testing.T) {
	e := newAccEnv(t)
	cl := e.signedIn("fay@example.com", booking.RoleAdmin)
	v := []byte(cl.cookies["marquee_session"].Value)
	v[len(v)/2] ^= 1
	cl.cookies["marquee_session"].Value = string(v)
	resp, _ := cl.get("/admin")
	wantRedirect(t, resp, "/login")
	resp, doc := cl.get("/")
	if resp.StatusCode >= 500 || doc.Find(`[data-testid="nav-login"]`).Length() != 1 {
		t.Fatalf("tampered cookie: status %d, not shown as signed out", resp.StatusCode)
	}
}

func TestAccountAnonymousRequestsSetNoCookie(t *testing.T) {
	e := newAccEnv(t)
	for _, p := range []string{"/", "/account", "/admin", "/boxoffice", "/healthz"} {
		resp, _ := e.do(httptest.NewRequest(http.MethodGet, p, nil))
		if c := resp.Header.Get("Set-Cookie"); c != "" {
			t.Errorf("GET %s set a cookie: %s", p, c)
		}
	}
}

func TestAccountPasswordReset(t *testing.T) {
	e := newAccEnv(t)
	e.user("gil@example.com", goodPassword, booking.RoleCustomer, false)
	cl := e.client()
	_, unknown := cl.submit("/forgot-password", "/forgot-password", url.Values{"email": {"nobody@example.com"}})
	resp, known := cl.submit("/forgot-password", "/forgot-password", url.Values{"email": {"gil@example.com"}})
	wantStatus(t, resp, http.StatusOK)
	norm := func(s string) string {
		return strings.NewReplacer("nobody@example.com", "X", "gil@example.com", "X").Replace(strings.Join(strings.Fields(s), " "))
	}
	if norm(unknown.Find("main").Text()) != norm(known.Find("main").Text()) {
		t.Fatal("reset answers differ for known and unknown addresses")
	}
	if _, ok := e.mail.Last("nobody@example.com"); ok {
		t.Fatal("mail sent to an unknown address")
	}
	link := e.mailLink("gil@example.com")
	resp, doc := cl.get(link)
	wantStatus(t, resp, http.StatusOK)
	token, _ := doc.Find(`input[name="token"]`).Attr("value")

	resp, doc = cl.post("/reset-password", url.Values{"token": {token}, "password": {"123456789"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if doc.Find(`[data-testid="error-password"]`).Length() != 1 {
		t.Fatal("no inline error for a weak password")
	}
	resp, _ = cl.post("/reset-password", url.Values{"token": {token}, "password": {"a brand new secret"}})
	wantRedirect(t, resp, "/account")
	resp, _ = cl.get("/account")
	wantStatus(t, resp, http.StatusOK) // signed in, and the address is now confirmed

	// Used: the link is gone.
	resp, _ = cl.get(link)
	wantStatus(t, resp, http.StatusGone)
	resp, _ = cl.post("/reset-password", url.Values{"token": {token}, "password": {"yet another secret"}})
	wantStatus(t, resp, http.StatusGone)

	other := e.client()
	resp, _ = other.login("gil@example.com", goodPassword, false)
	wantStatus(t, resp, http.StatusUnauthorized)
	resp, _ = other.login("gil@example.com", "a brand new secret", false)
	wantRedirect(t, resp, "/")

	// Expired: a link older than an hour doesn't work.
	cl.submit("/forgot-password", "/forgot-password", url.Values{"email": {"gil@example.com"}})
	link2 := e.mailLink("gil@example.com")
	e.clock.Advance(61 * time.Minute)
	resp, doc = cl.get(link2)
	wantStatus(t, resp, http.StatusGone)
	if !strings.Contains(doc.Find(`[data-testid="error-message"]`).Text(), "expired") {
		t.Fatal("no clear message for an expired link")
	}
}

func TestAccountCSRFMissingOrWrongIsForbidden(t *testing.T) {
	e := newAccEnv(t)
	cl := e.signedIn("hal@example.com", booking.RoleCustomer)
	resp, _ := cl.post("/account/profile", url.Values{"_csrf": {""}, "name": {"X"}})
	wantStatus(t, resp, http.StatusForbidden)
	resp, _ = cl.post("/account/profile", url.Values{"_csrf": {"not-the-token"}, "name": {"X"}})
	wantStatus(t, resp, http.StatusForbidden)
	resp, _ = cl.post("/logout", url.Values{"_csrf": {"nope"}})
	wantStatus(t, resp, http.StatusForbidden)
	// The header works as well as the field (htmx).
	cl.get("/account")
	cl.header.Set("X-Csrf-Token", cl.csrf)
	resp, _ = cl.post("/account/profile", url.Values{"_csrf": {""}, "name": {"Hal"}})
	wantRedirect(t, resp, "/account")
}

func TestAccountRateLimits(t *testing.T) {
	l := handlers.DefaultRateLimits()
	l.LoginAccount.Max = 2
	l.LoginIP.Max = 5
	l.ResetAccount.Max = 1
	e := newAccEnv(t, withLimits(l), trustProxy("0.0.0.0")) // app.Test's peer address is the proxy
	e.user("ida@example.com", goodPassword, booking.RoleCustomer, true)

	// Failures from other IPs never lock the owner out (issue 16: counted
	// per IP and account, not per account).
	cl := e.client()
	for i := 0; i < 4; i++ {
		cl.header.Set("X-Forwarded-For", "198.51.100."+string(rune('1'+i)))
		resp, _ := cl.login("ida@example.com", "wrong password!", false)
		wantStatus(t, resp, http.StatusUnauthorized)
	}
	cl.header.Set("X-Forwarded-For", "198.51.100.9")
	resp, _ := cl.login("ida@example.com", goodPassword, false)
	wantRedirect(t, resp, "/")

	// From one IP to one account: LoginAccount.Max failures free, then each
	// attempt waits twice as long as the last after the previous failure.
	g := e.client()
	g.header.Set("X-Forwarded-For", "198.51.100.20")
	for i := 0; i < 3; i++ {
		resp, _ := g.login("ida@example.com", "wrong password!", false)
		wantStatus(t, resp, http.StatusUnauthorized)
	}
	resp, doc := g.login("ida@example.com", goodPassword, false)
	wantStatus(t, resp, http.StatusTooManyRequests)
	if !strings.Contains(doc.Find(`[data-testid="form-error"]`).Text(), "Too many attempts") || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("429 without a clear message and Retry-After: %q", resp.Header.Get("Retry-After"))
	}
	e.clock.Advance(time.Second)
	resp, _ = g.login("ida@example.com", "wrong password!", false)
	wantStatus(t, resp, http.StatusUnauthorized)
	resp, _ = g.login("ida@example.com", goodPassword, false)
	if wantStatus(t, resp, http.StatusTooManyRequests); resp.Header.Get("Retry-After") != "2" {
		t.Fatalf("second delay: Retry-After %q, want 2", resp.Header.Get("Retry-After"))
	}
	e.clock.Advance(2 * time.Second)
	resp, _ = g.login("ida@example.com", goodPassword, false)
	wantRedirect(t, resp, "/")
	e.clock.Advance(16 * time.Minute) // the IP's failures are forgotten

	// Successful sign-ins don't count, whatever their number.
	ok := e.client()
	ok.header.Set("X-Forwarded-For", "198.51.100.30")
	for i := 0; i < 8; i++ {
		resp, _ := ok.login("ida@example.com", goodPassword, false)
		wantRedirect(t, resp, "/")
		ok.post("/logout", nil)
	}

	// Wrong current passwords on the account page have their own counter:
	// they don't slow the owner's sign-in.
	ok.login("ida@example.com", goodPassword, false)
	for i := 0; i < 6; i++ {
		ok.submit("/account", "/account/password", url.Values{"current_password": {"wrong password!"}, "new_password": {"another good passphrase"}})
	}
	other := e.client()
	other.header.Set("X-Forwarded-For", "198.51.100.30")
	resp, _ = other.login("ida@example.com", goodPassword, false)
	wantRedirect(t, resp, "/")

	// Per IP (from the trusted proxy's X-Forwarded-For), whatever the account;
	// what the client itself puts in front of the header doesn't matter.
	ip := e.client()
	for i := 0; i < 5; i++ {
		ip.header.Set("X-Forwarded-For", "10.9.9."+string(rune('1'+i))+", 203.0.113.7")
		resp, _ := ip.login("someone"+string(rune('a'+i))+"@example.com", "wrong password!", false)
		wantStatus(t, resp, http.StatusUnauthorized)
	}
	resp, _ = ip.login("someonez@example.com", "wrong password!", false)
	wantStatus(t, resp, http.StatusTooManyRequests)

	// Reset, per account.
	r := e.client()
	resp, _ = r.submit("/forgot-password", "/forgot-password", url.Values{"email": {"ida@example.com"}})
	wantStatus(t, resp, http.StatusOK)
	resp, _ = r.submit("/forgot-password", "/forgot-password", url.Values{"email": {"ida@example.com"}})
	wantStatus(t, resp, http.StatusTooManyRequests)
}

func TestAccountRolesPerArea(t *testing.T) {
	e := newAccEnv(t)
	clients := map[booking.Role]*client{}
	for _, r := range booking.Roles {
		clients[r] = e.signedIn(string(r)+"@example.com", r)
	}
	for _, tc := range []struct {
		path string
		min  booking.Role
	}{{"/boxoffice", booking.RoleStaff}, {"/manage", booking.RoleManager}, {"/admin", booking.RoleAdmin}, {"/admin/audit", booking.RoleAdmin}, {"/admin/invitations", booking.RoleAdmin}} {
		for r, cl := range clients {
			resp, _ := cl.get(tc.path)
			want := http.StatusForbidden
			if r.AtLeast(tc.min) {
				want = http.StatusOK
			}
			if resp.StatusCode != want {
				t.Errorf("%s GET %s: %d, want %d", r, tc.path, resp.StatusCode, want)
			}
		}
		resp, _ := e.client().get(tc.path)
		wantRedirect(t, resp, "/login?next=")
	}
	// A customer's POST to an admin route is refused too.
	resp, _ := clients[booking.RoleCustomer].post("/admin/invitations", url.Values{"email": {"x@example.com"}, "role": {"admin"}})
	wantStatus(t, resp, http.StatusForbidden)
	// The header shows staff links only to staff.
	_, doc := clients[booking.RoleCustomer].get("/account")
	if doc.Find(`a[href="/boxoffice"]`).Length() != 0 {
		t.Error("customer sees the box office link")
	}
	_, doc = clients[booking.RoleAdmin].get("/account")
	if doc.Find(`a[href="/admin"]`).Length() != 1 || doc.Find(`a[href="/manage"]`).Length() != 1 {
		t.Error("admin doesn't see the admin and manage links")
	}
}

func TestAccountProfileAndPasswordChange(t *testing.T) {
	e := newAccEnv(t)
	cl := e.signedIn("jo@example.com", booking.RoleCustomer)
	other := e.client()
	other.login("jo@example.com", "correct horse battery", false)

	resp, doc := cl.submit("/account", "/account/profile", url.Values{"name": {"Jo March"}, "phone": {"not a phone"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if doc.Find(`[data-testid="error-profile.phone"]`).Length() != 1 {
		t.Fatal("no inline phone error")
	}
	resp, _ = cl.post("/account/profile", url.Values{"name": {"Jo March"}, "phone": {"+1 555 0100"}, "marketing_opt_out": {"1"}})
	wantRedirect(t, resp, "/account")
	_, doc = cl.get("/account")
	if v, _ := doc.Find(`input[name="phone"]`).Attr("value"); v != "+1 555 0100" {
		t.Fatalf("phone %q", v)
	}
	if _, ok := doc.Find(`input[name="marketing_opt_out"]`).Attr("checked"); !ok {
		t.Fatal("opt-out not saved")
	}

	resp, doc = cl.post("/account/password", url.Values{"current_password": {"wrong"}, "new_password": {"a fresh password"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if doc.Find(`[data-testid="error-password.current_password"]`).Length() != 1 {
		t.Fatal("no inline error for a wrong current password")
	}
	cl.get("/account")
	resp, _ = cl.post("/account/password", url.Values{"current_password": {"correct horse battery"}, "new_password": {"a fresh password"}})
	wantRedirect(t, resp, "/account")
	resp, _ = cl.get("/account")
	wantStatus(t, resp, http.StatusOK) // this session goes on
	resp, _ = other.get("/account")
	wantRedirect(t, resp, "/login") // the other one has ended
	if m, ok := e.mail.Last("jo@example.com"); !ok || !strings.Contains(m.Subject, "password was changed") {
		t.Fatal("no notice of the password change")
	}
}

func TestAccountChangeEmail(t *testing.T) {
	e := newAccEnv(t)
	cl := e.signedIn("kim@example.com", booking.RoleCustomer)
	e.user("taken@example.com", goodPassword, booking.RoleCustomer, true)

	resp, doc := cl.submit("/account", "/account/email", url.Values{"email": {"kim.new@example.com"}, "current_password": {"nope"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	if doc.Find(`[data-testid="error-email.current_password"]`).Length() != 1 {
		t.Fatal("no inline error")
	}
	cl.get("/account")
	resp, _ = cl.post("/account/email", url.Values{"email": {"kim.new@example.com"}, "current_password": {"correct horse battery"}})
	wantRedirect(t, resp, "/account")
	resp, _ = cl.follow(e.mailLink("kim.new@example.com"))
	wantRedirect(t, resp, "/account")
	_, doc = cl.get("/account")
	if got := doc.Find(`[data-testid="account-email"]`).Text(); got != "kim.new@example.com" {
		t.Fatalf("e-mail is %q", got)
	}
	if m, ok := e.mail.Last("kim@example.com"); !ok || !strings.Contains(m.Subject, "was changed") {
		t.Fatal("old address not told")
	}
	// An address another account uses can't be taken over.
	cl.get("/account")
	cl.post("/account/email", url.Values{"email": {"taken@example.com"}, "current_password": {"correct horse battery"}})
	resp, _ = cl.follow(e.mailLink("taken@example.com"))
	wantStatus(t, resp, http.StatusConflict)
}

func TestAccountDeleteAnonymises(t *testing.T) {
	e := newAccEnv(t)
	cl := e.signedIn("lee@example.com", booking.RoleCustomer)
	resp, _ := cl.submit("/account", "/account/delete", url.Values{"password": {"wrong"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
	cl.get("/account")
	resp, _ = cl.post("/account/delete", url.Values{"password": {"correct horse battery"}})
	wantRedirect(t, resp, "/")
	resp, _ = cl.get("/account")
	wantRedirect(t, resp, "/login")
	resp, _ = e.client().login("lee@example.com", "correct horse battery", false)
	wantStatus(t, resp, http.StatusUnauthorized)
	var n int
	if err := dbtest.SQL(t, e.db).GetContext(context.Background(), &n, `SELECT count(*) FROM users WHERE email ILIKE '%lee%' OR name <> ''`); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("personal data left after deletion")
	}
	// The address is free again.
	resp, _ = e.client().submit("/register", "/register", url.Values{"email": {"lee@example.com"}, "name": {"Lee"}, "password": {goodPassword}})
	wantStatus(t, resp, http.StatusOK)
	if m, ok := e.mail.Last("lee@example.com"); !ok || !strings.Contains(m.Subject, "Confirm") {
		t.Fatal("re-registration after deletion didn't get a confirmation")
	}
}

func TestAccountAPITokens(t *testing.T) {
	e := newAccEnv(t)
	cl := e.signedIn("mo@example.com", booking.RoleCustomer)
	resp, doc := cl.submit("/account", "/account/tokens", url.Values{"name": {"my script"}, "password": {"correct horse battery"}})
	wantStatus(t, resp, http.StatusCreated)
	token := doc.Find(`[data-testid="new-token-value"]`).Text()
	if !strings.HasPrefix(token, "mq_") || len(token) < 40 {
		t.Fatalf("token %q", token)
	}
	_, doc = cl.get("/account")
	if strings.Contains(doc.Text(), token) {
		t.Fatal("token shown twice")
	}
	if doc.Find(`[data-testid="token"]`).Length() != 1 {
		t.Fatal("token not listed")
	}
	var stored int
	if err := dbtest.SQL(t, e.db).GetContext(context.Background(), &stored, `SELECT count(*) FROM api_tokens WHERE position($1 in encode(token_hash, 'escape')) > 0`, token); err != nil {
		t.Fatal(err)
	}
	if stored != 0 {
		t.Fatal("token stored in clear")
	}
	u, err := e.db.UserByAPIToken(context.Background(), token)
	if err != nil || u.Email != "mo@example.com" {
		t.Fatalf("token doesn't authenticate: %v", err)
	}
	action, _ := doc.Find(`[data-testid="token"] form`).Attr("action")
	resp, _ = cl.post(action, nil)
	wantRedirect(t, resp, "/account")
	if _, err := e.db.UserByAPIToken(context.Background(), token); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("revoked token still works: %v", err)
	}
	// Someone else's token id: 404.
	other := e.signedIn("ned@example.com", booking.RoleCustomer)
	other.get("/account")
	resp, _ = other.post(action, nil)
	wantStatus(t, resp, http.StatusNotFound)
}

func TestAccountAdminRolesInvitationsAndAudit(t *testing.T) {
	e := newAccEnv(t)
	admin := e.signedIn("boss@example.com", booking.RoleAdmin)
	cust := e.signedIn("pat@example.com", booking.RoleCustomer)

	// Promote pat to manager.
	_, doc := admin.get("/admin?q=pat")
	action, ok := doc.Find(`tr[data-email="pat@example.com"] form`).Attr("action")
	if !ok {
		t.Fatal("no role form for pat")
	}
	resp, _ := admin.post(action, url.Values{"role": {"manager"}})
	wantRedirect(t, resp, "/admin")
	resp, _ = cust.get("/manage")
	wantStatus(t, resp, http.StatusOK)
	// An unknown role is refused.
	admin.get("/admin")
	resp, _ = admin.post(action, url.Values{"role": {"emperor"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)

	// Invite a new member of staff; they accept and land in the box office.
	admin.get("/admin/invitations")
	resp, doc = admin.post("/admin/invitations", url.Values{"email": {"quinn@example.com"}, "role": {"staff"}})
	wantStatus(t, resp, http.StatusOK)
	if doc.Find(`[data-testid="invite-sent"]`).Length() != 1 {
		t.Fatal("no confirmation of the invitation")
	}
	quinn := e.client()
	link := e.mailLink("quinn@example.com")
	resp, doc = quinn.get(link)
	wantStatus(t, resp, http.StatusOK)
	token, _ := doc.Find(`input[name="token"]`).Attr("value")
	resp, _ = quinn.post("/invite", url.Values{"token": {token}, "name": {"Quinn"}, "password": {"tickets at the counter"}})
	wantRedirect(t, resp, "/boxoffice")
	resp, _ = quinn.get("/boxoffice")
	wantStatus(t, resp, http.StatusOK)
	resp, _ = quinn.get("/manage")
	wantStatus(t, resp, http.StatusForbidden)
	resp, _ = e.client().get(link)
	wantStatus(t, resp, http.StatusGone)

	// The audit log has all of it, filterable.
	_, doc = admin.get("/admin/audit")
	actions := map[string]bool{}
	doc.Find(`[data-testid="audit-row"]`).Each(func(_ int, s *goquery.Selection) { actions[s.AttrOr("data-action", "")] = true })
	for _, a := range []string{"user.role_changed", "staff.invited", "staff.invitation_accepted", "staff.login"} {
		if !actions[a] {
			t.Errorf("audit log lacks %s (has %v)", a, actions)
		}
	}
	_, doc = admin.get("/admin/audit?action=user.role_changed")
	if n := doc.Find(`[data-testid="audit-row"]`).Length(); n != 1 {
		t.Fatalf("filtered audit rows = %d", n)
	}
	if !strings.Contains(doc.Find(`[data-testid="audit-row"]`).Text(), "pat@example.com") {
		t.Fatal("audit row lacks its subject")
	}
	_, doc = admin.get("/admin/audit?action=staff.&actor=boss")
	if n := doc.Find(`[data-testid="audit-row"]`).Length(); n != 2 { // staff.login, staff.invited
		t.Fatalf("prefix filter rows = %d", n)
	}
	resp, _ = admin.get("/admin/audit?from=yesterday")
	wantStatus(t, resp, http.StatusBadRequest)
}

func TestAccountDevMail(t *testing.T) {
	e := newAccEnv(t)
	cl := e.client()
	cl.submit("/register", "/register", url.Values{"email": {"rae@example.com"}, "name": {"Rae"}, "password": {goodPassword}})
	resp, doc := cl.get("/dev/mail")
	wantStatus(t, resp, http.StatusOK)
	if doc.Find(`[data-testid="mail-to"]`).First().Text() != "rae@example.com" {
		t.Fatal("captured mail not listed")
	}
	if txt := doc.Find(`[data-testid="mail-text"]`).First().Text(); !strings.Contains(txt, "Hello Rae,\n") || strings.Contains(txt, "&#") {
		t.Fatalf("plain-text body: %q", txt)
	}
	p := newAccEnv(t, production())
	resp, _ = p.client().get("/dev/mail")
	wantStatus(t, resp, http.StatusNotFound)
}

// TestAccountSessionsEndOnTheServer: logout signs out a copy of the cookie
// too; "sign out everywhere else" ends the other sessions and keeps this one;
// a token needs the password; a password change revokes the tokens.
func TestAccountSessionsEndOnTheServer(t *testing.T) {
	e := newAccEnv(t)
	cl := e.signedIn("kit@example.com", booking.RoleCustomer)
	stolen := e.client()
	for k, v := range cl.cookies {
		stolen.cookies[k] = v
	}
	resp, _ := stolen.get("/account")
	wantStatus(t, resp, http.StatusOK)
	cl.get("/account")
	resp, _ = cl.post("/logout", nil)
	wantRedirect(t, resp, "/")
	resp, _ = stolen.get("/account")
	wantRedirect(t, resp, "/login")

	// Sign out everywhere else.
	a, b := e.client(), e.client()
	for _, c := range []*client{a, b} {
		if resp, _ := c.login("kit@example.com", "correct horse battery", false); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login: %d", resp.StatusCode)
		}
	}
	_, doc := a.get("/account")
	if doc.Find(`[data-testid="end-sessions-form"]`).Length() != 1 {
		t.Fatal("no sign-out-everywhere form")
	}
	resp, _ = a.post("/account/sessions/end", nil)
	wantRedirect(t, resp, "/account")
	resp, _ = a.get("/account")
	wantStatus(t, resp, http.StatusOK)
	resp, _ = b.get("/account")
	wantRedirect(t, resp, "/login")

	// A token needs the password.
	for _, pw := range []string{"", "not my password"} {
		a.get("/account")
		resp, _ := a.post("/account/tokens", url.Values{"name": {"script"}, "password": {pw}})
		wantStatus(t, resp, http.StatusUnprocessableEntity)
	}
	a.get("/account")
	resp, doc = a.post("/account/tokens", url.Values{"name": {"script"}, "password": {"correct horse battery"}})
	wantStatus(t, resp, http.StatusCreated)
	token := doc.Find(`[data-testid="new-token-value"]`).Text()
	if _, err := e.db.UserByAPIToken(context.Background(), token); err != nil {
		t.Fatalf("token: %v", err)
	}
	var n int
	if err := dbtest.SQL(t, e.db).GetContext(context.Background(), &n, `SELECT count(*) FROM api_tokens`); err != nil || n != 1 {
		t.Fatalf("%d tokens, want 1 (none without the password)", n)
	}
	// A password change revokes it.
	resp, _ = a.submit("/account", "/account/password", url.Values{"current_password": {"correct horse battery"}, "new_password": {"a brand new passphrase"}})
	wantRedirect(t, resp, "/account")
	if _, err := e.db.UserByAPIToken(context.Background(), token); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("token after a password change: %v", err)
	}
}

// A role change that changes nothing is not audited (issue 16 item 11).
func TestAdminNoOpRoleChangeNotAudited(t *testing.T) {
	e := newAccEnv(t)
	admin := e.signedIn("boss@example.com", booking.RoleAdmin)
	e.signedIn("pat@example.com", booking.RoleCustomer)
	_, doc := admin.get("/admin?q=pat")
	action, ok := doc.Find(`tr[data-email="pat@example.com"] form`).Attr("action")
	if !ok {
		t.Fatal("no role form for pat")
	}
	resp, _ := admin.post(action, url.Values{"role": {"customer"}})
	wantRedirect(t, resp, "/admin")
	var n int
	if err := dbtest.SQL(t, e.db).GetContext(context.Background(), &n, `SELECT count(*) FROM audit_log WHERE action = 'user.role_changed'`); err != nil || n != 0 {
		t.Fatalf("no-op role change audited: %d rows (%v)", n, err)
	}
}

// A burst of concurrent guesses from one IP at one account can't all pass the
// sign-in check: each attempt is counted before its password is checked, so
// LoginAccount.Max+1 reach the password (the free ones) and the rest wait.
func TestSignInBurstIsCountedBeforeTheCheck(t *testing.T) {
	l := handlers.DefaultRateLimits()
	l.LoginAccount.Max = 2
	e := newAccEnv(t, withLimits(l), trustProxy("0.0.0.0"))
	e.user("burst@example.com", goodPassword, booking.RoleCustomer, true)
	const guesses = 12
	clients := make([]*client, guesses)
	for i := range clients {
		clients[i] = e.client()
		clients[i].header.Set("X-Forwarded-For", "198.51.100.77")
	}
	codes := make(chan int, guesses)
	var wg sync.WaitGroup
	for _, cl := range clients {
		wg.Go(func() {
			resp, _ := cl.login("burst@example.com", "wrong password!", false)
			codes <- resp.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	n := map[int]int{}
	for c := range codes {
		n[c]++
	}
	if n[http.StatusUnauthorized] != l.LoginAccount.Max+1 || n[http.StatusTooManyRequests] != guesses-l.LoginAccount.Max-1 {
		t.Fatalf("burst of %d guesses: %v, want %d checked (401) and the rest 429", guesses, n, l.LoginAccount.Max+1)
	}
}

// TestSignInLink: an owner whose sign-in is slowed down by someone guessing
// at the account gets in by an e-mailed link (issue 16 item 5), which works
// once; the answer doesn't tell whether an address has an account.
func TestSignInLink(t *testing.T) {
	l := handlers.DefaultRateLimits()
	l.LoginAccount.Max = 2
	e := newAccEnv(t, withLimits(l), trustProxy("0.0.0.0"))
	e.user("owner@example.com", goodPassword, booking.RoleCustomer, true)
	g := e.client()
	g.header.Set("X-Forwarded-For", "198.51.100.40")
	for i := 0; i < 3; i++ {
		resp, _ := g.login("owner@example.com", "wrong password!", false)
		wantStatus(t, resp, http.StatusUnauthorized)
	}
	resp, doc := g.login("owner@example.com", goodPassword, false)
	wantStatus(t, resp, http.StatusTooManyRequests)
	if doc.Find(`[data-testid="signin-link-offer"] form[action="/login/link"]`).Length() != 1 {
		t.Fatal("a slowed-down sign-in offers no e-mailed link")
	}
	resp, doc = g.post("/login/link", url.Values{"email": {"owner@example.com"}})
	wantStatus(t, resp, http.StatusOK)
	if !strings.Contains(doc.Text(), "Check your inbox") {
		t.Fatalf("after asking for a link: %s", doc.Find("main").Text())
	}
	link := e.mailLink("owner@example.com")
	if !strings.HasPrefix(link, "/login/link/use?token=") {
		t.Fatalf("link %q", link)
	}
	resp, _ = g.follow(link)
	wantRedirect(t, resp, "/account")
	if resp, _ := g.get("/account"); resp.StatusCode != http.StatusOK {
		t.Fatalf("not signed in by the link: %d", resp.StatusCode)
	}
	// Used up.
	other := e.client()
	if resp, _ := other.follow(link); resp.StatusCode != http.StatusGone {
		t.Fatalf("a used link: %d, want 410", resp.StatusCode)
	}
	// The owner proved who they are: the failures from their IP are forgotten.
	g.post("/logout", nil)
	resp, _ = g.login("owner@example.com", goodPassword, false)
	wantRedirect(t, resp, "/")

	// An unknown address gets the same answer and no e-mail.
	resp, doc = e.client().submit("/login/link", "/login/link", url.Values{"email": {"nobody@example.com"}})
	wantStatus(t, resp, http.StatusOK)
	if _, ok := e.mail.Last("nobody@example.com"); ok || !strings.Contains(doc.Text(), "Check your inbox") {
		t.Fatal("the answer tells an unknown address apart")
	}
	resp, _ = e.client().submit("/login/link", "/login/link", url.Values{"email": {"not an address"}})
	wantStatus(t, resp, http.StatusUnprocessableEntity)
}

// TestSignInGuessedFromManyAddresses: one account guessed from many IPs
// (each under its own per-IP limit) is slowed down as a whole past
// LoginAnyIP's free failures; the owner, slowed too, is offered the e-mailed
// link and gets in by it.
func TestSignInGuessedFromManyAddresses(t *testing.T) {
	l := handlers.DefaultRateLimits()
	l.LoginAnyIP = handlers.Limit{Max: 4, Window: time.Hour}
	e := newAccEnv(t, withLimits(l), trustProxy("0.0.0.0"))
	e.user("target@example.com", goodPassword, booking.RoleCustomer, true)
	cl := e.client()
	for i := 0; i < 5; i++ {
		cl.header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", 10+i))
		resp, _ := cl.login("target@example.com", "wrong password!", false)
		wantStatus(t, resp, http.StatusUnauthorized)
	}
	owner := e.client()
	owner.header.Set("X-Forwarded-For", "192.0.2.7")
	resp, doc := owner.login("target@example.com", goodPassword, false)
	wantStatus(t, resp, http.StatusTooManyRequests)
	if resp.Header.Get("Retry-After") != "1" || doc.Find(`[data-testid="signin-link-offer"]`).Length() != 1 {
		t.Fatalf("past the account's free failures: Retry-After %q, link offered %d", resp.Header.Get("Retry-After"),
			doc.Find(`[data-testid="signin-link-offer"]`).Length())
	}
	// Other accounts are not affected.
	e.user("bystander@example.com", goodPassword, booking.RoleCustomer, true)
	resp, _ = e.client().login("bystander@example.com", goodPassword, false)
	wantRedirect(t, resp, "/")
	// The owner gets in by the link.
	owner.post("/login/link", url.Values{"email": {"target@example.com"}})
	resp, _ = owner.follow(e.mailLink("target@example.com"))
	wantRedirect(t, resp, "/account")
	// After the delay, a guess is checked again (and fails), the next waits longer.
	e.clock.Advance(time.Second)
	cl.header.Set("X-Forwarded-For", "203.0.113.99")
	resp, _ = cl.login("target@example.com", "wrong password!", false)
	wantStatus(t, resp, http.StatusUnauthorized)
	resp, _ = cl.login("target@example.com", "wrong again!!", false)
	if wantStatus(t, resp, http.StatusTooManyRequests); resp.Header.Get("Retry-After") != "2" {
		t.Fatalf("second delay: Retry-After %q, want 2", resp.Header.Get("Retry-After"))
	}
}
