package supply

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var day0 = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func site(id string, qty, prio int, created int) Request {
	return Request{ID: id, Site: "site " + id, Kind: Hospital, Lat: 31.1, Lon: 108.5, Item: "kit",
		Quantity: qty, Priority: prio, Created: day0.Add(time.Duration(created) * time.Minute), Status: Open}
}

func household(id string, qty, prio int, created int) Request {
	r := site(id, qty, prio, created)
	r.Kind = Household
	return r
}

func lot(id, depot string, qty int, expiresInDays int) Lot {
	l := Lot{ID: id, Depot: depot, Item: "kit", Temperature: Ambient, Quantity: qty}
	if expiresInDays != 0 {
		l.Expiry = day0.AddDate(0, 0, expiresInDays)
	}
	return l
}

// vans gives each depot a van that carries every temperature class.
func vans(depots []Depot) []Vehicle {
	var vs []Vehicle
	for _, d := range depots {
		vs = append(vs, Vehicle{ID: "van-" + d.ID, Depot: d.ID, Ambient: 10, Chilled: 10, Frozen: 10, ShiftEnd: hours(20)})
	}
	return vs
}

// quantities returns what each request got, by request ID.
func quantities(as []Allocation) map[string]int {
	out := map[string]int{}
	for _, a := range as {
		out[a.Request] = a.Quantity
	}
	return out
}

func TestAllocateShares(t *testing.T) {
	t.Parallel()
	depots := []Depot{{ID: "d1", Name: "one", Lat: 31.1, Lon: 108.5}}
	until := day0.Add(20 * time.Hour)
	for _, tt := range []struct {
		name     string
		stock    int
		requests []Request
		want     map[string]int
	}{
		{"enough for all", 100, []Request{site("a", 10, 0, 0), site("b", 20, 0, 1)},
			map[string]int{"a": 10, "b": 20}},
		{"higher priority first", 15, []Request{site("low", 10, 1, 0), site("high", 10, 5, 1)},
			map[string]int{"low": 5, "high": 10}},
		{"max-min fair: the small request whole, the rest even", 15,
			[]Request{site("a", 2, 0, 0), site("b", 10, 0, 1), site("c", 10, 0, 2)},
			map[string]int{"a": 2, "b": 7, "c": 6}},
		{"the odd unit to the oldest", 7, []Request{site("new", 10, 0, 5), site("old", 10, 0, 1)},
			map[string]int{"new": 3, "old": 4}},
		{"households whole, before sites, oldest first; a smaller one later still fits", 5,
			[]Request{site("s", 10, 0, 0), household("h1", 3, 0, 1), household("h2", 3, 0, 2), household("h3", 2, 0, 3)},
			map[string]int{"s": 0, "h1": 3, "h2": 0, "h3": 2}},
		{"no stock", 0, []Request{site("a", 1, 0, 0)}, map[string]int{"a": 0}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var lots []Lot
			if tt.stock > 0 {
				lots = []Lot{lot("l1", "d1", tt.stock, 0)}
			}
			got := quantities(Allocate(lots, tt.requests, depots, vans(depots), until))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("quantities (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAllocateLotsAndDepots(t *testing.T) {
	t.Parallel()
	until := day0.Add(20 * time.Hour)
	near := Depot{ID: "near", Name: "near", Lat: 31.1, Lon: 108.5}
	far := Depot{ID: "far", Name: "far", Lat: 31.5, Lon: 108.9}
	t.Run("first to expire goes first; expiring on the day stays", func(t *testing.T) {
		t.Parallel()
		lots := []Lot{lot("late", "near", 10, 30), lot("never", "near", 10, 0), lot("soon", "near", 4, 2), lot("today", "near", 50, 0)}
		lots[3].Expiry = day0.Add(12 * time.Hour)
		as := Allocate(lots, []Request{site("a", 20, 0, 0)}, []Depot{near}, vans([]Depot{near}), until)
		var picks []string
		for _, p := range as[0].Picks {
			picks = append(picks, p.Lot)
		}
		if diff := cmp.Diff([]string{"soon", "late", "never"}, picks); diff != "" || as[0].Quantity != 20 {
			t.Errorf("picks (-want +got):\n%s\nquantity %d", diff, as[0].Quantity)
		}
	})
	t.Run("the nearest depot that holds enough", func(t *testing.T) {
		t.Parallel()
		lots := []Lot{lot("n", "near", 5, 0), lot("f", "far", 50, 0)}
		as := Allocate(lots, []Request{site("small", 5, 1, 0), site("big", 20, 0, 1)}, []Depot{near, far}, vans([]Depot{near, far}), until)
		if as[0].Depot != "near" || as[1].Depot != "far" || as[1].Quantity != 20 {
			t.Errorf("got %+v", as)
		}
	})
	t.Run("stock spread over depots is reported short", func(t *testing.T) {
		t.Parallel()
		lots := []Lot{lot("n", "near", 6, 0), lot("f", "far", 8, 0)}
		as := Allocate(lots, []Request{site("a", 10, 0, 0)}, []Depot{near, far}, vans([]Depot{near, far}), until)
		if a := as[0]; a.Depot != "far" || a.Quantity != 8 || a.Short != 2 || a.Note == "" {
			t.Errorf("got %+v", a)
		}
	})
	t.Run("a household's parcel is not split over depots", func(t *testing.T) {
		t.Parallel()
		lots := []Lot{lot("n", "near", 2, 0), lot("f", "far", 2, 0)}
		as := Allocate(lots, []Request{household("h", 3, 0, 0)}, []Depot{near, far}, vans([]Depot{near, far}), until)
		if a := as[0]; a.Quantity != 0 || a.Short != 3 || a.Picks != nil {
			t.Errorf("got %+v", a)
		}
	})
	t.Run("stock goes where a vehicle can carry it", func(t *testing.T) {
		t.Parallel()
		lots := []Lot{lot("n", "near", 10, 0), lot("f", "far", 10, 0)}
		lots[0].Temperature, lots[1].Temperature = Frozen, Frozen
		fleet := []Vehicle{{ID: "dry", Depot: "near", Ambient: 50, ShiftEnd: hours(20)}, {ID: "cold", Depot: "far", Frozen: 20, ShiftEnd: hours(20)}}
		as := Allocate(lots, []Request{site("a", 5, 0, 0)}, []Depot{near, far}, fleet, until)
		if a := as[0]; a.Depot != "far" || a.Quantity != 5 {
			t.Errorf("got %+v", a)
		}
	})
	t.Run("a parcel no depot holds whole leaves its units to others", func(t *testing.T) {
		t.Parallel()
		lots := []Lot{lot("n", "near", 1, 0), lot("f", "far", 1, 0)}
		reqs := []Request{household("h", 2, 1, 0), site("s", 1, 1, 1), site("low", 1, 0, 2)}
		got := quantities(Allocate(lots, reqs, []Depot{near, far}, vans([]Depot{near, far}), until))
		if diff := cmp.Diff(map[string]int{"h": 0, "s": 1, "low": 1}, got); diff != "" {
			t.Errorf("quantities (-want +got):\n%s", diff)
		}
	})
	t.Run("depots left out hold nothing", func(t *testing.T) {
		t.Parallel()
		as := Allocate([]Lot{lot("f", "far", 8, 0)}, []Request{site("a", 1, 0, 0)}, []Depot{near}, vans([]Depot{near}), until)
		if as[0].Quantity != 0 || as[0].Note == "" {
			t.Errorf("got %+v", as[0])
		}
	})
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		check func() error
		field string
	}{
		{"depot", func() error { return (&Depot{ID: "d", Name: "D", TimeZone: "Asia/Shanghai"}).Validate() }, ""},
		{"depot zone", func() error { return (&Depot{ID: "d", Name: "D", TimeZone: "Mars/Base"}).Validate() }, "time_zone"},
		{"depot lat", func() error { return (&Depot{ID: "d", Name: "D", Lat: 91}).Validate() }, "lat"},
		{"vehicle", func() error {
			return (&Vehicle{ID: "v", Depot: "d", Chilled: 5, ShiftStart: hours(8), ShiftEnd: hours(18)}).Validate()
		}, ""},
		{"vehicle empty", func() error { return (&Vehicle{ID: "v", Depot: "d", ShiftEnd: hours(18)}).Validate() }, "ambient"},
		{"vehicle shift", func() error {
			return (&Vehicle{ID: "v", Depot: "d", Ambient: 1, ShiftStart: hours(18), ShiftEnd: hours(8)}).Validate()
		}, "shift_end"},
		{"lot class", func() error { return (&Lot{ID: "l", Depot: "d", Item: "x", Temperature: "warm"}).Validate() }, "temperature"},
		{"lot negative", func() error {
			return (&Lot{ID: "l", Depot: "d", Item: "x", Temperature: Frozen, Quantity: -1}).Validate()
		}, "quantity"},
		{"request", func() error { r := site("a", 1, 0, 0); return r.Validate() }, ""},
		{"request no quantity", func() error { r := site("a", 0, 0, 0); return r.Validate() }, "quantity"},
		{"request negative", func() error { r := site("a", -3, 0, 0); return r.Validate() }, "quantity"},
		{"request priority", func() error { r := site("a", 1, 10, 0); return r.Validate() }, "priority"},
		{"request kind", func() error { r := site("a", 1, 0, 0); r.Kind = "shop"; return r.Validate() }, "kind"},
		{"request half a slot", func() error { r := site("a", 1, 0, 0); r.SlotFrom = day0; return r.Validate() }, "slot_to"},
		{"request slot backwards", func() error {
			r := site("a", 1, 0, 0)
			r.SlotFrom, r.SlotTo = day0.Add(time.Hour), day0
			return r.Validate()
		}, "slot_to"},
		{"request status", func() error { r := site("a", 1, 0, 0); r.Status = "lost"; return r.Validate() }, "status"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.check()
			if got := fieldOf(err); got != tt.field {
				t.Errorf("field %q, want %q (error %v)", got, tt.field, err)
			}
		})
	}
}
