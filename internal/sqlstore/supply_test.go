package sqlstore

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/errs"
	"outbreak/internal/record"
	"outbreak/internal/supply"
)

var (
	depotA = supply.Depot{ID: "dA", Name: "Depot A", Lat: 23.1, Lon: 113.2, TimeZone: "Asia/Shanghai"}
	depotB = supply.Depot{ID: "dB", Name: "Depot B", Lat: -0.5, Lon: 0}
)

// supplies stores the small city, two depots, their vehicles, stock and
// four requests, one of them cancelled.
func supplies(t *testing.T, db *DB) {
	t.Helper()
	city(t, db)
	mustImport(t, db.ImportDepots, depotA, depotB)
	mustImport(t, db.ImportVehicles,
		supply.Vehicle{ID: "vA1", Depot: "dA", Chilled: 20, Frozen: 5, ShiftStart: hours(8), ShiftEnd: hours(18), MaxOut: hours(4)},
		supply.Vehicle{ID: "vA2", Depot: "dA", Ambient: 50, ShiftEnd: hours(20)},
		supply.Vehicle{ID: "vB1", Depot: "dB", Frozen: 10, ShiftStart: hours(6), ShiftEnd: hours(30)})
	mustImport(t, db.ImportLots,
		supply.Lot{ID: "lA.vax.1", Depot: "dA", Item: "vax", Lot: "L1", Expiry: t0.Add(30 * 24 * time.Hour), Temperature: supply.Chilled, Quantity: 30},
		supply.Lot{ID: "lA.vax.2", Depot: "dA", Item: "vax", Lot: "L2", Temperature: supply.Chilled, Quantity: 10},
		supply.Lot{ID: "lA.food", Depot: "dA", Item: "food", Temperature: supply.Ambient, Quantity: 40},
		supply.Lot{ID: "lB.vax", Depot: "dB", Item: "vax", Temperature: supply.Chilled})
	mustImport(t, db.ImportRequests,
		supply.Request{ID: "q1", Site: "Hospital 1", Kind: supply.Hospital, Lat: 23.2, Lon: 113.3, Item: "vax", Quantity: 12, Priority: 5,
			Created: t0},
		supply.Request{ID: "q2", Site: "Home of r1", Kind: supply.Household, Person: "r1", Lat: 23.15, Lon: 113.25, Item: "food",
			Quantity: 1, Priority: 4, SlotFrom: t0.Add(24 * time.Hour), SlotTo: t0.Add(26 * time.Hour), Service: record.Duration(5 * time.Minute), Created: t0},
		supply.Request{ID: "q3", Site: "School 3", Kind: supply.VaccinationPoint, Lat: 23.3, Lon: 113.1, Item: "vax", Quantity: 6},
		supply.Request{ID: "q4", Site: "Clinic 4", Kind: supply.OtherSite, Lat: 23, Lon: 113, Item: "food", Quantity: 3, Status: supply.Cancelled})
}

func hours(n int) record.Duration { return record.Duration(time.Duration(n) * time.Hour) }

// ids lists every record of a list, in pages of two, and returns their IDs.
func ids[T any](t *testing.T, f supply.Filter, list func(context.Context, supply.Filter) ([]T, string, error), id func(T) string) []string {
	t.Helper()
	var out []string
	f.Limit = 2
	for {
		page, next, err := list(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page {
			out = append(out, id(it))
		}
		if next == "" {
			return out
		}
		f.After = next
	}
}

func TestSupplyRecords(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		supplies(t, db)
		if d, err := db.Depot(ctx, "dA"); err != nil || d != depotA {
			t.Fatalf("Depot: %+v, %v; want %+v", d, err, depotA)
		}
		v, err := db.Vehicle(ctx, "vA1")
		want := supply.Vehicle{ID: "vA1", Depot: "dA", Chilled: 20, Frozen: 5, ShiftStart: hours(8), ShiftEnd: hours(18), MaxOut: hours(4)}
		if err != nil || v != want {
			t.Fatalf("Vehicle: %+v, %v; want %+v", v, err, want)
		}
		l, err := db.Lot(ctx, "lA.vax.1")
		if err != nil || !l.Expiry.Equal(t0.Add(30*24*time.Hour)) || l.Lot != "L1" || l.Quantity != 30 {
			t.Fatalf("Lot: %+v, %v", l, err)
		}
		if l, err := db.Lot(ctx, "lA.vax.2"); err != nil || !l.Expiry.IsZero() {
			t.Fatalf("a lot without expiry: %+v, %v", l, err)
		}
		q2 := supply.Request{ID: "q2", Site: "Home of r1", Kind: supply.Household, Person: "r1", Lat: 23.15, Lon: 113.25, Item: "food",
			Quantity: 1, Priority: 4, SlotFrom: t0.Add(24 * time.Hour), SlotTo: t0.Add(26 * time.Hour), Service: record.Duration(5 * time.Minute),
			Created: t0, Status: supply.Open}
		if got, err := db.Request(ctx, "q2"); err != nil || !cmp.Equal(got, q2) {
			t.Fatalf("Request (-want +got):\n%s%v", cmp.Diff(q2, got), err)
		}
		if got, err := db.Request(ctx, "q3"); err != nil || got.Person != "" || !got.Created.IsZero() || got.Status != supply.Open {
			t.Fatalf("a request without person, created or status: %+v, %v", got, err)
		}
		// Import replaces by ID.
		q2.Status, q2.Plan = supply.Dispatched, "p0"
		mustImport(t, db.ImportRequests, q2)
		if got, _ := db.Request(ctx, "q2"); got.Status != supply.Dispatched || got.Plan != "p0" {
			t.Fatalf("after re-import: %+v", got)
		}
		for what, get := range map[string]func(context.Context, string) error{
			"depot":   func(ctx context.Context, id string) error { _, err := db.Depot(ctx, id); return err },
			"vehicle": func(ctx context.Context, id string) error { _, err := db.Vehicle(ctx, id); return err },
			"lot":     func(ctx context.Context, id string) error { _, err := db.Lot(ctx, id); return err },
			"request": func(ctx context.Context, id string) error { _, err := db.Request(ctx, id); return err },
			"plan":    func(ctx context.Context, id string) error { _, err := db.Plan(ctx, id); return err },
		} {
			if err := get(ctx, "nope"); !errs.Is(err, errs.NotFound) {
				t.Errorf("unknown %s: %v, want NotFound", what, err)
			}
		}

		depotID := func(d supply.Depot) string { return d.ID }
		vehicleID := func(v supply.Vehicle) string { return v.ID }
		lotID := func(l supply.Lot) string { return l.ID }
		requestID := func(r supply.Request) string { return r.ID }
		for _, tt := range []struct {
			name string
			got  []string
			want []string
		}{
			{"depots", ids(t, supply.Filter{}, db.Depots, depotID), []string{"dA", "dB"}},
			{"vehicles", ids(t, supply.Filter{}, db.Vehicles, vehicleID), []string{"vA1", "vA2", "vB1"}},
			{"vehicles of dA", ids(t, supply.Filter{Depot: "dA"}, db.Vehicles, vehicleID), []string{"vA1", "vA2"}},
			{"lots", ids(t, supply.Filter{}, db.Lots, lotID), []string{"lA.food", "lA.vax.1", "lA.vax.2", "lB.vax"}},
			{"lots at dA", ids(t, supply.Filter{Depot: "dA"}, db.Lots, lotID), []string{"lA.food", "lA.vax.1", "lA.vax.2"}},
			{"lots of vax", ids(t, supply.Filter{Item: "vax"}, db.Lots, lotID), []string{"lA.vax.1", "lA.vax.2", "lB.vax"}},
			{"lots of vax at dB", ids(t, supply.Filter{Depot: "dB", Item: "vax"}, db.Lots, lotID), []string{"lB.vax"}},
			{"requests", ids(t, supply.Filter{}, db.Requests, requestID), []string{"q1", "q2", "q3", "q4"}},
			{"open requests", ids(t, supply.Filter{Status: supply.Open}, db.Requests, requestID), []string{"q1", "q3"}},
			{"requests of food", ids(t, supply.Filter{Item: "food"}, db.Requests, requestID), []string{"q2", "q4"}},
			{"open requests of vax", ids(t, supply.Filter{Status: supply.Open, Item: "vax"}, db.Requests, requestID), []string{"q1", "q3"}},
			{"requests of nothing", ids(t, supply.Filter{Item: "nothing"}, db.Requests, requestID), nil},
		} {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.name, diff)
			}
		}
		if _, _, err := db.Lots(ctx, supply.Filter{Page: record.Page{After: "not a cursor!"}}); errs.FieldOf(err) != "after" {
			t.Errorf("a bad cursor: %v", err)
		}
	})
}

func TestSupplyReferences(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		supplies(t, db)
		good := supply.Vehicle{ID: "vA9", Depot: "dA", Ambient: 1, ShiftEnd: hours(9)}
		bad := supply.Vehicle{ID: "vX", Depot: "nowhere", Ambient: 1, ShiftEnd: hours(9)}
		n, err := db.ImportVehicles(ctx, slices.Values([]supply.Vehicle{good, bad}), nil)
		if n != 0 || !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "depot" || !strings.Contains(err.Error(), `"nowhere"`) {
			t.Fatalf("vehicle of an unknown depot: %d, %v", n, err)
		}
		if _, err := db.Vehicle(ctx, "vA9"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a refused import stored a vehicle: %v", err)
		}
		var rejected []error
		skip := func(err error) error { rejected = append(rejected, err); return nil }
		if n, err := db.ImportVehicles(ctx, slices.Values([]supply.Vehicle{bad, good}), skip); n != 1 || err != nil || len(rejected) != 1 {
			t.Fatalf("skipping the bad vehicle: %d, %v, %v", n, err, rejected)
		}
		_, err = db.ImportLots(ctx, slices.Values([]supply.Lot{{ID: "lX", Depot: "nowhere", Item: "vax", Temperature: supply.Frozen}}), nil)
		if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "depot" {
			t.Fatalf("lot at an unknown depot: %v", err)
		}
		_, err = db.ImportRequests(ctx, slices.Values([]supply.Request{{ID: "qX", Site: "Home", Kind: supply.Household, Person: "nobody",
			Item: "food", Quantity: 1}}), nil)
		if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "person" {
			t.Fatalf("request of an unknown person: %v", err)
		}
		_, err = db.ImportLots(ctx, slices.Values([]supply.Lot{{ID: "lY", Depot: "dA", Item: "vax", Temperature: "warm"}}), nil)
		if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "temperature" {
			t.Fatalf("lot that does not validate: %v", err)
		}
	})
}

// testPlan is a draft that serves q1 and q3 from dA's vaccine lots on vA1
// and q2 from its food on vA2, and leaves q4 out.
func testPlan(id string) *supply.Plan {
	at := func(h float64) time.Time { return t0.Add(24*time.Hour + time.Duration(h*float64(time.Hour))) }
	vax1 := supply.Pick{Lot: "lA.vax.1", Number: "L1", Item: "vax", Expiry: t0.Add(30 * 24 * time.Hour), Temperature: supply.Chilled}
	vax2 := supply.Pick{Lot: "lA.vax.2", Number: "L2", Item: "vax", Temperature: supply.Chilled}
	food := supply.Pick{Lot: "lA.food", Item: "food", Temperature: supply.Ambient, Quantity: 1}
	pick := func(p supply.Pick, n int) supply.Pick { p.Quantity = n; return p }
	return &supply.Plan{ID: id, Date: "2026-11-02", Created: t0.Add(time.Hour), Status: supply.Draft,
		Allocations: []supply.Allocation{
			{Request: "q1", Depot: "dA", Quantity: 12, Picks: []supply.Pick{pick(vax1, 12)}},
			{Request: "q2", Depot: "dA", Quantity: 1, Picks: []supply.Pick{food}},
			{Request: "q3", Depot: "dA", Quantity: 6, Picks: []supply.Pick{pick(vax1, 4), pick(vax2, 2)}},
		},
		Routes: []supply.Dispatch{
			{Vehicle: "vA1", Depot: "dA", Lat: 23.1, Lon: 113.2, Depart: at(0), Return: at(3), Km: 41.5, DriveMinutes: 80.25,
				Load: map[string]int{supply.Chilled: 18}, Stops: []supply.DispatchStop{
					{Request: "q1", Site: "Hospital 1", Kind: supply.Hospital, Lat: 23.2, Lon: 113.3, Arrive: at(0.5), Start: at(0.5), Leave: at(0.7),
						Picks: []supply.Pick{pick(vax1, 12)}},
					{Request: "q3", Site: "School 3", Kind: supply.VaccinationPoint, Lat: 23.3, Lon: 113.1, Arrive: at(1.5), Start: at(1.5), Leave: at(1.7),
						Picks: []supply.Pick{pick(vax1, 4), pick(vax2, 2)}},
				}},
			{Vehicle: "vA2", Depot: "dA", Lat: 23.1, Lon: 113.2, Depart: at(0), Return: at(1), Km: 8, DriveMinutes: 20,
				Load: map[string]int{supply.Ambient: 1}, Stops: []supply.DispatchStop{
					{Request: "q2", Site: "Home of r1", Kind: supply.Household, Person: "r1", Lat: 23.15, Lon: 113.25,
						SlotFrom: t0.Add(24 * time.Hour), SlotTo: t0.Add(26 * time.Hour), Arrive: at(0.2), Start: at(0.2), Leave: at(0.3),
						Picks: []supply.Pick{food}},
				}},
		},
		Left:    []supply.Left{{Request: "q4", Site: "Clinic 4", Lat: 23, Lon: 113, Reason: "cancelled"}},
		Km:      49.5,
		Checked: true, DriveMinutes: 100.25}
}

func TestPlans(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		supplies(t, db)
		p1 := testPlan("p1")
		if err := db.SavePlan(ctx, p1); err != nil {
			t.Fatal(err)
		}
		got, err := db.Plan(ctx, "p1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(*testPlan("p1"), got); diff != "" {
			t.Fatalf("Plan (-saved +got):\n%s", diff)
		}
		if err := db.SavePlan(ctx, testPlan("p1")); !errs.Is(err, errs.Conflict) || !strings.Contains(err.Error(), `"p1"`) {
			t.Fatalf("a second plan p1: %v, want Conflict", err)
		}
		for _, tt := range []struct {
			name  string
			edit  func(p *supply.Plan)
			field string
		}{
			{"no id", func(p *supply.Plan) { p.ID = "" }, "id"},
			{"bad date", func(p *supply.Plan) { p.Date = "2 Nov" }, "date"},
			{"no created", func(p *supply.Plan) { p.Created = time.Time{} }, "created"},
			{"dispatched", func(p *supply.Plan) { p.Status = supply.PlanDispatched }, "status"},
			{"empty pick", func(p *supply.Plan) { p.Routes[1].Stops[0].Picks[0].Quantity = 0 }, "routes[1].stops[0].picks[0].quantity"},
		} {
			p := testPlan("p9")
			tt.edit(p)
			if err := db.SavePlan(ctx, p); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != tt.field {
				t.Errorf("%s: %v, want Invalid on %s", tt.name, err, tt.field)
			}
		}
		// Plans are listed as summaries, newest first: IDs sort by creation.
		p2, p3 := testPlan("p2"), testPlan("p3")
		for _, p := range []*supply.Plan{p2, p3} {
			if err := db.SavePlan(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		page, next, err := db.Plans(ctx, supply.Filter{})
		if err != nil || next != "" || len(page) != 3 {
			t.Fatalf("Plans: %d plans, next %q, %v", len(page), next, err)
		}
		var order []string
		for _, p := range page {
			order = append(order, p.ID)
			if len(p.Allocations) != 0 || len(p.Routes) != 2 || len(p.Routes[0].Stops) != 0 || p.Routes[0].Km != 41.5 || len(p.Left) != 1 || !p.Checked {
				t.Errorf("summary of %s: %+v", p.ID, p)
			}
		}
		if diff := cmp.Diff([]string{"p3", "p2", "p1"}, order); diff != "" {
			t.Errorf("newest first (-want +got):\n%s", diff)
		}
		planID := func(p supply.Plan) string { return p.ID }
		if got := ids(t, supply.Filter{}, db.Plans, planID); len(got) != 3 {
			t.Errorf("pages of plans: %v", got)
		}
		if _, err := db.DispatchPlan(ctx, "p3", t0.Add(4*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := ids(t, supply.Filter{Status: supply.Draft}, db.Plans, planID); !slices.Equal(got, []string{"p2", "p1"}) {
			t.Errorf("drafts: %v", got)
		}
		if got := ids(t, supply.Filter{Status: supply.PlanDispatched}, db.Plans, planID); !slices.Equal(got, []string{"p3"}) {
			t.Errorf("dispatched plans: %v", got)
		}
	})
}

// TestSupplyChangesAfterPlanning changes a lot and a request between
// planning and dispatch, and after.
func TestSupplyChangesAfterPlanning(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		supplies(t, db)
		if err := db.SavePlan(ctx, testPlan("p1")); err != nil {
			t.Fatal(err)
		}
		food, err := db.Lot(ctx, "lA.food")
		if err != nil {
			t.Fatal(err)
		}
		moved := food
		moved.Depot = "dB"
		mustImport(t, db.ImportLots, moved)
		if _, err := db.DispatchPlan(ctx, "p1", t0.Add(2*time.Hour)); !errs.Is(err, errs.Conflict) || !strings.Contains(err.Error(), "is now food (ambient) at dB") {
			t.Fatalf("dispatch after the lot moved: %v, want Conflict", err)
		}
		mustImport(t, db.ImportLots, food)
		if _, err := db.DispatchPlan(ctx, "p1", t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}

		// A file written before the dispatch says q1 is open: it stays out.
		q1, err := db.Request(ctx, "q1")
		if err != nil {
			t.Fatal(err)
		}
		stale := q1
		stale.Status, stale.Plan = supply.Open, ""
		mustImport(t, db.ImportRequests, stale)
		if got, err := db.Request(ctx, "q1"); err != nil || got.Status != supply.Dispatched || got.Plan != "p1" {
			t.Errorf("q1 after a stale import: %+v, %v", got, err)
		}
		delivered := q1
		delivered.Status = supply.Delivered
		mustImport(t, db.ImportRequests, delivered)
		if got, err := db.Request(ctx, "q1"); err != nil || got.Status != supply.Delivered || got.Plan != "p1" {
			t.Errorf("q1 marked delivered: %+v, %v", got, err)
		}
	})
}

func TestRequestsOfAPeriod(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		supplies(t, db)
		reqID := func(r supply.Request) string { return r.ID }
		day := supply.Filter{From: t0.Add(24 * time.Hour), To: t0.Add(48 * time.Hour)}
		if got := ids(t, day, db.Requests, reqID); !slices.Equal(got, []string{"q1", "q2", "q3"}) {
			t.Errorf("the day's requests: %v, want q1 q2 q3 (q4 is cancelled)", got)
		}
		later := supply.Filter{From: t0.Add(26 * time.Hour), To: t0.Add(48 * time.Hour)}
		if got := ids(t, later, db.Requests, reqID); !slices.Equal(got, []string{"q1", "q3"}) {
			t.Errorf("after q2's slot closed: %v, want q1 q3", got)
		}
	})
}
