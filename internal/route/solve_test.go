package route

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// TestSolveSolomon solves instances of each class briefly: every solution is
// complete and accepted by the checker, and a search bounded by iterations
// gives the same plan for the same seed.
func TestSolveSolomon(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"C101", "C206", "R104", "R211", "RC105", "RC208"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, _ := readSolomon(t, name)
			opt := Options{Iterations: 3000, Seed: 7}
			s := Solve(context.Background(), p, opt)
			if err := Check(p, s); err != nil {
				t.Fatal(err)
			}
			if len(s.Unassigned) != 0 {
				t.Fatalf("%d jobs unassigned", len(s.Unassigned))
			}
			if again := Solve(context.Background(), p, opt); !reflect.DeepEqual(s, again) {
				t.Fatalf("two searches with seed 7 differ: %.2f and %.2f", s.Distance, again.Distance)
			}
		})
	}
}

// line makes a problem on a line: location 0 is the depot, job i at
// location i+1, x apart.
func line(xs []float64, horizon float64) *Problem {
	n := len(xs) + 1
	pos := append([]float64{0}, xs...)
	p := &Problem{Dims: 1, Travel: make([][]float64, n)}
	for i := range n {
		p.Travel[i] = make([]float64, n)
		for j := range n {
			p.Travel[i][j] = math.Abs(pos[i] - pos[j])
		}
	}
	for i := range xs {
		p.Jobs = append(p.Jobs, Job{ID: string(rune('a' + i)), Location: i + 1, Demand: Amount{1}})
	}
	p.Vehicles = []Vehicle{{ID: "v1", Capacity: Amount{10}, ShiftEnd: horizon}}
	return p
}

func TestSolveConstraints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opt := Options{Iterations: 500, Seed: 1}
	t.Run("a job no vehicle can serve is left out with the reason", func(t *testing.T) {
		p := line([]float64{10, 20, 500}, 100)
		s := Solve(ctx, p, opt)
		if err := Check(p, s); err != nil {
			t.Fatal(err)
		}
		if len(s.Unassigned) != 1 || s.Unassigned[0].Job != 2 || !strings.Contains(s.Unassigned[0].Reason, "no vehicle") {
			t.Fatalf("unassigned %+v", s.Unassigned)
		}
	})
	t.Run("optional jobs by priority when not all fit", func(t *testing.T) {
		p := line([]float64{10, 10, 10}, 100)
		p.Vehicles[0].Capacity = Amount{2}
		for i := range p.Jobs {
			p.Jobs[i].Optional, p.Jobs[i].Priority = true, i
		}
		s := Solve(ctx, p, opt)
		if err := Check(p, s); err != nil {
			t.Fatal(err)
		}
		if len(s.Unassigned) != 1 || s.Unassigned[0].Job != 0 {
			t.Fatalf("want the lowest priority left out: %+v", s.Unassigned)
		}
	})
	t.Run("the longest route duration counts waiting", func(t *testing.T) {
		// Two jobs 10 away whose windows are 100 apart: one route would
		// wait; with at most 50 a route, two vehicles go.
		p := line([]float64{10, 11}, 1000)
		p.Jobs[0].Windows = []Window{{0, 20}}
		p.Jobs[1].Windows = []Window{{120, 130}}
		p.Vehicles = append(p.Vehicles, p.Vehicles[0])
		p.Vehicles[1].ID = "v2"
		for i := range p.Vehicles {
			p.Vehicles[i].MaxDuration = 50
		}
		s := Solve(ctx, p, opt)
		if err := Check(p, s); err != nil {
			t.Fatal(err)
		}
		if len(s.Routes) != 2 || len(s.Unassigned) != 0 {
			t.Fatalf("want two routes: %+v", s)
		}
	})
	t.Run("skills and several windows", func(t *testing.T) {
		p := line([]float64{10, 20}, 1000)
		p.Jobs[0].Skills = []string{"refrigerated"}
		p.Jobs[1].Windows = []Window{{0, 5}, {300, 320}}
		cold := p.Vehicles[0]
		cold.ID, cold.Skills = "cold", []string{"refrigerated"}
		p.Vehicles[0].Capacity = Amount{10}
		p.Vehicles = append(p.Vehicles, cold)
		s := Solve(ctx, p, opt)
		if err := Check(p, s); err != nil {
			t.Fatal(err)
		}
		for _, r := range s.Routes {
			for _, st := range r.Stops {
				if st.Job == 0 && r.Vehicle != 1 {
					t.Fatalf("the refrigerated job on vehicle %d", r.Vehicle)
				}
				if st.Job == 1 && st.Start < 300 {
					t.Fatalf("job b starts at %v, in no window", st.Start)
				}
			}
		}
	})
}

// TestSolveRandom solves random problems with several depots, dimensions,
// windows and duration limits; the checker must accept every plan.
func TestSolveRandom(t *testing.T) {
	t.Parallel()
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 9))
		n := 5 + rng.IntN(30)
		locs := n + 2
		xy := make([][2]float64, locs)
		for i := range xy {
			xy[i] = [2]float64{rng.Float64() * 100, rng.Float64() * 100}
		}
		p := &Problem{Dims: 2, Travel: make([][]float64, locs)}
		for i := range locs {
			p.Travel[i] = make([]float64, locs)
			for j := range locs {
				p.Travel[i][j] = math.Hypot(xy[i][0]-xy[j][0], xy[i][1]-xy[j][1])
			}
		}
		for v := range 3 {
			veh := Vehicle{ID: string(rune('A' + v)), Start: v % 2, End: v % 2, Capacity: Amount{30, 20}, ShiftEnd: 600}
			if v == 2 {
				veh.MaxDuration, veh.Skills = 250, []string{"cold"}
			}
			p.Vehicles = append(p.Vehicles, veh)
		}
		for j := range n {
			open := rng.Float64() * 400
			job := Job{ID: string(rune('a' + j%26)), Location: 2 + j, Demand: Amount{float64(1 + rng.IntN(5)), float64(rng.IntN(3))},
				Service: 5, Windows: []Window{{open, open + 40 + rng.Float64()*100}}, Optional: rng.IntN(4) == 0}
			if rng.IntN(5) == 0 {
				job.Skills = []string{"cold"}
			}
			if rng.IntN(3) == 0 {
				job.Windows = append(job.Windows, Window{job.Windows[0].Close + 50, job.Windows[0].Close + 120})
			}
			p.Jobs = append(p.Jobs, job)
		}
		s := Solve(context.Background(), p, Options{Iterations: 300, Seed: seed, Workers: 2})
		if err := Check(p, s); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		seen := map[int]bool{}
		for _, r := range s.Routes {
			for _, st := range r.Stops {
				seen[st.Job] = true
			}
		}
		for _, u := range s.Unassigned {
			seen[u.Job] = true
		}
		if len(seen) != n {
			t.Fatalf("seed %d: %d of %d jobs accounted for", seed, len(seen), n)
		}
	}
}

// TestSolveNoVehicles: without vehicles every job is left out, with the
// reason, and the checker accepts that.
func TestSolveNoVehicles(t *testing.T) {
	t.Parallel()
	p := &Problem{Dims: 1, Travel: [][]float64{{0, 1}, {1, 0}},
		Jobs: []Job{{ID: "a", Location: 0, Optional: true}, {ID: "b", Location: 1, Optional: true}}}
	sol := Solve(context.Background(), p, Options{Iterations: 10})
	if len(sol.Routes) != 0 || len(sol.Unassigned) != 2 || sol.Unassigned[0].Reason == "" {
		t.Fatalf("solution %+v", sol)
	}
	if err := Check(p, sol); err != nil {
		t.Error(err)
	}
}
