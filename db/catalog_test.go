package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/internal/demo"
)

// demoNow is a fixed instant: 13:00 in New York, 10:00 in Los Angeles.
var demoNow = time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)

func seeded(t testing.TB) (*db.DB, *booking.ManualClock) {
	t.Helper()
	clock := booking.NewManualClock(demoNow)
	store := dbtest.New(t, clock)
	cat, err := demo.Catalog(demoNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SeedCatalog(context.Background(), cat); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return store, clock
}

func TestSeedCatalogRefusesNonEmpty(t *testing.T) {
	store, _ := seeded(t)
	cat, _ := demo.Catalog(demoNow)
	if err := store.SeedCatalog(context.Background(), cat); !errors.Is(err, db.ErrNotEmpty) {
		t.Fatalf("second seed: %v, want ErrNotEmpty", err)
	}
}

func TestWhatsOn(t *testing.T) {
	store, _ := seeded(t)
	ctx := context.Background()
	progs, err := store.WhatsOn(ctx, booking.CatalogFilter{Date: "2026-11-25"}, demoNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(progs) < 8 {
		t.Fatalf("movies today = %d", len(progs))
	}
	theatres := map[int64]bool{}
	for i, p := range progs {
		if i > 0 && progs[i-1].Movie.Title > p.Movie.Title {
			t.Errorf("not ordered by title: %q before %q", progs[i-1].Movie.Title, p.Movie.Title)
		}
		if p.Movie.Title == "" || len(p.Movie.Genres) == 0 {
			t.Errorf("movie without details: %+v", p.Movie)
		}
		for _, td := range p.Theatres {
			theatres[td.TheatreID] = true
			for _, d := range td.Days {
				if d.Date != "2026-11-25" {
					t.Errorf("%s: day %s", p.Movie.Title, d.Date)
				}
				for i, s := range d.Showtimes {
					if !s.SalesCloseAt.After(demoNow) {
						t.Errorf("showtime %d closed at %v is listed", s.ID, s.SalesCloseAt)
					}
					if got := s.StartsAt.In(td.Location()).Format(booking.DateLayout); got != d.Date {
						t.Errorf("showtime %d starts on %s local, listed on %s", s.ID, got, d.Date)
					}
					if i > 0 && d.Showtimes[i-1].StartsAt.After(s.StartsAt) {
						t.Errorf("showtimes out of order")
					}
				}
			}
		}
	}
	if len(theatres) != 3 {
		t.Errorf("theatres today = %d", len(theatres))
	}

	ts, err := store.Theatres(ctx)
	if err != nil || len(ts) != 3 {
		t.Fatalf("theatres: %v %v", ts, err)
	}
	// Filters: theatre, genre (case-insensitive), title.
	byTheatre, _ := store.WhatsOn(ctx, booking.CatalogFilter{Date: "2026-11-26", TheatreID: ts[0].ID}, demoNow)
	for _, p := range byTheatre {
		for _, td := range p.Theatres {
			if td.TheatreID != ts[0].ID {
				t.Errorf("theatre filter let theatre %d through", td.TheatreID)
			}
		}
	}
	if len(byTheatre) == 0 {
		t.Error("no showtimes tomorrow in the first theatre")
	}
	byGenre, _ := store.WhatsOn(ctx, booking.CatalogFilter{Date: "2026-11-26", Genre: "animation"}, demoNow)
	if len(byGenre) == 0 {
		t.Error("no animation tomorrow")
	}
	for _, p := range byGenre {
		if !contains(p.Movie.Genres, "Animation") {
			t.Errorf("genre filter let %q through", p.Movie.Title)
		}
	}
	byTitle, _ := store.WhatsOn(ctx, booking.CatalogFilter{Date: "2026-11-26", Query: "NIGHT"}, demoNow)
	if len(byTitle) != 1 || byTitle[0].Movie.Slug != "nightjar" {
		t.Errorf("title search: %d results", len(byTitle))
	}
	none, err := store.WhatsOn(ctx, booking.CatalogFilter{Date: "2030-01-01"}, demoNow)
	if err != nil || len(none) != 0 {
		t.Errorf("far future: %d, %v", len(none), err)
	}
	// Percent and underscore are plain characters in a title search.
	if odd, _ := store.WhatsOn(ctx, booking.CatalogFilter{Date: "2026-11-26", Query: "%"}, demoNow); len(odd) != 0 {
		t.Errorf("search for %%: %d results", len(odd))
	}
}

func TestListMoviesFiltersAndPages(t *testing.T) {
	store, _ := seeded(t)
	ctx := context.Background()
	all, total, err := store.ListMovies(ctx, booking.CatalogFilter{}, demoNow, 100, 0)
	if err != nil || total != 12 || len(all) != 12 {
		t.Fatalf("all: %d of %d, %v", len(all), total, err)
	}
	p2, total2, err := store.ListMovies(ctx, booking.CatalogFilter{}, demoNow, 5, 5)
	if err != nil || total2 != 12 || len(p2) != 5 || p2[0].ID != all[5].ID {
		t.Fatalf("page 2: %d of %d, %v", len(p2), total2, err)
	}
	past, total3, err := store.ListMovies(ctx, booking.CatalogFilter{}, demoNow, 5, 100)
	if err != nil || total3 != 12 || len(past) != 0 {
		t.Fatalf("past the end: %d of %d, %v", len(past), total3, err)
	}
	drama, n, _ := store.ListMovies(ctx, booking.CatalogFilter{Genre: "DRAMA"}, demoNow, 100, 0)
	if n == 0 || n != len(drama) {
		t.Fatalf("drama: %d/%d", len(drama), n)
	}
	for _, m := range drama {
		if !contains(m.Genres, "Drama") {
			t.Errorf("%s is not a drama", m.Title)
		}
	}
	ts, _ := store.Theatres(ctx)
	_, n, err = store.ListMovies(ctx, booking.CatalogFilter{TheatreID: ts[0].ID, Date: "2026-11-27"}, demoNow, 100, 0)
	if err != nil || n == 0 || n > 12 {
		t.Fatalf("theatre and date: %d, %v", n, err)
	}
	_, n, _ = store.ListMovies(ctx, booking.CatalogFilter{Date: "2031-01-01"}, demoNow, 100, 0)
	if n != 0 {
		t.Errorf("movies on a day without showtimes: %d", n)
	}
	m, err := store.MovieBySlug(ctx, "nightjar")
	if err != nil || m.Title != "Nightjar" || len(m.Cast) == 0 {
		t.Fatalf("by slug: %+v %v", m, err)
	}
	if m2, err := store.MovieByID(ctx, m.ID); err != nil || m2.Slug != "nightjar" {
		t.Fatalf("by id: %+v %v", m2, err)
	}
	if _, err := store.MovieBySlug(ctx, "no-such-movie"); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Fatalf("unknown slug: %v", err)
	}
	if gs, err := store.Genres(ctx); err != nil || !contains(gs, "Documentary") {
		t.Fatalf("genres: %v %v", gs, err)
	}
}

func TestMovieShowtimesGroupedByTheatreAndDay(t *testing.T) {
	store, _ := seeded(t)
	ctx := context.Background()
	m, _ := store.MovieBySlug(ctx, "kilowatt-kids")
	tds, err := store.MovieShowtimes(ctx, m.ID, demoNow, 8)
	if err != nil || len(tds) == 0 {
		t.Fatalf("%v %v", tds, err)
	}
	seen := map[int64]bool{}
	for _, td := range tds {
		if seen[td.TheatreID] {
			t.Errorf("theatre %d listed twice", td.TheatreID)
		}
		seen[td.TheatreID] = true
		for i, d := range td.Days {
			if i > 0 && td.Days[i-1].Date >= d.Date {
				t.Errorf("days out of order: %s then %s", td.Days[i-1].Date, d.Date)
			}
			for _, s := range d.Showtimes {
				if s.MovieID != m.ID || !s.SalesCloseAt.After(demoNow) {
					t.Errorf("showtime %+v", s)
				}
			}
		}
	}
}

func TestListShowtimesSeatsLeft(t *testing.T) {
	store, clock := seeded(t)
	ctx := context.Background()
	ls, err := store.ListShowtimes(ctx, db.ShowtimeFilter{Date: "2026-11-25"}, demoNow)
	if err != nil || len(ls) == 0 {
		t.Fatalf("%d, %v", len(ls), err)
	}
	s := ls[0]
	if s.SeatsLeft != s.Capacity {
		t.Fatalf("fresh showtime: %d left of %d", s.SeatsLeft, s.Capacity)
	}
	// Two live holds and an expired one: two seats are gone. (Sales are claims
	// without expires_at; they count the same way.)
	_, err = dbtest.SQL(t, store).ExecContext(ctx, `
		INSERT INTO seat_claims (showtime_id, seat_id, cart_id, expires_at)
		SELECT $1, id, 'cart',
		       CASE number WHEN 1 THEN $2::timestamptz + interval '30 minutes'
		                   WHEN 2 THEN $2::timestamptz + interval '5 minutes'
		                   ELSE $2::timestamptz - interval '1 minute' END
		FROM seats WHERE auditorium_id = $3 AND row_label = 'A' AND number <= 3`, s.ID, clock.Now(), s.AuditoriumID)
	if err != nil {
		t.Fatal(err)
	}
	ls, err = store.ListShowtimes(ctx, db.ShowtimeFilter{Date: "2026-11-25", MovieID: s.MovieID, TheatreID: s.TheatreID}, demoNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.MovieID != s.MovieID || l.TheatreID != s.TheatreID {
			t.Errorf("filters let %+v through", l)
		}
		if l.ID == s.ID && l.SeatsLeft != s.Capacity-2 {
			t.Errorf("seats left = %d, want %d", l.SeatsLeft, s.Capacity-2)
		}
	}
	// When the live hold expires, its seat is free again.
	later := demoNow.Add(6 * time.Minute)
	ls, _ = store.ListShowtimes(ctx, db.ShowtimeFilter{Date: "2026-11-25", MovieID: s.MovieID, TheatreID: s.TheatreID}, later)
	for _, l := range ls {
		if l.ID == s.ID && l.SeatsLeft != s.Capacity-1 {
			t.Errorf("after expiry: seats left = %d, want %d", l.SeatsLeft, s.Capacity-1)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func BenchmarkWhatsOnQuery(b *testing.B) {
	store, _ := seeded(b)
	ctx := context.Background()
	f := booking.CatalogFilter{Date: "2026-11-26"}
	for b.Loop() {
		if _, err := store.WhatsOn(ctx, f, demoNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListMoviesQuery(b *testing.B) {
	store, _ := seeded(b)
	ctx := context.Background()
	for b.Loop() {
		if _, _, err := store.ListMovies(ctx, booking.CatalogFilter{}, demoNow, 20, 0); err != nil {
			b.Fatal(err)
		}
	}
}
