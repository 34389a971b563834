// Command loadgen is the booking load benchmark (make bench-booking). It starts
// Marquee in-process on 127.0.0.1 over a throwaway database (marquee_bench_*,
// on the server the tests use — never yours) holding one 200-seat showtime,
// then, for each client count, has that many browser-like clients (their own
// cookie session and CSRF token, htmx headers) try to hold seats through the
// real HTTP routes, and after that fetch the seat map page and its partial.
// It prints hold attempts/s with p50/p99 latency, page and partial req/s
// (closed loop, then at a fixed -rate in open loop), the CPU time this process
// (server and clients, not PostgreSQL) spent per counted request — steadier
// than req/s on a shared machine — and an integrity check of the database (no
// seat claimed or sold twice, sold + held ≤ capacity). Only
// 127.0.0.1; each phase is bounded by -duration.
//
//	loadgen [-clients 16,64,256] [-duration 5s] [-keep 2] [-rate 10000] [-phases holds,page,partial]
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
	"github.com/valyala/fasthttp"

	"marquee/booking"
	"marquee/config"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/handlers"
	"marquee/internal/app"
	"marquee/internal/devpg"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type options struct {
	clients    []int
	duration   time.Duration
	keep       int
	cpuProfile string
	phases     map[string]bool
	rate       int
}

func parseFlags() (options, error) {
	var o options
	clients := flag.String("clients", "16,64,256", "comma-separated client counts")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "length of each phase (holds, page, partial) per client count")
	flag.IntVar(&o.keep, "keep", 2, "seats a client keeps held before releasing its oldest")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.IntVar(&o.rate, "rate", 10000, "also run the page and partial phases at this fixed total request rate (open loop, latency from each request's scheduled start); 0 skips it")
	phases := flag.String("phases", "holds,page,partial", "comma-separated phases to run: holds, page, partial")
	flag.Parse()
	o.phases = map[string]bool{}
	for _, p := range strings.Split(*phases, ",") {
		switch p = strings.TrimSpace(p); p {
		case "holds", "page", "partial":
			o.phases[p] = true
		default:
			return o, fmt.Errorf("-phases: unknown phase %q", p)
		}
	}
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 2000 {
			return o, fmt.Errorf("-clients: %q is not a number from 1 to 2000", s)
		}
		o.clients = append(o.clients, n)
	}
	if o.duration < time.Second || o.duration > 2*time.Minute {
		return o, errors.New("-duration must be between 1s and 2m")
	}
	return o, nil
}

func run(ctx context.Context) error {
	opt, err := parseFlags()
	if err != nil {
		return err
	}
	if opt.cpuProfile != "" {
		f, err := os.Create(opt.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	dsn, drop, err := createDatabase(ctx)
	if err != nil {
		return err
	}
	defer drop()

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	clock := booking.SystemClock{}
	maxConns := 2*runtime.NumCPU() + 4 // as marquee serve: HTTP concurrency never becomes DB concurrency
	store, err := db.Open(ctx, dsn, db.Options{MaxConns: maxConns, Clock: clock, Logger: logger})
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	raw, err := dbtest.Conn(ctx, store) // the benchmark's own resets and integrity check
	if err != nil {
		return err
	}
	defer raw.Close()
	show, err := dbtest.CreateShowtime(ctx, store, time.Now().Add(6*time.Hour).Truncate(time.Minute))
	if err != nil {
		return err
	}
	notifier, err := db.NewNotifier(dsn, logger, db.NotifyChannels...)
	if err != nil {
		return err
	}
	defer notifier.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	// The wiring of marquee serve (internal/app) with the test configuration.
	// Rate limits off: every client comes from 127.0.0.1 and would share one
	// per-IP order budget.
	cfg := config.ForTest()
	cfg.BaseURL = "http://" + addr
	a, err := app.New(cfg, app.Deps{DB: store, Notifier: notifier, Clock: clock, Logger: logger, Limits: &handlers.RateLimits{}})
	if err != nil {
		return err
	}
	defer a.Close()
	go a.Serve(ln)
	defer a.Fiber.ShutdownWithTimeout(5 * time.Second)

	fmt.Printf("marquee in-process on %s · GOMAXPROCS %d · DB pool %d · showtime %d (200 seats) · %s per phase\n",
		addr, runtime.GOMAXPROCS(0), maxConns, show.ShowtimeID, opt.duration)
	fmt.Println("The machine may be shared with other work: figures are indicative.")
	fmt.Println()
	fmt.Printf("%7s  %-11s %6s %9s %9s %9s %9s %8s %8s %8s\n", "clients", "phase", "req/s", "p50 ms", "p99 ms", "ok", "409", "422/410", "other", "cpu µs")

	failed := false
	for _, n := range opt.clients {
		if ctx.Err() != nil {
			break
		}
		if _, err := raw.ExecContext(ctx, `DELETE FROM seat_claims WHERE showtime_id = $1`, show.ShowtimeID); err != nil {
			return err
		}
		if _, err := raw.ExecContext(ctx, `DELETE FROM orders WHERE showtime_id = $1`, show.ShowtimeID); err != nil {
			return err
		}
		time.Sleep(200 * time.Millisecond) // let the snapshots hear about the reset
		hc := &fasthttp.HostClient{Addr: addr, MaxConns: n + 8, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second,
			MaxIdleConnDuration: time.Minute}
		clients := make([]*client, n)
		for i := range clients {
			c := &client{hc: hc, base: "http://" + addr, showtime: show.ShowtimeID, seats: show.SeatIDs,
				rnd: mrand.New(mrand.NewPCG(uint64(n), uint64(i))), keep: opt.keep, cookies: map[string]string{}}
			if err := c.start(); err != nil {
				return fmt.Errorf("client %d: %w", i, err)
			}
			clients[i] = c
		}
		if opt.phases["holds"] {
			holds := phase(ctx, clients, opt.duration, (*client).holdStep)
			holds.print(n, "holds")
		}
		// Everyone checks out what they hold: pending orders, seats sold-to-be.
		var checkedOut atomic.Int64
		var wg sync.WaitGroup
		var failMu sync.Mutex
		failures := map[string]int{}
		for _, c := range clients {
			wg.Add(1)
			go func(c *client) {
				defer wg.Done()
				if len(c.held) == 0 {
					return
				}
				if err := c.checkout(); err != nil {
					failMu.Lock()
					failures[err.Error()]++
					failMu.Unlock()
					return
				}
				checkedOut.Add(1)
			}(c)
		}
		wg.Wait()
		if len(failures) > 0 {
			fmt.Printf("%7s  checkout failures: %v (holds that ran out or were re-taken)\n", "", failures)
		}
		for _, read := range []struct {
			name string
			step func(*client) (int, time.Duration, error)
		}{{"page", (*client).pageStep}, {"partial", (*client).partialStep}} {
			if !opt.phases[read.name] {
				continue
			}
			phase(ctx, clients, opt.duration, read.step).print(n, read.name)
			if opt.rate > 0 {
				phaseAt(ctx, clients, opt.duration, opt.rate, read.step).print(n, read.name+"@"+strconv.Itoa(opt.rate/1000)+"k")
			}
		}
		ok, msg := integrity(ctx, raw, show)
		fmt.Printf("%7s  integrity: %s (%d clients checked out)\n", "", msg, checkedOut.Load())
		if !ok {
			failed = true
		}
		hc.CloseIdleConnections()
	}
	if failed {
		return errors.New("integrity check failed")
	}
	return nil
}

// stats collects one phase's results.
type stats struct {
	elapsed time.Duration
	cpu     time.Duration // this process's CPU time (server and clients) during the phase
	lat     []time.Duration
	status  map[int]int
	errs    int
}

func (s stats) print(clients int, name string) {
	sort.Slice(s.lat, func(i, j int) bool { return s.lat[i] < s.lat[j] })
	pct := func(p float64) float64 {
		if len(s.lat) == 0 {
			return 0
		}
		i := int(math.Ceil(p*float64(len(s.lat)))) - 1
		return float64(s.lat[max(i, 0)]) / float64(time.Millisecond)
	}
	rate := float64(len(s.lat)) / s.elapsed.Seconds()
	other := s.errs
	for code, k := range s.status {
		if code != 200 && code != 409 && code != 422 && code != 410 {
			other += k
		}
	}
	perReq := 0.0 // CPU per counted request: steady where req/s follows the neighbours' load
	if len(s.lat) > 0 {
		perReq = float64(s.cpu) / float64(time.Microsecond) / float64(len(s.lat))
	}
	fmt.Printf("%7d  %-11s %6.0f %9.2f %9.2f %9d %9d %8d %8d %8.0f\n", clients, name, rate, pct(0.50), pct(0.99),
		s.status[200], s.status[409], s.status[422]+s.status[410], other, perReq)
}

// phase runs step on every client until d has passed, closed loop: each
// client sends its next request as soon as it has the answer.
func phase(ctx context.Context, clients []*client, d time.Duration, step func(*client) (int, time.Duration, error)) stats {
	return runPhase(ctx, clients, d, 0, step)
}

// phaseAt is phase at a fixed total rate (open loop): each client sends on its
// own schedule (rate/len(clients) requests a second, staggered), and a
// request's latency counts from when it was due, not from when it was sent,
// so a server that falls behind shows it in the latency instead of slowing
// the load down (no coordinated omission). req/s is what was completed.
func phaseAt(ctx context.Context, clients []*client, d time.Duration, rate int, step func(*client) (int, time.Duration, error)) stats {
	return runPhase(ctx, clients, d, time.Duration(float64(time.Second)*float64(len(clients))/float64(rate)), step)
}

// runPhase is phase (every == 0) or phaseAt (a request per client every every).
func runPhase(ctx context.Context, clients []*client, d, every time.Duration, step func(*client) (int, time.Duration, error)) stats {
	cpu0 := cpuTime()
	start := time.Now()
	deadline := start.Add(d)
	results := make([]stats, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func(i int, c *client) {
			defer wg.Done()
			r := stats{status: map[int]int{}, lat: make([]time.Duration, 0, 4096)}
			due := start.Add(every * time.Duration(i) / time.Duration(len(clients)))
			for time.Now().Before(deadline) && due.Before(deadline) && ctx.Err() == nil {
				if wait := time.Until(due); wait > 0 {
					time.Sleep(wait)
				}
				code, took, err := step(c)
				if every > 0 {
					took = time.Since(due)
					due = due.Add(every)
				}
				if err != nil {
					r.errs++
					continue
				}
				if code == 0 {
					continue // a step that sent nothing measurable
				}
				r.status[code]++
				r.lat = append(r.lat, took)
			}
			results[i] = r
		}(i, c)
	}
	wg.Wait()
	all := merge(results, time.Since(start))
	all.cpu = cpuTime() - cpu0
	return all
}

// cpuTime is the CPU time (user and system) this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func merge(results []stats, elapsed time.Duration) stats {
	all := stats{elapsed: elapsed, status: map[int]int{}}
	for _, r := range results {
		all.lat = append(all.lat, r.lat...)
		all.errs += r.errs
		for k, v := range r.status {
			all.status[k] += v
		}
	}
	return all
}

// client is one browser: a cookie session, a CSRF token, the seats it holds.
type client struct {
	hc       *fasthttp.HostClient
	base     string
	showtime int64
	seats    []int64
	rnd      *mrand.Rand
	keep     int
	cookies  map[string]string
	csrf     string
	held     []int64
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)

func (c *client) path(suffix string) string {
	return c.base + "/showtimes/" + strconv.FormatInt(c.showtime, 10) + suffix
}

// do sends a request with the client's cookies and keeps the cookies it gets.
func (c *client) do(method, url string, form string, htmx bool) (int, []byte, time.Duration, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(url)
	req.Header.SetMethod(method)
	for k, v := range c.cookies {
		req.Header.SetCookie(k, v)
	}
	if htmx {
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-Csrf-Token", c.csrf)
	}
	if form != "" {
		req.Header.SetContentType("application/x-www-form-urlencoded")
		req.SetBodyString(form)
	}
	start := time.Now()
	err := c.hc.Do(req, resp)
	took := time.Since(start)
	if err != nil {
		return 0, nil, took, err
	}
	resp.Header.VisitAllCookie(func(_, value []byte) {
		ck := fasthttp.AcquireCookie()
		if ck.ParseBytes(value) == nil {
			c.cookies[string(ck.Key())] = string(ck.Value())
		}
		fasthttp.ReleaseCookie(ck)
	})
	var body []byte
	if method == "GET" && !htmx && c.csrf == "" { // only the first page is read (CSRF token)
		body = append(body, resp.Body()...)
	}
	return resp.StatusCode(), body, took, nil
}

// start opens the showtime page like a browser: session cookie and CSRF token.
func (c *client) start() error {
	code, body, _, err := c.do("GET", c.path(""), "", false)
	if err != nil {
		return err
	}
	m := csrfMeta.FindSubmatch(body)
	if code != 200 || m == nil {
		return fmt.Errorf("showtime page: status %d, no CSRF token", code)
	}
	c.csrf = string(m[1])
	return nil
}

// holdStep clicks a random seat; with keep seats held it first releases the
// oldest (releases are not counted as hold attempts).
func (c *client) holdStep() (int, time.Duration, error) {
	if len(c.held) >= c.keep {
		seat := c.held[0]
		c.held = c.held[1:]
		if _, _, _, err := c.do("POST", c.path("/seats"), "release="+strconv.FormatInt(seat, 10), true); err != nil {
			return 0, 0, err
		}
	}
	seat := c.seats[c.rnd.IntN(len(c.seats))]
	code, _, took, err := c.do("POST", c.path("/seats"), "hold="+strconv.FormatInt(seat, 10), true)
	if err == nil && code == 200 {
		for _, s := range c.held {
			if s == seat {
				return code, took, nil
			}
		}
		c.held = append(c.held, seat)
	}
	return code, took, err
}

func (c *client) pageStep() (int, time.Duration, error) {
	code, _, took, err := c.do("GET", c.path(""), "", false)
	return code, took, err
}

func (c *client) partialStep() (int, time.Duration, error) {
	code, _, took, err := c.do("GET", c.path("/map"), "", true)
	return code, took, err
}

func (c *client) checkout() error {
	code, _, _, err := c.do("POST", c.path("/checkout"), "email=load%40example.com", true)
	if err != nil {
		return err
	}
	if code != 200 {
		return fmt.Errorf("checkout: %d", code)
	}
	c.held = nil
	return nil
}

// integrity checks the database after a round: every live claim is one seat
// of this showtime, no seat is in two live orders, every reserved order item
// still has its claim, and sold + held ≤ capacity.
func integrity(ctx context.Context, raw *sqlx.DB, show dbtest.Show) (bool, string) {
	var r struct {
		Claims     int `db:"claims"`
		Held       int `db:"held"`
		Ordered    int `db:"ordered"`
		Doubles    int `db:"doubles"`
		Orphans    int `db:"orphans"`
		Mismatched int `db:"mismatched"`
		Capacity   int `db:"capacity"`
	}
	err := raw.GetContext(ctx, &r, `
		SELECT
		  (SELECT count(*) FROM seat_claims WHERE showtime_id = $1) AS claims,
		  (SELECT count(*) FROM seat_claims WHERE showtime_id = $1 AND order_id IS NULL AND expires_at > now()) AS held,
		  (SELECT count(*) FROM order_items WHERE showtime_id = $1 AND status IN ('reserved', 'sold')) AS ordered,
		  (SELECT count(*) FROM (SELECT seat_id FROM order_items WHERE showtime_id = $1 AND status IN ('reserved', 'sold')
		                         GROUP BY seat_id HAVING count(*) > 1) d) AS doubles,
		  (SELECT count(*) FROM order_items i
		     LEFT JOIN seat_claims c ON c.showtime_id = i.showtime_id AND c.seat_id = i.seat_id AND c.order_id = i.order_id
		    WHERE i.showtime_id = $1 AND i.status = 'reserved' AND c.seat_id IS NULL) AS orphans,
		  (SELECT count(*) FROM seat_claims c JOIN seats s ON s.id = c.seat_id
		    WHERE c.showtime_id = $1 AND s.auditorium_id <> $2) AS mismatched,
		  (SELECT count(*) FROM seats WHERE auditorium_id = $2) AS capacity`,
		show.ShowtimeID, show.AuditoriumID)
	if err != nil {
		return false, "query failed: " + err.Error()
	}
	ok := r.Doubles == 0 && r.Orphans == 0 && r.Mismatched == 0 && r.Held+r.Ordered <= r.Capacity && r.Claims <= r.Capacity
	verdict := "OK"
	if !ok {
		verdict = "FAILED"
	}
	return ok, fmt.Sprintf("%s — sold/ordered %d + held %d = %d ≤ capacity %d; seats in two orders: %d; orders without their seats: %d",
		verdict, r.Ordered, r.Held, r.Ordered+r.Held, r.Capacity, r.Doubles, r.Orphans)
}

// createDatabase makes a throwaway database on the test server and returns a
// function that drops it.
func createDatabase(ctx context.Context) (string, func(), error) {
	server, err := dbtest.Server()
	if err != nil {
		return "", nil, err
	}
	admin, err := sqlx.Open("postgres", server)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "marquee_bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create benchmark database: %w", err)
	}
	drop := func() {
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen: could not drop", name+":", err)
		}
		admin.Close()
	}
	return devpg.WithDatabase(server, name), drop, nil
}
