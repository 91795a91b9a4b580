package codes

import (
	"context"
	"maps"
	"slices"
	"time"

	"outbreak/internal/approval"
	"outbreak/internal/place"
	"outbreak/internal/record"
	"outbreak/internal/risk"
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
	b, err := readBase(ctx, k.store, policy.Rules(), now)
	if err != nil {
		return err
	}
	st := newState(policy)
	for _, c := range b.all {
		st.cases[c.ID] = c
		st.scheduleCase(now, c)
	}
	st.regionList, st.levels, st.regions = b.regions, b.levels, b.facts.regions
	for _, l := range b.levels {
		st.scheduleLevel(now, l)
	}
	k.st, k.idx = st, idx
	for _, c := range b.known {
		if _, err := k.caseKey(ctx, c.Person); err != nil {
			return err
		}
	}
	exposures := 0
	err = trace.EachLatestKeys(ctx, idx, policy.Rules(), now, b.known, b.known, k.workers, func(tr trace.Traced) error {
		exposures += len(tr.Contacts)
		st.setWhole(now, tr)
		return nil
	})
	if err != nil {
		return err
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
	type storedSum struct {
		codeSum
		policy string
	}
	stored := map[string]storedSum{}
	err = k.store.EachStoredCode(ctx, func(c Stored) error {
		stored[c.Person] = storedSum{sumOf(c.Code), c.Policy}
		return nil
	})
	if err != nil {
		return err
	}
	// The codes go out in pieces, each a transaction of its own that
	// leaves the position where it was, so that no one write holds the
	// store for long; the last piece moves the position. Stopped half-way,
	// the next keeper computes everything again and stores what differs.
	out := Write{Lease: k.lease, Consumer: Consumer}
	var puts, deletes, changes int
	piece := func() error {
		if len(out.Put)+len(out.Delete)+len(out.Changes) < buildPiece {
			return nil
		}
		err := k.store.SaveCodes(ctx, out)
		puts, deletes, changes = puts+len(out.Put), deletes+len(out.Delete), changes+len(out.Changes)
		out.Put, out.Delete, out.Changes = nil, nil, nil
		return err
	}
	// Everyone with a fact or an exposure, a batch at a time: the facts
	// get their exposures only while they are evaluated.
	exposed := slices.Sorted(maps.Keys(st.byPerson))
	ids, _, err := idx.Names(ctx, exposed, nil)
	if err != nil {
		return err
	}
	keys := make(map[string]int64, len(ids))
	people := slices.Collect(maps.Keys(b.facts.m))
	for key, id := range ids {
		keys[id] = key
		if b.facts.m[id] == nil {
			people = append(people, id)
		}
	}
	const batch = 4096
	for lo := 0; lo < len(people); lo += batch {
		facts := make([]*risk.Facts, 0, batch)
		var contacts [][]trace.Contact
		var all []trace.Contact
		for _, p := range people[lo:min(lo+batch, len(people))] {
			var cs []trace.Contact
			if key, ok := keys[p]; ok {
				cs = st.contactsOf(key)
			}
			contacts, all = append(contacts, cs), append(all, cs...)
		}
		persons, places := trace.Keys(all)
		pn, vn, err := idx.Names(ctx, persons, places)
		if err != nil {
			return err
		}
		for i, p := range people[lo:min(lo+batch, len(people))] {
			f := risk.Facts{Person: p}
			if x := b.facts.m[p]; x != nil {
				f = *x
			}
			f.Exposures = trace.Exposures(contacts[i], pn, vn)
			facts = append(facts, &f)
		}
		computed, err := evaluateAll(policy, facts, now, k.workers)
		if err != nil {
			return err
		}
		for _, c := range computed {
			old, had := stored[c.Person]
			delete(stored, c.Person)
			k.record(&out, c, old.codeSum, had, had && old.policy != policy.Hash(), now)
			st.schedule(now, dueItem{at: codeDueAt(c, b.facts.next[c.Person], now), kind: dueCode, id: c.Person})
		}
		if err := piece(); err != nil {
			return err
		}
	}
	for p, t := range b.facts.next {
		if _, ok := b.facts.m[p]; !ok {
			st.schedule(now, dueItem{at: t, kind: dueCode, id: p}) // only records dated later
		}
	}
	for p, old := range stored { // stored, but no fact of theirs is known now
		k.record(&out, greenCode(p), old.codeSum, true, false, now)
	}
	if err := k.chains(ctx, now, b.known, &out); err != nil {
		return err
	}
	out.Position = Position{Seq: head, At: now}
	if err := k.save(ctx, out); err != nil {
		return err
	}
	k.log.InfoContext(ctx, "codes: computed every code", "cases", len(b.known), "exposures", exposures,
		"residents_with_facts", len(people), "stored", puts+len(out.Put), "cleared", deletes+len(out.Delete), "color_changes", changes+len(out.Changes),
		"position", head, "took", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// buildPiece is how many codes and changes a piece of a build stores in one
// transaction: about a second of SQLite's writer.
const buildPiece = 10000

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
