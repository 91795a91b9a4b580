package codes_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"outbreak/internal/approval"
	"outbreak/internal/cases"
	"outbreak/internal/codes"
	"outbreak/internal/lab"
	"outbreak/internal/place"
	"outbreak/internal/risk"
	"outbreak/internal/seal"
	"outbreak/internal/sqlstore"
	"outbreak/internal/trace/tracetest"
	"outbreak/internal/visit"
)

func openStore(t *testing.T, dir string) *sqlstore.DB {
	t.Helper()
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

// clock is a clock the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// runKeeper runs a keeper on db until the test ends.
func runKeeper(t *testing.T, db codes.Store, now func() time.Time, ttl time.Duration) *codes.Keeper {
	t.Helper()
	k := codes.NewKeeper(codes.Config{Store: db, Now: now, Workers: 2, LeaseTTL: ttl})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { k.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return k
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
	at := func() time.Time { return tracetest.T0.Add(time.Duration(rng.IntN(5*24*4)) * 15 * time.Minute) }
	for _, lvl := range []string{"medium", "high"} {
		from := at()
		w.levels = append(w.levels, place.Level{Region: "r", Level: lvl, From: from, To: from.Add(time.Duration(1+rng.IntN(12)) * time.Hour)})
	}
	for _, r := range w.Residents {
		switch rng.IntN(4) {
		case 0:
			from := at()
			s := visit.Stay{Person: r.ID, Region: "r", From: from}
			if rng.IntN(3) > 0 {
				s.To = from.Add(time.Duration(rng.IntN(20)) * time.Hour)
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

// policyWithDwell is the built-in policy with another default dwell.
func policyWithDwell(t *testing.T, dwell string) []byte {
	t.Helper()
	src := string(risk.DefaultSource())
	out := strings.Replace(src, "default_dwell: 30m", "default_dwell: "+dwell, 1)
	if out == src && dwell != "30m" {
		t.Fatal("the built-in policy has no default_dwell: 30m to replace")
	}
	return []byte(out)
}

// fresh computes every code afresh under a policy, as a restart would.
func fresh(t *testing.T, db codes.Records, p *risk.Policy, now time.Time) map[string]risk.Code {
	t.Helper()
	ctx := context.Background()
	snap, err := codes.Load(ctx, db, p.Rules(), now, 2)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]risk.Code{}
	err = snap.Evaluate(ctx, db, p, func(_ string, c risk.Code) error {
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

// stored reads every stored code.
func stored(t *testing.T, db codes.CodeStore) map[string]risk.Code {
	t.Helper()
	out := map[string]risk.Code{}
	err := db.EachStoredCode(context.Background(), func(c codes.Stored) error {
		out[c.Person] = c.Code
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// colors keeps the color of each code.
func colors(m map[string]risk.Code) map[string]string {
	out := map[string]string{}
	for p, c := range m {
		out[p] = c.Color
	}
	return out
}

// write is one write of the test's records through the store.
type write struct {
	what string
	do   func(ctx context.Context, db *sqlstore.DB) error
}

// writes returns every record of the world as writes, in a random order,
// through random paths: one at a time or in bulk; some visits stored
// without their check-out, which comes later.
func (w world) writes(rng *rand.Rand) []write {
	var out []write
	one := func(what string, do func(ctx context.Context, db *sqlstore.DB) error) {
		out = append(out, write{what, do})
	}
	for _, c := range w.Cases {
		one("case "+c.ID, func(ctx context.Context, db *sqlstore.DB) error {
			_, err := db.ImportCases(ctx, slices.Values([]cases.Case{c}), nil)
			return err
		})
	}
	for i, v := range w.Visits {
		later := !v.CheckOut.IsZero() && rng.IntN(2) == 0
		bulk := rng.IntN(3) == 0
		one(fmt.Sprintf("visit %d", i), func(ctx context.Context, db *sqlstore.DB) error {
			in := v
			if later {
				in.CheckOut = time.Time{}
			}
			if bulk {
				_, err := db.ImportVisits(ctx, slices.Values([]visit.Visit{in}), nil)
				return err
			}
			_, _, err := db.AddVisit(ctx, in)
			return err
		})
		if later {
			one(fmt.Sprintf("check-out of visit %d", i), func(ctx context.Context, db *sqlstore.DB) error {
				page, _, err := db.Visits(ctx, visit.Filter{Person: v.Person, Place: v.Place, From: v.CheckIn, To: v.CheckIn.Add(time.Microsecond)})
				if err != nil {
					return err
				}
				for _, s := range page {
					if s.CheckOut.IsZero() {
						_, err := db.CheckOut(ctx, s.ID, v.CheckOut)
						return err
					}
				}
				return fmt.Errorf("visit %d is not stored without a check-out", i)
			})
		}
	}
	for _, l := range w.levels {
		one("level", func(ctx context.Context, db *sqlstore.DB) error { _, err := db.AddLevel(ctx, l); return err })
	}
	for _, s := range w.stays {
		one("stay", func(ctx context.Context, db *sqlstore.DB) error { _, err := db.AddStay(ctx, s); return err })
	}
	for _, d := range w.decls {
		one("declaration", func(ctx context.Context, db *sqlstore.DB) error {
			_, err := db.ImportDeclarations(ctx, slices.Values([]lab.Declaration{d}), nil)
			return err
		})
	}
	for _, r := range w.tests {
		one("test", func(ctx context.Context, db *sqlstore.DB) error { _, err := db.AddResult(ctx, r); return err })
	}
	for _, a := range w.appeals {
		one("appeal", func(ctx context.Context, db *sqlstore.DB) error {
			_, err := db.ImportAppeals(ctx, slices.Values([]approval.Appeal{a}), nil)
			return err
		})
	}
	// A check-out comes after its visit: shuffle, then move each check-out
	// after the visit it closes.
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	for i := 0; i < len(out); i++ {
		if !strings.HasPrefix(out[i].what, "check-out of ") {
			continue
		}
		v := strings.TrimPrefix(out[i].what, "check-out of ")
		if j := slices.IndexFunc(out, func(x write) bool { return x.what == v }); j > i {
			c := out[i]
			out = slices.Insert(slices.Delete(out, i, i+1), j, c)
			i--
		}
	}
	return out
}

// inProgress reports whether a visit is under way at now (its end grows
// with time), so that exposures to it end at now in a fresh computation.
func (w world) inProgress(now time.Time, dwell time.Duration) bool {
	places := map[string]time.Duration{}
	for _, p := range w.Places {
		places[p.ID] = time.Duration(p.DefaultDwell)
	}
	for _, v := range w.Visits {
		d := places[v.Place]
		if d == 0 {
			d = dwell
		}
		end := v.CheckIn.Add(d)
		if !v.CheckOut.IsZero() {
			end = v.CheckOut
		}
		if !v.CheckIn.After(now) && end.After(now) {
			return true
		}
	}
	for _, s := range w.stays {
		if !s.From.After(now) && (s.To.IsZero() || s.To.After(now)) {
			return true
		}
	}
	return false
}

// TestKeeperFollowsTheFeed stores a random city's records one batch at a
// time, in a random order and through every write path, under policies
// whose default dwell is 30 minutes, 48 hours and 96 hours, and checks after
// each batch that the stored codes equal codes computed afresh; then it
// moves the clock and checks again: colors always, everything when no visit
// or stay is under way (whose end, and so the end of the reasons it gives,
// grows with time in a fresh computation).
func TestKeeperFollowsTheFeed(t *testing.T) {
	t.Parallel()
	seeds := uint64(16)
	if testing.Short() {
		seeds = 4 // the race detector's run, ten times slower
	}
	for _, dwell := range []string{"30m", "48h", "96h"} {
		for seed := range seeds {
			t.Run(fmt.Sprintf("%s/%d", dwell, seed), func(t *testing.T) {
				t.Parallel()
				followCity(t, seed, dwell)
			})
		}
	}
}

func followCity(t *testing.T, seed uint64, dwell string) {
	ctx := context.Background()
	w := randomWorld(seed)
	db := openStore(t, t.TempDir())
	src := policyWithDwell(t, dwell)
	policy, err := risk.Parse("policy.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SavePolicy(ctx, src, policy.Hash()); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		first(db.ImportRegions(ctx, slices.Values([]place.Region{w.Region}), nil)),
		first(db.ImportPlaces(ctx, slices.Values(w.Places), nil)),
		first(db.ImportResidents(ctx, slices.Values(w.Residents), nil)),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	clk := &clock{t: w.Now}
	k := runKeeper(t, db, clk.now, 0)
	rng := rand.New(rand.NewPCG(seed, 11))
	ws := w.writes(rng)
	check := func(what string, full bool) {
		t.Helper()
		if err := k.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		want, got := fresh(t, db, policy, clk.now()), stored(t, db)
		if !full {
			want, got := colors(want), colors(got)
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("%s: stored colors differ from a fresh computation (-fresh +stored):\n%s", what, diff)
			}
			return
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("%s: stored codes differ from a fresh computation (-fresh +stored):\n%s", what, diff)
		}
	}
	check("before any record", true)
	for i := 0; i < len(ws); {
		n := 1 + rng.IntN(8)
		var what []string
		for _, x := range ws[i:min(i+n, len(ws))] {
			if err := x.do(ctx, db); err != nil {
				t.Fatalf("%s: %v", x.what, err)
			}
			what = append(what, x.what)
		}
		i += n
		check("after "+strings.Join(what, ", "), true)
	}
	d, _ := time.ParseDuration(dwell)
	for range 16 {
		clk.set(clk.now().Add(time.Duration(1+rng.IntN(29)) * time.Hour))
		check(fmt.Sprintf("at %v", clk.now()), !w.inProgress(clk.now(), d))
	}
}

func first(_ int, err error) error { return err }

// check runs codes.Check: the stored codes equal codes computed afresh as
// of the keeper's position, and the code-change log agrees with them.
func check(t *testing.T, db codes.Store) {
	t.Helper()
	r, err := codes.Check(context.Background(), db, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Differences) > 0 {
		t.Fatalf("the stored codes and their log differ from a fresh computation:\n%s", strings.Join(r.Differences, "\n"))
	}
	if r.Stored != r.Fresh {
		t.Fatalf("check: %+v", r)
	}
}

// TestKeeperResumes stops a keeper, stores more records, and starts another
// on the same store: it takes up from the stored position, and the stored
// codes and their change log agree with a fresh computation.
func TestKeeperResumes(t *testing.T) {
	t.Parallel()
	for seed := range uint64(6) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			w := randomWorld(seed)
			db := openStore(t, t.TempDir())
			for _, err := range []error{
				first(db.ImportRegions(ctx, slices.Values([]place.Region{w.Region}), nil)),
				first(db.ImportPlaces(ctx, slices.Values(w.Places), nil)),
				first(db.ImportResidents(ctx, slices.Values(w.Residents), nil)),
			} {
				if err != nil {
					t.Fatal(err)
				}
			}
			clk := &clock{t: w.Now}
			ws := w.writes(rand.New(rand.NewPCG(seed, 3)))
			half := len(ws) / 2
			kctx, stop := context.WithCancel(ctx)
			a := codes.NewKeeper(codes.Config{Store: db, Now: clk.now, Workers: 2})
			done := make(chan struct{})
			go func() { a.Run(kctx); close(done) }()
			for _, x := range ws[:half] {
				if err := x.do(ctx, db); err != nil {
					t.Fatal(err)
				}
			}
			if err := a.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			stop()
			<-done
			for _, x := range ws[half:] {
				if err := x.do(ctx, db); err != nil {
					t.Fatal(err)
				}
			}
			clk.set(w.Now.Add(40 * 24 * time.Hour))
			b := runKeeper(t, db, clk.now, 0)
			if err := b.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(fresh(t, db, risk.Default(), clk.now()), stored(t, db), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("after a restart, stored codes differ from a fresh computation (-fresh +stored):\n%s", diff)
			}
			check(t, db)
			status, err := codes.NewService(db, b, 1).Status(ctx)
			if err != nil || status.Behind != 0 || status.Keeper != b.Holder() {
				t.Fatalf("status %+v, %v; want nothing behind and %s keeping", status, err, b.Holder())
			}
		})
	}
}

// TestKeepersTakeTurns runs two keepers on one store, as two replicas do:
// one keeps the codes; when it stops, the other takes over and follows the
// next records from where the first left off.
func TestKeepersTakeTurns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := randomWorld(5)
	dir := t.TempDir()
	one, two := openStore(t, dir), openStore(t, dir)
	for _, err := range []error{
		first(one.ImportRegions(ctx, slices.Values([]place.Region{w.Region}), nil)),
		first(one.ImportPlaces(ctx, slices.Values(w.Places), nil)),
		first(one.ImportResidents(ctx, slices.Values(w.Residents), nil)),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	clk := &clock{t: w.Now}
	kctx, stop := context.WithCancel(ctx)
	a := codes.NewKeeper(codes.Config{Store: one, Now: clk.now, Workers: 1, LeaseTTL: 300 * time.Millisecond})
	done := make(chan struct{})
	go func() { a.Run(kctx); close(done) }()
	if err := a.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	b := runKeeper(t, two, clk.now, 300*time.Millisecond)
	ws := w.writes(rand.New(rand.NewPCG(5, 3)))
	half := len(ws) / 2
	for _, x := range ws[:half] {
		if err := x.do(ctx, two); err != nil {
			t.Fatal(err)
		}
	}
	// b syncs by waiting for the stored position, which a keeps.
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if holder, err := two.LeaseHolder(ctx, codes.LeaseName); err != nil || holder != a.Holder() {
		t.Fatalf("the lease is %q, %v; want %s", holder, err, a.Holder())
	}
	if diff := cmp.Diff(fresh(t, one, risk.Default(), clk.now()), stored(t, two), cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("with the first keeper (-fresh +stored):\n%s", diff)
	}
	stop()
	<-done
	for _, x := range ws[half:] {
		if err := x.do(ctx, two); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if holder, err := two.LeaseHolder(ctx, codes.LeaseName); err != nil || holder != b.Holder() {
		t.Fatalf("the lease is %q, %v; want %s", holder, err, b.Holder())
	}
	if diff := cmp.Diff(fresh(t, two, risk.Default(), clk.now()), stored(t, two), cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("after the second keeper took over (-fresh +stored):\n%s", diff)
	}
	check(t, two)
}
