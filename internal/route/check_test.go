package route

import (
	"math"
	"slices"
	"strings"
	"testing"

	"outbreak/internal/errs"
)

// checkProblem has a depot at 0 and locations 10, 20 and 30 along a line; a
// refrigerated vehicle with capacity (10, 2) and a small one with a max
// duration; j1 has two windows, j2 needs the cold, j3 is optional.
func checkProblem() *Problem {
	xs := []float64{0, 10, 20, 30}
	p := &Problem{Dims: 2, Travel: make([][]float64, len(xs))}
	for a := range xs {
		p.Travel[a] = make([]float64, len(xs))
		for b := range xs {
			p.Travel[a][b] = math.Abs(xs[a] - xs[b])
		}
	}
	p.Vehicles = []Vehicle{
		{ID: "v0", Capacity: Amount{10, 2}, ShiftEnd: 200, Skills: []string{"cold"}},
		{ID: "v1", Capacity: Amount{5, 1}, ShiftEnd: 200, MaxDuration: 100},
	}
	p.Jobs = []Job{
		{ID: "j0", Location: 1, Demand: Amount{3, 1}, Service: 5, Windows: []Window{{0, 100}}},
		{ID: "j1", Location: 2, Demand: Amount{3, 0}, Service: 5, Windows: []Window{{0, 15}, {40, 60}}},
		{ID: "j2", Location: 3, Demand: Amount{2, 0}, Service: 5, Skills: []string{"cold"}},
		{ID: "j3", Location: 1, Optional: true},
	}
	return p
}

// checkSolution is a valid plan for checkProblem: v0 arrives at j1 at 25,
// after its first window, and waits for the second.
func checkSolution() *Solution {
	return &Solution{
		Routes: []Route{{Vehicle: 0, Depart: 0, Stops: []Stop{
			{Job: 0, Arrival: 10, Start: 10},
			{Job: 1, Arrival: 25, Start: 40},
			{Job: 2, Arrival: 55, Start: 55},
		}, Return: 90, Distance: 60}},
		Unassigned: []Unassigned{{Job: 3, Reason: "optional, and not worth it"}},
		Distance:   60,
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		problem func(p *Problem)
		sol     func(s *Solution)
		noSol   bool
		want    string // "" for a valid solution
	}{
		{name: "valid"},
		{name: "a later departure", sol: func(s *Solution) {
			s.Routes[0].Depart = 5
			s.Routes[0].Stops[0] = Stop{Job: 0, Arrival: 15, Start: 15}
			s.Routes[0].Stops[1].Arrival = 30
		}},
		{name: "stated times within 1e-6", sol: func(s *Solution) {
			s.Routes[0].Stops[1].Arrival += 5e-7
			s.Routes[0].Return -= 5e-7
			s.Distance += 5e-7
		}},
		{name: "an empty route", sol: func(s *Solution) {
			s.Routes = append(s.Routes, Route{Vehicle: 1, Depart: 3, Return: 3})
		}},
		{name: "the optional job on the second vehicle", sol: func(s *Solution) {
			s.Unassigned = nil
			s.Routes = append(s.Routes, Route{Vehicle: 1, Depart: 0, Stops: []Stop{{Job: 3, Arrival: 10, Start: 10}}, Return: 20, Distance: 20})
			s.Distance = 80
		}},
		{name: "a required job unassigned with a reason", sol: func(s *Solution) {
			s.Routes[0].Stops = s.Routes[0].Stops[:2]
			s.Routes[0].Return, s.Routes[0].Distance, s.Distance = 65, 40, 40
			s.Unassigned = append(s.Unassigned, Unassigned{Job: 2, Reason: "no time"})
		}},
		{name: "no solution", noSol: true, want: "check: no solution"},
		{name: "a malformed problem", problem: func(p *Problem) { p.Travel[1] = p.Travel[1][:2] }, want: "check: problem's travel[1] has 2 entries, want 4"},
		{name: "a job nowhere in the problem", problem: func(p *Problem) { p.Jobs[3].Location = 4 }, want: "check: problem's jobs[3] is at location 4"},
		{name: "no such vehicle", sol: func(s *Solution) { s.Routes[0].Vehicle = 2 }, want: "routes[0]: vehicle 2 does not exist (the problem has 2)"},
		{name: "a vehicle twice", sol: func(s *Solution) {
			s.Routes = append(s.Routes, Route{Vehicle: 0, Depart: 3, Return: 3})
		}, want: `routes[1] (vehicle "v0"): the vehicle already drives routes[0]`},
		{name: "no such job", sol: func(s *Solution) { s.Routes[0].Stops[2].Job = 9 }, want: "routes[0].stops[2]: job 9 does not exist (the problem has 4)"},
		{name: "a job twice", sol: func(s *Solution) {
			s.Routes = append(s.Routes, Route{Vehicle: 1, Stops: []Stop{{Job: 0, Arrival: 10, Start: 10}}, Return: 25, Distance: 20})
			s.Distance = 80
		}, want: `routes[1].stops[0] (job "j0"): again, first at routes[0].stops[0]`},
		{name: "a job routed and unassigned", sol: func(s *Solution) {
			s.Unassigned = append(s.Unassigned, Unassigned{Job: 1, Reason: "?"})
		}, want: `unassigned[1] (job "j1"): again, first at routes[0].stops[1]`},
		{name: "a job left out", sol: func(s *Solution) { s.Unassigned = nil }, want: `job 3 ("j3") is in no route and not unassigned`},
		{name: "unassigned without a reason", sol: func(s *Solution) { s.Unassigned[0].Reason = " " }, want: `unassigned[0] (job "j3"): no reason given`},
		{name: "no such unassigned job", sol: func(s *Solution) { s.Unassigned[0].Job = -1 }, want: "unassigned[0]: job -1 does not exist"},
		{name: "leaving before the shift", problem: func(p *Problem) { p.Vehicles[0].ShiftStart = 1 }, want: `routes[0] (vehicle "v0"): departs at 0, before the shift starts at 1`},
		{name: "NaN departure", sol: func(s *Solution) { s.Routes[0].Depart = math.NaN() }, want: "departs at NaN"},
		{name: "a wrong arrival", sol: func(s *Solution) { s.Routes[0].Stops[1].Arrival = 26 }, want: `routes[0].stops[1] (job "j1"): arrival 26, but the vehicle arrives at 25`},
		{name: "starting in a closed window", sol: func(s *Solution) { s.Routes[0].Stops[1].Start = 25 }, want: `routes[0].stops[1] (job "j1"): start 25, but service starts at 40`},
		{name: "starting before the window opens", problem: func(p *Problem) { p.Jobs[0].Windows[0].Open = 12 }, want: `routes[0].stops[0] (job "j0"): start 10, but service starts at 12`},
		{name: "too late for every window", problem: func(p *Problem) { p.Jobs[1].Windows[1] = Window{16, 24.5} }, want: `routes[0].stops[1] (job "j1"): arrives at 25, after its last window closes`},
		{name: "a start after the window closes", problem: func(p *Problem) { p.Jobs[1].Windows[1] = Window{40, 30} }, want: `routes[0].stops[1] (job "j1"): starts at 40, after its window 40–30 closes`},
		{name: "back after the shift", problem: func(p *Problem) { p.Vehicles[0].ShiftEnd = 89.5 }, want: `routes[0] (vehicle "v0"): back at 90, after the shift ends at 89.5`},
		{name: "a wrong return", sol: func(s *Solution) { s.Routes[0].Return = 91 }, want: `routes[0] (vehicle "v0"): return 91, but the vehicle is back at 90`},
		{name: "out too long", problem: func(p *Problem) { p.Vehicles[0].MaxDuration = 85 }, want: `routes[0] (vehicle "v0"): out for 90, from 0 to 90, longer than the max duration 85`},
		{name: "out too long with a later departure", problem: func(p *Problem) { p.Vehicles[0].MaxDuration = 84 }, sol: func(s *Solution) {
			s.Routes[0].Depart = 5
			s.Routes[0].Stops[0] = Stop{Job: 0, Arrival: 15, Start: 15}
			s.Routes[0].Stops[1].Arrival = 30
		}, want: "out for 85, from 5 to 90, longer than the max duration 84"},
		{name: "over capacity in the second dimension", problem: func(p *Problem) { p.Jobs[2].Demand[1] = 1.5 }, want: `routes[0] (vehicle "v0"): carries [8 2.5], more than the capacity [10 2]`},
		{name: "a missing skill", problem: func(p *Problem) { p.Vehicles[0].Skills = nil }, want: `routes[0] (vehicle "v0"): lacks skill "cold" that its jobs need`},
		{name: "a wrong route distance", sol: func(s *Solution) { s.Routes[0].Distance = 61 }, want: `routes[0] (vehicle "v0"): distance 61, but its trips add up to 60`},
		{name: "a wrong total distance", sol: func(s *Solution) { s.Distance = 59 }, want: "distance 59, but the routes' trips add up to 60"},
		{name: "many violations", sol: func(s *Solution) {
			for i := range 10 {
				s.Routes = append(s.Routes, Route{Vehicle: 5 + i})
			}
		}, want: "; and 2 more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, s := checkProblem(), checkSolution()
			if tt.problem != nil {
				tt.problem(p)
			}
			if tt.sol != nil {
				tt.sol(s)
			}
			if tt.noSol {
				s = nil
			}
			err := Check(p, s)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q (%v)\nwant %q", err, errs.KindOf(err), tt.want)
			}
		})
	}
}

// TestCheckSolomon checks plans for the Solomon instances made without the
// solver: one customer a route on C101 with a vehicle per customer, and
// routes built greedily, customer after customer, on every instance.
func TestCheckSolomon(t *testing.T) {
	t.Parallel()
	t.Run("a route per customer", func(t *testing.T) {
		t.Parallel()
		p, _ := readSolomon(t, "C101")
		for len(p.Vehicles) < len(p.Jobs) {
			p.Vehicles = append(p.Vehicles, p.Vehicles[0])
		}
		s := &Solution{}
		for j, job := range p.Jobs {
			d := p.Travel[0][job.Location]
			start := math.Max(d, job.Windows[0].Open)
			s.Routes = append(s.Routes, Route{Vehicle: j, Stops: []Stop{{Job: j, Arrival: d, Start: start}}, Return: start + job.Service + d, Distance: 2 * d})
			s.Distance += 2 * d
		}
		if err := Check(p, s); err != nil {
			t.Fatal(err)
		}
		s.Routes[17].Stops[0].Start--
		if err := Check(p, s); err == nil || !strings.Contains(err.Error(), `routes[17].stops[0] (job "18")`) {
			t.Fatalf("starting a minute early: %v", err)
		}
	})
	for _, name := range solomonNames(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, _ := readSolomon(t, name)
			s := greedy(p)
			if err := Check(p, s); err != nil {
				t.Fatal(err)
			}
			if len(s.Routes) == 0 {
				t.Fatal("no routes")
			}
		})
	}
}

// greedy plans routes for a problem whose vehicles all start and end at the
// same place: each vehicle in turn serves next the job it can start
// earliest, as long as it can still go back in time.
func greedy(p *Problem) *Solution {
	s := &Solution{Routes: []Route{}}
	left := make([]bool, len(p.Jobs))
	for v, veh := range p.Vehicles {
		r := Route{Vehicle: v, Depart: veh.ShiftStart}
		t, at, load := veh.ShiftStart, veh.Start, 0.0
		for {
			best, bestStart := -1, math.Inf(1)
			for j, job := range p.Jobs {
				if left[j] || load+job.Demand[0] > veh.Capacity[0] {
					continue
				}
				arrival := t + p.Travel[at][job.Location]
				start := math.Max(arrival, job.Windows[0].Open)
				if start <= job.Windows[0].Close && start+job.Service+p.Travel[job.Location][veh.End] <= veh.ShiftEnd && start < bestStart {
					best, bestStart = j, start
				}
			}
			if best < 0 {
				break
			}
			job := p.Jobs[best]
			left[best] = true
			load += job.Demand[0]
			r.Stops = append(r.Stops, Stop{Job: best, Arrival: t + p.Travel[at][job.Location], Start: bestStart})
			r.Distance += p.Travel[at][job.Location]
			t, at = bestStart+job.Service, job.Location
		}
		if len(r.Stops) == 0 {
			break
		}
		r.Distance += p.Travel[at][veh.End]
		r.Return = t + p.Travel[at][veh.End]
		s.Distance += r.Distance
		s.Routes = append(s.Routes, r)
	}
	for j := range p.Jobs {
		if !left[j] {
			s.Unassigned = append(s.Unassigned, Unassigned{Job: j, Reason: "the greedy plan ran out of vehicles"})
		}
	}
	slices.SortFunc(s.Unassigned, func(a, b Unassigned) int { return a.Job - b.Job })
	return s
}
