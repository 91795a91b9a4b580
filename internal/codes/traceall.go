package codes

import (
	"context"
	"time"

	"outbreak/internal/cases"
	"outbreak/internal/trace"
)

// TraceAll traces every case known at now on workers goroutines and calls
// fn with the exposures to each case person, sorted, a few people's at a
// time however many cases there are. It returns the cases known at now.
func TraceAll(ctx context.Context, s Records, rules trace.Rules, now time.Time, workers int,
	fn func(casePerson string, es []trace.Exposure) error) ([]cases.Case, error) {
	known, err := KnownCases(ctx, s, now)
	if err != nil {
		return nil, err
	}
	idx, err := s.TraceIndex(ctx, rules.DefaultDwell)
	if err != nil {
		return nil, err
	}
	return known, trace.Each(ctx, idx, rules, now, known, known, workers, func(cp string, es []trace.Exposure, _ time.Time) error {
		trace.SortExposures(es)
		return fn(cp, es)
	})
}

// Chains traces every case known at now and returns the clusters of cases
// linked by exposures.
func Chains(ctx context.Context, s Records, rules trace.Rules, now time.Time, workers int) ([]trace.Cluster, error) {
	cs, err := KnownCases(ctx, s, now)
	if err != nil {
		return nil, err
	}
	isCase := map[string]bool{}
	for _, c := range cs {
		isCase[c.Person] = true
	}
	var among []trace.Exposure
	known, err := TraceAll(ctx, s, rules, now, workers, func(_ string, es []trace.Exposure) error {
		for _, e := range es {
			if isCase[e.Person] {
				among = append(among, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	trace.SortExposures(among)
	return trace.Chains(known, among), nil
}
