package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"outbreak/internal/sqlstore"
)

// t0 is the tests' "now".
var t0 = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

// ts formats t0 plus d as the API writes instants.
func ts(d time.Duration) string { return t0.Add(d).Format(time.RFC3339Nano) }

// apiTest is a server on a real store, driven through httptest.
type apiTest struct {
	t   *testing.T
	db  *sqlstore.DB
	srv *server
	reg *prometheus.Registry
}

func newAPI(t *testing.T, db *sqlstore.DB) *apiTest {
	t.Helper()
	reg := prometheus.NewRegistry()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := newServer(Config{Store: db, Logger: log, Now: func() time.Time { return t0 }, Registry: reg})
	return &apiTest{t: t, db: db, srv: srv, reg: reg}
}

// do sends one request. body is sent as is when it is a string, and as JSON
// otherwise; headers come in name, value pairs.
func (a *apiTest) do(method, path string, body any, headers ...string) *httptest.ResponseRecorder {
	a.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", jsonType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	a.srv.ServeHTTP(rec, req)
	return rec
}

// want checks a response's status and decodes its body into a T.
func want[T any](t *testing.T, rec *httptest.ResponseRecorder, status int) T {
	t.Helper()
	var v T
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body: %s", rec.Code, status, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decoding %T: %v; body: %s", v, err, rec.Body)
	}
	return v
}

// problemOK checks that a response is problem details of status and
// returns them.
func problemOK(t *testing.T, rec *httptest.ResponseRecorder, status int) Problem {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != problemType {
		t.Fatalf("Content-Type %q, want %s; status %d, body: %s", ct, problemType, rec.Code, rec.Body)
	}
	p := want[Problem](t, rec, status)
	if p.Status != status || p.Title == "" || !strings.HasPrefix(p.Type, problemPrefix) || p.Detail == "" {
		t.Fatalf("problem %+v lacks a member or has the wrong status", p)
	}
	return p
}

// wantField checks that a problem names field first.
func wantField(t *testing.T, p Problem, field string) {
	t.Helper()
	if len(p.Errors) == 0 || p.Errors[0].Field != field || p.Errors[0].Reason == "" {
		t.Fatalf("problem errors %+v, want the first to name %q", p.Errors, field)
	}
}

type obj = map[string]any

// seed stores a small city through the API: country cn > province p1 >
// city c1 > district d1; places v1, v2 in d1; residents r1–r5 at home in d1;
// depots dep1 and dep2.
func (a *apiTest) seed() {
	a.t.Helper()
	for _, r := range []obj{
		{"id": "cn", "name": "China", "kind": "country"},
		{"id": "p1", "name": "Province 1", "parent": "cn", "kind": "province"},
		{"id": "c1", "name": "City 1", "parent": "p1", "kind": "city"},
		{"id": "d1", "name": "District 1", "parent": "c1", "kind": "district"},
	} {
		want[obj](a.t, a.do("POST", "/api/v1/regions", r), http.StatusCreated)
	}
	for _, p := range []obj{
		{"id": "v1", "name": "Noodle bar", "region": "d1", "category": "restaurant", "lat": 23.1, "lon": 113.2, "default_dwell": "1h"},
		{"id": "v2", "name": "Market", "region": "d1", "category": "market", "lat": 23.2, "lon": 113.3},
	} {
		want[obj](a.t, a.do("POST", "/api/v1/places", p), http.StatusCreated)
	}
	for i := 1; i <= 5; i++ {
		want[obj](a.t, a.do("POST", "/api/v1/people", obj{"id": fmt.Sprintf("r%d", i), "name": fmt.Sprintf("Resident %d", i),
			"phone": fmt.Sprintf("+861380000000%d", i), "language": "zh", "time_zone": "Asia/Shanghai", "home_region": "d1"}),
			http.StatusCreated)
	}
	for _, d := range []obj{
		{"id": "dep1", "name": "North depot", "lat": 23.15, "lon": 113.25, "time_zone": "Asia/Shanghai"},
		{"id": "dep2", "name": "South depot", "lat": 23.05, "lon": 113.2},
	} {
		want[obj](a.t, a.do("POST", "/api/v1/depots", d), http.StatusCreated)
	}
}

// seededIDs are the IDs seed stores, by kind.
var seededIDs = map[string][]string{
	"regions": {"cn", "p1", "c1", "d1"},
	"places":  {"v1", "v2"},
	"people":  {"r1", "r2", "r3", "r4", "r5"},
	"depots":  {"dep1", "dep2"},
}

// listAll follows a list's pages of size limit and returns the items.
func (a *apiTest) listAll(path string, limit int) []obj {
	a.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var all []obj
	after := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			a.t.Fatalf("%s: more than 1000 pages", path)
		}
		url := fmt.Sprintf("%s%slimit=%d", path, sep, limit)
		if after != "" {
			url += "&after=" + neturl.QueryEscape(after)
		}
		page := want[Page[obj]](a.t, a.do("GET", url, nil), http.StatusOK)
		if len(page.Items) > limit {
			a.t.Fatalf("%s: %d items on a page of %d", url, len(page.Items), limit)
		}
		all = append(all, page.Items...)
		if page.Next == "" {
			return all
		}
		after = page.Next
	}
}
