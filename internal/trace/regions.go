package trace

import (
	"slices"
	"time"

	"outbreak/internal/place"
	"outbreak/internal/visit"
)

// Regions knows the region tree and the risk levels set on it, so that it can
// tell which stays count under the region rule.
type Regions struct {
	parent map[string]string
	levels map[string][]place.Level
}

// NewRegions returns the region tree with its levels.
func NewRegions(regions []place.Region, levels []place.Level) *Regions {
	r := &Regions{parent: map[string]string{}, levels: map[string][]place.Level{}}
	for _, g := range regions {
		r.parent[g.ID] = g.Parent
	}
	for _, l := range levels {
		r.levels[l.Region] = append(r.levels[l.Region], l)
	}
	return r
}

// Ancestors returns a region and the regions above it, nearest first.
func (r *Regions) Ancestors(region string) []string {
	var out []string
	for g := region; g != "" && !slices.Contains(out, g); g = r.parent[g] {
		out = append(out, g)
	}
	return out
}

// Within returns a region and every region below it.
func (r *Regions) Within(region string) []string {
	out := []string{region}
	for i := 0; i < len(out); i++ {
		for g, parent := range r.parent {
			if parent == out[i] && !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	return out
}

// Next returns the first instant after now at which how a stay counts may
// change by time alone, other than a level of its region starting or
// ending (zero: never): the stay begins or ends, or a period of it under way
// reaches MinStay. Every instant at which the stay or a level started is
// taken as a possible start of such a period, which may give an instant at
// which nothing changes, never one too late.
func (r *Regions) Next(s visit.Stay, rules Rules, now time.Time) time.Time {
	var next time.Time
	soonest := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	soonest(s.From)
	soonest(s.To)
	if s.From.After(now) || !s.To.IsZero() && !s.To.After(now) {
		return next
	}
	soonest(s.From.Add(rules.MinStay))
	for _, g := range r.Ancestors(s.Region) {
		for _, l := range r.levels[g] {
			for _, t := range []time.Time{l.From, l.To} {
				if t.After(s.From) && !t.After(now) {
					soonest(t.Add(rules.MinStay))
				}
			}
		}
	}
	return next
}

var rank = map[string]int{place.Low: 0, place.Medium: 1, place.High: 2}

// Stays returns how a stay counts under the region rule as known at now:
// for each period in which its region's effective level (the highest set on
// it or an ancestor) was high, or medium or high, and which the stay overlaps
// by at least rules.MinStay, one RegionStay. A period of medium or high that
// holds a high period that counts gives the high one alone.
func (r *Regions) Stays(s visit.Stay, rules Rules, now time.Time) []RegionStay {
	if s.From.After(now) {
		return nil
	}
	end, stayEnd := s.To, s.To
	if end.IsZero() || end.After(now) {
		end, stayEnd = now, time.Time{}
	}
	// The instants at which the effective level may change within the stay.
	var levels []place.Level
	cuts := []time.Time{s.From, end}
	for _, g := range r.Ancestors(s.Region) {
		for _, l := range r.levels[g] {
			if l.From.After(now) {
				continue
			}
			if l.To.After(now) {
				l.To = time.Time{}
			}
			levels = append(levels, l)
			for _, t := range []time.Time{l.From, l.To} {
				if t.After(s.From) && t.Before(end) {
					cuts = append(cuts, t)
				}
			}
		}
	}
	slices.SortFunc(cuts, time.Time.Compare)
	cuts = slices.Compact(cuts)
	effective := func(t time.Time) int {
		best := 0
		for _, l := range levels {
			if !l.From.After(t) && (l.To.IsZero() || t.Before(l.To)) {
				best = max(best, rank[l.Level])
			}
		}
		return best
	}
	// Runs of pieces at or above a rank, merged.
	runs := func(min int) [][2]time.Time {
		var out [][2]time.Time
		for i := 0; i+1 < len(cuts); i++ {
			if effective(cuts[i]) < min {
				continue
			}
			if n := len(out); n > 0 && out[n-1][1].Equal(cuts[i]) {
				out[n-1][1] = cuts[i+1]
			} else {
				out = append(out, [2]time.Time{cuts[i], cuts[i+1]})
			}
		}
		return out
	}
	var out []RegionStay
	long := func(p [2]time.Time) bool { return p[1].Sub(p[0]) >= rules.MinStay }
	highs := runs(rank[place.High])
	for _, p := range highs {
		if long(p) {
			out = append(out, RegionStay{Person: s.Person, Region: s.Region, Level: place.High, Start: p[0], End: p[1], StayEnd: stayEnd})
		}
	}
	for _, p := range runs(rank[place.Medium]) {
		if !long(p) || slices.ContainsFunc(out, func(h RegionStay) bool { return !h.Start.Before(p[0]) && !h.End.After(p[1]) }) {
			continue
		}
		out = append(out, RegionStay{Person: s.Person, Region: s.Region, Level: place.Medium, Start: p[0], End: p[1], StayEnd: stayEnd})
	}
	return out
}
