package kinds_test

import (
	"bytes"
	"context"
	"io"
	"iter"
	"outbreak/internal/kinds"
	"slices"
	"testing"
	"time"

	"outbreak/internal/approval"
	"outbreak/internal/cases"
	"outbreak/internal/lab"
	"outbreak/internal/person"
	"outbreak/internal/place"
	"outbreak/internal/record"
	"outbreak/internal/supply"
	"outbreak/internal/visit"
)

// at returns an instant on 1 March 2026 plus d, in UTC.
func at(d string) time.Time {
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	dd, err := time.ParseDuration(d)
	if err != nil {
		panic(err)
	}
	return base.Add(dd)
}

// fixture holds a little of every kind, with the awkward values a file can
// hold: separators, quotes and newlines in text, Unicode, empty optional
// fields, fractions of a second, negative and zero coordinates.
var fixture = struct {
	regions      []place.Region
	levels       []place.Level
	places       []place.Place
	residents    []person.Resident
	visits       []visit.Visit
	stays        []visit.Stay
	results      []lab.Result
	vaccinations []lab.Vaccination
	declarations []lab.Declaration
	cases        []cases.Case
	appeals      []approval.Appeal
	depots       []supply.Depot
	vehicles     []supply.Vehicle
	lots         []supply.Lot
	requests     []supply.Request
}{
	regions: []place.Region{
		{ID: "cn", Name: "China", Kind: place.Country},
		{ID: "cn.p1", Name: "Zhejiang", Parent: "cn", Kind: place.Province},
		{ID: "cn.p1.c1", Name: "Hang, Zhou", Parent: "cn.p1", Kind: place.City},
		{ID: "cn.p1.c1.d1", Name: `西湖区 "West Lake"`, Parent: "cn.p1.c1", Kind: place.District},
	},
	levels: []place.Level{
		{ID: "l1", Region: "cn.p1.c1", Level: place.Medium, From: at("0h"), To: at("168h")},
		{ID: "l2", Region: "cn.p1.c1.d1", Level: place.High, From: at("36h500ms")},
	},
	places: []place.Place{
		{ID: "p1", Name: `Café "Lu", 2F`, Region: "cn.p1.c1.d1", Category: "cafe", Lat: 30.25, Lon: 120.1667, DefaultDwell: record.Duration(45 * time.Minute)},
		{ID: "p2", Name: "Market\nEast gate", Region: "cn.p1.c1", Lat: -33.5, Lon: -70.000001},
		{ID: "p3", Name: "Null Island", Region: "cn", Category: "buoy", Lat: 0, Lon: 0, DefaultDwell: record.Duration(90 * time.Minute)},
	},
	residents: []person.Resident{
		{ID: "r1", Name: "Li Lei", Phone: "+8613800000000", Email: "li@example.org", Language: "zh-Hans", TimeZone: "Asia/Shanghai", HomeRegion: "cn.p1.c1.d1"},
		{ID: "r2"},
		{ID: "r3", Name: " Wang,\t\"Fang\"", Language: "en", TimeZone: "UTC"},
	},
	visits: []visit.Visit{
		{ID: "v1", Person: "r1", Place: "p1", CheckIn: at("8h"), CheckOut: at("8h45m")},
		{ID: "v2", Person: "r2", Place: "p1", CheckIn: at("8h10m0.123456s")},
		{ID: "v3", Person: "r3", Place: "p2", CheckIn: at("26h"), CheckOut: at("27h30m")},
	},
	stays: []visit.Stay{
		{ID: "s1", Person: "r1", Region: "cn.p1.c1", From: at("0h"), To: at("72h")},
		{ID: "s2", Person: "r3", Region: "cn", From: at("12h")},
	},
	results: []lab.Result{
		{ID: "t1", Person: "r1", SpecimenAt: at("50h"), Result: lab.Positive, TestType: "PCR"},
		{ID: "t2", Person: "r2", SpecimenAt: at("51h0.000001s"), Result: lab.Inconclusive, TestType: "antigen, rapid"},
	},
	vaccinations: []lab.Vaccination{
		{ID: "x1", Person: "r1", GivenAt: at("-720h"), Product: "CoronaVac", Dose: 2},
		{ID: "x2", Person: "r3", GivenAt: at("-24h"), Product: "Comirnaty \"XBB\"", Dose: 11},
	},
	declarations: []lab.Declaration{
		{ID: "d1", Person: "r1", DeclaredAt: at("40h"), Symptoms: []string{"fever", "dry cough"}},
		{ID: "d2", Person: "r2", DeclaredAt: at("41h")},
	},
	cases: []cases.Case{
		{ID: "r1", Person: "r1", Onset: at("48h"), Isolated: at("52h"), Released: at("400h")},
		{ID: "r3", Person: "r3", Onset: at("60h")},
	},
	appeals: []approval.Appeal{
		{ID: "a1", Person: "r2", Status: approval.Approved, Color: "green", Decided: at("50h"), Expires: at("122h"), Reason: "negative twice,\n\"really\""},
		{ID: "a2", Person: "r1", Status: approval.Pending},
	},
	depots: []supply.Depot{
		{ID: "dep1", Name: `West "Cold" Store, Gate 2`, Lat: 30.25, Lon: 120.1667, TimeZone: "Asia/Shanghai"},
		{ID: "dep2", Name: "Null Island depot", Lat: 0, Lon: -0.5},
	},
	vehicles: []supply.Vehicle{
		{ID: "cold1", Depot: "dep1", Ambient: 20, Chilled: 40, Frozen: 20, ShiftEnd: record.Duration(30 * time.Hour), MaxOut: record.Duration(4 * time.Hour)},
		{ID: "night", Depot: "dep2", Frozen: 1, ShiftStart: record.Duration(22 * time.Hour), ShiftEnd: record.Duration(47*time.Hour + 59*time.Minute)},
		{ID: "van1", Depot: "dep1", Ambient: 80, ShiftStart: record.Duration(8 * time.Hour), ShiftEnd: record.Duration(20*time.Hour + 30*time.Minute)},
	},
	lots: []supply.Lot{
		{ID: "dep1.food", Depot: "dep1", Item: "food-parcel", Temperature: supply.Ambient},
		{ID: "dep1.vax.1", Depot: "dep1", Item: "vaccine-mrna", Lot: "L1, \"first\"", Expiry: at("720h0.5s"), Temperature: supply.Frozen, Quantity: 30},
		{ID: "dep2.kits", Depot: "dep2", Item: "test-kits", Lot: "批次 7", Expiry: at("-24h"), Temperature: supply.Chilled, Quantity: 10000000},
	},
	requests: []supply.Request{
		{ID: "q1", Site: "Hospital, East \"wing\"", Kind: supply.Hospital, Lat: 30.3, Lon: 120.2, Item: "vaccine-mrna", Quantity: 12,
			Priority: 5, Created: at("100h"), Status: supply.Open},
		{ID: "q2", Site: "Home of r1\nFlat 3", Kind: supply.Household, Person: "r1", Lat: -33.5, Lon: -70.000001, Item: "food-parcel",
			Quantity: 1, Priority: 9, SlotFrom: at("105h"), SlotTo: at("107h0.000001s"), Service: record.Duration(90 * time.Second),
			Created: at("100h"), Status: supply.Dispatched, Plan: "plan-1"},
		{ID: "q3", Site: "School 3", Kind: supply.VaccinationPoint, Item: "test-kits", Quantity: 10000000, Status: supply.Cancelled},
	},
}

// seeded returns a store holding the fixture.
func seeded(t testing.TB) kinds.Store {
	t.Helper()
	ctx := context.Background()
	st := newStore(t)
	f := fixture
	for _, load := range []func() (int, error){
		func() (int, error) { return st.ImportRegions(ctx, slices.Values(f.regions), record.Abort) },
		func() (int, error) { return st.ImportLevels(ctx, slices.Values(f.levels), record.Abort) },
		func() (int, error) { return st.ImportPlaces(ctx, slices.Values(f.places), record.Abort) },
		func() (int, error) { return st.ImportResidents(ctx, slices.Values(f.residents), record.Abort) },
		func() (int, error) { return st.ImportVisits(ctx, slices.Values(f.visits), record.Abort) },
		func() (int, error) { return st.ImportStays(ctx, slices.Values(f.stays), record.Abort) },
		func() (int, error) { return st.ImportResults(ctx, slices.Values(f.results), record.Abort) },
		func() (int, error) { return st.ImportVaccinations(ctx, slices.Values(f.vaccinations), record.Abort) },
		func() (int, error) { return st.ImportDeclarations(ctx, slices.Values(f.declarations), record.Abort) },
		func() (int, error) { return st.ImportCases(ctx, slices.Values(f.cases), record.Abort) },
		func() (int, error) { return st.ImportAppeals(ctx, slices.Values(f.appeals), record.Abort) },
		func() (int, error) { return st.ImportDepots(ctx, slices.Values(f.depots), record.Abort) },
		func() (int, error) { return st.ImportVehicles(ctx, slices.Values(f.vehicles), record.Abort) },
		func() (int, error) { return st.ImportLots(ctx, slices.Values(f.lots), record.Abort) },
		func() (int, error) { return st.ImportRequests(ctx, slices.Values(f.requests), record.Abort) },
	} {
		if _, err := load(); err != nil {
			t.Fatalf("seeding the store: %v", err)
		}
	}
	return st
}

// allOf lists every record of c's kind in st, in pages of two to exercise the
// cursor.
func allOf[T any](t testing.TB, c *kinds.Kind[T], st kinds.Store) []T {
	t.Helper()
	var out []T
	p := record.Page{Limit: 2}
	for {
		page, next, err := c.List(context.Background(), st, nil, p)
		if err != nil {
			t.Fatalf("listing %s: %v", c.Name(), err)
		}
		items := page.([]T)
		out = append(out, items...)
		if next == "" || len(items) == 0 {
			return out
		}
		p.After = next
	}
}

// export returns the export of kind from st in format.
func export(t testing.TB, st kinds.Store, kind, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := kinds.Export(context.Background(), st, kind, format, &b); err != nil {
		t.Fatalf("export %s %s: %v", kind, format, err)
	}
	return b.Bytes()
}

// snapshot returns the whole content of st, to show that a failed import
// changed nothing.
func snapshot(t testing.TB, st kinds.Store) string {
	t.Helper()
	var b bytes.Buffer
	for _, k := range kinds.Kinds() {
		b.WriteString(k + "\n")
		b.Write(export(t, st, k, kinds.NDJSON))
	}
	return b.String()
}

// readAll decodes a whole file and returns the records, or the first error.
func readAll[T any](c *kinds.Kind[T], name, data string) ([]T, error) {
	rd, err := c.NewReader(name, "", bytes.NewReader([]byte(data)))
	if err != nil {
		return nil, err
	}
	var out []T
	for v, err := range records(rd) {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// records iterates over what rd reads, stopping after the first error.
func records[T any](rd *kinds.Reader[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			v, err := rd.Next()
			if err != nil {
				if err != io.EOF {
					yield(v, err)
				}
				return
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}
