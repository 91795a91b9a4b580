// Package codes keeps every resident's health code. A snapshot (Load)
// computes codes afresh at any instant; the keeper follows the store's
// change feed and the passage of time, and stores the codes, the log of
// their color changes and its own position, so that a restarted server or
// another replica answers at once from what is stored.
package codes

import (
	"context"
	"time"

	"outbreak/internal/approval"
	"outbreak/internal/cases"
	"outbreak/internal/feed"
	"outbreak/internal/lab"
	"outbreak/internal/place"
	"outbreak/internal/record"
	"outbreak/internal/trace"
	"outbreak/internal/visit"
)

// Records is what codes read of the records.
type Records interface {
	Case(ctx context.Context, id string) (cases.Case, error)
	Cases(ctx context.Context, f cases.Filter) ([]cases.Case, string, error)
	Stays(ctx context.Context, f visit.Filter) ([]visit.Stay, string, error)
	Results(ctx context.Context, f lab.Filter) ([]lab.Result, string, error)
	Declarations(ctx context.Context, f lab.Filter) ([]lab.Declaration, string, error)
	Appeal(ctx context.Context, id string) (approval.Appeal, error)
	Appeals(ctx context.Context, f approval.Filter) ([]approval.Appeal, string, error)
	Regions(ctx context.Context, f place.Filter) ([]place.Region, string, error)
	Levels(ctx context.Context, region string) ([]place.Level, error)
	// TraceIndex returns an index over the visits stored now.
	TraceIndex(ctx context.Context, defaultDwell time.Duration) (Index, error)
	// EachResident calls fn with every resident's ID and home region, in
	// ID order.
	EachResident(ctx context.Context, fn func(id, homeRegion string) error) error
}

// Store is what the keeper needs of the store: the records, the change
// feed and where derived state is kept.
type Store interface {
	Records
	feed.Reader
	CodeStore
}

// Index is a trace index that the keeper keeps from one step to the next.
type Index interface {
	trace.Source
	// Refresh makes the index see what was committed since it was made:
	// new days and longer visits, and the given visits, as stored now;
	// with places, every place's default dwell. It must not run while the
	// index is in use.
	Refresh(ctx context.Context, visits []trace.Visit, places bool) error
	// VisitsBetween returns the visits of a day (YYYYMMDD) whose IDs are
	// in [lo, hi].
	VisitsBetween(ctx context.Context, day string, lo, hi int64) ([]trace.Visit, error)
	// VisitsAfter returns the visits that check in after t.
	VisitsAfter(ctx context.Context, t time.Time) ([]trace.Visit, error)
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
func AllCases(ctx context.Context, s Records) ([]cases.Case, error) {
	return all(ctx, func(ctx context.Context, p record.Page) ([]cases.Case, string, error) {
		return s.Cases(ctx, cases.Filter{Page: p})
	})
}

// KnownCases returns every case known at now, as known then.
func KnownCases(ctx context.Context, s Records, now time.Time) ([]cases.Case, error) {
	cs, err := AllCases(ctx, s)
	return trace.Known(cs, now), err
}

// LoadRegions reads the region tree and every risk level.
func LoadRegions(ctx context.Context, s Records) ([]place.Region, []place.Level, error) {
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
	return regions, levels, nil
}
