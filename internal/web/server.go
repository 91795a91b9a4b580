// Package web serves Outbreak's JSON API under /api/v1, the OpenAPI 3.1
// document that describes it at /api/openapi.json, /healthz and /metrics,
// and mounts the pages of package pages behind the same middleware.
//
// Every route is a row of one table (routes.go) that both registers the
// handler and writes the OpenAPI document, so the two cannot drift apart.
// Errors are RFC 9457 problem details naming the offending field.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"outbreak/internal/kinds"
	"outbreak/internal/supply"
	"outbreak/internal/web/pages"
)

// Store is what the API needs of the store: the domain stores of every kind
// of record (as import and export need them, supply.Store with its plans
// and dispatch among them), what the pages it mounts read, and a ping for
// /healthz.
type Store interface {
	kinds.Store
	pages.Store
	// Ping returns an error when the store does not answer.
	Ping(ctx context.Context) error
	// ResidentKnown returns nil for a resident that exists, else NotFound.
	ResidentKnown(ctx context.Context, id string) error
}

// Config wires the server; every dependency is explicit.
type Config struct {
	// Store keeps the records. It is required.
	Store Store
	// Logger receives one line per request and the details of internal
	// errors; nil discards them.
	Logger *slog.Logger
	// Now is the clock: the default check-in and check-out time, the time
	// in new IDs, and "now" for plans and the pages. Nil means time.Now.
	Now func() time.Time
	// Codes keeps the health codes and Tokens signs them; without them the
	// code routes answer 503.
	Codes  Codes
	Tokens Tokens
	// Registry receives the server's metrics and the Go runtime collectors,
	// and is what /metrics serves. Nil means a registry of the server's own.
	Registry *prometheus.Registry
}

// server is the API: the handlers of the route table on a ServeMux, wrapped
// in request IDs, logging, metrics and panic recovery.
type server struct {
	store   Store
	codes   Codes
	tokens  Tokens
	log     *slog.Logger
	now     func() time.Time
	reg     *prometheus.Registry
	metrics *metrics
	mux     *http.ServeMux
	routes  []route
	// patterns are the patterns registered on mux, in order.
	patterns []string
	// planner makes the plans that the API and the pages ask for; one
	// planner serves both, so that it makes their plans one at a time.
	planner *supply.Planner
	// doc is the OpenAPI document, built once from routes.
	doc     []byte
	handler http.Handler
}

// New returns the handler of the whole API and the pages. It panics if
// cfg.Store is nil, which is a wiring mistake, not a condition to handle at
// run time.
func New(cfg Config) http.Handler { return newServer(cfg) }

func newServer(cfg Config) *server {
	if cfg.Store == nil {
		panic("web: Config.Store is nil")
	}
	s := &server{store: cfg.Store, codes: cfg.Codes, tokens: cfg.Tokens, log: cfg.Logger, now: cfg.Now, reg: cfg.Registry, mux: http.NewServeMux()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.reg == nil {
		s.reg = prometheus.NewRegistry()
	}
	s.metrics = newMetrics(s.reg)
	s.planner = supply.NewPlanner(s.store, s.now)
	s.routes = s.table()
	for _, rt := range s.routes {
		s.mux.HandleFunc(rt.pattern(), rt.handler)
		s.patterns = append(s.patterns, rt.pattern())
	}
	s.doc = mustJSON(s.openAPI())
	// Pages, not API routes: not in patterns. On the same mux, so that the
	// middleware below serves them as it serves the API.
	pages.New(pages.Config{Store: s.store, Planner: s.planner, Problem: s.pageProblem, Logger: s.log, Now: s.now}).Register(s.mux)
	// Browsers send Sec-Fetch-Site or Origin: a form or script of another
	// site may not change anything here (plan or dispatch, say). Clients
	// that are not browsers send neither and pass.
	guard := http.NewCrossOriginProtection()
	guard.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, &httpError{status: http.StatusForbidden, slug: "forbidden", title: "Forbidden",
			detail: "a request from another site may not change anything here"})
	}))
	s.handler = s.instrument(s.recoverPanics(guard.Handler(http.HandlerFunc(s.route))))
	return s
}

// ServeHTTP serves one request.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// route dispatches to the mux, answering unknown routes and wrong methods
// with problem details instead of the mux's plain text.
func (s *server) route(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	if pattern == "" {
		// The mux's own 404 or 405: learn which, and its Allow header.
		rec := &discardWriter{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if rec.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", rec.header.Get("Allow"))
			s.problem(w, r, &httpError{status: rec.status, slug: "method-not-allowed", title: "Method not allowed",
				detail: r.Method + " is not allowed on " + r.URL.Path + "; allowed: " + rec.header.Get("Allow")})
			return
		}
		s.problem(w, r, &httpError{status: http.StatusNotFound, slug: "no-route", title: "No such route",
			detail: "no route " + r.Method + " " + r.URL.Path + "; see /api/openapi.json"})
		return
	}
	if st := stateOf(r.Context()); st != nil {
		st.pattern = pattern
	}
	s.mux.ServeHTTP(w, r)
}

// pageProblem answers a page's failure as problem details, a form that
// cannot be read as a malformed request.
func (s *server) pageProblem(w http.ResponseWriter, r *http.Request, err error) {
	var fe *pages.FormError
	if errors.As(err, &fe) {
		err = malformed(fe.Error())
	}
	s.problem(w, r, err)
}

// discardWriter records the status and headers of a response and drops its
// body.
type discardWriter struct {
	header http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(status int)      { d.status = status }
