package ingest

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"outbreak/internal/cases"
	"outbreak/internal/errs"
	"outbreak/internal/lab"
	"outbreak/internal/person"
	"outbreak/internal/place"
	"outbreak/internal/record"
	"outbreak/internal/visit"
)

// newStore returns an empty store for a test. It is a variable so that the
// SQL stores can be run through these tests in place of the double.
var newStore = func(t testing.TB) Store { return newMemStore() }

// memStore is a test double: an in-memory Store that stands in for the SQL
// stores of internal/sqlstore, which have their own conformance suite and
// will be wired to these tests (through newStore) by the lead engineer. It
// keeps the contract Import documents: one transaction per import, a refused
// item goes to reject before the next is taken, and a cancelled context
// after the iteration means roll back. Lists honour only the page of a
// filter, which is all export uses.
type memStore struct {
	mu           sync.Mutex
	regions      map[string]place.Region
	levels       []place.Level
	places       map[string]place.Place
	residents    map[string]person.Resident
	visits       []visit.Visit
	stays        []visit.Stay
	results      []lab.Result
	vaccinations []lab.Vaccination
	declarations []lab.Declaration
	cases        map[string]cases.Case
	seq          int
}

var _ Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{regions: map[string]place.Region{}, places: map[string]place.Place{},
		residents: map[string]person.Resident{}, cases: map[string]cases.Case{}}
}

// load runs one import transaction, under m.mu: each item is validated and checked (an
// Invalid error goes to reject at once), and the accepted ones are applied
// together at the end unless the import was aborted.
func load[T any](ctx context.Context, m *memStore, items iter.Seq[T], reject record.Reject,
	validate func(*T) error, check func(*T) error, apply func([]T)) (int, error) {
	var batch []T
	for v := range items {
		err := validate(&v)
		if err == nil {
			err = check(&v)
		}
		if err != nil {
			if !errs.Is(err, errs.Invalid) {
				return 0, err
			}
			if err := reject(err); err != nil {
				return 0, err
			}
			continue
		}
		batch = append(batch, v)
	}
	if ctx.Err() != nil {
		return 0, context.Cause(ctx)
	}
	apply(batch)
	return len(batch), nil
}

// newID gives an appended record an ID when it has none, as a store does.
func (m *memStore) newID(id *string, prefix string) {
	if *id == "" {
		m.seq++
		*id = fmt.Sprintf("%s%06d", prefix, m.seq)
	}
}

func (m *memStore) known(field, what string, set map[string]bool, id string) error {
	if id != "" && !set[id] {
		return errs.Field(field, "unknown %s %q", what, id)
	}
	return nil
}

func keys[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

func (m *memStore) ImportRegions(ctx context.Context, items iter.Seq[place.Region], reject record.Reject) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	kinds := map[string]string{} // regions stored or earlier in this import
	for id, r := range m.regions {
		kinds[id] = r.Kind
	}
	return load(ctx, m, items, reject, (*place.Region).Validate, func(r *place.Region) error {
		if r.Parent != "" {
			k, ok := kinds[r.Parent]
			if !ok {
				return errs.Field("parent", "unknown region %q", r.Parent)
			}
			if err := r.CheckParent(k); err != nil {
				return err
			}
		}
		kinds[r.ID] = r.Kind
		return nil
	}, func(b []place.Region) {
		for _, r := range b {
			m.regions[r.ID] = r
		}
	})
}

func (m *memStore) ImportLevels(ctx context.Context, items iter.Seq[place.Level], reject record.Reject) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	regions := keys(m.regions)
	return load(ctx, m, items, reject, (*place.Level).Validate, func(l *place.Level) error {
		return m.known("region", "region", regions, l.Region)
	}, func(b []place.Level) {
		for _, l := range b {
			m.newID(&l.ID, "l")
			m.levels = append(m.levels, l)
		}
	})
}

func (m *memStore) ImportPlaces(ctx context.Context, items iter.Seq[place.Place], reject record.Reject) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	regions := keys(m.regions)
	return load(ctx, m, items, reject, (*place.Place).Validate, func(p *place.Place) error {
		return m.known("region", "region", regions, p.Region)
	}, func(b []place.Place) {
		for _, p := range b {
			m.places[p.ID] = p
		}
	})
}

func (m *memStore) ImportResidents(ctx context.Context, items iter.Seq[person.Resident], reject record.Reject) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	regions := keys(m.regions)
	return load(ctx, m, items, reject, (*person.Resident).Validate, func(r *person.Resident) error {
		return m.known("home_region", "region", regions, r.HomeRegion)
	}, func(b []person.Resident) {
		for _, r := range b {
			m.residents[r.ID] = r
		}
	})
}

func (m *memStore) ImportVisits(ctx context.Context, items iter.Seq[visit.Visit], reject record.Reject) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	people, places := keys(m.residents), keys(m.places)
	return load(ctx, m, items, reject, (*visit.Visit).Validate, func(v *visit.Visit) error {
		if err := m.known("person", "person", people, v.Person); err != nil {
			return err
		}
		return m.known("place", "place", places, v.Place)
	}, func(b []visit.Visit) {
		for _, v := range b {
			m.newID(&v.ID, "v")
			m.visits = append(m.visits, v)
		}
	})
}

func (m *memStore) ImportStays(ctx context.Context, items iter.Seq[visit.Stay], reject record.Reject) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	people, regions := keys(m.residents), keys(m.regions)
	return load(ctx, m, items, reject, (*visit.Stay).Validate, func(s *visit.Stay) error {
		if err := m.known("person", "person", people, s.Person); err != nil {
			return err
		}
		return m.known("region", "region", regions, s.Region)
	}, func(b []visit.Stay) {
		for _, s := range b {
			m.newID(&s.ID, "s")
			m.stays = append(m.stays, s)
		}
	})
}

// personOnly imports records whose one reference is a person.
func personOnly[T any](ctx context.Context, m *memStore, items iter.Seq[T], reject record.Reject,
	validate func(*T) error, who func(*T) (person, id *string), dst *[]T, prefix string) (int, error) {
	people := keys(m.residents)
	return load(ctx, m, items, reject, validate, func(v *T) error {
		p, _ := who(v)
		return m.known("person", "person", people, *p)
	}, func(b []T) {
		for _, v := range b {
			_, id := who(&v)
			m.newID(id, prefix)
			*dst = append(*dst, v)
		}
	})
}

func (m *memStore) ImportResults(ctx context.Context, items iter.Seq[lab.Result], reject record.Reject) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return personOnly(ctx, m, items, reject, (*lab.Result).Validate,
		func(r *lab.Result) (*string, *string) { return &r.Person, &r.ID }, &m.results, "t")
}

func (m *memStore) ImportVaccinations(ctx context.Context, items iter.Seq[lab.Vaccination], reject record.Reject) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return personOnly(ctx, m, items, reject, (*lab.Vaccination).Validate,
		func(v *lab.Vaccination) (*string, *string) { return &v.Person, &v.ID }, &m.vaccinations, "x")
}

func (m *memStore) ImportDeclarations(ctx context.Context, items iter.Seq[lab.Declaration], reject record.Reject) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return personOnly(ctx, m, items, reject, (*lab.Declaration).Validate,
		func(d *lab.Declaration) (*string, *string) { return &d.Person, &d.ID }, &m.declarations, "d")
}

func (m *memStore) ImportCases(ctx context.Context, items iter.Seq[cases.Case], reject record.Reject) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	people := keys(m.residents)
	return load(ctx, m, items, reject, (*cases.Case).Validate, func(c *cases.Case) error {
		return m.known("person", "person", people, c.Person)
	}, func(b []cases.Case) {
		for _, c := range b {
			m.cases[c.ID] = c
		}
	})
}

// page returns one page of items in the order of key, which is also the
// cursor.
func page[T any](m *memStore, all func() []T, key func(*T) string, p record.Page) ([]T, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	sorted := slices.Clone(all())
	slices.SortFunc(sorted, func(a, b T) int { return cmp.Compare(key(&a), key(&b)) })
	i, _ := slices.BinarySearchFunc(sorted, p.After, func(v T, after string) int {
		if key(&v) <= after {
			return -1
		}
		return 1
	})
	end := min(i+p.Size(), len(sorted))
	next := ""
	if end < len(sorted) {
		next = key(&sorted[end-1])
	}
	return sorted[i:end], next, nil
}

// timeKey orders records by a time, then ID.
func timeKey(t time.Time, id string) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000") + "|" + id
}

func get[T any](m *memStore, all func() []T, what, id string, idOf func(*T) string) (T, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	items := all()
	for i := range items {
		if idOf(&items[i]) == id {
			return items[i], nil
		}
	}
	var zero T
	return zero, errs.E(errs.NotFound, "%s %q not found", what, id)
}

func values[V any](m map[string]V) []V { return slices.Collect(maps.Values(m)) }

func (m *memStore) Region(ctx context.Context, id string) (place.Region, error) {
	return get(m, func() []place.Region { return values(m.regions) }, "region", id, func(r *place.Region) string { return r.ID })
}

func (m *memStore) Regions(ctx context.Context, f place.Filter) ([]place.Region, string, error) {
	return page(m, func() []place.Region { return values(m.regions) }, func(r *place.Region) string { return r.ID }, f.Page)
}

func (m *memStore) Levels(ctx context.Context, region string) ([]place.Level, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []place.Level
	for _, l := range m.levels {
		if l.Region == region {
			out = append(out, l)
		}
	}
	return out, nil
}

func (m *memStore) Place(ctx context.Context, id string) (place.Place, error) {
	return get(m, func() []place.Place { return values(m.places) }, "place", id, func(p *place.Place) string { return p.ID })
}

func (m *memStore) Places(ctx context.Context, f place.Filter) ([]place.Place, string, error) {
	return page(m, func() []place.Place { return values(m.places) }, func(p *place.Place) string { return p.ID }, f.Page)
}

func (m *memStore) Resident(ctx context.Context, id string) (person.Resident, error) {
	return get(m, func() []person.Resident { return values(m.residents) }, "resident", id, func(r *person.Resident) string { return r.ID })
}

func (m *memStore) Residents(ctx context.Context, f person.Filter) ([]person.Resident, string, error) {
	return page(m, func() []person.Resident { return values(m.residents) }, func(r *person.Resident) string { return r.ID }, f.Page)
}

func (m *memStore) AddVisit(ctx context.Context, v visit.Visit) (visit.Visit, error) {
	if _, err := m.ImportVisits(ctx, slices.Values([]visit.Visit{v}), record.Abort); err != nil {
		return visit.Visit{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.visits[len(m.visits)-1], nil
}

func (m *memStore) CheckOut(ctx context.Context, id string, at time.Time) (visit.Visit, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.visits {
		if v := &m.visits[i]; v.ID == id {
			if !v.CheckOut.IsZero() {
				return visit.Visit{}, errs.E(errs.Conflict, "visit %q has a check-out", id)
			}
			w := *v
			w.CheckOut = at
			if err := w.Validate(); err != nil {
				return visit.Visit{}, err
			}
			*v = w
			return w, nil
		}
	}
	return visit.Visit{}, errs.E(errs.NotFound, "visit %q not found", id)
}

func (m *memStore) Visit(ctx context.Context, id string) (visit.Visit, error) {
	return get(m, func() []visit.Visit { return m.visits }, "visit", id, func(v *visit.Visit) string { return v.ID })
}

func (m *memStore) Visits(ctx context.Context, f visit.Filter) ([]visit.Visit, string, error) {
	return page(m, func() []visit.Visit { return m.visits }, func(v *visit.Visit) string { return timeKey(v.CheckIn, v.ID) }, f.Page)
}

func (m *memStore) Stay(ctx context.Context, id string) (visit.Stay, error) {
	return get(m, func() []visit.Stay { return m.stays }, "stay", id, func(s *visit.Stay) string { return s.ID })
}

func (m *memStore) Stays(ctx context.Context, f visit.Filter) ([]visit.Stay, string, error) {
	return page(m, func() []visit.Stay { return m.stays }, func(s *visit.Stay) string { return timeKey(s.From, s.ID) }, f.Page)
}

func (m *memStore) Result(ctx context.Context, id string) (lab.Result, error) {
	return get(m, func() []lab.Result { return m.results }, "result", id, func(r *lab.Result) string { return r.ID })
}

func (m *memStore) Results(ctx context.Context, f lab.Filter) ([]lab.Result, string, error) {
	return page(m, func() []lab.Result { return m.results }, func(r *lab.Result) string { return timeKey(r.SpecimenAt, r.ID) }, f.Page)
}

func (m *memStore) Vaccination(ctx context.Context, id string) (lab.Vaccination, error) {
	return get(m, func() []lab.Vaccination { return m.vaccinations }, "vaccination", id, func(v *lab.Vaccination) string { return v.ID })
}

func (m *memStore) Vaccinations(ctx context.Context, f lab.Filter) ([]lab.Vaccination, string, error) {
	return page(m, func() []lab.Vaccination { return m.vaccinations }, func(v *lab.Vaccination) string { return timeKey(v.GivenAt, v.ID) }, f.Page)
}

func (m *memStore) Declaration(ctx context.Context, id string) (lab.Declaration, error) {
	return get(m, func() []lab.Declaration { return m.declarations }, "declaration", id, func(d *lab.Declaration) string { return d.ID })
}

func (m *memStore) Declarations(ctx context.Context, f lab.Filter) ([]lab.Declaration, string, error) {
	return page(m, func() []lab.Declaration { return m.declarations }, func(d *lab.Declaration) string { return timeKey(d.DeclaredAt, d.ID) }, f.Page)
}

func (m *memStore) Case(ctx context.Context, id string) (cases.Case, error) {
	return get(m, func() []cases.Case { return values(m.cases) }, "case", id, func(c *cases.Case) string { return c.ID })
}

func (m *memStore) Cases(ctx context.Context, f cases.Filter) ([]cases.Case, string, error) {
	return page(m, func() []cases.Case { return values(m.cases) }, func(c *cases.Case) string { return c.ID }, f.Page)
}
