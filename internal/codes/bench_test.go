package codes_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"outbreak/internal/codes"
	"outbreak/internal/risk"
	"outbreak/internal/sqlstore/benchdata"
)

// BenchmarkFullRecompute computes every resident's code of a stored city
// (see benchdata.Open): tracing every case, reading every resident's facts
// and evaluating the built-in policy for each, as a server does when it
// starts.
func BenchmarkFullRecompute(b *testing.B) {
	db, now := benchdata.Open(b)
	ctx := context.Background()
	policy := risk.Default()
	for b.Loop() {
		start := time.Now()
		snap, err := codes.Load(ctx, db, policy.Rules(), now, runtime.GOMAXPROCS(0))
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
