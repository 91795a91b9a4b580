package codes

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"outbreak/internal/cases"
	"outbreak/internal/errs"
	"outbreak/internal/record"
	"outbreak/internal/risk"
	"outbreak/internal/trace"
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
	facts := slices.Collect(maps.Values(snap.facts.m))
	codes, err := evaluateAll(policy, facts, now, k.workers)
	if err != nil {
		return err
	}
	for i, c := range codes {
		st.put(facts[i].Person, c, now)
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
