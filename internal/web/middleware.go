package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

// requestState is what the middleware learns of a request as it goes: its
// ID, and the route pattern the mux matched.
type requestState struct {
	id      string
	pattern string
}

type stateKey struct{}

func stateOf(ctx context.Context) *requestState {
	st, _ := ctx.Value(stateKey{}).(*requestState)
	return st
}

// requestIDHeader carries a request's ID in and out; a client's own ID is
// kept when it is a valid record ID, so that logs can follow it.
const requestIDHeader = "X-Request-ID"

// instrument gives each request an ID, then logs it and counts it in the
// metrics once it is answered.
func (s *server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &requestState{id: r.Header.Get(requestIDHeader)}
		if record.CheckID("id", st.id) != nil {
			st.id = record.NewID(s.now())
		}
		w.Header().Set(requestIDHeader, st.id)
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
		next.ServeHTTP(sw, r)

		elapsed := time.Since(start)
		status := sw.status
		if status == 0 {
			status = http.StatusOK // a handler that wrote nothing
		}
		route := "unmatched"
		if st.pattern != "" {
			_, route, _ = strings.Cut(st.pattern, " ")
		}
		method := r.Method
		switch method {
		case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		default:
			method = "OTHER" // bounded label values
		}
		code := strconv.Itoa(status)
		s.metrics.requests.WithLabelValues(method, route, code).Inc()
		s.metrics.duration.WithLabelValues(method, route, code).Observe(elapsed.Seconds())
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("route", route), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.Duration("duration", elapsed), slog.Int64("bytes", sw.bytes),
			slog.String("request_id", st.id))
	})
}

// recoverPanics turns a panic in a handler into a logged 500 problem, so
// that one bad request does not take the process down with it.
func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p) // the server's own way to abort a response
			}
			s.log.ErrorContext(r.Context(), "panic serving a request", "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if sw, ok := w.(*statusWriter); ok && sw.status != 0 {
				return // the answer has begun; the client sees it cut short
			}
			s.problem(w, r, errs.Wrap(errs.Internal, errors.New(fmt.Sprint(p)), "panic"))
		}()
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 && status >= 200 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// metrics are the server's own collectors.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// newMetrics registers the server's collectors and the Go runtime and
// process collectors on reg. A collector already there (from another server
// on the same registry, or registered by the caller) is shared, not an error.
func newMetrics(reg *prometheus.Registry) *metrics {
	labels := []string{"method", "route", "code"}
	m := &metrics{
		requests: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "outbreak", Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, labels)),
		duration: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "outbreak", Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Time to answer HTTP requests, by method, route pattern and status code.",
			Buckets: prometheus.DefBuckets,
		}, labels)),
	}
	register(reg, collectors.NewGoCollector())
	register(reg, collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// register registers c on reg, or returns the equal collector already there.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
		return c
	}
	panic("web: registering metrics: " + err.Error()) // a programming mistake, as with MustRegister
}
