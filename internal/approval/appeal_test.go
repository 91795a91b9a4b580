package approval

import (
	"testing"
	"time"

	"outbreak/internal/errs"
)

func TestAppealValidate(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	ok := Appeal{ID: "a1", Person: "r1", Status: Approved, Color: "green", Decided: t0, Expires: t0.Add(time.Hour)}
	for _, tt := range []struct {
		name  string
		edit  func(*Appeal)
		field string
	}{
		{"approved", func(*Appeal) {}, ""},
		{"pending", func(a *Appeal) { *a = Appeal{ID: "a1", Person: "r1", Status: Pending, Reason: "I was not there"} }, ""},
		{"denied", func(a *Appeal) { a.Status, a.Color, a.Expires = Denied, "", time.Time{} }, ""},
		{"no id", func(a *Appeal) { a.ID = "" }, "id"},
		{"unknown status", func(a *Appeal) { a.Status = "maybe" }, "status"},
		{"pending with a color", func(a *Appeal) { a.Status = Pending }, "status"},
		{"approved without color", func(a *Appeal) { a.Color = "" }, "color"},
		{"approved without expiry", func(a *Appeal) { a.Expires = time.Time{} }, "expires"},
		{"expires before decided", func(a *Appeal) { a.Expires = t0 }, "expires"},
		{"denied undecided", func(a *Appeal) { a.Status, a.Decided = Denied, time.Time{} }, "decided"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := ok
			tt.edit(&a)
			err := a.Validate()
			if tt.field == "" && err != nil || tt.field != "" && (!errs.Is(err, errs.Invalid) || errs.FieldOf(err) != tt.field) {
				t.Fatalf("Validate() = %v, want field %q", err, tt.field)
			}
		})
	}
}
