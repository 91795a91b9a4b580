package lab

import (
	"testing"
	"time"

	"outbreak/internal/errs"
)

var t0 = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		v     interface{ Validate() error }
		field string
	}{
		{"result", &Result{Person: "r1", SpecimenAt: t0, Result: Positive, TestType: "pcr"}, ""},
		{"result kind", &Result{Person: "r1", SpecimenAt: t0, Result: "maybe", TestType: "pcr"}, "result"},
		{"result time", &Result{Person: "r1", Result: Negative, TestType: "pcr"}, "specimen_at"},
		{"test type", &Result{Person: "r1", SpecimenAt: t0, Result: Negative}, "test_type"},
		{"vaccination", &Vaccination{Person: "r1", GivenAt: t0, Product: "CoronaVac", Dose: 1}, ""},
		{"dose", &Vaccination{Person: "r1", GivenAt: t0, Product: "CoronaVac", Dose: 0}, "dose"},
		{"product", &Vaccination{Person: "r1", GivenAt: t0, Dose: 1}, "product"},
		{"declaration", &Declaration{Person: "r1", DeclaredAt: t0, Symptoms: []string{"fever"}}, ""},
		{"well", &Declaration{Person: "r1", DeclaredAt: t0}, ""},
		{"symptom with ;", &Declaration{Person: "r1", DeclaredAt: t0, Symptoms: []string{"fever;cough"}}, "symptoms"},
		{"empty symptom", &Declaration{Person: "r1", DeclaredAt: t0, Symptoms: []string{""}}, "symptoms"},
		{"no person", &Declaration{DeclaredAt: t0}, "person"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.v.Validate()
			if tt.field == "" && err != nil || tt.field != "" && (!errs.Is(err, errs.Invalid) || errs.FieldOf(err) != tt.field) {
				t.Fatalf("Validate() = %v, want field %q", err, tt.field)
			}
		})
	}
}
