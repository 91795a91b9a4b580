package codes

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"outbreak/internal/record"
	"outbreak/internal/risk"
	"outbreak/internal/seal"
	"outbreak/internal/sqlstore"
)

// BenchmarkFullRecompute computes every resident's code of a stored city as
// of OUTBREAK_BENCH_AT (default now): tracing every case, reading every
// resident's facts and evaluating the built-in policy for each, as a server
// does when it starts. The city is the data directory in OUTBREAK_BENCH_DATA.
func BenchmarkFullRecompute(b *testing.B) {
	dir := os.Getenv("OUTBREAK_BENCH_DATA")
	if dir == "" {
		b.Skip("OUTBREAK_BENCH_DATA names no data directory with a city")
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
	policy := risk.Default()
	for b.Loop() {
		start := time.Now()
		snap, err := Load(ctx, db, policy.Rules(), now, runtime.GOMAXPROCS(0))
		if err != nil {
			b.Fatal(err)
		}
		loaded := time.Since(start)
		colors := map[string]int{}
		residents := 0
		err = snap.Evaluate(ctx, db, policy, func(_ string, c risk.Code) error {
			colors[c.Color]++
			residents++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(loaded.Seconds(), "s-load")
		b.ReportMetric(time.Since(start).Seconds()-loaded.Seconds(), "s-evaluate")
		b.ReportMetric(float64(residents), "residents")
		b.ReportMetric(float64(colors["red"]), "red")
		b.ReportMetric(float64(colors["yellow"]), "yellow")
	}
}
