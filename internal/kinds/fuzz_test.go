package kinds_test

import (
	"encoding/json"
	"errors"
	"io"
	"outbreak/internal/kinds"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/errs"
)

var visitCSVSeeds = []string{
	visitsHeader + "r1,p1,2026-03-01T08:00:00Z,2026-03-01T08:45:00Z\n",
	"check_in,person,place,id\n2026-03-01T08:00:00.123456789+08:00,r1,p1,v1\r\n\"r\"\"2\",p1,,\n",
	visitsHeader + "r1,p1,2026-03-01T08:00:00Z,\nr2,\"p\n1\",2026-03-01T08:00:00Z,2026-03-08T08:00:00Z\n",
	visitsHeader + "r1,p1,9999-12-31T23:59:59-23:59,\n",
}

var residentCSVSeeds = []string{
	"id,name,phone,email,language,time_zone,home_region\nr1,Li Lei,+8613800000000,li@example.org,zh-Hans,Asia/Shanghai,cn.p1\n",
	"name,id\n\" Wang,\t\"\"Fang\"\"\",r3\n\"Two\r\nlines\",r4\n",
	"\ufeffid\nr1\n\nr2\n",
}

var visitJSONSeeds = []string{
	`{"id":"v1","person":"r1","place":"p1","check_in":"2026-03-01T08:00:00Z","check_out":"2026-03-01T08:45:00Z"}`,
	` { "person" : "r\u0031" , "place":"p1","check_in":"2026-03-01T08:00:00+08:00","check_out":null } `,
	`{"person":"r1","place":"p1","check_in":"2026-03-01T08:00:00Z","x":[1,2]}`,
}

var residentJSONSeeds = []string{
	`{"id":"r1","name":"Li Lei","phone":"+8613800000000","email":"li@example.org","language":"zh-Hans","time_zone":"Asia/Shanghai","home_region":"cn.p1"}`,
	`{"id":"r3","name":" Wang,\t\"Fang\"\n\u00e9\ud83d\ude00","language":"en"}`,
	`{"id":"r4","name":7}`,
}

const requestsHeader = "id,site,kind,person,lat,lon,item,quantity,priority,slot_from,slot_to,service,created,status,plan\n"

var requestCSVSeeds = []string{
	requestsHeader + "q1,Hospital 1,hospital,,30.3,120.2,vaccine-mrna,12,5,,,,2026-03-05T00:00:00Z,open,\n",
	requestsHeader + "q2,\"Home of r1\nFlat 3\",household,r1,-33.5,-70.000001,food-parcel,1,9,2026-03-05T09:00:00+08:00,2026-03-05T11:00:00.000001+08:00,1m30s,,dispatched,plan-1\n",
	"quantity,item,lon,lat,kind,site,id\n10000000,kits,0,0,other,\" S\",q3\n7,kits,1e2,-1E1,vaccination_point,S,q4\n",
}

var requestJSONSeeds = []string{
	`{"id":"q1","site":"Hospital 1","kind":"hospital","lat":30.3,"lon":120.2,"item":"vaccine-mrna","quantity":12,"priority":5,"created":"2026-03-05T00:00:00Z","status":"open"}`,
	`{"id":"q2","site":"Home","kind":"household","person":"r1","lat":"-33.5","lon":-70,"item":"food","quantity":"1","slot_from":"2026-03-05T09:00:00Z","slot_to":"2026-03-05T11:00:00Z","service":"90s","plan":null}`,
	`{"id":"q3","site":"S","kind":"other","lat":0,"lon":0,"item":"x","quantity":0}`,
}

func FuzzDecodeRequestCSV(f *testing.F)    { fuzzCSV(f, kinds.Requests, requestCSVSeeds) }
func FuzzDecodeRequestNDJSON(f *testing.F) { fuzzJSON(f, kinds.Requests, requestJSONSeeds) }

func FuzzDecodeVisitCSV(f *testing.F)       { fuzzCSV(f, kinds.Visits, visitCSVSeeds) }
func FuzzDecodeResidentCSV(f *testing.F)    { fuzzCSV(f, kinds.Residents, residentCSVSeeds) }
func FuzzDecodeVisitNDJSON(f *testing.F)    { fuzzJSON(f, kinds.Visits, visitJSONSeeds) }
func FuzzDecodeResidentNDJSON(f *testing.F) { fuzzJSON(f, kinds.Residents, residentJSONSeeds) }

// badInput reports whether err is the error of bad input: a broken rule
// (Invalid) or text that is not the format (Malformed).
func badInput(err error) bool { return errs.Is(err, errs.Invalid) || errs.Is(err, errs.Malformed) }

// fuzzCSV reads whole CSV files: reading never panics, a bad record is an
// Invalid or Malformed *LineError, and a record that reads re-encodes to the same record.
func fuzzCSV[T any](f *testing.F, c *kinds.Kind[T], seeds []string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		rd, err := c.NewReader("f.csv", kinds.CSV, strings.NewReader(data))
		if err != nil {
			if !badInput(err) {
				t.Fatalf("NewReader: %v is not Invalid or Malformed", err)
			}
			return
		}
		for range 1000 {
			v, err := rd.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var le *kinds.LineError
				if !errors.As(err, &le) || !badInput(err) || le.Line < 1 {
					t.Fatalf("Next: %v is not an Invalid or Malformed *LineError", err)
				}
				continue
			}
			reencode(t, c, v)
		}
	})
}

// fuzzJSON decodes NDJSON lines: decoding never panics, never accepts what
// is not JSON, and a record that decodes re-encodes to the same record.
func fuzzJSON[T any](f *testing.F, c *kinds.Kind[T], seeds []string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		v, err := c.DecodeJSON(line, nil)
		if err != nil {
			if !badInput(err) {
				t.Fatalf("DecodeJSON: %v is not Invalid or Malformed", err)
			}
			return
		}
		if !json.Valid(line) {
			t.Fatalf("DecodeJSON accepted %q, which is not JSON", line)
		}
		reencode(t, c, v)
	})
}

// reencode checks that v written as CSV and as NDJSON reads back as v (but
// for the extra fields, which CSV leaves out).
func reencode[T any](t *testing.T, c *kinds.Kind[T], v T) {
	t.Helper()
	line := c.AppendJSON(nil, &v)
	if !json.Valid(line) {
		t.Fatalf("AppendJSON wrote %q, which is not JSON", line)
	}
	got, err := c.DecodeJSON(line, nil)
	if err != nil {
		t.Fatalf("DecodeJSON(%q) of %+v: %v", line, v, err)
	}
	if diff := cmp.Diff(v, got); diff != "" {
		t.Fatalf("NDJSON %q (-want +got):\n%s", line, diff)
	}
	// CSV leaves the extra fields out: v read back without them.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(line, &fields); err != nil {
		t.Fatal(err)
	}
	for _, f := range c.Fields() {
		if f.Extra {
			delete(fields, f.Name)
		}
	}
	bare, _ := json.Marshal(fields)
	if v, err = c.DecodeJSON(bare, nil); err != nil {
		t.Fatalf("DecodeJSON(%s): %v", bare, err)
	}
	file := strings.Join(c.Header(), ",") + "\n" + string(c.AppendCSV(nil, &v))
	back, err := readAll(c, "f.csv", file)
	if err != nil || len(back) != 1 {
		t.Fatalf("reading %q back: %v, %d records", file, err, len(back))
	}
	if diff := cmp.Diff(v, back[0]); diff != "" {
		t.Fatalf("CSV %q (-want +got):\n%s", file, diff)
	}
}
