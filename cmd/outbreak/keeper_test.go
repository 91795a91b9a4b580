package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"outbreak/internal/sqlstore/pgtest"
)

// pgData makes a PostgreSQL database of its own and a data directory for
// its keys, and returns the environment that selects them.
func pgData(t *testing.T) map[string]string {
	t.Helper()
	url := pgtest.URL(t, func(url string) error {
		_, _, err := outbreak(t, nil, "migrate", "--data", t.TempDir(), "--db", url)
		return err
	})
	return map[string]string{"OUTBREAK_DB": url}
}

// TestReplicas runs two servers on one PostgreSQL database. A case stored
// through one reaches its contact's code on the other; the process that
// keeps the codes is killed with SIGKILL, and the survivor takes over and
// follows the next case.
func TestReplicas(t *testing.T) {
	t.Parallel()
	environ := pgData(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	smallCity(t, dir, data, environ)
	a := startServer(t, data, environ)
	keeper := a.sync().Keeper // a alone runs: it keeps the codes
	b := startServer(t, data, environ)
	if st := b.sync(); st.Keeper != keeper || keeper == "" {
		t.Fatalf("b sees %q keeping the codes, want %q", st.Keeper, keeper)
	}
	for _, p := range []string{"r3", "r4"} {
		a.must(http.StatusCreated, "POST", "/api/v1/people", map[string]string{"id": p, "home_region": "cn.p1"}, nil)
	}
	day := time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Hour)
	at := func(d time.Duration) string { return day.Add(d).Format(time.RFC3339) }
	// r1 and r2 meet at the noodle bar, r3 and r4 at the market.
	for _, v := range []map[string]string{
		{"person": "r1", "place": "v1", "check_in": at(0), "check_out": at(time.Hour)},
		{"person": "r2", "place": "v1", "check_in": at(0), "check_out": at(time.Hour)},
		{"person": "r3", "place": "v2", "check_in": at(2 * time.Hour), "check_out": at(3 * time.Hour)},
		{"person": "r4", "place": "v2", "check_in": at(2 * time.Hour), "check_out": at(3 * time.Hour)},
	} {
		a.must(http.StatusCreated, "POST", "/api/v1/visits", v, nil)
	}
	a.must(http.StatusCreated, "POST", "/api/v1/cases", map[string]string{"person": "r1", "onset": at(0)}, nil)
	b.sync()
	if c := b.color("r2"); c != "red" {
		t.Fatalf("r2, a close contact of a case stored through the other replica: %s", c)
	}
	a.kill()
	b.must(http.StatusCreated, "POST", "/api/v1/cases", map[string]string{"person": "r3", "onset": at(2 * time.Hour)}, nil)
	// b takes the lease once a's expires, and catches up.
	st := b.sync()
	if c := b.color("r4"); c != "red" {
		t.Fatalf("r4, a close contact of the case stored after the keeper died: %s", c)
	}
	if st.Keeper == keeper || st.Keeper == "" {
		t.Fatalf("after the keeper died, %q keeps the codes", st.Keeper)
	}
	b.stop()
	out, _, err := outbreak(t, environ, "codes", "check", "--data", data)
	if err != nil {
		t.Fatalf("codes check: %v\n%s", err, out)
	}
}

// TestKeeperKilled kills the server with SIGKILL again and again while
// check-ins and cases arrive, so that the keeper is killed in the middle of
// its work, on SQLite and on PostgreSQL: after the last restart the stored
// codes and their change log agree with a fresh computation.
func TestKeeperKilled(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		keeperKilled(t, nil)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		keeperKilled(t, pgData(t))
	})
}

func keeperKilled(t *testing.T, environ map[string]string) {
	testBinary(t)
	city, data := t.TempDir(), t.TempDir()
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -7)
	if _, _, err := outbreak(t, nil, "sim", "--people", "1500", "--days", "7", "--seed", "5", "--start", start.Format(time.DateOnly),
		"--out", city); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"regions", "region_levels", "places", "residents", "visits", "stays", "labs", "declarations", "cases"} {
		if _, _, err := outbreak(t, environ, "import", "--create", "--data", data, kind, filepath.Join(city, kind+".csv")); err != nil {
			t.Fatalf("import %s: %v", kind, err)
		}
	}
	people, places := column(t, city, "residents"), column(t, city, "places")
	ago := func(d time.Duration) time.Time { return time.Now().UTC().Add(-d).Truncate(time.Minute) }
	for round := range 5 {
		srv := startServer(t, data, environ)
		var stop atomic.Bool
		var wg sync.WaitGroup
		var stored atomic.Int64
		going := make(chan struct{}) // closed once the keeper has changes to follow
		var once sync.Once
		for w := range 4 {
			rng := rand.New(rand.NewPCG(uint64(round), uint64(w)))
			wg.Go(func() {
				for i := 0; !stop.Load(); i++ {
					in := ago(time.Duration(1+rng.IntN(72*60)) * time.Minute)
					body := map[string]string{"person": people[rng.IntN(len(people))], "place": places[rng.IntN(len(places))],
						"check_in": in.Format(time.RFC3339), "check_out": in.Add(time.Duration(15+rng.IntN(90)) * time.Minute).Format(time.RFC3339)}
					path := "/api/v1/visits"
					if w == 0 && i%10 == 0 {
						body = map[string]string{"id": fmt.Sprintf("k%d-%d", round, i), "person": people[rng.IntN(len(people))], "onset": in.Format(time.RFC3339)}
						path = "/api/v1/cases"
					}
					if srv.call("POST", path, body, nil) == http.StatusCreated && stored.Add(1) == 50 {
						once.Do(func() { close(going) })
					}
				}
			})
		}
		// Kill a moment into the keeper's work: 0 to 400 ms after the
		// 50th record.
		select {
		case <-going:
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: fewer than 50 records stored in 30 s", round)
		}
		<-time.After(time.Duration(round*100) * time.Millisecond)
		srv.kill()
		stop.Store(true)
		wg.Wait()
	}
	srv := startServer(t, data, environ)
	srv.sync()
	srv.stop()
	out, _, err := outbreak(t, environ, "codes", "check", "--data", data)
	if err != nil {
		t.Fatalf("codes check after five kills: %v\n%s", err, out)
	}
	if !strings.Contains(out, "agree") {
		t.Fatalf("codes check: %s", out)
	}
	t.Log(out)
}

// column returns the IDs of a sim file.
func column(t *testing.T, dir, kind string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, kind+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, row := range readCSV(t, string(b)) {
		ids = append(ids, row["id"])
	}
	return ids
}
