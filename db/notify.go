package db

import (
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"
)

// Notifier is the process's one LISTEN connection, fanning PostgreSQL
// notifications out to in-memory subscribers. Because every instance listens,
// caches and live seat maps stay correct behind a load balancer.
//
// When the connection is lost and comes back, every subscriber receives a
// notification with Reconnected set: treat everything as changed.
type Notifier struct {
	listener *pq.Listener
	logger   *slog.Logger

	mu   sync.Mutex
	subs map[string]map[chan Notification]struct{}
	done chan struct{}
}

// Notification is one message on a channel.
type Notification struct {
	Channel     string
	Payload     string
	Reconnected bool
}

// The listener retries a lost connection after minReconnect, doubling up to
// maxReconnect: after a database outage it is back within a second of the
// database (lib/pq's usual 10 s would leave seat maps stale that long).
const (
	minReconnect = 100 * time.Millisecond
	maxReconnect = time.Second
)

// NewNotifier starts listening on the given channels.
func NewNotifier(dsn string, logger *slog.Logger, channels ...string) (*Notifier, error) {
	n := &Notifier{logger: logger, subs: map[string]map[chan Notification]struct{}{}, done: make(chan struct{})}
	n.listener = pq.NewListener(dsn, minReconnect, maxReconnect, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventDisconnected:
			logger.Warn("notify listener disconnected", "err", err)
		case pq.ListenerEventReconnected:
			logger.Info("notify listener reconnected")
			n.broadcastReconnect()
		case pq.ListenerEventConnectionAttemptFailed:
			logger.Warn("notify listener reconnect failed", "err", err)
		}
	})
	for _, ch := range channels {
		if err := n.listener.Listen(ch); err != nil {
			n.listener.Close()
			return nil, err
		}
	}
	go n.loop()
	return n, nil
}

func (n *Notifier) loop() {
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-n.done:
			return
		case pn, ok := <-n.listener.Notify:
			if !ok {
				return
			}
			if pn == nil { // lib/pq sends nil after a reconnect
				n.broadcastReconnect()
				continue
			}
			n.publish(Notification{Channel: pn.Channel, Payload: pn.Extra})
		case <-ping.C:
			go n.listener.Ping()
		}
	}
}

// Subscribe returns a channel receiving notifications of one PostgreSQL
// channel, and a function to stop. Slow subscribers miss messages rather than
// block others (buffered, non-blocking send); a missed message is never the
// only signal since readers re-read state on every message.
func (n *Notifier) Subscribe(channel string) (<-chan Notification, func()) {
	c := make(chan Notification, 64)
	n.mu.Lock()
	if n.subs[channel] == nil {
		n.subs[channel] = map[chan Notification]struct{}{}
	}
	n.subs[channel][c] = struct{}{}
	n.mu.Unlock()
	var once sync.Once
	return c, func() {
		once.Do(func() {
			n.mu.Lock()
			delete(n.subs[channel], c)
			n.mu.Unlock()
		})
	}
}

func (n *Notifier) publish(msg Notification) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for c := range n.subs[msg.Channel] {
		select {
		case c <- msg:
		default:
		}
	}
}

func (n *Notifier) broadcastReconnect() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for ch, subs := range n.subs {
		for c := range subs {
			select {
			case c <- Notification{Channel: ch, Reconnected: true}:
			default:
			}
		}
	}
}

// Close stops listening.
func (n *Notifier) Close() error {
	close(n.done)
	return n.listener.Close()
}

// Notification channels. Triggers and statements in this package send on them.
const (
	// ChannelCatalog carries "something in the programme changed" (no payload).
	ChannelCatalog = "marquee_catalog"
	// ChannelSeats carries the id of a showtime whose seat claims changed
	// (triggers on seat_claims, in the transaction of the change).
	ChannelSeats = "marquee_seats"
	// ChannelSettings carries "the business settings changed" (no payload;
	// triggers on cinema_settings and theatres): every instance reloads them.
	ChannelSettings = "marquee_settings"
)

// NotifyChannels are the channels a serving process listens on.
var NotifyChannels = []string{ChannelCatalog, ChannelSeats, ChannelSettings}
