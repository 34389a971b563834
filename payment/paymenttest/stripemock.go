// Package paymenttest runs the real Stripe client code against stripe-mock
// (a `go tool` dependency of this module) and signs test webhook payloads the
// way Stripe does.
package paymenttest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// StripeMock starts stripe-mock on a free 127.0.0.1 port for the test and
// returns its base URL. It is stopped at cleanup.
func StripeMock(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "marquee-stripe-mock")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "stripe-mock")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/stripe/stripe-mock").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("build stripe-mock: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	// Its HTTPS listener too gets a port of its own: by default it takes
	// :12112, and two test binaries running at once (make test runs packages
	// in parallel) would fight over it, the loser never starting.
	cmd := exec.Command(binPath, "-http-addr", addr, "-https-addr", "127.0.0.1:"+strconv.Itoa(freePort(t)))
	if err := cmd.Start(); err != nil {
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	url := "http://" + addr
	for i := 0; i < 200; i++ {
		resp, err := http.Get(url + "/v1/charges")
		if err == nil {
			resp.Body.Close()
			return url
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("stripe-mock did not start on %s", addr)
	return ""
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// SignWebhook returns a Stripe-Signature header for payload, signed with
// secret at time at (v1 scheme: HMAC-SHA256 of "timestamp.payload").
func SignWebhook(payload []byte, secret string, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(payload)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}
