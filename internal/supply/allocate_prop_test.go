package supply

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// randomSupply makes depots, lots and requests for one item mix, with
// shortages, expiring lots and depots that hold little.
func randomSupply(r *rand.Rand) ([]Lot, []Request, []Depot) {
	items := []string{"a", "b", "c"}
	var depots []Depot
	for d := range 1 + r.IntN(3) {
		depots = append(depots, Depot{ID: fmt.Sprintf("d%d", d), Name: "depot", Lat: 31 + r.Float64()/5, Lon: 108 + r.Float64()/5})
	}
	var lots []Lot
	for i := range r.IntN(12) {
		l := Lot{ID: fmt.Sprintf("l%02d", i), Depot: depots[r.IntN(len(depots))].ID, Item: items[r.IntN(len(items))],
			Temperature: Classes[r.IntN(len(Classes))], Quantity: r.IntN(30)}
		if r.IntN(3) > 0 {
			l.Expiry = day0.Add(time.Duration(r.IntN(72)) * time.Hour)
		}
		lots = append(lots, l)
	}
	var reqs []Request
	for i := range r.IntN(15) {
		q := Request{ID: fmt.Sprintf("q%02d", i), Site: "site", Kind: Hospital, Lat: 31 + r.Float64()/5, Lon: 108 + r.Float64()/5,
			Item: items[r.IntN(len(items))], Quantity: 1 + r.IntN(20), Priority: r.IntN(3),
			Created: day0.Add(time.Duration(r.IntN(100)) * time.Minute), Status: Open}
		if r.IntN(3) == 0 {
			q.Kind, q.Quantity = Household, 1+r.IntN(4)
		}
		reqs = append(reqs, q)
	}
	return lots, reqs, depots
}

// TestAllocateInvariants checks, on random stock and requests, what any
// allocation must hold: lots are never overdrawn, nothing expiring by the
// deadline is sent, a delivery comes from one depot and is what its picks
// add up to, households get their parcel whole or nothing, and stock of an
// item is never left on the shelves of all depots together while a request
// of that item is short, unless the stock is spread too thin over depots.
func TestAllocateInvariants(t *testing.T) {
	t.Parallel()
	until := day0.Add(24 * time.Hour)
	for seed := range uint64(3000) {
		r := rand.New(rand.NewPCG(seed, 7))
		lots, reqs, depots := randomSupply(r)
		as := Allocate(lots, reqs, depots, vans(depots), until)
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("seed %d: "+format, append([]any{seed}, args...)...)
		}
		if len(as) != len(reqs) {
			fail("%d allocations for %d requests", len(as), len(reqs))
		}
		byID := map[string]Lot{}
		for _, l := range lots {
			byID[l.ID] = l
		}
		taken := map[string]int{}
		spread := map[string]bool{} // items a request got less of for want of one depot holding enough
		for i, a := range as {
			q := reqs[i]
			sum := 0
			for _, p := range a.Picks {
				l := byID[p.Lot]
				switch {
				case l.Item != q.Item || l.Depot != a.Depot:
					fail("%s takes %s from lot %s of %s at %s", q.ID, q.Item, p.Lot, l.Item, l.Depot)
				case !l.Expiry.IsZero() && !l.Expiry.After(until):
					fail("%s takes from lot %s, which expires at %s", q.ID, p.Lot, l.Expiry)
				case p.Quantity <= 0:
					fail("%s: an empty pick", q.ID)
				}
				taken[p.Lot] += p.Quantity
				sum += p.Quantity
			}
			switch {
			case sum != a.Quantity || a.Quantity+a.Short != q.Quantity || a.Quantity < 0:
				fail("%s asked %d: allocation %+v with picks of %d", q.ID, q.Quantity, a, sum)
			case q.Kind == Household && a.Quantity != 0 && a.Quantity != q.Quantity:
				fail("household %s got %d of its parcel of %d", q.ID, a.Quantity, q.Quantity)
			case a.Short > 0 && a.Note == "":
				fail("%s is short without a note", q.ID)
			}
			if a.Short > 0 && a.Quantity > 0 && strings.Contains(a.Note, "spread over depots") {
				spread[q.Item] = true
			}
		}
		left := map[string]int{}
		for id, l := range byID {
			if taken[id] > l.Quantity {
				fail("lot %s holds %d, %d taken", id, l.Quantity, taken[id])
			}
			if l.Expiry.IsZero() || l.Expiry.After(until) {
				left[l.Item] += l.Quantity - taken[id]
			}
		}
		for i, a := range as {
			if q := reqs[i]; q.Kind != Household && a.Short > 0 && left[q.Item] > 0 && !spread[q.Item] {
				fail("%s is short %d of %s while %d are left", q.ID, a.Short, q.Item, left[q.Item])
			}
		}
	}
}
