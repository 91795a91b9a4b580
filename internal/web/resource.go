package web

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/ingest"
	"outbreak/internal/record"
)

// resource describes one kind of record, of type T, to the generic handlers
// that create, get, list and batch-import it.
type resource[T any] struct {
	kind   string // the path segment: "people"
	schema string // the OpenAPI schema of T: "Resident"
	noun   string // one record in a summary: "resident"
	// keyed kinds are upserted by ID; the others are appended and get an ID
	// from the store.
	keyed bool
	// mintID makes a ULID for a keyed record that comes without an ID; a
	// case instead takes its person's ID, as cases.Case.Validate does.
	mintID   bool
	codec    *ingest.Codec[T]
	id       func(*T) *string
	validate func(*T) error
	get      func(ctx context.Context, id string) (T, error)
	load     func(ctx context.Context, items iter.Seq[T], reject record.Reject) (int, error)
	// filters are the list's query parameters beyond the page's; list reads
	// them from q, which holds only checked values.
	filters []param
	list    func(ctx context.Context, q query, p record.Page) ([]T, string, error)
	// add appends one record and returns it with the ID the store gave it;
	// set for the kinds that are not keyed.
	add func(ctx context.Context, v T) (T, error)
	// create, when set, replaces the generic create route (visits check in).
	create *route
}

// Page is one page of a list: the items, and the cursor of the next page,
// empty on the last.
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

func (res *resource[T]) routes(s *server) []route {
	tag := res.kind
	coll, item := "/api/v1/"+res.kind, "/api/v1/"+res.kind+"/{id}"
	create := route{method: "POST", path: coll, id: "create_" + res.kind, summary: "Create " + article(res.noun),
		body: res.schema, status: []int{http.StatusCreated}, resp: res.schema, handler: res.createHandler(s)}
	if res.keyed {
		create.summary = "Create or replace " + article(res.noun) + " by ID (a new ID is made when none is given)"
		if !res.mintID {
			create.summary = "Create or replace " + article(res.noun) + " by ID (the ID defaults to the person's)"
		}
		create.status = []int{http.StatusCreated, http.StatusOK}
	}
	if res.create != nil {
		create = *res.create
	}
	create.tag = tag
	batchSummary := "Import " + res.kind + " from NDJSON in one transaction, with a result per line"
	if !res.keyed {
		batchSummary += " (results carry no IDs: the store makes them)"
	}
	return []route{
		create,
		{method: "GET", path: item, id: "get_" + res.kind, tag: tag, summary: "Get one " + res.noun,
			status: []int{http.StatusOK}, resp: res.schema, handler: res.getHandler(s)},
		{method: "GET", path: coll, id: "list_" + res.kind, tag: tag, summary: "List " + res.kind + ", a page at a time",
			query: append(slices.Clone(pageParams), res.filters...), status: []int{http.StatusOK}, resp: res.schema + "Page",
			handler: res.listHandler(s)},
		{method: "POST", path: coll + "/batch", id: "batch_" + res.kind, tag: tag, summary: batchSummary,
			body: res.schema, bodyType: ndjsonType, status: []int{http.StatusOK}, resp: "BatchResult", handler: res.batchHandler(s)},
	}
}

func article(noun string) string {
	if noun != "" && slices.Contains([]byte("aeiou"), noun[0]) {
		return "an " + noun
	}
	return "a " + noun
}

func (res *resource[T]) getHandler(s *server) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := res.get(r.Context(), r.PathValue("id"))
		if err != nil {
			s.problem(w, r, err)
			return
		}
		s.json(w, r, http.StatusOK, v)
	}
}

func (res *resource[T]) listHandler(s *server) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q, p, err := checkQuery(r.URL.Query(), res.filters)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		items, next, err := res.list(r.Context(), q, p)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		if items == nil {
			items = []T{}
		}
		s.json(w, r, http.StatusOK, Page[T]{Items: items, Next: next})
	}
}

// createHandler stores one record from a JSON body and answers with the
// stored record: 201 when it is new, 200 when it replaced a keyed record.
func (res *resource[T]) createHandler(s *server) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var v T
		if err := decodeBody(w, r, &v, false); err != nil {
			s.problem(w, r, err)
			return
		}
		id := res.id(&v)
		switch {
		case res.keyed && *id == "" && res.mintID:
			*id = record.NewID(s.now())
		case !res.keyed && *id != "":
			s.problem(w, r, errs.Field("id", "set by the server; leave it out"))
			return
		}
		if err := res.validate(&v); err != nil {
			s.problem(w, r, err)
			return
		}
		status := http.StatusCreated
		if res.keyed {
			_, err := res.get(ctx, *id)
			switch {
			case err == nil:
				status = http.StatusOK
			case !errs.Is(err, errs.NotFound):
				s.problem(w, r, err)
				return
			}
		}
		var stored T
		var err error
		if res.keyed {
			if _, err = res.load(ctx, slices.Values([]T{v}), record.Abort); err == nil {
				stored, err = res.get(ctx, *id)
			}
		} else {
			stored, err = res.add(ctx, v)
		}
		if err != nil {
			s.problem(w, r, err)
			return
		}
		w.Header().Set("Location", itemPath(res.kind, *res.id(&stored)))
		s.json(w, r, status, stored)
	}
}

// query holds query parameters that checkQuery has checked, so that reading
// them cannot fail.
type query struct{ v url.Values }

func (q query) str(name string) string { return q.v.Get(name) }

func (q query) time(name string) time.Time {
	t, _ := record.ParseTime(name, q.v.Get(name))
	return t
}

func (q query) bool(name string) bool {
	b, _ := strconv.ParseBool(q.v.Get(name))
	return b
}

// checkQuery checks a list's query parameters against the page's and
// filters, and returns them with the page asked for. Every unknown, repeated
// or malformed parameter is an Invalid error naming it.
func checkQuery(v url.Values, filters []param) (query, record.Page, error) {
	var problems []error
	known := append(slices.Clone(pageParams), filters...)
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
	}
	if len(problems) > 0 {
		return query{}, record.Page{}, errors.Join(problems...)
	}
	p := record.Page{After: v.Get("after")}
	p.Limit, _ = strconv.Atoi(v.Get("limit"))
	return query{v}, p, nil
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
