package trace

import "context"

// longest returns the end of a visit at its longest: to its check-out or to
// its default dwell (the place's, else the rules'), whichever is later. As
// known at different instants a visit ends at one or the other, never after
// both.
func longest(v Visit, rules Rules) int64 {
	dwell := v.Dwell
	if dwell <= 0 {
		dwell = rules.DefaultDwell.Microseconds()
	}
	return max(v.Out, v.In+dwell)
}

// Present returns the people (by key) whose visits at v's place may overlap
// v by MinOverlap or more as known at some instant, both visits taken at
// their longest. A change of v (its check-in, or its check-out, which can
// shorten or lengthen it) can add or take exposures only between v's
// person and them; v's person is left out.
func Present(ctx context.Context, idx Index, rules Rules, v Visit) ([]int64, error) {
	end := longest(v, rules)
	vs, err := idx.PlaceVisits(ctx, v.Place, v.In, end, nil)
	if err != nil {
		return nil, err
	}
	minOv := rules.MinOverlap.Microseconds()
	var out []int64
	for _, w := range vs {
		if w.Person != v.Person && min(end, longest(w, rules))-max(v.In, w.In) >= minOv {
			out = append(out, w.Person)
		}
	}
	return out, nil
}
