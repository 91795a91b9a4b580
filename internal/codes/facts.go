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

// factSet collects residents' facts as known at now, by person, and when
// each resident's facts next change by time alone (a record dated later
// becomes known, a stay under way starts to count).
type factSet struct {
	now     time.Time
	rules   trace.Rules
	regions *trace.Regions
	m       map[string]*risk.Facts
	next    map[string]time.Time
}

func newFactSet(now time.Time, rules trace.Rules, regions *trace.Regions) *factSet {
	return &factSet{now: now, rules: rules, regions: regions, m: map[string]*risk.Facts{}, next: map[string]time.Time{}}
}

func (f *factSet) of(person string) *risk.Facts {
	x := f.m[person]
	if x == nil {
		x = &risk.Facts{Person: person}
		f.m[person] = x
	}
	return x
}

// later notes an instant at which a person's facts change; instants not
// after now are ignored.
func (f *factSet) later(person string, ts ...time.Time) {
	for _, t := range ts {
		if t.After(f.now) {
			if cur, ok := f.next[person]; !ok || t.Before(cur) {
				f.next[person] = t
			}
		}
	}
}

// addExposures files exposures under the exposed person.
func (f *factSet) addExposures(es []trace.Exposure) {
	for _, e := range es {
		x := f.of(e.Person)
		x.Exposures = append(x.Exposures, e)
	}
}

// read gathers cases, stays, test results, declarations and approved
// appeals known at now, of one person or, for "", of everyone, and notes
// the instants of those dated later.
func (f *factSet) read(ctx context.Context, s Records, person string) error {
	cs, err := all(ctx, func(ctx context.Context, p record.Page) ([]cases.Case, string, error) {
		return s.Cases(ctx, cases.Filter{Person: person, Page: p})
	})
	if err != nil {
		return err
	}
	for _, c := range cs {
		f.later(c.Person, c.Onset, c.Isolated, c.Released)
	}
	for _, c := range trace.Known(cs, f.now) {
		x := f.of(c.Person)
		x.Cases = append(x.Cases, c)
	}
	stays, err := all(ctx, func(ctx context.Context, p record.Page) ([]visit.Stay, string, error) {
		return s.Stays(ctx, visit.Filter{Person: person, Page: p})
	})
	if err != nil {
		return err
	}
	for _, st := range stays {
		if t := f.regions.Next(st, f.rules, f.now); !t.IsZero() {
			f.later(st.Person, t)
		}
		if rs := f.regions.Stays(st, f.rules, f.now); len(rs) > 0 {
			x := f.of(st.Person)
			x.Stays = append(x.Stays, rs...)
		}
	}
	results, err := all(ctx, func(ctx context.Context, p record.Page) ([]lab.Result, string, error) {
		return s.Results(ctx, lab.Filter{Person: person, Page: p})
	})
	if err != nil {
		return err
	}
	for _, r := range results {
		if r.SpecimenAt.After(f.now) {
			f.later(r.Person, r.SpecimenAt)
			continue
		}
		x := f.of(r.Person)
		x.Tests = append(x.Tests, r)
	}
	decls, err := all(ctx, func(ctx context.Context, p record.Page) ([]lab.Declaration, string, error) {
		return s.Declarations(ctx, lab.Filter{Person: person, Page: p})
	})
	if err != nil {
		return err
	}
	for _, d := range decls {
		if d.DeclaredAt.After(f.now) {
			f.later(d.Person, d.DeclaredAt)
			continue
		}
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
		if a.Decided.After(f.now) {
			f.later(a.Person, a.Decided)
			continue
		}
		x := f.of(a.Person)
		x.Appeals = append(x.Appeals, risk.Appeal{ID: a.ID, Color: a.Color, Approved: a.Decided, Expires: a.Expires})
	}
	return nil
}
