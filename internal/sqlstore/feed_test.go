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

	"outbreak/internal/approval"
	"outbreak/internal/cases"
	"outbreak/internal/feed"
	"outbreak/internal/lab"
	"outbreak/internal/place"
	"outbreak/internal/record"
	"outbreak/internal/visit"
)

// since returns the changes after seq, without their sequences and times,
// and the new position.
func since(t *testing.T, db *DB, seq int64) ([]feed.Change, int64) {
	t.Helper()
	cs, err := db.ChangesSince(context.Background(), seq, 100000)
	if err != nil {
		t.Fatal(err)
	}
	for i := range cs {
		if cs[i].Seq <= seq {
			t.Fatalf("change %d after %d", cs[i].Seq, seq)
		}
		seq = cs[i].Seq
		if cs[i].At.IsZero() {
			t.Fatalf("change %d has no time", cs[i].Seq)
		}
		cs[i].Seq, cs[i].At = 0, time.Time{}
	}
	return cs, seq
}

// TestFeedRecordsEveryWrite stores records of every kind, one at a time and
// in bulk, and checks that each transaction appended what it wrote.
func TestFeedRecordsEveryWrite(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		pos := int64(0)
		expect := func(what string, want ...feed.Change) {
			t.Helper()
			var got []feed.Change
			got, pos = since(t, db, pos)
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("%s: changes (-want +got):\n%s", what, diff)
			}
		}
		city(t, db)
		var want []feed.Change
		for _, r := range []string{"cn", "cn.p1", "cn.p1.c1", "cn.p1.c1.d1"} {
			want = append(want, feed.Change{Kind: "regions", ID: r})
		}
		for _, p := range []string{"v1", "v2", "v3"} {
			want = append(want, feed.Change{Kind: "places", ID: p})
		}
		for i := 1; i <= 5; i++ {
			r := fmt.Sprintf("r%d", i)
			want = append(want, feed.Change{Kind: "residents", ID: r, Person: r})
		}
		expect("a city", want...)

		v, _, err := db.AddVisit(ctx, visit.Visit{Person: "r1", Place: "v1", CheckIn: t0})
		if err != nil {
			t.Fatal(err)
		}
		n, _ := intID("visit", v.ID)
		expect("a check-in", feed.Change{Kind: "visits", ID: "20261101", Lo: n, Hi: n})
		if _, err := db.CheckOut(ctx, v.ID, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		expect("a check-out", feed.Change{Kind: "visits", ID: "20261101", Lo: n, Hi: n})

		// A bulk import over three days: every visit's ID in a range of its day.
		var vs []visit.Visit
		for i := range 300 {
			vs = append(vs, visit.Visit{Person: fmt.Sprintf("r%d", 1+i%5), Place: "v2", CheckIn: t0.Add(time.Duration(i) * 15 * time.Minute)})
		}
		mustImport(t, db.ImportVisits, vs...)
		got, next := since(t, db, pos)
		pos = next
		covered := map[string]int{}
		for _, c := range got {
			if c.Kind != "visits" || c.Lo > c.Hi {
				t.Fatalf("a visit import noted %+v", c)
			}
			page, _, err := db.Visits(ctx, visit.Filter{From: dayStart(c.ID), To: dayStart(c.ID).Add(24 * time.Hour), Page: record.Page{Limit: 10000}})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range page {
				if n, _ := intID("visit", v.ID); n >= c.Lo && n <= c.Hi {
					covered[v.CheckIn.Format(time.RFC3339)]++
				}
			}
		}
		for _, v := range vs {
			if covered[v.CheckIn.Format(time.RFC3339)] != 1 {
				t.Fatalf("visit at %v is in %d ranges of the import's changes: %+v", v.CheckIn, covered[v.CheckIn.Format(time.RFC3339)], got)
			}
		}

		// Appended records: one at a time with their IDs, in bulk one change
		// per resident.
		s, err := db.AddStay(ctx, visit.Stay{Person: "r2", Region: "cn.p1", From: t0})
		if err != nil {
			t.Fatal(err)
		}
		expect("a stay", feed.Change{Kind: "stays", ID: s.ID, Person: "r2"})
		mustImport(t, db.ImportStays, visit.Stay{Person: "r3", Region: "cn.p1", From: t0}, visit.Stay{Person: "r3", Region: "cn", From: t0},
			visit.Stay{Person: "r4", Region: "cn", From: t0})
		expect("stays in bulk", feed.Change{Kind: "stays", Person: "r3"}, feed.Change{Kind: "stays", Person: "r4"})
		mustImport(t, db.ImportResults, lab.Result{Person: "r1", SpecimenAt: t0, Result: lab.Positive, TestType: "pcr"})
		mustImport(t, db.ImportVaccinations, lab.Vaccination{Person: "r5", GivenAt: t0, Product: "x", Dose: 1})
		mustImport(t, db.ImportDeclarations, lab.Declaration{Person: "r2", DeclaredAt: t0, Symptoms: []string{"cough"}})
		expect("lab records", feed.Change{Kind: "labs", Person: "r1"}, feed.Change{Kind: "vaccinations", Person: "r5"},
			feed.Change{Kind: "declarations", Person: "r2"})
		l, err := db.AddLevel(ctx, place.Level{Region: "cn.p1", Level: place.High, From: t0})
		if err != nil {
			t.Fatal(err)
		}
		mustImport(t, db.ImportLevels, place.Level{Region: "cn", Level: place.Medium, From: t0}, place.Level{Region: "cn.p1.c1", Level: place.Low, From: t0})
		expect("region levels", feed.Change{Kind: "region_levels", ID: l.ID}, feed.Change{Kind: "region_levels"})
		mustImport(t, db.ImportCases, cases.Case{ID: "c1", Person: "r1", Onset: t0})
		mustImport(t, db.ImportAppeals, approval.Appeal{ID: "a1", Person: "r3", Status: approval.Pending})
		expect("a case and an appeal", feed.Change{Kind: "cases", ID: "c1", Person: "r1"}, feed.Change{Kind: "appeals", ID: "a1", Person: "r3"})

		// A refused transaction appends nothing.
		if _, err := db.ImportCases(ctx, slices.Values([]cases.Case{{ID: "c2", Person: "nobody", Onset: t0}}), nil); err == nil {
			t.Fatal("a case of an unknown person was stored")
		}
		expect("a refused import")

		head, err := db.Head(ctx)
		if err != nil || head != pos {
			t.Fatalf("Head = %d, %v; want %d", head, err, pos)
		}
		// Limits page through the feed.
		first, err := db.ChangesSince(ctx, 0, 3)
		if err != nil || len(first) != 3 || first[2].Seq >= head {
			t.Fatalf("ChangesSince(0, 3) = %d changes, %v", len(first), err)
		}
	})
}

// TestFeedAnnouncesCommits checks that a commit closes the channel that
// Changed gave before it, and that a read-only call does not.
func TestFeedAnnouncesCommits(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		city(t, db)
		ch := db.Changed()
		if _, err := db.Resident(context.Background(), "r1"); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ch:
			t.Fatal("a read announced a change")
		default:
		}
		if _, _, err := db.AddVisit(context.Background(), visit.Visit{Person: "r1", Place: "v1", CheckIn: t0}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ch:
		default:
			t.Fatal("a check-in was not announced")
		}
	})
}

// TestFeedInCommitOrder has writers commit concurrently while a reader
// follows the feed from its position, as a keeper does: the reader must
// see every change once, never skipping one that commits after a change
// with a greater sequence.
func TestFeedInCommitOrder(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		city(t, db)
		start, err := db.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		const writers, each = 4, 60
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					var err error
					if i%2 == 0 {
						_, err = db.AddStay(ctx, visit.Stay{Person: fmt.Sprintf("r%d", 1+w), Region: "cn", From: t0.Add(time.Duration(i) * time.Minute)})
					} else {
						_, _, err = db.AddVisit(ctx, visit.Visit{Person: fmt.Sprintf("r%d", 1+w), Place: "v1", CheckIn: t0.Add(time.Duration(i) * time.Minute)})
					}
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		seen := map[int64]bool{}
		pos := start
		for finished := false; !finished; {
			select {
			case <-done:
				finished = true
			default:
			}
			cs, err := db.ChangesSince(ctx, pos, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				seen[c.Seq] = true
				pos = c.Seq
			}
		}
		all, err := db.ChangesSince(ctx, start, 100000)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range all {
			if !seen[c.Seq] {
				t.Fatalf("the reader skipped change %d (%s %s), committed after a later one", c.Seq, c.Kind, c.ID)
			}
		}
		if len(all) < writers*each/2 {
			t.Fatalf("%d changes for %d writes", len(all), writers*each)
		}
	})
}
