package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"outbreak/internal/sqlstore"
)

// The pages are tested in their own package; here, that the server mounts
// them behind its middleware: request IDs, logs, metrics, cross-site
// protection, and problem details for what cannot be shown as a page.
func TestPagesMounted(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *sqlstore.DB) {
		var logs bytes.Buffer
		reg := prometheus.NewRegistry()
		a := &apiTest{t: t, db: db, reg: reg, srv: newServer(Config{Store: db, Registry: reg,
			Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Now: func() time.Time { return t0 }})}

		home := a.do("GET", "/", nil, requestIDHeader, "home-1")
		if home.Code != http.StatusOK || !strings.Contains(home.Body.String(), "Residents") || home.Header().Get(requestIDHeader) != "home-1" {
			t.Errorf("the home page: %d, request ID %q", home.Code, home.Header().Get(requestIDHeader))
		}
		if rec := a.do("GET", "/logistics?date=2026-11-02", nil); rec.Code != http.StatusOK ||
			!strings.Contains(rec.Body.String(), "<title>Logistics 2026-11-02 · Outbreak</title>") {
			t.Errorf("the logistics page: %d", rec.Code)
		}
		p := problemOK(t, a.do("GET", "/nothing-here", nil), http.StatusNotFound)
		if p.Type != problemPrefix+"no-route" {
			t.Errorf("an unknown page: %+v", p)
		}

		// A form of another site may not plan or dispatch.
		for _, path := range []string{"/logistics/plans", "/logistics/plans/p1/dispatch", "/api/v1/plans"} {
			p := problemOK(t, a.do("POST", path, "date=2026-11-02", "Sec-Fetch-Site", "cross-site",
				"Content-Type", "application/x-www-form-urlencoded"), http.StatusForbidden)
			if p.Type != problemPrefix+"forbidden" {
				t.Errorf("a cross-site POST %s: %+v", path, p)
			}
		}
		// A form that cannot be read is the request's fault.
		p = problemOK(t, a.do("POST", "/logistics/plans", "date=%zz", "Content-Type", "application/x-www-form-urlencoded"),
			http.StatusBadRequest)
		if p.Type != problemPrefix+"malformed" || !strings.HasPrefix(p.Detail, "the form cannot be read: ") || p.RequestID == "" {
			t.Errorf("a malformed form: %+v", p)
		}

		metrics := a.do("GET", "/metrics", nil).Body.String()
		for _, want := range []string{
			`outbreak_http_requests_total{code="200",method="GET",route="/{$}"} 1`,
			`outbreak_http_requests_total{code="200",method="GET",route="/logistics"} 1`,
			`outbreak_http_requests_total{code="400",method="POST",route="/logistics/plans"} 1`,
			`outbreak_http_requests_total{code="403",method="POST",route="unmatched"} 3`,
		} {
			if !strings.Contains(metrics, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		for _, want := range []string{`"route":"/{$}"`, `"request_id":"home-1"`, `"route":"/logistics","path":"/logistics"`} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("the log lacks %s", want)
			}
		}

		// A store that fails is the server's fault, logged with the
		// request's ID.
		db.Close()
		p = problemOK(t, a.do("GET", "/", nil, requestIDHeader, "home-2"), http.StatusInternalServerError)
		if p.Detail != "internal error" || p.RequestID != "home-2" || !strings.Contains(logs.String(), `"msg":"request failed","method":"GET","path":"/","request_id":"home-2"`) {
			t.Errorf("the home page of a closed store: %+v", p)
		}
	})
}
