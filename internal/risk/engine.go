package risk

import (
	"sync/atomic"
	"time"
)

// Engine holds the running policy and swaps it for a new one atomically.
// It is safe for concurrent use: an evaluation in flight keeps the policy it
// started with.
type Engine struct {
	policy atomic.Pointer[Policy]
}

// NewEngine returns an engine running p (nil: the built-in policy).
func NewEngine(p *Policy) *Engine {
	if p == nil {
		p = Default()
	}
	e := &Engine{}
	e.policy.Store(p)
	return e
}

// Load compiles a policy file and makes it the running policy. When the
// file is refused (an errs.Invalid error, as from Parse) the running policy
// stays.
func (e *Engine) Load(name string, data []byte) error {
	p, err := Parse(name, data)
	if err != nil {
		return err
	}
	e.policy.Store(p)
	return nil
}

// Policy returns the running policy.
func (e *Engine) Policy() *Policy { return e.policy.Load() }

// Evaluate computes a code under the running policy; see Policy.Evaluate.
func (e *Engine) Evaluate(f *Facts, now time.Time) (Code, error) {
	return e.Policy().Evaluate(f, now)
}
