package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"outbreak/internal/sqlstore"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *sqlstore.DB) {
		a := newAPI(t, db)
		if got := want[health](t, a.do("GET", "/healthz", nil), http.StatusOK); got.Status != "ok" {
			t.Errorf("status %q", got.Status)
		}
		db.Close()
		p := problemOK(t, a.do("GET", "/healthz", nil), http.StatusServiceUnavailable)
		if p.Type != problemPrefix+"unavailable" {
			t.Errorf("type %q", p.Type)
		}
	})
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	a := newAPI(t, openSQLite(t))
	a.do("GET", "/healthz", nil)
	a.do("GET", "/api/v1/people/nobody", nil)
	a.do("GET", "/no/such/route", nil)
	rec := a.do("GET", "/metrics", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`outbreak_http_requests_total{code="200",method="GET",route="/healthz"} 1`,
		`outbreak_http_requests_total{code="404",method="GET",route="/api/v1/people/{id}"} 1`,
		`outbreak_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`outbreak_http_request_duration_seconds_bucket{code="200",method="GET",route="/healthz",le="+Inf"} 1`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	t.Run("a second server shares the registry", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		for range 2 {
			New(Config{Store: a.db, Registry: reg}).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
		}
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == "outbreak_http_requests_total" && mf.GetMetric()[0].GetCounter().GetValue() != 2 {
				t.Errorf("requests counted %v, want 2", mf.GetMetric()[0].GetCounter().GetValue())
			}
		}
	})
}

func TestMiddleware(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	s := newServer(Config{Store: openSQLite(t), Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	tests := []struct {
		name    string
		handler http.HandlerFunc
		reqID   string
		status  int
	}{
		{"panic is a 500 problem", func(http.ResponseWriter, *http.Request) { panic("boom") }, "", 500},
		{"panic after the answer began", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			panic("late boom")
		}, "", http.StatusAccepted},
		{"a client's request ID is kept", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }, "client-42", http.StatusNoContent},
		{"a bad request ID is replaced", func(w http.ResponseWriter, _ *http.Request) {}, "not ok!", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := s.instrument(s.recoverPanics(tt.handler))
			req := httptest.NewRequest("GET", "/x", nil)
			if tt.reqID != "" {
				req.Header.Set(requestIDHeader, tt.reqID)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			id := rec.Header().Get(requestIDHeader)
			switch {
			case tt.reqID == "client-42" && id != "client-42":
				t.Errorf("request ID %q, want the client's", id)
			case id == "" || id == "not ok!":
				t.Errorf("request ID %q", id)
			}
			if tt.status == 500 {
				p := problemOK(t, rec, 500)
				if p.Detail != "internal error" || p.RequestID != id {
					t.Errorf("problem %+v", p)
				}
			}
		})
	}
	for _, want := range []string{`"msg":"panic serving a request"`, `"panic":"boom"`, `"msg":"request"`, `"status":500`, `"request_id":"client-42"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %s:\n%s", want, logs.String())
		}
	}
}
