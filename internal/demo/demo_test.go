package demo

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"marquee/static"
)

// The demo programme is valid whatever the time of day it is seeded.
func TestSeedAtAnyHour(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds several databases")
	}
	base := time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC) // DST change day in the US
	for _, h := range []int{3, 7, 14, 23} {
		now := base.Add(time.Duration(h)*time.Hour + 52*time.Minute)
		c, err := Catalog(now)
		if err != nil {
			t.Fatal(err)
		}
		// Check overlaps in Go (the database checks them too, in TestSeedDemoProgramme).
		type key struct{ theatre, screen string }
		last := map[key]time.Time{}
		found := false
		for _, s := range c.Showtimes {
			k := key{s.TheatreSlug, s.Auditorium}
			if s.StartsAt.Before(last[k]) {
				t.Fatalf("seed at %v: overlap in %v at %v", now, k, s.StartsAt)
			}
			last[k] = s.ReadyAt
			if d := s.StartsAt.Sub(now); d >= 14*time.Minute && d <= 16*time.Minute {
				found = true
			}
		}
		if !found {
			t.Errorf("seed at %v: no showtime ~15 minutes later", now)
		}
	}
}

// Every demo movie has its poster in the embedded static files.
func TestPostersExist(t *testing.T) {
	c, err := Catalog(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range c.Movies {
		b, err := fs.ReadFile(static.FS, strings.TrimPrefix(m.Poster, "/static/"))
		if err != nil || !strings.Contains(string(b), "<svg") {
			t.Errorf("%s: poster %s: %v", m.Slug, m.Poster, err)
		}
	}
}
