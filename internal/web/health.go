package web

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"outbreak/internal/errs"
)

// health is the answer of /healthz.
type health struct {
	Status string `json:"status"`
}

// pingTimeout bounds how long /healthz waits for the store, so that a
// load balancer's probe gets an answer while the store hangs.
const pingTimeout = 2 * time.Second

func (s *server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), pingTimeout)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(r.Context(), "health: the store does not answer", "err", err)
		s.problem(w, r, errs.E(errs.Unavailable, "the store does not answer"))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.json(w, r, http.StatusOK, health{Status: "ok"})
}

// metricsHandler serves the registry in the Prometheus text format.
func (s *server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})
}

// openAPIHandler serves the OpenAPI document built when the server was.
func (s *server) openAPIHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", jsonType)
	_, _ = w.Write(s.doc)
}
