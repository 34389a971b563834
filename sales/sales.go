// Package sales sells a showtime's seats. It is the one road for every seat
// change made by a sale — the web pages, the API and the box office call it,
// nothing else claims seats: hold a seat (with its wheelchair companion),
// release it, the best n seats together, a held seat's ticket type, a cart
// turned into an order, an order placed in one go with named or best seats
// (the API; a counter sale with its tender).
//
// It owns the live seat read model: per showtime, a copy-on-write snapshot of
// the claims (cache.go), kept fresh by PostgreSQL's change feed, and the
// subscriptions that tell live seat maps to fetch again. Every change it makes
// it announces and applies itself: claim (the hot paths through db.Claimer,
// quietly) → announce (one batched NOTIFY) → apply to the snapshot (so the
// answer shows it) → retry where choosing seats again makes sense (best
// seats). Callers never touch the claims or the cache.
//
// The rules are booking's (holds, cutoffs, ticket lines, companion seats);
// the statements are db's. sales knows nothing of HTTP or rendering: what a
// page renders once per snapshot it keeps in a Memo slot (memo.go).
package sales

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"marquee/booking"
	"marquee/db"
)

// ChangeFeed delivers PostgreSQL notifications (db.Notifier).
type ChangeFeed interface {
	Subscribe(channel string) (<-chan db.Notification, func())
}

// Deps are the service's dependencies.
type Deps struct {
	DB *db.DB
	// Feed keeps the snapshots fresh (db.ChannelSeats, db.ChannelCatalog).
	// Nil (an untyped nil, not a nil *db.Notifier): no change feed, every
	// read loads the claims (tests that need exact reads without a listener).
	Feed   ChangeFeed
	Clock  booking.Clock // business time; nil: booking.SystemClock
	Logger *slog.Logger  // nil: slog.Default()
	// Rules are the booking rules in force, per theatre (settings.Store),
	// read at every look at a showtime (a pointer load, no database read).
	// Nil: Settings, for every theatre.
	Rules Rules
	// Settings are the booking rules without Rules (hold length, seats per
	// cart, fee); zero durations and counts take booking.DefaultSettings.
	Settings booking.Settings
}

// Rules gives the booking rules of a theatre's showtimes as they are now
// (settings.Store).
type Rules interface {
	Booking(theatreID int64) booking.Settings
}

// Service sells seats. Build it with New; stop it with EndStreams and Close.
type Service struct {
	db     *db.DB
	clock  booking.Clock
	set    booking.Settings
	rules  Rules // nil: set
	log    *slog.Logger
	seats  *seatCache  // per-showtime snapshots and their subscribers (cache.go)
	claims *db.Claimer // batched seat clicks (db/claimer.go)
}

// New starts the service: its batched NOTIFY announcer, its click claimer and,
// with a feed, the goroutine following it.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = booking.SystemClock{}
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &Service{db: d.DB, clock: d.Clock, set: d.Settings.WithDefaults(), rules: d.Rules, log: d.Logger}
	s.seats = newSeatCache(d.DB, d.Logger)
	// One batching worker: one click statement in flight per instance, the
	// clicks arriving meanwhile make the next one. Measured (make
	// bench-booking, 64 clients) ahead of 2 and 3 workers, whose smaller
	// batches cost PostgreSQL more statements for the same clicks.
	s.claims = d.DB.NewClaimer(1)
	if d.Feed != nil {
		s.seats.follow(d.Feed)
	}
	return s
}

// Settings are the booking rules the service sells by without a theatre
// (defaults filled in): those of a theatre unknown to the settings.
func (s *Service) Settings() booking.Settings { return s.SettingsFor(0) }

// SettingsFor are the booking rules of the theatre's showtimes now.
func (s *Service) SettingsFor(theatreID int64) booking.Settings {
	if s.rules == nil {
		return s.set
	}
	return s.rules.Booking(theatreID)
}

// EndStreams ends the live seat map subscriptions (Done closes), so that a
// graceful shutdown doesn't wait for them; call it before shutting the
// server down. The change feed and the batched announcements stop with it.
func (s *Service) EndStreams() { s.seats.close() }

// Close stops what the service runs in the background (subscriptions,
// batched seat clicks); call it once the server answers no more requests.
func (s *Service) Close() {
	s.seats.close()
	s.claims.Close()
}

// Done is closed when the subscriptions must end (EndStreams, Close).
func (s *Service) Done() <-chan struct{} { return s.seats.done }

// Subscribe returns a channel woken (coalesced: one pending wake at most)
// whenever the showtime's seats change, on any instance, and the function
// that ends the subscription. ENOTFOUND for an unknown showtime.
func (s *Service) Subscribe(ctx context.Context, showtimeID int64) (<-chan struct{}, func(), error) {
	if _, err := s.seats.get(ctx, showtimeID, false); err != nil {
		return nil, nil, err
	}
	ch, stop := s.seats.subscribe(showtimeID)
	return ch, stop, nil
}

// ShowChanged makes this instance reload a showtime's static part (the
// showtime, its layout, its prices) on its next view, at once: the manager
// pages call it after changing a showtime (other instances hear of it from
// the catalogue's NOTIFY).
func (s *Service) ShowChanged(showtimeID int64) { s.seats.showChanged(showtimeID) }

// View is one viewer's look at a showtime's seats at one moment: the
// snapshot, the viewer's cart and the seats as the viewer sees them.
// Read-only: States may be shared with other viewers.
type View struct {
	Show    *Show
	Cart    string
	Now     time.Time
	States  []booking.SeatState // in layout order (Show.Layout.Seats)
	Mine    []booking.Claim     // the viewer's live holds, in layout order
	Expired []booking.Claim     // the viewer's holds that ran out
	Sales   booking.Sales
	// Set is the booking rules of the showtime's theatre as they were at Now.
	Set  booking.Settings
	snap *seatSnapshot
}

// View returns the showtime's seats as the viewer with cart (none: "") sees
// them now, from the snapshot.
func (s *Service) View(ctx context.Context, showtimeID int64, cart string) (*View, error) {
	return s.view(ctx, showtimeID, cart, false)
}

// view is View; force skips the snapshot's freshness (after a refused
// claim, to look at the truth).
func (s *Service) view(ctx context.Context, id int64, cart string, force bool) (*View, error) {
	snap, err := s.seats.get(ctx, id, force)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	v := &View{Show: snap.static, Cart: cart, Now: now, snap: snap, Set: s.SettingsFor(snap.static.Info.Theatre.ID)}
	v.States, v.Mine, v.Expired = snap.states(cart, now)
	v.Sales = booking.SalesAt(snap.static.Info.Showtime, now, v.Set)
	return v, nil
}

// Shared returns the slot for what is rendered once for every viewer of
// this snapshot who sees its public view (States are the shared ones), nil
// when the viewer sees seats of their own.
func (v *View) Shared() *Memo { return v.snap.shared(v.States) }

// withHeld is v after the viewer was granted seats: what the snapshot shows
// once the grant is applied, without working out every seat's state again.
func (v *View) withHeld(granted []int64, ticketType string, until time.Time) *View {
	l := v.Show.Layout
	nv := *v
	nv.States = slices.Clone(v.States)
	nv.Mine = slices.Clone(v.Mine)
	for _, sid := range granted {
		i, ok := l.Index(sid)
		if !ok || nv.States[i] == booking.StateMine {
			continue
		}
		nv.States[i] = booking.StateMine
		exp := until
		nv.Mine = append(nv.Mine, booking.Claim{SeatID: sid, CartID: v.Cart, TicketType: ticketType, ExpiresAt: &exp})
	}
	slices.SortFunc(nv.Mine, func(x, y booking.Claim) int { // layout order, as states lists them
		i, _ := l.Index(x.SeatID)
		j, _ := l.Index(y.SeatID)
		return i - j
	})
	return &nv
}

// takenByOthers says which seats best seats must avoid: live claims that
// are not the viewer's own (their own seats are released by the replace).
func (v *View) takenByOthers() func(int64) bool {
	return func(seatID int64) bool {
		cl, ok := v.snap.claims.get(seatID)
		if !ok || !cl.Live(v.Now) {
			return false
		}
		return !(cl.CartID == v.Cart && cl.OrderID == 0)
	}
}

// ViewsOf is one snapshot of a showtime whose claims are these, outside any
// cache, for tests and tools that look at given claims: every view it gives
// (the viewer with cart, at now) shares the snapshot, as the viewers of one
// cached snapshot do — its shared states and their memo slot included.
// Claims of seats not in show's layout are ignored.
func ViewsOf(show *Show, claims []booking.Claim, set booking.Settings) func(cart string, now time.Time) *View {
	snap := &seatSnapshot{static: show, claims: newSeatClaims(show.Layout)}
	for _, cl := range claims {
		snap.claims.set(cl)
	}
	return func(cart string, now time.Time) *View {
		v := &View{Show: show, Cart: cart, Now: now, snap: snap, Set: set.WithDefaults()}
		v.States, v.Mine, v.Expired = snap.states(cart, now)
		v.Sales = booking.SalesAt(show.Info.Showtime, now, set)
		return v
	}
}
