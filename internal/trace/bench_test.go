package trace_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"outbreak/internal/cases"
	"outbreak/internal/record"
	"outbreak/internal/sqlstore/benchdata"
	"outbreak/internal/trace"
)

// BenchmarkTraceCity traces 1,000 new cases (OUTBREAK_BENCH_CASES) in a
// stored city (see benchdata.Open), degree 1 and 2, on every core: residents
// spread evenly over the city, each with onset two days before the instant,
// traced against them and the cases stored.
func BenchmarkTraceCity(b *testing.B) {
	db, now := benchdata.Open(b)
	ctx := context.Background()
	var cs []cases.Case
	for f := (cases.Filter{Page: record.Page{Limit: 10000}}); ; {
		page, next, err := db.Cases(ctx, f)
		if err != nil {
			b.Fatal(err)
		}
		cs = append(cs, page...)
		if f.After = next; next == "" {
			break
		}
	}
	var people []string
	err := db.EachResident(ctx, func(id, _ string) error {
		people = append(people, id)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	n := 1000
	if s := os.Getenv("OUTBREAK_BENCH_CASES"); s != "" {
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	var todo []cases.Case
	for i := 0; i < len(people) && len(todo) < n; i += max(1, len(people)/n) {
		todo = append(todo, cases.Case{ID: "new-" + people[i], Person: people[i], Onset: now.Add(-48 * time.Hour)})
	}
	known := append(trace.Known(cs, now), todo...)
	rules := trace.DefaultRules()
	var found int
	b.ResetTimer()
	for b.Loop() {
		idx, err := db.TraceIndex(ctx, rules.DefaultDwell)
		if err != nil {
			b.Fatal(err)
		}
		found = 0
		err = trace.Each(ctx, idx, rules, now, known, todo, runtime.GOMAXPROCS(0), func(_ string, es []trace.Exposure, _ time.Time) error {
			found += len(es)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(todo)*b.N)/b.Elapsed().Seconds(), "cases/s")
	b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(len(todo)*b.N), "ms/case")
	b.ReportMetric(float64(found)/float64(len(todo)), "exposures/case")
}
