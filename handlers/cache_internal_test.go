package handlers

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"marquee/booking"
)

// An expired entry is recomputed by one request while the others are served
// the previous value; an invalidation never serves old data.
func TestCatalogCacheStaleWhileRevalidate(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
	cc := newCatalogCache(clock)
	c := newPageCache[string, string](cc)
	fillWith := func(v string) func() (string, error) { return func() (string, error) { return v, nil } }

	if v, _ := c.get("k", time.Second, fillWith("v1")); v != "v1" {
		t.Fatalf("cold get = %v", v)
	}
	clock.Advance(2 * time.Second)

	entered, release := make(chan struct{}), make(chan struct{})
	done := make(chan string)
	go func() {
		v, _ := c.get("k", time.Second, func() (string, error) {
			close(entered)
			<-release
			return "v2", nil
		})
		done <- v
	}()
	<-entered
	// While the first request recomputes, another one gets the stale value at once.
	if v, _ := c.get("k", time.Second, func() (string, error) {
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
	if _, err := c.get("k", time.Second, func() (string, error) { return "", errors.New("db down") }); err == nil {
		t.Fatal("refresh error swallowed")
	}
	if v, _ := c.get("k", time.Second, fillWith("v3")); v != "v3" {
		t.Fatalf("after failed refresh got %v", v)
	}

	// Invalidation drops entries: no stale value after a change.
	cc.invalidate()
	if v, _ := c.get("k", time.Second, fillWith("v4")); v != "v4" {
		t.Fatalf("after invalidate got %v", v)
	}
}

// A cold key is computed once for all the requests that want it at the same
// moment; a request arriving after an invalidation doesn't join that
// computation, and what it computed from older data is not kept.
func TestCatalogCacheColdFillIsShared(t *testing.T) {
	clock := booking.NewManualClock(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC))
	cc := newCatalogCache(clock)
	type key struct {
		day string
		id  int64
	}
	c := newPageCache[key, int](cc)
	k := key{"2026-11-25", 7}
	entered, release := make(chan struct{}), make(chan struct{})
	var fills atomic.Int32
	slow := func() (int, error) {
		if fills.Add(1) == 1 {
			close(entered)
		}
		<-release
		return 1, nil
	}
	results := make(chan int, 3)
	go func() { v, _ := c.get(k, time.Minute, slow); results <- v }()
	<-entered
	for range 2 {
		go func() { v, _ := c.get(k, time.Minute, slow); results <- v }()
	}
	for joined := 0; joined < 2; time.Sleep(time.Millisecond) { // wait until both joined the flight
		c.mu.Lock()
		joined = c.flights[flightKey[key]{gen: cc.gen.Load(), key: k}].waiters
		c.mu.Unlock()
	}
	cc.invalidate()
	// After the change: a computation of its own, not the one in flight.
	if v, _ := c.get(k, time.Minute, func() (int, error) { return 2, nil }); v != 2 {
		t.Fatalf("after invalidate got %d", v)
	}
	close(release)
	for range 3 {
		if v := <-results; v != 1 {
			t.Fatalf("a waiter got %d", v)
		}
	}
	if n := fills.Load(); n != 1 {
		t.Fatalf("%d cold computations, want 1", n)
	}
	if v, _ := c.get(k, time.Minute, func() (int, error) { return 3, nil }); v != 2 {
		t.Fatalf("the entry computed before the change replaced the newer one: %d", v)
	}
}
