package codes

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"outbreak/internal/approval"
	"outbreak/internal/cases"
	"outbreak/internal/lab"
	"outbreak/internal/place"
	"outbreak/internal/risk"
	"outbreak/internal/seal"
	"outbreak/internal/sqlstore"
	"outbreak/internal/trace/tracetest"
	"outbreak/internal/visit"
)

func openStore(t *testing.T) *sqlstore.DB {
	t.Helper()
	dir := t.TempDir()
	ring, err := seal.Open(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlstore.Open(context.Background(), sqlstore.Config{Dir: dir, Sealer: ring})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// world is a random city with every kind of fact a code depends on.
type world struct {
	tracetest.City
	levels  []place.Level
	stays   []visit.Stay
	tests   []lab.Result
	decls   []lab.Declaration
	appeals []approval.Appeal
}

func randomWorld(seed uint64) world {
	w := world{City: tracetest.Random(seed)}
	w.Now = tracetest.T0.Add(4 * 24 * time.Hour)
	// Check-outs are recorded when they happen, not ahead.
	for i := range w.Visits {
		if w.Visits[i].CheckOut.After(w.Now) {
			w.Visits[i].CheckOut = time.Time{}
		}
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	at := func() time.Time { return tracetest.T0.Add(time.Duration(rng.IntN(4*24*4)) * 15 * time.Minute) }
	for _, lvl := range []string{"medium", "high"} {
		from := at()
		w.levels = append(w.levels, place.Level{Region: "r", Level: lvl, From: from, To: from.Add(time.Duration(1+rng.IntN(12)) * time.Hour)})
	}
	for _, r := range w.Residents {
		switch rng.IntN(4) {
		case 0:
			from := at()
			s := visit.Stay{Person: r.ID, Region: "r", From: from, To: from.Add(time.Duration(rng.IntN(20)) * time.Hour)}
			if s.To.After(w.Now) {
				s.To = w.Now
			}
			w.stays = append(w.stays, s)
		case 1:
			d := at()
			w.decls = append(w.decls, lab.Declaration{Person: r.ID, DeclaredAt: d, Symptoms: []string{"cough"}})
			if rng.IntN(2) == 0 {
				w.tests = append(w.tests, lab.Result{Person: r.ID, SpecimenAt: d.Add(time.Hour), Result: lab.Negative, TestType: "pcr"})
			}
		case 2:
			d := at()
			w.appeals = append(w.appeals, approval.Appeal{ID: "a-" + r.ID, Person: r.ID, Status: approval.Approved,
				Color: []string{"green", "yellow"}[rng.IntN(2)], Decided: d, Expires: d.Add(time.Duration(1+rng.IntN(96)) * time.Hour)})
		}
	}
	return w
}

// fullCodes computes every code afresh, as a restart would.
func fullCodes(t *testing.T, db Store, now time.Time) map[string]risk.Code {
	t.Helper()
	ctx := context.Background()
	snap, err := Load(ctx, db, risk.Default().Rules(), now, 2)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]risk.Code{}
	err = snap.Evaluate(ctx, db, risk.Default(), func(_ string, c risk.Code) error {
		if c.Color != "green" || len(c.Reasons) > 0 {
			out[c.Person] = c
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (k *Keeper) snapshotCodes() map[string]risk.Code {
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := map[string]risk.Code{}
	for p, c := range k.st.codes {
		if c.Color != "green" || len(c.Reasons) > 0 {
			out[p] = c
		}
	}
	return out
}

// TestKeeperFollowsChanges starts a keeper on part of a city, stores the
// rest one record at a time as the API would, and checks after each batch
// and as time passes that the keeper's codes equal codes computed afresh.
func TestKeeperFollowsChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for seed := range uint64(24) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			w := randomWorld(seed)
			db := openStore(t)
			must := func(_ int, err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(db.ImportRegions(ctx, slices.Values([]place.Region{w.Region}), nil))
			must(db.ImportPlaces(ctx, slices.Values(w.Places), nil))
			must(db.ImportResidents(ctx, slices.Values(w.Residents), nil))
			half := len(w.Visits) / 2
			must(db.ImportVisits(ctx, slices.Values(w.Visits[:half]), nil))
			now := w.Now
			k := NewKeeper(Config{Store: db, Engine: risk.NewEngine(nil), Now: func() time.Time { return now }, Workers: 2})
			if err := k.build(ctx); err != nil {
				t.Fatal(err)
			}
			// Store the rest in batches, telling the keeper as the API does.
			var batch []any
			flush := func(what string) {
				if err := k.apply(ctx, batch); err != nil {
					t.Fatal(err)
				}
				batch = nil
				if diff := cmp.Diff(fullCodes(t, db, now), k.snapshotCodes(), cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("after %s, the keeper differs from a fresh computation (-fresh +keeper):\n%s", what, diff)
				}
			}
			for _, c := range w.Cases {
				must(db.ImportCases(ctx, slices.Values([]cases.Case{c}), nil))
				batch = append(batch, c)
			}
			flush("cases")
			for _, v := range w.Visits[half:] {
				stored, err := db.AddVisit(ctx, v)
				if err != nil {
					t.Fatal(err)
				}
				batch = append(batch, stored)
			}
			flush("visits")
			for _, l := range w.levels {
				stored, err := db.AddLevel(ctx, l)
				if err != nil {
					t.Fatal(err)
				}
				batch = append(batch, stored)
			}
			flush("region levels")
			for _, s := range w.stays {
				batch = append(batch, s)
			}
			must(db.ImportStays(ctx, slices.Values(w.stays), nil))
			for _, d := range w.decls {
				batch = append(batch, d)
			}
			must(db.ImportDeclarations(ctx, slices.Values(w.decls), nil))
			for _, r := range w.tests {
				batch = append(batch, r)
			}
			must(db.ImportResults(ctx, slices.Values(w.tests), nil))
			for _, a := range w.appeals {
				batch = append(batch, a)
			}
			must(db.ImportAppeals(ctx, slices.Values(w.appeals), nil))
			flush("stays, declarations, tests and appeals")
			// Time alone: each step wakes the codes that are due.
			for range 12 {
				now = now.Add(29 * time.Hour)
				if err := k.expire(ctx); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(fullCodes(t, db, now), k.snapshotCodes(), cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("at %v, the keeper differs from a fresh computation (-fresh +keeper):\n%s", now, diff)
				}
			}
		})
	}
}
