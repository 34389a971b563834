// Package metrics is Marquee's Prometheus instrumentation: one registry per
// instance (no global default registry, so tests and several apps in one
// process don't collide), served on its own listen address
// (MARQUEE_METRICS_ADDR), never on the public one.
//
// The HTTP layer records requests by route pattern (never the raw path: the
// label values stay few); the gauges that describe the database — pool use,
// refunds waiting for the provider, e-mail waiting to go — are read when
// Prometheus scrapes, so the hot paths pay nothing for them.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds an instance's collectors. A nil *Metrics records nothing.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inflight prometheus.Gauge
}

// New returns the metrics of one instance, with Go runtime and process
// collectors registered.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "marquee_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "marquee_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and method (live streams: until the stream starts).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route", "method"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "marquee_http_requests_in_flight",
			Help: "HTTP requests being answered (live seat-map streams included).",
		}),
	}
	reg.MustRegister(m.requests, m.latency, m.inflight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Started counts a request in flight; call Done when it is answered.
func (m *Metrics) Started() {
	if m != nil {
		m.inflight.Inc()
	}
}

// Done records an answered request: its route pattern, method, status and
// how long it took.
func (m *Metrics) Done(route, method string, status int, took time.Duration) {
	if m == nil {
		return
	}
	m.inflight.Dec()
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(took.Seconds())
}

// DBPool registers the database pool's statistics under marquee_db_*:
// connections open, in use and idle, the limit, and how often and how long
// requests waited for a connection.
func (m *Metrics) DBPool(stats func() sql.DBStats) {
	gauge := func(name, help string, v func(sql.DBStats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "marquee_db_" + name, Help: help},
			func() float64 { return v(stats()) })
	}
	counter := func(name, help string, v func(sql.DBStats) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "marquee_db_" + name, Help: help},
			func() float64 { return v(stats()) })
	}
	m.reg.MustRegister(
		gauge("connections_max", "Connections the pool may open.", func(s sql.DBStats) float64 { return float64(s.MaxOpenConnections) }),
		gauge("connections_open", "Connections open.", func(s sql.DBStats) float64 { return float64(s.OpenConnections) }),
		gauge("connections_in_use", "Connections in use.", func(s sql.DBStats) float64 { return float64(s.InUse) }),
		gauge("connections_idle", "Idle connections.", func(s sql.DBStats) float64 { return float64(s.Idle) }),
		counter("waits_total", "Times a request waited for a free connection.", func(s sql.DBStats) float64 { return float64(s.WaitCount) }),
		counter("wait_seconds_total", "Time spent waiting for a free connection.", func(s sql.DBStats) float64 { return s.WaitDuration.Seconds() }),
	)
}

// Gauge registers a gauge read at every scrape from read (given at most
// two seconds: a database that doesn't answer shows as NaN, not as a hung
// scrape).
func (m *Metrics) Gauge(name, help string, read func(ctx context.Context) (float64, error)) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		v, err := read(ctx)
		if err != nil {
			return nan()
		}
		return v
	}))
}

// Count registers a gauge of a count kept in memory (SSE subscribers).
func (m *Metrics) Count(name, help string, read func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
		return float64(read())
	}))
}

// Counter registers and returns a counter (jobs count their runs with it).
func (m *Metrics) Counter(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	m.reg.MustRegister(c)
	return c
}
