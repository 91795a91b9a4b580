package codes

import (
	"context"
	"encoding/json"
	"time"

	"outbreak/internal/cases"
	"outbreak/internal/errs"
	"outbreak/internal/risk"
	"outbreak/internal/trace"
)

// Service is what the API offers about health codes. It answers from the
// store, so every replica answers the same whichever keeps the codes.
type Service struct {
	store   Store
	keeper  *Keeper
	pol     *policies
	workers int
}

// NewService returns the service of a store; keeper, this process's keeper,
// serves Sync.
func NewService(store Store, keeper *Keeper, workers int) *Service {
	return &Service{store: store, keeper: keeper, pol: newPolicies(store), workers: max(1, workers)}
}

// Code returns a resident's stored code; a resident without one is green
// with no reasons as of the keeper's position. Before the codes were ever
// computed it is Unavailable.
func (s *Service) Code(ctx context.Context, person string) (Stored, error) {
	c, err := s.store.StoredCode(ctx, person)
	if !errs.Is(err, errs.NotFound) {
		return c, err
	}
	pos, err := s.store.Position(ctx, Consumer)
	if err != nil {
		return Stored{}, err
	}
	if pos.At.IsZero() {
		return Stored{}, errs.E(errs.Unavailable, "health codes have not been computed yet; try again shortly")
	}
	return Stored{Code: greenCode(person), AsOf: pos.At, Seq: pos.Seq}, nil
}

// Chains returns the clusters of linked cases as the keeper last stored
// them.
func (s *Service) Chains(ctx context.Context) ([]trace.Cluster, error) {
	body, _, err := s.store.Derived(ctx, ChainsName)
	if errs.Is(err, errs.NotFound) {
		return nil, errs.E(errs.Unavailable, "health codes have not been computed yet; try again shortly")
	}
	if err != nil {
		return nil, err
	}
	var cs []trace.Cluster
	return cs, json.Unmarshal(body, &cs)
}

// Exposures traces one case as of at: every exposure, not only the latest
// per person that codes keep, sorted by person, case, degree, via, place
// and start.
func (s *Service) Exposures(ctx context.Context, caseID string, at time.Time) ([]trace.Exposure, error) {
	c, err := s.store.Case(ctx, caseID)
	if err != nil {
		return nil, err
	}
	known, err := KnownCases(ctx, s.store, at)
	if err != nil {
		return nil, err
	}
	policy, err := s.pol.current(ctx)
	if err != nil {
		return nil, err
	}
	rules := policy.Rules()
	idx, err := s.store.TraceIndex(ctx, rules.DefaultDwell)
	if err != nil {
		return nil, err
	}
	es, err := trace.Run(ctx, idx, rules, at, known, trace.Known([]cases.Case{c}, at), s.workers)
	if es == nil {
		es = []trace.Exposure{}
	}
	return es, err
}

// Policy returns the running policy.
func (s *Service) Policy(ctx context.Context) (*risk.Policy, error) { return s.pol.current(ctx) }

// SetPolicy compiles a policy and, when it compiles, stores it as the
// running one: the keeper computes every code again. A policy that does
// not compile is refused with the position of the fault (Invalid) and the
// running one stays.
func (s *Service) SetPolicy(ctx context.Context, src []byte) (*risk.Policy, error) {
	return s.pol.set(ctx, src)
}

// WhatIf reports how many codes a policy would change at an instant, by
// region, without applying it.
func (s *Service) WhatIf(ctx context.Context, src []byte, at time.Time) (risk.Report, error) {
	proposed, err := risk.Parse("proposed policy", src)
	if err != nil {
		return risk.Report{}, err
	}
	current, err := s.pol.current(ctx)
	if err != nil {
		return risk.Report{}, err
	}
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

// Status is how far the stored codes follow the feed.
type Status struct {
	// Position is the keeper's: the last change applied, and the instant
	// the codes were computed for.
	Position Position `json:"position"`
	// Head is the last change committed; Behind counts the changes not
	// yet applied.
	Head   int64 `json:"head"`
	Behind int64 `json:"behind"`
	// Keeper names the process that holds the keeper's lease, "" for
	// none.
	Keeper string `json:"keeper"`
}

// Status reports how far the stored codes follow the feed.
func (s *Service) Status(ctx context.Context) (Status, error) {
	pos, err := s.store.Position(ctx, Consumer)
	if err != nil {
		return Status{}, err
	}
	head, err := s.store.Head(ctx)
	if err != nil {
		return Status{}, err
	}
	holder, err := s.store.LeaseHolder(ctx, LeaseName)
	return Status{Position: pos, Head: head, Behind: max(0, head-pos.Seq), Keeper: holder}, err
}

// Sync returns once the stored codes reflect every change committed before
// the call (see Keeper.Sync).
func (s *Service) Sync(ctx context.Context) error {
	if s.keeper == nil {
		return errs.E(errs.Unavailable, "this process runs no keeper")
	}
	return s.keeper.Sync(ctx)
}

// CodeChangesSince returns at most limit changes of the code-change log
// after seq, in order.
func (s *Service) CodeChangesSince(ctx context.Context, seq int64, limit int) ([]Change, error) {
	return s.store.CodeChangesSince(ctx, seq, limit)
}
