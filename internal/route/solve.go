package route

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Options tune a solve.
type Options struct {
	// TimeLimit bounds the search; 0 with Iterations 0 means one second.
	TimeLimit time.Duration
	// Iterations bounds the search by ruin-and-recreate steps per worker;
	// a search bounded by iterations alone is deterministic for a seed.
	Iterations int
	// Seed makes the search repeatable.
	Seed uint64
	// Workers run independent searches from seeds Seed, Seed+1, …, and the
	// best solution wins; 0 means 1.
	Workers int
}

// Solve plans routes for p. The search is ruin and recreate (slack induction
// by string removals: strings of consecutive jobs removed around a seed job
// and put back by cheapest insertion with blinks) under simulated annealing;
// it is anytime: stopping it early gives a worse plan, never none. Jobs that
// fit in no route are returned as unassigned with the reason.
func Solve(ctx context.Context, p *Problem, opt Options) *Solution {
	sol, _ := solve(ctx, p, opt)
	return sol
}

// searchStats say how a solve went, for benchmarks: the iterations of all
// workers, the insertions they evaluated, and how long building the first
// plan and searching took (the longest worker's).
type searchStats struct {
	iterations, evals int
	setup, search     time.Duration
}

// solve is Solve with statistics.
func solve(ctx context.Context, p *Problem, opt Options) (*Solution, searchStats) {
	if opt.TimeLimit == 0 && opt.Iterations == 0 {
		opt.TimeLimit = time.Second
	}
	if len(p.Vehicles) == 0 {
		sol := &Solution{Routes: []Route{}, Unassigned: []Unassigned{}}
		for j := range p.Jobs {
			sol.Unassigned = append(sol.Unassigned, Unassigned{Job: j, Reason: "there are no vehicles"})
		}
		return sol, searchStats{}
	}
	workers := max(1, opt.Workers)
	results := make([]*solver, workers)
	begin := time.Now()
	sh := prepare(p)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			s := newSolver(sh, opt.Seed+uint64(w))
			s.setup = time.Since(begin)
			start := time.Now()
			s.search(ctx, opt)
			s.took = time.Since(start)
			results[w] = s
		})
	}
	wg.Wait()
	best := results[0]
	var st searchStats
	for _, s := range results {
		if s.bestCost < best.bestCost {
			best = s
		}
		st.iterations += s.iterations
		st.evals += s.evals
		st.setup, st.search = max(st.setup, s.setup), max(st.search, s.took)
	}
	return best.solution(), st
}

// shared is what the searches of a solve know of the problem and never
// change, made once for all of them.
type shared struct {
	p         *Problem
	neighbors [][]int32 // per job, the other jobs nearest first
	travel    travel    // the travel times as the search reads them
	jloc      []int32   // per job, its location's number in travel
	compat    [][]bool  // per vehicle, the jobs whose skills it has
	kind      []int     // per vehicle, the first vehicle just like it
}

// solver is one search.
type solver struct {
	*shared
	rng *rand.Rand

	cur, best         []*sroute // one per vehicle, empty ones included
	curUn, bestUn     []int32   // unassigned jobs
	curCost, bestCost float64
	curDist           float64 // of the routes in cur, kept up to date step by step
	untilBlink        int     // places to try before skipping one
	seq               []int32 // a buffer for duration
	state

	iterations, evals int // for searchStats
	setup, took       time.Duration
}

// prepare works out what the searches of p read: each job's neighbours,
// the travel times renumbered, which vehicles can serve which jobs and
// which vehicles are alike.
func prepare(p *Problem) *shared {
	s := &shared{p: p}
	n := len(p.Jobs)
	s.neighbors = make([][]int32, n)
	type near struct {
		t float64
		j int32
	}
	byTime := make([]near, 0, n)
	for i := range n {
		row := p.Travel[p.Jobs[i].Location]
		byTime = byTime[:0]
		for j := range n {
			if j != i {
				byTime = append(byTime, near{row[p.Jobs[j].Location], int32(j)})
			}
		}
		// Ties in order of the jobs, so the same as a stable sort.
		slices.SortFunc(byTime, func(a, b near) int {
			if c := cmpFloat(a.t, b.t); c != 0 {
				return c
			}
			return int(a.j - b.j)
		})
		ns := make([]int32, len(byTime))
		for k, x := range byTime {
			ns[k] = x.j
		}
		s.neighbors[i] = ns
	}
	s.travel = newTravel(p)
	s.jloc = make([]int32, n)
	for j, job := range p.Jobs {
		s.jloc[j] = s.travel.id[job.Location]
	}
	s.compat = make([][]bool, len(p.Vehicles))
	for v, veh := range p.Vehicles {
		s.compat[v] = make([]bool, n)
		for j, job := range p.Jobs {
			s.compat[v][j] = hasAll(veh.Skills, job.Skills)
		}
	}
	s.kind = make([]int, len(p.Vehicles))
	for v := range p.Vehicles {
		s.kind[v] = slices.IndexFunc(p.Vehicles[:v+1], func(o Vehicle) bool { return alike(o, p.Vehicles[v]) })
	}
	return s
}

// newSolver starts a search from a first plan that puts each job where it
// adds the least distance, trying every place.
func newSolver(sh *shared, seed uint64) *solver {
	s := &solver{shared: sh, rng: rand.New(rand.NewPCG(seed, 0x5157))}
	p, n := sh.p, len(sh.p.Jobs)
	for v := range p.Vehicles {
		r := &sroute{v: v}
		s.update(r)
		s.cur = append(s.cur, r)
	}
	s.initState()
	s.untilBlink = s.geometric()
	all := make([]int32, n)
	for j := range all {
		all[j] = int32(j)
	}
	s.recreate(all, false)
	for _, r := range s.cur {
		s.curDist += r.dist
	}
	s.curCost = s.cost(s.curDist, s.curUn)
	s.keepBest()
	return s
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// alike reports whether two vehicles differ in nothing but their ID.
func alike(a, b Vehicle) bool {
	return a.Start == b.Start && a.End == b.End && a.Capacity == b.Capacity && a.ShiftStart == b.ShiftStart &&
		a.ShiftEnd == b.ShiftEnd && a.MaxDuration == b.MaxDuration && slices.Equal(a.Skills, b.Skills)
}

func hasAll(have, need []string) bool {
	for _, n := range need {
		if !slices.Contains(have, n) {
			return false
		}
	}
	return true
}

// cost is the distance of the routes plus a penalty per unassigned job: a required job
// outweighs any distance, an optional one by its priority.
func (s *solver) cost(dist float64, un []int32) float64 {
	c := dist
	for _, j := range un {
		c += s.penalty(j)
	}
	return c
}

func (s *solver) penalty(j int32) float64 {
	job := &s.p.Jobs[j]
	if !job.Optional {
		return 1e9
	}
	return 1e5 * float64(1+job.Priority)
}

// search runs ruin and recreate under simulated annealing until the time
// limit or the iteration budget.
func (s *solver) search(ctx context.Context, opt Options) {
	const t0, tf = 100.0, 1.0
	start := time.Now()
	var savedUn []int32
	for it := 0; opt.Iterations == 0 || it < opt.Iterations; it++ {
		progress := 0.0
		if opt.Iterations > 0 {
			progress = float64(it) / float64(opt.Iterations)
		}
		if opt.TimeLimit > 0 {
			elapsed := time.Since(start)
			if elapsed >= opt.TimeLimit {
				break
			}
			progress = math.Max(progress, float64(elapsed)/float64(opt.TimeLimit))
		}
		if it%256 == 0 && ctx.Err() != nil {
			break
		}
		s.iterations++
		temp := t0 * math.Pow(tf/t0, progress)
		s.begin()
		savedUn = append(savedUn[:0], s.curUn...)
		s.recreate(s.ruin(), true)
		dist := s.curDist + s.delta()
		c := s.cost(dist, s.curUn)
		if c < s.curCost-temp*math.Log(s.rng.Float64()) {
			s.curCost, s.curDist = c, dist
			if c < s.bestCost-timeTol {
				s.keepBest()
			}
		} else {
			s.rollback(savedUn)
		}
	}
}

// solution writes the best plan found: each used vehicle leaves as late as it
// can without arriving anywhere later, so that it waits as little as
// possible (for a cold chain, the least time out of the store).
func (s *solver) solution() *Solution {
	p := s.p
	sol := &Solution{Routes: []Route{}, Unassigned: []Unassigned{}}
	for _, r := range s.best {
		if len(r.jobs) == 0 {
			continue
		}
		veh := &p.Vehicles[r.v]
		out := Route{Vehicle: r.v, Depart: math.Max(veh.ShiftStart, r.ls[0])}
		t, at := out.Depart, veh.Start
		for _, j := range r.jobs {
			job := &p.Jobs[j]
			arrival := t + p.Travel[at][job.Location]
			start := earliest(job.Windows, arrival)
			out.Stops = append(out.Stops, Stop{Job: int(j), Arrival: arrival, Start: start})
			out.Distance += p.Travel[at][job.Location]
			t, at = start+job.Service, job.Location
		}
		out.Distance += p.Travel[at][veh.End]
		out.Return = t + p.Travel[at][veh.End]
		sol.Distance += out.Distance
		sol.Routes = append(sol.Routes, out)
	}
	for _, j := range slices.Sorted(slices.Values(s.bestUn)) {
		sol.Unassigned = append(sol.Unassigned, Unassigned{Job: int(j), Reason: s.whyNot(j)})
	}
	return sol
}

// whyNot says why a job is in no route.
func (s *solver) whyNot(j int32) string {
	for v := range s.p.Vehicles {
		if whyNotAlone(s.p, v, int(j)) == "" {
			return "no room or time left for it in the routes of the vehicles"
		}
	}
	return "no vehicle can serve it alone: skills, capacity, time windows, shift or route duration"
}
