package booking

import (
	"context"
	"testing"
	"time"
)

func TestEveryRunsUntilContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		Every(ctx, time.Millisecond, func(context.Context) { calls <- struct{}{} })
	}()
	for i := 0; i < 3; i++ {
		select {
		case <-calls:
		case <-time.After(10 * time.Second):
			t.Fatalf("call %d never came", i+1)
		}
	}
	cancel()
	for {
		select {
		case <-calls: // a tick that raced the cancellation
		case <-done:
			return
		case <-time.After(10 * time.Second):
			t.Fatal("Every did not return after the context ended")
		}
	}
}
