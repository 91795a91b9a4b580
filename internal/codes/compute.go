package codes

import (
	"cmp"
	"context"
	"slices"
	"strings"
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
	Exposures int // before keeping the latest per case and degree
	// ByCase holds the exposures to each case person, the latest per
	// person and degree.
	ByCase map[string][]trace.Exposure
	// Horizons holds when each case person's exposures may next change by
	// time alone.
	Horizons map[string]time.Time
	// All is every case stored and Levels every region level, known at
	// now or not.
	All    []cases.Case
	Levels []place.Level
	facts  *factSet
}

// Load traces every case known at now and reads every resident's facts.
func Load(ctx context.Context, s Store, rules trace.Rules, now time.Time, workers int) (*Snapshot, error) {
	all, err := AllCases(ctx, s)
	if err != nil {
		return nil, err
	}
	known := trace.Known(all, now)
	regions, levels, err := LoadRegions(ctx, s)
	if err != nil {
		return nil, err
	}
	idx, err := s.TraceIndex(ctx, rules.DefaultDwell)
	if err != nil {
		return nil, err
	}
	snap := &Snapshot{Now: now, Cases: known, All: all, Levels: levels, ByCase: map[string][]trace.Exposure{}, Horizons: map[string]time.Time{},
		facts: newFactSet(now, rules, regions)}
	err = trace.Each(ctx, idx, rules, now, known, known, workers, func(cp string, es []trace.Exposure, horizon time.Time) error {
		snap.Exposures += len(es)
		if !horizon.IsZero() {
			snap.Horizons[cp] = horizon
		}
		snap.ByCase[cp] = Latest(es)
		snap.facts.addExposures(snap.ByCase[cp])
		return nil
	})
	if err != nil {
		return nil, err
	}
	return snap, snap.facts.read(ctx, s, "")
}

// Latest keeps, of each person's exposures to one case at one degree, the
// one that ends last: it alone decides how long the exposure counts, and a
// contact of a large outbreak may otherwise carry thousands.
func Latest(es []trace.Exposure) []trace.Exposure {
	es = slices.Clone(es)
	slices.SortFunc(es, func(a, b trace.Exposure) int {
		switch {
		case a.Person != b.Person:
			return strings.Compare(a.Person, b.Person)
		case a.CasePerson != b.CasePerson:
			return strings.Compare(a.CasePerson, b.CasePerson)
		case a.Degree != b.Degree:
			return cmp.Compare(a.Degree, b.Degree)
		}
		return b.End.Compare(a.End)
	})
	return slices.CompactFunc(es, func(a, b trace.Exposure) bool {
		return a.Person == b.Person && a.CasePerson == b.CasePerson && a.Degree == b.Degree
	})
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

// Evaluate computes every resident's code under a policy and calls fn with
// each, with the resident's home region, in ID order.
func (s *Snapshot) Evaluate(ctx context.Context, st Store, p *risk.Policy, fn func(home string, c risk.Code) error) error {
	return st.EachResident(ctx, func(id, home string) error {
		c, err := p.Evaluate(s.Facts(id, home), s.Now)
		if err != nil {
			return err
		}
		return fn(home, c)
	})
}
