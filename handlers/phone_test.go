package handlers_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/brotli"

	"marquee/booking"
	"marquee/db/dbtest"
	"marquee/static"
	"marquee/views"
)

// getEncoded fetches path with an Accept-Encoding and returns the response
// and its body as sent on the wire.
func (e *testEnv) getEncoded(path, accept string) (*http.Response, []byte) {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if accept != "" {
		req.Header.Set("Accept-Encoding", accept)
	}
	resp, err := e.app.Test(req, -1)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func decodeBody(t *testing.T, enc string, b []byte) []byte {
	t.Helper()
	var r io.Reader
	switch enc {
	case "br":
		r = brotli.NewReader(bytes.NewReader(b))
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	default:
		return b
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %s: %v", enc, err)
	}
	return out
}

// TestCompression: pages, API bodies and static files go out brotli- or
// gzip-compressed when asked (the same bytes as uncompressed once decoded),
// uncompressed when not asked or refused; what's on and a showtime page are
// at most 10 KB on the wire; the event stream is never compressed.
func TestCompression(t *testing.T) {
	e := newBookingEnv(t, nil, false)
	css := views.Asset("css/app.css")
	for _, p := range []string{"/", e.path(""), "/api/v1/movies", "/api/v1/showtimes?date=2026-11-25", css, views.Asset("js/htmx.min.js"), "/sitemap.xml", "/no-such-page"} {
		plainResp, plain := e.getEncoded(p, "")
		if plainResp.Header.Get("Content-Encoding") != "" {
			t.Fatalf("%s: compressed without being asked", p)
		}
		for _, tc := range []struct{ accept, want string }{
			{"gzip, deflate, br", "br"}, {"gzip", "gzip"}, {"br;q=0, gzip", "gzip"}, {"identity", ""},
		} {
			resp, wire := e.getEncoded(p, tc.accept)
			if got := resp.Header.Get("Content-Encoding"); got != tc.want {
				t.Errorf("%s with %q: Content-Encoding %q, want %q", p, tc.accept, got, tc.want)
				continue
			}
			if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("%s: no Vary: Accept-Encoding", p)
			}
			body := decodeBody(t, tc.want, wire)
			if p == e.path("") || p == "/no-such-page" { // per-request content (CSRF token, request id)
				if len(body) < len(plain)/2 || !bytes.Contains(body, []byte("</html>")) {
					t.Errorf("%s with %q: decoded body is not the page", p, tc.accept)
				}
			} else if !bytes.Equal(body, plain) {
				t.Errorf("%s with %q: decoded body differs from the uncompressed one", p, tc.accept)
			}
			if tc.want != "" && len(wire) >= len(plain) {
				t.Errorf("%s with %q: %d bytes compressed, %d uncompressed", p, tc.accept, len(wire), len(plain))
			}
			if (p == "/" || p == e.path("")) && tc.want != "" && len(wire) > 10<<10 {
				t.Errorf("%s is %d bytes on the wire with %s, want ≤ 10 KB", p, len(wire), tc.want)
			}
		}
	}
	// The same cached page twice: the very same compressed bytes (compressed once per cache entry).
	_, a := e.getEncoded("/api/v1/movies", "br")
	_, b := e.getEncoded("/api/v1/movies", "br")
	if !bytes.Equal(a, b) {
		t.Error("a cached body compressed differently on two requests")
	}
}

// TestStaticFingerprints: fingerprinted names are immutable for a year;
// plain names and an older build's fingerprints still work, briefly cached;
// an unknown file is 404; If-None-Match gets 304.
func TestStaticFingerprints(t *testing.T) {
	e := newEnv(t)
	f, _ := static.Files().Lookup("js/seatmap.js")
	hashed := views.Asset("js/seatmap.js")
	if hashed != "/static/js/seatmap."+f.Hash+".js" {
		t.Fatalf("Asset = %q", hashed)
	}
	for _, tc := range []struct {
		path, cache string
		status      int
	}{
		{hashed, "public, max-age=31536000, immutable", 200},
		{"/static/js/seatmap.js", "public, max-age=300", 200},
		{"/static/js/seatmap.0badc0de.js", "public, max-age=300", 200},
		{"/static/js/nope.js", "", 404},
		{"/static/js/nope.0badc0de.js", "", 404},
	} {
		resp, body := e.getEncoded(tc.path, "")
		if resp.StatusCode != tc.status || resp.Header.Get("Cache-Control") != tc.cache && tc.status == 200 {
			t.Errorf("%s: %d, Cache-Control %q; want %d, %q", tc.path, resp.StatusCode, resp.Header.Get("Cache-Control"), tc.status, tc.cache)
		}
		if tc.status == 200 && (!bytes.Equal(body, f.Data) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript")) {
			t.Errorf("%s: wrong body or type %q", tc.path, resp.Header.Get("Content-Type"))
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/static/js/seatmap.js", nil)
	req.Header.Set("If-None-Match", `"`+f.Hash+`"`)
	if resp, _ := e.do(req); resp.StatusCode != 304 {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	// Every page references fingerprinted files only.
	_, doc := e.get("/login")
	doc.Find(`link[href^="/static/"], script[src^="/static/"]`).Each(func(_ int, s *goquery.Selection) {
		u := s.AttrOr("href", s.AttrOr("src", ""))
		if _, _, ok := static.SplitHash(strings.TrimPrefix(u, "/static/")); !ok {
			t.Errorf("page links %s without a fingerprint", u)
		}
	})
	if resp, _ := e.getEncoded("/favicon.ico", ""); resp.StatusCode != 301 || resp.Header.Get("Location") != views.Asset("img/favicon.svg") {
		t.Errorf("/favicon.ico: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// jsonLD returns the page's JSON-LD block, decoded.
func jsonLD(t *testing.T, doc *goquery.Document) map[string]any {
	t.Helper()
	var v map[string]any
	raw := doc.Find(`script[type="application/ld+json"]`).Text()
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatalf("JSON-LD: %v\n%s", err, raw)
	}
	return v
}

// TestSearchEngineData: the movie and showtime pages carry a meta
// description, Open Graph tags, a canonical URL and schema.org JSON-LD
// (Movie with its ScreeningEvents; ScreeningEvent with videoFormat,
// subtitleLanguage and offers with price and availability); robots.txt and
// the sitemap list what is public; order pages are not to be indexed.
func TestSearchEngineData(t *testing.T) {
	e := newCatalogEnv(t)
	_, doc := e.get("/movies/the-lighthouse-keepers-daughter")
	if d := doc.Find(`meta[name="description"]`).AttrOr("content", ""); len(d) < 40 || len(d) > 160 {
		t.Errorf("movie meta description %q", d)
	}
	for _, p := range []string{"og:title", "og:description", "og:image", "og:url", "og:type"} {
		if doc.Find(`meta[property="`+p+`"]`).AttrOr("content", "") == "" {
			t.Errorf("movie page lacks %s", p)
		}
	}
	ld := jsonLD(t, doc)
	graph, _ := ld["@graph"].([]any)
	if ld["@context"] != "https://schema.org" || len(graph) < 2 {
		t.Fatalf("movie JSON-LD: %v", ld)
	}
	mv := graph[0].(map[string]any)
	if mv["@type"] != "Movie" || mv["name"] != "The Lighthouse Keeper's Daughter" || mv["duration"] == nil || mv["director"] == nil {
		t.Errorf("Movie: %v", mv)
	}
	ev := graph[1].(map[string]any)
	if ev["@type"] != "ScreeningEvent" || ev["startDate"] == nil || ev["videoFormat"] == nil {
		t.Errorf("ScreeningEvent on the movie page: %v", ev)
	}
	showURL, _ := ev["url"].(string)
	u, err := url.Parse(showURL)
	if err != nil || !strings.HasPrefix(u.Path, "/showtimes/") {
		t.Fatalf("screening url %q", showURL)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(u.Path, "/showtimes/"), 10, 64)
	if _, err := dbtest.SQL(t, e.db).ExecContext(context.Background(), `UPDATE showtimes SET subtitle_language = 'es' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	_, doc = e.get(u.Path)
	if d := doc.Find(`meta[name="description"]`).AttrOr("content", ""); !strings.HasPrefix(d, "Book seats for The Lighthouse Keeper's Daughter") || !strings.Contains(d, "seats left") {
		t.Errorf("showtime meta description %q", d)
	}
	sev := jsonLD(t, doc)
	offers, _ := sev["offers"].([]any)
	if sev["@type"] != "ScreeningEvent" || sev["subtitleLanguage"] != "es" || sev["videoFormat"] == nil || len(offers) == 0 {
		t.Fatalf("showtime JSON-LD: %v", sev)
	}
	o := offers[0].(map[string]any)
	if o["price"] == nil || o["priceCurrency"] != "USD" || o["availability"] != "https://schema.org/InStock" {
		t.Errorf("offer: %v", o)
	}
	if wp, _ := sev["workPresented"].(map[string]any); wp["@type"] != "Movie" {
		t.Errorf("workPresented: %v", sev["workPresented"])
	}
	if doc.Find(`[data-testid="subtitles"]`).Length() != 1 {
		t.Error("the page doesn't say the showtime is subtitled")
	}
	// The subtitle language is checked by the database.
	if _, err := dbtest.SQL(t, e.db).ExecContext(context.Background(), `UPDATE showtimes SET subtitle_language = 'Spanish!' WHERE id = $1`, id); err == nil {
		t.Error("a malformed subtitle language was stored")
	}

	resp, body := e.do(httptest.NewRequest(http.MethodGet, "/robots.txt", nil))
	if resp.StatusCode != 200 || !strings.Contains(body, "Disallow: /orders/") || !strings.Contains(body, "Sitemap: ") {
		t.Errorf("robots.txt: %d\n%s", resp.StatusCode, body)
	}
	resp, body = e.do(httptest.NewRequest(http.MethodGet, "/sitemap.xml", nil))
	if resp.StatusCode != 200 || !strings.Contains(body, "/movies/the-lighthouse-keepers-daughter</loc>") || !strings.Contains(body, u.Path+"</loc>") {
		t.Errorf("sitemap: %d\n%.500s", resp.StatusCode, body)
	}
}

// TestConfirmationAndCalendar: a paid order's page says the customer is
// booked and where the tickets went, offers an .ics of the show (to those who
// may see the order only); after cancelling one seat it is struck out and
// the net total shown, on the order page and the receipt.
func TestConfirmationAndCalendar(t *testing.T) {
	e := newAfterSaleEnv(t, booking.AfterSale{})
	o := e.paid(nil, e.show.SeatIDs[2], e.show.SeatIDs[3])
	cl := e.acc.client()
	_, doc := cl.get(e.link(o.Code))
	conf := doc.Find(`[data-testid="confirmation"]`)
	if !strings.Contains(conf.Text(), "You're booked!") || doc.Find(`[data-testid="tickets-sent-to"]`).Text() != "buyer@example.com" {
		t.Fatalf("confirmation: %q", conf.Text())
	}
	if doc.Find(`meta[name="robots"]`).AttrOr("content", "") != "noindex" {
		t.Error("the order page may be indexed")
	}
	ics := doc.Find(`[data-testid="add-to-calendar"]`).AttrOr("href", "")
	raw, text := e.acc.do(httptest.NewRequest(http.MethodGet, ics, nil)) // the link carries the guest token
	if ct := raw.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Fatalf("calendar type %q", ct)
	}
	if raw.StatusCode != 200 || !strings.Contains(text, "BEGIN:VEVENT") || !strings.Contains(text, "DTSTART:20261125T200000Z") ||
		!strings.Contains(text, "A3\\, A4") {
		t.Fatalf("ics: %d\n%s", raw.StatusCode, text)
	}
	if resp, _ := e.acc.client().get("/orders/" + o.Code + "/calendar.ics"); resp.StatusCode != 404 {
		t.Errorf("a stranger got the calendar: %d", resp.StatusCode)
	}
	pending := dbtest.PendingOrder(t, e.acc.db, e.show, "later@example.com", nil, e.acc.clock.Now(), e.show.SeatIDs[9])
	if resp, _ := e.acc.do(httptest.NewRequest(http.MethodGet, "/orders/"+pending.Code+"/calendar.ics?t="+e.svc.Signer().LinkToken(pending.Code), nil)); resp.StatusCode != 404 {
		t.Errorf("an unpaid order's calendar: %d", resp.StatusCode)
	}

	cl.get("/orders/" + o.Code + "/cancel")
	resp, _ := cl.post("/orders/"+o.Code+"/cancel", url.Values{"seat": {"A3"}})
	wantRedirect(t, resp, "/orders/"+o.Code)
	_, doc = cl.get("/orders/" + o.Code)
	if doc.Find(`[data-testid="order-item"][data-status="cancelled"] s`).Length() != 2 {
		t.Errorf("the cancelled seat is not struck out: %s", doc.Find(`[data-testid="order-item"]`).Text())
	}
	total := doc.Find(`[data-testid="order-total"]`).Text()
	if doc.Find(`[data-testid="order-refunded"]`).Text() == "" || doc.Find(`[data-testid="order-net"]`).Text() == "" || doc.Find(`[data-testid="order-net"]`).Text() == total {
		t.Errorf("no net total after the cancellation: %s", doc.Find("dl").Text())
	}
	_, doc = cl.get("/orders/" + o.Code + "/receipt")
	if doc.Find(`[data-testid="receipt-net"]`).Length() != 1 || doc.Find(`[data-testid="table-scroll"] table`).Length() != 1 {
		t.Errorf("receipt: %s", doc.Find("article").Text())
	}
}
