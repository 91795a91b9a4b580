package route

import (
	"math"
	"strings"
	"testing"

	"outbreak/internal/errs"
)

var solomonSeeds = []string{
	tiny,
	strings.ReplaceAll(tiny, "\n", "\r\n"),
	"R1\nVEHICLE\nNUMBER CAPACITY\n3 10.5\nCUSTOMER\n" + solomonHeader + "\n0 0 0 0 0 1e3 0\n1 1.5 -2 0 0 1e3 0\n2 1.5 -2 10.5 3 3 0\n",
	"X\nVEHICLE\nNUMBER CAPACITY\n1 0\nCUSTOMER\n" + solomonHeader + "\n0 0 0 0 0 0 0\n",
	strings.Replace(tiny, "2         50", "2", 1),
	strings.Replace(tiny, "1      3         4         10", "2      3         4         10", 1),
}

var jsonSeeds = []string{
	`{"name":"base","locations":[{"x":0,"y":0},{"x":3,"y":4},{"x":6,"y":8}],"depots":[{"id":"d","location":0}],
	 "vehicles":[{"id":"v1","capacity":[10,5],"shift_end":100,"skills":["cold"]},
	             {"id":"v2","start":2,"end":"d","capacity":[20,0],"shift_start":10,"shift_end":200,"max_duration":50}],
	 "jobs":[{"id":"a","location":1,"demand":[1],"service":5,"windows":[{"open":0,"close":10},{"open":20,"close":30}]},
	         {"id":"b","location":2,"demand":[2,1],"skills":["cold"],"optional":true,"priority":3}]}`,
	`{"locations":[{"lat":52.52,"lon":13.405},{"lat":52.4,"lon":13.06}],"road_factor":1.4,"speed_kmh":30,
	 "vehicles":[{"id":"v","start":0,"capacity":[1],"shift_start":480,"shift_end":1020}],
	 "jobs":[{"id":"j","location":1,"demand":[1],"service":10,"windows":[{"open":540,"close":600}]}]}`,
	`{"matrix":[[0,1.5],[2,0]],"vehicles":[{"id":"v","start":0,"capacity":[1,2,3,4],"shift_end":9,"max_duration":4}],
	 "jobs":[{"id":"j","location":1,"service":0.5},{"id":"k","location":1,"optional":true,"priority":1000}]}`,
	`{"matrix":[[0]],"jobs":[{"id":"a","windows":[{"open":5,"close":4}]}]}`,
	`{"locations":[{"x":0,"y":0}],"vehicles":[{"id":"v","capacity":[1],"shift_end":1,"colour":"red"}]}`,
	"{\n\"jobs\": [}",
}

// FuzzParseSolomon: parsing never panics, a failure is an Invalid error
// naming the file, and a problem that parses is consistent and can be served
// a customer a route, as far as the vehicles go, to the checker's
// satisfaction.
func FuzzParseSolomon(f *testing.F) {
	for _, s := range solomonSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, xy, err := ParseSolomon("f.txt", strings.NewReader(text))
		if err != nil {
			if p != nil || xy != nil || !errs.Is(err, errs.Invalid) || !strings.HasPrefix(err.Error(), "f.txt:") {
				t.Fatalf("problem %v, error %v of kind %v", p != nil, err, errs.KindOf(err))
			}
			return
		}
		consistent(t, p, xy)
		if p.Dims != 1 || len(p.Jobs) != len(p.Travel)-1 || len(p.Vehicles) == 0 {
			t.Fatalf("dims %d, %d jobs for %d locations, %d vehicles", p.Dims, len(p.Jobs), len(p.Travel), len(p.Vehicles))
		}
		for j, job := range p.Jobs {
			if job.Location != j+1 || len(job.Windows) != 1 {
				t.Fatalf("job %d at %d with %d windows", j, job.Location, len(job.Windows))
			}
		}
		if err := Check(p, oneJobRoutes(p)); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseJSON: parsing never panics, a failure is an Invalid error, and a
// problem that parses is consistent and can be served a job a route, as far
// as the vehicles go, to the checker's satisfaction.
func FuzzParseJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, xy, err := ParseJSON("f.json", strings.NewReader(text))
		if err != nil {
			if p != nil || xy != nil || !errs.Is(err, errs.Invalid) || !strings.HasPrefix(err.Error(), "f.json: ") {
				t.Fatalf("problem %v, error %v of kind %v", p != nil, err, errs.KindOf(err))
			}
			return
		}
		consistent(t, p, xy)
		if err := Check(p, oneJobRoutes(p)); err != nil {
			t.Fatal(err)
		}
	})
}

// consistent fails unless a parsed problem has consistent sizes and sane
// values.
func consistent(t *testing.T, p *Problem, xy [][2]float64) {
	t.Helper()
	if err := checkShape(p); err != nil {
		t.Fatal(err)
	}
	n := len(p.Travel)
	if n == 0 || xy != nil && len(xy) != n {
		t.Fatalf("%d locations, %d coordinates", n, len(xy))
	}
	for _, c := range xy {
		if math.IsNaN(c[0]) || math.IsNaN(c[1]) || math.IsInf(c[0], 0) || math.IsInf(c[1], 0) {
			t.Fatalf("coordinates %v", c)
		}
	}
	ids := map[string]bool{}
	for _, v := range p.Vehicles {
		if v.ID == "" || ids["v"+v.ID] || !(v.ShiftStart <= v.ShiftEnd) || v.MaxDuration < 0 || !amountOK(p.Dims, v.Capacity) {
			t.Fatalf("vehicle %+v", v)
		}
		ids["v"+v.ID] = true
	}
	for _, j := range p.Jobs {
		if j.ID == "" || ids["j"+j.ID] || !(j.Service >= 0) || !amountOK(p.Dims, j.Demand) || j.Priority < 0 {
			t.Fatalf("job %+v", j)
		}
		ids["j"+j.ID] = true
		for w, win := range j.Windows {
			if !(win.Open <= win.Close) || w > 0 && win.Open < j.Windows[w-1].Close {
				t.Fatalf("job %q windows %v", j.ID, j.Windows)
			}
		}
	}
}

// amountOK reports whether a demand or a capacity is at least 0 in the
// problem's dimensions and 0 beyond them.
func amountOK(dims int, a Amount) bool {
	for d, x := range a {
		if !(x >= 0) || math.IsInf(x, 1) || d >= dims && x != 0 {
			return false
		}
	}
	return true
}

// oneJobRoutes plans each job alone on the first vehicle left that can
// serve it, leaving at the start of its shift; the other jobs are
// unassigned. Vehicles with a max duration, which would have to leave later
// to not wait, are not used.
func oneJobRoutes(p *Problem) *Solution {
	s := &Solution{}
	used := make([]bool, len(p.Vehicles))
	for j, job := range p.Jobs {
		v := 0
		for ; v < len(p.Vehicles); v++ {
			if !used[v] && p.Vehicles[v].MaxDuration == 0 && whyNotAlone(p, v, j) == "" {
				break
			}
		}
		if v == len(p.Vehicles) {
			s.Unassigned = append(s.Unassigned, Unassigned{Job: j, Reason: "no vehicle left"})
			continue
		}
		used[v] = true
		veh := &p.Vehicles[v]
		there, back := p.Travel[veh.Start][job.Location], p.Travel[job.Location][veh.End]
		arrival := veh.ShiftStart + there
		start, _, _ := windowStart(job.Windows, arrival)
		r := Route{Vehicle: v, Depart: veh.ShiftStart, Stops: []Stop{{Job: j, Arrival: arrival, Start: start}},
			Return: start + job.Service + back, Distance: there + back}
		s.Routes = append(s.Routes, r)
		s.Distance += r.Distance
	}
	return s
}
