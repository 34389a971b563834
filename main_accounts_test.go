package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"marquee/booking"
	"marquee/db/dbtest"
)

func TestAccountsConfig(t *testing.T) {
	k1 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 64))
	k2 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 64))
	c, errs := loadAccountsConfig(env(map[string]string{"MARQUEE_SESSION_KEYS": k1 + ", " + k2}), true)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "MARQUEE_SMTP_URL") {
		t.Fatalf("errs = %v", errs)
	}
	if len(c.SessionKeys) != 2 || c.SessionKeys[0][0] != 1 {
		t.Fatalf("keys not read newest first: %v", c.SessionKeys)
	}
	_, errs = loadAccountsConfig(env(map[string]string{
		"MARQUEE_SESSION_KEYS": "c2hvcnQ=", "MARQUEE_SMTP_URL": "http://mail", "MARQUEE_TLS_CERT": "cert.pem",
	}), true)
	msg := ""
	for _, e := range errs {
		msg += e.Error() + "\n"
	}
	for _, want := range []string{"64 random bytes", "scheme must be smtp or smtps", "set both or neither"} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	if _, errs := loadAccountsConfig(env(nil), false); len(errs) != 0 {
		t.Fatalf("development needs nothing: %v", errs)
	}
}

func TestDevelopmentSessionKeyIsGeneratedOnce(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Env: "development", DataDir: dir}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	k1, err := sessionKeys(cfg, logger)
	if err != nil || len(k1) != 1 || len(k1[0]) != 64 {
		t.Fatalf("keys %v, err %v", k1, err)
	}
	st, err := os.Stat(filepath.Join(dir, "session.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	k2, _ := sessionKeys(cfg, logger)
	if !bytes.Equal(k1[0], k2[0]) {
		t.Fatal("the development key changed between starts")
	}
	cfg.Env = "production"
	if _, err := sessionKeys(cfg, logger); err == nil {
		t.Fatal("production without keys must fail")
	}
}

func TestCreateAdmin(t *testing.T) {
	store := dbtest.New(t, booking.SystemClock{})
	ctx := context.Background()
	var out bytes.Buffer
	err := createAdmin(ctx, store, []string{"-email", "root@example.com", "-name", "Root"}, env(map[string]string{"MARQUEE_ADMIN_PASSWORD": "short"}), strings.NewReader(""), &out)
	if err == nil || !strings.Contains(err.Error(), "at least 10 characters") {
		t.Fatalf("weak password accepted: %v", err)
	}
	err = createAdmin(ctx, store, []string{"-email", "not an address"}, env(nil), strings.NewReader(""), &out)
	if err == nil || !strings.Contains(err.Error(), "-email") {
		t.Fatalf("bad e-mail: %v", err)
	}
	err = createAdmin(ctx, store, []string{"-email", "root@example.com", "-name", "Root"}, env(nil), strings.NewReader("the admin password\n"), &out)
	if err != nil {
		t.Fatal(err)
	}
	u, err := store.UserByEmail(ctx, "ROOT@example.com")
	if err != nil || u.Role != booking.RoleAdmin || !u.Confirmed() || !booking.CheckPassword("the admin password", u.PasswordHash) {
		t.Fatalf("admin not created: %+v %v", u, err)
	}
	// Again: the account is promoted and its password replaced, not duplicated.
	err = createAdmin(ctx, store, []string{"-email", "root@example.com", "-password", "another admin password"}, env(nil), strings.NewReader(""), &out)
	if err != nil || !strings.Contains(out.String(), "already had an account") {
		t.Fatalf("second run: %v\n%s", err, out.String())
	}
	u, _ = store.UserByEmail(ctx, "root@example.com")
	if !booking.CheckPassword("another admin password", u.PasswordHash) {
		t.Fatal("password not replaced")
	}
}

func TestSeedDemoUsersIsIdempotent(t *testing.T) {
	store := dbtest.New(t, booking.SystemClock{})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	for i := 0; i < 2; i++ {
		if err := seedDemoUsers(context.Background(), store, logger); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range demoUsers {
		u, err := store.UserByEmail(context.Background(), d.Email)
		if err != nil || u.Role != d.Role || !booking.CheckPassword(d.Password, u.PasswordHash) {
			t.Fatalf("%s: %+v %v", d.Email, u, err)
		}
		if !strings.Contains(logs.String(), d.Password) {
			t.Errorf("demo password of %s not printed", d.Email)
		}
		if err := booking.ValidatePassword(d.Password, d.Email, d.Name); err != nil {
			t.Errorf("demo password of %s breaks the policy: %v", d.Email, err)
		}
	}
}

func TestTLSListenerServesHTTPS(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tl, err := tlsListener(Config{Accounts: accountsConfig{TLSCert: certFile, TLSKey: keyFile}}, ln)
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	go func() {
		c, err := tl.Accept()
		if err == nil {
			c.Write([]byte("hi"))
			c.Close()
		}
	}()
	conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("TLS handshake: %v", err)
	}
	b, _ := io.ReadAll(conn)
	conn.Close()
	if string(b) != "hi" {
		t.Fatalf("read %q", b)
	}
	if _, err := tlsListener(Config{Accounts: accountsConfig{TLSCert: keyFile, TLSKey: certFile}}, ln); err == nil {
		t.Fatal("swapped cert and key accepted")
	}
}
