package kinds

import (
	"context"
	"io"
	"iter"
	"reflect"
	"slices"
	"strconv"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

// Kind describes one kind of record, of type T, once: its names, its fields
// (how each reads and writes in CSV and NDJSON, and what the API says of
// it), its key, its rule, how the store gets, lists, imports and adds it,
// and what a change of it means for health codes. The importer, the
// exporter, the API's routes and schemas and the keeper's dispatch are all
// built from it. The kinds are the package's variables (Visits, Residents,
// …); All lists them.
type Kind[T any] struct {
	spec[T]
	header []string // the CSV header of DESIGN.md: every field but the extra ones
	out    []int    // indexes in fields of the header's columns
}

// spec is what a kind's variable says of it.
type spec[T any] struct {
	name   string // as `outbreak import` and the change feed name it
	path   string // the API's path segment, when it is not name
	schema string // the OpenAPI schema of T
	noun   string // one record, in the API's summaries
	doc    string // the schema's description
	// keyed kinds are upserted by ID; the others are appended and get an
	// ID from the store.
	keyed bool
	// mintID gives a keyed record posted without an ID a new one; a case
	// instead takes its person's ID, as its Validate does.
	mintID bool
	// nested kinds are listed and added under another kind's records in
	// the API (region levels under their region), not as a resource of
	// their own.
	nested bool
	codes  Effect
	fields []field[T]
	// id points at the record's ID.
	id       func(*T) *string
	validate func(*T) error
	get      func(Store, context.Context, string) (T, error)
	load     func(Store, context.Context, iter.Seq[T], record.Reject) (int, error)
	// add appends one record and returns it with the ID the store gave
	// it; set for the kinds that are not keyed.
	add func(Store, context.Context, T) (T, error)
	// filters are a list's parameters beyond the page's; list reads them
	// from the query, which holds only checked values.
	filters []Filter
	list    func(context.Context, Store, Query, record.Page) ([]T, string, error)
}

// Effect says what a change of a kind of record means for health codes.
type Effect uint8

// The effects of changes.
const (
	NoEffect     Effect = iota // the record is not a fact of any code
	PersonFacts                // compute the code of the record's resident again
	CaseRecord                 // a case: trace it again, and the cases its person was exposed to
	AppealRecord               // an appeal: compute its resident's code again, and its former resident's
	VisitRange                 // visits: trace again the cases they can reach
	RegionTree                 // a region or a level: compute again the codes of the people with stays under it
	PlaceRecord                // a place (its default dwell): trace again the cases that reach its visits
)

// Filter is a parameter of a kind's list.
type Filter struct {
	Name string
	Type string // FilterText, FilterTime, FilterBool or FilterInteger
	Doc  string
}

// The types of a filter, as JSON Schema names them.
const (
	FilterText    = "string"
	FilterTime    = "date-time"
	FilterBool    = "boolean"
	FilterInteger = "integer"
)

// Query holds the values of a list's filters, checked against their types
// by the caller (empty: not given).
type Query map[string]string

// Text returns a filter's value.
func (q Query) Text(name string) string { return q[name] }

// Time returns a time filter's value, zero when not given.
func (q Query) Time(name string) time.Time {
	t, _ := record.ParseTime(name, q[name])
	return t
}

// Bool returns a boolean filter's value, false when not given.
func (q Query) Bool(name string) bool {
	b, _ := strconv.ParseBool(q[name])
	return b
}

// define makes a kind of its spec, given its fields in the order of T's
// JSON fields.
func define[T any](s spec[T]) *Kind[T] {
	if len(s.fields) > 64 {
		panic("kinds: more than 64 fields in " + s.name) // seen sets are uint64
	}
	k := &Kind[T]{spec: s}
	for i, f := range s.fields {
		if k.index(f.name) != i {
			panic("kinds: field " + f.name + " twice in " + s.name)
		}
		if f.flags&extra == 0 {
			k.header = append(k.header, f.name)
			k.out = append(k.out, i)
		}
	}
	if !s.keyed && s.add == nil || s.keyed && s.mintID && s.id == nil {
		panic("kinds: " + s.name + " cannot be created through the API")
	}
	return k
}

// Any is a kind whatever its record type: what the API, the commands and
// the keeper use. Records go in and out as values of the kind's type.
type Any interface {
	// Name returns the kind's name, as `outbreak import` and the change
	// feed have it.
	Name() string
	// Path returns the kind's segment of API paths (people for residents).
	Path() string
	// Schema, Noun and Doc name and describe the kind in the API.
	Schema() string
	Noun() string
	Doc() string
	// Keyed reports whether records are upserted by ID, and MintID whether
	// a posted record without an ID gets a new one; Nested whether the API
	// has them under another kind's records rather than as a resource of
	// their own.
	Keyed() bool
	MintID() bool
	Nested() bool
	// Codes says what a change of the kind means for health codes.
	Codes() Effect
	// Header returns the CSV header that export writes.
	Header() []string
	// Type returns the record type.
	Type() reflect.Type
	// Fields describes the fields, in the order of the type's JSON fields.
	Fields() []FieldDoc
	// Filters returns the list's parameters beyond the page's.
	Filters() []Filter
	// Create stores one record from a JSON object, decoded as a line of a
	// batch is, and returns the stored record and whether it is new. A
	// keyed record without an ID gets newID() when the kind mints IDs; an
	// appended one may not give one.
	Create(ctx context.Context, st Store, body []byte, newID func() string) (any, bool, error)
	// RecordID returns the ID of a record of the kind.
	RecordID(v any) string
	// Get returns one record (NotFound).
	Get(ctx context.Context, st Store, id string) (any, error)
	// List returns one page of records, as a slice, never nil, and the
	// cursor of the next page.
	List(ctx context.Context, st Store, q Query, p record.Page) (any, string, error)
	// Batch stores the records of NDJSON lines in one transaction of the
	// store, with a result per line.
	Batch(ctx context.Context, st Store, body []byte) (BatchResult, error)

	importFile(ctx context.Context, st Store, name, format string, r io.Reader, opt Options) (Result, error)
	export(ctx context.Context, st Store, format string, w io.Writer) (int, error)
}

// FieldDoc describes one field for the API's schemas.
type FieldDoc struct {
	Name     string
	Required bool     // files and posted records must give it
	Extra    bool     // not a column of the CSV header
	Note     string   // what it means, beyond its type
	Enum     []string // the values it takes, if few
}

// Name returns the kind's name.
func (k *Kind[T]) Name() string { return k.name }

// Path returns the kind's segment of API paths.
func (k *Kind[T]) Path() string {
	if k.path != "" {
		return k.path
	}
	return k.name
}

// Schema returns the name of the kind's schema in the API.
func (k *Kind[T]) Schema() string { return k.schema }

// Noun names one record in the API's summaries.
func (k *Kind[T]) Noun() string { return k.noun }

// Doc describes the kind.
func (k *Kind[T]) Doc() string { return k.doc }

// Keyed reports whether records are upserted by ID.
func (k *Kind[T]) Keyed() bool { return k.keyed }

// MintID reports whether a posted record without an ID gets a new one.
func (k *Kind[T]) MintID() bool { return k.mintID }

// Nested reports whether the API has the kind's records under another
// kind's.
func (k *Kind[T]) Nested() bool { return k.nested }

// Codes says what a change of the kind means for health codes.
func (k *Kind[T]) Codes() Effect { return k.codes }

// Header returns the CSV header that export writes, in the order DESIGN.md
// gives.
func (k *Kind[T]) Header() []string { return slices.Clone(k.header) }

// Type returns the record type.
func (k *Kind[T]) Type() reflect.Type { return reflect.TypeFor[T]() }

// Filters returns the list's parameters beyond the page's.
func (k *Kind[T]) Filters() []Filter { return slices.Clone(k.filters) }

// Fields describes the fields.
func (k *Kind[T]) Fields() []FieldDoc {
	out := make([]FieldDoc, len(k.fields))
	for i, f := range k.fields {
		out[i] = FieldDoc{Name: f.name, Required: f.required(), Extra: f.flags&extra != 0, Note: f.note, Enum: f.enum}
	}
	return out
}

// RecordID returns the ID of a record of the kind, "" for a value of
// another type.
func (k *Kind[T]) RecordID(v any) string {
	t, ok := v.(T)
	if !ok {
		return ""
	}
	return *k.id(&t)
}

// Create stores one record from a JSON object; see Any.
func (k *Kind[T]) Create(ctx context.Context, st Store, body []byte, newID func() string) (any, bool, error) {
	v, err := k.DecodeJSON(body, func(v *T) {
		if id := k.id(v); k.keyed && k.mintID && *id == "" {
			*id = newID()
		}
	})
	if err != nil {
		return nil, false, err
	}
	stored, created, err := k.Store(ctx, st, v)
	return stored, created, err
}

// Store stores one decoded, valid record and returns it as stored and
// whether it is new: a keyed record replaces the one of its ID, and the
// store gives an appended one its ID.
func (k *Kind[T]) Store(ctx context.Context, st Store, v T) (T, bool, error) {
	id := *k.id(&v)
	if !k.keyed {
		if id != "" {
			return v, false, errs.Field("id", "set by the server; leave it out")
		}
		v, err := k.add(st, ctx, v)
		return v, err == nil, err
	}
	_, err := k.get(st, ctx, id)
	created := errs.Is(err, errs.NotFound)
	if err != nil && !created {
		return v, false, err
	}
	if _, err := k.load(st, ctx, slices.Values([]T{v}), record.Abort); err != nil {
		return v, false, err
	}
	v, err = k.get(st, ctx, id)
	return v, created, err
}

// Get returns one record.
func (k *Kind[T]) Get(ctx context.Context, st Store, id string) (any, error) {
	return k.get(st, ctx, id)
}

// List returns one page of records.
func (k *Kind[T]) List(ctx context.Context, st Store, q Query, p record.Page) (any, string, error) {
	items, next, err := k.list(ctx, st, q, p)
	if items == nil {
		items = []T{}
	}
	return items, next, err
}
