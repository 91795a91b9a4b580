package route

import "math"

// A route as the solver keeps it: its jobs, and per position (0 the start,
// 1…n the jobs, n+1 the end) the location, the latest time service may
// start there given the rest of the route, the earliest departure (at the
// end: the earliest return), the trip to the next position, and the load. With those an
// insertion is checked in constant time, reading little else than the
// route's arrays.
type sroute struct {
	v    int
	jobs []int32
	loc  []int32
	ls   []float64 // latest start (at the start: latest departure)
	ed   []float64 // earliest departure: es plus the service time
	arc  []float64 // travel time to the next position (none at the end)
	load Amount
	dist float64
}

// update recomputes the route's arrays after its jobs changed.
func (s *solver) update(r *sroute) {
	p, veh := s.p, &s.p.Vehicles[r.v]
	n := len(r.jobs)
	r.loc = append(r.loc[:0], s.travel.id[veh.Start])
	for _, j := range r.jobs {
		r.loc = append(r.loc, s.jloc[j])
	}
	r.loc = append(r.loc, s.travel.id[veh.End])
	r.ls = grow(r.ls, n+2)
	r.ed = grow(r.ed, n+2)
	r.arc = grow(r.arc, n+1)
	r.load = Amount{}
	r.dist = 0
	r.ed[0] = veh.ShiftStart
	for k := 1; k <= n+1; k++ {
		r.arc[k-1] = s.t(r.loc[k-1], r.loc[k])
		r.dist += r.arc[k-1]
		arrival := r.ed[k-1] + r.arc[k-1]
		if k == n+1 {
			r.ed[k] = arrival
			break
		}
		j := r.jobs[k-1]
		r.ed[k] = earliest(p.Jobs[j].Windows, arrival) + p.Jobs[j].Service
		for d := range p.Dims {
			r.load[d] += p.Jobs[j].Demand[d]
		}
	}
	r.ls[n+1] = veh.ShiftEnd
	for k := n; k >= 1; k-- {
		j := r.jobs[k-1]
		r.ls[k] = latest(p.Jobs[j].Windows, r.ls[k+1]-r.arc[k]-p.Jobs[j].Service)
	}
	r.ls[0] = r.ls[1] - r.arc[0]
	if n == 0 {
		r.ls[0] = veh.ShiftEnd - r.arc[0]
	}
}

// grow returns a with length n, reallocated with room to spare if it is
// too short: routes grow a job at a time.
func grow(a []float64, n int) []float64 {
	if cap(a) < n {
		return make([]float64, n, 2*n)
	}
	return a[:n]
}

// t is the travel time between two locations, numbered as in s.travel.
func (s *solver) t(a, b int32) float64 { return s.travel.from[a][b] }

// earliest returns when service can start for an arrival at t: in the first
// window that has not closed, or +Inf if all have. No windows: any time.
func earliest(ws []Window, t float64) float64 {
	if len(ws) == 0 {
		return t
	}
	for _, w := range ws {
		if t <= w.Close+timeTol {
			return max(t, w.Open) // the builtin: inlined, unlike math.Max
		}
	}
	return math.Inf(1)
}

// latest returns the latest start no later than t: in the last window that
// has opened by t, or -Inf if none has.
func latest(ws []Window, t float64) float64 {
	if len(ws) == 0 {
		return t
	}
	for i := len(ws) - 1; i >= 0; i-- {
		if ws[i].Open <= t+timeTol {
			return min(t, ws[i].Close)
		}
	}
	return math.Inf(-1)
}

// fits reports whether a load fits a vehicle.
func (s *solver) fits(load Amount, v int) bool {
	for d := range s.p.Dims {
		if load[d] > s.p.Vehicles[v].Capacity[d]+timeTol {
			return false
		}
	}
	return true
}

// insertion returns the added distance of inserting job j after position a
// of route r, or +Inf if that breaks a window, the shift, the capacity or
// the route's longest duration.
func (s *solver) insertion(r *sroute, j int32, a int) float64 {
	job := &s.p.Jobs[j]
	// Both trips read the job's own rows, which stay in the cache while
	// the job is tried everywhere, not a row per position.
	lj := s.jloc[j]
	in, out := s.travel.to[lj][r.loc[a]], s.travel.from[lj][r.loc[a+1]]
	start := earliest(job.Windows, r.ed[a]+in)
	if start > math.MaxFloat64 {
		return math.Inf(1)
	}
	if start+job.Service+out > r.ls[a+1]+timeTol {
		return math.Inf(1)
	}
	if max := s.p.Vehicles[r.v].MaxDuration; max > 0 && s.duration(r, j, a) > max+timeTol {
		return math.Inf(1)
	}
	return in + out - r.arc[a]
}

// duration returns how long route r lasts, with job j inserted after
// position a when j ≥ 0, leaving as late as it can without arriving later:
// the return time less a departure delayed by all the waiting it can absorb.
func (s *solver) duration(r *sroute, j int32, a int) float64 {
	seq := s.seq[:0] // reused: this runs for every place tried
	for k, x := range r.jobs {
		if j >= 0 && k == a {
			seq = append(seq, j)
		}
		seq = append(seq, x)
	}
	if j >= 0 && a == len(r.jobs) {
		seq = append(seq, j)
	}
	s.seq = seq
	veh := &s.p.Vehicles[r.v]
	// Backward: the latest departure that keeps every start feasible.
	late := veh.ShiftEnd
	next := s.travel.id[veh.End]
	for k := len(seq) - 1; k >= 0; k-- {
		job := &s.p.Jobs[seq[k]]
		late = latest(job.Windows, late-s.t(s.jloc[seq[k]], next)-job.Service)
		next = s.jloc[seq[k]]
	}
	start, end := s.travel.id[veh.Start], s.travel.id[veh.End]
	depart := late - s.t(start, next)
	if len(seq) == 0 {
		return s.t(start, end)
	}
	// Forward from that departure.
	t, at := math.Max(depart, veh.ShiftStart), start
	begin := t
	for _, x := range seq {
		job := &s.p.Jobs[x]
		t = earliest(job.Windows, t+s.t(at, s.jloc[x])) + job.Service
		at = s.jloc[x]
	}
	return t + s.t(at, end) - begin
}
