package handlers_test

import (
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// serveFast runs one request through the app's fasthttp handler (no network,
// no app.Test pipe), the way the server does. It returns the status.
func serveFast(h fasthttp.RequestHandler, ctx *fasthttp.RequestCtx, uri string) int {
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.Request.Header.SetMethod(fasthttp.MethodGet)
	ctx.Request.SetRequestURI(uri)
	h(ctx)
	return ctx.Response.StatusCode()
}

func benchmarkPath(b *testing.B, uri string, expire bool) {
	e := newCatalogEnv(b)
	h := e.app.Handler()
	var ctx fasthttp.RequestCtx
	if st := serveFast(h, &ctx, uri); st != 200 {
		b.Fatalf("%s: status %d", uri, st)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if expire {
			e.clock.Advance(time.Minute) // every request finds its cache entry expired
		}
		if st := serveFast(h, &ctx, uri); st != 200 {
			b.Fatalf("status %d", st)
		}
	}
}

// The what's-on page from the cache: layout per request, content cached.
func BenchmarkWhatsOnPage(b *testing.B) { benchmarkPath(b, "/?date=2026-11-26", false) }

// The what's-on page rendered from the database every time.
func BenchmarkWhatsOnPageUncached(b *testing.B) { benchmarkPath(b, "/?date=2026-11-26", true) }

func BenchmarkMoviePage(b *testing.B) { benchmarkPath(b, "/movies/nightjar", false) }

func BenchmarkAPIMovies(b *testing.B) { benchmarkPath(b, "/api/v1/movies", false) }

func BenchmarkAPIMoviesUncached(b *testing.B) { benchmarkPath(b, "/api/v1/movies", true) }

func BenchmarkAPIShowtimes(b *testing.B) {
	benchmarkPath(b, "/api/v1/showtimes?date=2026-11-26", false)
}
