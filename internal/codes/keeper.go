package codes

import (
	"container/heap"
	"context"
	"log/slog"
	"sync"
	"time"

	"outbreak/internal/approval"
	"outbreak/internal/cases"
	"outbreak/internal/errs"
	"outbreak/internal/lab"
	"outbreak/internal/place"
	"outbreak/internal/record"
	"outbreak/internal/risk"
	"outbreak/internal/trace"
	"outbreak/internal/visit"
)

// Keeper keeps every resident's code current while the server runs. It
// computes all codes when it starts (and again every Rebuild, which picks up
// records that other processes imported); after that a stored record
// recomputes just the residents it can change, and each code is recomputed
// when time alone changes it. Codes are derived, so they live in memory and
// are rebuilt after a restart from the records, which are durable.
type Keeper struct {
	store   Store
	engine  *risk.Engine
	log     *slog.Logger
	now     func() time.Time
	workers int
	rebuild time.Duration
	changes chan any
	wake    chan struct{}

	mu    sync.RWMutex
	ready bool
	st    *state
	// behind is set until every code has been computed, and again when a
	// change did not fit the queue, an update failed or the policy changed:
	// the next round computes every code.
	behind bool
}

// Config wires a Keeper.
type Config struct {
	Store  Store
	Engine *risk.Engine
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Workers trace in parallel; 0 means 1.
	Workers int
	// Rebuild is how often every code is computed afresh; 0 means hourly.
	Rebuild time.Duration
}

// state is what the keeper derives from the records.
type state struct {
	now     time.Time
	cases   []cases.Case // known at now
	regions *trace.Regions
	// exp holds each person's exposures by case person; contacts the
	// people exposed to each case person.
	exp      map[string]map[string][]trace.Exposure
	contacts map[string]map[string]bool
	codes    map[string]risk.Code // residents with any fact
	due      dueHeap
	dueAt    map[string]time.Time
}

// NewKeeper returns a keeper; Run computes the codes and keeps them.
func NewKeeper(cfg Config) *Keeper {
	k := &Keeper{store: cfg.Store, engine: cfg.Engine, log: cfg.Logger, now: cfg.Now, workers: max(1, cfg.Workers),
		rebuild: cfg.Rebuild, changes: make(chan any, 1<<16), wake: make(chan struct{}, 1), behind: true}
	if k.log == nil {
		k.log = slog.New(slog.DiscardHandler)
	}
	if k.now == nil {
		k.now = time.Now
	}
	if k.rebuild <= 0 {
		k.rebuild = time.Hour
	}
	return k
}

// Stored tells the keeper of a record the server stored: a case, visit,
// stay, lab result, declaration, region level or appeal. It never blocks.
func (k *Keeper) Stored(item any) {
	select {
	case k.changes <- item:
	default:
		k.mu.Lock()
		k.behind = true
		k.mu.Unlock()
	}
}

// Reload asks for every code to be computed afresh, as after a policy change.
func (k *Keeper) Reload() {
	k.mu.Lock()
	k.behind = true
	k.mu.Unlock()
	select {
	case k.wake <- struct{}{}:
	default:
	}
}

// Code returns a resident's code: green without reasons for a resident
// with no facts (Unavailable until the first computation is done).
func (k *Keeper) Code(person string) (risk.Code, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if !k.ready {
		return risk.Code{}, errs.E(errs.Unavailable, "health codes are being computed; try again shortly")
	}
	if c, ok := k.st.codes[person]; ok {
		return c, nil
	}
	return risk.Code{Person: person, Color: "green", Reasons: []risk.Reason{}}, nil
}

// Chains returns the clusters of cases linked by exposures, as last computed.
func (k *Keeper) Chains() ([]trace.Cluster, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if !k.ready {
		return nil, errs.E(errs.Unavailable, "health codes are being computed; try again shortly")
	}
	var among []trace.Exposure
	for _, c := range k.st.cases {
		for _, es := range k.st.exp[c.Person] {
			among = append(among, es...)
		}
	}
	return trace.Chains(k.st.cases, among), nil
}

// Run computes every code and keeps them current until ctx ends.
func (k *Keeper) Run(ctx context.Context) error {
	rebuild := time.NewTicker(k.rebuild)
	defer rebuild.Stop()
	for ctx.Err() == nil {
		k.mu.RLock()
		behind := k.behind
		k.mu.RUnlock()
		if behind {
			k.step(ctx, func() error { return k.build(ctx) })
			continue
		}
		timer := time.NewTimer(k.untilDue())
		select {
		case <-ctx.Done():
		case item := <-k.changes:
			batch := []any{item}
		drain:
			for len(batch) < 10000 {
				select {
				case item := <-k.changes:
					batch = append(batch, item)
				default:
					break drain
				}
			}
			k.step(ctx, func() error { return k.apply(ctx, batch) })
		case <-timer.C:
			k.step(ctx, func() error { return k.expire(ctx) })
		case <-k.wake:
		case <-rebuild.C:
			k.Reload()
		}
		timer.Stop()
	}
	return nil
}

// step runs one round of work. When it fails, every code is computed again
// next, after a pause if computing every code was what failed.
func (k *Keeper) step(ctx context.Context, work func() error) {
	k.mu.RLock()
	rebuilding := k.behind
	k.mu.RUnlock()
	err := work()
	if err == nil || ctx.Err() != nil {
		return
	}
	k.log.ErrorContext(ctx, "codes: an update failed; every code will be computed again", "err", err)
	k.mu.Lock()
	k.behind = true
	k.mu.Unlock()
	if rebuilding {
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
		}
	}
}

// build computes every code from the records.
func (k *Keeper) build(ctx context.Context) error {
	k.mu.Lock()
	k.behind = false
	k.mu.Unlock()
	start := time.Now()
	now, policy := record.Instant(k.now()), k.engine.Policy()
	snap, err := Load(ctx, k.store, policy.Rules(), now, k.workers)
	if err != nil {
		return err
	}
	st := &state{now: now, cases: snap.Cases, regions: snap.facts.regions, exp: map[string]map[string][]trace.Exposure{},
		contacts: map[string]map[string]bool{}, codes: map[string]risk.Code{}, dueAt: map[string]time.Time{}}
	for cp, es := range snap.ByCase {
		st.setExposures(cp, es)
	}
	for cp, at := range snap.Horizons {
		st.schedule(at, retraceDue{cp})
	}
	for _, c := range snap.All {
		st.future(c, now)
	}
	for _, l := range snap.Levels {
		st.future(l, now)
	}
	for p, f := range snap.facts.m {
		c, err := policy.Evaluate(f, now)
		if err != nil {
			return err
		}
		st.put(p, c, now)
	}
	k.mu.Lock()
	k.st, k.ready = st, true
	k.mu.Unlock()
	k.log.InfoContext(ctx, "codes: computed every code", "cases", len(snap.Cases), "exposures", snap.Exposures,
		"residents_with_facts", snap.People(), "took", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// setExposures replaces the exposures to one case person.
func (st *state) setExposures(cp string, es []trace.Exposure) {
	for p := range st.contacts[cp] {
		delete(st.exp[p], cp)
	}
	delete(st.contacts, cp)
	for _, e := range es {
		if st.exp[e.Person] == nil {
			st.exp[e.Person] = map[string][]trace.Exposure{}
		}
		if st.contacts[cp] == nil {
			st.contacts[cp] = map[string]bool{}
		}
		st.exp[e.Person][cp] = append(st.exp[e.Person][cp], e)
		st.contacts[cp][e.Person] = true
	}
}

// put records a code and when to look at it again: when the color changes
// or a reason ends, whichever is first.
func (st *state) put(person string, c risk.Code, now time.Time) {
	if c.Color == "green" && len(c.Reasons) == 0 {
		delete(st.codes, person)
	} else {
		st.codes[person] = c
	}
	next := c.ValidUntil
	for _, r := range c.Reasons {
		if r.Until.After(now) && (next.IsZero() || r.Until.Before(next)) {
			next = r.Until
		}
	}
	if next.IsZero() {
		delete(st.dueAt, person)
		return
	}
	st.dueAt[person] = next
	heap.Push(&st.due, dueItem{at: next, person: person})
}

// dueItem is something time alone changes at an instant: a resident's code
// (item nil), or a record to follow again (a case whose exposures or whose
// dates become known then, a region level that starts or ends, …).
type dueItem struct {
	at     time.Time
	person string
	item   any
}

// retraceDue is a case person whose exposures may change at an instant.
type retraceDue struct{ person string }

// schedule has the keeper follow an item again at an instant.
func (st *state) schedule(at time.Time, item any) {
	heap.Push(&st.due, dueItem{at: at, item: item})
}

// future schedules an item again at each of its instants after now: a
// record dated later is not known until then.
func (st *state) future(item any, now time.Time) {
	var times []time.Time
	switch v := item.(type) {
	case cases.Case:
		times = []time.Time{v.Onset, v.Isolated, v.Released}
	case visit.Visit:
		times = []time.Time{v.CheckIn, v.CheckOut}
	case visit.Stay:
		times = []time.Time{v.From, v.To}
	case place.Level:
		times = []time.Time{v.From, v.To}
	case lab.Result:
		times = []time.Time{v.SpecimenAt}
	case lab.Declaration:
		times = []time.Time{v.DeclaredAt}
	case approval.Appeal:
		times = []time.Time{v.Decided, v.Expires}
	}
	for _, t := range times {
		if t.After(now) {
			st.schedule(t, item)
		}
	}
}

// dueHeap orders residents by when their codes are next due.
type dueHeap []dueItem

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(dueItem)) }
func (h *dueHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// untilDue returns how long until the next code is due.
func (k *Keeper) untilDue() time.Duration {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.st == nil || len(k.st.due) == 0 {
		return time.Hour
	}
	return max(time.Millisecond, k.st.due[0].at.Sub(k.now()))
}

// expire recomputes the codes that are due and follows again the records
// that time has changed.
func (k *Keeper) expire(ctx context.Context) error {
	now := record.Instant(k.now())
	people := map[string]bool{}
	var items []any
	k.mu.Lock()
	for len(k.st.due) > 0 && !k.st.due[0].at.After(now) {
		d := heap.Pop(&k.st.due).(dueItem)
		switch {
		case d.item != nil:
			items = append(items, d.item)
		case k.st.dueAt[d.person].Equal(d.at):
			people[d.person] = true
			delete(k.st.dueAt, d.person)
		}
	}
	k.mu.Unlock()
	if len(items) > 0 {
		if err := k.apply(ctx, items); err != nil {
			return err
		}
	}
	return k.evaluate(ctx, now, people)
}

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
			if err := k.present(ctx, idx, v, rules, closeTo); err != nil {
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
	err = trace.Each(ctx, idx, rules, now, known, traced, k.workers, func(cp string, es []trace.Exposure, horizon time.Time) error {
		found[cp] = Latest(es)
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
func (k *Keeper) present(ctx context.Context, idx trace.Source, v visit.Visit, rules trace.Rules, fn func(string)) error {
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
