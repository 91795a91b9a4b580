package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/errs"
	"outbreak/internal/kinds"
	"outbreak/internal/sqlstore"
)

func TestBatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind string
		// lines of the body; want the result of each non-blank line.
		lines []string
		want  []kinds.BatchItem
	}{
		{kind: "visits", lines: []string{
			`{"person":"r1","place":"v1","check_in":"2026-11-01T08:00:00Z","check_out":"2026-11-01T09:00:00Z"}`,
			`{"person":"r2","place":"v1","check_in":"2026-11-01T08:00:00Z","check_out":"2026-11-01T07:00:00Z"}`,
			``,
			`{"person":"ghost","place":"v2","check_in":"2026-11-02T08:00:00Z"}`,
			`{"person":"r3","place":"v2","check_in":`,
			`{"person":"r3","place":"v2","check_in":"2026-11-03T08:00:00Z"}`,
		}, want: []kinds.BatchItem{
			{Line: 1},
			{Line: 2, Error: &errs.FieldError{Field: "check_out"}},
			{Line: 4, Error: &errs.FieldError{Field: "person"}},
			{Line: 5, Error: &errs.FieldError{}},
			{Line: 6},
		}},
		{kind: "people", lines: []string{
			`{"id":"n1","name":"New","home_region":"d1"}`,
			`{"id":"n2","home_region":"atlantis"}`,
			`{"id":"n3","phone":"12345"}`,
			`{"name":"no id"}`,
			`{"id":"n4","shoe_size":"44"}`,
		}, want: []kinds.BatchItem{
			{Line: 1, ID: "n1"},
			{Line: 2, ID: "n2", Error: &errs.FieldError{Field: "home_region"}},
			{Line: 3, Error: &errs.FieldError{Field: "phone"}},
			{Line: 4, Error: &errs.FieldError{Field: "id"}},
			{Line: 5, Error: &errs.FieldError{Field: "shoe_size"}},
		}},
		{kind: "places", lines: []string{
			`{"id":"pl1","name":"Cafe","region":"d1","lat":1,"lon":2,"default_dwell":"45m"}`,
			`{"id":"pl2","name":"Cafe","region":"atlantis","lat":1,"lon":2}`,
		}, want: []kinds.BatchItem{{Line: 1, ID: "pl1"}, {Line: 2, ID: "pl2", Error: &errs.FieldError{Field: "region"}}}},
		{kind: "regions", lines: []string{
			`{"id":"d2","name":"District 2","parent":"c1","kind":"district"}`,
			`{"id":"d3","name":"District 3","parent":"d2","kind":"district"}`,
			`{"id":"c2","name":"City 2","parent":"p1","kind":"town"}`,
		}, want: []kinds.BatchItem{{Line: 1, ID: "d2"}, {Line: 2, ID: "d3", Error: &errs.FieldError{Field: "parent"}}, {Line: 3, Error: &errs.FieldError{Field: "kind"}}}},
		{kind: "stays", lines: []string{
			`{"person":"r1","region":"d1","from":"2026-11-01T08:00:00Z"}`,
			`{"person":"r1","region":"d1","from":"2026-11-01T08:00:00Z","to":"2026-10-01T08:00:00Z"}`,
		}, want: []kinds.BatchItem{{Line: 1}, {Line: 2, Error: &errs.FieldError{Field: "to"}}}},
		{kind: "labs", lines: []string{
			`{"person":"r1","specimen_at":"2026-11-01T08:00:00Z","result":"positive","test_type":"pcr"}`,
			`{"person":"r1","specimen_at":"2026-11-01T08:00:00Z","result":"positive"}`,
		}, want: []kinds.BatchItem{{Line: 1}, {Line: 2, Error: &errs.FieldError{Field: "test_type"}}}},
		{kind: "vaccinations", lines: []string{
			`{"person":"r1","given_at":"2026-11-01T08:00:00Z","product":"Vax","dose":1}`,
			`{"person":"r1","given_at":"2026-11-01T08:00:00Z","product":"Vax","dose":0}`,
			`{"person":"ghost","given_at":"2026-11-01T08:00:00Z","product":"Vax","dose":1}`,
		}, want: []kinds.BatchItem{{Line: 1}, {Line: 2, Error: &errs.FieldError{Field: "dose"}}, {Line: 3, Error: &errs.FieldError{Field: "person"}}}},
		{kind: "declarations", lines: []string{
			`{"person":"r1","declared_at":"2026-11-01T08:00:00Z","symptoms":["cough"]}`,
			`{"person":"r1","declared_at":"2026-11-01T08:00:00Z","symptoms":[]}`,
			`{"person":"r1","declared_at":"soon","symptoms":[]}`,
		}, want: []kinds.BatchItem{{Line: 1}, {Line: 2}, {Line: 3, Error: &errs.FieldError{Field: "declared_at"}}}},
		{kind: "cases", lines: []string{
			`{"person":"r1","onset":"2026-11-01T08:00:00Z"}`,
			`{"id":"c-2","person":"r2","onset":"2026-11-01T08:00:00Z","isolated":"2026-11-02T08:00:00Z"}`,
			`{"person":"r3","onset":"2026-11-01T08:00:00Z","released":"2026-11-02T08:00:00Z"}`,
			`{"person":"ghost","onset":"2026-11-01T08:00:00Z"}`,
		}, want: []kinds.BatchItem{{Line: 1, ID: "r1"}, {Line: 2, ID: "c-2"}, {Line: 3, Error: &errs.FieldError{Field: "released"}},
			{Line: 4, ID: "ghost", Error: &errs.FieldError{Field: "person"}}}},
		{kind: "vehicles", lines: []string{
			`{"id":"veh1","depot":"dep1","chilled":10,"shift_start":"8h","shift_end":"18h"}`,
			`{"id":"veh2","depot":"atlantis","chilled":10,"shift_end":"18h"}`,
			`{"id":"veh3","depot":"dep1","shift_end":"18h"}`,
			`{"id":"veh4","depot":"dep1","frozen":1,"shift_end":"6pm"}`,
		}, want: []kinds.BatchItem{{Line: 1, ID: "veh1"}, {Line: 2, ID: "veh2", Error: &errs.FieldError{Field: "depot"}},
			{Line: 3, Error: &errs.FieldError{Field: "ambient"}}, {Line: 4, Error: &errs.FieldError{Field: "shift_end"}}}},
		{kind: "stock", lines: []string{
			`{"id":"lot1","depot":"dep2","item":"vaccine","temperature":"frozen","quantity":5,"expiry":"2026-12-01T00:00:00Z"}`,
			`{"id":"lot2","depot":"dep1","item":"vaccine","temperature":"warm","quantity":5}`,
			`{"id":"lot3","depot":"atlantis","item":"vaccine","temperature":"frozen","quantity":5}`,
		}, want: []kinds.BatchItem{{Line: 1, ID: "lot1"}, {Line: 2, Error: &errs.FieldError{Field: "temperature"}},
			{Line: 3, ID: "lot3", Error: &errs.FieldError{Field: "depot"}}}},
		{kind: "requests", lines: []string{
			`{"id":"q1","site":"Home of r1","kind":"household","person":"r1","lat":23.1,"lon":113.2,"item":"food","quantity":1}`,
			`{"id":"q2","site":"Home of ghost","kind":"household","person":"ghost","lat":23.1,"lon":113.2,"item":"food","quantity":1}`,
			`{"id":"q3","site":"Shop","kind":"shop","lat":23.1,"lon":113.2,"item":"food","quantity":1}`,
			`{"id":"q4","site":"Clinic","kind":"other","lat":23.1,"lon":113.2,"item":"vaccine","quantity":2,"slot_from":"2026-11-02T08:00:00Z"}`,
		}, want: []kinds.BatchItem{{Line: 1, ID: "q1"}, {Line: 2, ID: "q2", Error: &errs.FieldError{Field: "person"}},
			{Line: 3, Error: &errs.FieldError{Field: "kind"}}, {Line: 4, Error: &errs.FieldError{Field: "slot_to"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			t.Parallel()
			stores(t, func(t *testing.T, db *sqlstore.DB) {
				a := newAPI(t, db)
				a.seed()
				before := len(a.listAll("/api/v1/"+tt.kind, 100))
				rec := a.do("POST", "/api/v1/"+tt.kind+"/batch", strings.Join(tt.lines, "\n")+"\n", "Content-Type", ndjsonType)
				got := want[kinds.BatchResult](t, rec, http.StatusOK)
				imported, rejected := 0, 0
				for i := range got.Results {
					r := &got.Results[i]
					if r.Error == nil {
						imported++
						continue
					}
					rejected++
					if r.Error.Reason == "" {
						t.Errorf("line %d: error without a reason", r.Line)
					}
					r.Error.Reason = "" // reasons are prose, checked in TestBatchReasons
				}
				if diff := cmp.Diff(tt.want, got.Results); diff != "" {
					t.Errorf("results (-want +got):\n%s", diff)
				}
				if got.Imported != imported || got.Rejected != rejected {
					t.Errorf("imported %d, rejected %d; the results say %d and %d", got.Imported, got.Rejected, imported, rejected)
				}
				if after := len(a.listAll("/api/v1/"+tt.kind, 100)); after != before+imported {
					t.Errorf("%d %s stored after the batch, want %d", after, tt.kind, before+imported)
				}
			})
		})
	}
}

func TestBatchReasons(t *testing.T) {
	t.Parallel()
	a := newAPI(t, openSQLite(t))
	a.seed()
	body := `{"person":"r2","place":"v1","check_in":"2026-11-01T08:00:00Z","check_out":"2026-11-01T07:00:00Z"}` + "\n"
	got := want[kinds.BatchResult](t, a.do("POST", "/api/v1/visits/batch", body, "Content-Type", ndjsonType), http.StatusOK)
	wantRes := kinds.BatchResult{Rejected: 1, Results: []kinds.BatchItem{{Line: 1, Error: &errs.FieldError{Field: "check_out", Reason: "before check_in"}}}}
	if diff := cmp.Diff(wantRes, got); diff != "" {
		t.Errorf("batch (-want +got):\n%s", diff)
	}
}

func TestBatchLimits(t *testing.T) {
	t.Parallel()
	a := newAPI(t, openSQLite(t))
	a.seed()
	line := `{"person":"r1","place":"v1","check_in":"2026-11-01T08:00:00Z"}` + "\n"
	tests := []struct {
		name    string
		body    string
		headers []string
		status  int
	}{
		{"too many lines", strings.Repeat("\n", maxBatchLines) + line, []string{"Content-Type", ndjsonType}, http.StatusRequestEntityTooLarge},
		{"too many bytes", strings.Repeat(" ", maxBatchBytes) + line, []string{"Content-Type", ndjsonType}, http.StatusRequestEntityTooLarge},
		{"JSON, not NDJSON", line, []string{"Content-Type", jsonType}, http.StatusUnsupportedMediaType},
		{"no media type", line, []string{"Content-Type", ""}, http.StatusUnsupportedMediaType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			problemOK(t, a.do("POST", "/api/v1/visits/batch", tt.body, tt.headers...), tt.status)
		})
	}
	t.Run("an empty batch", func(t *testing.T) {
		got := want[kinds.BatchResult](t, a.do("POST", "/api/v1/visits/batch", "\n\n", "Content-Type", ndjsonType+"; charset=utf-8"), http.StatusOK)
		if diff := cmp.Diff(kinds.BatchResult{Results: []kinds.BatchItem{}}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	if n := len(a.listAll("/api/v1/visits", 100)); n != 0 {
		t.Errorf("%d visits stored by refused batches", n)
	}
}
