package kinds_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"iter"
	"outbreak/internal/kinds"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/errs"
	"outbreak/internal/record"
	"outbreak/internal/visit"
)

const visitsHeader = "person,place,check_in,check_out\n"

// TestBadLine checks the message of each kind of bad line, and that the
// store applies nothing of a file with one.
func TestBadLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, kind, file, data string
		want                   string
	}{
		{"check_out before check_in", "visits", "visits.csv", visitsHeader +
			"r1,p1,2026-03-01T08:00:00Z,2026-03-01T09:00:00Z\n" +
			"r2,p1,2026-03-01T08:00:00Z,2026-03-01T07:00:00Z\n" +
			"r3,p2,2026-03-01T08:00:00Z,\n",
			"visits.csv:3: check_out: before check_in"},
		{"not a number", "places", "places.csv", "id,name,region,lat,lon\npx,X,cn,x,1\n",
			`places.csv:2: lat: not a number: "x"`},
		{"out of range", "places", "places.csv", "id,name,region,lat,lon\npx,X,cn,91,1\n",
			`places.csv:2: lat: not a latitude in [-90, 90]: 91`},
		{"record over two lines", "residents", "residents.csv", "id,name,email\nr7,A,a@b.c\nr8,\"Two\nlines\",nope\nr9,C,c@d.e\n",
			`residents.csv:3: email: not an e-mail address: "nope"`},
		{"record after one over two lines", "residents", "residents.csv", "id,name,phone\nr8,\"Two\r\nlines\",\nr9,C,123\n",
			`residents.csv:4: phone: not an E.164 number like +8613800000000: "123"`},
		{"required value", "visits", "visits.csv", visitsHeader + "r1,p1,,\n",
			"visits.csv:2: check_in: required"},
		{"not a time", "visits", "visits.csv", visitsHeader + "r1,p1,2026-03-01 08:00,\n",
			`visits.csv:2: check_in: not an RFC 3339 time: "2026-03-01 08:00"`},
		{"year 10000 in UTC", "visits", "visits.csv", visitsHeader + "r1,p1,9999-12-31T23:00:00-02:00,\n",
			`visits.csv:2: check_in: not a time between years 1 and 9999 in UTC: "9999-12-31T23:00:00-02:00"`},
		{"not a result", "labs", "labs.csv", "person,specimen_at,result,test_type\nr1,2026-03-01T00:00:00Z,maybe,PCR\n",
			`labs.csv:2: result: must be positive, negative or inconclusive, not "maybe"`},
		{"not an integer", "vaccinations", "vaccinations.csv", "person,given_at,product,dose\nr1,2026-03-01T00:00:00Z,X,two\n",
			`vaccinations.csv:2: dose: not an integer: "two"`},
		{"released before isolated", "cases", "cases.csv", "person,onset,isolated,released\nr2,2026-03-01T00:00:00Z,2026-03-05T00:00:00Z,2026-03-04T00:00:00Z\n",
			"cases.csv:2: released: before isolated"},
		{"control character", "regions", "regions.csv", "id,name,kind\nzz,\"a\rb\",country\n",
			`regions.csv:2: name: control character '\r' not allowed`},
		{"field count", "visits", "visits.csv", visitsHeader + "r1,p1,2026-03-01T08:00:00Z\n",
			"visits.csv:2: 3 fields, but the header has 4"},
		{"bare quote", "visits", "visits.csv", visitsHeader + "r1,p\"1,2026-03-01T08:00:00Z,\n",
			`visits.csv:2: bare " in non-quoted-field (character 5)`},
		{"unknown place", "visits", "visits.csv", visitsHeader +
			"r1,p1,2026-03-01T08:00:00Z,\n" + "r2,v9,2026-03-01T08:00:00Z,\n" + "r3,p1,2026-03-01T08:00:00Z,\n",
			`visits.csv:3: place: unknown place "v9"`},
		{"unknown parent", "regions", "regions.csv", "id,name,parent,kind\nzz,Z,yy,province\n",
			`regions.csv:2: parent: unknown region "yy" (a parent comes before its children)`},
		{"unknown column", "visits", "visits.csv", "person,place,color,check_in\nr1,p1,red,2026-03-01T08:00:00Z\n",
			"visits.csv:1: color: unknown column (visits has id,person,place,check_in,check_out)"},
		{"missing column", "visits", "visits.csv", "person,place,check_out\nr1,p1,\n",
			"visits.csv:1: check_in: required column missing"},
		{"repeated column", "visits", "visits.csv", "person,place,check_in,place\n",
			"visits.csv:1: place: column given twice"},
		{"empty file", "visits", "visits.csv", "",
			"visits.csv: empty file, want a header: person,place,check_in,check_out"},
		{"ndjson bad time after a blank line", "visits", "visits.ndjson",
			`{"person":"r1","place":"p1","check_in":"2026-03-01T08:00:00Z"}` + "\n\n" +
				`{"person":"r1","place":"p1","check_in":"yesterday"}` + "\n",
			`visits.ndjson:3: check_in: not an RFC 3339 time: "yesterday"`},
		{"ndjson unknown field", "visits", "visits.ndjson", `{"person":"r1","color":"red"}`,
			"visits.ndjson:1: color: unknown field (visits has id,person,place,check_in,check_out)"},
		{"ndjson missing field", "visits", "visits.jsonl", `{"person":"r1","place":"p1"}`,
			"visits.jsonl:1: check_in: required"},
		{"ndjson repeated field", "visits", "visits.ndjson", `{"person":"r1","person":"r2"}`,
			"visits.ndjson:1: person: given twice"},
		{"ndjson not a number", "places", "places.ndjson", `{"id":"p9","name":"X","region":"cn","lat":true,"lon":0}`,
			"places.ndjson:1: lat: not a number"},
		{"ndjson number for a string", "visits", "visits.ndjson", `{"person":7}`,
			"visits.ndjson:1: person: not a string: 7"},
		{"ndjson syntax", "visits", "visits.ndjson", `{"person":"r1" "place":"p1"}`,
			"visits.ndjson:1: not a JSON object: want , or } at column 16"},
		{"ndjson not an object", "visits", "visits.ndjson", `["r1"]`,
			"visits.ndjson:1: not a JSON object: want { at column 1"},
		{"ndjson cut short", "visits", "visits.ndjson", `{"person":"r1`,
			"visits.ndjson:1: not a JSON object: unterminated string at the end of the line"},
		{"ndjson list of numbers", "declarations", "declarations.ndjson", `{"person":"r1","declared_at":"2026-03-01T00:00:00Z","symptoms":[1]}`,
			"declarations.ndjson:1: symptoms: not a list of strings"},
		{"unknown time zone", "depots", "depots.csv", "id,name,lat,lon,time_zone\ndep9,X,1,2,Mars/Olympus\n",
			`depots.csv:2: time_zone: not an IANA time zone: "Mars/Olympus"`},
		{"unknown depot", "vehicles", "vehicles.csv", "id,depot,ambient,shift_end\nv8,dep1,5,18h\nv9,dep9,5,18h\n",
			`vehicles.csv:3: depot: unknown depot "dep9"`},
		{"not a duration", "vehicles", "vehicles.csv", "id,depot,ambient,shift_start,shift_end\nv9,dep1,5,8h,6pm\n",
			`vehicles.csv:2: shift_end: not a duration like 45m or 1h30m: "6pm"`},
		{"shift ends before it starts", "vehicles", "vehicles.csv", "id,depot,ambient,shift_start,shift_end\nv9,dep1,5,8h,7h\n",
			`vehicles.csv:2: shift_end: must be after shift_start and at most 48h, not 7h`},
		{"no capacity", "vehicles", "vehicles.ndjson", `{"id":"v9","depot":"dep1","shift_end":"18h"}`,
			"vehicles.ndjson:1: ambient: the vehicle carries nothing: give a capacity in ambient, chilled or frozen"},
		{"not a temperature class", "stock", "stock.csv", "id,depot,item,temperature,quantity\ns9,dep1,vax,warm,5\n",
			`stock.csv:2: temperature: must be ambient, chilled or frozen, not "warm"`},
		{"not a whole quantity", "stock", "stock.csv", "id,depot,item,temperature,quantity\ns9,dep1,vax,frozen,1.5\n",
			`stock.csv:2: quantity: not an integer: "1.5"`},
		{"stock without quantity", "stock", "stock.csv", "id,depot,item,temperature\ns9,dep1,vax,frozen\n",
			"stock.csv:1: quantity: required column missing"},
		{"lot at an unknown depot", "stock", "stock.ndjson", `{"id":"s9","depot":"dep9","item":"vax","temperature":"frozen","quantity":1}`,
			`stock.ndjson:1: depot: unknown depot "dep9"`},
		{"request of an unknown person", "requests", "requests.csv", "id,site,kind,person,lat,lon,item,quantity\n" +
			"q8,Home,household,r1,1,2,food,1\nq9,Home,household,r9,1,2,food,1\n",
			`requests.csv:3: person: unknown person "r9"`},
		{"half a slot", "requests", "requests.csv", "id,site,kind,lat,lon,item,quantity,slot_from\nq9,Site,hospital,1,2,vax,3,2026-03-02T08:00:00Z\n",
			"requests.csv:2: slot_to: a slot needs both slot_from and slot_to"},
		{"not a site kind", "requests", "requests.ndjson", `{"id":"q9","site":"Shop","kind":"shop","lat":1,"lon":2,"item":"vax","quantity":3}`,
			`requests.ndjson:1: kind: must be vaccination_point, hospital, household or other, not "shop"`},
		{"not a request state", "requests", "requests.ndjson", `{"id":"q9","site":"S","kind":"other","lat":1,"lon":2,"item":"vax","quantity":3,"status":"lost"}`,
			`requests.ndjson:1: status: must be open, dispatched, delivered or cancelled, not "lost"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := seeded(t)
			before := snapshot(t, st)
			res, err := kinds.Import(context.Background(), st, tt.kind, tt.file, strings.NewReader(tt.data), kinds.Options{})
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Import = %+v, %v\nwant error %s", res, err, tt.want)
			}
			if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Malformed) {
				t.Errorf("error kind %v, want invalid or malformed", errs.KindOf(err))
			}
			if after := snapshot(t, st); after != before {
				t.Errorf("the store changed:\n%s\nwas:\n%s", after, before)
			}
		})
	}
}

// TestSkipBad checks that with SkipBad bad lines, malformed or refused by
// the store, go to RejectTo with why, and the rest is imported.
func TestSkipBad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, data, rejects string
		errors                    []string
	}{
		{"csv", "visits.csv", visitsHeader +
			"r1,p1,2026-03-05T08:00:00Z,\n" +
			"r2,p9,2026-03-05T09:00:00Z,\n" +
			"r2,p1,2026-03-05T10:00:00Z,2026-03-05T09:00:00Z\r\n" +
			"\n" +
			"r3,p2,\"2026-03-05\nT11:00:00Z\",\n" +
			"r3,p2,2026-03-05T12:00:00Z,2026-03-05T12:30:00Z\n" +
			"r1,p\"1,2026-03-05T13:00:00Z,\n" +
			"r1,p1,2026-03-05T14:00:00Z,2026-03-05T14:00:00Z",
			strings.TrimSuffix(visitsHeader, "\n") + ",rejected\n" +
				"r2,p9,2026-03-05T09:00:00Z,,\"line 3: place: unknown place \"\"p9\"\"\"\n" +
				"r2,p1,2026-03-05T10:00:00Z,2026-03-05T09:00:00Z,line 4: check_out: before check_in\n" +
				"r3,p2,\"2026-03-05\nT11:00:00Z\",,\"line 6: check_in: not an RFC 3339 time: \"\"2026-03-05\\nT11:00:00Z\"\"\"\n" +
				"r1,p\"1,2026-03-05T13:00:00Z,,\"line 9: bare \"\" in non-quoted-field (character 5)\"\n",
			[]string{
				`visits.csv:3: place: unknown place "p9"`,
				"visits.csv:4: check_out: before check_in",
				`visits.csv:6: check_in: not an RFC 3339 time: "2026-03-05\nT11:00:00Z"`,
				`visits.csv:9: bare " in non-quoted-field (character 5)`,
			}},
		{"ndjson", "visits.ndjson",
			`{"person":"r1","place":"p1","check_in":"2026-03-05T08:00:00Z"}` + "\n" +
				`{"person":"r2","place":"p9","check_in":"2026-03-05T09:00:00Z"}` + "\n" +
				"\n" +
				`{"person":"r2","place":"p1","check_in":"2026-03-05T09:00:00Z","x":1}` + "\r\n" +
				`{"person":"r3","place":"p2","check_in":"2026-03-05T12:00:00Z"}` + "\n" +
				`{"person":"r1","place":"p1","check_in":"2026-03-05T14:00:00Z"}` + "\n" +
				`{"person":"r1"`,
			`{"line":2,"rejected":"place: unknown place \"p9\"","text":"{\"person\":\"r2\",\"place\":\"p9\",\"check_in\":\"2026-03-05T09:00:00Z\"}"}` + "\n" +
				`{"line":4,"rejected":"x: unknown field (visits has id,person,place,check_in,check_out)","text":"{\"person\":\"r2\",\"place\":\"p1\",\"check_in\":\"2026-03-05T09:00:00Z\",\"x\":1}"}` + "\n" +
				`{"line":7,"rejected":"not a JSON object: want , or } at the end of the line","text":"{\"person\":\"r1\""}` + "\n",
			[]string{
				`visits.ndjson:2: place: unknown place "p9"`,
				"visits.ndjson:4: x: unknown field (visits has id,person,place,check_in,check_out)",
				"visits.ndjson:7: not a JSON object: want , or } at the end of the line",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := seeded(t)
			var rejects bytes.Buffer
			res, err := kinds.Import(context.Background(), st, "visits", tt.file, strings.NewReader(tt.data),
				kinds.Options{SkipBad: true, RejectTo: &rejects})
			if err != nil {
				t.Fatal(err)
			}
			var msgs []string
			for _, e := range res.Errors {
				msgs = append(msgs, e.Error())
			}
			if res.Imported != 3 || res.Rejected != len(tt.errors) {
				t.Errorf("Import = %d imported, %d rejected; want 3, %d", res.Imported, res.Rejected, len(tt.errors))
			}
			if diff := cmp.Diff(tt.errors, msgs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.rejects, rejects.String()); diff != "" {
				t.Errorf("rejected lines (-want +got):\n%s", diff)
			}
			if n := len(allOf(t, kinds.Visits, st)); n != len(fixture.visits)+3 {
				t.Errorf("the store has %d visits, want %d", n, len(fixture.visits)+3)
			}
			// The rejected lines are a file of their own, with the same errors.
			again, err := kinds.Import(context.Background(), st, "visits", tt.file, &rejects, kinds.Options{SkipBad: true})
			if err != nil || again.Imported != 0 || again.Rejected != res.Rejected {
				t.Errorf("importing the rejects: %+v, %v; want %d rejected", again, err, res.Rejected)
			}
		})
	}
}

// TestAlwaysAbort checks that header problems and I/O errors stop an import
// even with SkipBad.
func TestAlwaysAbort(t *testing.T) {
	t.Parallel()
	good := visitsHeader + "r1,p1,2026-03-05T08:00:00Z,\n"
	tests := []struct {
		name string
		r    io.Reader
		want string
	}{
		{"header", strings.NewReader("person,place,when\n"), "visits.csv:1: when: unknown column (visits has id,person,place,check_in,check_out)"},
		{"read", io.MultiReader(strings.NewReader(good), iotest.ErrReader(errors.New("disk on fire"))), "visits.csv: disk on fire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := seeded(t)
			before := snapshot(t, st)
			_, err := kinds.Import(context.Background(), st, "visits", "visits.csv", tt.r, kinds.Options{SkipBad: true, RejectTo: io.Discard})
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Import: %v, want %s", err, tt.want)
			}
			if snapshot(t, st) != before {
				t.Error("the store changed")
			}
		})
	}
}

func TestCancelled(t *testing.T) {
	t.Parallel()
	st := seeded(t)
	before := snapshot(t, st)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := kinds.Import(ctx, st, "visits", "visits.csv", strings.NewReader(visitsHeader+"r1,p1,2026-03-05T08:00:00Z,\n"), kinds.Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Import: %v, want context.Canceled", err)
	}
	if snapshot(t, st) != before {
		t.Error("the store changed")
	}
}

// careless is a store that ignores the abort contract: it applies what it
// was given even when the context was cancelled.
type careless struct{ kinds.Store }

func (c careless) ImportVisits(ctx context.Context, items iter.Seq[visit.Visit], reject record.Reject) (int, error) {
	return c.Store.ImportVisits(context.Background(), items, reject)
}

func TestCarelessStore(t *testing.T) {
	t.Parallel()
	st := careless{seeded(t)}
	_, err := kinds.Import(context.Background(), st, "visits", "v.csv", strings.NewReader(visitsHeader+"r1,p1,2026-03-05T08:00:00Z,\nr1,p1,x,\n"), kinds.Options{})
	if err == nil || !strings.HasPrefix(err.Error(), `v.csv:3: check_in: not an RFC 3339 time: "x" (the store did not report the abort`) {
		t.Errorf("Import: %v, want the line's error and a word about the store", err)
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, format, want, err string }{
		{"a.csv", "", kinds.CSV, ""},
		{"dir.x/A.CSV", "", kinds.CSV, ""},
		{"a.ndjson", "", kinds.NDJSON, ""},
		{"a.jsonl", "", kinds.NDJSON, ""},
		{"a.csv", "ndjson", kinds.NDJSON, ""},
		{"-", "JSONL", kinds.NDJSON, ""},
		{"-", "", "", "format: required when reading standard input (csv or ndjson)"},
		{"a.txt", "", "", "format: cannot tell the format of a.txt: name it .csv, .ndjson or .jsonl, or give a format"},
		{"a.csv", "xml", "", `format: must be csv or ndjson, not "xml"`},
	}
	for _, tt := range tests {
		got, err := kinds.Format(tt.name, tt.format)
		if got != tt.want || (err == nil) != (tt.err == "") || err != nil && err.Error() != tt.err {
			t.Errorf("Format(%q, %q) = %q, %v; want %q, %s", tt.name, tt.format, got, err, tt.want, tt.err)
		}
	}
}

func TestUnknownKind(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	want := `unknown kind "people" (want one of regions, region_levels, places, residents, visits, stays, labs, vaccinations, declarations, cases, appeals, depots, vehicles, stock, requests)`
	if _, err := kinds.Import(context.Background(), st, "people", "p.csv", strings.NewReader(""), kinds.Options{}); err == nil || err.Error() != want {
		t.Errorf("Import: %v, want %s", err, want)
	}
	if _, err := kinds.Export(context.Background(), st, "people", kinds.CSV, io.Discard); err == nil || err.Error() != want {
		t.Errorf("Export: %v, want %s", err, want)
	}
}

// TestStdin reads standard input, which names itself stdin in messages.
func TestStdin(t *testing.T) {
	t.Parallel()
	st := seeded(t)
	_, err := kinds.Import(context.Background(), st, "visits", "-", strings.NewReader(visitsHeader+"r1,p1,,\n"), kinds.Options{Format: "csv"})
	if err == nil || err.Error() != "stdin:2: check_in: required" {
		t.Errorf("Import: %v", err)
	}
}
