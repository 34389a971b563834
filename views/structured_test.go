package views

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"marquee/booking"
)

func TestISODurationAndSummarize(t *testing.T) {
	for min, want := range map[int]string{0: "", 45: "PT45M", 60: "PT1H0M", 112: "PT1H52M"} {
		if got := isoDuration(min); got != want {
			t.Errorf("isoDuration(%d) = %q, want %q", min, got, want)
		}
	}
	long := strings.Repeat("word ", 60)
	if s := Summarize(long, 155); len([]rune(s)) > 155 || !strings.HasSuffix(s, "…") || strings.Contains(s, "  ") {
		t.Errorf("Summarize: %q", s)
	}
	if s := Summarize("  short\n text ", 155); s != "short text" {
		t.Errorf("Summarize(short) = %q", s)
	}
}

func TestChipLabelStartsWithVisibleText(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	at := time.Date(2026, 11, 25, 18, 30, 0, 0, time.UTC)
	td := booking.TheatreDays{TimeZone: "America/New_York", Loc: ny}
	for format, visible := range map[string]string{"IMAX": "13:30 IMAX", "2D": "13:30"} {
		l := chipLabel(booking.Listing{StartsAt: at, AuditoriumName: "Screen 1", Format: format}, td)
		if !strings.HasPrefix(l, visible+",") || !strings.Contains(l, "Screen 1") {
			t.Errorf("%s chip named %q, shows %q", format, l, visible)
		}
	}
}

// TestScreeningJSONLD: offers carry price, currency and availability; sold
// out and closed sales say so; the JSON is escaped for a script element.
func TestScreeningJSONLD(t *testing.T) {
	start := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	v := ShowtimeView{
		Info: booking.ShowtimeInfo{
			Showtime: booking.Showtime{ID: 7, StartsAt: start, EndsAt: start.Add(2 * time.Hour), SalesCloseAt: start, Format: "IMAX", SubtitleLanguage: "es"},
			Movie:    booking.Movie{Title: "</script><b>x", Slug: "x", Poster: "/static/img/posters/nightjar.svg"},
			Theatre:  booking.Theatre{Name: "Marquee", TimeZone: "UTC"},
		},
		Sales: booking.Sales{State: booking.SalesOpen},
		Zones: []booking.ZonePrice{{Kind: "standard", MinCents: 1250, MaxCents: 1250}, {Kind: "premium", MinCents: 1500, MaxCents: 1800}},
	}
	js := ScreeningJSONLD(v, "https://t.example", "usd", 100)
	if strings.Contains(js, "</script>") {
		t.Fatal("JSON-LD can end its script element")
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(js), &ev); err != nil {
		t.Fatal(err)
	}
	offers := ev["offers"].([]any)
	o := offers[0].(map[string]any)
	if ev["videoFormat"] != "IMAX" || ev["subtitleLanguage"] != "es" || o["price"] != "12.50" || o["priceCurrency"] != "USD" ||
		o["availability"] != "https://schema.org/InStock" || ev["url"] != "https://t.example/showtimes/7" {
		t.Fatalf("event %v", ev)
	}
	if !strings.HasPrefix(ev["image"].(string), "https://t.example/static/img/posters/nightjar.") {
		t.Errorf("image %v", ev["image"])
	}
	for left, want := range map[int]string{0: "https://schema.org/SoldOut", 5: "https://schema.org/LimitedAvailability"} {
		json.Unmarshal([]byte(ScreeningJSONLD(v, "https://t.example", "usd", left)), &ev)
		if got := ev["offers"].([]any)[0].(map[string]any)["availability"]; got != want {
			t.Errorf("%d seats left: %v, want %s", left, got, want)
		}
	}
}
