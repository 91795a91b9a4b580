// Package pages serves Outbreak's server-rendered pages: the home page and
// the logistics officer's page with its forms, in English and Simplified
// Chinese, drawn without script.
//
// The pages are not part of the JSON API and the OpenAPI document leaves
// them out, but they are served by the API server: it registers them on
// its mux (Site.Register) so that they pass through the same middleware —
// request IDs, logs, metrics, panic recovery and cross-site protection —
// and it answers their failures as it answers its own (Config.Problem).
package pages

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"outbreak/internal/supply"
)

// Store is what the pages read and change: the supply records, the plans
// and their dispatch, and the counts on the home page.
type Store interface {
	supply.Store
	// Counts returns how many residents, places, regions and active_cases
	// the store holds.
	Counts(ctx context.Context) (map[string]int64, error)
}

// Config wires the pages; every dependency is explicit.
type Config struct {
	// Store keeps the records. It is required.
	Store Store
	// Planner makes the plans the logistics page asks for. It is
	// required, and shared with the API, so that the two make plans one
	// at a time between them.
	Planner *supply.Planner
	// Problem answers a request with an error instead of a page: a store
	// that fails, or a form that cannot be read (a *FormError). It is the
	// API server's own, so that such answers carry the request's ID and
	// are logged like the API's. It is required.
	Problem func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives what goes wrong after a page has begun; nil
	// discards it.
	Logger *slog.Logger
	// Now is the clock: the time of a dispatch, and the day a page shows
	// when none is asked for. Nil means time.Now.
	Now func() time.Time
}

// Site is the pages, ready to be registered on a mux.
type Site struct {
	store   Store
	planner *supply.Planner
	problem func(w http.ResponseWriter, r *http.Request, err error)
	log     *slog.Logger
	now     func() time.Time
}

// New returns the pages of cfg. It panics if cfg lacks its Store, Planner
// or Problem, which is a wiring mistake, not a condition to handle at run
// time.
func New(cfg Config) *Site {
	if cfg.Store == nil || cfg.Planner == nil || cfg.Problem == nil {
		panic("pages: Config needs a Store, a Planner and a Problem")
	}
	s := &Site{store: cfg.Store, planner: cfg.Planner, problem: cfg.Problem, log: cfg.Logger, now: cfg.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Register adds the pages to mux: the mounting server's own, rather than
// a handler behind a prefix, so that the pattern it matched names the page
// in the server's metrics and logs.
func (s *Site) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /logistics", s.logisticsPage)
	mux.HandleFunc("POST /logistics/plans", s.planDay)
	mux.HandleFunc("POST /logistics/plans/{id}/dispatch", s.dispatchFromPage)
}

// FormError is a page's form that cannot be read. The request is at fault,
// not the store: Config.Problem answers it 400 Bad Request.
type FormError struct {
	Err error
}

// Error says that the form cannot be read, and why.
func (e *FormError) Error() string { return "the form cannot be read: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *FormError) Unwrap() error { return e.Err }
