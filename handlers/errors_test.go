package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestUnknownPageIs404Page(t *testing.T) {
	e := newEnv(t)
	resp, doc := e.get("/no/such/page")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status = %d, want 404", resp.StatusCode)
	}
	if got := doc.Find(`[data-testid="error-page"]`).AttrOr("data-status", ""); got != "404" {
		t.Fatalf("error page status = %q", got)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("CSP = %q", csp)
	}
}

func TestUnknownAPIPathIsProblemJSON(t *testing.T) {
	e := newEnv(t)
	var p struct {
		Status int    `json:"status"`
		Title  string `json:"title"`
	}
	resp, _ := e.getJSON("/api/v1/nothing-here", &p)
	if resp.StatusCode != 404 || p.Status != 404 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("status=%d problem=%+v type=%q", resp.StatusCode, p, resp.Header.Get("Content-Type"))
	}
}

func TestHTMXErrorIsPartial(t *testing.T) {
	e := newEnv(t)
	req := httptest.NewRequest(http.MethodGet, "/no/such/partial", nil)
	req.Header.Set("HX-Request", "true")
	resp, body := e.do(req)
	if resp.StatusCode != 404 || !strings.Contains(body, `data-testid="error-partial"`) || strings.Contains(body, "<html") {
		t.Fatalf("status=%d body=%s", resp.StatusCode, body)
	}
}

func TestStaticAssetsServed(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/static/css/app.css", "/static/js/htmx.min.js", "/static/js/app.js"} {
		resp, _ := e.do(httptest.NewRequest(http.MethodGet, p, nil))
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", p, resp.StatusCode)
		}
	}
}
