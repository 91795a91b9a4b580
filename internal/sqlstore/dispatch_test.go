package sqlstore

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/errs"
	"outbreak/internal/supply"
)

// supplyState is what a dispatch may change: stock, requests and plans.
type supplyState struct {
	Lots     []supply.Lot
	Requests []supply.Request
	Plans    []supply.Plan
}

func stateOf(t *testing.T, db *DB) supplyState {
	t.Helper()
	ctx := context.Background()
	var s supplyState
	var err error
	if s.Lots, err = supply.All(ctx, supply.Filter{}, db.Lots); err != nil {
		t.Fatal(err)
	}
	if s.Requests, err = supply.All(ctx, supply.Filter{}, db.Requests); err != nil {
		t.Fatal(err)
	}
	plans, err := supply.All(ctx, supply.Filter{}, db.Plans)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plans {
		whole, err := db.Plan(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		s.Plans = append(s.Plans, whole)
	}
	return s
}

func quantities(t *testing.T, db *DB) map[string]int {
	t.Helper()
	lots, err := supply.All(context.Background(), supply.Filter{}, db.Lots)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, l := range lots {
		out[l.ID] = l.Quantity
	}
	return out
}

func TestDispatchPlan(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		supplies(t, db)
		at := t0.Add(20 * time.Hour)
		save := func(p *supply.Plan) {
			t.Helper()
			if err := db.SavePlan(ctx, p); err != nil {
				t.Fatal(err)
			}
		}

		// Plans that cannot go out, each failing after some of its changes
		// were made in the transaction: nothing of them may stay.
		cancelled := testPlan("p.cancelled") // q1 then q4, which is cancelled
		cancelled.Routes[1].Stops[0].Request = "q4"
		short := testPlan("p.short") // lA.food, then lA.vax.2 which holds 10
		short.Routes[0].Stops[1].Picks[1].Quantity = 11
		unknownLot := testPlan("p.nolot")
		unknownLot.Routes[0].Stops[0].Picks[0].Lot = "lA.gone"
		unknownRequest := testPlan("p.noreq")
		unknownRequest.Routes[0].Stops[0].Request = "q9"
		for _, p := range []*supply.Plan{cancelled, short, unknownLot, unknownRequest} {
			save(p)
		}
		before := stateOf(t, db)
		for _, tt := range []struct{ plan, name string }{
			{"p.cancelled", `request "q4" is cancelled`},
			{"p.short", `lot "lA.vax.2" holds 10, not the 11`},
			{"p.nolot", `lot "lA.gone" is not stored`},
			{"p.noreq", `request "q9" is not stored`},
		} {
			_, err := db.DispatchPlan(ctx, tt.plan, at)
			if !errs.Is(err, errs.Conflict) || !strings.Contains(err.Error(), tt.name) {
				t.Errorf("dispatch %s: %v, want Conflict naming %s", tt.plan, err, tt.name)
			}
			if diff := cmp.Diff(before, stateOf(t, db)); diff != "" {
				t.Fatalf("a refused dispatch of %s changed the store (-before +after):\n%s", tt.plan, diff)
			}
		}
		if _, err := db.DispatchPlan(ctx, "nope", at); !errs.Is(err, errs.NotFound) {
			t.Errorf("dispatch of an unknown plan: %v, want NotFound", err)
		}
		if _, err := db.DispatchPlan(ctx, "p.short", time.Time{}); errs.FieldOf(err) != "at" {
			t.Errorf("dispatch at the zero time: %v", err)
		}

		// A plan that can go out takes its picks and its requests.
		save(testPlan("p1"))
		got, err := db.DispatchPlan(ctx, "p1", at)
		if err != nil {
			t.Fatal(err)
		}
		want := *testPlan("p1")
		want.Status, want.Dispatched = supply.PlanDispatched, at
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("dispatched plan (-want +got):\n%s", diff)
		}
		if stored, err := db.Plan(ctx, "p1"); err != nil || !cmp.Equal(got, stored) {
			t.Errorf("stored plan (-answered +stored):\n%s%v", cmp.Diff(got, stored), err)
		}
		wantQty := map[string]int{"lA.vax.1": 30 - 12 - 4, "lA.vax.2": 10 - 2, "lA.food": 40 - 1, "lB.vax": 0}
		if diff := cmp.Diff(wantQty, quantities(t, db)); diff != "" {
			t.Errorf("stock after dispatch (-want +got):\n%s", diff)
		}
		for id, status := range map[string]string{"q1": supply.Dispatched, "q2": supply.Dispatched, "q3": supply.Dispatched, "q4": supply.Cancelled} {
			r, err := db.Request(ctx, id)
			wantPlan := "p1"
			if status == supply.Cancelled {
				wantPlan = ""
			}
			if err != nil || r.Status != status || r.Plan != wantPlan {
				t.Errorf("request %s: %+v, %v; want %s on %q", id, r, err, status, wantPlan)
			}
		}

		// Once out, neither it nor another plan of its requests goes out.
		save(testPlan("p2"))
		before = stateOf(t, db)
		if _, err := db.DispatchPlan(ctx, "p1", at); !errs.Is(err, errs.Conflict) || !strings.Contains(err.Error(), `"p1" is dispatched, not a draft`) {
			t.Errorf("second dispatch: %v, want Conflict", err)
		}
		if _, err := db.DispatchPlan(ctx, "p2", at); !errs.Is(err, errs.Conflict) || !strings.Contains(err.Error(), `request "q1" is dispatched`) {
			t.Errorf("dispatch of requests already out: %v, want Conflict", err)
		}
		if diff := cmp.Diff(before, stateOf(t, db)); diff != "" {
			t.Fatalf("a refused dispatch changed the store (-before +after):\n%s", diff)
		}
	})
}

// TestDispatchPlanOnce: of several dispatches of one plan at the same
// moment, one succeeds and stock is taken once.
func TestDispatchPlanOnce(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		supplies(t, db)
		if err := db.SavePlan(ctx, testPlan("p1")); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, conflicts := 0, 0
		for range 8 {
			wg.Go(func() {
				_, err := db.DispatchPlan(ctx, "p1", t0)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errs.Is(err, errs.Conflict):
					conflicts++
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if ok != 1 || conflicts != 7 {
			t.Fatalf("%d dispatches succeeded and %d conflicted, want 1 and 7", ok, conflicts)
		}
		if q := quantities(t, db); q["lA.vax.1"] != 14 || q["lA.food"] != 39 {
			t.Fatalf("stock after concurrent dispatches: %v", q)
		}
	})
}
