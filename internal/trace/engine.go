package trace

import (
	"cmp"
	"context"
	"math"
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

// is reports whether two cases are the same as the tracer sees them.
func (c Case) is(o Case) bool {
	return c.Person == o.Person && c.Onset.Equal(o.Onset) && c.Isolated.Equal(o.Isolated)
}

// Contact is one exposure as the tracer finds it, in store keys; Via is 0
// for degree 1.
type Contact struct {
	Person, Case, Via, Place int64
	Degree                   int
	Start, End               int64
}

// Due is a visit and an instant after which secondary exposures through
// it may be known differently by the passing of time alone: it begins, its
// end is known further, or an overlap with it grows long enough. Following
// the visit again then, as if it had changed, finds them.
type Due struct {
	Visit Visit
	At    int64
}

// Next says when the exposures a trace found may change by time alone.
type Next struct {
	// At is when the close contacts of a case may change, and with them
	// any exposure to it: trace it again then. Zero means never.
	At time.Time
	// Visits are the visits through which only secondary exposures may
	// change, each with its instant: the people present at such a visit
	// are the only ones whose exposures change then.
	Visits []Due
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
	// horizon is the first instant after now at which the close contacts
	// the last trace found may be known differently; dues are the
	// visits through which its secondary exposures may.
	horizon int64
	dues    []Due
	// keep says whether Trace keeps the sources of secondary exposures
	// (src) for TraceSome.
	keep bool
	src  *Sources
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
// known. next is the first instant after now at which the visit is known
// differently (it begins, or its end is known further), zero if none. ok is
// false for a visit that begins after now.
func (t *Tracer) interval(v Visit) (start, end, next int64, ok bool) {
	if v.In > t.now {
		return 0, 0, v.In, false
	}
	dwell := v.Dwell
	if dwell <= 0 {
		dwell = t.rules.DefaultDwell.Microseconds()
	}
	end = v.Out
	if end < 0 || end > t.now {
		end = v.In + dwell
		next = t.sooner(0, end)
		if v.Out > t.now {
			next = t.sooner(next, v.Out)
		}
	}
	return v.In, min(end, t.now), next, true
}

// sooner returns at if it is after now and before cur (or cur is zero),
// else cur.
func (t *Tracer) sooner(cur, at int64) int64 {
	if at > t.now && (cur == 0 || at < cur) {
		return at
	}
	return cur
}

// mark notes an instant after now at which what the trace read through a
// visit may change: for close contacts, the whole trace's; otherwise the
// visit's own.
func (t *Tracer) mark(v Visit, at int64, close bool) {
	switch {
	case at <= t.now:
	case close:
		t.horizon = t.sooner(t.horizon, at)
	default:
		t.dues = append(t.dues, Due{Visit: v, At: at})
	}
}

// Next returns when the exposures the last trace found may change by the
// passing of time alone (a visit under way ends, one dated later begins,
// an overlap grows long enough).
func (t *Tracer) Next() Next {
	n := Next{Visits: slices.Clip(t.dues)}
	if t.horizon != 0 {
		n.At = time.UnixMicro(t.horizon).UTC()
	}
	return n
}

// counts reports whether someone is a contact for an exposure beginning at
// start: not a case who was infectious by then.
func (t *Tracer) counts(person, start int64) bool {
	from, isCase := t.onsets[person]
	return !isCase || start < from
}

// meet returns the exposure through base's visit, whose interval is
// [start, end), of the person of visit w, whose interval is [ws, we), if
// they overlap by MinOverlap and w's person counts as a contact. An overlap
// still too short but under way is marked for when it may be long enough.
func (t *Tracer) meet(base Contact, start, end int64, w Visit, ws, we int64) (Contact, bool) {
	s, e := max(start, ws), min(end, we)
	if minOv := t.rules.MinOverlap.Microseconds(); e-s < minOv {
		if e == t.now {
			t.mark(w, s+minOv, base.Degree == 1)
		}
		return Contact{}, false
	}
	if !t.counts(w.Person, s) {
		return Contact{}, false
	}
	c := base
	c.Person, c.Start, c.End = w.Person, s, e
	return c, true
}

// overlaps appends to out an exposure of each other person at place whose
// visit overlaps [start, end) by at least MinOverlap; skip says whom to leave
// out.
func (t *Tracer) overlaps(ctx context.Context, out []Contact, base Contact, start, end int64, buf *[]Visit, skip func(int64) bool) ([]Contact, error) {
	// One that begins at end is read too: under way, its overlap grows.
	vs, err := t.idx.PlaceVisits(ctx, base.Place, start, end+1, (*buf)[:0])
	*buf = vs
	if err != nil {
		return out, err
	}
	for _, w := range vs {
		if skip(w.Person) {
			continue
		}
		ws, we, next, ok := t.interval(w)
		t.mark(w, next, base.Degree == 1)
		if !ok {
			continue
		}
		if c, ok := t.meet(base, start, end, w, ws, we); ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// source returns the interval of a visit through which others may be
// exposed, if it lasts MinOverlap within [from, to); close says whether
// it is a case's (else a close contact's), for marking when it may change.
func (t *Tracer) source(v Visit, from, to int64, close bool) (start, end int64, ok bool) {
	vs, ve, next, ok := t.interval(v)
	t.mark(v, next, close)
	vs, ve = max(vs, from), min(ve, to)
	if minOv := t.rules.MinOverlap.Microseconds(); !ok || ve-vs < minOv {
		if ok && ve == t.now {
			t.mark(v, vs+minOv, close)
		}
		return 0, 0, false
	}
	return vs, ve, true
}

// closeContacts traces a case's close contacts and returns them with the
// start of each one's first exposure.
func (t *Tracer) closeContacts(ctx context.Context, c Case) ([]Contact, map[int64]int64, error) {
	t.horizon, t.dues = 0, t.dues[:0]
	if c.Onset.UnixMicro() > t.now {
		return nil, nil, nil
	}
	from := c.Onset.Add(-t.rules.BeforeOnset).UnixMicro()
	to := t.now
	if !c.Isolated.IsZero() && c.Isolated.UnixMicro() < to {
		to = c.Isolated.UnixMicro()
	}
	if minOv := t.rules.MinOverlap.Microseconds(); to-from < minOv {
		if to == t.now {
			t.horizon = t.sooner(0, from+minOv)
		}
		return nil, nil, nil
	}
	var err error
	if t.a, err = t.idx.PersonVisits(ctx, c.Person, from, to, t.a[:0]); err != nil {
		return nil, nil, err
	}
	notCase := func(p int64) bool { return p == c.Person }
	var first []Contact
	for _, v := range t.a {
		vs, ve, ok := t.source(v, from, to, true)
		if !ok {
			continue
		}
		base := Contact{Case: c.Person, Place: v.Place, Degree: 1}
		if first, err = t.overlaps(ctx, first, base, vs, ve, &t.b, notCase); err != nil {
			return nil, nil, err
		}
	}
	firstAt := map[int64]int64{}
	for _, e := range first {
		if s, ok := firstAt[e.Person]; !ok || e.Start < s {
			firstAt[e.Person] = e.Start
		}
	}
	return first, firstAt, nil
}

// Trace returns the exposures to one case, degree 1 and degree 2, sorted and
// without duplicates.
func (t *Tracer) Trace(ctx context.Context, c Case) ([]Contact, error) {
	t.src = nil
	first, firstAt, err := t.closeContacts(ctx, c)
	if err != nil || len(first) == 0 {
		if t.keep && err == nil {
			t.src = newSources(c, nil, t.rules)
		}
		return nil, err
	}
	// Each close contact's visits that begin within SecondaryWindow of
	// their first exposure to the case.
	if t.keep {
		t.src = newSources(c, firstAt, t.rules)
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
			if t.keep {
				t.src.add(v)
			}
			vs, ve, ok := t.source(v, math.MinInt64, math.MaxInt64, false)
			if !ok {
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
