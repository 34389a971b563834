//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"marquee/db/dbtest"
	"marquee/internal/testutil"
)

// binary is the marquee binary built from this tree once per run, in TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "marquee-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "marquee")
	build := exec.Command("go", "build", "-o", binary, "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build marquee:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Server is a marquee process serving on 127.0.0.1 over its own database.
type Server struct {
	URL string // http://127.0.0.1:port, no trailing slash
	DSN string // its database, for tests that look behind the pages
}

// StartServer runs marquee serve on a free port over a fresh database with the
// demo programme (seeded at start), and stops it when the test ends.
func StartServer(t *testing.T, extraEnv ...string) *Server {
	t.Helper()
	dsn := dbtest.NewDSN(t)
	addr := freeAddr(t)
	s := &Server{URL: "http://" + addr, DSN: dsn}
	cmd := exec.Command(binary, "serve")
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+dsn,
		"MARQUEE_ENV=development",
		"MARQUEE_ADDR="+addr,
		"MARQUEE_BASE_URL="+s.URL,
		"MARQUEE_SEED=auto",
		"MARQUEE_HOLDS_PER_IP=0",        // every browser of the tests is 127.0.0.1
		"MARQUEE_DATA_DIR="+t.TempDir(), // generated development keys stay with this server
		"LOG_FORMAT=text",
	)
	cmd.Env = append(cmd.Env, extraEnv...)
	var out testutil.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("marquee output:\n%s", out.String())
		}
	})
	for { // wait until it is ready (seeded, migrated, listening) or gone
		resp, err := http.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("marquee exited at start: %v\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Browser is a headless chromium tab that records console errors, uncaught
// exceptions and CSP violations, so that every flow can assert there were none.
type Browser struct {
	t    *testing.T
	ctx  context.Context
	name string // tells two browsers of one test apart in messages

	mu       sync.Mutex
	problems []string
	expected []expectedStatus // HTTP error statuses a flow provokes on purpose
	streams  int              // event streams (SSE) the server has answered, since the start
	done     chan struct{}
}

// expectedStatus is an HTTP error answer a flow provokes on purpose (a refused
// seat is a 409, a declined demo payment a 402): chromium writes "Failed to
// load resource: … status of 409" to its log for it, which is then no problem.
type expectedStatus struct {
	status int
	path   string // the resource URL's path contains this
}

// chromium finds Debian's chromium (CHROMIUM overrides).
func chromium(t *testing.T) string {
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatal("chromium not found: apt-get install chromium (or set CHROMIUM to its path)")
	return ""
}

// NewBrowser starts a fresh chromium (own profile directory) for this test;
// extra options add flags (a fake camera: e2e/boxoffice_camera_test.go).
func NewBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) *Browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-proxy-server", true), // only 127.0.0.1 traffic
		chromedp.WindowSize(412, 915),          // phone first
	}
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // chromium refuses to run as root with its sandbox
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })

	b := &Browser{t: t, ctx: ctx, done: make(chan struct{})}
	// Console joins console.error calls, uncaught exceptions and the browser
	// log (where CSP violations and failed loads are reported).
	messages := chromedp.Console(ctx)
	go func() {
		defer close(b.done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				if b.isExpected(m) {
					continue
				}
				b.problem("%s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1)
			}
		}
	}()
	// Answered event streams: a test that needs the live seat map to be
	// listening before it changes a seat waits for one (WaitEventStream).
	responses := chromedp.Events(ctx, network.ResponseReceived)
	go func() {
		for ev, err := range responses {
			if err != nil {
				return
			}
			if ev.Type == network.ResourceTypeEventSource && ev.Response != nil && ev.Response.Status == 200 {
				b.mu.Lock()
				b.streams++
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// ExpectStatus declares that the flow provokes an HTTP error status on purpose
// for a URL whose path contains path: chromium's log line about that failed
// load is not reported as a problem. Everything else still is.
func (b *Browser) ExpectStatus(status int, path string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expected = append(b.expected, expectedStatus{status, path})
}

func (b *Browser) isExpected(m chromedp.ConsoleMessage) bool {
	if m.Source != "network" {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.expected {
		if strings.Contains(m.Text, fmt.Sprintf("status of %d ", e.status)) && urlPathContains(m.URL, e.path) {
			return true
		}
	}
	return false
}

func urlPathContains(raw, part string) bool {
	u, err := url.Parse(raw)
	return err == nil && strings.Contains(u.Path, part)
}

func (b *Browser) problem(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, fmt.Sprintf(format, args...))
}

// Do runs chromedp actions, failing the test on error. The timeout only
// guards against a hung browser; tests assert on states, never on durations.
func (b *Browser) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%sbrowser: %v\n%s", b.prefix(), err, b.pageState())
	}
}

// click clicks the first element sel finds, again when the page replaced
// that element between finding and clicking it (an htmx swap of a live seat
// map: CDP then answers "Could not find node with given id").
func click[S chromedp.Selectable](b *Browser, sel S) {
	b.t.Helper()
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
		err := chromedp.Do(ctx, chromedp.Click(sel))
		cancel()
		if err == nil {
			return
		}
		if attempt < 5 && (strings.Contains(err.Error(), "Could not find node with given id") ||
			strings.Contains(err.Error(), "No node with given id") || strings.Contains(err.Error(), "Node is detached")) {
			continue
		}
		b.t.Fatalf("%sbrowser: %v\n%s", b.prefix(), err, b.pageState())
	}
}

// ClickID clicks the element with this id (see click).
func (b *Browser) ClickID(id string) {
	b.t.Helper()
	b.uncover(`document.getElementById(` + strconv.Quote(id) + `)`)
	click(b, chromedp.ID(id))
}

// Get runs one action that returns a value (Text, Location, Evaluate…).
func Get[T any](b *Browser, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%sbrowser: %v\n%s", b.prefix(), err, b.pageState())
	}
	return v
}

// Count returns how many nodes match a CSS selector now.
func (b *Browser) Count(sel string) int {
	b.t.Helper()
	return len(Get(b, chromedp.Nodes(chromedp.CSSAll(sel), chromedp.AtLeast(0))))
}

// Problems returns what the browser reported so far.
func (b *Browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// WaitProblem waits until a reported problem contains substr (messages arrive
// asynchronously), failing the test if none does before the hang guard.
func (b *Browser) WaitProblem(substr string) {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, p := range b.Problems() {
			if strings.Contains(p, substr) {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("no browser problem containing %q; got %q", substr, b.Problems())
}

// NoProblems fails the test if the page logged errors, threw, or violated the CSP.
func (b *Browser) NoProblems() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("%sbrowser reported: %s", b.prefix(), p)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
