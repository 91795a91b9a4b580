package trace

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"outbreak/internal/cases"
)

// Source is an Index that also maps between IDs and the keys it uses.
type Source interface {
	Index
	// PersonKey returns a resident's key (Invalid: unknown person).
	PersonKey(ctx context.Context, id string) (int64, error)
	// PlaceKey returns a place's key (Invalid: unknown place).
	PlaceKey(ctx context.Context, id string) (int64, error)
	// Names returns the IDs of residents and places by key.
	Names(ctx context.Context, persons, places []int64) (map[int64]string, map[int64]string, error)
}

// Known returns the cases known at now, as they were known then: a case
// whose onset is after now is not known yet, and an isolation or release
// after now has not happened yet.
func Known(cs []cases.Case, now time.Time) []cases.Case {
	var out []cases.Case
	for _, c := range cs {
		if c.Onset.After(now) {
			continue
		}
		if c.Isolated.After(now) {
			c.Isolated = time.Time{}
		}
		if c.Released.After(now) {
			c.Released = time.Time{}
		}
		out = append(out, c)
	}
	return out
}

// Run traces the cases in traced against all cases known at now (all, as
// Known returns them; traced is usually all of them too) on workers
// goroutines, and returns the exposures sorted by person, case, degree, via,
// place and start.
func Run(ctx context.Context, src Source, rules Rules, now time.Time, all, traced []cases.Case, workers int) ([]Exposure, error) {
	var out []Exposure
	err := Each(ctx, src, rules, now, all, traced, workers, func(_ string, es []Exposure, _ time.Time) error {
		out = append(out, es...)
		return nil
	})
	SortExposures(out)
	return out, err
}

// Each traces the cases in traced against all cases known at now on
// workers goroutines and calls fn with the exposures to each case person
// (the cases of one person together, without repeats) and the instant they
// may next change by time alone (zero: never), in the order of traced, one
// call at a time. Memory stays bounded by a few people's exposures, however
// many cases there are.
func Each(ctx context.Context, src Source, rules Rules, now time.Time, all, traced []cases.Case, workers int,
	fn func(casePerson string, es []Exposure, horizon time.Time) error) error {
	return each(ctx, src, rules, now, all, traced, workers, false, fn)
}

// EachLatest is Each keeping, of each person's exposures to a case person at
// one degree, only the one that ends last: it alone decides how long the
// exposure counts (a health code needs no more), and a contact of a large
// outbreak may otherwise have thousands.
func EachLatest(ctx context.Context, src Source, rules Rules, now time.Time, all, traced []cases.Case, workers int,
	fn func(casePerson string, es []Exposure, horizon time.Time) error) error {
	return each(ctx, src, rules, now, all, traced, workers, true, fn)
}

func each(ctx context.Context, src Source, rules Rules, now time.Time, all, traced []cases.Case, workers int, latest bool,
	fn func(casePerson string, es []Exposure, horizon time.Time) error) error {
	n := &names{src: src, persons: map[int64]string{}, places: map[int64]string{}}
	return eachContacts(ctx, src, rules, now, all, traced, nil, false, workers, latest, func(ctx context.Context, cs []Contact) (any, error) {
		return n.resolve(ctx, cs)
	}, func(casePerson string, tr Traced, found any) error {
		return fn(casePerson, found.([]Exposure), tr.Next.first())
	})
}

// EachLatestKeys is EachLatest in the index's keys: the contacts of each
// case person, the latest per person and degree, sorted, with no IDs
// resolved, which holds a city's exposures in a fraction of the memory and
// none of it for the garbage collector to scan. fn also learns when they
// may change by time alone, and through which visits, and gets the sources
// of the secondary exposures to each case, for EachSomeKeys.
func EachLatestKeys(ctx context.Context, src Source, rules Rules, now time.Time, all, traced []cases.Case, workers int,
	fn func(Traced) error) error {
	return EachSomeKeys(ctx, src, rules, now, all, traced, nil, workers, fn)
}

// EachSomeKeys is EachLatestKeys tracing again only some people's
// secondary exposures to the case persons in some (by ID), against the
// sources their last whole trace kept (Tracer.TraceSome). A case person
// without an entry, or with more than one case, is traced whole.
func EachSomeKeys(ctx context.Context, src Source, rules Rules, now time.Time, all, traced []cases.Case, some map[string]Some, workers int,
	fn func(Traced) error) error {
	return eachContacts(ctx, src, rules, now, all, traced, some, true, workers, true, func(_ context.Context, cs []Contact) (any, error) {
		return nil, nil
	}, func(_ string, tr Traced, _ any) error {
		tr.Contacts = slices.Clip(tr.Contacts)
		return fn(tr)
	})
}

// eachContacts traces as each does, only some people's exposures to the
// case persons in some, keeping the sources of whole traces if keep; conv
// turns each case person's contacts into what fn takes, on the worker that
// traced them.
func eachContacts(ctx context.Context, src Source, rules Rules, now time.Time, all, traced []cases.Case, some map[string]Some, keep bool, workers int, latest bool,
	conv func(context.Context, []Contact) (any, error), fn func(casePerson string, tr Traced, found any) error) error {
	keys := map[string]int64{}
	key := func(id string) (int64, error) {
		if k, ok := keys[id]; ok {
			return k, nil
		}
		k, err := src.PersonKey(ctx, id)
		keys[id] = k
		return k, err
	}
	tcs := make([]Case, 0, len(all))
	for _, c := range all {
		k, err := key(c.Person)
		if err != nil {
			return err
		}
		tcs = append(tcs, Case{Person: k, Onset: c.Onset, Isolated: c.Isolated})
	}
	var people []string
	byPerson := map[string][]Case{}
	for _, c := range traced {
		k, err := key(c.Person)
		if err != nil {
			return err
		}
		if byPerson[c.Person] == nil {
			people = append(people, c.Person)
		}
		byPerson[c.Person] = append(byPerson[c.Person], Case{Person: k, Onset: c.Onset, Isolated: c.Isolated})
	}
	workers = max(1, workers)
	tracers := make([]*Tracer, workers)
	for i := range tracers {
		tracers[i] = NewTracer(src, rules, now, tcs)
		tracers[i].keep = keep
	}
	// People go in windows of one per worker; each window's results are
	// handed over in order before the next starts.
	for lo := 0; lo < len(people); lo += workers {
		window := people[lo:min(lo+workers, len(people))]
		out := make([]Traced, len(window))
		found := make([]any, len(window))
		errs := make([]error, len(window))
		var wg sync.WaitGroup
		for i, p := range window {
			wg.Go(func() {
				out[i], errs[i] = tracers[i].person(ctx, byPerson[p], some[p], latest)
				if errs[i] == nil {
					out[i].Person = keys[p]
					found[i], errs[i] = conv(ctx, out[i].Contacts)
				}
			})
		}
		wg.Wait()
		for i, p := range window {
			if errs[i] != nil {
				return errs[i]
			}
			if err := fn(p, out[i], found[i]); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// person traces the cases of one person: only some people against the
// sources of their one case when some has them, else whole.
func (t *Tracer) person(ctx context.Context, cs []Case, some Some, latest bool) (Traced, error) {
	var tr Traced
	if len(cs) == 1 && some.Sources != nil && some.Sources.Case.is(cs[0]) {
		tr.People = some.people()
		found, err := t.TraceSome(ctx, some.Sources, tr.People)
		tr.Contacts, tr.Next = found, t.Next()
		if latest {
			tr.Contacts = latestContacts(tr.Contacts)
		}
		return tr, err
	}
	tr.Whole = true
	for _, c := range cs {
		found, err := t.Trace(ctx, c)
		if err != nil {
			return tr, err
		}
		tr.Contacts = append(tr.Contacts, found...)
		tr.Next.add(t.Next())
		if t.keep {
			tr.Sources = append(tr.Sources, t.Sources())
		}
	}
	if len(cs) > 1 {
		tr.Contacts = sortContacts(tr.Contacts)
	}
	if latest {
		tr.Contacts = latestContacts(tr.Contacts)
	}
	return tr, nil
}

// add joins to n what another trace of the same case person gave.
func (n *Next) add(o Next) {
	if !o.At.IsZero() && (n.At.IsZero() || o.At.Before(n.At)) {
		n.At = o.At
	}
	n.Visits = append(n.Visits, o.Visits...)
}

// first returns the earliest instant of n, or zero if none.
func (n Next) first() time.Time {
	h := n.At
	for _, d := range n.Visits {
		if at := time.UnixMicro(d.At).UTC(); h.IsZero() || at.Before(h) {
			h = at
		}
	}
	return h
}

// latestContacts keeps, of sorted contacts, the one that ends last of each
// person's at each degree.
func latestContacts(cs []Contact) []Contact {
	out := cs[:0]
	for _, c := range cs {
		if n := len(out); n > 0 && out[n-1].Person == c.Person && out[n-1].Degree == c.Degree {
			if c.End > out[n-1].End {
				out[n-1] = c
			}
			continue
		}
		out = append(out, c)
	}
	return out
}

// names remembers the IDs of the keys it has resolved.
type names struct {
	src             Source
	mu              sync.Mutex
	persons, places map[int64]string
}

// resolve gives contacts the IDs of their people and places.
func (n *names) resolve(ctx context.Context, found []Contact) ([]Exposure, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var persons, places []int64
	for _, c := range found {
		for _, p := range []int64{c.Person, c.Case, c.Via} {
			if _, ok := n.persons[p]; !ok && p != 0 {
				persons = append(persons, p)
			}
		}
		if _, ok := n.places[c.Place]; !ok {
			places = append(places, c.Place)
		}
	}
	if len(persons)+len(places) > 0 {
		slices.Sort(persons)
		slices.Sort(places)
		pn, vn, err := n.src.Names(ctx, slices.Compact(persons), slices.Compact(places))
		if err != nil {
			return nil, err
		}
		maps.Copy(n.persons, pn)
		maps.Copy(n.places, vn)
	}
	return Exposures(found, n.persons, n.places), nil
}

// Exposures turns contacts into exposures, given the IDs of their people
// and places by key.
func Exposures(cs []Contact, persons, places map[int64]string) []Exposure {
	out := make([]Exposure, len(cs))
	for i, c := range cs {
		out[i] = Exposure{Person: persons[c.Person], CasePerson: persons[c.Case], Degree: c.Degree, Via: persons[c.Via],
			Place: places[c.Place], Start: time.UnixMicro(c.Start).UTC(), End: time.UnixMicro(c.End).UTC()}
	}
	return out
}

// Keys returns the keys of the people and places contacts name, each once.
func Keys(cs []Contact) (persons, places []int64) {
	for _, c := range cs {
		persons = append(persons, c.Person, c.Case)
		if c.Via != 0 {
			persons = append(persons, c.Via)
		}
		places = append(places, c.Place)
	}
	slices.Sort(persons)
	slices.Sort(places)
	return slices.Compact(persons), slices.Compact(places)
}

// SortExposures sorts exposures by person, case, degree, via, place, start
// and end.
func SortExposures(es []Exposure) {
	slices.SortFunc(es, func(a, b Exposure) int {
		switch {
		case a.Person != b.Person:
			return strings.Compare(a.Person, b.Person)
		case a.CasePerson != b.CasePerson:
			return strings.Compare(a.CasePerson, b.CasePerson)
		case a.Degree != b.Degree:
			return cmp.Compare(a.Degree, b.Degree)
		case a.Via != b.Via:
			return strings.Compare(a.Via, b.Via)
		case a.Place != b.Place:
			return strings.Compare(a.Place, b.Place)
		case !a.Start.Equal(b.Start):
			return a.Start.Compare(b.Start)
		}
		return a.End.Compare(b.End)
	})
}
