package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"outbreak/internal/person"
	"outbreak/internal/place"
	"outbreak/internal/trace"
	"outbreak/internal/trace/tracetest"
	"outbreak/internal/visit"
)

// prefixed gives every ID of a city a prefix, so that many cities share one
// store without meeting, and moves its times by shift.
func prefixed(c tracetest.City, p string, shift time.Duration) tracetest.City {
	c.Now = c.Now.Add(shift)
	c.Region.ID = p + c.Region.ID
	c.Places = slices.Clone(c.Places)
	for i := range c.Places {
		c.Places[i].ID, c.Places[i].Region = p+c.Places[i].ID, c.Region.ID
	}
	c.Residents = slices.Clone(c.Residents)
	for i := range c.Residents {
		c.Residents[i].ID, c.Residents[i].HomeRegion = p+c.Residents[i].ID, c.Region.ID
	}
	c.Visits = slices.Clone(c.Visits)
	for i := range c.Visits {
		v := &c.Visits[i]
		v.Person, v.Place, v.CheckIn = p+v.Person, p+v.Place, v.CheckIn.Add(shift)
		if !v.CheckOut.IsZero() {
			v.CheckOut = v.CheckOut.Add(shift)
		}
	}
	c.Cases = slices.Clone(c.Cases)
	for i := range c.Cases {
		k := &c.Cases[i]
		k.ID, k.Person, k.Onset = p+k.ID, p+k.Person, k.Onset.Add(shift)
		if !k.Isolated.IsZero() {
			k.Isolated = k.Isolated.Add(shift)
		}
	}
	return c
}

// TestTraceOracle loads random cities into the store, most by bulk import
// and a quarter by check-in and check-out (on later days, so that the spans
// the two paths keep are tested apart), and compares tracing through the
// store's indexes with brute force.
func TestTraceOracle(t *testing.T) {
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		const n = 120
		var regions []place.Region
		var places []place.Place
		var residents []person.Resident
		var bulk, added []visit.Visit
		var cities []tracetest.City
		for seed := range uint64(n) {
			live := seed%4 == 1
			shift := time.Duration(0)
			if live {
				shift = 10 * 24 * time.Hour
			}
			c := prefixed(tracetest.Random(seed), fmt.Sprintf("s%d-", seed), shift)
			cities = append(cities, c)
			regions = append(regions, c.Region)
			places = append(places, c.Places...)
			residents = append(residents, c.Residents...)
			if live {
				added = append(added, c.Visits...)
			} else {
				bulk = append(bulk, c.Visits...)
			}
		}
		mustImport(t, db.ImportRegions, regions...)
		mustImport(t, db.ImportPlaces, places...)
		mustImport(t, db.ImportResidents, residents...)
		mustImport(t, db.ImportVisits, bulk...)
		var wg sync.WaitGroup
		for part := range 8 {
			wg.Go(func() {
				for i := part; i < len(added); i += 8 {
					v := added[i]
					out := v.CheckOut
					if i%2 == 0 {
						v.CheckOut = time.Time{} // checked out below
					}
					got, _, err := db.AddVisit(ctx, v)
					if err == nil && i%2 == 0 && !out.IsZero() {
						_, err = db.CheckOut(ctx, got.ID, out)
					}
					if err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		idx, err := db.TraceIndex(ctx, trace.DefaultRules().DefaultDwell)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for seed, c := range cities {
			known := trace.Known(c.Cases, c.Now)
			got, err := trace.Run(ctx, idx, trace.DefaultRules(), c.Now, known, known, 2)
			if err != nil {
				t.Fatal(err)
			}
			want := tracetest.Oracle(c, trace.DefaultRules())
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("seed %d: store tracing differs from oracle (-want +got):\n%s", seed, diff)
			}
			total += len(want)
		}
		if total < 100 {
			t.Fatalf("only %d exposures in %d cities", total, n)
		}
	})
}
