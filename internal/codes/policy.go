package codes

import (
	"context"
	"sync"

	"outbreak/internal/errs"
	"outbreak/internal/risk"
)

// policies reads the running policy from the store, compiling each one
// once: every replica runs the policy that was set last, wherever it was
// set.
type policies struct {
	store CodeStore
	def   *risk.Policy

	mu   sync.Mutex
	hash string
	p    *risk.Policy
}

func newPolicies(s CodeStore) *policies { return &policies{store: s, def: risk.Default()} }

// current returns the running policy: the one set last, or the built-in
// one when none was.
func (ps *policies) current(ctx context.Context) (*risk.Policy, error) {
	src, hash, err := ps.store.Policy(ctx)
	if errs.Is(err, errs.NotFound) {
		return ps.def, nil
	}
	if err != nil {
		return nil, err
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if hash == ps.hash {
		return ps.p, nil
	}
	p, err := risk.Parse("policy.yaml", src)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "the stored policy "+hash+" does not compile")
	}
	ps.hash, ps.p = hash, p
	return p, nil
}

// set compiles a policy and, when it compiles, stores it as the running
// one; the keeper computes every code again when it reads the change. A
// policy that does not compile is refused with the position of the fault.
func (ps *policies) set(ctx context.Context, src []byte) (*risk.Policy, error) {
	p, err := risk.Parse("policy.yaml", src)
	if err != nil {
		return nil, err
	}
	return p, ps.store.SavePolicy(ctx, src, p.Hash())
}
