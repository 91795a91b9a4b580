package route

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"outbreak/internal/errs"
)

// stateTol is how far a time or a distance that a solution states may be
// from the one recomputed from the problem.
const stateTol = 1e-6

// checkListed is how many violations a Check error lists.
const checkListed = 8

// Check verifies a solution against its problem, recomputing everything from
// the problem alone, independently of the solver. It returns nil if the
// solution keeps every rule, else an errs.Invalid error listing the first few
// violations by position (routes[2].stops[4]) and how many there are; a
// malformed problem (travel matrix not square, a location out of range) is
// also an errs.Invalid error.
//
// The rules: every route's vehicle exists and drives one route at most;
// every job is in one route or unassigned, once, and an unassigned job has a
// reason (unassigned jobs are allowed, required ones too: the count is in the
// error text, not a violation). Each route is recomputed from its Depart,
// which may be later than the shift start but not earlier: the arrival at a
// stop is the departure from the one before plus the travel time; service
// starts at the arrival or when the window opens, in the window that gives
// the earliest start among those not closed at arrival (for sorted windows,
// the first that closes at or after the arrival), and must start by that
// window's close; the departure is the start plus the service time; the
// vehicle must be back at its end location by the end of its shift and,
// with a max duration, be out no longer than that; the route's total demand
// (every job is a delivery from the start) must fit the capacity in every
// dimension; the vehicle must have every skill its jobs need. The stated
// Arrival, Start and Return must match the recomputed ones, and the route's
// and the solution's Distance the sums of travel, within 1e-6; limits are
// kept within 1e-9.
func Check(p *Problem, s *Solution) error {
	if err := checkShape(p); err != nil {
		return err
	}
	if s == nil {
		return errs.E(errs.Invalid, "check: no solution")
	}
	c := &checker{p: p, where: make([]string, len(p.Jobs)), driver: make([]int, len(p.Vehicles))}
	total := 0.0
	for ri := range s.Routes {
		total += c.route(ri, &s.Routes[ri])
	}
	for ui, u := range s.Unassigned {
		at := fmt.Sprintf("unassigned[%d]", ui)
		if u.Job < 0 || u.Job >= len(p.Jobs) {
			c.addf("%s: job %d does not exist (the problem has %d)", at, u.Job, len(p.Jobs))
			continue
		}
		at += fmt.Sprintf(" (job %q)", p.Jobs[u.Job].ID)
		c.place(u.Job, at, fmt.Sprintf("unassigned[%d]", ui))
		if strings.TrimSpace(u.Reason) == "" {
			c.addf("%s: no reason given", at)
		}
	}
	for j, w := range c.where {
		if w == "" {
			c.addf("job %d (%q) is in no route and not unassigned", j, p.Jobs[j].ID)
		}
	}
	if !near(s.Distance, total) {
		c.addf("distance %v, but the routes' trips add up to %v", s.Distance, total)
	}
	if c.n == 0 {
		return nil
	}
	more := ""
	if c.n > len(c.listed) {
		more = fmt.Sprintf("; and %d more", c.n-len(c.listed))
	}
	return errs.E(errs.Invalid, "check: %d %s (%d of %d jobs unassigned): %s%s",
		c.n, plural(c.n, "violation", "violations"), len(s.Unassigned), len(p.Jobs), strings.Join(c.listed, "; "), more)
}

// checker collects the violations of a solution.
type checker struct {
	p      *Problem
	where  []string // per job, where it first appears: "routes[0].stops[3]"
	driver []int    // per vehicle, 1 + the index of its first route, or 0
	listed []string
	n      int
}

func (c *checker) addf(format string, args ...any) {
	c.n++
	if len(c.listed) < checkListed {
		c.listed = append(c.listed, fmt.Sprintf(format, args...))
	}
}

// place notes that job j is at pos, unless it is somewhere already.
func (c *checker) place(j int, at, pos string) {
	if c.where[j] != "" {
		c.addf("%s: again, first at %s", at, c.where[j])
		return
	}
	c.where[j] = pos
}

// route checks routes[ri] and returns the distance it drives (its stated
// distance if that cannot be recomputed).
func (c *checker) route(ri int, r *Route) float64 {
	p := c.p
	at := fmt.Sprintf("routes[%d]", ri)
	if r.Vehicle < 0 || r.Vehicle >= len(p.Vehicles) {
		c.addf("%s: vehicle %d does not exist (the problem has %d)", at, r.Vehicle, len(p.Vehicles))
		for si, st := range r.Stops {
			if st.Job >= 0 && st.Job < len(p.Jobs) {
				pos := fmt.Sprintf("%s.stops[%d]", at, si)
				c.place(st.Job, fmt.Sprintf("%s (job %q)", pos, p.Jobs[st.Job].ID), pos)
			}
		}
		return r.Distance
	}
	veh := &p.Vehicles[r.Vehicle]
	vat := fmt.Sprintf("%s (vehicle %q)", at, veh.ID)
	if first := c.driver[r.Vehicle]; first > 0 {
		c.addf("%s: the vehicle already drives routes[%d]", vat, first-1)
	} else {
		c.driver[r.Vehicle] = ri + 1
	}
	if !(r.Depart >= veh.ShiftStart-timeTol) {
		c.addf("%s: departs at %v, before the shift starts at %v", vat, r.Depart, veh.ShiftStart)
	}

	t, loc := r.Depart, veh.Start
	dist, distKnown, timed := 0.0, true, true
	var load Amount
	var missing []string
	for si, st := range r.Stops {
		pos := fmt.Sprintf("%s.stops[%d]", at, si)
		if st.Job < 0 || st.Job >= len(p.Jobs) {
			c.addf("%s: job %d does not exist (the problem has %d)", pos, st.Job, len(p.Jobs))
			distKnown, timed = false, false
			continue
		}
		job := &p.Jobs[st.Job]
		sat := fmt.Sprintf("%s (job %q)", pos, job.ID)
		c.place(st.Job, sat, pos)
		for d := range p.Dims {
			load[d] += job.Demand[d]
		}
		for _, s := range missingSkills(veh.Skills, job.Skills) {
			if !slices.Contains(missing, s) {
				missing = append(missing, s)
			}
		}
		travel := p.Travel[loc][job.Location]
		dist += travel
		arrival := t + travel
		start, w, ok := windowStart(job.Windows, arrival)
		loc, t = job.Location, start+job.Service
		if !timed {
			continue
		}
		switch {
		case !ok:
			c.addf("%s: arrives at %v, after its last window closes", sat, arrival)
			timed = false
			continue
		case w >= 0 && !(start <= job.Windows[w].Close+timeTol):
			c.addf("%s: starts at %v, after its window %v–%v closes", sat, start, job.Windows[w].Open, job.Windows[w].Close)
		}
		if !near(st.Arrival, arrival) {
			c.addf("%s: arrival %v, but the vehicle arrives at %v", sat, st.Arrival, arrival)
		}
		if !near(st.Start, start) {
			c.addf("%s: start %v, but service starts at %v", sat, st.Start, start)
		}
	}
	travel := p.Travel[loc][veh.End]
	dist += travel
	if timed {
		back := t + travel
		if !near(r.Return, back) {
			c.addf("%s: return %v, but the vehicle is back at %v", vat, r.Return, back)
		}
		if !(back <= veh.ShiftEnd+timeTol) {
			c.addf("%s: back at %v, after the shift ends at %v", vat, back, veh.ShiftEnd)
		}
		if veh.MaxDuration > 0 && !(back-r.Depart <= veh.MaxDuration+timeTol) {
			c.addf("%s: out for %v, from %v to %v, longer than the max duration %v", vat, back-r.Depart, r.Depart, back, veh.MaxDuration)
		}
	}
	for d := range p.Dims {
		if !(load[d] <= veh.Capacity[d]+timeTol) {
			c.addf("%s: carries %s, more than the capacity %s", vat, amount(p.Dims, load), amount(p.Dims, veh.Capacity))
			break
		}
	}
	if len(missing) > 0 {
		c.addf("%s: lacks %s %s that its jobs need", vat, plural(len(missing), "skill", "skills"), quoteAll(missing))
	}
	if !distKnown {
		return r.Distance
	}
	if !near(r.Distance, dist) {
		c.addf("%s: distance %v, but its trips add up to %v", vat, r.Distance, dist)
	}
	return dist
}

// near reports whether a stated value matches a recomputed one.
func near(stated, want float64) bool { return math.Abs(stated-want) <= stateTol }

// checkShape makes sure that a problem can be checked at all: a square
// travel matrix of finite, non-negative times, and locations in range.
func checkShape(p *Problem) error {
	if p == nil {
		return errs.E(errs.Invalid, "check: no problem")
	}
	if p.Dims < 1 || p.Dims > MaxDims {
		return errs.E(errs.Invalid, "check: problem has %d capacity dimensions, want 1 to %d", p.Dims, MaxDims)
	}
	n := len(p.Travel)
	for a, row := range p.Travel {
		if len(row) != n {
			return errs.E(errs.Invalid, "check: problem's travel[%d] has %d entries, want %d", a, len(row), n)
		}
		for b, x := range row {
			if !(x >= 0) || math.IsInf(x, 1) {
				return errs.E(errs.Invalid, "check: problem's travel[%d][%d] is %v, want a finite time of at least 0", a, b, x)
			}
		}
	}
	for v, veh := range p.Vehicles {
		if veh.Start < 0 || veh.Start >= n || veh.End < 0 || veh.End >= n {
			return errs.E(errs.Invalid, "check: problem's vehicles[%d] goes from location %d to %d, want 0 to %d", v, veh.Start, veh.End, n-1)
		}
	}
	for j, job := range p.Jobs {
		if job.Location < 0 || job.Location >= n {
			return errs.E(errs.Invalid, "check: problem's jobs[%d] is at location %d, want 0 to %d", j, job.Location, n-1)
		}
	}
	return nil
}
