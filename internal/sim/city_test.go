package sim

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCity generates one mid-sized city and checks its files against the formats in
// DESIGN.md and against each other.
func TestCity(t *testing.T) {
	t.Parallel()
	cfg := Config{People: 20000, Days: 14, Seed: 7}
	dir := t.TempDir()
	sum, err := Write(context.Background(), cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	c := loadCity(t, dir, cfg)
	for name, rows := range map[string]int{
		"regions.csv": sum.Regions, "region_levels.csv": sum.RegionLevels, "places.csv": sum.Places,
		"residents.csv": sum.Residents, "visits.csv": sum.Visits, "stays.csv": sum.Stays,
		"labs.csv": sum.Labs, "vaccinations.csv": sum.Vaccinations, "declarations.csv": sum.Declarations,
		"cases.csv": sum.Cases, "infections.csv": sum.Infections, "appeals.csv": sum.Appeals,
	} {
		if len(c.tables[name]) != rows {
			t.Errorf("%s has %d rows, Summary says %d", name, len(c.tables[name]), rows)
		}
	}
	t.Logf("%+v", sum)
	t.Run("references", c.testReferences)
	t.Run("times", c.testTimes)
	t.Run("visits", c.testVisits)
	t.Run("ground truth", c.testGroundTruth)
	t.Run("isolation and trips", c.testAbsences)
}

type interval struct{ from, to time.Time }

type visitRow struct {
	place    string
	in, out  time.Time // out: check_out, or check_in + default dwell
	noOut    bool
	checkOut time.Time
}

type cityFiles struct {
	cfg        Config
	start, end time.Time
	tables     map[string]table
	regions    map[string]string // id → kind
	dwell      map[string]time.Duration
	category   map[string]string // place → category
	people     map[string]bool
	visits     map[string][]visitRow // by person
	cases      map[string]caseRow
}

type caseRow struct{ onset, isolated time.Time }

var idRE = regexpMust(`^[A-Za-z0-9_.:-]{1,64}$`)

func loadCity(t *testing.T, dir string, cfg Config) *cityFiles {
	start := DefaultStart
	c := &cityFiles{cfg: cfg, start: start, end: start.Add(time.Duration(cfg.Days) * 24 * time.Hour),
		tables: map[string]table{}, regions: map[string]string{}, dwell: map[string]time.Duration{},
		category: map[string]string{},
		people:   map[string]bool{}, visits: map[string][]visitRow{}, cases: map[string]caseRow{}}
	for name := range headers {
		c.tables[name] = readTable(t, dir, name)
	}
	for _, r := range c.tables["regions.csv"] {
		if !idRE.MatchString(r["id"]) || c.regions[r["id"]] != "" {
			t.Fatalf("region ID %q is malformed or repeated", r["id"])
		}
		if (r["parent"] == "") != (r["kind"] == "country") || r["parent"] != "" && c.regions[r["parent"]] == "" {
			t.Fatalf("region %s: parent %q is missing or comes later", r["id"], r["parent"])
		}
		c.regions[r["id"]] = r["kind"]
	}
	for _, r := range c.tables["places.csv"] {
		d, err := time.ParseDuration(r["default_dwell"])
		if !idRE.MatchString(r["id"]) || err != nil || d <= 0 || c.regions[r["region"]] != "district" {
			t.Fatalf("bad place %v", r)
		}
		c.dwell[r["id"]] = d
		c.category[r["id"]] = r["category"]
	}
	for _, r := range c.tables["residents.csv"] {
		if !idRE.MatchString(r["id"]) || c.people[r["id"]] || c.regions[r["home_region"]] != "district" {
			t.Fatalf("bad resident %v", r)
		}
		c.people[r["id"]] = true
	}
	for _, r := range c.tables["visits.csv"] {
		v := visitRow{place: r["place"], in: c.parse(t, r["check_in"])}
		v.out = v.in.Add(c.dwell[v.place])
		if v.noOut = r["check_out"] == ""; !v.noOut {
			v.out = c.parse(t, r["check_out"])
			v.checkOut = v.out
		}
		c.visits[r["person"]] = append(c.visits[r["person"]], v)
	}
	for _, r := range c.tables["cases.csv"] {
		c.cases[r["person"]] = caseRow{c.parse(t, r["onset"]), c.parse(t, r["isolated"])}
	}
	return c
}

func (c *cityFiles) parse(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil || !strings.HasSuffix(s, "Z") {
		t.Fatalf("time %q is not RFC 3339 UTC: %v", s, err)
	}
	return at
}

func (c *cityFiles) testReferences(t *testing.T) {
	refs := []struct{ file, col, kind string }{
		{"region_levels.csv", "region", "region"}, {"places.csv", "region", "region"},
		{"residents.csv", "home_region", "region"}, {"visits.csv", "person", "person"},
		{"visits.csv", "place", "place"}, {"stays.csv", "person", "person"},
		{"stays.csv", "region", "region"}, {"labs.csv", "person", "person"},
		{"vaccinations.csv", "person", "person"}, {"declarations.csv", "person", "person"},
		{"cases.csv", "person", "person"}, {"infections.csv", "person", "person"},
		{"infections.csv", "infector", "person?"}, {"infections.csv", "place", "place?"},
		{"appeals.csv", "person", "person"},
	}
	for _, ref := range refs {
		for i, r := range c.tables[ref.file] {
			v := r[ref.col]
			var ok bool
			switch strings.TrimSuffix(ref.kind, "?") {
			case "region":
				ok = c.regions[v] != ""
			case "person":
				ok = c.people[v]
			case "place":
				ok = c.dwell[v] > 0
			}
			if !ok && !(v == "" && strings.HasSuffix(ref.kind, "?")) {
				t.Fatalf("%s row %d: %s %q does not exist", ref.file, i+1, ref.col, v)
			}
		}
	}
	enums := map[string][]string{
		"region_levels.csv/level": {"low", "medium", "high"}, "labs.csv/result": {"positive", "negative", "inconclusive"},
		"labs.csv/test_type": {"pcr", "antigen"}, "residents.csv/language": {"en", "zh"},
		"residents.csv/time_zone": {"Asia/Shanghai"}, "regions.csv/kind": {"country", "province", "city", "district"},
		"places.csv/category": {"workplace", "school", "restaurant", "supermarket", "gym", "hospital", "transit_station", "bar"},
	}
	for key, allowed := range enums {
		file, col, _ := strings.Cut(key, "/")
		for _, r := range c.tables[file] {
			if !slices.Contains(allowed, r[col]) {
				t.Fatalf("%s: %s %q is not one of %v", file, col, r[col], allowed)
			}
		}
	}
	for _, r := range c.tables["infections.csv"] {
		if (r["infector"] == "") != (r["place"] == "") {
			t.Fatalf("infection %v: infector and place must be both set or both empty", r)
		}
	}
	phones := map[string]bool{}
	for _, r := range c.tables["residents.csv"] {
		if !phoneRE.MatchString(r["phone"]) || phones[r["phone"]] || !strings.Contains(r["email"], "@") {
			t.Fatalf("resident %v: bad or repeated phone, or bad e-mail", r)
		}
		phones[r["phone"]] = true
	}
}

var phoneRE = regexpMust(`^\+86138[0-9]{8}$`)

// testTimes checks that every time is RFC 3339 UTC inside the simulated period (only
// vaccinations may be older) and that intervals do not run backwards.
func (c *cityFiles) testTimes(t *testing.T) {
	cols := map[string][]string{
		"region_levels.csv": {"from", "to"}, "visits.csv": {"check_in", "check_out"},
		"stays.csv": {"from", "to"}, "labs.csv": {"specimen_at"}, "vaccinations.csv": {"given_at"},
		"declarations.csv": {"declared_at"}, "cases.csv": {"onset", "isolated", "released"},
		"infections.csv": {"infected_at"}, "appeals.csv": {"decided"},
	}
	for _, file := range slices.Sorted(maps.Keys(cols)) {
		for i, r := range c.tables[file] {
			var prev time.Time
			for _, col := range cols[file] {
				if r[col] == "" {
					continue
				}
				at := c.parse(t, r[col])
				if at.After(c.end) || at.Before(c.start) && file != "vaccinations.csv" {
					t.Fatalf("%s row %d: %s %s is outside [%s, %s]", file, i+1, col, at, c.start, c.end)
				}
				if at.Before(prev) {
					t.Fatalf("%s row %d: %s %s is before the previous column", file, i+1, col, at)
				}
				prev = at
			}
		}
	}
	for _, r := range c.tables["appeals.csv"] {
		if c.parse(t, r["expires"]) != c.parse(t, r["decided"]).Add(72*time.Hour) {
			t.Fatalf("appeal %v: approved for three days", r)
		}
	}
	for _, r := range c.tables["cases.csv"] {
		iso := c.parse(t, r["isolated"])
		if want := iso.Add(isolationDays * 24 * time.Hour); !want.After(c.end) != (r["released"] != "") {
			t.Fatalf("case %v: released should be set exactly when isolated + 10 days is not after the end", r)
		}
	}
}

// testVisits checks the order of visits.csv, opening hours and the shape of the mobility.
func (c *cityFiles) testVisits(t *testing.T) {
	hours := map[string][2]time.Duration{}
	for _, cat := range categories {
		hours[cat.name] = [2]time.Duration{time.Duration(cat.open) * time.Second, time.Duration(cat.close) * time.Second}
	}
	var prev time.Time
	noOut := 0
	for i, r := range c.tables["visits.csv"] {
		in := c.parse(t, r["check_in"])
		if in.Before(prev) {
			t.Fatalf("visits.csv row %d: check_in %s before the previous row's", i+1, in)
		}
		prev = in
		midnight := in.Truncate(24 * time.Hour)
		h := hours[c.category[r["place"]]]
		if in.Before(midnight.Add(h[0])) {
			t.Fatalf("visits.csv row %d %v: check-in before the %s opens", i+1, r, c.category[r["place"]])
		}
		if r["check_out"] == "" {
			noOut++
		} else if c.parse(t, r["check_out"]).After(midnight.Add(h[1])) {
			t.Fatalf("visits.csv row %d %v: check-out after the %s closes", i+1, r, c.category[r["place"]])
		}
	}
	n := float64(len(c.tables["visits.csv"]))
	perDay := n / float64(c.cfg.People*c.cfg.Days)
	if perDay < 2 || perDay > 3 {
		t.Errorf("%.2f visits per resident per day, want 2–3", perDay)
	}
	if f := float64(noOut) / n; f < 0.08 || f > 0.12 {
		t.Errorf("%.3f of visits have no check_out, want about 0.1", f)
	}
	if len(c.tables["infections.csv"]) < 20 || len(c.tables["cases.csv"]) < 10 {
		t.Errorf("only %d infections and %d cases", len(c.tables["infections.csv"]), len(c.tables["cases.csv"]))
	}
}

// testGroundTruth checks that every transmission is visible in the files: the infector and
// the infectee have visits at the place that overlap, inside the infector's infectious
// window if the infector is a case, for at least 15 minutes ending at or before infected_at
// (which lies inside the overlap); and that tracing's rule excluding cases from contacts
// after their onset − 2 days does not hide the infectee.
func (c *cityFiles) testGroundTruth(t *testing.T) {
	const minOverlap = 15 * time.Minute
	for i, r := range c.tables["infections.csv"] {
		if r["infector"] == "" {
			continue
		}
		at := c.parse(t, r["infected_at"])
		from, to := c.start, c.end
		if k, ok := c.cases[r["infector"]]; ok {
			from, to = k.onset.Add(-48*time.Hour), k.isolated
		}
		found := false
		for _, a := range c.visits[r["infector"]] {
			if a.place != r["place"] {
				continue
			}
			for _, b := range c.visits[r["person"]] {
				if b.place != r["place"] {
					continue
				}
				start := latest(a.in, b.in, from)
				end := earliest(a.out, b.out, to)
				if !start.Add(minOverlap).After(at) && !at.After(end) {
					found = true
				}
			}
		}
		if !found {
			t.Fatalf("infections.csv row %d %v: no overlap of %v at the place ending by infected_at", i+1, r, minOverlap)
		}
		if k, ok := c.cases[r["person"]]; ok && at.After(k.onset.Add(-48*time.Hour)) {
			t.Fatalf("infections.csv row %d %v: infected after the infectee's onset − 2 days %s", i+1, r, k.onset)
		}
	}
}

// testAbsences checks that nobody checks in while isolated or away on a trip.
func (c *cityFiles) testAbsences(t *testing.T) {
	for p, k := range c.cases {
		release := k.isolated.Add(isolationDays * 24 * time.Hour)
		for _, v := range c.visits[p] {
			if v.in.Before(release) && v.out.After(k.isolated) {
				t.Fatalf("%s visits %s %s–%s while isolated from %s", p, v.place, v.in, v.out, k.isolated)
			}
		}
	}
	for _, s := range c.tables["stays.csv"] {
		from, to := c.parse(t, s["from"]), c.parse(t, s["to"])
		for _, v := range c.visits[s["person"]] {
			if v.in.Before(to) && v.out.After(from) {
				t.Fatalf("%s visits %s at %s while away %s–%s", s["person"], v.place, v.in, from, to)
			}
		}
	}
}

func latest(ts ...time.Time) time.Time {
	return slices.MaxFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
}

func earliest(ts ...time.Time) time.Time {
	return slices.MinFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
}
