package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestImportExportSupply imports a file of each supply kind and exports it
// back byte for byte, CSV and NDJSON, after a file with a bad line that
// names it and changes nothing.
func TestImportExportSupply(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	smallCity(t, dir, data, nil)
	env := map[string]string{"OUTBREAK_DATA": data}
	files := []struct{ kind, csv string }{
		{"depots", "id,name,lat,lon,time_zone\n" +
			"dep1,\"North depot, gate 2\",23.15,113.25,Asia/Shanghai\n" +
			"dep2,South depot,23.05,113.2,\n"},
		{"vehicles", "id,depot,ambient,chilled,frozen,shift_start,shift_end,max_out\n" +
			"dep1.cold1,dep1,20,40,20,8h,18h,4h\n" +
			"dep2.van1,dep2,80,0,0,7h30m,20h,\n"},
		{"stock", "id,depot,item,lot,expiry,temperature,quantity\n" +
			"dep1.vax.1,dep1,vaccine-mrna,L1-1,2026-12-01T12:00:00Z,frozen,30\n" +
			"dep2.food,dep2,food-parcel,,,ambient,50\n"},
		{"requests", "id,site,kind,person,lat,lon,item,quantity,priority,slot_from,slot_to,service,created,status,plan\n" +
			"q00001,Hospital 1,hospital,,23.2,113.3,vaccine-mrna,12,5,,,,2026-11-14T16:00:00Z,open,\n" +
			"q00002,Home of r1,household,r1,23.1,113.2,food-parcel,1,4,2026-11-15T01:00:00Z,2026-11-15T03:00:00Z,15m,2026-11-14T16:00:00Z,open,\n"},
	}
	for _, f := range files {
		path := write(t, dir, f.kind+".csv", f.csv)
		out, _, err := outbreak(t, env, "import", f.kind, path)
		if err != nil || !strings.Contains(out, "imported 2 "+f.kind) {
			t.Fatalf("import %s: %q, %v", f.kind, out, err)
		}
		if got, _, err := outbreak(t, env, "export", f.kind); err != nil || got != f.csv {
			t.Errorf("export %s = %q, %v; want %q", f.kind, got, err, f.csv)
		}
		nd, _, err := outbreak(t, env, "export", f.kind, "--format", "ndjson")
		if err != nil || strings.Count(nd, "\n") != 2 {
			t.Fatalf("export %s as NDJSON: %q, %v", f.kind, nd, err)
		}
		if _, _, err := outbreak(t, env, "import", f.kind, write(t, dir, f.kind+".ndjson", nd)); err != nil {
			t.Errorf("import %s from NDJSON: %v", f.kind, err)
		}
		if got, _, _ := outbreak(t, env, "export", f.kind); got != f.csv {
			t.Errorf("after the NDJSON import, export %s = %q; want %q", f.kind, got, f.csv)
		}
	}
	bad := write(t, dir, "bad.csv", "id,site,kind,person,lat,lon,item,quantity\n"+
		"q00003,Home of r2,household,r2,23.1,113.2,food-parcel,1\n"+
		"q00004,Home of r9,household,r9,23.1,113.2,food-parcel,1\n")
	if _, _, err := outbreak(t, env, "import", "requests", bad); err == nil || err.Error() != bad+`:3: person: unknown person "r9"` {
		t.Fatalf("request of an unknown person: %v", err)
	}
	if got, _, _ := outbreak(t, env, "export", "requests"); got != files[3].csv {
		t.Errorf("a refused import changed requests: %q", got)
	}
}
