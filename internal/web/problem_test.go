package web

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/errs"
)

func TestProblems(t *testing.T) {
	t.Parallel()
	a := newAPI(t, openSQLite(t))
	a.seed()
	tests := []struct {
		name, method, path string
		body               any
		headers            []string
		status             int
		typ                string // the slug of the problem type
		field              string // the field errors[0] names, if any
	}{
		{name: "unknown route", method: "GET", path: "/api/v1/nothing", status: 404, typ: "no-route"},
		{name: "unknown root route", method: "GET", path: "/index.php", status: 404, typ: "no-route"},
		{name: "wrong method", method: "DELETE", path: "/api/v1/people/r1", status: 405, typ: "method-not-allowed"},
		{name: "wrong method on a list", method: "PUT", path: "/api/v1/visits", status: 405, typ: "method-not-allowed"},
		{name: "malformed JSON", method: "POST", path: "/api/v1/people", body: `{"id": "x",`, status: 400, typ: "malformed"},
		{name: "not an object", method: "POST", path: "/api/v1/people", body: `["x"]`, status: 400, typ: "malformed"},
		{name: "empty body", method: "POST", path: "/api/v1/places", body: ``, status: 400, typ: "malformed"},
		{name: "null body", method: "POST", path: "/api/v1/places", body: `null`, status: 400, typ: "malformed"},
		{name: "unknown field", method: "POST", path: "/api/v1/people", body: obj{"id": "x", "nickname": "y"}, status: 422, typ: "invalid", field: "nickname"},
		{name: "field in the wrong case", method: "POST", path: "/api/v1/people", body: obj{"ID": "x"}, status: 422, typ: "invalid", field: "ID"},
		{name: "wrong type", method: "POST", path: "/api/v1/vaccinations", body: obj{"person": "r1", "given_at": ts(0), "product": "V", "dose": "two"}, status: 422, typ: "invalid", field: "dose"},
		{name: "bad time", method: "POST", path: "/api/v1/labs", body: obj{"person": "r1", "specimen_at": "monday", "result": "negative", "test_type": "pcr"}, status: 422, typ: "invalid", field: "specimen_at"},
		{name: "time as a number", method: "POST", path: "/api/v1/stays", body: obj{"person": "r1", "region": "d1", "from": 12}, status: 422, typ: "invalid", field: "from"},
		{name: "bad duration", method: "POST", path: "/api/v1/places", body: obj{"id": "x", "name": "X", "region": "d1", "default_dwell": "forever"}, status: 422, typ: "invalid", field: "default_dwell"},
		{name: "rule broken", method: "POST", path: "/api/v1/labs", body: obj{"person": "r1", "specimen_at": ts(0), "result": "maybe", "test_type": "pcr"}, status: 422, typ: "invalid", field: "result"},
		{name: "unknown reference", method: "POST", path: "/api/v1/places", body: obj{"id": "x", "name": "X", "region": "atlantis"}, status: 422, typ: "invalid", field: "region"},
		{name: "unknown parent", method: "POST", path: "/api/v1/regions", body: obj{"id": "x", "name": "X", "parent": "atlantis", "kind": "city"}, status: 422, typ: "invalid", field: "parent"},
		{name: "case of an unknown person", method: "POST", path: "/api/v1/cases", body: obj{"person": "ghost", "onset": ts(0)}, status: 422, typ: "invalid", field: "person"},
		{name: "id on an appended kind", method: "POST", path: "/api/v1/stays", body: obj{"id": "9", "person": "r1", "region": "d1", "from": ts(0)}, status: 422, typ: "invalid", field: "id"},
		{name: "unsupported media type", method: "POST", path: "/api/v1/people", body: obj{"id": "x"}, headers: []string{"Content-Type", "text/plain"}, status: 415, typ: "unsupported-media-type"},
		{name: "body too large", method: "POST", path: "/api/v1/people", body: `{"name":"` + strings.Repeat("x", maxBody) + `"}`, status: 413, typ: "too-large"},
		{name: "unknown query parameter", method: "GET", path: "/api/v1/people?colour=red", status: 422, typ: "invalid", field: "colour"},
		{name: "limit zero", method: "GET", path: "/api/v1/people?limit=0", status: 422, typ: "invalid", field: "limit"},
		{name: "limit not a number", method: "GET", path: "/api/v1/visits?limit=ten", status: 422, typ: "invalid", field: "limit"},
		{name: "from not a time", method: "GET", path: "/api/v1/visits?from=today", status: 422, typ: "invalid", field: "from"},
		{name: "active not a boolean", method: "GET", path: "/api/v1/cases?active=perhaps", status: 422, typ: "invalid", field: "active"},
		{name: "filter given twice", method: "GET", path: "/api/v1/labs?person=r1&person=r2", status: 422, typ: "invalid", field: "person"},
		{name: "bad cursor", method: "GET", path: "/api/v1/people?after=%21%21", status: 400, typ: "malformed", field: "after"},
		{name: "bad visit cursor", method: "GET", path: "/api/v1/visits?after=bm9wZQ", status: 400, typ: "malformed", field: "after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := problemOK(t, a.do(tt.method, tt.path, tt.body, tt.headers...), tt.status)
			if p.Type != problemPrefix+tt.typ {
				t.Errorf("type %q, want %s", p.Type, problemPrefix+tt.typ)
			}
			if p.Instance == "" || p.RequestID == "" {
				t.Errorf("problem %+v has no instance or request_id", p)
			}
			if tt.field != "" {
				wantField(t, p, tt.field)
			} else if len(p.Errors) > 0 {
				t.Errorf("errors %+v, want none", p.Errors)
			}
		})
	}
	t.Run("405 says what is allowed", func(t *testing.T) {
		rec := a.do("DELETE", "/api/v1/visits/1", nil)
		if allow := rec.Header().Get("Allow"); !strings.Contains(allow, "GET") {
			t.Errorf("Allow %q", allow)
		}
	})
	t.Run("every unknown field is named", func(t *testing.T) {
		p := problemOK(t, a.do("POST", "/api/v1/people", obj{"id": "x", "b": 1, "a": 2}), 422)
		got := []string{p.Errors[0].Field, p.Errors[1].Field}
		if diff := cmp.Diff([]string{"a", "b"}, got); diff != "" || len(p.Errors) != 2 {
			t.Errorf("fields (-want +got):\n%s", diff)
		}
	})
}

func TestProblemOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want Problem
	}{
		{"field", errs.Field("check_out", "before check_in"), Problem{Type: problemPrefix + "invalid", Title: "Invalid input", Status: 422,
			Detail: "check_out: before check_in", Errors: []errs.FieldError{{Field: "check_out", Reason: "before check_in"}}}},
		{"wrapped field", errors.Join(errs.Field("a", "bad"), errs.Field("b", "worse")), Problem{Type: problemPrefix + "invalid",
			Title: "Invalid input", Status: 422, Detail: "a: bad\nb: worse", Errors: []errs.FieldError{{Field: "a", Reason: "bad"}, {Field: "b", Reason: "worse"}}}},
		{"not found", errs.E(errs.NotFound, "visit %q not found", "9"), Problem{Type: problemPrefix + "not-found", Title: "Not found",
			Status: 404, Detail: `visit "9" not found`}},
		{"internal is hidden", errors.New("disk on fire"), Problem{Type: problemPrefix + "internal", Title: "Internal error",
			Status: 500, Detail: "internal error"}},
		{"unavailable", errs.E(errs.Unavailable, "the store is closing"), Problem{Type: problemPrefix + "unavailable",
			Title: "Unavailable", Status: 503, Detail: "the store is closing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, problemOf(tt.err)); diff != "" {
				t.Errorf("problemOf (-want +got):\n%s", diff)
			}
		})
	}
}
