package route

import (
	"context"
	"flag"
	"fmt"
	"testing"
	"time"
)

var (
	scalingLimit      = flag.Duration("route.limit", 2*time.Second, "BenchmarkSolveScaling: the time limit of a solve")
	scalingIterations = flag.Int("route.iterations", 0, "BenchmarkSolveScaling: bound a solve by iterations instead (repeatable)")
)

// BenchmarkSolveScaling solves generated instances like Gehring and
// Homberger's, of each size and flavour, with one worker for -route.limit
// (or -route.iterations), and reports what a search step costs and what it
// reaches: µs/iter is the search's time per ruin-and-recreate step (the
// first plan, built before the search, is setup-ms), cpu-µs/iter the
// processor time (which does not count waiting for other programs), evals/iter
// the insertions it evaluates; distance, vehicles and unassigned describe the
// plan, which the checker must accept. Run it with -benchtime 1x:
//
//	go test -run '^$' -bench SolveScaling -benchtime 1x -route.limit 10s ./internal/route
func BenchmarkSolveScaling(b *testing.B) {
	for _, n := range ghSizes {
		for _, f := range ghFlavours {
			b.Run(fmt.Sprintf("n=%d/%s", n, f.name), func(b *testing.B) {
				p := generateGH(f, n)
				opt := Options{TimeLimit: *scalingLimit, Seed: 1}
				if *scalingIterations > 0 {
					opt = Options{Iterations: *scalingIterations, Seed: 1}
				}
				// The processor time of building the first plan alone,
				// to tell that of the search.
				before := cpuTime()
				newSolver(prepare(p), opt.Seed)
				setupCPU := cpuTime() - before
				var sum searchStats
				var dist, vehicles, unassigned float64
				var cpu time.Duration
				b.ResetTimer()
				for range b.N {
					before := cpuTime()
					sol, st := solve(context.Background(), p, opt)
					cpu += cpuTime() - before - setupCPU
					if err := Check(p, sol); err != nil {
						b.Fatal(err)
					}
					sum.iterations += st.iterations
					sum.evals += st.evals
					sum.setup += st.setup
					sum.search += st.search
					dist += sol.Distance
					vehicles += float64(len(sol.Routes))
					unassigned += float64(len(sol.Unassigned))
				}
				runs, it := float64(b.N), float64(max(1, sum.iterations))
				b.ReportMetric(float64(sum.search.Nanoseconds())/1e3/it, "µs/iter")
				if cpu > 0 {
					b.ReportMetric(float64(cpu.Nanoseconds())/1e3/it, "cpu-µs/iter")
				}
				b.ReportMetric(it/sum.search.Seconds(), "iters/s")
				b.ReportMetric(it/runs, "iters")
				b.ReportMetric(float64(sum.evals)/it, "evals/iter")
				b.ReportMetric(float64(sum.setup.Milliseconds())/runs, "setup-ms")
				b.ReportMetric(dist/runs, "distance")
				b.ReportMetric(vehicles/runs, "vehicles")
				b.ReportMetric(unassigned/runs, "unassigned")
			})
		}
	}
}
