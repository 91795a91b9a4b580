package trace

import (
	"context"
	"math"
	"slices"
)

// Sources are what the secondary exposures to a case come from, as a
// whole trace of it found them: its close contacts, with the start of each
// one's first exposure, and their visits that begin within their secondary
// window, by place. While the close contacts stay as they were, following
// the changed visits (Follow) keeps the sources current, and TraceSome
// traces some people against them reading nothing but their own visits.
type Sources struct {
	Case    Case
	firstAt map[int64]int64
	byPlace map[int64][]Visit
	window  int64
	lo      int64 // the first close contact's first exposure
}

func newSources(c Case, firstAt map[int64]int64, rules Rules) *Sources {
	s := &Sources{Case: c, firstAt: firstAt, byPlace: map[int64][]Visit{}, window: rules.SecondaryWindow.Microseconds(), lo: math.MaxInt64}
	for _, fs := range firstAt {
		s.lo = min(s.lo, fs)
	}
	return s
}

// Close reports whether a person is a close contact of the case.
func (s *Sources) Close(person int64) bool {
	_, ok := s.firstAt[person]
	return ok
}

// add puts a close contact's visit within their window among the sources,
// in place of the same visit (person, place, check-in) as it was.
func (s *Sources) add(v Visit) {
	vs := s.byPlace[v.Place]
	for i := range vs {
		if vs[i].Person == v.Person && vs[i].In == v.In {
			vs[i] = v
			return
		}
	}
	s.byPlace[v.Place] = append(vs, v)
}

// Follow puts visits stored or changed since the sources were traced among
// them where they are a close contact's within their window.
func (s *Sources) Follow(vs []Visit) {
	for _, v := range vs {
		if fs, ok := s.firstAt[v.Person]; ok && v.In >= fs && v.In < fs+s.window {
			s.add(v)
		}
	}
}

// Sources returns the sources the last Trace kept, if asked to keep them.
func (t *Tracer) Sources() *Sources { return t.src }

// TraceSome returns the secondary exposures to the case of src of some
// people, as a whole trace finds them, from each one's own visits and the
// close contacts' visits at the same places, and notes when they may
// change by time alone (Next's Visits). It leaves out the case's person and
// its close contacts, whose exposures to it only a whole trace changes.
// When a change leaves the close contacts and their first exposures as
// they were, only the people whose visits meet a changed visit can have
// other exposures, and tracing them alone gives what tracing the whole
// case would.
func (t *Tracer) TraceSome(ctx context.Context, src *Sources, people []int64) ([]Contact, error) {
	t.horizon, t.dues = 0, t.dues[:0]
	var out []Contact
	if len(src.firstAt) == 0 {
		return nil, nil
	}
	var err error
	for _, x := range people {
		if x == src.Case.Person || src.Close(x) {
			continue
		}
		if t.c, err = t.idx.PersonVisits(ctx, x, src.lo, t.now+1, t.c[:0]); err != nil {
			return nil, err
		}
		for _, w := range t.c {
			ws, we, wnext, ok := t.interval(w)
			if !ok {
				continue // followed when it begins
			}
			for _, v := range src.byPlace[w.Place] {
				vs, ve, ok := t.source(v, math.MinInt64, math.MaxInt64, false)
				if !ok || w.In > ve || ws > ve || we < vs {
					continue
				}
				t.mark(w, wnext, false)
				base := Contact{Case: src.Case.Person, Via: v.Person, Place: w.Place, Degree: 2}
				if e, ok := t.meet(base, vs, ve, w, ws, we); ok {
					out = append(out, e)
				}
			}
		}
	}
	return sortContacts(out), nil
}

// Some asks to trace again only some people's secondary exposures to a case
// person, against the sources its last whole trace kept.
type Some struct {
	People  []int64
	Sources *Sources
}

// Traced is what tracing a case person gave.
type Traced struct {
	Person   int64     // the case person's key
	Contacts []Contact // the latest per person and degree, sorted
	Next     Next
	// Whole says whether these are all the exposures to the case person,
	// with its sources (one per case of theirs); else only those of
	// People, the people of Some who are neither the case person nor
	// close contacts.
	Whole   bool
	Sources []*Sources
	People  []int64
}

// people returns those of some whose exposures TraceSome gives.
func (s Some) people() []int64 {
	return slices.DeleteFunc(slices.Clone(s.People), func(p int64) bool { return p == s.Sources.Case.Person || s.Sources.Close(p) })
}
