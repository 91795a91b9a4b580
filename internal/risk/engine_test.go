package risk

import (
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/errs"
	"outbreak/internal/trace"
)

func TestEngineLoad(t *testing.T) {
	t.Parallel()
	e := NewEngine(nil)
	def := e.Policy()
	if def.Name() != "default.yaml" {
		t.Fatalf("NewEngine(nil) runs %q, want the built-in policy", def.Name())
	}
	err := e.Load("bad.yaml", []byte(rulesYAML("  - id: a\n    color: red\n    each: nope\n    reason: x\n")))
	if !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "bad.yaml:5:11: rule a: each: undeclared reference to 'nope'") {
		t.Fatalf("Load error = %v, want Invalid naming the place", err)
	}
	if e.Policy() != def {
		t.Fatal("a refused policy replaced the running one")
	}
	if err := e.Load("lenient.yaml", []byte("version: 1\nsettings: {min_overlap: 30m}\nrules: []\n")); err != nil {
		t.Fatal(err)
	}
	if got := e.Policy(); got.Name() != "lenient.yaml" || got.Rules().MinOverlap != 2*trace.DefaultRules().MinOverlap {
		t.Fatalf("running %q with %v after Load", got.Name(), got.Rules())
	}
	code, err := e.Evaluate(&Facts{Exposures: []trace.Exposure{exposure(1, "cafe", now())}}, now())
	if err != nil || code.Color != Green {
		t.Fatalf("Evaluate under a policy without rules = %v, %v, want green", code, err)
	}
}

// TestConcurrentUse evaluates from several goroutines while the policy is
// swapped; run it with -race.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	e := NewEngine(nil)
	facts := residents(2000, now())
	want := make([]Code, len(facts))
	for i := range facts {
		var err error
		if want[i], err = e.Evaluate(&facts[i], now()); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(facts); i += 4 {
				got, err := e.Evaluate(&facts[i], now())
				if err != nil {
					t.Error(err)
					return
				}
				if got.Color != want[i].Color || len(got.Reasons) != len(want[i].Reasons) {
					t.Errorf("resident %d: got %v, want %v", i, got, want[i])
					return
				}
			}
		})
	}
	wg.Go(func() {
		for range 3 {
			if err := e.Load("default.yaml", DefaultSource()); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
}

// TestSkipKeepsResults checks that skipping rules over empty lists never
// changes a code: every resident of a generated mix gets the same code with
// the analysis turned off.
func TestSkipKeepsResults(t *testing.T) {
	t.Parallel()
	p, full := Default(), Default()
	for _, r := range full.rules {
		r.skip = nil
	}
	for i, f := range residents(5000, now()) {
		got, err := p.Evaluate(&f, now())
		if err != nil {
			t.Fatal(err)
		}
		want, err := full.Evaluate(&f, now())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("resident %d: (-without skipping +with):\n%s", i, diff)
		}
	}
}
