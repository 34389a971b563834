package db_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
)

func catalogVersion(t *testing.T, store *db.DB) int64 {
	t.Helper()
	var v int64
	if err := dbtest.SQL(t, store).Get(&v, `SELECT version FROM catalog_version`); err != nil {
		t.Fatal(err)
	}
	return v
}

func newMovie(title string) booking.Movie {
	return booking.Movie{Title: title, OriginalTitle: "Orig " + title, Genres: []string{"Drama"}, Director: "D",
		Cast: []string{"A", "B"}, RuntimeMin: 100, Rating: "PG", Synopsis: "S", TrailerURL: "https://example.com/t",
		ReleaseDate: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Distributor: "Dist"}
}

func TestCreateMovieSlugsAndTrigger(t *testing.T) {
	store := dbtest.New(t, booking.NewManualClock(demoNow))
	ctx := context.Background()
	v0 := catalogVersion(t, store)
	m, err := store.CreateMovie(ctx, newMovie("Nightjar"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Slug != "nightjar" || m.OriginalTitle != "Orig Nightjar" || m.Distributor != "Dist" || len(m.Cast) != 2 || m.Archived() {
		t.Errorf("created %+v", m)
	}
	if catalogVersion(t, store) == v0 {
		t.Error("creating a movie didn't bump the catalogue version")
	}
	// The same title again, concurrently: every one gets its own slug.
	var wg sync.WaitGroup
	slugs := make(chan string, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := store.CreateMovie(ctx, newMovie("Nightjar"))
			if err != nil {
				t.Error(err)
				return
			}
			slugs <- m.Slug
		}()
	}
	wg.Wait()
	close(slugs)
	seen := map[string]bool{"nightjar": true}
	for s := range slugs {
		if seen[s] || !strings.HasPrefix(s, "nightjar-") {
			t.Errorf("slug %q (seen %v)", s, seen)
		}
		seen[s] = true
	}
	// A LIKE wildcard in a title doesn't match other slugs.
	if m, err := store.CreateMovie(ctx, newMovie("100%")); err != nil || m.Slug != "100" {
		t.Errorf("100%%: %+v %v", m.Slug, err)
	}
}

func TestUpdateMovie(t *testing.T) {
	store := dbtest.New(t, booking.NewManualClock(demoNow))
	ctx := context.Background()
	m, err := store.CreateMovie(ctx, newMovie("Low Tide"))
	if err != nil {
		t.Fatal(err)
	}
	v0 := catalogVersion(t, store)
	edit := newMovie("Low Tide (Director's Cut)")
	edit.RuntimeMin = 131
	edit.Genres = []string{"Drama", "Romance"}
	before, after, err := store.UpdateMovie(ctx, m.ID, edit)
	if err != nil {
		t.Fatal(err)
	}
	if before.Title != "Low Tide" || after.Title != "Low Tide (Director's Cut)" || after.RuntimeMin != 131 || len(after.Genres) != 2 {
		t.Errorf("before %+v after %+v", before, after)
	}
	if after.Slug != "low-tide" {
		t.Errorf("slug changed to %q: links would break", after.Slug)
	}
	if catalogVersion(t, store) == v0 {
		t.Error("editing didn't bump the catalogue version")
	}
	if _, _, err := store.UpdateMovie(ctx, 999999, edit); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Errorf("unknown movie: %v", err)
	}
}

func TestArchiveMovie(t *testing.T) {
	clock := booking.NewManualClock(demoNow)
	store := dbtest.New(t, clock)
	ctx := context.Background()
	show := dbtest.AddShowtime(t, store, demoNow.Add(48*time.Hour))
	// A scheduled showtime to come: refused, naming it.
	_, err := store.ArchiveMovie(ctx, show.MovieID, demoNow)
	if booking.ErrorCode(err) != booking.ECONFLICT {
		t.Fatalf("archive with a showtime to come: %v", err)
	}
	if msg := booking.ErrorMessage(err); !strings.Contains(msg, "1 scheduled showtime") || !strings.Contains(msg, "Test Picturehouse, Screen 1") {
		t.Errorf("message %q", msg)
	}
	if m, _ := store.MovieByID(ctx, show.MovieID); m.Archived() {
		t.Fatal("archived although refused")
	}
	// Once the show is over it can go.
	later := show.StartsAt.Add(3 * time.Hour)
	v0 := catalogVersion(t, store)
	m, err := store.ArchiveMovie(ctx, show.MovieID, later)
	if err != nil || !m.Archived() || !m.ArchivedAt.Equal(later) {
		t.Fatalf("archive after the show: %+v, %v", m.ArchivedAt, err)
	}
	if catalogVersion(t, store) == v0 {
		t.Error("archiving didn't bump the catalogue version")
	}
	// Archived movies leave the public lists, and are listed as archived.
	if ms, _, _ := store.ListMovies(ctx, booking.CatalogFilter{}, later, 50, 0); len(ms) != 0 {
		t.Errorf("public list still has %d movies", len(ms))
	}
	cur, _, _ := store.ManageMovies(ctx, db.MovieFilter{}, later)
	arch, n, err := store.ManageMovies(ctx, db.MovieFilter{Archived: true, Query: "test pic"}, later)
	if err != nil || len(cur) != 0 || n != 1 || len(arch) != 1 || arch[0].ID != show.MovieID {
		t.Errorf("current %d, archived %d (%d): %v", len(cur), len(arch), n, err)
	}
	// A cancelled showtime doesn't hold a movie back.
	m2, _ := store.CreateMovie(ctx, newMovie("Other"))
	if _, err := store.UnarchiveMovie(ctx, m.ID, later); err != nil {
		t.Fatal(err)
	}
	if m, _ := store.MovieByID(ctx, m.ID); m.Archived() {
		t.Error("still archived")
	}
	if _, err := store.ArchiveMovie(ctx, m2.ID, demoNow); err != nil {
		t.Errorf("archive a movie without showtimes: %v", err)
	}
}

func TestManageMoviesCountsUpcoming(t *testing.T) {
	store := dbtest.New(t, booking.NewManualClock(demoNow))
	ctx := context.Background()
	show := dbtest.AddShowtime(t, store, demoNow.Add(2*time.Hour))
	ms, total, err := store.ManageMovies(ctx, db.MovieFilter{Query: "TEST"}, demoNow)
	if err != nil || total != 1 || ms[0].ID != show.MovieID || ms[0].Upcoming != 1 {
		t.Fatalf("%+v %d %v", ms, total, err)
	}
	ms, _, _ = store.ManageMovies(ctx, db.MovieFilter{}, demoNow.Add(5*time.Hour))
	if ms[0].Upcoming != 0 {
		t.Errorf("a past show counted as upcoming")
	}
	if ms, _, _ := store.ManageMovies(ctx, db.MovieFilter{Query: "nothing like it"}, demoNow); len(ms) != 0 {
		t.Errorf("search matched %d", len(ms))
	}
}

func TestSetPoster(t *testing.T) {
	store := dbtest.New(t, booking.NewManualClock(demoNow))
	ctx := context.Background()
	m, _ := store.CreateMovie(ctx, newMovie("Orbit of Glass"))
	imgs := []db.PosterImage{
		{Size: "card", ContentType: "image/jpeg", Width: 192, Height: 288, Data: []byte("card-bytes"), Digest: strings.Repeat("a", 64)},
		{Size: "detail", ContentType: "image/jpeg", Width: 440, Height: 660, Data: []byte("detail-bytes"), Digest: strings.Repeat("b", 64)},
	}
	v0 := catalogVersion(t, store)
	_, after, err := store.SetPoster(ctx, m.ID, imgs)
	if err != nil {
		t.Fatal(err)
	}
	if after.Poster != booking.PosterURL(imgs[1].Digest) || after.CardPoster() != booking.PosterURL(imgs[0].Digest) {
		t.Errorf("poster %q card %q", after.Poster, after.PosterCard)
	}
	if catalogVersion(t, store) == v0 {
		t.Error("a new poster didn't bump the catalogue version")
	}
	p, err := store.PosterByDigest(ctx, imgs[1].Digest)
	if err != nil || string(p.Data) != "detail-bytes" || p.ContentType != "image/jpeg" {
		t.Fatalf("%+v %v", p, err)
	}
	// A new upload replaces the old renditions: one row per size.
	imgs[0].Digest, imgs[0].Data = strings.Repeat("c", 64), []byte("new card")
	imgs[1].Digest, imgs[1].Data = strings.Repeat("d", 64), []byte("new detail")
	before, _, err := store.SetPoster(ctx, m.ID, imgs)
	if err != nil || before.Poster != booking.PosterURL(strings.Repeat("b", 64)) {
		t.Fatalf("second upload: %v (before %q)", err, before.Poster)
	}
	var rows int
	dbtest.SQL(t, store).Get(&rows, `SELECT count(*) FROM movie_posters WHERE movie_id = $1`, m.ID)
	if rows != 2 {
		t.Errorf("%d poster rows, want 2", rows)
	}
	if _, err := store.PosterByDigest(ctx, strings.Repeat("b", 64)); booking.ErrorCode(err) != booking.ENOTFOUND {
		t.Errorf("replaced poster: %v", err)
	}
	if _, _, err := store.SetPoster(ctx, m.ID, imgs[:1]); err == nil {
		t.Error("a poster without its detail rendition was stored")
	}
}

// Migration 00018 goes down (movies keep their rows, the poster table goes)
// and up again.
func TestMovieAdminMigrationDown(t *testing.T) {
	store := dbtest.New(t, booking.NewManualClock(demoNow))
	ctx := context.Background()
	m, err := store.CreateMovie(ctx, newMovie("Down And Up"))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.MigrateDownTo(ctx, 17); err != nil { // 17: another branch's, left alone
		t.Fatalf("down to 17: %v", err)
	}
	var n int
	sqlDB := dbtest.SQL(t, store)
	if err := sqlDB.Get(&n, `SELECT count(*) FROM movies WHERE slug = 'down-and-up'`); err != nil || n != 1 {
		t.Fatalf("movie after down: %d %v", n, err)
	}
	if err := sqlDB.Get(&n, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'movie_posters'`); err != nil || n != 0 {
		t.Fatalf("movie_posters still there: %d %v", n, err)
	}
	if err := store.Migrate(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if got, err := store.MovieByID(ctx, m.ID); err != nil || got.Title != "Down And Up" || got.OriginalTitle != "" {
		t.Fatalf("after up: %+v %v", got, err)
	}
}
