package sim

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var headers = map[string]string{
	"regions.csv":       "id,name,parent,kind",
	"region_levels.csv": "region,level,from,to",
	"places.csv":        "id,name,region,category,lat,lon,default_dwell",
	"residents.csv":     "id,name,phone,email,language,time_zone,home_region",
	"visits.csv":        "person,place,check_in,check_out",
	"stays.csv":         "person,region,from,to",
	"labs.csv":          "person,specimen_at,result,test_type",
	"vaccinations.csv":  "person,given_at,product,dose",
	"declarations.csv":  "person,declared_at,symptoms",
	"cases.csv":         "person,onset,isolated,released",
	"appeals.csv":       "id,person,status,color,decided,expires,reason",
	"infections.csv":    "person,infected_at,infector,place",
	"depots.csv":        "id,name,lat,lon,time_zone",
	"vehicles.csv":      "id,depot,ambient,chilled,frozen,shift_start,shift_end,max_out",
	"stock.csv":         "id,depot,item,lot,expiry,temperature,quantity",
	"requests.csv":      "id,site,kind,person,lat,lon,item,quantity,priority,slot_from,slot_to,service,created,status,plan",
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	cfg := Config{People: 3000, Days: 7, Seed: 42}
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if _, err := Write(context.Background(), cfg, dir); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Seed = 43
	if _, err := Write(context.Background(), cfg, c); err != nil {
		t.Fatal(err)
	}
	for name := range headers {
		x, y, z := readFile(t, a, name), readFile(t, b, name), readFile(t, c, name)
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same config", name)
		}
		if name == "visits.csv" && bytes.Equal(x, z) {
			t.Errorf("%s is the same for seeds 42 and 43", name)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"default start", Config{People: 10, Days: 1}, true},
		{"midnight start", Config{People: 10, Days: 1, Start: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}, true},
		{"no people", Config{Days: 1}, false},
		{"no days", Config{People: 10}, false},
		{"too many days", Config{People: 10, Days: MaxDays + 1}, false},
		{"start not midnight", Config{People: 10, Days: 1, Start: time.Date(2030, 1, 1, 8, 0, 0, 0, time.UTC)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok = %v", err, tc.ok)
			}
		})
	}
}

func TestTinyCity(t *testing.T) {
	t.Parallel()
	for _, people := range []int{1, 2, 7} {
		if _, err := Write(context.Background(), Config{People: people, Days: 3, Seed: 1}, t.TempDir()); err != nil {
			t.Fatalf("%d people: %v", people, err)
		}
	}
}

func TestCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Write(ctx, Config{People: 100, Days: 3}, t.TempDir()); !errors.Is(err, context.Canceled) {
		t.Errorf("Write with a canceled context = %v, want context.Canceled", err)
	}
}

func TestAppendUnix(t *testing.T) {
	t.Parallel()
	r := stream(1, 99, 0, 0)
	for range 100000 {
		u := int64(r.intn(8_000_000_000)) - 4_000_000_000
		want := time.Unix(u, 0).UTC().Format(time.RFC3339)
		if got := string(appendUnix(nil, u)); got != want {
			t.Fatalf("appendUnix(%d) = %s, want %s", u, got, want)
		}
	}
	c := newClock(DefaultStart.Unix(), 3)
	for _, sec := range []int32{0, 1, 86399, 86400, 3*86400 + 5, -5} {
		want := DefaultStart.Add(time.Duration(sec) * time.Second).Format(time.RFC3339)
		if got := string(c.at(nil, sec)); got != want {
			t.Errorf("clock.at(%d) = %s, want %s", sec, got, want)
		}
	}
}

func TestAppendDuration(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{15 * time.Minute, time.Hour, 90 * time.Minute, 8 * time.Hour, 0} {
		s := string(appendDuration(nil, int32(d/time.Second)))
		if got, err := time.ParseDuration(s); err != nil || got != d {
			t.Errorf("appendDuration(%v) = %q, which parses as %v, %v", d, s, got, err)
		}
	}
}

// table is a parsed CSV file: its rows as maps from column name to cell.
type table []map[string]string

func readFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readTable(t *testing.T, dir, name string) table {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(readFile(t, dir, name)))
	r.ReuseRecord = false
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if got := strings.Join(recs[0], ","); got != headers[name] {
		t.Fatalf("%s header = %q, want %q", name, got, headers[name])
	}
	rows := make(table, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		row := make(map[string]string, len(rec))
		for i, col := range recs[0] {
			row[col] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows
}

func regexpMust(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// BenchmarkWrite generates the demo city: 50,000 residents over 14 days.
func BenchmarkWrite(b *testing.B) {
	dir := b.TempDir()
	visits := 0
	for b.Loop() {
		s, err := Write(context.Background(), Config{People: 50000, Days: 14, Seed: 1}, dir)
		if err != nil {
			b.Fatal(err)
		}
		visits += s.Visits
	}
	b.ReportMetric(float64(visits)/b.Elapsed().Seconds(), "visits/s")
}

// TestLarge generates a big city into $OUTBREAK_SIM_LARGE (skipped when unset), with
// $OUTBREAK_SIM_PEOPLE residents (default 1,000,000) over 14 days, and logs the counts.
//
//	OUTBREAK_SIM_LARGE=/tmp/city go test -run TestLarge -v ./internal/sim
func TestLarge(t *testing.T) {
	dir := os.Getenv("OUTBREAK_SIM_LARGE")
	if dir == "" {
		t.Skip("OUTBREAK_SIM_LARGE is not set")
	}
	people := 1_000_000
	if s := os.Getenv("OUTBREAK_SIM_PEOPLE"); s != "" {
		var err error
		if people, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	s, err := Write(context.Background(), Config{People: people, Days: 14, Seed: 1}, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d residents × 14 days in %v: %+v", people, time.Since(start).Round(time.Millisecond), s)
}
