// Package devpg finds or starts a PostgreSQL for development and tests, so
// that `make run` and `make test` work on a fresh machine that has only the
// PostgreSQL server package installed. It is never used in production
// (DATABASE_URL is required there).
//
// The private cluster lives in <data dir>/postgres (MARQUEE_DATA_DIR, default
// ./data). It listens on 127.0.0.1 only, on a free port chosen at start, with
// no unix socket (the compiled-in socket directory is often not writable), and
// a random password kept in <data dir>/postgres.password (mode 0600).
//
// PostgreSQL refuses to run as root. When we are root, initdb and postgres run
// as the `postgres` OS user (the Debian package creates it) through the
// process credentials — the same thing `runuser -u postgres --` does, without
// depending on that binary — and the cluster directory is owned by that user.
//
// One cluster directory can be used by one server at a time. A file lock
// (<data dir>/postgres.lock) serialises starting it: whoever finds it running
// uses it, otherwise it starts it. `make run` starts it as a child and stops it
// on exit; tests start it detached and leave it running for the next test
// binary (stop it with `make stop-dev-db`, or it goes away with a reboot).
package devpg

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lib/pq"
)

// LocalURL is the machine's own PostgreSQL as Debian sets it up for local development.
const LocalURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// ErrNoBinaries says that PostgreSQL's server programs are not installed.
var ErrNoBinaries = errors.New("PostgreSQL server programs (initdb, postgres) not found on PATH or under /usr/lib/postgresql/*/bin: " +
	"install them (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL to a PostgreSQL you have")

// Ping reports whether a PostgreSQL accepts connections at dsn (nil) or why not.
func Ping(ctx context.Context, dsn string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.PingContext(ctx)
}

// EnsureDatabase creates database name on the server at serverURL unless it exists.
func EnsureDatabase(ctx context.Context, serverURL, name string) error {
	conn, err := sql.Open("postgres", serverURL)
	if err != nil {
		return err
	}
	defer conn.Close()
	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("look for database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
		var pqe *pq.Error
		if errors.As(err, &pqe) && pqe.Code == "42P04" { // created meanwhile by someone else
			return nil
		}
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// WithDatabase returns serverURL pointing at database name.
func WithDatabase(serverURL, name string) string {
	u, err := url.Parse(serverURL)
	if err != nil {
		return serverURL
	}
	u.Path = "/" + name
	return u.String()
}

// Options say where the cluster lives and how it is run.
type Options struct {
	// DataDir holds the cluster (DataDir/postgres), its password, lock and log.
	DataDir string
	Logger  *slog.Logger
	// Detach leaves a server this call starts running after the process exits
	// (test binaries share one). Otherwise it is a child of this process,
	// stopped by Stop and sent SIGINT by the kernel if this process dies.
	Detach bool
}

// Cluster is a running private PostgreSQL.
type Cluster struct {
	dir      string // DataDir/postgres as documented (may be a symlink, see clusterDir)
	realDir  string // where the files are
	port     int
	password string
	cmd      *exec.Cmd  // set when this process started it attached
	exited   chan error // closed with the server's exit when cmd is set
	logger   *slog.Logger
}

// URL returns the connection string of database name in the cluster.
func (c *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/%s?sslmode=disable", c.password, c.port, name)
}

// Port is the TCP port the cluster listens on (127.0.0.1).
func (c *Cluster) Port() int { return c.port }

// Dir is the directory holding the cluster's files (after following a symlink).
func (c *Cluster) Dir() string { return c.realDir }

// Started reports whether this process started the server (and Stop will stop it).
func (c *Cluster) Started() bool { return c.cmd != nil }

// Stop shuts down the server if this process started it attached (fast
// shutdown: open sessions are closed). It is a no-op otherwise.
func (c *Cluster) Stop() error {
	if c.cmd == nil {
		return nil
	}
	c.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		c.cmd.Process.Kill()
		<-c.exited
	}
	c.logger.Info("stopped the private PostgreSQL", "dir", c.dir)
	c.cmd = nil
	return nil
}

// Start uses the private cluster under opt.DataDir, initialising it on first
// use and starting it unless it is already running.
func Start(ctx context.Context, opt Options) (*Cluster, error) {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	data, err := filepath.Abs(opt.DataDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", data, err)
	}
	unlock, err := lockFile(ctx, filepath.Join(data, "postgres.lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()

	as, err := serverUser()
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: filepath.Join(data, "postgres"), logger: opt.Logger}
	c.realDir, err = clusterDir(data, as, opt.Logger)
	if err != nil {
		return nil, err
	}
	pwFile := filepath.Join(data, "postgres.password")
	initialised := fileExists(filepath.Join(c.realDir, "PG_VERSION"))
	if initialised {
		b, err := os.ReadFile(pwFile)
		if err != nil {
			return nil, fmt.Errorf("the development cluster in %s has no password file (%v): remove %s to start afresh", c.dir, err, c.dir)
		}
		c.password = strings.TrimSpace(string(b))
		if port, ok := runningPort(c.realDir); ok {
			c.port = port
			if Ping(ctx, c.URL("postgres")) == nil {
				opt.Logger.Info("using the private PostgreSQL already running", "dir", c.dir, "port", port)
				return c, nil
			}
		}
	}

	bin, err := findBinaries(c.realDir)
	if err != nil {
		return nil, err
	}
	if !initialised {
		c.password = randHex(16)
		if err := os.WriteFile(pwFile, []byte(c.password+"\n"), 0o600); err != nil {
			return nil, err
		}
		opt.Logger.Info("creating a private PostgreSQL cluster (first run only)", "dir", c.dir, "bin", bin)
		if err := initdb(ctx, bin, c.realDir, c.password, as); err != nil {
			return nil, err
		}
	}
	if c.port, err = freePort(); err != nil {
		return nil, err
	}
	if err := c.start(ctx, bin, as, filepath.Join(data, "postgres.log"), opt.Detach); err != nil {
		return nil, err
	}
	opt.Logger.Info("started a private PostgreSQL", "dir", c.dir, "port", c.port, "log", filepath.Join(data, "postgres.log"), "detached", opt.Detach)
	return c, nil
}

func (c *Cluster) start(ctx context.Context, bin string, as *osUser, logPath string, detach bool) error {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close() // the child has its own copy
	off, _ := logf.Seek(0, io.SeekEnd)
	cmd := exec.Command(filepath.Join(bin, "postgres"),
		"-D", c.realDir,
		"-p", strconv.Itoa(c.port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=",
		"-c", "max_connections=300",
		"-c", "synchronous_commit=off", // development: losing the last commits in a crash is fine
	)
	cmd.Stdout, cmd.Stderr = logf, logf
	attr := &syscall.SysProcAttr{}
	if detach {
		attr.Setsid = true // survives this process and its terminal's Ctrl-C
	} else {
		attr.Setpgid = true             // Ctrl-C reaches marquee, which then stops us in order
		attr.Pdeathsig = syscall.SIGINT // marquee killed: fast shutdown, no orphan
		// (Linux sends it when the forking OS thread ends; Go keeps its threads, so that is the process.)
	}
	if as != nil {
		attr.Credential = &syscall.Credential{Uid: as.uid, Gid: as.gid}
	}
	cmd.SysProcAttr = attr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); close(exited) }()

	deadline := time.Now().Add(60 * time.Second)
	for {
		if Ping(ctx, c.URL("postgres")) == nil {
			break
		}
		select {
		case err := <-exited:
			return fmt.Errorf("postgres exited at start (%v); its log %s says:\n%s", err, logPath, tail(logPath, off))
		case <-ctx.Done():
			cmd.Process.Signal(syscall.SIGINT)
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Signal(syscall.SIGINT)
			return fmt.Errorf("postgres did not accept connections within 60 s; see %s:\n%s", logPath, tail(logPath, off))
		}
	}
	if !detach {
		c.cmd, c.exited = cmd, exited
	}
	return nil
}

func initdb(ctx context.Context, bin, dir, password string, as *osUser) error {
	// The password reaches initdb through a short-lived file that the server user can read.
	pw, err := os.CreateTemp("", "marquee-pw-")
	if err != nil {
		return err
	}
	defer os.Remove(pw.Name())
	pw.WriteString(password + "\n")
	pw.Close()
	if as != nil {
		if err := os.Chown(pw.Name(), int(as.uid), int(as.gid)); err != nil {
			return err
		}
	}
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"),
		"-D", dir, "-U", "postgres", "--auth=scram-sha-256", "--pwfile="+pw.Name(),
		"--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
	cmd.Dir = os.TempDir() // initdb chdirs nowhere; the server user may not read our working directory
	if as != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: as.uid, Gid: as.gid}}
	}
	emptyDir(dir) // leftovers of an interrupted initdb (no PG_VERSION yet)
	if out, err := cmd.CombinedOutput(); err != nil {
		emptyDir(dir) // so that the next attempt can initdb again
		return fmt.Errorf("initdb failed: %v\n%s", err, out)
	}
	return nil
}

func emptyDir(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// osUser is the account the server runs as when we are root.
type osUser struct {
	name     string
	uid, gid uint32
}

// serverUser returns nil when the server can run as ourselves, or the
// postgres user when we are root.
func serverUser() (*osUser, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, errors.New("PostgreSQL refuses to run as root and there is no `postgres` user to run it as: " +
			"install the server package (apt-get install postgresql creates the user), run as an ordinary user, or set DATABASE_URL")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &osUser{name: u.Username, uid: uint32(uid), gid: uint32(gid)}, nil
}

// clusterDir prepares the directory for the cluster's files and returns it.
//
// Normally it is data/postgres itself. When we are root, the postgres user
// must be able to reach that directory, which fails when a parent is private
// (a checkout under /root, which is 0700). Rather than loosening the
// permissions of someone's home directory, the files then live in
// /var/tmp/marquee-postgres-<hash of the data dir> (owned by postgres, 0700,
// kept across reboots) and data/postgres is a symlink to it, so ./data stays
// the one place to look at and to delete.
func clusterDir(data string, as *osUser, logger *slog.Logger) (string, error) {
	dir := filepath.Join(data, "postgres")
	if target, err := os.Readlink(dir); err == nil {
		if !filepath.IsAbs(target) {
			target = filepath.Join(data, target)
		}
		if err := os.MkdirAll(target, 0o700); err != nil {
			return "", err
		}
		return target, ownBy(target, as)
	}
	if as == nil {
		return dir, os.MkdirAll(dir, 0o700)
	}
	if reachable(data, as) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", err
		}
		return dir, ownBy(dir, as)
	}
	if fileExists(dir) {
		return "", fmt.Errorf("the postgres user cannot reach %s (a parent directory is private): "+
			"remove it and run again to have it placed under /var/tmp, or run as an ordinary user", dir)
	}
	sum := sha256.Sum256([]byte(data))
	target := "/var/tmp/marquee-postgres-" + hex.EncodeToString(sum[:])[:12]
	if err := os.MkdirAll(target, 0o700); err != nil {
		return "", err
	}
	if err := ownBy(target, as); err != nil {
		return "", err
	}
	if err := os.Symlink(target, dir); err != nil {
		return "", err
	}
	logger.Info("the postgres user cannot reach the data directory (a parent is private); "+
		"the cluster's files live elsewhere, linked from the data directory", "dir", dir, "target", target)
	return target, nil
}

func ownBy(dir string, as *osUser) error {
	if as == nil {
		return nil
	}
	if err := os.Chown(dir, int(as.uid), int(as.gid)); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}

// reachable reports whether user as can enter dir (and so every parent).
func reachable(dir string, as *osUser) bool {
	cmd := exec.Command("test", "-x", dir)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: as.uid, Gid: as.gid}}
	return cmd.Run() == nil
}

// FindBinaries returns the directory with initdb and postgres, or ErrNoBinaries.
func FindBinaries() (string, error) { return findBinaries("") }

// findBinaries prefers the version an existing cluster was made with, then
// initdb on PATH, then the newest /usr/lib/postgresql/<version>/bin.
func findBinaries(cluster string) (string, error) {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	vers, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(vers, func(i, j int) bool { return versionOf(vers[i]) > versionOf(vers[j]) })
	dirs = append(dirs, vers...)
	var ok []string
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			ok = append(ok, d)
		}
	}
	if len(ok) == 0 {
		return "", ErrNoBinaries
	}
	if cluster == "" || !fileExists(filepath.Join(cluster, "PG_VERSION")) {
		return ok[0], nil
	}
	b, _ := os.ReadFile(filepath.Join(cluster, "PG_VERSION"))
	want := strings.TrimSpace(string(b))
	for _, d := range ok {
		if major(d) == want {
			return d, nil
		}
	}
	return "", fmt.Errorf("the development cluster in %s was made by PostgreSQL %s, whose server programs are not installed: "+
		"install them (apt-get install postgresql-%s) or remove the directory to start afresh", cluster, want, want)
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// major returns the major version of the postgres binary in dir ("15").
func major(dir string) string {
	out, err := exec.Command(filepath.Join(dir, "postgres"), "--version").Output()
	if err != nil {
		return ""
	}
	if m := versionRE.FindSubmatch(out); m != nil {
		return string(m[1])
	}
	return ""
}

func versionOf(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

// runningPort reads the port of a server running on dir from postmaster.pid.
func runningPort(dir string) (int, bool) {
	f, err := os.Open(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for i := 1; s.Scan(); i++ {
		if i == 4 { // line 4 is the port
			p, err := strconv.Atoi(strings.TrimSpace(s.Text()))
			return p, err == nil
		}
	}
	return 0, false
}

// lockFile takes an exclusive lock on path, waiting for other processes.
func lockFile(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(path string, from int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	f.Seek(from, io.SeekStart)
	b, _ := io.ReadAll(io.LimitReader(f, 4096))
	return string(b)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
