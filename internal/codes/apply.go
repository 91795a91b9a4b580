package codes

import (
	"context"
	"time"

	"outbreak/internal/approval"
	"outbreak/internal/cases"
	"outbreak/internal/lab"
	"outbreak/internal/place"
	"outbreak/internal/record"
	"outbreak/internal/risk"
	"outbreak/internal/trace"
	"outbreak/internal/visit"
)

// evaluate recomputes the codes of some residents from their records and
// the exposures the keeper holds.
func (k *Keeper) evaluate(ctx context.Context, now time.Time, people map[string]bool) error {
	policy := k.engine.Policy()
	codes := make(map[string]risk.Code, len(people))
	for p := range people {
		fs := newFactSet(now, policy.Rules(), k.st.regions)
		if err := fs.read(ctx, k.store, p); err != nil {
			return err
		}
		f := fs.of(p)
		k.mu.RLock()
		for _, es := range k.st.exp[p] {
			f.Exposures = append(f.Exposures, es...)
		}
		k.mu.RUnlock()
		c, err := policy.Evaluate(f, now)
		if err != nil {
			return err
		}
		codes[p] = c
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.st.now = now
	for p, c := range codes {
		k.st.put(p, c, now)
	}
	return nil
}

// apply follows a batch of stored records: it retraces the cases they can
// change and recomputes the codes of everyone whose facts changed.
func (k *Keeper) apply(ctx context.Context, batch []any) error {
	now, rules := record.Instant(k.now()), k.engine.Policy().Rules()
	known, err := KnownCases(ctx, k.store, now)
	if err != nil {
		return err
	}
	isCase := map[string]bool{}
	for _, c := range known {
		isCase[c.Person] = true
	}
	idx, err := k.store.TraceIndex(ctx, rules.DefaultDwell)
	if err != nil {
		return err
	}
	retrace, people := map[string]bool{}, map[string]bool{}
	// closeTo adds the cases a person is a close contact of (a new visit of
	// theirs may make secondary contacts) or is.
	closeTo := func(p string) {
		if isCase[p] {
			retrace[p] = true
		}
		k.mu.RLock()
		for cp, es := range k.st.exp[p] {
			for _, e := range es {
				if e.Degree == 1 {
					retrace[cp] = true
				}
			}
		}
		k.mu.RUnlock()
	}
	regionsChanged := false
	for _, item := range batch {
		k.mu.Lock()
		k.st.future(item, now)
		k.mu.Unlock()
		switch v := item.(type) {
		case retraceDue:
			retrace[v.person] = true
		case cases.Case:
			people[v.Person], retrace[v.Person] = true, true
			k.mu.RLock()
			for cp := range k.st.exp[v.Person] {
				retrace[cp] = true // the new case may no longer be their contact
			}
			k.mu.RUnlock()
		case visit.Visit:
			closeTo(v.Person)
			if err := k.present(ctx, idx, v, closeTo); err != nil {
				return err
			}
		case visit.Stay:
			people[v.Person] = true
		case lab.Result:
			people[v.Person] = true
		case lab.Declaration:
			people[v.Person] = true
		case approval.Appeal:
			people[v.Person] = true
		case place.Level:
			regionsChanged = true
			if err := k.inRegion(ctx, v.Region, people); err != nil {
				return err
			}
		}
	}
	if regionsChanged {
		regions, _, err := LoadRegions(ctx, k.store)
		if err != nil {
			return err
		}
		k.mu.Lock()
		k.st.regions = regions
		k.mu.Unlock()
	}
	var traced []cases.Case
	for _, c := range known {
		if retrace[c.Person] {
			traced = append(traced, c)
		}
	}
	found := map[string][]trace.Exposure{}
	err = trace.EachLatest(ctx, idx, rules, now, known, traced, k.workers, func(cp string, es []trace.Exposure, horizon time.Time) error {
		found[cp] = es
		if !horizon.IsZero() {
			k.mu.Lock()
			k.st.schedule(horizon, retraceDue{cp})
			k.mu.Unlock()
		}
		return nil
	})
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.st.cases = known
	for cp := range retrace {
		for p := range k.st.contacts[cp] {
			people[p] = true
		}
		k.st.setExposures(cp, found[cp])
		for p := range k.st.contacts[cp] {
			people[p] = true
		}
	}
	k.mu.Unlock()
	return k.evaluate(ctx, now, people)
}

// present calls fn with everyone whose visit at the place overlapped v.
func (k *Keeper) present(ctx context.Context, idx trace.Source, v visit.Visit, fn func(string)) error {
	place, err := idx.PlaceKey(ctx, v.Place)
	if err != nil {
		return err
	}
	end := v.CheckOut
	if end.IsZero() {
		end = v.CheckIn.Add(24 * time.Hour) // the longest default dwell
	}
	vs, err := idx.PlaceVisits(ctx, place, v.CheckIn.UnixMicro(), end.UnixMicro(), nil)
	if err != nil || len(vs) == 0 {
		return err
	}
	keys := make([]int64, 0, len(vs))
	for _, w := range vs {
		keys = append(keys, w.Person)
	}
	names, _, err := idx.Names(ctx, keys, nil)
	for _, n := range names {
		fn(n)
	}
	return err
}

// inRegion adds everyone with a stay in a region or below it.
func (k *Keeper) inRegion(ctx context.Context, region string, people map[string]bool) error {
	k.mu.RLock()
	within := k.st.regions.Within(region)
	k.mu.RUnlock()
	for _, g := range within {
		stays, err := all(ctx, func(ctx context.Context, p record.Page) ([]visit.Stay, string, error) {
			return k.store.Stays(ctx, visit.Filter{Region: g, Page: p})
		})
		if err != nil {
			return err
		}
		for _, s := range stays {
			people[s.Person] = true
		}
	}
	return nil
}
