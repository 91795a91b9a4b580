package trace_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"outbreak/internal/cases"
	"outbreak/internal/record"
	"outbreak/internal/seal"
	"outbreak/internal/sqlstore"
	"outbreak/internal/trace"
)

// BenchmarkTraceCity traces 1,000 new cases (OUTBREAK_BENCH_CASES) in a stored city, degree 1 and
// 2, as of OUTBREAK_BENCH_AT (default now), on every core: residents spread
// evenly over the city, each with onset two days before that instant, traced
// against them and the cases stored. The city is the data directory in
// OUTBREAK_BENCH_DATA (e.g. made by `outbreak sim` and `outbreak import`);
// PostgreSQL when OUTBREAK_BENCH_DB names one.
func BenchmarkTraceCity(b *testing.B) {
	dir := os.Getenv("OUTBREAK_BENCH_DATA")
	if dir == "" {
		b.Skip("OUTBREAK_BENCH_DATA names no data directory with a city to trace")
	}
	ctx := context.Background()
	ring, err := seal.Open(filepath.Join(dir, "keys", "seal"))
	if err != nil {
		b.Fatal(err)
	}
	db, err := sqlstore.Open(ctx, sqlstore.Config{Dir: dir, URL: os.Getenv("OUTBREAK_BENCH_DB"), Sealer: ring})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	if at := os.Getenv("OUTBREAK_BENCH_AT"); at != "" {
		if now, err = record.ParseTime("at", at); err != nil {
			b.Fatal(err)
		}
	}
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
	err = db.EachResident(ctx, func(id, _ string) error {
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
