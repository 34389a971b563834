package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestPostWithoutCSRFTokenIsForbidden(t *testing.T) {
	e := newEnv(t)
	resp, _ := e.do(httptest.NewRequest(http.MethodPost, "/anything", nil))
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status = %d, want 403", resp.StatusCode)
	}
}

func TestAnonymousBrowsingSetsNoCookie(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/", "/healthz", "/static/css/app.css", "/no-such-page"} {
		resp, _ := e.do(httptest.NewRequest(http.MethodGet, p, nil))
		if c := resp.Header.Get("Set-Cookie"); c != "" {
			t.Errorf("GET %s set a cookie: %s", p, c)
		}
	}
}
