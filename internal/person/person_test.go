package person

import (
	"testing"

	"outbreak/internal/errs"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	good := Resident{ID: "r1", Name: "Li Lei", Phone: "+8613800000000", Email: "li@example.org", Language: "zh-Hans", TimeZone: "Asia/Shanghai", HomeRegion: "cn.p1"}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid resident: %v", err)
	}
	tests := []struct {
		field  string
		mutate func(*Resident)
	}{
		{"id", func(r *Resident) { r.ID = "" }},
		{"phone", func(r *Resident) { r.Phone = "13800000000" }},
		{"email", func(r *Resident) { r.Email = "li.example.org" }},
		{"language", func(r *Resident) { r.Language = "z" }},
		{"time_zone", func(r *Resident) { r.TimeZone = "Mars/Olympus" }},
		{"home_region", func(r *Resident) { r.HomeRegion = "a b" }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			t.Parallel()
			r := good
			tt.mutate(&r)
			err := r.Validate()
			if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != tt.field {
				t.Fatalf("Validate() = %v, want an Invalid error on %s", err, tt.field)
			}
		})
	}
}
