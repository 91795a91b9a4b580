package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/place"
	"outbreak/internal/visit"
)

// TestCheckInIDsAcrossDays: each check-in of a group that spans days, added
// out of day order, is answered with the ID of its own visit.
func TestCheckInIDsAcrossDays(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		city(t, db)
		var wg sync.WaitGroup
		for i := range 200 {
			wg.Go(func() {
				in := t0.Add(time.Duration(1-i%2) * 24 * time.Hour).Add(time.Duration(i) * time.Second)
				v, _, err := db.AddVisit(ctx, visit.Visit{Person: fmt.Sprintf("r%d", 1+i%5), Place: "v1", CheckIn: in})
				if err != nil {
					t.Error(err)
					return
				}
				got, err := db.Visit(ctx, v.ID)
				if err != nil || got != v {
					t.Errorf("check-in answered %+v; visit %s is %+v, %v", v, v.ID, got, err)
				}
			})
		}
		wg.Wait()
	})
}

// TestTwoStoresMakeOneDay: two stores on one database (two processes) check
// in on a new day at the same moment; both succeed.
func TestTwoStoresMakeOneDay(t *testing.T) {
	t.Parallel()
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		a := openPostgres(t)
		city(t, a)
		b, err := Open(context.Background(), Config{URL: a.cfg.URL, Sealer: a.seal})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		twoWriters(t, a, b)
	})
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		a := openSQLite(t)
		city(t, a)
		b, err := Open(context.Background(), Config{Dir: a.cfg.Dir, Sealer: a.seal})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		twoWriters(t, a, b)
	})
}

func twoWriters(t *testing.T, a, b *DB) {
	ctx := context.Background()
	for day := range 5 {
		in := t0.Add(time.Duration(20+day) * 24 * time.Hour)
		var wg sync.WaitGroup
		for _, db := range []*DB{a, b} {
			wg.Go(func() {
				if _, _, err := db.AddVisit(ctx, visit.Visit{Person: "r1", Place: "v1", CheckIn: in}); err != nil {
					t.Errorf("day %d: %v", day, err)
				}
			})
			wg.Go(func() {
				v := visit.Visit{Person: "r2", Place: "v2", CheckIn: in.Add(time.Hour)}
				if _, err := db.ImportVisits(ctx, slices.Values([]visit.Visit{v}), nil); err != nil {
					t.Errorf("day %d, import: %v", day, err)
				}
			})
		}
		wg.Wait()
	}
	// Each store wrote the same two visits a day: they are stored once.
	if got := len(visitsOf(t, a, visit.Filter{From: t0.Add(20 * 24 * time.Hour)})); got != 10 {
		t.Fatalf("stored %d visits, want 10", got)
	}
}

// TestConcurrentOpen: replicas opening an empty database together migrate it once.
func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	a := openPostgres(t)
	// A database with no schema at all: drop what the template made.
	ctx := context.Background()
	if _, err := a.pool.Exec(ctx, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			db, err := Open(ctx, Config{URL: a.cfg.URL, Sealer: a.seal})
			if err != nil {
				t.Error(err)
				return
			}
			db.Close()
		})
	}
	wg.Wait()
}

// TestCheckOutAtTheEpoch: the earliest instant a visit can hold is kept.
func TestCheckOutAtTheEpoch(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		city(t, db)
		epoch := time.Unix(0, 0).UTC()
		v, _, err := db.AddVisit(context.Background(), visit.Visit{Person: "r1", Place: "v1", CheckIn: epoch, CheckOut: epoch})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.Visit(context.Background(), v.ID); err != nil || !got.CheckOut.Equal(epoch) {
			t.Fatalf("visit at the epoch: %+v, %v", got, err)
		}
		_, _, err = db.AddVisit(context.Background(), visit.Visit{Person: "r1", Place: "v1", CheckIn: epoch.Add(-time.Second)})
		if errs.FieldOf(err) != "check_in" {
			t.Fatalf("a check-in before 1970: %v", err)
		}
	})
}

// TestRegionKindKeepsChildren: a region cannot become a kind too small for
// its children.
func TestRegionKindKeepsChildren(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		city(t, db)
		_, err := db.ImportRegions(context.Background(), slices.Values([]place.Region{
			{ID: "cn.p1", Name: "Now a district", Parent: "cn", Kind: place.District}}), nil)
		if errs.FieldOf(err) != "kind" {
			t.Fatalf("re-kinding a province with a city inside: %v", err)
		}
		mustImport(t, db.ImportRegions, place.Region{ID: "cn.p1.c1.d1", Name: "Renamed", Parent: "cn.p1.c1", Kind: place.District})
	})
}
