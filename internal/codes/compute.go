package codes

import (
	"context"
	"errors"
	"sync"
	"time"

	"outbreak/internal/cases"
	"outbreak/internal/place"
	"outbreak/internal/risk"
	"outbreak/internal/trace"
)

// Snapshot is what is known about every resident at one instant under one
// set of tracing rules: exposures to every case known then, and each
// resident's own cases, region stays, tests and declarations.
type Snapshot struct {
	Now       time.Time
	Cases     []cases.Case
	Exposures int // the latest per person, case and degree
	// ByCase holds the exposures to each case person, the latest per
	// person and degree.
	ByCase map[string][]trace.Exposure
	// Horizons holds when each case person's exposures may next change by
	// time alone.
	Horizons map[string]time.Time
	// All is every case stored, Regions the region tree and Levels every
	// region level, known at now or not.
	All     []cases.Case
	Regions []place.Region
	Levels  []place.Level
	facts   *factSet
	workers int
}

// Load traces every case known at now and reads every resident's facts.
func Load(ctx context.Context, s Records, rules trace.Rules, now time.Time, workers int) (*Snapshot, error) {
	idx, err := s.TraceIndex(ctx, rules.DefaultDwell)
	if err != nil {
		return nil, err
	}
	return load(ctx, s, idx, rules, now, workers)
}

// load is Load over an index the caller keeps.
func load(ctx context.Context, s Records, idx trace.Source, rules trace.Rules, now time.Time, workers int) (*Snapshot, error) {
	b, err := readBase(ctx, s, rules, now)
	if err != nil {
		return nil, err
	}
	snap := &Snapshot{Now: now, Cases: b.known, All: b.all, Regions: b.regions, Levels: b.levels, workers: max(1, workers),
		ByCase: map[string][]trace.Exposure{}, Horizons: map[string]time.Time{}, facts: b.facts}
	err = trace.EachLatest(ctx, idx, rules, now, b.known, b.known, workers, func(cp string, es []trace.Exposure, horizon time.Time) error {
		snap.Exposures += len(es)
		if !horizon.IsZero() {
			snap.Horizons[cp] = horizon
		}
		snap.ByCase[cp] = es
		snap.facts.addExposures(es)
		return nil
	})
	return snap, err
}

// base is what a computation of every code reads besides exposures: every
// case, the region tree and its levels, and every resident's other facts.
type base struct {
	all, known []cases.Case
	regions    []place.Region
	levels     []place.Level
	facts      *factSet
}

// readBase reads what a computation of every code at now needs besides
// exposures.
func readBase(ctx context.Context, s Records, rules trace.Rules, now time.Time) (*base, error) {
	all, err := AllCases(ctx, s)
	if err != nil {
		return nil, err
	}
	regions, levels, err := LoadRegions(ctx, s)
	if err != nil {
		return nil, err
	}
	b := &base{all: all, known: trace.Known(all, now), regions: regions, levels: levels,
		facts: newFactSet(now, rules, trace.NewRegions(regions, levels))}
	return b, b.facts.read(ctx, s, "")
}

// Facts returns what the snapshot knows of one resident (never nil).
func (s *Snapshot) Facts(person, home string) *risk.Facts {
	f := s.facts.m[person]
	if f == nil {
		return &risk.Facts{Person: person, Region: home}
	}
	f.Region = home
	return f
}

// People returns how many residents have any fact.
func (s *Snapshot) People() int { return len(s.facts.m) }

// Evaluate computes every resident's code under a policy, on the snapshot's
// workers, and calls fn with each, with the resident's home region, in ID
// order.
func (s *Snapshot) Evaluate(ctx context.Context, st Records, p *risk.Policy, fn func(home string, c risk.Code) error) error {
	const batch = 4096
	var facts []*risk.Facts
	var homes []string
	flush := func() error {
		codes, err := evaluateAll(p, facts, s.Now, s.workers)
		if err != nil {
			return err
		}
		for i, c := range codes {
			if err := fn(homes[i], c); err != nil {
				return err
			}
		}
		facts, homes = facts[:0], homes[:0]
		return nil
	}
	err := st.EachResident(ctx, func(id, home string) error {
		facts, homes = append(facts, s.Facts(id, home)), append(homes, home)
		if len(facts) == batch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// evaluateAll evaluates a policy for many residents on workers goroutines.
func evaluateAll(p *risk.Policy, facts []*risk.Facts, now time.Time, workers int) ([]risk.Code, error) {
	codes := make([]risk.Code, len(facts))
	errs := make([]error, len(facts))
	var wg sync.WaitGroup
	per := (len(facts) + workers - 1) / max(1, workers)
	for lo := 0; lo < len(facts); lo += max(1, per) {
		wg.Go(func() {
			for i := lo; i < min(lo+per, len(facts)); i++ {
				codes[i], errs[i] = p.Evaluate(facts[i], now)
			}
		})
	}
	wg.Wait()
	return codes, errors.Join(errs...)
}
