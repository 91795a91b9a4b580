package errs

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestKindsAndStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err    error
		kind   Kind
		field  string
		status int
		text   string
	}{
		{Field("check_out", "before check_in"), Invalid, "check_out", http.StatusUnprocessableEntity, "check_out: before check_in"},
		{fmt.Errorf("visits.csv:3: %w", Field("place", "unknown place %q", "v9")), Invalid, "place", 422, `visits.csv:3: place: unknown place "v9"`},
		{E(NotFound, "person %q not found", "r1"), NotFound, "", http.StatusNotFound, `person "r1" not found`},
		{Wrap(Conflict, errors.New("UNIQUE constraint failed"), "already exists"), Conflict, "", http.StatusConflict, "already exists: UNIQUE constraint failed"},
		{E(Unavailable, "closing"), Unavailable, "", http.StatusServiceUnavailable, "closing"},
		{errors.New("disk on fire"), Internal, "", http.StatusInternalServerError, "disk on fire"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			if KindOf(tt.err) != tt.kind || FieldOf(tt.err) != tt.field || Status(tt.err) != tt.status || tt.err.Error() != tt.text {
				t.Fatalf("%v: kind %v field %q status %d, want %v %q %d", tt.err, KindOf(tt.err), FieldOf(tt.err), Status(tt.err), tt.kind, tt.field, tt.status)
			}
		})
	}
	if Is(nil, Internal) {
		t.Fatal("Is(nil, Internal) = true")
	}
}
