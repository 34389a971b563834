package handlers_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"marquee/booking"

	"github.com/PuerkitoBio/goquery"
)

// A post-login redirect stays on the site: browsers drop tabs and newlines
// from URLs and read a backslash as a slash, and a raw CR/LF would split the
// Location header.
func TestSecurityLoginNextStaysLocal(t *testing.T) {
	e := newAccEnv(t)
	e.user("next@example.com", "correct horse battery", booking.RoleCustomer, true)
	for _, next := range []string{"/\t/evil.example", "/\n/evil.example", "/\r\nSet-Cookie: x=1", "/\\evil.example", "/a\\b", "//evil.example", "https://evil.example/"} {
		cl := e.client()
		cl.get("/login")
		resp, _ := cl.post("/login", url.Values{"email": {"next@example.com"}, "password": {"correct horse battery"}, "next": {next}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Fatalf("login with next %q: %d to %q, want 303 to /", next, resp.StatusCode, resp.Header.Get("Location"))
		}
		// Signed in, the login page redirects at once: the same rule.
		resp, _ = cl.get("/login?next=" + url.QueryEscape(next))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
			t.Fatalf("login page with next %q: %d to %q, want 303 to /account", next, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	cl := e.client()
	cl.get("/login")
	resp, _ := cl.post("/login", url.Values{"email": {"next@example.com"}, "password": {"correct horse battery"}, "next": {"/account/orders?x=1"}})
	if resp.Header.Get("Location") != "/account/orders?x=1" {
		t.Fatalf("a local next is kept: %q", resp.Header.Get("Location"))
	}
}

// Bytes that aren't UTF-8 (or NUL) are never a database error (500): in the
// address or query a 400 (malformed request), in a form field a 422.
func TestSecurityInvalidUTF8Is400(t *testing.T) {
	e := newAccEnv(t)
	cl := e.client()
	for _, p := range []string{"/?q=%ff", "/?genre=%ff", "/api/v1/movies?q=%ff", "/reset-password?token=%ff", "/?q=a%00b", "/api/v1/movies?genre=%00"} {
		if resp, _ := cl.get(p); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("GET %s: %d, want 400", p, resp.StatusCode)
		}
	}
	cl.get("/login")
	for _, email := range []string{"\xff@example.com", "a\x00@example.com"} {
		if resp, _ := cl.post("/login", url.Values{"email": {email}, "password": {"x"}}); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("login as %q: %d, want 422", email, resp.StatusCode)
		}
	}
	admin := e.signedIn("root@example.com", booking.RoleAdmin)
	for _, p := range []string{"/admin?q=%ff", "/admin/audit?actor=%ff"} {
		if resp, _ := admin.get(p); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("GET %s: %d, want 400", p, resp.StatusCode)
		}
	}
	admin.get("/account")
	if resp, _ := admin.post("/account/tokens", url.Values{"name": {"\xff"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("token name: %d, want 422", resp.StatusCode)
	}
	// Ordinary non-ASCII text is fine.
	if resp, _ := cl.get("/?q=" + url.QueryEscape("Amélie")); resp.StatusCode != http.StatusOK {
		t.Fatalf("UTF-8 search: %d", resp.StatusCode)
	}
}

// postMultipart sends form as multipart/form-data with the client's CSRF token.
func (cl *client) postMultipart(path string, form url.Values) (*http.Response, *goquery.Document) {
	cl.e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", cl.csrf)
	}
	for k, vs := range form {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				cl.e.t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		cl.e.t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("X-Csrf-Token", cl.csrf)
	return cl.send(req)
}

// Multipart forms get the same text check as urlencoded ones: NUL bytes or
// invalid UTF-8 are a 422, never a database error (500).
func TestSecurityInvalidTextInMultipartFormsIs400(t *testing.T) {
	e := newAccEnv(t)
	cl := e.client()
	for _, bad := range []string{"\xff@example.com", "a\x00@example.com"} {
		cl.get("/login")
		if resp, _ := cl.postMultipart("/login", url.Values{"email": {bad}, "password": {"x"}}); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("multipart login as %q: %d, want 422", bad, resp.StatusCode)
		}
		cl.get("/register")
		if resp, _ := cl.postMultipart("/register", url.Values{"email": {bad}, "name": {"N"}, "password": {"correct horse battery"}}); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("multipart register as %q: %d, want 422", bad, resp.StatusCode)
		}
	}
	u := e.signedIn("multi@example.com", booking.RoleCustomer)
	for path, form := range map[string]url.Values{
		"/account/profile": {"name": {"a\x00b"}},
		"/account/tokens":  {"name": {"\xff"}, "password": {"x"}},
		"/account/email":   {"email": {"\xff@example.com"}, "password": {"x"}},
	} {
		u.get("/account")
		if resp, _ := u.postMultipart(path, form); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("multipart %s: %d, want 422", path, resp.StatusCode)
		}
	}
	// Ordinary multipart text still works.
	cl.get("/login")
	if resp, _ := cl.postMultipart("/login", url.Values{"email": {"Amélie@example.com"}, "password": {"wrong"}}); resp.StatusCode >= 500 || resp.StatusCode == http.StatusUnprocessableEntity {
		t.Fatalf("multipart login with UTF-8: %d", resp.StatusCode)
	}
}

func TestSecurityAPIOrderBadInputIs4xx(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	a := e.apiClient("probe@example.com")
	post := func(body string, header map[string]string) (*http.Response, problemJSON) {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, "/api/v1/orders", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+a.token)
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, out := e.do(req)
		var p problemJSON
		json.Unmarshal([]byte(out), &p)
		return resp, p
	}
	// Counts whose sum overflows to the number of seats.
	body := `{"showtimeId": ` + itoa(e.show.ShowtimeID) + `, "seats": ["A5", "A6"], "ticketTypes": {"adult": 9223372036854775807, "child": 9223372036854775807, "senior": 4}}`
	if resp, p := post(body, nil); resp.StatusCode != http.StatusUnprocessableEntity || p.Field != "ticketTypes" {
		t.Fatalf("overflowing ticket counts: %d %+v", resp.StatusCode, p)
	}
	body = `{"showtimeId": ` + itoa(e.show.ShowtimeID) + `, "seats": ["A7"]}`
	if resp, p := post(body, map[string]string{"Idempotency-Key": "\xff\xfe"}); resp.StatusCode != http.StatusUnprocessableEntity || p.Field != "Idempotency-Key" {
		t.Fatalf("non-UTF-8 Idempotency-Key: %d %+v", resp.StatusCode, p)
	}
}

// Someone else's order and no order at all get the same 404 from the API.
func TestSecurityAPIOrderNotFoundLooksAlike(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	owner := e.apiClient("owner@example.com")
	var o apiOrderJSON
	if resp := owner.call("POST", "/api/v1/orders", `{"showtimeId": `+itoa(e.show.ShowtimeID)+`, "seats": ["A5"]}`, nil, &o); resp.StatusCode != 201 {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	other := e.apiClient("other@example.com")
	var theirs, none, junk problemJSON
	r1 := other.call("GET", "/api/v1/orders/"+o.Code, "", nil, &theirs)
	r2 := other.call("GET", "/api/v1/orders/ABCDEFGHJKLM", "", nil, &none)
	r3 := other.call("GET", "/api/v1/orders/"+strings.Repeat("Z", 40), "", nil, &junk)
	if r1.StatusCode != 404 || r2.StatusCode != 404 || r3.StatusCode != 404 || theirs != none || none != junk {
		t.Fatalf("another's order %d %+v, no order %d %+v, junk %d %+v", r1.StatusCode, theirs, r2.StatusCode, none, r3.StatusCode, junk)
	}
}

// An Authorization header does not exempt a cookie-authenticated route from CSRF.
func TestSecurityBearerHeaderDoesNotSkipCSRFOutsideAPI(t *testing.T) {
	e := newAccEnv(t)
	cl := e.signedIn("bearer@example.com", booking.RoleCustomer)
	req := httptest.NewRequest(http.MethodPost, "/account/profile", strings.NewReader(url.Values{"name": {"Mallory"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer whatever")
	if resp, _ := cl.send(req); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cookie route with a bearer header and no CSRF token: %d, want 403", resp.StatusCode)
	}
}

// A sign-in with an absurdly long address is refused like any other failure,
// not with a database error (the rate-limit key is bounded).
func TestSecurityLongLoginEmailIsNot500(t *testing.T) {
	e := newAccEnv(t)
	cl := e.client()
	cl.get("/login")
	var b strings.Builder
	for i := 0; b.Len() < 20000; i++ {
		b.WriteString(itoa(int64(i*7919%100003)) + "x")
	}
	resp, _ := cl.post("/login", url.Values{"email": {b.String() + "@example.com"}, "password": {"correct horse battery"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("long e-mail: %d, want 401", resp.StatusCode)
	}
}

// A client cannot choose the request id that ends up in our logs.
func TestSecurityRequestIDIsNotClientChosen(t *testing.T) {
	e := newEnv(t)
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set("X-Request-ID", "forged-id")
	resp, _ := e.do(req)
	if got := resp.Header.Get("X-Request-ID"); got == "" || got == "forged-id" {
		t.Fatalf("X-Request-ID = %q", got)
	}
}
