package supply

import (
	"context"
	"strings"
	"testing"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

func hours(h float64) record.Duration { return record.Duration(h * float64(time.Hour)) }

func fieldOf(err error) string {
	if err == nil {
		return ""
	}
	if f := errs.FieldOf(err); f != "" {
		return f
	}
	return "?" + err.Error()
}

// smallCity is a depot in Shanghai time, a refrigerated van that may be
// out four hours and an ambient van, frozen vaccine and food parcels, and
// requests around the depot.
func smallCity() Input {
	in := Input{ID: "p1", Date: "2026-11-25", Now: day0,
		Depots: []Depot{{ID: "d1", Name: "Depot", Lat: 31.10, Lon: 108.50, TimeZone: "Asia/Shanghai"}},
		Vehicles: []Vehicle{
			{ID: "cold", Depot: "d1", Ambient: 5, Frozen: 20, ShiftStart: hours(8), ShiftEnd: hours(18), MaxOut: hours(4)},
			{ID: "van", Depot: "d1", Ambient: 30, ShiftStart: hours(8), ShiftEnd: hours(20)},
		},
		Lots: []Lot{
			{ID: "vax", Depot: "d1", Item: "vaccine", Temperature: Frozen, Quantity: 30, Expiry: day0.AddDate(0, 1, 0)},
			{ID: "food", Depot: "d1", Item: "food", Temperature: Ambient, Quantity: 40},
		},
	}
	local := time.FixedZone("CST", 8*3600)
	slot := func(h int) (time.Time, time.Time) {
		from := time.Date(2026, 11, 25, h, 0, 0, 0, local)
		return from.UTC(), from.Add(2 * time.Hour).UTC()
	}
	for i := range 12 {
		r := Request{ID: "h" + string(rune('a'+i)), Site: "home", Kind: Household, Lat: 31.10 + 0.01*float64(i%4-2),
			Lon: 108.50 + 0.012*float64(i/4-1), Item: "food", Quantity: 1, Priority: 4, Status: Open}
		r.SlotFrom, r.SlotTo = slot(9 + 2*(i%4))
		in.Requests = append(in.Requests, r)
	}
	for i := range 4 {
		r := Request{ID: "v" + string(rune('a'+i)), Site: "clinic", Kind: VaccinationPoint, Lat: 31.12 - 0.01*float64(i),
			Lon: 108.47 + 0.02*float64(i), Item: "vaccine", Quantity: 6, Priority: 3, Status: Open}
		r.SlotFrom, r.SlotTo = slot(8)
		in.Requests = append(in.Requests, r)
	}
	return in
}

func TestMakePlan(t *testing.T) {
	t.Parallel()
	in := smallCity()
	nextDay := in.Requests[0]
	nextDay.ID, nextDay.SlotFrom, nextDay.SlotTo = "tomorrow", nextDay.SlotFrom.AddDate(0, 0, 1), nextDay.SlotTo.AddDate(0, 0, 1)
	unknown := in.Requests[0]
	unknown.ID, unknown.Item = "nothing", "masks"
	done := in.Requests[0]
	done.ID, done.Status = "done", Delivered
	in.Requests = append(in.Requests, nextDay, unknown, done)

	plan, err := MakePlan(context.Background(), in, Options{Iterations: 3000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Checked || plan.Status != Draft || plan.Km <= 0 {
		t.Fatalf("plan %+v", plan)
	}
	served := map[string]bool{}
	byID := map[string]Request{}
	for _, r := range in.Requests {
		byID[r.ID] = r
	}
	for _, rt := range plan.Routes {
		out := rt.Return.Sub(rt.Depart)
		for _, st := range rt.Stops {
			served[st.Request] = true
			r := byID[st.Request]
			if st.Start.Before(r.SlotFrom) || st.Start.After(r.SlotTo) || st.Start.Before(st.Arrive) {
				t.Errorf("%s: %s starts at %s, outside its slot %s–%s", rt.Vehicle, st.Request, st.Start, r.SlotFrom, r.SlotTo)
			}
			if r.Item == "vaccine" && rt.Vehicle != "cold" {
				t.Errorf("frozen vaccine for %s on %s", st.Request, rt.Vehicle)
			}
		}
		if rt.Vehicle == "cold" && out > 4*time.Hour {
			t.Errorf("the cold van is out %s, more than its 4h", out)
		}
		if rt.Load[Frozen] > 20 || rt.Load[Ambient] > 30 {
			t.Errorf("%s overloaded: %v", rt.Vehicle, rt.Load)
		}
	}
	left := map[string]string{}
	for _, l := range plan.Left {
		left[l.Request] = l.Reason
	}
	if !strings.Contains(left["nothing"], "no masks left") {
		t.Errorf("the request for an item out of stock: %q", left["nothing"])
	}
	for _, id := range []string{"tomorrow", "done"} {
		if served[id] || left[id] != "" {
			t.Errorf("%s is not a request of the day, yet it is in the plan", id)
		}
	}
	// 24 vaccines for the 4 clinics fit the cold van's 20 frozen only in
	// part: one clinic waits, with the reason.
	if len(served)+len(left) != 17 || len(left) < 2 {
		t.Errorf("served %d, left %v", len(served), left)
	}

	again, err := MakePlan(context.Background(), in, Options{Iterations: 3000, Seed: 1})
	if err != nil || again.Km != plan.Km {
		t.Errorf("the same seed and iterations gave %v km, then %v km (%v)", plan.Km, again.Km, err)
	}
}

func TestMakePlanRefuses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		edit  func(*Input)
		field string
	}{
		{"bad date", func(in *Input) { in.Date = "25/11/2026" }, "date"},
		{"no vehicles", func(in *Input) { in.Vehicles = nil }, "vehicles"},
		{"vehicle of no depot", func(in *Input) { in.Vehicles[1].Depot = "gone" }, "vehicles[1].depot"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := smallCity()
			tt.edit(&in)
			_, err := MakePlan(context.Background(), in, Options{Iterations: 10})
			if got := fieldOf(err); got != tt.field || !errs.Is(err, errs.Invalid) {
				t.Errorf("field %q, want %q (error %v)", got, tt.field, err)
			}
		})
	}
}

// TestMakePlanClock places shifts by the clock on a day that changes to
// summer time, and starts none before now.
func TestMakePlanClock(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	in := Input{ID: "p", Date: "2026-03-29", Now: time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC),
		Depots:   []Depot{{ID: "d", Name: "Depot", Lat: 52.52, Lon: 13.40, TimeZone: "Europe/Berlin"}},
		Vehicles: []Vehicle{{ID: "v", Depot: "d", Ambient: 10, ShiftStart: hours(8), ShiftEnd: hours(9)}},
		Lots:     []Lot{{ID: "l", Depot: "d", Item: "food", Temperature: Ambient, Quantity: 5}},
		Requests: []Request{{ID: "r", Site: "home", Kind: Household, Lat: 52.53, Lon: 13.41, Item: "food", Quantity: 1,
			SlotFrom: time.Date(2026, 3, 29, 8, 0, 0, 0, berlin), SlotTo: time.Date(2026, 3, 29, 8, 15, 0, 0, berlin), Status: Open}},
	}
	plan, err := MakePlan(context.Background(), in, Options{Iterations: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Routes) != 1 || len(plan.Left) != 0 {
		t.Fatalf("routes %+v, left %+v", plan.Routes, plan.Left)
	}
	if rt := plan.Routes[0]; rt.Depart.In(berlin).Hour() != 8 || rt.Return.After(time.Date(2026, 3, 29, 9, 0, 0, 0, berlin)) {
		t.Errorf("the 08:00–09:00 shift ran %s–%s", rt.Depart.In(berlin), rt.Return.In(berlin))
	}

	// Planned at 08:30 on the day, the van leaves no earlier, and the slot
	// that closed at 08:15 is left with the reason.
	in.Now = time.Date(2026, 3, 29, 8, 30, 0, 0, berlin)
	plan, err = MakePlan(context.Background(), in, Options{Iterations: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Routes) != 0 || len(plan.Left) != 1 || !strings.Contains(plan.Left[0].Reason, "no route") {
		t.Errorf("routes %+v, left %+v", plan.Routes, plan.Left)
	}
	in.Now = time.Date(2026, 3, 29, 10, 0, 0, 0, berlin)
	if _, err := MakePlan(context.Background(), in, Options{}); fieldOf(err) != "date" {
		t.Errorf("planning a day whose shifts are over: %v", err)
	}
}
