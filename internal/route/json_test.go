package route

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/errs"
)

type obj = map[string]any

// baseDoc is a small valid JSON problem: three locations on a line through
// the origin, 5 apart; one depot; one vehicle; two jobs.
func baseDoc() obj {
	return obj{
		"name":      "base",
		"locations": []any{obj{"x": 0, "y": 0}, obj{"x": 3, "y": 4}, obj{"x": 6, "y": 8}},
		"depots":    []any{obj{"id": "d", "location": 0}},
		"vehicles":  []any{obj{"id": "v1", "capacity": []any{10, 5}, "shift_end": 100}},
		"jobs": []any{
			obj{"id": "a", "location": 1, "demand": []any{1}, "service": 5, "windows": []any{obj{"open": 0, "close": 50}}},
			obj{"id": "b", "location": 2},
		},
	}
}

// set sets the value at a dotted path ("jobs.0.windows.0.open") of a
// document; a nil value deletes a key.
func set(doc obj, path string, v any) obj {
	keys := strings.Split(path, ".")
	var at any = doc
	for _, k := range keys[:len(keys)-1] {
		if i, err := strconv.Atoi(k); err == nil {
			at = at.([]any)[i]
		} else {
			at = at.(obj)[k]
		}
	}
	last := keys[len(keys)-1]
	if i, err := strconv.Atoi(last); err == nil {
		at.([]any)[i] = v
	} else if v == nil {
		delete(at.(obj), last)
	} else {
		at.(obj)[last] = v
	}
	return doc
}

func marshal(t *testing.T, doc obj) string {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseJSON(t *testing.T) {
	t.Parallel()
	t.Run("x/y with depots, several dimensions, windows, skills", func(t *testing.T) {
		t.Parallel()
		doc := baseDoc()
		set(doc, "vehicles", []any{
			obj{"id": "v1", "capacity": []any{10, 5}, "shift_end": 100, "skills": []any{"cold"}},
			obj{"id": "v2", "start": 2, "end": "d", "capacity": []any{20, 0}, "shift_start": 10, "shift_end": 200, "max_duration": 50},
		})
		set(doc, "jobs.0.windows", []any{obj{"open": 0, "close": 10}, obj{"open": 20, "close": 30}})
		set(doc, "jobs.1", obj{"id": "b", "location": 2, "demand": []any{2, 1}, "skills": []any{"cold"}, "optional": true, "priority": 3})
		set(doc, "jobs", append(doc["jobs"].([]any), obj{"id": "c", "location": 0, "skills": []any{"heavy"}, "optional": true}))
		p, xy, err := ParseJSON("base.json", strings.NewReader(marshal(t, doc)))
		if err != nil {
			t.Fatal(err)
		}
		want := &Problem{
			Name: "base", Dims: 2,
			Vehicles: []Vehicle{
				{ID: "v1", Capacity: Amount{10, 5}, ShiftEnd: 100, Skills: []string{"cold"}},
				{ID: "v2", Start: 2, End: 0, Capacity: Amount{20, 0}, ShiftStart: 10, ShiftEnd: 200, MaxDuration: 50},
			},
			Jobs: []Job{
				{ID: "a", Location: 1, Demand: Amount{1}, Service: 5, Windows: []Window{{0, 10}, {20, 30}}},
				{ID: "b", Location: 2, Demand: Amount{2, 1}, Skills: []string{"cold"}, Optional: true, Priority: 3},
				// No vehicle has the skill, but the job is optional.
				{ID: "c", Location: 0, Skills: []string{"heavy"}, Optional: true},
			},
			Travel: [][]float64{{0, 5, 10}, {5, 0, 5}, {10, 5, 0}},
		}
		if diff := cmp.Diff(want, p); diff != "" {
			t.Fatalf("problem (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([][2]float64{{0, 0}, {3, 4}, {6, 8}}, xy); diff != "" {
			t.Fatalf("coordinates (-want +got):\n%s", diff)
		}
	})
	t.Run("lat/lon in minutes", func(t *testing.T) {
		t.Parallel()
		// One degree of latitude is 6371 π / 180 = 111.195 km.
		km := earthRadiusKm * math.Pi / 180
		for _, tt := range []struct {
			factor, speed any
			minutes       float64
		}{
			{nil, nil, km * 1.3 / 40 * 60},
			{1.0, 60.0, km},
		} {
			doc := baseDoc()
			set(doc, "locations", []any{obj{"lat": 0, "lon": 10}, obj{"lat": 1, "lon": 10}, obj{"lat": 0, "lon": 10}})
			set(doc, "vehicles.0.shift_end", 1000)
			set(doc, "jobs.0.windows", nil)
			set(doc, "road_factor", tt.factor)
			set(doc, "speed_kmh", tt.speed)
			p, xy, err := ParseJSON("geo.json", strings.NewReader(marshal(t, doc)))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Travel[0][1]; math.Abs(got-tt.minutes) > 1e-9 || p.Travel[1][0] != got || p.Travel[0][2] != 0 {
				t.Fatalf("road factor %v, speed %v: travel %v, want %v minutes", tt.factor, tt.speed, p.Travel, tt.minutes)
			}
			if xy[1] != [2]float64{10, 1} {
				t.Fatalf("coordinates %v, want (lon, lat)", xy)
			}
		}
	})
	t.Run("a matrix alone, after a byte order mark", func(t *testing.T) {
		t.Parallel()
		doc := baseDoc()
		set(doc, "locations", nil)
		set(doc, "matrix", []any{[]any{0, 1, 2}, []any{3, 0, 4.5}, []any{5, 6, 0}})
		p, xy, err := ParseJSON("m.json", strings.NewReader("\ufeff"+marshal(t, doc)))
		if err != nil {
			t.Fatal(err)
		}
		if xy != nil || p.Travel[1][2] != 4.5 || p.Travel[2][1] != 6 {
			t.Fatalf("coordinates %v, travel %v", xy, p.Travel)
		}
	})
}

// TestParseJSONBad breaks baseDoc in every way the format refuses: the error
// is Invalid, names the field and says why.
func TestParseJSONBad(t *testing.T) {
	t.Parallel()
	type edit struct {
		path string
		v    any
	}
	tests := []struct {
		name  string
		raw   string // the input, if not baseDoc with edits
		edits []edit
		field string
		want  string
	}{
		{name: "malformed", raw: "{\"name\": \"x\",\n  \"jobs\": [}", want: "bad.json: line 2, column 12: invalid character '}'"},
		{name: "empty", raw: " ", want: "bad.json: empty, want a JSON object"},
		{name: "cut short", raw: `{"jobs": [`, want: "bad.json: unexpected end of the input"},
		{name: "more after the object", raw: "{}\n {}", want: "bad.json: line 2, column 2: more after the problem's closing brace"},
		{name: "not an object", raw: "[]", want: "bad.json: want an object, got array"},
		{name: "unknown field", edits: []edit{{"vehicle", 1}}, want: `bad.json: unknown field "vehicle"`},
		{name: "a list is an object", edits: []edit{{"jobs", obj{}}}, field: "jobs", want: "want a list, got object"},
		{name: "unknown job field", edits: []edit{{"jobs.1.colour", "red"}}, field: "jobs[1]", want: `unknown field "colour"`},
		{name: "unknown window field", edits: []edit{{"jobs.0.windows.0.from", 1}}, field: "jobs[0].windows[0]", want: `unknown field "from"`},
		{name: "service a string", edits: []edit{{"jobs.1.service", "5"}}, field: "jobs[1].service", want: "want a number, got string"},
		{name: "number out of range", raw: `{"matrix": [[0]], "jobs": [{"id": "a", "service": 1e999}]}`, field: "jobs[0].service", want: "want a number, got number 1e999"},
		{name: "location not whole", edits: []edit{{"jobs.1.location", 1.5}}, field: "jobs[1].location", want: "want a whole number, got number 1.5"},
		{name: "no locations", edits: []edit{{"locations", nil}}, field: "locations", want: "required: a non-empty list, or a matrix"},
		{name: "neither x/y nor lat/lon", edits: []edit{{"locations.1", obj{}}}, field: "locations[1]", want: "want x and y, or lat and lon"},
		{name: "x without y", edits: []edit{{"locations.1", obj{"x": 1}}}, field: "locations[1]", want: "want both x and y"},
		{name: "x/y and lat/lon", edits: []edit{{"locations.1", obj{"lat": 1, "lon": 1}}}, field: "locations[1]", want: "mixes x/y and lat/lon"},
		{name: "unknown location field", edits: []edit{{"locations.1.z", 1}}, field: "locations[1]", want: `unknown field "z"`},
		{name: "latitude out of range", edits: []edit{{"locations", []any{obj{"lat": 91, "lon": 0}}}}, field: "locations[0].lat", want: "91 is not from -90 to 90"},
		{name: "coordinate too large", edits: []edit{{"locations.2.y", 1e16}}, field: "locations[2].y", want: "too large"},
		{name: "road factor with x/y", edits: []edit{{"road_factor", 1.2}}, field: "road_factor", want: "only for lat/lon locations"},
		{name: "zero speed", edits: []edit{{"locations", []any{obj{"lat": 0, "lon": 0}, obj{"lat": 0, "lon": 0.01}, obj{"lat": 0, "lon": 0.02}}}, {"speed_kmh", 0}}, field: "speed_kmh", want: "0 is not a number above 0"},
		{name: "matrix of another size", edits: []edit{{"matrix", []any{[]any{0}}}}, field: "matrix", want: "1 rows for 3 locations"},
		{name: "ragged matrix", edits: []edit{{"locations", nil}, {"matrix", []any{[]any{0, 1, 1}, []any{1, 0}, []any{1, 1, 0}}}}, field: "matrix[1]", want: "2 entries, want 3"},
		{name: "negative travel", edits: []edit{{"locations", nil}, {"matrix", []any{[]any{0, -1, 1}, []any{1, 0, 1}, []any{1, 1, 0}}}}, field: "matrix[0][1]", want: "-1 is negative"},
		{name: "null travel", raw: `{"matrix": [[0, null], [1, 0]]}`, field: "matrix[0][1]", want: "null, want a number"},
		{name: "depot without id", edits: []edit{{"depots.0.id", nil}}, field: "depots[0].id", want: "required"},
		{name: "depot twice", edits: []edit{{"depots", []any{obj{"id": "d", "location": 0}, obj{"id": "d", "location": 1}}}}, field: "depots[1].id", want: `another depot is "d" already`},
		{name: "depot nowhere", edits: []edit{{"depots.0.location", 3}}, field: "depots[0].location", want: "no location 3: there are 3, from 0"},
		{name: "vehicle twice", edits: []edit{{"vehicles", []any{obj{"id": "v", "capacity": []any{1}, "shift_end": 9}, obj{"id": "v", "capacity": []any{1}, "shift_end": 9}}}}, field: "vehicles[1].id", want: `another vehicle is "v" already`},
		{name: "start at no depot", edits: []edit{{"vehicles.0.start", "x"}}, field: "vehicles[0].start", want: `no depot "x"`},
		{name: "start not given, two depots", edits: []edit{{"depots", []any{obj{"id": "d", "location": 0}, obj{"id": "e", "location": 1}}}}, field: "vehicles[0].start", want: "required: a location index or a depot id"},
		{name: "start at no location", edits: []edit{{"vehicles.0.start", -1}}, field: "vehicles[0].start", want: "no location -1"},
		{name: "end not an index", edits: []edit{{"vehicles.0.end", 1.5}}, field: "vehicles[0].end", want: "want a location index or a depot id, got 1.5"},
		{name: "no capacity", edits: []edit{{"vehicles.0.capacity", nil}}, field: "vehicles[0].capacity", want: "required: a list of 1 to 4 numbers"},
		{name: "five dimensions", edits: []edit{{"vehicles.0.capacity", []any{1, 1, 1, 1, 1}}}, field: "vehicles[0].capacity", want: "5 numbers, want at most 4"},
		{name: "dimensions differ", edits: []edit{{"vehicles", []any{obj{"id": "v", "capacity": []any{9}, "shift_end": 90}, obj{"id": "w", "capacity": []any{9, 9}, "shift_end": 90}}}}, field: "vehicles[1].capacity", want: "2 numbers, but vehicles[0] has 1"},
		{name: "negative capacity", edits: []edit{{"vehicles.0.capacity", []any{1, -1}}}, field: "vehicles[0].capacity[1]", want: "-1 is negative"},
		{name: "no shift end", edits: []edit{{"vehicles.0.shift_end", nil}}, field: "vehicles[0].shift_end", want: "required"},
		{name: "shift ends before it starts", edits: []edit{{"vehicles.0.shift_start", 200}}, field: "vehicles[0].shift_end", want: "100 is before shift_start 200"},
		{name: "negative max duration", edits: []edit{{"vehicles.0.max_duration", -1}}, field: "vehicles[0].max_duration", want: "-1 is negative"},
		{name: "empty skill", edits: []edit{{"vehicles.0.skills", []any{"cold", " "}}}, field: "vehicles[0].skills[1]", want: "empty skill"},
		{name: "job without id", edits: []edit{{"jobs.1.id", ""}}, field: "jobs[1].id", want: "required"},
		{name: "job twice", edits: []edit{{"jobs.1.id", "a"}}, field: "jobs[1].id", want: `another job is "a" already`},
		{name: "job without location", edits: []edit{{"jobs.1.location", nil}}, field: "jobs[1].location", want: "required: the index of a location"},
		{name: "job nowhere", edits: []edit{{"jobs.1.location", 7}}, field: "jobs[1].location", want: "no location 7"},
		{name: "demand in more dimensions", edits: []edit{{"jobs.0.demand", []any{1, 1, 1}}}, field: "jobs[0].demand", want: "3 numbers, want at most 2 as the vehicles' capacities have"},
		{name: "negative demand", edits: []edit{{"jobs.0.demand", []any{-1}}}, field: "jobs[0].demand[0]", want: "-1 is negative"},
		{name: "negative service", edits: []edit{{"jobs.0.service", -5}}, field: "jobs[0].service", want: "-5 is negative"},
		{name: "service too long", edits: []edit{{"jobs.0.service", 2e15}}, field: "jobs[0].service", want: "too large"},
		{name: "window closes before it opens", edits: []edit{{"jobs.0.windows.0", obj{"open": 30, "close": 20}}}, field: "jobs[0].windows[0]", want: "closes before it opens (20 before 30)"},
		{name: "windows overlap", edits: []edit{{"jobs.0.windows", []any{obj{"open": 10, "close": 30}, obj{"open": 20, "close": 40}}}}, field: "jobs[0].windows[1]", want: "opens at 20, before windows[0] closes at 30"},
		{name: "negative priority", edits: []edit{{"jobs.1.priority", -1}}, field: "jobs[1].priority", want: "-1 is not from 0 to 1000"},
		{name: "too high a priority", edits: []edit{{"jobs.1.priority", 1001}}, field: "jobs[1].priority", want: "1001 is not from 0 to 1000"},
		{name: "no vehicles", edits: []edit{{"vehicles", []any{}}}, field: "jobs[0]", want: `no vehicle can ever serve job "a": there are no vehicles`},
		{name: "demand above every capacity", edits: []edit{{"jobs.1.demand", []any{1, 6}}}, field: "jobs[1]", want: `no vehicle can ever serve job "b": vehicles[0] ("v1"): its demand [1 6] exceeds the capacity [10 5]`},
		{name: "skill no vehicle has", edits: []edit{{"jobs.1.skills", []any{"cold", "x"}}, {"vehicles.0.skills", []any{"x"}}}, field: "jobs[1]", want: `vehicles[0] ("v1"): it needs skill "cold" that the vehicle lacks`},
		{name: "window closes before any vehicle comes", edits: []edit{{"jobs.0.windows.0.close", 4}}, field: "jobs[0]", want: "it is reached at the earliest at 5, after its last window closes at 4"},
		{name: "windows too late for the shift", edits: []edit{{"jobs.0.windows.0", obj{"open": 96, "close": 200}}}, field: "jobs[0]", want: "served at the earliest, at 96, it gets the vehicle back at 106, after the shift ends at 100"},
		{name: "longer than the max duration", edits: []edit{{"vehicles.0.max_duration", 19.5}}, field: "jobs[1]", want: "going there, serving it and coming back takes 20, longer than the max duration 19.5"},
		{name: "several vehicles, none can", edits: []edit{{"vehicles", []any{
			obj{"id": "v1", "capacity": []any{1}, "shift_end": 100}, obj{"id": "v2", "capacity": []any{1}, "shift_end": 100},
			obj{"id": "v3", "capacity": []any{1}, "shift_end": 100}, obj{"id": "v4", "capacity": []any{1}, "shift_end": 100},
		}}, {"jobs.1.demand", []any{2}}}, field: "jobs[1]", want: `vehicles[2] ("v3"): its demand 2 exceeds the capacity 1; and 1 more vehicle`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			text := tt.raw
			if text == "" {
				doc := baseDoc()
				for _, e := range tt.edits {
					set(doc, e.path, e.v)
				}
				text = marshal(t, doc)
			}
			p, xy, err := ParseJSON("bad.json", strings.NewReader(text))
			if err == nil {
				t.Fatalf("no error; problem %+v", p)
			}
			if p != nil || xy != nil {
				t.Fatal("a problem as well as an error")
			}
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("%v: kind %v, want invalid", err, errs.KindOf(err))
			}
			if errs.FieldOf(err) != tt.field {
				t.Fatalf("%v: field %q, want %q", err, errs.FieldOf(err), tt.field)
			}
			prefix, want := tt.want, ""
			if tt.field != "" {
				prefix, want = "bad.json: "+tt.field+": ", tt.want
			}
			if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q\nwant %q…%q", err, prefix, want)
			}
		})
	}
}

// TestParseJSONDocExample parses the example in docs/route.md.
func TestParseJSONDocExample(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "route.md"))
	if err != nil {
		t.Skipf("no docs/route.md: %v", err)
	}
	_, example, ok := strings.Cut(string(b), "```json\n")
	example, _, ok2 := strings.Cut(example, "```")
	if !ok || !ok2 {
		t.Fatal("no JSON example in docs/route.md")
	}
	p, xy, err := ParseJSON("route.md", strings.NewReader(example))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "north, tuesday" || p.Dims != 2 || len(p.Vehicles) != 2 || len(p.Jobs) != 2 || len(xy) != 3 || p.Vehicles[1].End != 2 {
		t.Fatalf("%+v", p)
	}
	// Berlin to Potsdam is about 26.9 km as the crow flies: 52.5 minutes
	// at 40 km/h with a road factor of 1.3.
	if m := p.Travel[0][1]; m < 52 || m > 53 {
		t.Fatalf("Berlin to Potsdam in %v minutes", m)
	}
}
