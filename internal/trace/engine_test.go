package trace_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
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

// TestHorizon checks the instant Each gives with each case person's
// exposures, by brute force: before it, nothing but the passing of time
// happens to them (their intervals may grow, none begins or ends), unless a
// case's dates or a visit that begins later come first, which the keeper
// follows on its own.
func TestHorizon(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rules := trace.DefaultRules()
	checked := 0
	for seed := range uint64(1500) {
		c := tracetest.Random(seed)
		// The next instant after now at which a case or a visit is dated.
		var stop time.Time
		soonest := func(ts ...time.Time) {
			for _, x := range ts {
				if x.After(c.Now) && (stop.IsZero() || x.Before(stop)) {
					stop = x
				}
			}
		}
		for _, k := range c.Cases {
			soonest(k.Onset, k.Isolated, k.Released)
		}
		for _, v := range c.Visits {
			soonest(v.CheckIn)
		}
		keys := func(es []trace.Exposure) map[string]bool {
			m := map[string]bool{}
			for _, e := range es {
				m[fmt.Sprint(e.Person, e.CasePerson, e.Degree, e.Via, e.Place, e.Start)] = true
			}
			return m
		}
		known := trace.Known(c.Cases, c.Now)
		err := trace.Each(ctx, tracetest.NewIndex(c), rules, c.Now, known, known, 1, func(cp string, es []trace.Exposure, h time.Time) error {
			end := h
			if end.IsZero() || !stop.IsZero() && stop.Before(end) {
				end = stop
			}
			if end.IsZero() {
				end = c.Now.Add(30 * 24 * time.Hour)
			}
			for _, at := range []time.Time{c.Now.Add(end.Sub(c.Now) / 2), end.Add(-time.Microsecond)} {
				later := c
				later.Now = at
				var then []trace.Exposure
				for _, e := range tracetest.Oracle(later, rules) {
					if e.CasePerson == cp {
						then = append(then, e)
					}
				}
				if diff := cmp.Diff(keys(es), keys(then), cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("seed %d: the exposures to %s change at %v, before the horizon %v (-now +then):\n%s", seed, cp, at, h, diff)
				}
				checked++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d checks", checked)
	}
}

// TestTraceSome checks that tracing some people's secondary exposures
// against the sources a whole trace kept gives exactly those of them that
// the whole trace gives, leaving out the case persons and their close
// contacts.
func TestTraceSome(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rules := trace.DefaultRules()
	found := 0
	for seed := range uint64(1500) {
		c := tracetest.Random(seed)
		idx := tracetest.NewIndex(c)
		known := trace.Known(c.Cases, c.Now)
		var people []int64
		for _, r := range c.Residents {
			key, err := idx.PersonKey(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			people = append(people, key)
		}
		whole := map[int64]trace.Traced{}
		err := trace.EachLatestKeys(ctx, idx, rules, c.Now, known, known, 2, func(tr trace.Traced) error {
			whole[tr.Person] = tr
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(seed, 3))
		some := map[string]trace.Some{}
		for _, k := range known {
			key, _ := idx.PersonKey(ctx, k.Person)
			var ps []int64
			for _, p := range people {
				if rng.IntN(2) == 0 {
					ps = append(ps, p)
				}
			}
			if srcs := whole[key].Sources; len(srcs) == 1 {
				some[k.Person] = trace.Some{People: ps, Sources: srcs[0]}
			}
		}
		err = trace.EachSomeKeys(ctx, idx, rules, c.Now, known, known, some, 2, func(tr trace.Traced) error {
			if tr.Whole {
				return nil
			}
			var want []trace.Contact
			for _, x := range whole[tr.Person].Contacts {
				if slices.Contains(tr.People, x.Person) {
					want = append(want, x)
				}
				if x.Degree == 1 && slices.Contains(tr.People, x.Person) {
					t.Fatalf("seed %d: close contact %d traced again", seed, x.Person)
				}
			}
			if diff := cmp.Diff(want, tr.Contacts, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("seed %d, case person %d, people %v (-whole +some):\n%s", seed, tr.Person, tr.People, diff)
			}
			found += len(want)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if found < 400 {
		t.Fatalf("only %d exposures compared", found)
	}
}
