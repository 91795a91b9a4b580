package trace

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/cases"
)

func TestChains(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	day := func(d int) time.Time { return t0.AddDate(0, 0, d) }
	cs := []cases.Case{{Person: "a", Onset: day(0)}, {Person: "b", Onset: day(5)}, {Person: "c", Onset: day(9)}, {Person: "d", Onset: day(9)}, {Person: "z", Onset: day(1)}}
	es := []Exposure{
		{Person: "b", CasePerson: "a", Degree: 1, Place: "v1", Start: day(1), End: day(1).Add(time.Hour)},
		{Person: "b", CasePerson: "a", Degree: 2, Via: "x", Place: "v2", Start: day(0), End: day(0).Add(time.Hour)},
		{Person: "c", CasePerson: "b", Degree: 1, Place: "v3", Start: day(4), End: day(4).Add(time.Hour)},
		{Person: "d", CasePerson: "a", Degree: 2, Via: "x", Place: "v2", Start: day(2), End: day(2).Add(time.Hour)},
		{Person: "q", CasePerson: "a", Degree: 1, Place: "v1", Start: day(1), End: day(1).Add(time.Hour)}, // not a case
	}
	got := Chains(cs, es)
	want := []Cluster{{
		ID: "cluster-a",
		Cases: []Member{{Person: "a", Onset: day(0)}, {Person: "b", Onset: day(5), Generation: 1}, {Person: "d", Onset: day(9), Generation: 1},
			{Person: "c", Onset: day(9), Generation: 2}},
		Links: []Link{
			{From: "a", To: "b", Degree: 1, Place: "v1", Start: day(1), End: day(1).Add(time.Hour)},
			{From: "a", To: "d", Degree: 2, Via: "x", Place: "v2", Start: day(2), End: day(2).Add(time.Hour)},
			{From: "b", To: "c", Degree: 1, Place: "v3", Start: day(4), End: day(4).Add(time.Hour)},
		},
		Places: []string{"v1", "v2", "v3"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
