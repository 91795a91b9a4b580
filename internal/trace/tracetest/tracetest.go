// Package tracetest makes small random cities that hit the edges of the
// tracing rules, and traces them by brute force: every pair of visits, the
// rules read literally. Tests compare the engine, on every index, with it.
package tracetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"outbreak/internal/cases"
	"outbreak/internal/errs"
	"outbreak/internal/person"
	"outbreak/internal/place"
	"outbreak/internal/record"
	"outbreak/internal/trace"
	"outbreak/internal/visit"
)

// City is a small world to trace, as of Now.
type City struct {
	Region    place.Region
	Places    []place.Place
	Residents []person.Resident
	Visits    []visit.Visit
	Cases     []cases.Case
	Now       time.Time
}

// T0 is when random cities begin.
var T0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// Random returns a city made from seed: few places and people so that visits
// overlap often, times on a five-minute grid so that overlaps of exactly the
// minimum happen, visits without check-out, visits that cross days and the
// window's edges, and cases who are contacts of other cases.
func Random(seed uint64) City {
	rng := rand.New(rand.NewPCG(seed, 0x7ace))
	c := City{Region: place.Region{ID: "r", Name: "R", Kind: "country"}}
	dwells := []time.Duration{0, 0, 15 * time.Minute, 45 * time.Minute, 2 * time.Hour}
	for i := range 2 + rng.IntN(3) {
		c.Places = append(c.Places, place.Place{ID: fmt.Sprintf("v%d", i), Name: "V", Region: "r", Category: "shop",
			DefaultDwell: record.Duration(dwells[rng.IntN(len(dwells))])})
	}
	people := 5 + rng.IntN(15)
	for i := range people {
		c.Residents = append(c.Residents, person.Resident{ID: fmt.Sprintf("p%02d", i), Language: "en", TimeZone: "UTC", HomeRegion: "r"})
	}
	const days = 4
	slot := func() time.Time { return T0.Add(time.Duration(rng.IntN(days*24*12)) * 5 * time.Minute) }
	lengths := []time.Duration{0, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 20 * time.Minute, 30 * time.Minute,
		time.Hour, 3 * time.Hour, 26 * time.Hour, 3 * 24 * time.Hour}
	// A visit is known by its person, place and check-in: a city has at
	// most one of each.
	seen := map[[2]string]bool{}
	for range 20 + rng.IntN(60) {
		v := visit.Visit{Person: c.Residents[rng.IntN(people)].ID, Place: c.Places[rng.IntN(len(c.Places))].ID, CheckIn: slot()}
		if rng.IntN(10) >= 3 {
			v.CheckOut = v.CheckIn.Add(lengths[rng.IntN(len(lengths))])
		}
		if k := [2]string{v.Person + " " + v.Place, v.CheckIn.String()}; !seen[k] {
			seen[k] = true
			c.Visits = append(c.Visits, v)
		}
	}
	for i := range 1 + rng.IntN(4) {
		k := cases.Case{ID: fmt.Sprintf("c%d", i), Person: c.Residents[rng.IntN(people)].ID, Onset: slot()}
		switch rng.IntN(4) {
		case 0, 1:
			k.Isolated = k.Onset.Add(time.Duration(rng.IntN(48*12)) * 5 * time.Minute)
		case 2:
			k.Isolated = k.Onset.Add(-time.Duration(rng.IntN(72*12)) * 5 * time.Minute)
		}
		c.Cases = append(c.Cases, k)
	}
	c.Now = T0.Add(days * 24 * time.Hour)
	if rng.IntN(3) == 0 {
		c.Now = slot()
	}
	return c
}

// Oracle traces every case of a city known at its Now by comparing every
// pair of visits, following the rules as written.
func Oracle(c City, rules trace.Rules) []trace.Exposure {
	dwell := map[string]time.Duration{}
	for _, p := range c.Places {
		dwell[p.ID] = time.Duration(p.DefaultDwell)
	}
	type span struct {
		person, place string
		in, end       time.Time
	}
	var known []span
	for _, v := range c.Visits {
		if v.CheckIn.After(c.Now) {
			continue
		}
		end := v.CheckOut
		if end.IsZero() || end.After(c.Now) {
			d := dwell[v.Place]
			if d == 0 {
				d = rules.DefaultDwell
			}
			end = v.CheckIn.Add(d)
		}
		if end.After(c.Now) {
			end = c.Now
		}
		known = append(known, span{v.Person, v.Place, v.CheckIn, end})
	}
	infectious := map[string]time.Time{} // from then on, not a contact
	cs := trace.Known(c.Cases, c.Now)
	for _, k := range cs {
		from := k.Onset.Add(-rules.BeforeOnset)
		if t, ok := infectious[k.Person]; !ok || from.Before(t) {
			infectious[k.Person] = from
		}
	}
	counts := func(p string, start time.Time) bool {
		t, ok := infectious[p]
		return !ok || start.Before(t)
	}
	overlap := func(as, ae, bs, be time.Time) (time.Time, time.Time, bool) {
		s, e := later(as, bs), earlier(ae, be)
		return s, e, e.Sub(s) >= rules.MinOverlap
	}
	var out []trace.Exposure
	for _, k := range cs {
		ws, we := k.Onset.Add(-rules.BeforeOnset), c.Now
		if !k.Isolated.IsZero() {
			we = k.Isolated
		}
		first := map[string]time.Time{}
		var got []trace.Exposure
		for _, v := range known {
			if v.person != k.Person {
				continue
			}
			vs, ve := later(v.in, ws), earlier(v.end, we)
			for _, w := range known {
				if w.place != v.place || w.person == k.Person {
					continue
				}
				if s, e, ok := overlap(vs, ve, w.in, w.end); ok && counts(w.person, s) {
					got = append(got, trace.Exposure{Person: w.person, CasePerson: k.Person, Degree: 1, Place: v.place, Start: s, End: e})
					if f, seen := first[w.person]; !seen || s.Before(f) {
						first[w.person] = s
					}
				}
			}
		}
		for d, f := range first {
			for _, v := range known {
				if v.person != d || v.in.Before(f) || !v.in.Before(f.Add(rules.SecondaryWindow)) {
					continue
				}
				for _, w := range known {
					_, close := first[w.person]
					if w.place != v.place || w.person == k.Person || w.person == d || close {
						continue
					}
					if s, e, ok := overlap(v.in, v.end, w.in, w.end); ok && counts(w.person, s) {
						got = append(got, trace.Exposure{Person: w.person, CasePerson: k.Person, Degree: 2, Via: d, Place: v.place, Start: s, End: e})
					}
				}
			}
		}
		out = append(out, got...)
	}
	for i := range out {
		out[i].Start, out[i].End = out[i].Start.UTC(), out[i].End.UTC()
	}
	trace.SortExposures(out)
	return compact(out)
}

func compact(es []trace.Exposure) []trace.Exposure {
	var out []trace.Exposure
	for i, e := range es {
		if i == 0 || e != es[i-1] {
			out = append(out, e)
		}
	}
	return out
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Index is a trace.Source over a city in memory that scans every visit: the
// engine's answers through it depend only on the engine.
type Index struct {
	visits []trace.Visit
	keys   map[string]int64
	names  map[int64]string
}

// NewIndex returns an index over a city's visits. People have keys from 1,
// places from 1001.
func NewIndex(c City) *Index {
	x := &Index{keys: map[string]int64{}, names: map[int64]string{}}
	dwell := map[int64]int64{}
	for i, r := range c.Residents {
		x.keys["p:"+r.ID], x.names[int64(i+1)] = int64(i+1), r.ID
	}
	for i, p := range c.Places {
		k := int64(1001 + i)
		x.keys["v:"+p.ID], x.names[k] = k, p.ID
		dwell[k] = time.Duration(p.DefaultDwell).Microseconds()
	}
	for _, v := range c.Visits {
		tv := trace.Visit{Person: x.keys["p:"+v.Person], Place: x.keys["v:"+v.Place], In: v.CheckIn.UnixMicro(), Out: -1}
		if !v.CheckOut.IsZero() {
			tv.Out = v.CheckOut.UnixMicro()
		}
		tv.Dwell = dwell[tv.Place]
		x.visits = append(x.visits, tv)
	}
	return x
}

// PersonVisits returns every visit of person that begins before to.
func (x *Index) PersonVisits(_ context.Context, person, _, to int64, dst []trace.Visit) ([]trace.Visit, error) {
	for _, v := range x.visits {
		if v.Person == person && v.In < to {
			dst = append(dst, v)
		}
	}
	return dst, nil
}

// PlaceVisits returns every visit at place that begins before to.
func (x *Index) PlaceVisits(_ context.Context, place, _, to int64, dst []trace.Visit) ([]trace.Visit, error) {
	for _, v := range x.visits {
		if v.Place == place && v.In < to {
			dst = append(dst, v)
		}
	}
	return dst, nil
}

// PersonKey returns a resident's key.
func (x *Index) PersonKey(_ context.Context, id string) (int64, error) {
	if k, ok := x.keys["p:"+id]; ok {
		return k, nil
	}
	return 0, errs.Field("person", "unknown person %q", id)
}

// PlaceKey returns a place's key.
func (x *Index) PlaceKey(_ context.Context, id string) (int64, error) {
	if k, ok := x.keys["v:"+id]; ok {
		return k, nil
	}
	return 0, errs.Field("place", "unknown place %q", id)
}

// Names returns the IDs of residents and places by key.
func (x *Index) Names(_ context.Context, persons, places []int64) (map[int64]string, map[int64]string, error) {
	p, v := map[int64]string{}, map[int64]string{}
	for _, k := range persons {
		p[k] = x.names[k]
	}
	for _, k := range places {
		v[k] = x.names[k]
	}
	return p, v, nil
}
