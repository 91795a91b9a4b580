package trace_test

import (
	"context"
	"fmt"
	"testing"
	"time"

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

// TestEachLatest checks that EachLatest keeps, of Each's exposures, exactly
// the one that ends last per person, case person and degree.
func TestEachLatest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rules := trace.DefaultRules()
	for seed := range uint64(500) {
		c := tracetest.Random(seed)
		known := trace.Known(c.Cases, c.Now)
		idx := tracetest.NewIndex(c)
		want := map[[3]string]time.Time{}
		err := trace.Each(ctx, idx, rules, c.Now, known, known, 2, func(cp string, es []trace.Exposure, _ time.Time) error {
			for _, e := range es {
				k := [3]string{e.Person, cp, fmt.Sprint(e.Degree)}
				if e.End.After(want[k]) {
					want[k] = e.End
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got := map[[3]string]time.Time{}
		err = trace.EachLatest(ctx, idx, rules, c.Now, known, known, 2, func(cp string, es []trace.Exposure, _ time.Time) error {
			for _, e := range es {
				k := [3]string{e.Person, cp, fmt.Sprint(e.Degree)}
				if _, twice := got[k]; twice {
					t.Fatalf("seed %d: %v twice", seed, k)
				}
				got[k] = e.End
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("seed %d: (-latest of Each +EachLatest):\n%s", seed, diff)
		}
	}
}
