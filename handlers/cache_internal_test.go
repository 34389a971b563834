package handlers

import (
	"errors"
	"testing"
	"time"

	"marquee/booking"
)

// An expired entry is recomputed by one request while the others are served
// the previous value; an invalidation never serves old data.
func TestCatalogCacheStaleWhileRevalidate(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
	c := newCatalogCache(clock)
	fillWith := func(v string) func() (any, error) { return func() (any, error) { return v, nil } }

	if v, _ := c.get("k", time.Second, fillWith("v1")); v != "v1" {
		t.Fatalf("cold get = %v", v)
	}
	clock.Advance(2 * time.Second)

	entered, release := make(chan struct{}), make(chan struct{})
	done := make(chan any)
	go func() {
		v, _ := c.get("k", time.Second, func() (any, error) {
			close(entered)
			<-release
			return "v2", nil
		})
		done <- v
	}()
	<-entered
	// While the first request recomputes, another one gets the stale value at once.
	if v, _ := c.get("k", time.Second, func() (any, error) {
		t.Error("a second recomputation started")
		return "bad", nil
	}); v != "v1" {
		t.Fatalf("during refresh got %v, want the stale v1", v)
	}
	close(release)
	if v := <-done; v != "v2" {
		t.Fatalf("refresher got %v", v)
	}
	if v, _ := c.get("k", time.Second, fillWith("unused")); v != "v2" {
		t.Fatalf("after refresh got %v", v)
	}

	// A failed refresh is not cached and lets the next request try again.
	clock.Advance(2 * time.Second)
	if _, err := c.get("k", time.Second, func() (any, error) { return nil, errors.New("db down") }); err == nil {
		t.Fatal("refresh error swallowed")
	}
	if v, _ := c.get("k", time.Second, fillWith("v3")); v != "v3" {
		t.Fatalf("after failed refresh got %v", v)
	}

	// Invalidation drops entries: no stale value after a change.
	c.invalidate()
	if v, _ := c.get("k", time.Second, fillWith("v4")); v != "v4" {
		t.Fatalf("after invalidate got %v", v)
	}
}
