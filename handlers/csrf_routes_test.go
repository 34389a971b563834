package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"marquee/booking"
)

// csrfExemptRoutes are the state-changing routes that are authenticated
// otherwise, with the reason. Keep in step with csrfExempt in middleware.go.
// An exempt route must not be reachable with the cookie session alone: the
// test checks that, without a token, it refuses the signed-in browser (401/403).
var csrfExemptRoutes = map[string]string{
	"/webhooks/stripe": "signed by Stripe (signature verified)",
	"/api/v1/orders":   "bearer token only (requireAPIUser), never the cookie session",
}

var routeParam = regexp.MustCompile(`:[A-Za-z_]+(<[^>]*>)?\??|\*`)

// TestAccountEveryStateChangingRouteNeedsCSRF enumerates the router and sends
// every non-GET route a request from a signed-in admin without a token, and
// with a wrong one: each must answer 403 before its handler runs.
func TestAccountEveryStateChangingRouteNeedsCSRF(t *testing.T) {
	e := newAccEnv(t)
	cl := e.signedIn("root@example.com", booking.RoleAdmin)
	checked := 0
	for _, r := range e.app.GetRoutes(true) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodConnect:
			continue
		}
		path := routeParam.ReplaceAllString(r.Path, "1")
		if reason, ok := csrfExemptRoutes[r.Path]; ok {
			t.Logf("%s %s exempt from CSRF: %s", r.Method, r.Path, reason)
			if !strings.HasPrefix(r.Path, "/webhooks/") {
				resp, _ := cl.send(httptest.NewRequest(r.Method, path, strings.NewReader(`{}`)))
				if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s is CSRF-exempt but a cookie-only request got %d", r.Method, r.Path, resp.StatusCode)
				}
			}
			continue
		}
		for _, token := range []string{"", "wrong-token"} {
			form := url.Values{"_csrf": {token}}
			req := httptest.NewRequest(r.Method, path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, _ := cl.send(req)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s with token %q: status %d, want 403", r.Method, r.Path, token, resp.StatusCode)
			}
		}
		// The same request as an htmx/JSON client with a wrong header token.
		req := httptest.NewRequest(r.Method, path, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Csrf-Token", "wrong-token")
		resp, _ := cl.send(req)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s with a wrong X-Csrf-Token: status %d, want 403", r.Method, r.Path, resp.StatusCode)
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("only %d state-changing routes found; is the router enumerated?", checked)
	}
	t.Logf("%d state-changing routes refuse requests without a valid CSRF token", checked)
}
