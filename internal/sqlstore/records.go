package sqlstore

import (
	"context"
	"iter"
	"strconv"
	"strings"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/lab"
	"outbreak/internal/record"
	"outbreak/internal/visit"
)

var (
	_ lab.Store = (*DB)(nil)
)

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// intID parses the decimal ID of an append-only record.
func intID(what, id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, notFound(what, id)
	}
	return n, nil
}

// timed describes an append-only table listed in time order: its columns
// (id first, then person, then the instant that orders it).
type timed[T any] struct {
	what, table, cols, at string
	scan                  func(r rows) (T, error)
	key                   func(T) (time.Time, string)
}

func (t timed[T]) get(ctx context.Context, db *DB, id string) (T, error) {
	n, err := intID(t.what, id)
	if err != nil {
		var zero T
		return zero, err
	}
	return get(ctx, db.reader(), t.what, id, "SELECT "+t.cols+" FROM "+t.table+" WHERE id = ?", t.scan, n)
}

// list pages through the table in (time, id) order for one person or all,
// with the time in [from, to) when they are set; more adds conditions.
func (t timed[T]) list(ctx context.Context, db *DB, person string, from, to time.Time, p record.Page, more *where) ([]T, string, error) {
	w := where{}
	if more != nil {
		w = *more
	}
	if person != "" {
		w.add("person = ?", person)
	}
	if !from.IsZero() {
		w.add(t.at+" >= ?", db.ts(from))
	}
	if !to.IsZero() {
		w.add(t.at+" < ?", db.ts(to))
	}
	if p.After != "" {
		at, id, err := parseTimeCursor(p.After)
		if err != nil {
			return nil, "", err
		}
		w.add("("+t.at+", id) > (?, ?)", db.ts(at), id)
	}
	query := "SELECT " + t.cols + " FROM " + t.table + w.String() + " ORDER BY " + t.at + ", id LIMIT ?"
	return list(ctx, db.reader(), query, w.args, p.Size(), t.scan, func(it T) string {
		at, id := t.key(it)
		n, _ := strconv.ParseInt(id, 10, 64)
		return timeCursor(at, n)
	})
}

// scanID scans an integer id into a string field.
type scanID struct{ s *string }

func (d scanID) Scan(v any) error {
	switch v := v.(type) {
	case int64:
		*d.s = itoa(v)
	case int32:
		*d.s = itoa(int64(v))
	default:
		return errs.E(errs.Internal, "sqlstore: cannot scan %T as an id", v)
	}
	return nil
}

var stays = timed[visit.Stay]{
	what: "stay", table: "stays", cols: "id, person, region, from_at, to_at", at: "from_at",
	scan: func(r rows) (visit.Stay, error) {
		var s visit.Stay
		err := r.Scan(scanID{&s.ID}, &s.Person, &s.Region, instant{&s.From}, instant{&s.To})
		return s, err
	},
	key: func(s visit.Stay) (time.Time, string) { return s.From, s.ID },
}

var stayTable = appender[visit.Stay]{
	kind: "stays", table: "stays", cols: "person, region, from_at, to_at", id: func(s *visit.Stay) *string { return &s.ID },
	person: func(s *visit.Stay) string { return s.Person },
	check: func(ctx context.Context, r *refs, s *visit.Stay) error {
		return r.regions.check(ctx, "region", s.Region)
	},
	vals: func(db *DB, s *visit.Stay) []any { return []any{s.Person, s.Region, db.ts(s.From), db.ts(s.To)} },
}

// ImportStays appends stays in one transaction.
func (db *DB) ImportStays(ctx context.Context, items iter.Seq[visit.Stay], reject record.Reject) (int, error) {
	return importAppend(ctx, db, stayTable, items, reject)
}

// AddStay appends one stay and returns it with its ID.
func (db *DB) AddStay(ctx context.Context, s visit.Stay) (visit.Stay, error) {
	return addAppend(ctx, db, stayTable, s)
}

// Stay returns one stay.
func (db *DB) Stay(ctx context.Context, id string) (visit.Stay, error) { return stays.get(ctx, db, id) }

// Stays lists stays in start order.
func (db *DB) Stays(ctx context.Context, f visit.Filter) ([]visit.Stay, string, error) {
	var w where
	if f.Region != "" {
		w.add("region = ?", f.Region)
	}
	return stays.list(ctx, db, f.Person, f.From, f.To, f.Page, &w)
}

var results = timed[lab.Result]{
	what: "lab result", table: "lab_results", cols: "id, person, specimen_at, result, test_type", at: "specimen_at",
	scan: func(r rows) (lab.Result, error) {
		var x lab.Result
		err := r.Scan(scanID{&x.ID}, &x.Person, instant{&x.SpecimenAt}, &x.Result, &x.TestType)
		return x, err
	},
	key: func(x lab.Result) (time.Time, string) { return x.SpecimenAt, x.ID },
}

// appender describes an append-only table: the kind of its records in the
// feed, its columns, the resident a record is about (nil: none), the
// references to check beyond that resident, the values to bind and where
// the new ID goes.
type appender[T any] struct {
	kind, table, cols string
	person            func(*T) string
	check             func(ctx context.Context, r *refs, it *T) error
	vals              func(db *DB, it *T) []any
	id                func(*T) *string
}

// checkRefs checks that a record's resident and other references exist.
func (a appender[T]) checkRefs(ctx context.Context, r *refs, it *T) error {
	if a.person != nil {
		if err := r.person(ctx, a.person(it)); err != nil {
			return err
		}
	}
	if a.check != nil {
		return a.check(ctx, r, it)
	}
	return nil
}

// personOf returns the resident a record is about, "" for none.
func (a appender[T]) personOf(it *T) string {
	if a.person == nil {
		return ""
	}
	return a.person(it)
}

// refs checks the references of records within one transaction.
type refs struct {
	db      *DB
	tx      q
	regions *regionCheck
	misses  *int // of a bulk import, nil for one record
}

func newRefs(db *DB, tx q, bulk bool) *refs {
	r := &refs{db: db, tx: tx, regions: newRegionCheck(tx)}
	if bulk {
		r.misses = new(int)
	}
	return r
}

// person checks that a resident exists.
func (r *refs) person(ctx context.Context, id string) error {
	_, err := r.db.keys.lookup(ctx, r.tx, "residents", "person", id, r.misses)
	return err
}

func importAppend[T any, P validator[T]](ctx context.Context, db *DB, a appender[T], items iter.Seq[T], reject record.Reject) (int, error) {
	return bulk[T, P](ctx, db, items, reject, func(tx *wtx) (func(*T) error, func() error, func()) {
		r := newRefs(db, tx, true)
		b := newBatch(tx, a.table, a.cols, "")
		add := func(it *T) error {
			if err := a.checkRefs(ctx, r, it); err != nil {
				return err
			}
			tx.changed(a.kind, "", a.personOf(it))
			return b.add(ctx, "", a.vals(db, it)...)
		}
		return add, func() error { return b.flush(ctx) }, nil
	})
}

// addAppend appends one record and returns it with its new ID.
func addAppend[T any, P validator[T]](ctx context.Context, db *DB, a appender[T], it T) (T, error) {
	if err := P(&it).Validate(); err != nil {
		return it, err
	}
	err := db.tx(ctx, func(tx *wtx) error {
		if err := a.checkRefs(ctx, newRefs(db, tx, false), &it); err != nil {
			return err
		}
		vals := a.vals(db, &it)
		var id int64
		query := "INSERT INTO " + a.table + " (" + a.cols + ") VALUES (" + marks(len(vals)) + ") RETURNING id"
		if err := one(ctx, tx, a.table, query, vals, &id); err != nil {
			return err
		}
		*a.id(&it) = itoa(id)
		tx.changed(a.kind, *a.id(&it), a.personOf(&it))
		return nil
	})
	return it, err
}

var resultTable = appender[lab.Result]{
	kind: "labs", table: "lab_results", cols: "person, specimen_at, result, test_type", id: func(x *lab.Result) *string { return &x.ID },
	person: func(x *lab.Result) string { return x.Person },
	vals:   func(db *DB, x *lab.Result) []any { return []any{x.Person, db.ts(x.SpecimenAt), x.Result, x.TestType} },
}

// ImportResults appends test results in one transaction.
func (db *DB) ImportResults(ctx context.Context, items iter.Seq[lab.Result], reject record.Reject) (int, error) {
	return importAppend(ctx, db, resultTable, items, reject)
}

// AddResult appends one test result and returns it with its ID.
func (db *DB) AddResult(ctx context.Context, x lab.Result) (lab.Result, error) {
	return addAppend(ctx, db, resultTable, x)
}

// Result returns one test result.
func (db *DB) Result(ctx context.Context, id string) (lab.Result, error) {
	return results.get(ctx, db, id)
}

// Results lists test results in specimen-time order.
func (db *DB) Results(ctx context.Context, f lab.Filter) ([]lab.Result, string, error) {
	return results.list(ctx, db, f.Person, f.From, f.To, f.Page, nil)
}

var vaccinations = timed[lab.Vaccination]{
	what: "vaccination", table: "vaccinations", cols: "id, person, given_at, product, dose", at: "given_at",
	scan: func(r rows) (lab.Vaccination, error) {
		var v lab.Vaccination
		err := r.Scan(scanID{&v.ID}, &v.Person, instant{&v.GivenAt}, &v.Product, &v.Dose)
		return v, err
	},
	key: func(v lab.Vaccination) (time.Time, string) { return v.GivenAt, v.ID },
}

var vaccinationTable = appender[lab.Vaccination]{
	kind: "vaccinations", table: "vaccinations", cols: "person, given_at, product, dose", id: func(v *lab.Vaccination) *string { return &v.ID },
	person: func(v *lab.Vaccination) string { return v.Person },
	vals:   func(db *DB, v *lab.Vaccination) []any { return []any{v.Person, db.ts(v.GivenAt), v.Product, v.Dose} },
}

// ImportVaccinations appends vaccinations in one transaction.
func (db *DB) ImportVaccinations(ctx context.Context, items iter.Seq[lab.Vaccination], reject record.Reject) (int, error) {
	return importAppend(ctx, db, vaccinationTable, items, reject)
}

// AddVaccination appends one vaccination and returns it with its ID.
func (db *DB) AddVaccination(ctx context.Context, v lab.Vaccination) (lab.Vaccination, error) {
	return addAppend(ctx, db, vaccinationTable, v)
}

// Vaccination returns one vaccination.
func (db *DB) Vaccination(ctx context.Context, id string) (lab.Vaccination, error) {
	return vaccinations.get(ctx, db, id)
}

// Vaccinations lists vaccinations in time order.
func (db *DB) Vaccinations(ctx context.Context, f lab.Filter) ([]lab.Vaccination, string, error) {
	return vaccinations.list(ctx, db, f.Person, f.From, f.To, f.Page, nil)
}

var declarations = timed[lab.Declaration]{
	what: "declaration", table: "declarations", cols: "id, person, declared_at, symptoms", at: "declared_at",
	scan: func(r rows) (lab.Declaration, error) {
		var d lab.Declaration
		var symptoms string
		err := r.Scan(scanID{&d.ID}, &d.Person, instant{&d.DeclaredAt}, &symptoms)
		d.Symptoms = []string{}
		if symptoms != "" {
			d.Symptoms = strings.Split(symptoms, ";")
		}
		return d, err
	},
	key: func(d lab.Declaration) (time.Time, string) { return d.DeclaredAt, d.ID },
}

var declarationTable = appender[lab.Declaration]{
	kind: "declarations", table: "declarations", cols: "person, declared_at, symptoms", id: func(d *lab.Declaration) *string { return &d.ID },
	person: func(d *lab.Declaration) string { return d.Person },
	vals: func(db *DB, d *lab.Declaration) []any {
		return []any{d.Person, db.ts(d.DeclaredAt), strings.Join(d.Symptoms, ";")}
	},
}

// ImportDeclarations appends health declarations in one transaction.
func (db *DB) ImportDeclarations(ctx context.Context, items iter.Seq[lab.Declaration], reject record.Reject) (int, error) {
	return importAppend(ctx, db, declarationTable, items, reject)
}

// AddDeclaration appends one declaration and returns it with its ID.
func (db *DB) AddDeclaration(ctx context.Context, d lab.Declaration) (lab.Declaration, error) {
	return addAppend(ctx, db, declarationTable, d)
}

// Declaration returns one declaration.
func (db *DB) Declaration(ctx context.Context, id string) (lab.Declaration, error) {
	return declarations.get(ctx, db, id)
}

// Declarations lists declarations in time order.
func (db *DB) Declarations(ctx context.Context, f lab.Filter) ([]lab.Declaration, string, error) {
	return declarations.list(ctx, db, f.Person, f.From, f.To, f.Page, nil)
}
