package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// instrument registers what the metrics read from the services and the
// database at scrape time.
func (a *App) instrument() {
	m := a.Metrics
	m.DBPool(a.store.Stats)
	m.Count("marquee_seatmap_subscribers", "Live seat-map streams this instance serves.", a.Sales.Subscribers)
	m.Count("marquee_seat_snapshots", "Showtimes whose seat snapshot this instance holds.", a.Sales.Snapshots)
	m.Gauge("marquee_refunds_waiting", "Refunds recorded but not yet settled by the payment provider (retried).",
		func(ctx context.Context) (float64, error) {
			n, err := a.store.RefundsWaiting(ctx)
			return float64(n), err
		})
	m.Gauge("marquee_mail_queue", "Order e-mails waiting to be sent (confirmations, showtime notices).",
		func(ctx context.Context) (float64, error) {
			n, err := a.store.MailQueue(ctx)
			return float64(n), err
		})
}

// ServeMetrics serves the Prometheus metrics on ln until ctx ends. It is a
// plain net/http server of its own: the metrics never share the public
// address, its middleware or its limits.
func (a *App) ServeMetrics(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.Metrics.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
