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

// Present returns the visits of other people that may overlap one of vs,
// at its place, by MinOverlap or more as known at some instant, both visits
// taken at their longest, each once. A change of a visit (its check-in, or
// its check-out, which can shorten or lengthen it) can add or take
// exposures only between its person and theirs, through those visits. The
// visits of each place are read once, over the span of vs there.
func Present(ctx context.Context, idx Index, rules Rules, vs []Visit) ([]Visit, error) {
	byPlace := map[int64][]Visit{}
	for _, v := range vs {
		byPlace[v.Place] = append(byPlace[v.Place], v)
	}
	minOv := rules.MinOverlap.Microseconds()
	var out, buf []Visit
	for place, here := range byPlace {
		from, to := here[0].In, Longest(here[0], rules)
		for _, v := range here[1:] {
			from, to = min(from, v.In), max(to, Longest(v, rules))
		}
		var err error
		if buf, err = idx.PlaceVisits(ctx, place, from, to, buf[:0]); err != nil {
			return nil, err
		}
		for _, w := range buf {
			end := Longest(w, rules)
			for _, v := range here {
				if w.Person != v.Person && min(end, Longest(v, rules))-max(v.In, w.In) >= minOv {
					out = append(out, w)
					break
				}
			}
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
