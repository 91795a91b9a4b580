package trace_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"outbreak/internal/trace"
	"outbreak/internal/trace/tracetest"
)

// TestOracle compares the engine with brute force on random cities made to
// hit the rules' edges. The index scans everything, so this pins down the
// engine; the store's indexes are compared in sqlstore.
func TestOracle(t *testing.T) {
	t.Parallel()
	rules := trace.DefaultRules()
	found := 0
	for seed := range uint64(3000) {
		c := tracetest.Random(seed)
		want := tracetest.Oracle(c, rules)
		known := trace.Known(c.Cases, c.Now)
		got, err := trace.Run(context.Background(), tracetest.NewIndex(c), rules, c.Now, known, known, 2)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("seed %d: engine differs from oracle (-want +got):\n%s", seed, diff)
		}
		found += len(want)
	}
	if found < 3000 {
		t.Fatalf("random cities gave only %d exposures; they no longer test much", found)
	}
}
