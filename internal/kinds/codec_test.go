package kinds_test

import (
	"bytes"
	"context"
	"encoding/json"
	"outbreak/internal/kinds"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"outbreak/internal/approval"
	"outbreak/internal/cases"
	"outbreak/internal/lab"
	"outbreak/internal/person"
	"outbreak/internal/place"
	"outbreak/internal/supply"
	"outbreak/internal/visit"
)

// kindTest runs the same tests on every kind, whatever its record type.
type kindTest interface {
	name() string
	roundTrip(t *testing.T, format string)
	jsonTags(t *testing.T)
}

type codecTest[T any] struct {
	c       *kinds.Kind[T]
	records []T
}

func (ct codecTest[T]) name() string { return ct.c.Name() }

var kindTests = []kindTest{
	codecTest[place.Region]{kinds.Regions, fixture.regions},
	codecTest[place.Level]{kinds.RegionLevels, fixture.levels},
	codecTest[place.Place]{kinds.Places, fixture.places},
	codecTest[person.Resident]{kinds.Residents, fixture.residents},
	codecTest[visit.Visit]{kinds.Visits, fixture.visits},
	codecTest[visit.Stay]{kinds.Stays, fixture.stays},
	codecTest[lab.Result]{kinds.Labs, fixture.results},
	codecTest[lab.Vaccination]{kinds.Vaccinations, fixture.vaccinations},
	codecTest[lab.Declaration]{kinds.Declarations, fixture.declarations},
	codecTest[cases.Case]{kinds.Cases, fixture.cases},
	codecTest[approval.Appeal]{kinds.Appeals, fixture.appeals},
	codecTest[supply.Depot]{kinds.Depots, fixture.depots},
	codecTest[supply.Vehicle]{kinds.Vehicles, fixture.vehicles},
	codecTest[supply.Lot]{kinds.Lots, fixture.lots},
	codecTest[supply.Request]{kinds.Requests, fixture.requests},
}

// roundTrip exports the kind from a seeded store, imports the file into a
// store that holds only the kinds it refers to, and checks that both hold the
// same records and export the same bytes.
func (ct codecTest[T]) roundTrip(t *testing.T, format string) {
	ctx := context.Background()
	a, b := seeded(t), newStore(t)
	for _, k := range kinds.Kinds() {
		if k == ct.c.Name() {
			break
		}
		data := export(t, a, k, kinds.NDJSON)
		if _, err := kinds.Import(ctx, b, k, k+".ndjson", bytes.NewReader(data), kinds.Options{}); err != nil {
			t.Fatalf("importing %s: %v", k, err)
		}
	}
	file := export(t, a, ct.c.Name(), format)
	res, err := kinds.Import(ctx, b, ct.c.Name(), "file."+format, bytes.NewReader(file), kinds.Options{})
	if err != nil {
		t.Fatalf("import of the export: %v\n%s", err, file)
	}
	if res.Imported != len(ct.records) || res.Rejected != 0 {
		t.Errorf("import: %+v, want %d imported", res, len(ct.records))
	}
	opts := []cmp.Option{cmpopts.EquateEmpty()}
	var zero T
	appended := !slices.Contains(ct.c.Header(), "id") // the store gives these records their IDs
	if format == kinds.CSV && appended {
		opts = append(opts, cmpopts.IgnoreFields(zero, "ID")) // not in the CSV header: the store makes new ones
	}
	want, got := allOf(t, ct.c, a), allOf(t, ct.c, b)
	if diff := cmp.Diff(want, got, opts...); diff != "" {
		t.Errorf("records after export and import (-want +got):\n%s\nfile:\n%s", diff, file)
	}
	fixtureOpts := []cmp.Option{cmpopts.EquateEmpty()}
	if appended {
		fixtureOpts = append(fixtureOpts, cmpopts.IgnoreFields(zero, "ID"))
	}
	if diff := cmp.Diff(ct.records, want, fixtureOpts...); diff != "" {
		t.Errorf("the seeded store does not hold the fixture (-want +got):\n%s", diff)
	}
	if again := export(t, b, ct.c.Name(), format); !bytes.Equal(again, file) {
		t.Errorf("export after import differs:\n%s\nwant:\n%s", again, file)
	}
}

// jsonTags checks that NDJSON lines are the JSON of the domain types: what
// encoding/json writes decodes to the same record, and what AppendJSON
// writes unmarshals to it.
func (ct codecTest[T]) jsonTags(t *testing.T) {
	for i := range ct.records {
		v := &ct.records[i]
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ct.c.DecodeJSON(b, nil)
		if err != nil {
			t.Fatalf("DecodeJSON(%s): %v", b, err)
		}
		if diff := cmp.Diff(*v, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("DecodeJSON(%s) (-want +got):\n%s", b, diff)
		}
		line := ct.c.AppendJSON(nil, v)
		var back T
		if err := json.Unmarshal(line, &back); err != nil {
			t.Fatalf("json.Unmarshal(%s): %v", line, err)
		}
		if diff := cmp.Diff(*v, back, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("json.Unmarshal(%s) (-want +got):\n%s", line, diff)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, kt := range kindTests {
		for _, format := range []string{kinds.CSV, kinds.NDJSON} {
			t.Run(kt.name()+"/"+format, func(t *testing.T) {
				t.Parallel()
				kt.roundTrip(t, format)
			})
		}
	}
}

func TestJSONTags(t *testing.T) {
	t.Parallel()
	for _, kt := range kindTests {
		t.Run(kt.name(), func(t *testing.T) {
			t.Parallel()
			kt.jsonTags(t)
		})
	}
}

// TestHeaders pins the headers to DESIGN.md's table and, for the supply
// kinds, to docs/api.md's.
func TestHeaders(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"regions":       "id,name,parent,kind",
		"region_levels": "region,level,from,to",
		"places":        "id,name,region,category,lat,lon,default_dwell",
		"residents":     "id,name,phone,email,language,time_zone,home_region",
		"visits":        "person,place,check_in,check_out",
		"stays":         "person,region,from,to",
		"labs":          "person,specimen_at,result,test_type",
		"vaccinations":  "person,given_at,product,dose",
		"declarations":  "person,declared_at,symptoms",
		"cases":         "person,onset,isolated,released",
		"appeals":       "id,person,status,color,decided,expires,reason",
		"depots":        "id,name,lat,lon,time_zone",
		"vehicles":      "id,depot,ambient,chilled,frozen,shift_start,shift_end,max_out",
		"stock":         "id,depot,item,lot,expiry,temperature,quantity",
		"requests":      "id,site,kind,person,lat,lon,item,quantity,priority,slot_from,slot_to,service,created,status,plan",
	}
	if got := kinds.Kinds(); len(got) != len(want) || len(kindTests) != len(want) {
		t.Fatalf("Kinds() = %v, want the %d kinds of the file formats, each tested", got, len(want))
	}
	for _, k := range kinds.Kinds() {
		if got := strings.Join(kinds.Header(k), ","); got != want[k] {
			t.Errorf("Header(%q) = %s, want %s", k, got, want[k])
		}
	}
	if kinds.Header("nope") != nil {
		t.Error(`Header("nope") is not nil`)
	}
}

// TestColumnOrder reads files whose columns come in another order, with an
// id column, a BOM, spaces around names and CRLF line endings.
func TestColumnOrder(t *testing.T) {
	t.Parallel()
	visits, err := readAll(kinds.Visits, "visits.csv",
		"\ufeffcheck_out, check_in ,place,person,id\r\n"+
			",2026-03-01T16:10:00+08:00,p1,r2,v9\r\n"+
			"2026-03-01T08:45:00Z,2026-03-01T08:00:00Z,p1,r1,\r\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []visit.Visit{
		{ID: "v9", Person: "r2", Place: "p1", CheckIn: at("8h10m")},
		{Person: "r1", Place: "p1", CheckIn: at("8h"), CheckOut: at("8h45m")},
	}
	if diff := cmp.Diff(want, visits); diff != "" {
		t.Errorf("visits (-want +got):\n%s", diff)
	}
	places, err := readAll(kinds.Places, "places.csv",
		"lon,lat,default_dwell,region,name,id\n"+
			"120.5,30.25,1h30m,cn,\"Tea, House\",p7\n")
	if err != nil {
		t.Fatal(err)
	}
	wantPlaces := []place.Place{{ID: "p7", Name: "Tea, House", Region: "cn", Lat: 30.25, Lon: 120.5, DefaultDwell: fixture.places[2].DefaultDwell}}
	if diff := cmp.Diff(wantPlaces, places); diff != "" {
		t.Errorf("places (-want +got):\n%s", diff)
	}
}

// TestNDJSONValues reads the forms NDJSON values may take.
func TestNDJSONValues(t *testing.T) {
	t.Parallel()
	got, err := readAll(kinds.Places, "places.ndjson", "\n"+
		`{"id":"p1","name":"A\u00e9\"b\"","region":"cn","lat":"30.25","lon":-1e-3,"category":null}`+"\n"+
		"  \r\n"+
		` { "lon" : 0 , "lat" : 0.5 , "id" : "p2" , "name" : "B" , "region" : "cn" , "default_dwell" : "30m" } `)
	if err != nil {
		t.Fatal(err)
	}
	want := []place.Place{
		{ID: "p1", Name: `Aé"b"`, Region: "cn", Lat: 30.25, Lon: -0.001},
		{ID: "p2", Name: "B", Region: "cn", Lat: 0.5, DefaultDwell: fixture.places[0].DefaultDwell * 2 / 3},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("places (-want +got):\n%s", diff)
	}
	decl, err := readAll(kinds.Declarations, "d.jsonl",
		"\ufeff"+`{"person":"r1","declared_at":"2026-03-01T00:00:00Z","symptoms":["fever"," cough "]}`+"\n"+
			`{"person":"r1","declared_at":"2026-03-01T00:00:00Z","symptoms":"fever;cough"}`+"\n"+
			`{"person":"r1","declared_at":"2026-03-01T00:00:00Z","symptoms":[]}`+"\n")
	if err != nil {
		t.Fatal(err)
	}
	wantDecl := []lab.Declaration{
		{Person: "r1", DeclaredAt: at("0h"), Symptoms: []string{"fever", "cough"}},
		{Person: "r1", DeclaredAt: at("0h"), Symptoms: []string{"fever", "cough"}},
		{Person: "r1", DeclaredAt: at("0h"), Symptoms: []string{}},
	}
	if diff := cmp.Diff(wantDecl, decl); diff != "" {
		t.Errorf("declarations (-want +got):\n%s", diff)
	}
}
