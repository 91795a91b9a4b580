package trace

import (
	"context"
	"time"
)

// Longest returns the end of a visit at its longest, in microseconds: to
// its check-out or to its default dwell (the place's, else the rules'),
// whichever is later. As known at different instants a visit ends at one or
// the other, never after both.
func Longest(v Visit, rules Rules) int64 {
	dwell := v.Dwell
	if dwell <= 0 {
		dwell = rules.DefaultDwell.Microseconds()
	}
	return max(v.Out, v.In+dwell)
}

// Present returns the visits at v's place, of other people, that may
// overlap v by MinOverlap or more as known at some instant, both visits
// taken at their longest. A change of v (its check-in, or its check-out,
// which can shorten or lengthen it) can add or take exposures only between
// v's person and theirs, through those visits.
func Present(ctx context.Context, idx Index, rules Rules, v Visit) ([]Visit, error) {
	end := Longest(v, rules)
	vs, err := idx.PlaceVisits(ctx, v.Place, v.In, end, nil)
	if err != nil {
		return nil, err
	}
	minOv := rules.MinOverlap.Microseconds()
	out := vs[:0]
	for _, w := range vs {
		if w.Person != v.Person && min(end, Longest(w, rules))-max(v.In, w.In) >= minOv {
			out = append(out, w)
		}
	}
	return out, nil
}

// CaseVisit reports whether a visit of a case's person, at its longest, may
// reach into the case's infectious window: only then can it give anyone an
// exposure to the case. A zero isolated means not isolated.
func (r Rules) CaseVisit(onset, isolated time.Time, v Visit) bool {
	return Longest(v, r) > onset.Add(-r.BeforeOnset).UnixMicro() && (isolated.IsZero() || v.In < isolated.UnixMicro())
}

// ContactVisit reports whether a visit of a close contact of a case, whose
// latest exposure to the case began at start, may begin within
// SecondaryWindow of their first exposure (which began at start or
// before): only then can it give anyone a secondary exposure to the case.
func (r Rules) ContactVisit(start time.Time, v Visit) bool {
	return v.In < start.Add(r.SecondaryWindow).UnixMicro()
}
