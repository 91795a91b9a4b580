package trace

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// Visit is a check-in as tracing reads it from an index: person and place by
// the store's integer keys, instants in microseconds since the epoch.
type Visit struct {
	Person, Place int64
	In            int64
	Out           int64 // the check-out, or -1 if none
	Dwell         int64 // the place's default dwell, 0 if it has none
}

// Index finds visits by person and by place. Both methods append to dst the
// visits that may reach into [from, to): every visit whose check-in is
// before to and that lasts past from must be among them; others may be too,
// since the tracer checks each interval itself.
type Index interface {
	PersonVisits(ctx context.Context, person, from, to int64, dst []Visit) ([]Visit, error)
	PlaceVisits(ctx context.Context, place, from, to int64, dst []Visit) ([]Visit, error)
}

// Case is a confirmed case as the tracer sees it. A zero Isolated means not
// isolated (yet).
type Case struct {
	Person   int64
	Onset    time.Time
	Isolated time.Time
}

// Contact is one exposure as the tracer finds it, in store keys; Via is 0
// for degree 1.
type Contact struct {
	Person, Case, Via, Place int64
	Degree                   int
	Start, End               int64
}

// Tracer traces cases as known at one instant. It is not safe for
// concurrent use; make one per goroutine.
type Tracer struct {
	idx   Index
	rules Rules
	now   int64
	// onsets holds, per person who is a case known at now, the earliest
	// onset minus BeforeOnset: from then on they are nobody's contact.
	onsets  map[int64]int64
	a, b, c []Visit
	// horizon is the first instant after now at which a visit the last
	// Trace read is known differently (it begins, or its end is known
	// further): the exposures may change then, without a new record.
	horizon int64
}

// NewTracer returns a tracer over idx for the instant now. cases are all
// cases known at now (onset not after it); the tracer uses them to drop
// exposures of people who were already infectious themselves.
func NewTracer(idx Index, rules Rules, now time.Time, cases []Case) *Tracer {
	t := &Tracer{idx: idx, rules: rules, now: now.UnixMicro(), onsets: map[int64]int64{}}
	for _, c := range cases {
		from := c.Onset.Add(-rules.BeforeOnset).UnixMicro()
		if cur, ok := t.onsets[c.Person]; !ok || from < cur {
			t.onsets[c.Person] = from
		}
	}
	return t
}

// interval returns a visit's interval as known at now: a check-out after now
// is not known yet, so the default dwell applies, and nothing after now is
// known. ok is false for a visit that begins after now.
func (t *Tracer) interval(v Visit) (start, end int64, ok bool) {
	if v.In > t.now {
		t.later(v.In)
		return 0, 0, false
	}
	dwell := v.Dwell
	if dwell <= 0 {
		dwell = t.rules.DefaultDwell.Microseconds()
	}
	end = v.Out
	if end < 0 || end > t.now {
		end = v.In + dwell
		t.later(end)
		if v.Out > t.now {
			t.later(v.Out)
		}
	}
	return v.In, min(end, t.now), true
}

// later lowers the horizon to an instant after now.
func (t *Tracer) later(at int64) {
	if at > t.now && (t.horizon == 0 || at < t.horizon) {
		t.horizon = at
	}
}

// growing notes an overlap [s, e) that is too short now but may reach
// MinOverlap later: one that ends at now lasts as long as its visits do.
func (t *Tracer) growing(s, e int64) {
	if e == t.now {
		t.later(s + t.rules.MinOverlap.Microseconds())
	}
}

// Horizon returns when the exposures the last Trace found may change by the
// passing of time alone (a visit under way ends, one dated later begins),
// or zero if never.
func (t *Tracer) Horizon() time.Time {
	if t.horizon == 0 {
		return time.Time{}
	}
	return time.UnixMicro(t.horizon).UTC()
}

// counts reports whether someone is a contact for an exposure beginning at
// start: not a case who was infectious by then.
func (t *Tracer) counts(person, start int64) bool {
	from, isCase := t.onsets[person]
	return !isCase || start < from
}

// overlaps appends to out an exposure of each other person at place whose
// visit overlaps [start, end) by at least MinOverlap; skip says whom to leave
// out.
func (t *Tracer) overlaps(ctx context.Context, out []Contact, base Contact, start, end int64, buf *[]Visit, skip func(int64) bool) ([]Contact, error) {
	vs, err := t.idx.PlaceVisits(ctx, base.Place, start, end, (*buf)[:0])
	*buf = vs
	if err != nil {
		return out, err
	}
	minOv := t.rules.MinOverlap.Microseconds()
	for _, w := range vs {
		if skip(w.Person) {
			continue
		}
		ws, we, ok := t.interval(w)
		if !ok {
			continue
		}
		s, e := max(start, ws), min(end, we)
		if e-s < minOv {
			t.growing(s, e)
			continue
		}
		if !t.counts(w.Person, s) {
			continue
		}
		c := base
		c.Person, c.Start, c.End = w.Person, s, e
		out = append(out, c)
	}
	return out, nil
}

// Trace returns the exposures to one case, degree 1 and degree 2, sorted and
// without duplicates.
func (t *Tracer) Trace(ctx context.Context, c Case) ([]Contact, error) {
	t.horizon = 0
	if c.Onset.UnixMicro() > t.now {
		return nil, nil
	}
	from := c.Onset.Add(-t.rules.BeforeOnset).UnixMicro()
	to := t.now
	if !c.Isolated.IsZero() && c.Isolated.UnixMicro() < to {
		to = c.Isolated.UnixMicro()
	}
	minOv := t.rules.MinOverlap.Microseconds()
	if to-from < minOv {
		t.growing(from, to)
		return nil, nil
	}
	var err error
	if t.a, err = t.idx.PersonVisits(ctx, c.Person, from, to, t.a[:0]); err != nil {
		return nil, err
	}
	notCase := func(p int64) bool { return p == c.Person }
	var first []Contact
	for _, v := range t.a {
		vs, ve, ok := t.interval(v)
		vs, ve = max(vs, from), min(ve, to)
		if !ok || ve-vs < minOv {
			if ok {
				t.growing(vs, ve)
			}
			continue
		}
		base := Contact{Case: c.Person, Place: v.Place, Degree: 1}
		if first, err = t.overlaps(ctx, first, base, vs, ve, &t.b, notCase); err != nil {
			return nil, err
		}
	}
	// Each close contact's visits that begin within SecondaryWindow of
	// their first exposure to the case.
	firstAt := map[int64]int64{}
	for _, e := range first {
		if s, ok := firstAt[e.Person]; !ok || e.Start < s {
			firstAt[e.Person] = e.Start
		}
	}
	skip := func(p int64) bool {
		_, close := firstAt[p]
		return close || p == c.Person
	}
	second := first
	for _, d := range sortedKeys(firstAt) {
		fs := firstAt[d]
		fe := fs + t.rules.SecondaryWindow.Microseconds()
		if t.c, err = t.idx.PersonVisits(ctx, d, fs, fe, t.c[:0]); err != nil {
			return nil, err
		}
		for _, v := range t.c {
			if v.In < fs || v.In >= fe {
				continue
			}
			vs, ve, ok := t.interval(v)
			if !ok || ve-vs < minOv {
				if ok {
					t.growing(vs, ve)
				}
				continue
			}
			base := Contact{Case: c.Person, Via: d, Place: v.Place, Degree: 2}
			if second, err = t.overlaps(ctx, second, base, vs, ve, &t.b, skip); err != nil {
				return nil, err
			}
		}
	}
	return sortContacts(second), nil
}

func sortedKeys(m map[int64]int64) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sortContacts sorts contacts and drops repeats.
func sortContacts(cs []Contact) []Contact {
	slices.SortFunc(cs, compareContacts)
	return slices.Compact(cs)
}

// compareContacts orders contacts by case, person, degree, via, place, start
// and end, looking no further than it must: sorting a large case's tens of
// thousands of contacts is a good part of tracing it.
func compareContacts(a, b Contact) int {
	switch {
	case a.Case != b.Case:
		return cmp.Compare(a.Case, b.Case)
	case a.Person != b.Person:
		return cmp.Compare(a.Person, b.Person)
	case a.Degree != b.Degree:
		return cmp.Compare(a.Degree, b.Degree)
	case a.Via != b.Via:
		return cmp.Compare(a.Via, b.Via)
	case a.Place != b.Place:
		return cmp.Compare(a.Place, b.Place)
	case a.Start != b.Start:
		return cmp.Compare(a.Start, b.Start)
	}
	return cmp.Compare(a.End, b.End)
}
