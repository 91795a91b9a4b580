package codes

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"outbreak/internal/cases"
	"outbreak/internal/risk"
	"outbreak/internal/trace"
)

// Service is what the API offers about health codes: the keeper's codes,
// tracing of one case on demand, and the policy with its what-if.
type Service struct {
	*Keeper
	// PolicyFile is where a new policy is saved, so that it runs again
	// after a restart; empty keeps it in memory only.
	PolicyFile string
}

// Exposures traces one case as of at: every exposure, not only the latest
// per person that codes keep.
func (s *Service) Exposures(ctx context.Context, caseID string, at time.Time) ([]trace.Exposure, error) {
	c, err := s.store.Case(ctx, caseID)
	if err != nil {
		return nil, err
	}
	known, err := KnownCases(ctx, s.store, at)
	if err != nil {
		return nil, err
	}
	traced := trace.Known([]cases.Case{c}, at)
	rules := s.engine.Policy().Rules()
	idx, err := s.store.TraceIndex(ctx, rules.DefaultDwell)
	if err != nil {
		return nil, err
	}
	es, err := trace.Run(ctx, idx, rules, at, known, traced, s.workers)
	if es == nil {
		es = []trace.Exposure{}
	}
	return es, err
}

// Policy returns the running policy.
func (s *Service) Policy() *risk.Policy { return s.engine.Policy() }

// SetPolicy compiles a policy and, when it compiles, makes it the running
// one, saves it and recomputes every code. A policy that does not compile is
// refused with the position of the fault and the running one stays.
func (s *Service) SetPolicy(src []byte) error {
	if err := s.engine.Load("policy.yaml", src); err != nil {
		return err
	}
	defer s.Reload()
	if s.PolicyFile != "" {
		tmp := s.PolicyFile + ".new"
		if err := os.WriteFile(tmp, src, 0o600); err != nil {
			return err
		}
		if err := os.Rename(tmp, s.PolicyFile); err != nil {
			return err
		}
		if d, err := os.Open(filepath.Dir(s.PolicyFile)); err == nil {
			d.Sync()
			d.Close()
		}
	}
	return nil
}

// WhatIf reports how many codes a policy would change at an instant, by
// region, without applying it.
func (s *Service) WhatIf(ctx context.Context, src []byte, at time.Time) (risk.Report, error) {
	proposed, err := risk.Parse("proposed policy", src)
	if err != nil {
		return risk.Report{}, err
	}
	current := s.engine.Policy()
	old, err := Load(ctx, s.store, current.Rules(), at, s.workers)
	if err != nil {
		return risk.Report{}, err
	}
	next := old
	if proposed.Rules() != current.Rules() {
		if next, err = Load(ctx, s.store, proposed.Rules(), at, s.workers); err != nil {
			return risk.Report{}, err
		}
	}
	return WhatIf(ctx, s.store, old, next, current, proposed)
}
