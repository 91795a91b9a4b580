package route

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
)

// ghFlavour is one class of Gehring & Homberger's extended Solomon
// instances: how customers are placed (R uniform, C in clusters, RC half
// and half), and the type: 1 a short horizon and a small capacity, so short
// routes; 2 a long horizon and a large capacity, so long ones.
type ghFlavour struct {
	name      string
	clustered float64 // the share of customers in clusters
	horizon   float64 // the depot's closing time on Solomon's 100 × 100 grid
	capacity  float64
	service   float64
	width     [2]float64 // a window's width, as a share of the horizon
}

// ghFlavours follow Solomon's classes: the capacities are Gehring and
// Homberger's, the horizons and service times Solomon's (the horizon grows
// with the grid, see ghSide), the window widths roughly those of R101–R112
// and R201–R211.
var ghFlavours = []ghFlavour{
	{"C1", 1, 1236, 200, 90, [2]float64{0.03, 0.25}},
	{"C2", 1, 3390, 700, 90, [2]float64{0.1, 0.5}},
	{"R1", 0, 230, 200, 10, [2]float64{0.03, 0.25}},
	{"R2", 0, 1000, 1000, 10, [2]float64{0.1, 0.5}},
	{"RC1", 0.5, 240, 200, 10, [2]float64{0.03, 0.25}},
	{"RC2", 0.5, 960, 1000, 10, [2]float64{0.1, 0.5}},
}

// ghSizes are the numbers of customers of the generated instances.
var ghSizes = []int{200, 400, 600, 1000}

// ghSide is the side of the square the customers of an instance of n lie
// in: Gehring and Homberger's grids grow with n (100 for Solomon's 100
// customers, 500 for 1,000).
func ghSide(n int) float64 {
	switch {
	case n <= 100:
		return 100
	case n <= 200:
		return 140
	}
	return float64(n) / 2
}

// generateGH makes an instance like Gehring and Homberger's of flavour f
// with n customers, the same for the same arguments: integer coordinates,
// demands from 1 to 40, Euclidean travel times (not rounded), n/4 vehicles
// at the depot in the middle of the grid. Three customers in four have a
// window drawn around a random time, the others the widest window; every
// window can be reached from the depot leaving at 0, served, and left in
// time to be back by the horizon, so each customer fits a vehicle alone.
func generateGH(f ghFlavour, n int) *Problem {
	seed := uint64(n)
	for _, c := range f.name {
		seed = seed*131 + uint64(c)
	}
	rng := rand.New(rand.NewPCG(seed, 0x6768))
	side := ghSide(n)
	scale := side / 100
	horizon := math.Round(f.horizon * scale)

	xy := make([][2]float64, n+1)
	xy[0] = [2]float64{math.Round(side / 2), math.Round(side / 2)}
	centres := make([][2]float64, max(1, n/10))
	for i := range centres {
		centres[i] = [2]float64{side * (0.1 + 0.8*rng.Float64()), side * (0.1 + 0.8*rng.Float64())}
	}
	clamp := func(x float64) float64 { return math.Round(math.Min(side, math.Max(0, x))) }
	for i := 1; i <= n; i++ {
		if rng.Float64() < f.clustered {
			c := centres[rng.IntN(len(centres))]
			xy[i] = [2]float64{clamp(c[0] + rng.NormFloat64()*side/50), clamp(c[1] + rng.NormFloat64()*side/50)}
		} else {
			xy[i] = [2]float64{clamp(rng.Float64() * side), clamp(rng.Float64() * side)}
		}
	}

	p := &Problem{Name: f.name + "_" + strconv.Itoa(n), Dims: 1, Travel: make([][]float64, n+1)}
	for a := range xy {
		p.Travel[a] = make([]float64, n+1)
		for b := range xy {
			p.Travel[a][b] = math.Hypot(xy[a][0]-xy[b][0], xy[a][1]-xy[b][1])
		}
	}
	for v := range n / 4 {
		p.Vehicles = append(p.Vehicles, Vehicle{ID: strconv.Itoa(v + 1), Capacity: Amount{f.capacity}, ShiftEnd: horizon})
	}
	for i := 1; i <= n; i++ {
		d := p.Travel[0][i]
		lo, hi := math.Ceil(d), math.Floor(horizon-d-f.service)
		w := Window{Open: 0, Close: hi}
		if rng.Float64() < 0.75 {
			mid := lo + math.Floor(rng.Float64()*(hi-lo+1))
			half := math.Round(horizon * (f.width[0] + rng.Float64()*(f.width[1]-f.width[0])) / 2)
			w = Window{Open: math.Max(0, mid-half), Close: math.Min(hi, mid+half)}
		}
		p.Jobs = append(p.Jobs, Job{ID: strconv.Itoa(i), Location: i, Demand: Amount{float64(1 + rng.IntN(40))},
			Service: f.service, Windows: []Window{w}})
	}
	return p
}

// TestGenerateGH: the generator is repeatable, and each customer of each
// flavour can be served alone by a vehicle.
func TestGenerateGH(t *testing.T) {
	t.Parallel()
	for _, f := range ghFlavours {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			p := generateGH(f, 200)
			if err := checkShape(p); err != nil {
				t.Fatal(err)
			}
			if len(p.Jobs) != 200 || len(p.Vehicles) != 50 {
				t.Fatalf("%d jobs and %d vehicles", len(p.Jobs), len(p.Vehicles))
			}
			for j := range p.Jobs {
				if why := whyNotAlone(p, 0, j); why != "" {
					t.Fatalf("job %d: %s", j, why)
				}
			}
			if !reflect.DeepEqual(p, generateGH(f, 200)) {
				t.Fatal("two generations differ")
			}
		})
	}
}
