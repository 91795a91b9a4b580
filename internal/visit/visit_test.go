package visit

import (
	"testing"
	"time"

	"outbreak/internal/errs"
)

var t0 = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

func TestVisitValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		v     Visit
		field string // "" = valid
	}{
		{"no check-out", Visit{Person: "r1", Place: "v1", CheckIn: t0}, ""},
		{"zero-length", Visit{Person: "r1", Place: "v1", CheckIn: t0, CheckOut: t0}, ""},
		{"no person", Visit{Place: "v1", CheckIn: t0}, "person"},
		{"bad place", Visit{Person: "r1", Place: "v 1", CheckIn: t0}, "place"},
		{"no check-in", Visit{Person: "r1", Place: "v1"}, "check_in"},
		{"out before in", Visit{Person: "r1", Place: "v1", CheckIn: t0, CheckOut: t0.Add(-time.Second)}, "check_out"},
		{"over a week", Visit{Person: "r1", Place: "v1", CheckIn: t0, CheckOut: t0.Add(MaxVisit + time.Second)}, "check_out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.v.Validate()
			if tt.field == "" && err != nil || tt.field != "" && (!errs.Is(err, errs.Invalid) || errs.FieldOf(err) != tt.field) {
				t.Fatalf("Validate() = %v, want field %q", err, tt.field)
			}
		})
	}
	// Instants are kept in UTC to the microsecond.
	v := Visit{Person: "r1", Place: "v1", CheckIn: t0.In(time.FixedZone("CST", 8*3600)).Add(1500 * time.Nanosecond)}
	if err := v.Validate(); err != nil || v.CheckIn.Location() != time.UTC || v.CheckIn.Nanosecond() != 1000 {
		t.Fatalf("normalised check-in %v, %v", v.CheckIn, err)
	}
}

func TestStayValidate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		s     Stay
		field string
	}{
		{Stay{Person: "r1", Region: "cn", From: t0}, ""},
		{Stay{Person: "r1", Region: "cn", From: t0, To: t0.Add(-time.Hour)}, "to"},
		{Stay{Person: "r1", Region: "", From: t0}, "region"},
		{Stay{Person: "r1", Region: "cn"}, "from"},
	} {
		err := tt.s.Validate()
		if tt.field == "" && err != nil || tt.field != "" && errs.FieldOf(err) != tt.field {
			t.Errorf("%+v: Validate() = %v, want field %q", tt.s, err, tt.field)
		}
	}
}
