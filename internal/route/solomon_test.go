package route

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/errs"
)

// solomonData is where the 56 Solomon instances live, beside the repository.
var solomonData = filepath.Join("..", "..", "..", "shared", "data", "vrptw", "solomon")

// solomonNames returns the names of the Solomon instances, or skips the test
// if they are not here.
func solomonNames(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(solomonData, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Skipf("the Solomon instances are not in %s", solomonData)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".txt"))
	}
	return names
}

// readSolomon parses a Solomon instance.
func readSolomon(t *testing.T, name string) (*Problem, [][2]float64) {
	t.Helper()
	f, err := os.Open(filepath.Join(solomonData, name+".txt"))
	if err != nil {
		t.Skipf("the Solomon instances are not here: %v", err)
	}
	defer f.Close()
	p, xy, err := ParseSolomon(name+".txt", f)
	if err != nil {
		t.Fatal(err)
	}
	return p, xy
}

// TestParseSolomonInstances parses all 56 instances and compares them with
// what BKS.json says of them: 100 customers, the fleet, the total demand.
func TestParseSolomonInstances(t *testing.T) {
	t.Parallel()
	names := solomonNames(t)
	if len(names) != 56 {
		t.Errorf("%d instances, want 56", len(names))
	}
	var bks map[string]struct {
		Capacity    float64 `json:"capacity"`
		Jobs        int     `json:"jobs"`
		TotalDemand float64 `json:"total_demand"`
		Vehicles    int     `json:"vehicles"`
	}
	b, err := os.ReadFile(filepath.Join(solomonData, "BKS.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &bks); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, xy := readSolomon(t, name)
			want, ok := bks[name]
			if !ok {
				t.Fatalf("%s is not in BKS.json", name)
			}
			if p.Name != name || p.Dims != 1 || len(p.Jobs) != 100 || len(p.Jobs) != want.Jobs || len(p.Travel) != 101 || len(xy) != 101 {
				t.Fatalf("name %q, dims %d, %d jobs, %d locations, %d coordinates", p.Name, p.Dims, len(p.Jobs), len(p.Travel), len(xy))
			}
			if len(p.Vehicles) != want.Vehicles || p.Vehicles[0].Capacity[0] != want.Capacity {
				t.Fatalf("%d vehicles of capacity %v, want %d of %v", len(p.Vehicles), p.Vehicles[0].Capacity[0], want.Vehicles, want.Capacity)
			}
			total := 0.0
			for _, j := range p.Jobs {
				total += j.Demand[0]
			}
			if total != want.TotalDemand {
				t.Fatalf("total demand %v, want %v", total, want.TotalDemand)
			}
			if err := checkShape(p); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// tiny is a small Solomon file: line 10 is the depot, lines 11 and 12 the
// customers, 5 and 10 from it.
const tiny = `TINY

VEHICLE
NUMBER     CAPACITY
  2         50

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0         0          0          0       100          0
    1      3         4         10          0        50          5
    2      6         8         20         20        30          5
`

func TestParseSolomon(t *testing.T) {
	t.Parallel()
	want := &Problem{
		Name: "TINY", Dims: 1,
		Vehicles: []Vehicle{
			{ID: "1", Capacity: Amount{50}, ShiftEnd: 100},
			{ID: "2", Capacity: Amount{50}, ShiftEnd: 100},
		},
		Jobs: []Job{
			{ID: "1", Location: 1, Demand: Amount{10}, Service: 5, Windows: []Window{{0, 50}}},
			{ID: "2", Location: 2, Demand: Amount{20}, Service: 5, Windows: []Window{{20, 30}}},
		},
		Travel: [][]float64{{0, 5, 10}, {5, 0, 5}, {10, 5, 0}},
	}
	wantXY := [][2]float64{{0, 0}, {3, 4}, {6, 8}}
	for name, text := range map[string]string{
		"as is":            tiny,
		"carriage returns": strings.ReplaceAll(tiny, "\n", "\r\n"),
		"tabs, lower case": strings.ReplaceAll(strings.ReplaceAll(tiny, "     ", "\t"), "VEHICLE", "vehicle"),
		"no blank lines":   strings.ReplaceAll(tiny, "\n\n", "\n"),
		"byte order mark":  "\ufeff" + tiny,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, xy, err := ParseSolomon("tiny.txt", strings.NewReader(text))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, p); diff != "" {
				t.Fatalf("problem (-want +got):\n%s", diff)
			}
			if !slices.Equal(xy, wantXY) {
				t.Fatalf("coordinates %v, want %v", xy, wantXY)
			}
		})
	}
	t.Run("no rounding", func(t *testing.T) {
		t.Parallel()
		p, _, err := ParseSolomon("tiny.txt", strings.NewReader(strings.Replace(tiny, "3         4", "1         1", 1)))
		if err != nil {
			t.Fatal(err)
		}
		if p.Travel[0][1] != math.Sqrt2 {
			t.Fatalf("travel %v, want √2", p.Travel[0][1])
		}
	})
}

// TestParseSolomonBad reads broken versions of tiny: each error is Invalid
// and names the file, the line and the reason.
func TestParseSolomonBad(t *testing.T) {
	t.Parallel()
	lines := strings.Split(tiny, "\n")
	// with returns tiny with line n (from 1) replaced; "" drops the line
	// and everything after it.
	with := func(n int, s string) string {
		out := slices.Clone(lines)
		if s == "" {
			return strings.Join(out[:n-1], "\n") + "\n"
		}
		out[n-1] = s
		return strings.Join(out, "\n")
	}
	tests := []struct {
		name, text, want string
	}{
		{"empty file", "", "tiny.txt:1: end of file, want the instance name"},
		{"no name", with(1, "VEHICLE"), "tiny.txt:1: want the instance name before the VEHICLE section"},
		{"only a name", with(2, ""), "tiny.txt:2: end of file, want the VEHICLE section"},
		{"no VEHICLE section", with(3, "CUSTOMER"), `tiny.txt:3: want the VEHICLE section, got "CUSTOMER"`},
		{"no fleet header", with(4, "CAPACITY NUMBER"), "tiny.txt:4: want the header NUMBER CAPACITY"},
		{"short fleet", with(5, " 2"), `tiny.txt:5: want two numbers, NUMBER and CAPACITY, got "2"`},
		{"fleet not a number", with(5, "two 50"), `tiny.txt:5: NUMBER "two" is not a whole number`},
		{"no vehicles", with(5, "0 50"), `tiny.txt:5: NUMBER "0" is not a whole number from 1`},
		{"a billion vehicles", with(5, "1000000000 50"), `tiny.txt:5: NUMBER "1000000000" is not a whole number from 1 to 10000`},
		{"negative capacity", with(5, "2 -50"), `tiny.txt:5: CAPACITY "-50" is not a number from 0`},
		{"no CUSTOMER section", with(6, ""), "tiny.txt:6: end of file, want the CUSTOMER section"},
		{"CUSTOMER misspelt", with(7, "CUSTOMERS"), `tiny.txt:7: want the CUSTOMER section, got "CUSTOMERS"`},
		{"no customer header", with(8, "NO X Y DEMAND READY DUE SERVICE"), "tiny.txt:8: want the header CUST NO. XCOORD."},
		{"no rows", with(10, ""), "tiny.txt:10: end of file, want the depot, customer 0"},
		{"short row", with(11, "1 3 4 10 0 50"), "tiny.txt:11: want 7 numbers (CUST NO., XCOORD., YCOORD., DEMAND, READY TIME, DUE DATE, SERVICE TIME), got 6"},
		{"long row", with(11, "1 3 4 10 0 50 5 5"), "tiny.txt:11: want 7 numbers"},
		{"not a number", with(11, "1 3 4 ten 0 50 5"), `tiny.txt:11: DEMAND "ten" is not a number`},
		{"NaN", with(11, "1 3 4 10 NaN 50 5"), `tiny.txt:11: READY TIME "NaN" is not a number`},
		{"too large", with(11, "1 3e300 4 10 0 50 5"), `tiny.txt:11: XCOORD. "3e300" is not a number (of at most 1e15 in size)`},
		{"customer number not whole", with(11, "1.0 3 4 10 0 50 5"), `tiny.txt:11: CUST NO. "1.0" is not a whole number`},
		{"negative demand", with(11, "1 3 4 -10 0 50 5"), "tiny.txt:11: negative DEMAND -10"},
		{"negative service time", with(11, "1 3 4 10 0 50 -5"), "tiny.txt:11: negative SERVICE TIME -5"},
		{"window closes before it opens", with(11, "1 3 4 10 50 40 5"), "tiny.txt:11: customer 1's window closes before it opens: DUE DATE 40 before READY TIME 50"},
		{"horizon closes before it opens", with(10, "0 0 0 0 100 0 0"), "tiny.txt:10: the depot's horizon closes before it opens"},
		{"depot not first", with(10, "1 0 0 0 0 100 0"), "tiny.txt:10: customer 1 first, want the depot, customer 0"},
		{"customer twice", with(12, "1 6 8 20 20 30 5"), "tiny.txt:12: customer 1 again (first on line 11)"},
		{"customer skipped", with(12, "3 6 8 20 20 30 5"), "tiny.txt:12: customer 3 after customer 1, want customer 2"},
		{"demand above capacity", with(12, "2 6 8 60 20 30 5"), "tiny.txt:12: customer 2 cannot be served by any vehicle: its demand 60 exceeds the capacity 50"},
		{"window closes before the vehicle can come", with(12, "2 6 8 20 0 9.5 5"), "tiny.txt:12: customer 2 cannot be served by any vehicle: it is reached at the earliest at 10, after its last window closes at 9.5"},
		{"no time to come back", with(12, "2 6 8 20 20 30 75"), "tiny.txt:12: customer 2 cannot be served by any vehicle: served at the earliest, at 20, it gets the vehicle back at 105, after the shift ends at 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, xy, err := ParseSolomon("tiny.txt", strings.NewReader(tt.text))
			if err == nil {
				t.Fatalf("no error; problem %+v", p)
			}
			if p != nil || xy != nil {
				t.Fatal("a problem as well as an error")
			}
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("%v: kind %v, want invalid", err, errs.KindOf(err))
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %q\nwant %q…", err, tt.want)
			}
		})
	}
}
