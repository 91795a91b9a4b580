package main

import (
	"encoding/json"
	"strings"
	"testing"

	"outbreak/internal/supply"
)

// TestSupplyPlanAndDispatch plans the day after a sim city's period,
// saves the plan, dispatches it, and checks that its picks left stock and
// that it cannot be dispatched twice.
func TestSupplyPlanAndDispatch(t *testing.T) {
	t.Parallel()
	_, data := simCity(t, "3000")
	const day = "2026-11-16" // the sim's delivery day: its period ends at 2026-11-15T00:00Z
	out, _, err := outbreak(t, nil, "supply", "--data", data, "--date", day, "--at", "2026-11-15T00:00:00Z", "--time-limit", "300ms", "--save", "--format", "json", "plan")
	if err != nil {
		t.Fatal(err)
	}
	var plan supply.Plan
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if !plan.Checked || plan.Status != supply.Draft || len(plan.Routes) == 0 {
		t.Fatalf("plan %s: checked %v, status %s, %d routes", plan.ID, plan.Checked, plan.Status, len(plan.Routes))
	}
	taken := map[string]int{}
	for _, rt := range plan.Routes {
		for _, st := range rt.Stops {
			if !st.SlotFrom.IsZero() && (st.Start.Before(st.SlotFrom) || st.Start.After(st.SlotTo)) {
				t.Errorf("%s starts at %s, outside its slot", st.Request, st.Start)
			}
			for _, pk := range st.Picks {
				taken[pk.Lot] += pk.Quantity
			}
		}
	}
	before := stock(t, data)

	text, _, err := outbreak(t, nil, "supply", "--data", data, "--at", "2026-11-15T01:00:00Z", "dispatch", plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "(dispatched)") {
		t.Errorf("dispatch printed:\n%s", text)
	}
	after := stock(t, data)
	for lot, q := range before {
		if after[lot] != q-taken[lot] {
			t.Errorf("lot %s: %d before, %d taken, %d after", lot, q, taken[lot], after[lot])
		}
	}
	if _, _, err := outbreak(t, nil, "supply", "--data", data, "--at", "2026-11-15T01:00:00Z", "dispatch", plan.ID); err == nil || !strings.Contains(err.Error(), "draft") {
		t.Errorf("a second dispatch: %v", err)
	}
	// The dispatched requests are no longer open: a new plan leaves them out.
	out, _, err = outbreak(t, nil, "supply", "--data", data, "--date", day, "--at", "2026-11-15T00:00:00Z", "--iterations", "50", "--format", "json", "plan")
	if err != nil {
		t.Fatal(err)
	}
	var next supply.Plan
	if err := json.Unmarshal([]byte(out), &next); err != nil {
		t.Fatal(err)
	}
	for _, rt := range next.Routes {
		for _, st := range rt.Stops {
			for _, old := range plan.Routes {
				for _, o := range old.Stops {
					if o.Request == st.Request {
						t.Errorf("%s is planned again after being dispatched", st.Request)
					}
				}
			}
		}
	}
}

// stock returns the quantity of each lot in a data directory.
func stock(t *testing.T, data string) map[string]int {
	t.Helper()
	out, _, err := outbreak(t, nil, "export", "--data", data, "stock")
	if err != nil {
		t.Fatal(err)
	}
	q := map[string]int{}
	for _, row := range readCSV(t, out) {
		var n int
		if err := json.Unmarshal([]byte(row["quantity"]), &n); err != nil {
			t.Fatal(err)
		}
		q[row["id"]] = n
	}
	return q
}
