package supply

import (
	"context"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

// Bounds on how long the solver may search for a plan someone asks for:
// long enough by default for a good plan of a city's day, and never so long
// that one request holds a core for more than a minute.
const (
	DefaultTimeLimit = 2 * time.Second
	MaxTimeLimit     = time.Minute
)

// Planner makes the plans that people ask for, through the API or the
// pages, and saves them as drafts. One planner serves a process: the
// solver takes a core for as long as it may search, so the planner makes
// plans one at a time and turns away a request that comes meanwhile
// instead of queueing it behind a minute of work.
type Planner struct {
	store Store
	now   func() time.Time
	// busy holds a token while a plan is made.
	busy chan struct{}
}

// NewPlanner returns a planner that plans from what st holds and takes
// "now" from now (time.Now when nil): no vehicle leaves before it, and it
// dates the plans.
func NewPlanner(st Store, now func() time.Time) *Planner {
	if now == nil {
		now = time.Now
	}
	return &Planner{store: st, now: now, busy: make(chan struct{}, 1)}
}

// PlanDay plans the deliveries of date (YYYY-MM-DD) from what the store
// holds now, letting the solver search for limit (zero: DefaultTimeLimit)
// from seed, and saves the plan as a draft. The limit and date come from
// users, so they are checked here: Invalid names the field time_limit or
// date, as does a day that cannot be planned (no vehicles, say).
// Unavailable: another plan is being made.
func (p *Planner) PlanDay(ctx context.Context, date string, limit time.Duration, seed uint64) (*Plan, error) {
	switch {
	case limit == 0:
		limit = DefaultTimeLimit
	case limit < 0 || limit > MaxTimeLimit:
		return nil, errs.Field("time_limit", "from 0s to %s, not %s", MaxTimeLimit, record.Duration(limit))
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return nil, errs.Field("date", "not a date like 2026-11-24: %q", date)
	}
	select {
	case p.busy <- struct{}{}:
		defer func() { <-p.busy }()
	default:
		return nil, errs.E(errs.Unavailable, "another plan is being made; try again when it is done")
	}
	plan, err := NewPlan(ctx, p.store, date, record.Instant(p.now()), Options{TimeLimit: limit, Seed: seed})
	if err != nil {
		return nil, err
	}
	if err := p.store.SavePlan(ctx, plan); err != nil {
		return nil, err
	}
	return plan, nil
}
