package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/kinds"
	"outbreak/internal/record"
)

// Page is one page of a list: the items, and the cursor of the next page,
// empty on the last.
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// anyPage is a Page whose items are a slice of any record type.
type anyPage struct {
	Items any    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// kindRoutes returns the routes of one kind of record, built from its
// description: create, get, list and batch. Visits have their own create,
// the check-in.
func (s *server) kindRoutes(k kinds.Any) []route {
	tag, coll, item := k.Path(), "/api/v1/"+k.Path(), "/api/v1/"+k.Path()+"/{id}"
	create := route{method: "POST", path: coll, id: "create_" + k.Path(), summary: "Create " + article(k.Noun()),
		body: k.Schema(), status: []int{http.StatusCreated}, resp: k.Schema(), handler: s.createHandler(k)}
	switch {
	case k == kinds.Visits:
		create = s.checkInRoute()
	case k.Keyed() && k.MintID():
		create.summary = "Create or replace " + article(k.Noun()) + " by ID (a new ID is made when none is given)"
		create.status = []int{http.StatusCreated, http.StatusOK}
	case k.Keyed():
		create.summary = "Create or replace " + article(k.Noun()) + " by ID (the ID defaults to the person's)"
		create.status = []int{http.StatusCreated, http.StatusOK}
	}
	create.tag = tag
	batchSummary := "Import " + k.Path() + " from NDJSON in one transaction, with a result per line"
	if !k.Keyed() {
		batchSummary += " (results carry no IDs: the store makes them)"
	}
	return []route{
		create,
		{method: "GET", path: item, id: "get_" + k.Path(), tag: tag, summary: "Get one " + k.Noun(),
			status: []int{http.StatusOK}, resp: k.Schema(), handler: s.getHandler(k)},
		{method: "GET", path: coll, id: "list_" + k.Path(), tag: tag, summary: "List " + k.Path() + ", a page at a time",
			query: append(slices.Clone(pageParams), filterParams(k)...), status: []int{http.StatusOK}, resp: k.Schema() + "Page",
			handler: s.listHandler(k)},
		{method: "POST", path: coll + "/batch", id: "batch_" + k.Path(), tag: tag, summary: batchSummary,
			body: k.Schema(), bodyType: ndjsonType, status: []int{http.StatusOK}, resp: "BatchResult", handler: s.batchHandler(k)},
	}
}

// filterParams returns a kind's list filters as query parameters.
func filterParams(k kinds.Any) []param {
	var out []param
	for _, f := range k.Filters() {
		out = append(out, param{f.Name, f.Type, f.Doc})
	}
	return out
}

func article(noun string) string {
	if noun != "" && slices.Contains([]byte("aeiou"), noun[0]) {
		return "an " + noun
	}
	return "a " + noun
}

func (s *server) getHandler(k kinds.Any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := k.Get(r.Context(), s.store, r.PathValue("id"))
		if err != nil {
			s.problem(w, r, err)
			return
		}
		s.json(w, r, http.StatusOK, v)
	}
}

func (s *server) listHandler(k kinds.Any) http.HandlerFunc {
	filters := filterParams(k)
	return func(w http.ResponseWriter, r *http.Request) {
		q, p, err := checkQuery(r.URL.Query(), filters)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		items, next, err := k.List(r.Context(), s.store, q, p)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		s.json(w, r, http.StatusOK, anyPage{Items: items, Next: next})
	}
}

// createHandler stores one record from a JSON body, decoded as a line of a
// batch is, and answers with the stored record: 201 when it is new, 200
// when it replaced a keyed record.
func (s *server) createHandler(k kinds.Any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := recordBody(w, r)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		stored, created, err := k.Create(r.Context(), s.store, body, func() string { return record.NewID(s.now()) })
		if err != nil {
			s.problem(w, r, err)
			return
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		w.Header().Set("Location", itemPath(k.Path(), k.RecordID(stored)))
		s.json(w, r, status, stored)
	}
}

// recordBody reads the JSON body of a record. A body that is not a JSON
// object is a 400, as it is from decodeBody.
func recordBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if err := checkMediaType(r, jsonType); err != nil {
		return nil, err
	}
	return readBody(w, r, maxBody)
}

// query holds query parameters that checkQuery has checked, so that reading
// them cannot fail.
type query = kinds.Query

// checkQuery checks a list's query parameters against the page's and
// filters, and returns them with the page asked for. Every unknown, repeated
// or malformed parameter is an Invalid error naming it.
func checkQuery(v url.Values, filters []param) (query, record.Page, error) {
	var problems []error
	known := append(slices.Clone(pageParams), filters...)
	q := query{}
	for _, name := range sortedKeys(v) {
		i := slices.IndexFunc(known, func(p param) bool { return p.name == name })
		if i < 0 {
			problems = append(problems, errs.Field(name, "unknown query parameter"))
			continue
		}
		if len(v[name]) > 1 {
			problems = append(problems, errs.Field(name, "given more than once"))
			continue
		}
		if err := checkParam(known[i], v.Get(name)); err != nil {
			problems = append(problems, err)
		}
		q[name] = v.Get(name)
	}
	if len(problems) > 0 {
		return nil, record.Page{}, errors.Join(problems...)
	}
	p := record.Page{After: v.Get("after")}
	p.Limit, _ = strconv.Atoi(v.Get("limit"))
	return q, p, nil
}

// checkParam checks one query parameter's value against its type.
func checkParam(p param, s string) error {
	switch p.typ {
	case timeParam:
		if s == "" {
			return errs.Field(p.name, "empty; want an RFC 3339 time")
		}
		_, err := record.ParseTime(p.name, s)
		return err
	case boolParam:
		if _, err := strconv.ParseBool(s); err != nil {
			return errs.Field(p.name, "want true or false, not %q", s)
		}
	case integerParam:
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > record.MaxLimit {
			return errs.Field(p.name, "want a whole number from 1 to %d, not %q", record.MaxLimit, s)
		}
	}
	return nil
}

// at returns the request's "now": its ?at= parameter, or the clock.
func (s *server) at(r *http.Request) (time.Time, error) {
	v := r.URL.Query()["at"]
	if len(v) == 0 {
		return record.Instant(s.now()), nil
	}
	if len(v) > 1 || v[0] == "" {
		return time.Time{}, errs.Field("at", "want one RFC 3339 time")
	}
	return record.ParseTime("at", v[0])
}
