package pages

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/record"
	"outbreak/internal/supply"
)

// update rewrites the golden files: go test -run Logistics -update.
var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// evil is a site name that would run if the page did not escape it.
const evil = `<script>alert("x")</script> & co`

// logisticsInput is a day like the supply package's small city: a depot
// in Shanghai time, a refrigerated van that may be out four hours and an
// ambient van, frozen vaccine and food parcels, twelve households and
// four clinics around the depot, which share too little vaccine; plus a
// request for an item out of stock, a site named like a script, an expired
// lot and an empty one.
func logisticsInput() supply.Input {
	day0 := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	hours := func(h float64) record.Duration { return record.Duration(h * float64(time.Hour)) }
	in := supply.Input{ID: "p1", Date: "2026-11-25", Now: day0,
		Depots: []supply.Depot{{ID: "d1", Name: "North depot", Lat: 31.10, Lon: 108.50, TimeZone: "Asia/Shanghai"}},
		Vehicles: []supply.Vehicle{
			{ID: "cold", Depot: "d1", Ambient: 5, Frozen: 20, ShiftStart: hours(8), ShiftEnd: hours(18), MaxOut: hours(4)},
			{ID: "van", Depot: "d1", Ambient: 30, ShiftStart: hours(8), ShiftEnd: hours(20)},
			{ID: "spare", Depot: "d1", Ambient: 10, ShiftStart: hours(8), ShiftEnd: hours(9)},
		},
		Lots: []supply.Lot{
			{ID: "vax", Depot: "d1", Item: "vaccine", Lot: "VX-2026-11", Temperature: supply.Frozen, Quantity: 22, Expiry: day0.AddDate(0, 1, 0)},
			{ID: "food", Depot: "d1", Item: "food", Temperature: supply.Ambient, Quantity: 40},
			{ID: "old", Depot: "d1", Item: "vaccine", Lot: "VX-2026-09", Temperature: supply.Frozen, Quantity: 5, Expiry: day0.AddDate(0, 0, -3)},
			{ID: "gone", Depot: "d1", Item: "masks", Temperature: supply.Ambient, Quantity: 0},
		},
	}
	local := time.FixedZone("CST", 8*3600)
	slot := func(h int) (time.Time, time.Time) {
		from := time.Date(2026, 11, 25, h, 0, 0, 0, local)
		return from.UTC(), from.Add(2 * time.Hour).UTC()
	}
	for i := range 12 {
		r := supply.Request{ID: "h" + string(rune('a'+i)), Site: "home " + strconv.Itoa(i+1), Kind: supply.Household,
			Lat: 31.10 + 0.01*float64(i%4-2), Lon: 108.50 + 0.012*float64(i/4-1), Item: "food", Quantity: 1, Priority: 4, Status: supply.Open}
		r.SlotFrom, r.SlotTo = slot(9 + 2*(i%4))
		in.Requests = append(in.Requests, r)
	}
	in.Requests[0].Site = evil
	for i := range 4 {
		r := supply.Request{ID: "v" + string(rune('a'+i)), Site: "clinic " + strconv.Itoa(i+1), Kind: supply.VaccinationPoint,
			Lat: 31.12 - 0.01*float64(i), Lon: 108.47 + 0.02*float64(i), Item: "vaccine", Quantity: 6, Priority: 3, Status: supply.Open}
		r.SlotFrom, r.SlotTo = slot(8)
		in.Requests = append(in.Requests, r)
	}
	masks := in.Requests[1]
	masks.ID, masks.Site, masks.Item = "masks", evil, "masks"
	in.Requests = append(in.Requests, masks)
	return in
}

// newLogisticsTestView makes the page's view of a day and its plan.
func newLogisticsTestView(t testing.TB, in supply.Input, plan *supply.Plan) *logisticsView {
	t.Helper()
	zone, err := in.Depots[0].Location()
	if err != nil {
		t.Fatal(err)
	}
	older := supply.Plan{ID: "p0", Date: "2026-11-24", Status: supply.PlanDispatched, Km: 12.5,
		Created: in.Now.Add(-20 * time.Hour), Routes: make([]supply.Dispatch, 2)}
	return &logisticsView{Date: in.Date, Zone: zone, Depots: in.Depots, Vehicles: in.Vehicles, Lots: in.Lots,
		Requests: in.Requests, Plan: plan, Plans: []supply.Plan{*plan, older}, Notice: "Plan p1 made."}
}

// makeLogisticsPlan plans the day with a bounded, seeded search, so that
// the plan is the same on every run.
func makeLogisticsPlan(t testing.TB, in supply.Input) *supply.Plan {
	t.Helper()
	plan, err := supply.MakePlan(context.Background(), in, supply.Options{Iterations: 3000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

func renderLogisticsString(t testing.TB, v *logisticsView) string {
	t.Helper()
	var b bytes.Buffer
	if err := renderLogistics(&b, v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestLogisticsPage(t *testing.T) {
	t.Parallel()
	in := logisticsInput()
	plan := makeLogisticsPlan(t, in)
	if len(plan.Routes) < 2 || len(plan.Left) < 2 {
		t.Fatalf("the example day should need two vans and leave requests out: %d routes, left %+v", len(plan.Routes), plan.Left)
	}
	page := renderLogisticsString(t, newLogisticsTestView(t, in, plan))
	doc := parsePage(t, page)

	stops := 0
	for _, rt := range plan.Routes {
		stops += len(rt.Stops)
	}
	routes := doc.all("polyline", "route")
	if len(routes) != len(plan.Routes) {
		t.Errorf("%d route polylines, want one per route: %d", len(routes), len(plan.Routes))
	}
	for i, rt := range plan.Routes {
		if i < len(routes) && routes[i].attr["data-vehicle"] != rt.Vehicle {
			t.Errorf("polyline %d is of %q, want %q", i, routes[i].attr["data-vehicle"], rt.Vehicle)
		}
		// Depot, stops, depot.
		if i < len(routes) && len(strings.Fields(routes[i].attr["points"])) != len(rt.Stops)+2 {
			t.Errorf("the polyline of %s has points %q for %d stops", rt.Vehicle, routes[i].attr["points"], len(rt.Stops))
		}
	}
	if n := len(doc.all("circle", "stop")); n != stops {
		t.Errorf("%d stop circles, want one per stop: %d", n, stops)
	}
	if n := len(doc.all("g", "row")); n != len(plan.Routes) {
		t.Errorf("%d timeline rows, want %d", n, len(plan.Routes))
	}
	if n := len(doc.all("rect", "unload")); n != stops {
		t.Errorf("%d unloading bars, want %d", n, stops)
	}
	if n := len(doc.all("path", "left")); n != len(plan.Left) {
		t.Errorf("%d crosses, want one per request left: %d", n, len(plan.Left))
	}
	if n := len(doc.all("rect", "depot")); n != 1 {
		t.Errorf("%d depots on the map, want 1", n)
	}

	// The map fits its view box.
	maps := doc.all("svg", "map")
	if len(maps) != 1 {
		t.Fatalf("%d maps", len(maps))
	}
	box := strings.Fields(maps[0].attr["viewbox"])
	w, _ := strconv.ParseFloat(box[2], 64)
	h, _ := strconv.ParseFloat(box[3], 64)
	for _, c := range doc.all("circle", "stop") {
		x, _ := strconv.ParseFloat(c.attr["cx"], 64)
		y, _ := strconv.ParseFloat(c.attr["cy"], 64)
		if x < 0 || x > w || y < 0 || y > h {
			t.Errorf("stop at (%v, %v) outside the view box %v×%v", x, y, w, h)
		}
	}
	for _, svg := range doc.all("svg", "") {
		if svg.attr["aria-hidden"] != "true" && (svg.attr["role"] != "img" || svg.attr["aria-label"] == "") {
			t.Errorf("an SVG without role=img and a label: %v", svg.attr)
		}
	}

	// Every request left is listed with its reason.
	leftRows := doc.rows("left")
	if len(leftRows) != len(plan.Left) {
		t.Errorf("%d rows of requests left, want %d", len(leftRows), len(plan.Left))
	}
	for i, l := range plan.Left {
		if i < len(leftRows) && (leftRows[i][0] != l.Request || leftRows[i][2] != l.Reason) {
			t.Errorf("left row %d: %q, want %s: %s", i, leftRows[i], l.Request, l.Reason)
		}
	}
	if !strings.Contains(doc.text(), "no masks left in stock") {
		t.Error("the request for masks is not shown as left for want of stock")
	}
	short := 0
	for _, a := range plan.Allocations {
		if a.Short > 0 && a.Quantity > 0 {
			short++
		}
	}
	if n := len(doc.rows("short")); n != short || short == 0 {
		t.Errorf("%d short allocations listed, want %d", n, short)
	}

	// Site names are text, never markup.
	if strings.Contains(page, "<script>alert") {
		t.Error("a site name reached the page unescaped")
	}
	if n := strings.Count(doc.text(), evil); n < 3 {
		t.Errorf("the site name %q is shown %d times, want it in the dispatch list, the left list and the requests", evil, n)
	}
	if n := len(doc.all("script", "")); n != 1 {
		t.Errorf("%d scripts, want only the page's own", n)
	}

	// The actions of the header.
	forms := map[string]*htmlNode{}
	for _, f := range doc.all("form", "") {
		forms[f.attr["method"]+" "+f.attr["action"]] = f
	}
	for _, want := range []string{"get /logistics", "post /logistics/plans", "post /logistics/plans/p1/dispatch"} {
		if forms[want] == nil {
			t.Errorf("no form %s in %v", want, forms)
		}
	}
	if f := forms["post /logistics/plans"]; f != nil {
		if n := len(f.all("option", "")); n != 3 {
			t.Errorf("%d time limits, want 3", n)
		}
	}
	plansLinks := 0
	for _, a := range doc.all("a", "") {
		if strings.HasPrefix(a.attr["href"], "/logistics?plan=") {
			plansLinks++
		}
	}
	if plansLinks != 2 {
		t.Errorf("%d links to plans, want 2", plansLinks)
	}
	if n := len(doc.all("a", "lang")); n != 1 {
		t.Errorf("%d links to the other language, want 1", n)
	}

	// Stock: the expired and the empty lot are marked.
	if n := len(doc.all("tr", "bad")); n != 2 {
		t.Errorf("%d lots marked, want the expired and the empty one", n)
	}
	if n := len(doc.rows("requests")); n != len(in.Requests) {
		t.Errorf("%d requests listed, want %d", n, len(in.Requests))
	}
	for _, table := range doc.all("table", "") {
		if len(table.all("th", "")) == 0 || len(table.all("td", "")) == 0 {
			t.Errorf("a table without headers or cells: %v", table.attr)
		}
	}
}

func TestLogisticsEmpty(t *testing.T) {
	t.Parallel()
	page := renderLogisticsString(t, &logisticsView{Date: "2026-11-25"})
	doc := parsePage(t, page)
	text := doc.text()
	for _, want := range []string{"No plan for this day yet", "No stock.", "No requests for this day.", "No plans yet.", "Nothing to show on the map"} {
		if !strings.Contains(text, want) {
			t.Errorf("the empty page does not say %q", want)
		}
	}
	for _, el := range []string{"table", "svg"} {
		if n := len(doc.all(el, "")); n != 0 {
			t.Errorf("%d %s elements on an empty page", n, el)
		}
	}
	if n := len(doc.all("form", "")); n != 2 {
		t.Errorf("%d forms, want the day and the planning ones only", n)
	}
}

// Before a plan, the map shows the depots and the requests of the day.
func TestLogisticsBeforePlan(t *testing.T) {
	t.Parallel()
	in := logisticsInput()
	v := &logisticsView{Date: in.Date, Depots: in.Depots, Vehicles: in.Vehicles, Lots: in.Lots, Requests: in.Requests,
		Error: "planning failed: " + evil}
	doc := parsePage(t, renderLogisticsString(t, v))
	if n := len(doc.all("circle", "pending")); n != len(in.Requests) {
		t.Errorf("%d requests on the map, want %d", n, len(in.Requests))
	}
	if n := len(doc.all("polyline", "")) + len(doc.all("g", "row")); n != 0 {
		t.Errorf("routes drawn without a plan")
	}
	if !strings.Contains(doc.text(), "planning failed: "+evil) {
		t.Error("the error is not shown")
	}
}

// The golden page is drawn from a stored plan, so that it changes with the
// page and not with the solver.
func TestLogisticsGolden(t *testing.T) {
	t.Parallel()
	in := logisticsInput()
	planFile := filepath.Join("testdata", "logistics_plan.json")
	goldenFile := filepath.Join("testdata", "logistics.golden.html")
	if *update {
		j, err := json.MarshalIndent(makeLogisticsPlan(t, in), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(planFile, append(j, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	j, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	var plan supply.Plan
	if err := json.Unmarshal(j, &plan); err != nil {
		t.Fatal(err)
	}
	page := renderLogisticsString(t, newLogisticsTestView(t, in, &plan))
	if *update {
		if err := os.WriteFile(goldenFile, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	if page != string(want) {
		t.Errorf("the page differs from %s; look at the difference and run go test -run LogisticsGolden -update if it is right\n%s",
			goldenFile, cmp.Diff(string(want), page))
	}
}

// A plan made by hand with what the example day lacks: no zone (UTC), a
// depot the view does not list, a stop without a slot, a long vehicle ID, a
// day of twenty hours and a route back after midnight.
func TestLogisticsOddPlan(t *testing.T) {
	t.Parallel()
	at := func(h, m int) time.Time { return time.Date(2026, 11, 25, h, m, 0, 0, time.UTC) }
	long := strings.Repeat("v", 64)
	plan := &supply.Plan{ID: "odd", Date: "2026-11-25", Status: supply.PlanDispatched, Checked: false,
		Routes: []supply.Dispatch{{Vehicle: long, Depot: "elsewhere", Lat: -33.9, Lon: 18.4,
			Depart: at(4, 0), Return: at(24, 30), Load: map[string]int{supply.Chilled: 3},
			Stops: []supply.DispatchStop{{Request: "r1", Site: "clinic", Kind: supply.Hospital, Lat: -33.9, Lon: 18.4,
				Arrive: at(5, 0), Start: at(5, 0), Leave: at(5, 10),
				Picks: []supply.Pick{{Lot: "l1", Item: "insulin", Temperature: supply.Chilled, Quantity: 3}}}}}}}
	doc := parsePage(t, renderLogisticsString(t, &logisticsView{Date: "2026-11-25", Plan: plan}))
	text := doc.text()
	for _, want := range []string{"any time", "Nov 26 00:30", "insulin × 3, lot l1", "✗ not passed"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	if n := len(doc.all("rect", "depot")); n != 1 {
		t.Errorf("%d depots drawn, want the route's own", n)
	}
	if n := len(doc.all("text", "hour")); n < 2 || n > 13 {
		t.Errorf("%d hour ticks over twenty hours", n)
	}
	if n := len(doc.all("form", "")); n != 2 {
		t.Errorf("%d forms: a dispatched plan has no Dispatch button", n)
	}
	for _, row := range doc.all("g", "row") {
		if name := row.all("text", "vid")[0].text(); len([]rune(name)) > 11 {
			t.Errorf("the row label %q is not shortened", name)
		}
	}
}
