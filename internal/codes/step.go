package codes

import (
	"context"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"time"

	"outbreak/internal/cases"
	"outbreak/internal/errs"
	"outbreak/internal/record"
	"outbreak/internal/risk"
	"outbreak/internal/trace"
	"outbreak/internal/visit"
)

// changeBatch is how many changes one step reads at most.
const changeBatch = 10000

// step follows the changes committed since the keeper's position and the
// items time has made due, and stores the result, a batch of changes per
// transaction.
func (k *Keeper) step(ctx context.Context) error {
	for {
		cs, err := k.store.ChangesSince(ctx, k.pos.Seq, changeBatch)
		if err != nil {
			return err
		}
		now := record.Instant(k.now())
		w := newWork()
		for _, c := range cs {
			if err := w.follow(ctx, k.idx, c); err != nil {
				return err
			}
		}
		if w.rebuild {
			if err := k.build(ctx); err != nil {
				return err
			}
			if len(cs) < changeBatch {
				return nil
			}
			continue
		}
		for _, d := range k.st.popDue(now) {
			if err := w.due(d); err != nil {
				return err
			}
		}
		pos := Position{Seq: k.pos.Seq, At: now}
		if len(cs) > 0 {
			pos.Seq = cs[len(cs)-1].Seq
		}
		if pos.Seq != k.pos.Seq || !w.idle() {
			if err := k.apply(ctx, now, w, pos); err != nil {
				return err
			}
		}
		if len(cs) < changeBatch {
			return nil
		}
	}
}

// idle reports whether there is nothing to do.
func (w *work) idle() bool {
	return !w.retraceAll && !w.regions && len(w.people)+len(w.retrace)+len(w.retraceKeys)+len(w.cases)+len(w.casesDue)+len(w.appeals)+
		len(w.inRegions)+len(w.places)+len(w.visits) == 0
}

// apply does a step's work as of now and stores it at position pos.
func (k *Keeper) apply(ctx context.Context, now time.Time, w *work, pos Position) error {
	st := k.st
	rules := st.policy.Rules()
	if err := k.idx.Refresh(ctx, w.changed, len(w.places) > 0 || w.retraceAll); err != nil {
		return err
	}
	if w.regions {
		if err := k.reloadRegions(ctx, now, w); err != nil {
			return err
		}
	}
	// A case's person is traced again and recomputed, and so are the cases
	// they were exposed to, which they may no longer count for.
	touch := func(person string) error {
		w.people[person], w.retrace[person] = true, true
		key, err := k.caseKey(ctx, person)
		for _, cp := range st.byPerson[key] {
			w.retraceKeys[cp] = true
		}
		return err
	}
	for id := range w.cases {
		if old, ok := st.cases[id]; ok {
			if err := touch(old.Person); err != nil {
				return err
			}
		}
		c, err := k.store.Case(ctx, id)
		switch {
		case errs.Is(err, errs.NotFound):
			delete(st.cases, id)
			continue
		case err != nil:
			return err
		}
		st.cases[id] = c
		st.scheduleCase(now, c)
		if err := touch(c.Person); err != nil {
			return err
		}
	}
	for id := range w.casesDue {
		if c, ok := st.cases[id]; ok {
			if err := touch(c.Person); err != nil {
				return err
			}
		}
	}
	for id := range w.appeals {
		if p, ok := st.appeals[id]; ok {
			w.people[p] = true
		}
		a, err := k.store.Appeal(ctx, id)
		switch {
		case errs.Is(err, errs.NotFound):
			delete(st.appeals, id)
		case err != nil:
			return err
		default:
			st.appeals[id] = a.Person
			w.people[a.Person] = true
		}
	}
	if err := k.inRegions(ctx, w); err != nil {
		return err
	}
	known := st.known(now)
	if w.retraceAll {
		for _, c := range known {
			w.retrace[c.Person] = true
		}
	} else if err := k.reach(ctx, now, w, known); err != nil {
		return err
	}
	for _, c := range known {
		key, err := k.caseKey(ctx, c.Person)
		if err != nil {
			return err
		}
		if w.retraceKeys[key] {
			w.retrace[c.Person] = true
		}
	}
	// Cases traced whole, and cases of which only some people are traced
	// again (reach says which).
	var traced []cases.Case
	some := map[string]trace.Some{}
	for _, c := range known {
		key := st.caseKeys[c.Person]
		if w.retrace[c.Person] {
			traced = append(traced, c)
		} else if ps := w.some[key]; len(ps) > 0 {
			traced = append(traced, c)
			s := trace.Some{People: slices.Sorted(maps.Keys(ps))}
			if srcs := st.sources[key]; len(srcs) == 1 {
				s.Sources = srcs[0]
			}
			some[c.Person] = s
		}
	}
	whole := map[int64]bool{}
	var changed []int64
	// A step leaves a core to the API it runs beside: check-ins wait for
	// a core, a computation of every code does not.
	err := trace.EachSomeKeys(ctx, k.idx, rules, now, known, traced, some, max(1, k.workers-1), func(tr trace.Traced) error {
		if tr.Whole {
			whole[tr.Person] = true
			changed = append(changed, st.setWhole(now, tr)...)
			return nil
		}
		changed = append(changed, st.setSome(tr.Person, tr.People, tr.Contacts)...)
		st.scheduleVisits(now, tr.Next.Visits)
		return nil
	})
	if err != nil {
		return err
	}
	// A case person traced again whose cases are no longer known has no
	// contacts.
	for id := range w.retrace {
		cp, err := k.caseKey(ctx, id)
		if err != nil {
			return err
		}
		if !whole[cp] {
			changed = append(changed, st.setExposures(cp, nil)...)
		}
	}
	if err := k.addPeople(ctx, w, changed); err != nil {
		return err
	}
	out := Write{Lease: k.lease, Consumer: Consumer, Position: pos}
	if err := k.evaluate(ctx, now, w, &out); err != nil {
		return err
	}
	if len(w.retrace) > 0 {
		if err := k.chains(ctx, now, known, &out); err != nil {
			return err
		}
	}
	return k.savePieces(ctx, out)
}

// stepPiece is how many codes and changes a step stores in one
// transaction: a step that changes thousands of codes stores them in
// pieces, so that check-ins, which need the same writer on SQLite, do not
// wait behind one long write. Only the last piece moves the position; a
// keeper stopped between pieces is followed by one that computes every
// code and stores what differs.
const stepPiece = 1000

// savePieces stores a step in pieces of about stepPiece codes, each
// resident's code and color change in one piece, so that the log and the
// codes agree whenever a piece commits.
func (k *Keeper) savePieces(ctx context.Context, w Write) error {
	if len(w.Put)+len(w.Delete) <= stepPiece {
		return k.save(ctx, w)
	}
	changes := map[string][]Change{}
	for _, c := range w.Changes {
		changes[c.Person] = append(changes[c.Person], c)
	}
	piece := Write{Lease: w.Lease, Consumer: w.Consumer}
	flush := func() error {
		err := k.store.SaveCodes(ctx, piece)
		piece.Put, piece.Delete, piece.Changes = nil, nil, nil
		return err
	}
	for i, c := range w.Put {
		piece.Put = append(piece.Put, c)
		piece.Changes = append(piece.Changes, changes[c.Person]...)
		if len(piece.Put) == stepPiece && i < len(w.Put)-1 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	for _, p := range w.Delete {
		piece.Delete = append(piece.Delete, p)
		piece.Changes = append(piece.Changes, changes[p]...)
	}
	piece.Derived, piece.Position = w.Derived, w.Position
	return k.save(ctx, piece)
}

// reach adds to the cases to trace again those that changed visits can
// reach. A changed visit, and each visit that may overlap it
// (trace.Present), can give or take exposures to a case whose person made
// it, within the case's infectious window: that case is traced whole.
// Otherwise, where one of them is a close contact's within their
// secondary window, only the secondary exposures of the people present
// there can change, and only theirs are traced again (the rules of both
// are trace's). Visits dated later are followed again when they begin.
func (k *Keeper) reach(ctx context.Context, now time.Time, w *work, known []cases.Case) error {
	st, rules := k.st, k.st.policy.Rules()
	for _, v := range w.visits {
		if v.In > now.UnixMicro() {
			st.schedule(now, dueItem{at: time.UnixMicro(v.In).UTC(), kind: dueVisit, visit: v})
		}
	}
	visits, err := trace.Present(ctx, k.idx, rules, w.visits)
	if err != nil {
		return err
	}
	// The sources of secondary exposures take in the changed visits of
	// close contacts.
	for _, v := range w.changed {
		for _, c := range st.contactsOf(v.Person) {
			if c.Degree != 1 {
				continue
			}
			for _, src := range st.sources[c.Case] {
				src.Follow([]trace.Visit{v})
			}
		}
	}
	changed := slices.Clone(w.visits)
	// A place's default dwell changes its visits, which the sources of
	// secondary exposures hold as they were: a close contact there has the
	// case traced whole.
	redwelled := map[int64]bool{}
	for place := range w.places {
		key, err := k.idx.PlaceKey(ctx, place)
		if errs.Is(err, errs.Invalid) {
			continue
		}
		if err != nil {
			return err
		}
		if changed, err = k.idx.PlaceVisits(ctx, key, math.MinInt64/2, math.MaxInt64/2, changed); err != nil {
			return err
		}
		redwelled[key] = true
	}
	// Each person's visits at a place as one span, from the first check-in
	// to the latest end: the rules ask whether a visit begins early enough
	// or lasts long enough, so the span says yes whenever one of them would.
	spans := map[[2]int64]trace.Visit{}
	moved := map[[2]int64]bool{} // the spans that hold a changed visit
	for i, v := range slices.Concat(changed, visits) {
		end := trace.Longest(v, rules)
		at := [2]int64{v.Place, v.Person}
		if s, ok := spans[at]; ok {
			s.In, s.Out = min(s.In, v.In), max(s.Out, end)
			spans[at] = s
		} else {
			spans[at] = trace.Visit{Person: v.Person, Place: v.Place, In: v.In, Out: end}
		}
		moved[at] = moved[at] || i < len(changed)
	}
	// Who is at each place, and whose visits there changed.
	present, movers := map[int64][]int64{}, map[int64][]int64{}
	for at := range spans {
		present[at[0]] = append(present[at[0]], at[1])
		if moved[at] {
			movers[at[0]] = append(movers[at[0]], at[1])
		}
	}
	casesOf := map[int64][]cases.Case{}
	for _, c := range known {
		key, err := k.caseKey(ctx, c.Person)
		if err != nil {
			return err
		}
		casesOf[key] = append(casesOf[key], c)
	}
	for at, v := range spans {
		for _, c := range casesOf[at[1]] {
			if rules.CaseVisit(c.Onset, c.Isolated, v) {
				w.retrace[c.Person] = true
			}
		}
		// A close contact's changed visit changes the exposures of
		// everyone there; their visit as it was, those of whoever's visit
		// there changed.
		people := movers[at[0]]
		if moved[at] {
			people = present[at[0]]
		}
		for _, c := range st.contactsOf(at[1]) {
			if c.Degree == 1 && rules.ContactVisit(time.UnixMicro(c.Start), v) {
				if redwelled[at[0]] {
					w.retraceKeys[c.Case] = true
					continue
				}
				if w.some[c.Case] == nil {
					w.some[c.Case] = map[int64]bool{}
				}
				for _, p := range people {
					w.some[c.Case][p] = true
				}
			}
		}
	}
	return nil
}

// caseKey returns the index's key of a case's person, remembered.
func (k *Keeper) caseKey(ctx context.Context, person string) (int64, error) {
	if key, ok := k.st.caseKeys[person]; ok {
		return key, nil
	}
	key, err := k.idx.PersonKey(ctx, person)
	if err == nil {
		k.st.caseKeys[person], k.st.caseIDs[key] = key, person
	}
	return key, err
}

// addPeople adds people given by key to those whose codes to compute
// again.
func (k *Keeper) addPeople(ctx context.Context, w *work, keys []int64) error {
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	ids, _, err := k.idx.Names(ctx, slices.Compact(keys), nil)
	for key, id := range ids {
		w.people[id], w.keys[id] = true, key
	}
	return err
}

// inRegions adds everyone with a stay in the regions to recompute, or
// below them.
func (k *Keeper) inRegions(ctx context.Context, w *work) error {
	seen := map[string]bool{}
	for r := range w.inRegions {
		for _, g := range k.st.regions.Within(r) {
			if seen[g] {
				continue
			}
			seen[g] = true
			stays, err := all(ctx, func(ctx context.Context, p record.Page) ([]visit.Stay, string, error) {
				return k.store.Stays(ctx, visit.Filter{Region: g, Page: p})
			})
			if err != nil {
				return err
			}
			for _, s := range stays {
				w.people[s.Person] = true
			}
		}
	}
	return nil
}

// evaluate computes the codes of some residents from their records and the
// exposures the keeper holds, and adds what changed to out.
func (k *Keeper) evaluate(ctx context.Context, now time.Time, w *work, out *Write) error {
	st := k.st
	people := slices.Sorted(maps.Keys(w.people))
	var all []trace.Contact
	contacts := make([][]trace.Contact, len(people))
	for i, p := range people {
		key, ok := w.keys[p]
		if !ok {
			var err error
			if key, err = k.idx.PersonKey(ctx, p); errs.Is(err, errs.Invalid) {
				continue // not a resident: a record of theirs was refused
			} else if err != nil {
				return err
			}
		}
		contacts[i] = st.contactsOf(key)
		all = append(all, contacts[i]...)
	}
	persons, places := trace.Keys(all)
	pn, vn, err := k.idx.Names(ctx, persons, places)
	if err != nil {
		return err
	}
	for i, p := range people {
		fs := newFactSet(now, st.policy.Rules(), st.regions)
		if err := fs.read(ctx, k.store, p); err != nil {
			return err
		}
		f := fs.of(p)
		f.Exposures = trace.Exposures(contacts[i], pn, vn)
		c, err := st.policy.Evaluate(f, now)
		if err != nil {
			return err
		}
		old, had := st.codes[p]
		k.record(out, c, old, had, false, now)
		st.schedule(now, dueItem{at: codeDueAt(c, fs.next[p], now), kind: dueCode, id: p})
	}
	return nil
}

// green is the color of a resident with no reason for another.
const green = "green"

// record adds a resident's new code to out when it differs from the
// stored one (old, if had; stale: stored under another policy), with a
// change of color when the color differs, and keeps its digest.
func (k *Keeper) record(out *Write, c risk.Code, old codeSum, had, stale bool, now time.Time) {
	from := green
	if had {
		from = old.color
	}
	if from != c.Color {
		out.Changes = append(out.Changes, Change{Person: c.Person, From: from, To: c.Color, Reasons: c.Reasons, At: now})
	}
	if c.Color == green && len(c.Reasons) == 0 {
		if had {
			out.Delete = append(out.Delete, c.Person)
			delete(k.st.codes, c.Person)
		}
		return
	}
	sum := sumOf(c)
	if !had || stale || sum != old {
		out.Put = append(out.Put, Stored{Code: c, Policy: k.st.policy.Hash(), AsOf: now, Seq: out.Position.Seq})
	}
	k.st.codes[c.Person] = sum
}

// chains adds the clusters of cases to out when they changed.
func (k *Keeper) chains(ctx context.Context, now time.Time, known []cases.Case, out *Write) error {
	var among []trace.Contact
	for _, c := range known {
		key, err := k.caseKey(ctx, c.Person)
		if err != nil {
			return err
		}
		among = append(among, k.st.contactsOf(key)...)
	}
	persons, places := trace.Keys(among)
	pn, vn, err := k.idx.Names(ctx, persons, places)
	if err != nil {
		return err
	}
	es := trace.Exposures(among, pn, vn)
	trace.SortExposures(es)
	cs := trace.Chains(known, es)
	if cs == nil {
		cs = []trace.Cluster{}
	}
	body, err := json.Marshal(cs)
	if err != nil || string(body) == k.st.chainsJSON {
		return err
	}
	k.st.chainsJSON = string(body)
	if out.Derived == nil {
		out.Derived = map[string][]byte{}
	}
	out.Derived[ChainsName] = body
	return nil
}

// ChainsName is the name under which the clusters of cases are stored.
const ChainsName = "chains"

// save stores a step and moves the keeper's position.
func (k *Keeper) save(ctx context.Context, w Write) error {
	if err := k.store.SaveCodes(ctx, w); err != nil {
		return err
	}
	k.advance(w.Position)
	return nil
}

// greenCode is the code of a resident with no reason for another color.
func greenCode(person string) risk.Code {
	return risk.Code{Person: person, Color: green, Reasons: []risk.Reason{}}
}
