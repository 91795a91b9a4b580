package cases

import (
	"testing"
	"time"

	"outbreak/internal/errs"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	c := Case{Person: "r1", Onset: t0}
	if err := c.Validate(); err != nil || c.ID != "r1" {
		t.Fatalf("a case without an ID: %+v, %v; want the person's ID", c, err)
	}
	for _, tt := range []struct {
		c     Case
		field string
	}{
		{Case{Person: "r1"}, "onset"},
		{Case{Person: "r1", Onset: t0, Released: t0.Add(time.Hour)}, "released"},
		{Case{Person: "r1", Onset: t0, Isolated: t0.Add(2 * time.Hour), Released: t0.Add(time.Hour)}, "released"},
		{Case{ID: "a b", Person: "r1", Onset: t0}, "id"},
	} {
		if err := tt.c.Validate(); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != tt.field {
			t.Errorf("%+v: Validate() = %v, want field %q", tt.c, err, tt.field)
		}
	}
}
