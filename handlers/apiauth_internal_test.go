package handlers

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"marquee/booking"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/sales"
)

// A small app with the API auth helpers on test routes, as the booking area uses them.
func newAPIAuthApp(t *testing.T, limits RateLimits) (*fiber.App, *db.DB) {
	t.Helper()
	clock := booking.NewManualClock(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
	store := dbtest.New(t, clock)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := sales.New(sales.Deps{DB: store, Clock: clock, Logger: logger})
	t.Cleanup(svc.Close)
	h := New(Deps{DB: store, Clock: clock, Logger: logger, Sales: svc,
		Config: Config{Passwords: booking.PasswordParams{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}, Limits: &limits}})
	app := fiber.New(fiber.Config{ErrorHandler: h.handleError})
	app.Get("/api/v1/whoami", h.requireAPIUser, func(c *fiber.Ctx) error {
		u, _ := h.apiUser(c)
		return c.JSON(map[string]string{"email": u.Email})
	})
	app.Get("/api/v1/maybe", func(c *fiber.Ctx) error {
		u, err := h.apiUser(c)
		if err != nil {
			return err
		}
		if u == nil {
			return c.SendString("guest")
		}
		return c.SendString(u.Email)
	})
	app.Post("/api/v1/orders", h.limitOrders, func(c *fiber.Ctx) error { return c.SendStatus(fiber.StatusCreated) })
	return app, store
}

func bearerReq(method, path, token string) *http.Request {
	r := httptest.NewRequest(method, path, nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return r
}

func TestAccountAPIBearerAuth(t *testing.T) {
	app, store := newAPIAuthApp(t, DefaultRateLimits())
	ctx := context.Background()
	u, err := store.CreateUser(ctx, db.NewUser{Email: "api@example.com", Name: "API", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	token, tok, err := store.CreateAPIToken(ctx, u.ID, "script")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		token string
		want  int
	}{{"", 401}, {"mq_not-a-token", 401}, {token, 200}} {
		resp, err := app.Test(bearerReq("GET", "/api/v1/whoami", tc.token), -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != tc.want {
			t.Fatalf("token %q: %d, want %d (%s)", tc.token, resp.StatusCode, tc.want, body)
		}
		if tc.want == 401 {
			var p Problem
			if json.Unmarshal(body, &p) != nil || p.Status != 401 || p.Code != booking.EUNAUTHORIZED ||
				resp.Header.Get("Content-Type") != "application/problem+json" || resp.Header.Get("WWW-Authenticate") == "" {
				t.Fatalf("401 is not a problem document: %s %v", body, resp.Header)
			}
		}
	}
	resp, _ := app.Test(bearerReq("GET", "/api/v1/maybe", ""), -1)
	if b, _ := io.ReadAll(resp.Body); string(b) != "guest" {
		t.Fatalf("no token should be a guest, got %s", b)
	}
	if _, err := store.RevokeAPIToken(ctx, u.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	resp, _ = app.Test(bearerReq("GET", "/api/v1/whoami", token), -1)
	if resp.StatusCode != 401 {
		t.Fatalf("revoked token: %d", resp.StatusCode)
	}
}

func TestAccountOrderCreationRateLimit(t *testing.T) {
	l := DefaultRateLimits()
	l.OrderAccount = Limit{2, 10 * time.Minute}
	app, store := newAPIAuthApp(t, l)
	ctx := context.Background()
	u, _ := store.CreateUser(ctx, db.NewUser{Email: "buyer@example.com", Name: "B", Confirmed: true})
	token, _, _ := store.CreateAPIToken(ctx, u.ID, "bot")
	for i, want := range []int{201, 201, 429} {
		resp, err := app.Test(bearerReq("POST", "/api/v1/orders", token), -1)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != want {
			t.Fatalf("order %d: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
}
