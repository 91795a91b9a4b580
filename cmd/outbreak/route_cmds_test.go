package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// solomonDir is the benchmark data shared by the machine, outside the
// repository.
const solomonDir = "../../../shared/data/vrptw/solomon"

// clinics is a day of cold-chain deliveries in our JSON format: a depot,
// a refrigerated van that may be out three hours, and three clinics with
// slots, one of which no vehicle can reach in its slot.
const clinics = `{
  "name": "clinics",
  "locations": [{"lat": 31.10, "lon": 108.50}, {"lat": 31.12, "lon": 108.52},
                {"lat": 31.08, "lon": 108.47}, {"lat": 31.60, "lon": 109.20}],
  "depots": [{"id": "north", "location": 0}],
  "vehicles": [{"id": "cold1", "capacity": [0, 30], "shift_start": 480, "shift_end": 1080, "max_duration": 180}],
  "jobs": [
    {"id": "clinic1", "location": 1, "demand": [0, 10], "service": 15, "windows": [{"open": 540, "close": 600}]},
    {"id": "clinic2", "location": 2, "demand": [0, 10], "service": 15, "windows": [{"open": 480, "close": 1000}]},
    {"id": "far", "location": 3, "demand": [0, 5], "service": 15, "optional": true, "priority": 1}
  ]
}`

func TestRouteSolve(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := write(t, dir, "clinics.json", clinics)
	out, _, err := outbreak(t, nil, "route", "--iterations", "2000", "solve", file)
	if err != nil {
		t.Fatal(err)
	}
	var got plan
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if !got.Checked || got.VehiclesUsed != 1 || len(got.Routes[0].Stops) != 2 {
		t.Errorf("plan %+v", got)
	}
	if len(got.Unassigned) != 1 || got.Unassigned[0].Job != "far" || got.Unassigned[0].Reason == "" {
		t.Errorf("the clinic out of reach in three hours: %+v", got.Unassigned)
	}
	for _, st := range got.Routes[0].Stops {
		if st.Job == "clinic1" && (st.Start < 540 || st.Start > 600) {
			t.Errorf("clinic1 served at %v, outside 540–600", st.Start)
		}
	}
	again, _, err := outbreak(t, nil, "route", "--iterations", "2000", "solve", file)
	var second plan
	if err != nil || json.Unmarshal([]byte(again), &second) != nil || second.Distance != got.Distance {
		t.Errorf("the same seed and iterations gave %v, then %v (%v)", got.Distance, second.Distance, err)
	}
}

func TestRouteBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tt := range []struct {
		name, file, text, want string
	}{
		{"window backwards", "w.json", strings.Replace(clinics, `"open": 540, "close": 600`, `"open": 600, "close": 540`, 1),
			"jobs[0].windows[0]"},
		{"negative demand", "d.json", strings.Replace(clinics, `"demand": [0, 10], "service": 15, "windows": [{"open": 540`, `"demand": [0, -1], "service": 15, "windows": [{"open": 540`, 1),
			"jobs[0].demand"},
		{"a required job nobody can serve", "r.json", strings.Replace(clinics, `"optional": true, "priority": 1`, `"service": 0`, 1),
			"far"},
		{"solomon without its customers", "s.txt", "R101\n\nVEHICLE\nNUMBER     CAPACITY\n  25         200\n", "s.txt:6: end of file, want the CUSTOMER section"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			file := write(t, dir, tt.file, tt.text)
			_, _, err := outbreak(t, nil, "route", "--iterations", "10", "solve", file)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one naming %q", err, tt.want)
			}
		})
	}
}

func TestRouteBench(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(filepath.Join(solomonDir, "BKS.json")); err != nil {
		t.Skipf("the Solomon instances are not beside the repository, at %s; skipping", solomonDir)
	}
	dir := t.TempDir()
	for _, name := range []string{"C101.txt", "R201.txt", "BKS.json"} {
		body, err := os.ReadFile(filepath.Join(solomonDir, name))
		if err != nil {
			t.Fatal(err)
		}
		write(t, dir, name, string(body))
	}
	out, _, err := outbreak(t, nil, "route", "--iterations", "300", "bench", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"C101 ", "R201 ", "828.94", "average over 2 instances"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if strings.Count(out, " yes") != 2 {
		t.Errorf("want both plans checked:\n%s", out)
	}
}
