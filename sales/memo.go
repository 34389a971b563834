package sales

import (
	"sync"
	"sync/atomic"
)

// Memo is a slot for one value computed on first use and kept as long as
// what it belongs to: a Show (until the showtime is reloaded) or a
// snapshot's public view (until the next change). The presentation layer
// fills it with what it renders once for everyone — handlers put the seat
// map's pre-rendered seats and legend in Show.Rendered, and the map's HTML
// in View.Shared — so the hottest pages cost no rendering per request.
//
// Why a slot typed any rather than sales rendering the map: sales must not
// import views (the arrows point handlers → sales and handlers → views), and
// a cache in handlers keyed by snapshot would cost a map lookup and a lock
// per request and grow with the snapshots it must forget. The slot lives and
// dies with its snapshot for free; reading a filled one is an atomic load
// and a type assertion (no allocation).
type Memo struct {
	done atomic.Bool
	mu   sync.Mutex
	v    any
}

// Get returns the memo's value, computing it with fill on first use (once;
// concurrent callers wait for it). A fill that fails is not kept: the next
// Get tries again.
func (m *Memo) Get(fill func() (any, error)) (any, error) {
	if m.done.Load() {
		return m.v, nil
	}
	return m.slow(fill)
}

func (m *Memo) slow(fill func() (any, error)) (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.done.Load() {
		return m.v, nil
	}
	v, err := fill()
	if err != nil {
		return nil, err
	}
	m.v = v
	m.done.Store(true)
	return v, nil
}
