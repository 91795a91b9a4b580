package trace

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/place"
	"outbreak/internal/visit"
)

func TestRegionStays(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	regions := []place.Region{{ID: "cn", Kind: "country"}, {ID: "gd", Parent: "cn", Kind: "province"}, {ID: "gz", Parent: "gd", Kind: "city"}}
	stay := visit.Stay{Person: "p", Region: "gz", From: at(0), To: at(180)}
	now := at(10000)
	for _, tt := range []struct {
		name   string
		levels []place.Level
		stay   visit.Stay
		now    time.Time
		want   []RegionStay
	}{
		{"no levels", nil, stay, now, nil},
		{"ancestor high beats own low", []place.Level{{Region: "cn", Level: "high", From: at(-60)}, {Region: "gz", Level: "low", From: at(-60)}}, stay, now,
			[]RegionStay{{Person: "p", Region: "gz", Level: "high", Start: at(0), End: at(180), StayEnd: at(180)}}},
		{"exactly the minimum counts", []place.Level{{Region: "gz", Level: "medium", From: at(120)}}, stay, now,
			[]RegionStay{{Person: "p", Region: "gz", Level: "medium", Start: at(120), End: at(180), StayEnd: at(180)}}},
		{"a minute short", []place.Level{{Region: "gz", Level: "high", From: at(121)}}, stay, now, nil},
		{"medium then high count together as medium", []place.Level{{Region: "gd", Level: "medium", From: at(100), To: at(140)}, {Region: "gz", Level: "high", From: at(140)}}, stay, now,
			[]RegionStay{{Person: "p", Region: "gz", Level: "medium", Start: at(100), End: at(180), StayEnd: at(180)}}},
		{"a high period inside a medium one", []place.Level{{Region: "cn", Level: "medium", From: at(-100)}, {Region: "gz", Level: "high", From: at(30), To: at(100)}}, stay, now,
			[]RegionStay{{Person: "p", Region: "gz", Level: "high", Start: at(30), End: at(100), StayEnd: at(180)}}},
		{"a level set after now is not known", []place.Level{{Region: "gz", Level: "high", From: at(0)}}, stay, at(-1), nil},
		{"a stay that lasts ends at now", []place.Level{{Region: "gz", Level: "high", From: at(0)}}, visit.Stay{Person: "p", Region: "gz", From: at(0)}, at(90),
			[]RegionStay{{Person: "p", Region: "gz", Level: "high", Start: at(0), End: at(90)}}},
		{"a level that ended before the stay", []place.Level{{Region: "gz", Level: "high", From: at(-200), To: at(0)}}, stay, now, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := NewRegions(regions, tt.levels).Stays(tt.stay, DefaultRules(), tt.now)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
