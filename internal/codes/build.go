package codes

import (
	"context"
	"maps"
	"slices"
	"time"

	"outbreak/internal/approval"
	"outbreak/internal/place"
	"outbreak/internal/record"
	"outbreak/internal/trace"
)

// build computes every code afresh, as of now and of the feed's head when
// it starts, and stores what differs from the stored codes: when the keeper
// takes over, after a policy change and when asked. Changes committed while
// it runs are followed after it.
func (k *Keeper) build(ctx context.Context) error {
	start := time.Now()
	head, err := k.store.Head(ctx)
	if err != nil {
		return err
	}
	policy, err := k.pol.current(ctx)
	if err != nil {
		return err
	}
	now := record.Instant(k.now())
	idx, err := k.store.TraceIndex(ctx, policy.Rules().DefaultDwell)
	if err != nil {
		return err
	}
	snap, err := load(ctx, k.store, idx, policy.Rules(), now, k.workers)
	if err != nil {
		return err
	}
	st := newState(policy)
	for _, c := range snap.All {
		st.cases[c.ID] = c
		st.scheduleCase(now, c)
	}
	st.regionList, st.levels, st.regions = snap.Regions, snap.Levels, snap.facts.regions
	for _, l := range snap.Levels {
		st.scheduleLevel(now, l)
	}
	for cp, es := range snap.ByCase {
		st.setExposures(cp, es)
	}
	for cp, at := range snap.Horizons {
		st.schedule(now, dueItem{at: at, kind: dueRetrace, id: cp})
	}
	later, err := idx.VisitsAfter(ctx, now)
	if err != nil {
		return err
	}
	for _, v := range later {
		st.schedule(now, dueItem{at: time.UnixMicro(v.In).UTC(), kind: dueVisit, visit: v})
	}
	appeals, err := all(ctx, func(ctx context.Context, p record.Page) ([]approval.Appeal, string, error) {
		return k.store.Appeals(ctx, approval.Filter{Page: p})
	})
	if err != nil {
		return err
	}
	for _, a := range appeals {
		st.appeals[a.ID] = a.Person
	}
	stored := map[string]Stored{}
	err = k.store.EachStoredCode(ctx, func(c Stored) error {
		stored[c.Person] = c
		return nil
	})
	if err != nil {
		return err
	}
	facts := slices.Collect(maps.Values(snap.facts.m))
	computed, err := evaluateAll(policy, facts, now, k.workers)
	if err != nil {
		return err
	}
	k.st, k.idx = st, idx
	out := Write{Lease: k.lease, Consumer: Consumer, Position: Position{Seq: head, At: now}}
	for _, c := range computed {
		old, had := stored[c.Person]
		delete(stored, c.Person)
		k.record(&out, c, old.Code, had, had && old.Policy != policy.Hash(), now)
		st.schedule(now, dueItem{at: codeDueAt(c, snap.facts.next[c.Person], now), kind: dueCode, id: c.Person})
	}
	for p, t := range snap.facts.next {
		if _, ok := snap.facts.m[p]; !ok {
			st.schedule(now, dueItem{at: t, kind: dueCode, id: p}) // only records dated later
		}
	}
	for _, old := range stored { // stored, but no fact of theirs is known now
		k.record(&out, greenCode(old.Person), old.Code, true, false, now)
	}
	if err := k.chains(now, snap.Cases, &out); err != nil {
		return err
	}
	if err := k.save(ctx, out); err != nil {
		return err
	}
	k.log.InfoContext(ctx, "codes: computed every code", "cases", len(snap.Cases), "exposures", snap.Exposures,
		"residents_with_facts", snap.People(), "stored", len(out.Put), "cleared", len(out.Delete), "color_changes", len(out.Changes),
		"position", head, "took", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// reloadRegions reads the region tree and its levels again, and adds to
// the regions to recompute those whose parent or levels changed, under the
// old tree and the new.
func (k *Keeper) reloadRegions(ctx context.Context, now time.Time, w *work) error {
	st := k.st
	regions, levels, err := LoadRegions(ctx, k.store)
	if err != nil {
		return err
	}
	parents := map[string]string{}
	for _, r := range st.regionList {
		parents[r.ID] = r.Parent
	}
	var changed []string
	for _, r := range regions {
		if p, ok := parents[r.ID]; !ok || p != r.Parent {
			changed = append(changed, r.ID)
		}
	}
	byRegion := func(ls []place.Level) map[string][]place.Level {
		m := map[string][]place.Level{}
		for _, l := range ls {
			m[l.Region] = append(m[l.Region], l)
		}
		return m
	}
	before, after := byRegion(st.levels), byRegion(levels)
	for r, ls := range after {
		if !slices.Equal(ls, before[r]) {
			changed = append(changed, r)
			for _, l := range ls {
				if !slices.Contains(before[r], l) {
					st.scheduleLevel(now, l)
				}
			}
		}
	}
	for r := range before {
		if _, ok := after[r]; !ok {
			changed = append(changed, r)
		}
	}
	old := st.regions
	st.regionList, st.levels, st.regions = regions, levels, trace.NewRegions(regions, levels)
	for _, r := range changed {
		for _, g := range old.Within(r) {
			w.inRegions[g] = true
		}
		w.inRegions[r] = true
	}
	return nil
}
