package trace

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"outbreak/internal/cases"
)

// Source is an Index that also maps between IDs and the keys it uses.
type Source interface {
	Index
	// PersonKey returns a resident's key (Invalid: unknown person).
	PersonKey(ctx context.Context, id string) (int64, error)
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
			return nil, err
		}
		tcs = append(tcs, Case{Person: k, Onset: c.Onset, Isolated: c.Isolated})
	}
	todo := make([]Case, 0, len(traced))
	for _, c := range traced {
		k, err := key(c.Person)
		if err != nil {
			return nil, err
		}
		todo = append(todo, Case{Person: k, Onset: c.Onset, Isolated: c.Isolated})
	}
	found, err := traceAll(ctx, src, rules, now, tcs, todo, workers)
	if err != nil {
		return nil, err
	}
	return resolve(ctx, src, found)
}

// traceAll traces cases on workers goroutines, each with its own tracer.
func traceAll(ctx context.Context, idx Index, rules Rules, now time.Time, all, todo []Case, workers int) ([]Contact, error) {
	workers = max(1, min(workers, len(todo)))
	var (
		mu    sync.Mutex
		found []Contact
		first error
		wg    sync.WaitGroup
		next  = make(chan Case)
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := NewTracer(idx, rules, now, all)
			for c := range next {
				cs, err := t.Trace(ctx, c)
				mu.Lock()
				found = append(found, cs...)
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, c := range todo {
		if ctx.Err() != nil {
			break
		}
		next <- c
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return found, first
}

// resolve gives contacts the IDs of their people and places.
func resolve(ctx context.Context, src Source, found []Contact) ([]Exposure, error) {
	var persons, places []int64
	for _, c := range found {
		persons = append(persons, c.Person, c.Case)
		if c.Via != 0 {
			persons = append(persons, c.Via)
		}
		places = append(places, c.Place)
	}
	slices.Sort(persons)
	slices.Sort(places)
	pn, vn, err := src.Names(ctx, slices.Compact(persons), slices.Compact(places))
	if err != nil {
		return nil, err
	}
	out := make([]Exposure, len(found))
	for i, c := range found {
		out[i] = Exposure{Person: pn[c.Person], CasePerson: pn[c.Case], Degree: c.Degree, Place: vn[c.Place],
			Start: time.UnixMicro(c.Start).UTC(), End: time.UnixMicro(c.End).UTC()}
		if c.Via != 0 {
			out[i].Via = pn[c.Via]
		}
	}
	SortExposures(out)
	return slices.Compact(out), nil
}

// SortExposures sorts exposures by person, case, degree, via, place, start
// and end.
func SortExposures(es []Exposure) {
	slices.SortFunc(es, func(a, b Exposure) int {
		return cmp.Or(cmp.Compare(a.Person, b.Person), cmp.Compare(a.CasePerson, b.CasePerson), cmp.Compare(a.Degree, b.Degree),
			cmp.Compare(a.Via, b.Via), cmp.Compare(a.Place, b.Place), a.Start.Compare(b.Start), a.End.Compare(b.End))
	})
}
