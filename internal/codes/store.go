// Package codes keeps every resident's health code: it gathers what is
// known about residents at an instant from the store, traces the cases,
// evaluates the policy, and keeps the codes current as facts change and time
// passes.
package codes

import (
	"context"
	"time"

	"outbreak/internal/approval"
	"outbreak/internal/cases"
	"outbreak/internal/lab"
	"outbreak/internal/place"
	"outbreak/internal/record"
	"outbreak/internal/trace"
	"outbreak/internal/visit"
)

// Store is what codes read from the records.
type Store interface {
	Case(ctx context.Context, id string) (cases.Case, error)
	Cases(ctx context.Context, f cases.Filter) ([]cases.Case, string, error)
	Stays(ctx context.Context, f visit.Filter) ([]visit.Stay, string, error)
	Results(ctx context.Context, f lab.Filter) ([]lab.Result, string, error)
	Declarations(ctx context.Context, f lab.Filter) ([]lab.Declaration, string, error)
	Appeals(ctx context.Context, f approval.Filter) ([]approval.Appeal, string, error)
	Regions(ctx context.Context, f place.Filter) ([]place.Region, string, error)
	Levels(ctx context.Context, region string) ([]place.Level, error)
	// TraceIndex returns an index over the visits stored now.
	TraceIndex(ctx context.Context, defaultDwell time.Duration) (trace.Source, error)
	// EachResident calls fn with every resident's ID and home region, in
	// ID order.
	EachResident(ctx context.Context, fn func(id, homeRegion string) error) error
}

// pageSize is how many records a full read asks for at a time.
const pageSize = 10000

// all reads every page of a list.
func all[T any](ctx context.Context, list func(context.Context, record.Page) ([]T, string, error)) ([]T, error) {
	var out []T
	p := record.Page{Limit: pageSize}
	for {
		items, next, err := list(ctx, p)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			return out, nil
		}
		p.After = next
	}
}

// AllCases returns every case stored.
func AllCases(ctx context.Context, s Store) ([]cases.Case, error) {
	return all(ctx, func(ctx context.Context, p record.Page) ([]cases.Case, string, error) {
		return s.Cases(ctx, cases.Filter{Page: p})
	})
}

// KnownCases returns every case known at now, as known then.
func KnownCases(ctx context.Context, s Store, now time.Time) ([]cases.Case, error) {
	cs, err := AllCases(ctx, s)
	return trace.Known(cs, now), err
}

// Exposures traces every case known at now.
func Exposures(ctx context.Context, s Store, rules trace.Rules, now time.Time, workers int) ([]trace.Exposure, []cases.Case, error) {
	known, err := KnownCases(ctx, s, now)
	if err != nil {
		return nil, nil, err
	}
	idx, err := s.TraceIndex(ctx, rules.DefaultDwell)
	if err != nil {
		return nil, nil, err
	}
	es, err := trace.Run(ctx, idx, rules, now, known, known, workers)
	return es, known, err
}

// LoadRegions reads the region tree and every risk level.
func LoadRegions(ctx context.Context, s Store) (*trace.Regions, []place.Level, error) {
	regions, err := all(ctx, func(ctx context.Context, p record.Page) ([]place.Region, string, error) {
		return s.Regions(ctx, place.Filter{Page: p})
	})
	if err != nil {
		return nil, nil, err
	}
	var levels []place.Level
	for _, r := range regions {
		ls, err := s.Levels(ctx, r.ID)
		if err != nil {
			return nil, nil, err
		}
		levels = append(levels, ls...)
	}
	return trace.NewRegions(regions, levels), levels, nil
}
