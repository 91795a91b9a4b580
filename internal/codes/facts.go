package codes

import (
	"context"
	"time"

	"outbreak/internal/approval"
	"outbreak/internal/cases"
	"outbreak/internal/lab"
	"outbreak/internal/record"
	"outbreak/internal/risk"
	"outbreak/internal/trace"
	"outbreak/internal/visit"
)

// factSet collects residents' facts as known at now, by person.
type factSet struct {
	now     time.Time
	rules   trace.Rules
	regions *trace.Regions
	m       map[string]*risk.Facts
}

func newFactSet(now time.Time, rules trace.Rules, regions *trace.Regions) *factSet {
	return &factSet{now: now, rules: rules, regions: regions, m: map[string]*risk.Facts{}}
}

func (f *factSet) of(person string) *risk.Facts {
	x := f.m[person]
	if x == nil {
		x = &risk.Facts{Person: person}
		f.m[person] = x
	}
	return x
}

// addExposures files exposures under the exposed person.
func (f *factSet) addExposures(es []trace.Exposure) {
	for _, e := range es {
		x := f.of(e.Person)
		x.Exposures = append(x.Exposures, e)
	}
}

// read gathers cases, stays, test results and declarations known at now,
// of one person or, for "", of everyone.
func (f *factSet) read(ctx context.Context, s Store, person string) error {
	// The list bounds are [From, To): a record at now is known.
	to := f.now.Add(time.Microsecond)
	cs, err := all(ctx, func(ctx context.Context, p record.Page) ([]cases.Case, string, error) {
		return s.Cases(ctx, cases.Filter{Person: person, Page: p})
	})
	if err != nil {
		return err
	}
	for _, c := range trace.Known(cs, f.now) {
		x := f.of(c.Person)
		x.Cases = append(x.Cases, c)
	}
	stays, err := all(ctx, func(ctx context.Context, p record.Page) ([]visit.Stay, string, error) {
		return s.Stays(ctx, visit.Filter{Person: person, To: to, Page: p})
	})
	if err != nil {
		return err
	}
	for _, st := range stays {
		if rs := f.regions.Stays(st, f.rules, f.now); len(rs) > 0 {
			x := f.of(st.Person)
			x.Stays = append(x.Stays, rs...)
		}
	}
	results, err := all(ctx, func(ctx context.Context, p record.Page) ([]lab.Result, string, error) {
		return s.Results(ctx, lab.Filter{Person: person, To: to, Page: p})
	})
	if err != nil {
		return err
	}
	for _, r := range results {
		x := f.of(r.Person)
		x.Tests = append(x.Tests, r)
	}
	decls, err := all(ctx, func(ctx context.Context, p record.Page) ([]lab.Declaration, string, error) {
		return s.Declarations(ctx, lab.Filter{Person: person, To: to, Page: p})
	})
	if err != nil {
		return err
	}
	for _, d := range decls {
		x := f.of(d.Person)
		x.Declarations = append(x.Declarations, d)
	}
	appeals, err := all(ctx, func(ctx context.Context, p record.Page) ([]approval.Appeal, string, error) {
		return s.Appeals(ctx, approval.Filter{Person: person, Status: approval.Approved, Page: p})
	})
	if err != nil {
		return err
	}
	for _, a := range appeals {
		if !a.Decided.After(f.now) {
			x := f.of(a.Person)
			x.Appeals = append(x.Appeals, risk.Appeal{ID: a.ID, Color: a.Color, Approved: a.Decided, Expires: a.Expires})
		}
	}
	return nil
}
