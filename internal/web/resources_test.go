package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/kinds"
	"outbreak/internal/sqlstore"
)

// kindCase drives the create/get/list test of one kind.
type kindCase struct {
	kind string
	// body is the i-th record to create, for i in [0, 5).
	body func(i int) obj
	// filter is a list query, and filtered how many records (seeded or
	// created) it selects; a kind without filters has none.
	filter   string
	filtered int
}

var kindCases = []kindCase{
	{kind: "people", body: func(i int) obj {
		b := obj{"name": fmt.Sprintf("New %d", i), "phone": fmt.Sprintf("+8613900000%03d", i), "time_zone": "Asia/Shanghai"}
		if i%2 == 0 { // the others get an ID from the API
			b["id"], b["home_region"] = fmt.Sprintf("n%d", i), "d1"
		}
		return b
	}, filter: "home_region=d1", filtered: 5 + 3},
	{kind: "places", body: func(i int) obj {
		return obj{"id": fmt.Sprintf("pl%d", i), "name": fmt.Sprintf("Cafe %d", i), "region": []string{"d1", "c1"}[i%2],
			"category": "cafe", "lat": 23.5, "lon": 113.5, "default_dwell": "45m"}
	}, filter: "region=c1", filtered: 2},
	{kind: "regions", body: func(i int) obj {
		return obj{"id": fmt.Sprintf("d1x%d", i), "name": fmt.Sprintf("District %d", i), "parent": "c1", "kind": "district"}
	}, filter: "parent=c1", filtered: 6},
	{kind: "visits", body: func(i int) obj {
		in := time.Duration(i) * 20 * time.Hour // across day partitions
		return obj{"person": []string{"r1", "r2"}[i%2], "place": []string{"v1", "v2"}[i%2], "check_in": ts(in), "check_out": ts(in + 30*time.Minute)}
	}, filter: "person=r1", filtered: 3},
	{kind: "stays", body: func(i int) obj {
		from := time.Duration(i) * 20 * time.Hour
		return obj{"person": []string{"r1", "r2"}[i%2], "region": "d1", "from": ts(from), "to": ts(from + 2*time.Hour)}
	}, filter: "person=r2", filtered: 2},
	{kind: "labs", body: func(i int) obj {
		return obj{"person": "r3", "specimen_at": ts(time.Duration(i) * time.Hour),
			"result": []string{"negative", "positive"}[i%2], "test_type": "pcr"}
	}, filter: "from=" + ts(2*time.Hour) + "&to=" + ts(4*time.Hour), filtered: 2},
	{kind: "vaccinations", body: func(i int) obj {
		return obj{"person": []string{"r4", "r5"}[i/3], "given_at": ts(time.Duration(i) * 24 * time.Hour), "product": "Vax", "dose": i + 1}
	}, filter: "person=r5", filtered: 2},
	{kind: "declarations", body: func(i int) obj {
		symptoms := []string{}
		if i%2 == 0 {
			symptoms = []string{"cough", "fever"}
		}
		return obj{"person": "r1", "declared_at": ts(time.Duration(i) * time.Hour), "symptoms": symptoms}
	}, filter: "person=r1&to=" + ts(time.Hour), filtered: 1},
	{kind: "cases", body: func(i int) obj {
		b := obj{"person": fmt.Sprintf("r%d", i+1), "onset": ts(-24 * time.Hour), "isolated": ts(0)}
		if i < 2 {
			b["released"] = ts(240 * time.Hour)
		}
		return b
	}, filter: "active=true", filtered: 3},
	{kind: "depots", body: func(i int) obj {
		b := obj{"name": fmt.Sprintf("Depot %d", i), "lat": 23.5, "lon": -113.5 + float64(i)}
		if i%2 == 0 { // the others get an ID from the API
			b["id"], b["time_zone"] = fmt.Sprintf("dx%d", i), "Asia/Shanghai"
		}
		return b
	}},
	{kind: "vehicles", body: func(i int) obj {
		return obj{"id": fmt.Sprintf("veh%d", i), "depot": []string{"dep1", "dep2"}[i%2], "ambient": 10 * i, "chilled": 20,
			"shift_start": "8h", "shift_end": "18h30m", "max_out": "4h"}
	}, filter: "depot=dep2", filtered: 2},
	{kind: "stock", body: func(i int) obj {
		b := obj{"id": fmt.Sprintf("lot%d", i), "depot": "dep1", "item": []string{"vaccine", "food"}[i%2],
			"temperature": []string{"frozen", "ambient"}[i%2], "quantity": 10 * i}
		if i%2 == 0 {
			b["lot"], b["expiry"] = fmt.Sprintf("L%d", i), ts(720*time.Hour)
		}
		return b
	}, filter: "depot=dep1&item=vaccine", filtered: 3},
	{kind: "requests", body: func(i int) obj {
		b := obj{"site": fmt.Sprintf("Site %d", i), "kind": "hospital", "lat": 23.1, "lon": 113.1, "item": []string{"food", "vaccine"}[i%2],
			"quantity": i + 1, "priority": i + 1}
		if i%2 == 0 { // the others get an ID from the API
			b["id"], b["kind"], b["person"] = fmt.Sprintf("q%d", i), "household", fmt.Sprintf("r%d", i+1)
			b["slot_from"], b["slot_to"], b["service"] = ts(24*time.Hour), ts(26*time.Hour), "15m"
		}
		if i == 4 {
			b["status"] = "cancelled"
		}
		return b
	}, filter: "status=open&item=food", filtered: 2},
}

// minted are the kinds whose bodies in kindCases leave some IDs for the
// API to make.
var minted = map[string]bool{"people": true, "depots": true, "requests": true}

// normal returns v as encoding/json decodes it, so that numbers compare.
func normal(t *testing.T, v any) obj {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var o obj
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestCreateGetList(t *testing.T) {
	t.Parallel()
	for _, kc := range kindCases {
		t.Run(kc.kind, func(t *testing.T) {
			t.Parallel()
			stores(t, func(t *testing.T, db *sqlstore.DB) {
				a := newAPI(t, db)
				a.seed()
				var created []obj
				for i := range 5 {
					body := normal(t, kc.body(i))
					rec := a.do("POST", "/api/v1/"+kc.kind, body)
					got := want[obj](t, rec, http.StatusCreated)
					id, _ := got["id"].(string)
					if id == "" {
						t.Fatalf("create %v: no id in %v", body, got)
					}
					if loc := rec.Header().Get("Location"); loc != "/api/v1/"+kc.kind+"/"+id {
						t.Errorf("Location %q for id %q", loc, id)
					}
					for k, v := range body {
						if !cmp.Equal(got[k], v) {
							t.Errorf("create: field %s = %v, want %v (answer %v)", k, got[k], v, got)
						}
					}
					if minted[kc.kind] && body["id"] == nil && len(id) != 26 {
						t.Errorf("made id %q, want a ULID", id)
					}
					if kc.kind == "cases" && id != body["person"] {
						t.Errorf("case id %q, want the person's, %v", id, body["person"])
					}
					created = append(created, got)
				}

				wantIDs := slices.Clone(seededIDs[kc.kind])
				for _, c := range created {
					got := want[obj](t, a.do("GET", "/api/v1/"+kc.kind+"/"+c["id"].(string), nil), http.StatusOK)
					if diff := cmp.Diff(c, got); diff != "" {
						t.Errorf("get (-created +got):\n%s", diff)
					}
					wantIDs = append(wantIDs, c["id"].(string))
				}

				for _, limit := range []int{1, 2, 100} {
					t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
						var ids []string
						for _, it := range a.listAll("/api/v1/"+kc.kind, limit) {
							ids = append(ids, it["id"].(string))
						}
						if diff := cmp.Diff(sorted(wantIDs), sorted(ids)); diff != "" {
							t.Errorf("pages do not cover every item once (-want +got):\n%s", diff)
						}
					})
				}
				if kc.filter == "" {
					return
				}
				if n := len(a.listAll("/api/v1/"+kc.kind+"?"+kc.filter, 2)); n != kc.filtered {
					t.Errorf("?%s: %d items, want %d", kc.filter, n, kc.filtered)
				}
			})
		})
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestUpsert(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *sqlstore.DB) {
		a := newAPI(t, db)
		a.seed()
		tests := []struct {
			name, kind string
			body       obj
			field      string
			value      any
		}{
			{"person", "people", obj{"id": "r1", "name": "Renamed", "home_region": "c1"}, "home_region", "c1"},
			{"place", "places", obj{"id": "v1", "name": "Noodle bar", "region": "d1", "lat": 1.5, "lon": 2.5}, "lat", 1.5},
			{"region", "regions", obj{"id": "d1", "name": "Old town", "parent": "c1", "kind": "district"}, "name", "Old town"},
			{"depot", "depots", obj{"id": "dep2", "name": "Cold store", "lat": 23, "lon": 113}, "name", "Cold store"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got := want[obj](t, a.do("POST", "/api/v1/"+tt.kind, tt.body), http.StatusOK)
				if !cmp.Equal(got[tt.field], tt.value) {
					t.Errorf("%s = %v after replace, want %v", tt.field, got[tt.field], tt.value)
				}
				again := want[obj](t, a.do("GET", "/api/v1/"+tt.kind+"/"+tt.body["id"].(string), nil), http.StatusOK)
				if diff := cmp.Diff(got, again); diff != "" {
					t.Errorf("stored (-answered +got):\n%s", diff)
				}
			})
		}
	})
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *sqlstore.DB) {
		a := newAPI(t, db)
		for _, kind := range []string{"people", "places", "regions", "visits", "stays", "labs", "vaccinations", "declarations", "cases",
			"appeals", "depots", "vehicles", "stock", "requests"} {
			for _, id := range []string{"nope", "12345"} {
				t.Run(kind+"/"+id, func(t *testing.T) {
					p := problemOK(t, a.do("GET", "/api/v1/"+kind+"/"+id, nil), http.StatusNotFound)
					if p.Type != problemPrefix+"not-found" {
						t.Errorf("type %q", p.Type)
					}
				})
			}
		}
		t.Run("levels of an unknown region", func(t *testing.T) {
			problemOK(t, a.do("GET", "/api/v1/regions/nope/levels", nil), http.StatusNotFound)
			problemOK(t, a.do("POST", "/api/v1/regions/nope/levels", obj{"level": "high", "from": ts(0)}), http.StatusNotFound)
		})
		t.Run("check-out of an unknown visit", func(t *testing.T) {
			problemOK(t, a.do("POST", "/api/v1/visits/999/check-out", nil), http.StatusNotFound)
		})
	})
}

func TestLevels(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *sqlstore.DB) {
		a := newAPI(t, db)
		a.seed()
		first := want[obj](t, a.do("POST", "/api/v1/regions/c1/levels", obj{"level": "medium", "from": ts(0), "to": ts(48 * time.Hour)}), http.StatusCreated)
		second := want[obj](t, a.do("POST", "/api/v1/regions/c1/levels", obj{"region": "c1", "level": "high", "from": ts(time.Hour)}), http.StatusCreated)
		if first["id"] == nil || first["id"] == second["id"] {
			t.Fatalf("ids %v and %v", first["id"], second["id"])
		}
		list := want[struct{ Items []obj }](t, a.do("GET", "/api/v1/regions/c1/levels", nil), http.StatusOK)
		if diff := cmp.Diff([]obj{first, second}, list.Items); diff != "" {
			t.Errorf("levels (-want +got):\n%s", diff)
		}
		empty := want[struct{ Items []obj }](t, a.do("GET", "/api/v1/regions/d1/levels", nil), http.StatusOK)
		if empty.Items == nil || len(empty.Items) != 0 {
			t.Errorf("levels of d1: %v, want []", empty.Items)
		}

		tests := []struct {
			name  string
			body  obj
			field string
		}{
			{"another region in the body", obj{"region": "d1", "level": "high", "from": ts(0)}, "region"},
			{"bad level", obj{"level": "purple", "from": ts(0)}, "level"},
			{"to before from", obj{"level": "low", "from": ts(time.Hour), "to": ts(0)}, "to"},
			{"id given", obj{"id": "7", "level": "low", "from": ts(0)}, "id"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantField(t, problemOK(t, a.do("POST", "/api/v1/regions/c1/levels", tt.body), http.StatusUnprocessableEntity), tt.field)
			})
		}
	})
}

// TestSupplyReferences: a record of supply that refers to a depot or a
// resident the store does not hold is refused, naming the field, and
// nothing is stored.
func TestSupplyReferences(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *sqlstore.DB) {
		a := newAPI(t, db)
		a.seed()
		tests := []struct {
			kind  string
			body  obj
			field string
		}{
			{"vehicles", obj{"id": "veh9", "depot": "atlantis", "ambient": 5, "shift_end": "18h"}, "depot"},
			{"stock", obj{"id": "lot9", "depot": "atlantis", "item": "food", "temperature": "ambient", "quantity": 5}, "depot"},
			{"requests", obj{"id": "q9", "site": "Home", "kind": "household", "person": "ghost", "lat": 1, "lon": 2, "item": "food", "quantity": 1}, "person"},
			{"requests", obj{"id": "q9", "site": "Home", "kind": "household", "lat": 1, "lon": 2, "item": "food", "quantity": 0}, "quantity"},
		}
		for _, tt := range tests {
			t.Run(tt.kind+"/"+tt.field, func(t *testing.T) {
				wantField(t, problemOK(t, a.do("POST", "/api/v1/"+tt.kind, tt.body), http.StatusUnprocessableEntity), tt.field)
				problemOK(t, a.do("GET", "/api/v1/"+tt.kind+"/"+tt.body["id"].(string), nil), http.StatusNotFound)
			})
		}
		for _, q := range []string{"stock?temperature=frozen", "requests?depot=dep1", "vehicles?item=food", "depots?depot=dep1"} {
			wantField(t, problemOK(t, a.do("GET", "/api/v1/"+q, nil), http.StatusUnprocessableEntity), strings.SplitN(strings.Split(q, "?")[1], "=", 2)[0])
		}
	})
}

// TestOneDecoder posts records one at a time and as lines of a batch: the
// single POST decodes as the batch does, so both take and refuse the same
// records, naming the same field.
func TestOneDecoder(t *testing.T) {
	t.Parallel()
	a := newAPI(t, openSQLite(t))
	a.seed()
	bodies := []struct {
		body  string
		field string // "" when the record is taken
	}{
		{`{"id":"x1","name":"X","region":"d1","lat":"23.1","lon":113.2}`, ""},
		{`{"id":"x2","name":"X","region":"d1","lat":23.1,"lon":"113.2","default_dwell":"45m"}`, ""},
		{`{"id":"x3","name":"X","region":"d1","lat":true,"lon":1}`, "lat"},
		{`{"id":"x4","name":"X","region":"d1","lat":1,"lon":1,"colour":"red"}`, "colour"},
		{`{"id":"x5","name":"X","region":"d1","lat":91,"lon":1}`, "lat"},
		{`{"id":"x6","region":"d1","lat":1,"lon":1}`, "name"},
		{`{"id":"x7","name":"X","region":"d1","lat":"north","lon":1}`, "lat"},
		{`{"id":"x8","name":"X","region":"atlantis","lat":1,"lon":1}`, "region"},
	}
	for _, b := range bodies {
		rec := a.do("POST", "/api/v1/places", b.body)
		one := ""
		if rec.Code != http.StatusCreated {
			p := problemOK(t, rec, http.StatusUnprocessableEntity)
			if len(p.Errors) > 0 {
				one = p.Errors[0].Field
			}
		}
		res := want[kinds.BatchResult](t, a.do("POST", "/api/v1/places/batch", strings.Replace(b.body, `"x`, `"y`, 1), "Content-Type", ndjsonType), http.StatusOK)
		batch := ""
		if e := res.Results[0].Error; e != nil {
			batch = e.Field
		}
		if one != b.field || batch != b.field {
			t.Errorf("%s: the single POST names %q and the batch %q; want %q for both", b.body, one, batch, b.field)
		}
	}
}
