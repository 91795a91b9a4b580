package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/approval"
	"outbreak/internal/cases"
	"outbreak/internal/errs"
	"outbreak/internal/lab"
	"outbreak/internal/person"
	"outbreak/internal/place"
	"outbreak/internal/record"
	"outbreak/internal/seal"
	"outbreak/internal/visit"
)

var t0 = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

func mustImport[T any](t *testing.T, imp func(context.Context, iter.Seq[T], record.Reject) (int, error), items ...T) {
	t.Helper()
	n, err := imp(context.Background(), slices.Values(items), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(items) {
		t.Fatalf("imported %d of %d", n, len(items))
	}
}

// city stores a small city: four nested regions, three places, five residents.
func city(t *testing.T, db *DB) {
	t.Helper()
	mustImport(t, db.ImportRegions,
		place.Region{ID: "cn", Name: "China", Kind: place.Country},
		place.Region{ID: "cn.p1", Name: "Province 1", Parent: "cn", Kind: place.Province},
		place.Region{ID: "cn.p1.c1", Name: "City 1", Parent: "cn.p1", Kind: place.City},
		place.Region{ID: "cn.p1.c1.d1", Name: "District 1", Parent: "cn.p1.c1", Kind: place.District})
	mustImport(t, db.ImportPlaces,
		place.Place{ID: "v1", Name: "Noodle bar", Region: "cn.p1.c1.d1", Category: "restaurant", Lat: 23.1, Lon: 113.2, DefaultDwell: record.Duration(time.Hour)},
		place.Place{ID: "v2", Name: "Market", Region: "cn.p1.c1.d1", Category: "supermarket", Lat: 23.2, Lon: 113.3},
		place.Place{ID: "v3", Name: "Gym", Region: "cn.p1.c1", Category: "gym", Lat: 23.3, Lon: 113.4})
	var rs []person.Resident
	for i := 1; i <= 5; i++ {
		rs = append(rs, person.Resident{ID: fmt.Sprintf("r%d", i), Name: fmt.Sprintf("Resident %d", i),
			Phone: fmt.Sprintf("+861380000000%d", i), Language: "zh", TimeZone: "Asia/Shanghai", HomeRegion: "cn.p1.c1.d1"})
	}
	mustImport(t, db.ImportResidents, rs...)
}

func TestResidents(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		city(t, db)
		got, err := db.Resident(ctx, "r3")
		if err != nil {
			t.Fatal(err)
		}
		want := person.Resident{ID: "r3", Name: "Resident 3", Phone: "+8613800000003", Language: "zh", TimeZone: "Asia/Shanghai", HomeRegion: "cn.p1.c1.d1"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("Resident (-want +got):\n%s", diff)
		}
		// Personal fields are sealed at rest.
		r, err := db.reader().query(ctx, "SELECT name, phone FROM residents WHERE id = 'r3'")
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			var name, phone []byte
			if err := r.Scan(&name, &phone); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(name, []byte("Resident")) || bytes.Contains(phone, []byte("13800000003")) {
				t.Fatal("personal fields are stored in the clear")
			}
		}
		r.Close()
		// Import replaces by ID.
		want.Name = "Renamed"
		mustImport(t, db.ImportResidents, want)
		if got, _ := db.Resident(ctx, "r3"); got.Name != "Renamed" {
			t.Fatalf("after re-import, name = %q", got.Name)
		}
		if _, err := db.Resident(ctx, "nobody"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown resident: %v, want NotFound", err)
		}
		// Pages of two cover everyone once, in ID order.
		var ids []string
		f := person.Filter{HomeRegion: "cn.p1.c1.d1", Page: record.Page{Limit: 2}}
		for {
			page, next, err := db.Residents(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page {
				ids = append(ids, p.ID)
			}
			if next == "" {
				break
			}
			f.After = next
		}
		if diff := cmp.Diff([]string{"r1", "r2", "r3", "r4", "r5"}, ids); diff != "" {
			t.Fatalf("pages (-want +got):\n%s", diff)
		}
		// An unknown home region is refused, naming the field.
		_, err = db.ImportResidents(ctx, slices.Values([]person.Resident{{ID: "r9", HomeRegion: "nowhere"}}), nil)
		if errs.FieldOf(err) != "home_region" {
			t.Fatalf("unknown home region: %v", err)
		}
	})
}

func TestRegionsAndPlaces(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		city(t, db)
		children, _, err := db.Regions(ctx, place.Filter{Region: "cn.p1"})
		if err != nil || len(children) != 1 || children[0].ID != "cn.p1.c1" {
			t.Fatalf("children of cn.p1: %v, %v", children, err)
		}
		for _, tt := range []struct {
			r     place.Region
			field string
		}{
			{place.Region{ID: "x", Name: "X", Parent: "nowhere", Kind: place.City}, "parent"},
			{place.Region{ID: "x", Name: "X", Parent: "cn.p1.c1.d1", Kind: place.City}, "parent"},
			{place.Region{ID: "x", Name: "X", Kind: "planet"}, "kind"},
		} {
			_, err := db.ImportRegions(ctx, slices.Values([]place.Region{tt.r}), nil)
			if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != tt.field {
				t.Errorf("region %+v: %v, want Invalid on %s", tt.r, err, tt.field)
			}
		}
		mustImport(t, db.ImportLevels,
			place.Level{Region: "cn.p1.c1", Level: place.Medium, From: t0},
			place.Level{Region: "cn.p1.c1", Level: place.High, From: t0.Add(24 * time.Hour), To: t0.Add(72 * time.Hour)})
		levels, err := db.Levels(ctx, "cn.p1.c1")
		if err != nil || len(levels) != 2 || levels[1].Level != place.High || !levels[1].To.Equal(t0.Add(72*time.Hour)) || !levels[0].To.IsZero() {
			t.Fatalf("levels: %+v, %v", levels, err)
		}
		p, err := db.Place(ctx, "v1")
		if err != nil || p.DefaultDwell != record.Duration(time.Hour) || p.Lat != 23.1 {
			t.Fatalf("place v1: %+v, %v", p, err)
		}
		ps, _, err := db.Places(ctx, place.Filter{Category: "gym"})
		if err != nil || len(ps) != 1 || ps[0].ID != "v3" {
			t.Fatalf("gyms: %+v, %v", ps, err)
		}
		_, err = db.ImportPlaces(ctx, slices.Values([]place.Place{{ID: "v9", Name: "N", Region: "nowhere"}}), nil)
		if errs.FieldOf(err) != "region" {
			t.Fatalf("place in unknown region: %v", err)
		}
	})
}

// visitsOf collects every page of a visit list.
func visitsOf(t *testing.T, db *DB, f visit.Filter) []visit.Visit {
	t.Helper()
	var all []visit.Visit
	for {
		page, next, err := db.Visits(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		f.After = next
	}
}

func TestVisits(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		city(t, db)
		var in []visit.Visit
		for d := range 3 {
			for i := 1; i <= 5; i++ {
				v := visit.Visit{Person: fmt.Sprintf("r%d", i), Place: fmt.Sprintf("v%d", 1+i%3), CheckIn: t0.Add(time.Duration(d)*24*time.Hour + time.Duration(i)*time.Minute)}
				if i%2 == 0 {
					v.CheckOut = v.CheckIn.Add(40 * time.Minute)
				}
				in = append(in, v)
			}
		}
		mustImport(t, db.ImportVisits, in...)
		// A second import into days that exist goes into their indexed tables.
		mustImport(t, db.ImportVisits, visit.Visit{Person: "r1", Place: "v1", CheckIn: t0.Add(time.Hour)})
		all := visitsOf(t, db, visit.Filter{Page: record.Page{Limit: 4}})
		if len(all) != 16 {
			t.Fatalf("listed %d visits, want 16", len(all))
		}
		seen := map[string]bool{}
		for _, v := range all {
			if seen[v.ID] {
				t.Fatalf("visit %s listed twice", v.ID)
			}
			seen[v.ID] = true
		}
		r2 := visitsOf(t, db, visit.Filter{Person: "r2", Page: record.Page{Limit: 1}})
		if len(r2) != 3 || r2[0].Place != "v3" || !r2[0].CheckOut.Equal(r2[0].CheckIn.Add(40*time.Minute)) {
			t.Fatalf("visits of r2: %+v", r2)
		}
		day2 := visitsOf(t, db, visit.Filter{From: t0.Add(24 * time.Hour), To: t0.Add(48 * time.Hour)})
		if len(day2) != 5 {
			t.Fatalf("visits on day 2: %d, want 5", len(day2))
		}
		if got := visitsOf(t, db, visit.Filter{Place: "v1", Person: "r1"}); len(got) != 1 {
			t.Fatalf("r1 at v1: %+v", got)
		}
		if got := visitsOf(t, db, visit.Filter{Person: "nobody"}); len(got) != 0 {
			t.Fatalf("visits of an unknown person: %+v", got)
		}
		for _, v := range all {
			if got, err := db.Visit(ctx, v.ID); err != nil || got != v {
				t.Fatalf("Visit(%s) = %+v, %v; want %+v", v.ID, got, err, v)
			}
		}
		if _, err := db.CheckOut(ctx, r2[1].ID, time.Time{}); errs.FieldOf(err) != "at" {
			t.Fatalf("CheckOut at the zero time: %v", err)
		}
		// Check-out of an open visit, once.
		open := visitsOf(t, db, visit.Filter{Person: "r1"})[0]
		out, err := db.CheckOut(ctx, open.ID, open.CheckIn.Add(20*time.Minute))
		if err != nil || !out.CheckOut.Equal(open.CheckIn.Add(20*time.Minute)) {
			t.Fatalf("CheckOut: %+v, %v", out, err)
		}
		if _, err := db.CheckOut(ctx, open.ID, open.CheckIn.Add(30*time.Minute)); !errs.Is(err, errs.Conflict) {
			t.Fatalf("second CheckOut: %v, want Conflict", err)
		}
		if _, err := db.Visit(ctx, "999999"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("unknown visit: %v", err)
		}
	})
}

func TestImportVisitsAllOrNothing(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		city(t, db)
		good := visit.Visit{Person: "r1", Place: "v1", CheckIn: t0.Add(10 * 24 * time.Hour)}
		bad := visit.Visit{Person: "r1", Place: "nowhere", CheckIn: t0.Add(11 * 24 * time.Hour)}
		// A refused item aborts the whole import: nothing, not even a new day, is left.
		n, err := db.ImportVisits(ctx, slices.Values([]visit.Visit{good, bad, good}), nil)
		if n != 0 || !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "place" {
			t.Fatalf("import with an unknown place: %d, %v", n, err)
		}
		// A reader that finds a malformed line cancels the context.
		cctx, cancel := context.WithCancelCause(ctx)
		stop := errors.New("visits.csv:3: check_in: required")
		items := func(yield func(visit.Visit) bool) {
			if yield(good) {
				cancel(stop)
			}
		}
		if _, err := db.ImportVisits(cctx, items, nil); !errors.Is(err, stop) {
			t.Fatalf("cancelled import: %v, want %v", err, stop)
		}
		if all := visitsOf(t, db, visit.Filter{}); len(all) != 0 {
			t.Fatalf("a failed import left %d visits", len(all))
		}
		// With a reject that skips, the good items go in, a visit given
		// twice once.
		var rejected []error
		other := visit.Visit{Person: "r2", Place: "v1", CheckIn: good.CheckIn}
		n, err = db.ImportVisits(ctx, slices.Values([]visit.Visit{good, bad, good, other}), func(err error) error { rejected = append(rejected, err); return nil })
		if n != 2 || err != nil || len(rejected) != 1 {
			t.Fatalf("import skipping bad items: %d, %v, %v", n, err, rejected)
		}
		if all := visitsOf(t, db, visit.Filter{}); len(all) != 2 {
			t.Fatalf("after skipping: %d visits, want 2", len(all))
		}
	})
}

// TestVisitsStoredOnce stores visits again, in bulk and one at a time: a
// visit is known by its person, place and check-in, and none is stored
// twice; a check-in stored already answers with the stored visit.
func TestVisitsStoredOnce(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		city(t, db)
		var vs []visit.Visit
		for i := range 40 {
			vs = append(vs, visit.Visit{Person: fmt.Sprintf("r%d", 1+i%5), Place: []string{"v1", "v2"}[i%2],
				CheckIn: t0.Add(time.Duration(i) * 7 * time.Hour), CheckOut: t0.Add(time.Duration(i)*7*time.Hour + time.Hour)})
		}
		mustImport(t, db.ImportVisits, vs...)
		before := visitsOf(t, db, visit.Filter{})
		// The same file again, into days that exist now: nothing is stored.
		if n, err := db.ImportVisits(ctx, slices.Values(vs), nil); n != 0 || err != nil {
			t.Fatalf("import again: %d, %v", n, err)
		}
		// A check-in of a stored visit (its check-out aside) gets it back.
		again := vs[3]
		again.CheckOut = time.Time{}
		got, created, err := db.AddVisit(ctx, again)
		if err != nil || created || got.CheckOut.IsZero() || got.ID != before[slices.IndexFunc(before, func(v visit.Visit) bool {
			return v.Person == again.Person && v.CheckIn.Equal(again.CheckIn)
		})].ID {
			t.Fatalf("a check-in stored already: %+v, created %v, %v", got, created, err)
		}
		// The same check-in twice at once: one visit, one ID.
		in := visit.Visit{Person: "r1", Place: "v3", CheckIn: t0.Add(-time.Hour)}
		var wg sync.WaitGroup
		ids := make([]string, 8)
		made := make([]bool, 8)
		for i := range ids {
			wg.Go(func() {
				v, c, err := db.AddVisit(ctx, in)
				if err != nil {
					t.Error(err)
				}
				ids[i], made[i] = v.ID, c
			})
		}
		wg.Wait()
		if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != 1 ||
			len(slices.DeleteFunc(slices.Clone(made), func(c bool) bool { return !c })) != 1 {
			t.Fatalf("the same check-in eight times: IDs %v, created %v", ids, made)
		}
		if after := visitsOf(t, db, visit.Filter{}); len(after) != len(before)+1 {
			t.Fatalf("%d visits stored, want %d", len(after), len(before)+1)
		}
		// Within one import into a new day, a line given twice is stored once.
		dup := visit.Visit{Person: "r2", Place: "v1", CheckIn: t0.Add(30 * 24 * time.Hour)}
		if n, err := db.ImportVisits(ctx, slices.Values([]visit.Visit{dup, dup, dup}), nil); n != 1 || err != nil {
			t.Fatalf("a new day's visit three times: %d, %v", n, err)
		}
	})
}

func TestAddVisitConcurrently(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		city(t, db)
		const n = 200
		ids := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				v, _, err := db.AddVisit(ctx, visit.Visit{Person: fmt.Sprintf("r%d", 1+i%5), Place: "v2", CheckIn: t0.Add(time.Duration(i) * time.Minute)})
				if err != nil {
					t.Error(err)
				}
				ids[i] = v.ID
			})
		}
		wg.Wait()
		slices.Sort(ids)
		if len(slices.Compact(ids)) != n || ids[0] == "" {
			t.Fatalf("IDs not unique: %v", ids)
		}
		if got := len(visitsOf(t, db, visit.Filter{Place: "v2"})); got != n {
			t.Fatalf("stored %d check-ins, want %d", got, n)
		}
		_, _, err := db.AddVisit(ctx, visit.Visit{Person: "nobody", Place: "v2", CheckIn: t0})
		if errs.FieldOf(err) != "person" {
			t.Fatalf("check-in of an unknown person: %v", err)
		}
	})
}

func TestHealthRecords(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		city(t, db)
		mustImport(t, db.ImportStays, visit.Stay{Person: "r1", Region: "cn.p1.c1", From: t0, To: t0.Add(5 * time.Hour)},
			visit.Stay{Person: "r1", Region: "cn.p1", From: t0.Add(time.Hour)})
		st, _, err := db.Stays(ctx, visit.Filter{Person: "r1"})
		if err != nil || len(st) != 2 || !st[1].To.IsZero() {
			t.Fatalf("stays: %+v, %v", st, err)
		}
		if got, err := db.Stay(ctx, st[0].ID); err != nil || got != st[0] {
			t.Fatalf("Stay: %+v, %v", got, err)
		}
		mustImport(t, db.ImportResults, lab.Result{Person: "r2", SpecimenAt: t0, Result: lab.Positive, TestType: "pcr"},
			lab.Result{Person: "r2", SpecimenAt: t0.Add(-time.Hour), Result: lab.Negative, TestType: "antigen"})
		rs, _, err := db.Results(ctx, lab.Filter{Person: "r2", Page: record.Page{Limit: 1}})
		if err != nil || len(rs) != 1 || rs[0].Result != lab.Negative {
			t.Fatalf("results, oldest first: %+v, %v", rs, err)
		}
		mustImport(t, db.ImportVaccinations, lab.Vaccination{Person: "r3", GivenAt: t0, Product: "CoronaVac", Dose: 2})
		vs, _, err := db.Vaccinations(ctx, lab.Filter{})
		if err != nil || len(vs) != 1 || vs[0].Dose != 2 {
			t.Fatalf("vaccinations: %+v, %v", vs, err)
		}
		mustImport(t, db.ImportDeclarations, lab.Declaration{Person: "r4", DeclaredAt: t0, Symptoms: []string{"fever", "cough"}},
			lab.Declaration{Person: "r4", DeclaredAt: t0.Add(24 * time.Hour), Symptoms: []string{}})
		ds, _, err := db.Declarations(ctx, lab.Filter{Person: "r4", From: t0.Add(time.Hour)})
		if err != nil || len(ds) != 1 || len(ds[0].Symptoms) != 0 {
			t.Fatalf("declarations: %+v, %v", ds, err)
		}
		if d, err := db.Declaration(ctx, "1"); err != nil || !slices.Equal(d.Symptoms, []string{"fever", "cough"}) {
			t.Fatalf("declaration 1: %+v, %v", d, err)
		}
		mustImport(t, db.ImportCases, cases.Case{Person: "r2", Onset: t0, Isolated: t0.Add(24 * time.Hour)})
		c, err := db.Case(ctx, "r2")
		if err != nil || !c.Isolated.Equal(t0.Add(24*time.Hour)) || !c.Released.IsZero() {
			t.Fatalf("case: %+v, %v", c, err)
		}
		mustImport(t, db.ImportCases, cases.Case{Person: "r2", Onset: t0, Isolated: t0.Add(24 * time.Hour), Released: t0.Add(240 * time.Hour)})
		if active, _, err := db.Cases(ctx, cases.Filter{Active: true}); err != nil || len(active) != 0 {
			t.Fatalf("active cases after release: %+v, %v", active, err)
		}
		_, err = db.ImportCases(ctx, slices.Values([]cases.Case{{Person: "nobody", Onset: t0}}), nil)
		if errs.FieldOf(err) != "person" {
			t.Fatalf("case of an unknown person: %v", err)
		}
		approved := approval.Appeal{ID: "a1", Person: "r2", Status: approval.Approved, Color: "green", Decided: t0, Expires: t0.Add(72 * time.Hour)}
		mustImport(t, db.ImportAppeals, approval.Appeal{ID: "a1", Person: "r2", Status: approval.Pending, Reason: "I was at home"}, approved)
		if a, err := db.Appeal(ctx, "a1"); err != nil || a != approved {
			t.Fatalf("appeal replaced by its decision: %+v, %v", a, err)
		}
		if as, _, err := db.Appeals(ctx, approval.Filter{Status: approval.Pending}); err != nil || len(as) != 0 {
			t.Fatalf("pending appeals: %+v, %v", as, err)
		}
		_, err = db.ImportAppeals(ctx, slices.Values([]approval.Appeal{{ID: "a2", Person: "nobody", Status: approval.Pending}}), nil)
		if errs.FieldOf(err) != "person" {
			t.Fatalf("appeal of an unknown person: %v", err)
		}
	})
}

func TestReopenKeepsEverything(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sealer := testSealer(t)
	ctx := context.Background()
	db, err := Open(ctx, Config{Dir: dir, Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	city(t, db)
	v, _, err := db.AddVisit(ctx, visit.Visit{Person: "r1", Place: "v1", CheckIn: t0})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(ctx, Config{Dir: dir, Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, err := db.Visit(ctx, v.ID); err != nil || got != v {
		t.Fatalf("after reopening: %+v, %v; want %+v", got, err, v)
	}
	if version, err := db.Migrate(ctx); err != nil || version < 1 {
		t.Fatalf("Migrate: %d, %v", version, err)
	}
}

// TestKeysRotatedElsewhere: a store reads residents that another process
// re-sealed under a key it made after this store opened.
func TestKeysRotatedElsewhere(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	keys := dir + "/keys"
	ringA, err := seal.Open(keys)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Open(ctx, Config{Dir: dir, Sealer: ringA})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	city(t, a)
	ringB, err := seal.Open(keys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ringB.Rotate(); err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, Config{Dir: dir, Sealer: ringB})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	r, err := b.Resident(ctx, "r2")
	if err != nil {
		t.Fatal(err)
	}
	mustImport(t, b.ImportResidents, r)
	if got, err := a.Resident(ctx, "r2"); err != nil || got != r {
		t.Fatalf("after another process re-sealed: %+v, %v; want %+v", got, err, r)
	}
}
