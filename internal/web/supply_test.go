package web

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"outbreak/internal/sqlstore"
	"outbreak/internal/supply"
)

// seedSupply stores, through the API, vans at dep1 and stock and requests
// for the day after t0: food parcels for r1–r3 in slots, and frozen vaccine
// for a clinic.
func (a *apiTest) seedSupply() {
	a.t.Helper()
	a.seed()
	for _, v := range []obj{
		{"id": "cold", "depot": "dep1", "ambient": 5, "frozen": 10, "shift_start": "8h", "shift_end": "18h", "max_out": "4h"},
		{"id": "van", "depot": "dep1", "ambient": 20, "shift_start": "8h", "shift_end": "20h"},
	} {
		want[obj](a.t, a.do("POST", "/api/v1/vehicles", v), http.StatusCreated)
	}
	for _, l := range []obj{
		{"id": "food1", "depot": "dep1", "item": "food", "temperature": "ambient", "quantity": 10},
		{"id": "vax1", "depot": "dep1", "item": "vaccine", "lot": "L7", "expiry": "2027-01-01T00:00:00Z", "temperature": "frozen", "quantity": 8},
	} {
		want[obj](a.t, a.do("POST", "/api/v1/stock", l), http.StatusCreated)
	}
	for i, p := range []string{"r1", "r2", "r3"} {
		want[obj](a.t, a.do("POST", "/api/v1/requests", obj{"id": "home-" + p, "site": "Home of " + p, "kind": "household",
			"person": p, "lat": 23.1 + 0.01*float64(i), "lon": 113.22, "item": "food", "quantity": 1, "priority": 4,
			"slot_from": "2026-11-02T02:00:00Z", "slot_to": "2026-11-02T05:00:00Z"}), http.StatusCreated)
	}
	want[obj](a.t, a.do("POST", "/api/v1/requests", obj{"id": "clinic", "site": "Clinic", "kind": "vaccination_point",
		"lat": 23.12, "lon": 113.27, "item": "vaccine", "quantity": 10, "priority": 3}), http.StatusCreated)
}

func TestPlans(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *sqlstore.DB) {
		a := newAPI(t, db)
		a.seedSupply()
		rec := a.do("POST", "/api/v1/plans", obj{"date": "2026-11-02", "time_limit": "200ms"})
		plan := want[supply.Plan](t, rec, http.StatusCreated)
		if loc := rec.Header().Get("Location"); loc != "/api/v1/plans/"+plan.ID {
			t.Errorf("Location %q", loc)
		}
		if !plan.Checked || plan.Status != supply.Draft || len(plan.Routes) == 0 {
			t.Fatalf("plan %+v", plan)
		}
		stops := 0
		for _, rt := range plan.Routes {
			stops += len(rt.Stops)
		}
		// 8 vaccines of the 10 asked, and the three parcels.
		if a := plan.Allocations[0]; stops != 4 || a.Request != "clinic" || a.Quantity != 8 || a.Short != 2 {
			t.Errorf("%d stops, the clinic's allocation %+v", stops, a)
		}

		got := want[supply.Plan](t, a.do("GET", "/api/v1/plans/"+plan.ID, nil), http.StatusOK)
		if got.ID != plan.ID || len(got.Allocations) != 4 {
			t.Errorf("get: %+v", got)
		}
		// A list's plans leave out allocations and stops, as [], never null.
		rec = a.do("GET", "/api/v1/plans?status=draft", nil)
		if strings.Contains(rec.Body.String(), "null") {
			t.Errorf("a list of plans holds null: %s", rec.Body)
		}
		list := want[Page[supply.Plan]](t, rec, http.StatusOK)
		if len(list.Items) != 1 || list.Items[0].ID != plan.ID || len(list.Items[0].Allocations) != 0 || len(list.Items[0].Routes[0].Stops) != 0 {
			t.Errorf("list: %+v", list)
		}

		sent := want[supply.Plan](t, a.do("POST", "/api/v1/plans/"+plan.ID+"/dispatch", nil), http.StatusOK)
		if sent.Status != supply.PlanDispatched || !sent.Dispatched.Equal(t0) {
			t.Errorf("dispatched: %s at %s", sent.Status, sent.Dispatched)
		}
		food := want[supply.Lot](t, a.do("GET", "/api/v1/stock/food1", nil), http.StatusOK)
		vax := want[supply.Lot](t, a.do("GET", "/api/v1/stock/vax1", nil), http.StatusOK)
		if food.Quantity != 7 || vax.Quantity != 0 {
			t.Errorf("stock after dispatch: food %d, vaccine %d", food.Quantity, vax.Quantity)
		}
		req := want[supply.Request](t, a.do("GET", "/api/v1/requests/home-r1", nil), http.StatusOK)
		if req.Status != supply.Dispatched || req.Plan != plan.ID {
			t.Errorf("request after dispatch: %+v", req)
		}
		problemOK(t, a.do("POST", "/api/v1/plans/"+plan.ID+"/dispatch", nil), http.StatusConflict)
		problemOK(t, a.do("POST", "/api/v1/plans/nope/dispatch", nil), http.StatusNotFound)
		problemOK(t, a.do("GET", "/api/v1/plans/nope", nil), http.StatusNotFound)
	})
}

func TestPlanBadInput(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *sqlstore.DB) {
		a := newAPI(t, db)
		a.seed()
		for _, tt := range []struct {
			name  string
			body  any
			field string
		}{
			{"no date", obj{}, "date"},
			{"bad date", obj{"date": "02/11/2026"}, "date"},
			{"time limit too long", obj{"date": "2026-11-02", "time_limit": "2h"}, "time_limit"},
			{"unknown field", obj{"date": "2026-11-02", "vehicles": 3}, "vehicles"},
			{"no vehicles", obj{"date": "2026-11-02"}, "vehicles"},
		} {
			p := problemOK(t, a.do("POST", "/api/v1/plans", tt.body), http.StatusUnprocessableEntity)
			wantField(t, p, tt.field)
		}
		problemOK(t, a.do("GET", "/api/v1/plans?status=draft&color=red", nil), http.StatusUnprocessableEntity)

		// One plan at a time: while one is made, another is turned away.
		held := &heldStore{DB: db, reading: make(chan struct{}), gate: make(chan struct{})}
		slow := &apiTest{t: t, db: db, srv: newServer(Config{Store: held, Now: func() time.Time { return t0 }})}
		release := sync.OnceFunc(func() { close(held.gate) })
		defer release() // should the test fail before it lets the first plan go
		first := make(chan int)
		go func() { first <- slow.do("POST", "/api/v1/plans", `{"date": "2026-11-02"}`).Code }()
		<-held.reading
		p := problemOK(t, slow.do("POST", "/api/v1/plans", obj{"date": "2026-11-02"}), http.StatusServiceUnavailable)
		if p.Detail != "another plan is being made; try again when it is done" {
			t.Errorf("a second plan: %+v", p)
		}
		release()
		// The seed has no vehicles: the first plan fails once it reads them.
		if code := <-first; code != http.StatusUnprocessableEntity {
			t.Errorf("the first plan: %d, want 422", code)
		}
	})
}

// heldStore is a real store whose first read of the depots, the first
// thing a plan reads, waits until the test opens gate: a plan started
// meanwhile is being made for as long as the test needs.
type heldStore struct {
	*sqlstore.DB
	reading chan struct{} // closed when a plan reads the depots
	gate    chan struct{}
	once    sync.Once
}

func (h *heldStore) Depots(ctx context.Context, f supply.Filter) ([]supply.Depot, string, error) {
	h.once.Do(func() {
		close(h.reading)
		<-h.gate
	})
	return h.DB.Depots(ctx, f)
}
