package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"marquee/booking"
	"marquee/config"
	"marquee/db"
	"marquee/db/dbtest"
)

const fdChildEnv = "MARQUEE_TEST_FD_CHILD_DSN"

// TestServeSurvivesDescriptorExhaustion runs the server in a child process
// (this test binary again) limited to 256 file descriptors, opens 300 idle
// connections to it, and checks that it is still there, and answers, once
// they close: running out of descriptors in accept must not end the server.
func TestServeSurvivesDescriptorExhaustion(t *testing.T) {
	if dsn := os.Getenv(fdChildEnv); dsn != "" {
		serveLimited(dsn)
		return
	}
	clock := booking.NewManualClock(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
	_, dsn := dbtest.NewWithDSN(t, clock)
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeSurvivesDescriptorExhaustion$")
	cmd.Env = append(os.Environ(), fdChildEnv+"="+dsn)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{}) // closed when the child is gone; rest is what it printed
	var rest strings.Builder
	lines := bufio.NewScanner(out)
	var addr string
	for lines.Scan() {
		if a, ok := strings.CutPrefix(lines.Text(), "ADDR "); ok {
			addr = a
			break
		}
	}
	if addr == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the child server did not start")
	}
	go func() {
		for lines.Scan() {
			rest.WriteString(lines.Text() + "\n")
		}
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})

	var conns []net.Conn
	for range 300 {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			break // the backlog is full: enough
		}
		conns = append(conns, c)
	}
	select {
	case <-exited:
		t.Fatalf("the server exited with %d idle connections open:\n%s", len(conns), rest.String())
	case <-time.After(1500 * time.Millisecond):
	}
	for _, c := range conns {
		c.Close()
	}
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("the server exited:\n%s", rest.String())
		default:
		}
		resp, err := client.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer after the idle connections closed: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// serveLimited is the child: 256 descriptors, the app on 127.0.0.1, no
// per-IP cap (so descriptors run out rather than the cap refusing).
func serveLimited(dsn string) {
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 256, Max: 256}); err != nil {
		fmt.Println("setrlimit:", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	clock := booking.SystemClock{}
	store, err := db.Open(context.Background(), dsn, db.Options{MaxConns: 2, Clock: clock, Logger: logger})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	cfg := config.ForTest()
	cfg.Server.MaxConnsPerIP = 0
	a, err := New(cfg, Deps{DB: store, Clock: clock, Logger: logger})
	if err != nil {
		fmt.Println("new:", err)
		os.Exit(2)
	}
	ln, err := Listen(cfg)
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(2)
	}
	fmt.Println("ADDR " + ln.Addr().String())
	err = a.Serve(ln)
	fmt.Println("serve returned:", err)
	os.Exit(3)
}
