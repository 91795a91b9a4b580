package supply

import (
	"context"
	"testing"
	"time"

	"outbreak/internal/errs"
)

// The planner turns away bad input and a second plan before it reads the
// store, so these cases need none; making and saving plans is tested on
// real stores by the API's and the pages' tests.
func TestPlanDayRefuses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		date  string
		limit time.Duration
		field string
		msg   string
	}{
		{"no date", "", 0, "date", `date: not a date like 2026-11-24: ""`},
		{"bad date", "02/11/2026", time.Second, "date", `date: not a date like 2026-11-24: "02/11/2026"`},
		{"time limit too long", "2026-11-02", 2 * time.Hour, "time_limit", "time_limit: from 0s to 1m0s, not 2h"},
		{"negative time limit", "2026-11-02", -time.Second, "time_limit", "time_limit: from 0s to 1m0s, not -1s"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewPlanner(nil, nil).PlanDay(context.Background(), tt.date, tt.limit, 1)
			if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != tt.field || err.Error() != tt.msg {
				t.Errorf("error %v (field %q), want %s", err, errs.FieldOf(err), tt.msg)
			}
		})
	}

	t.Run("one at a time", func(t *testing.T) {
		t.Parallel()
		p := NewPlanner(nil, nil)
		p.busy <- struct{}{} // a plan under way
		_, err := p.PlanDay(context.Background(), "2026-11-02", 0, 1)
		if !errs.Is(err, errs.Unavailable) || err.Error() != "another plan is being made; try again when it is done" {
			t.Errorf("a second plan: %v", err)
		}
	})
}
