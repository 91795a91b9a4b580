package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"outbreak/internal/sqlstore/pgtest"
)

// TestKillDuringIngest kills the server with SIGKILL while check-ins and
// batch ingests are in flight, and checks that every visit the server
// acknowledged is there after a restart, on SQLite and on PostgreSQL.
func TestKillDuringIngest(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { killDuringIngest(t, nil) })
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.URL(t, func(url string) error {
			_, _, err := outbreak(t, nil, "migrate", "--data", t.TempDir(), "--db", url)
			return err
		})
		killDuringIngest(t, map[string]string{"OUTBREAK_DB": url})
	})
}

// killDuringIngest runs the server binary in environ (plus the process's).
func killDuringIngest(t *testing.T, environ map[string]string) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	smallCity(t, dir, data, environ)
	srv := startServer(t, data, environ)
	url := srv.url

	// Every visit gets a unique check-in instant, its identity across the restart.
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var next atomic.Int64
	instant := func() string { return base.Add(time.Duration(next.Add(1)) * time.Millisecond).Format(time.RFC3339Nano) }
	var mu sync.Mutex
	acked := map[string]bool{}
	ack := func(at ...string) {
		mu.Lock()
		for _, a := range at {
			acked[a] = true
		}
		mu.Unlock()
	}
	client := &http.Client{Timeout: 5 * time.Second}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for !stop.Load() {
				if w%2 == 0 {
					at := instant()
					body := fmt.Sprintf(`{"person":"r%d","place":"v1","check_in":%q}`, 1+w%2, at)
					resp, err := client.Post(url+"/api/v1/visits", "application/json", strings.NewReader(body))
					if err != nil {
						return
					}
					resp.Body.Close()
					if resp.StatusCode == http.StatusCreated {
						ack(at)
					}
					continue
				}
				var nd bytes.Buffer
				var ats []string
				for range 50 {
					at := instant()
					ats = append(ats, at)
					fmt.Fprintf(&nd, `{"person":"r2","place":"v2","check_in":%q}`+"\n", at)
				}
				resp, err := client.Post(url+"/api/v1/visits/batch", "application/x-ndjson", &nd)
				if err != nil {
					return
				}
				var res struct {
					Results []struct {
						Error any `json:"error"`
					} `json:"results"`
				}
				err = json.NewDecoder(resp.Body).Decode(&res)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK || len(res.Results) != len(ats) {
					continue
				}
				for i, r := range res.Results {
					if r.Error == nil {
						ack(ats[i])
					}
				}
			}
		})
	}
	// Let the writers get going, then kill the server mid-stream.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 20000 || time.Now().After(deadline) {
			break
		}
	}
	srv.kill()
	stop.Store(true)
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("the server acknowledged no visit before it was killed")
	}

	csv, _, err := outbreak(t, environ, "export", "--data", data, "visits")
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, row := range strings.Split(strings.TrimSpace(csv), "\n")[1:] {
		f := strings.Split(row, ",")
		at, _ := time.Parse(time.RFC3339Nano, f[2])
		stored[at.Format(time.RFC3339Nano)] = true
	}
	lost := 0
	for at := range acked {
		if !stored[at] {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d acknowledged visits lost after SIGKILL", lost, len(acked))
	}
	t.Logf("%d acknowledged visits, %d stored, none lost", len(acked), len(stored))
}
