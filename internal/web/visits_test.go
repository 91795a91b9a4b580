package web

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"outbreak/internal/sqlstore"
	"outbreak/internal/visit"
)

func TestCheckInOut(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *sqlstore.DB) {
		a := newAPI(t, db)
		a.seed()

		t.Run("check in now, then out", func(t *testing.T) {
			rec := a.do("POST", "/api/v1/visits", obj{"person": "r1", "place": "v1"})
			in := want[visit.Visit](t, rec, http.StatusCreated)
			if in.ID == "" || !in.CheckIn.Equal(t0) || !in.CheckOut.IsZero() {
				t.Fatalf("check-in %+v, want an id, check_in %v and no check_out", in, t0)
			}
			if loc := rec.Header().Get("Location"); loc != "/api/v1/visits/"+in.ID {
				t.Errorf("Location %q", loc)
			}
			got := want[visit.Visit](t, a.do("GET", "/api/v1/visits/"+in.ID, nil), http.StatusOK)
			if diff := cmp.Diff(in, got); diff != "" {
				t.Errorf("stored visit (-answered +got):\n%s", diff)
			}
			out := want[visit.Visit](t, a.do("POST", "/api/v1/visits/"+in.ID+"/check-out", obj{"at": ts(45 * time.Minute)}), http.StatusOK)
			if !out.CheckOut.Equal(t0.Add(45 * time.Minute)) {
				t.Errorf("check_out %v", out.CheckOut)
			}
			p := problemOK(t, a.do("POST", "/api/v1/visits/"+in.ID+"/check-out", nil), http.StatusConflict)
			if p.Type != problemPrefix+"conflict" {
				t.Errorf("second check-out: type %q", p.Type)
			}
		})

		t.Run("check in at a given time, check out now with an empty body", func(t *testing.T) {
			in := want[visit.Visit](t, a.do("POST", "/api/v1/visits", obj{"person": "r2", "place": "v2", "check_in": ts(-time.Hour)}), http.StatusCreated)
			if !in.CheckIn.Equal(t0.Add(-time.Hour)) {
				t.Fatalf("check_in %v", in.CheckIn)
			}
			out := want[visit.Visit](t, a.do("POST", "/api/v1/visits/"+in.ID+"/check-out", nil), http.StatusOK)
			if !out.CheckOut.Equal(t0) {
				t.Errorf("check_out %v, want now (%v)", out.CheckOut, t0)
			}
		})

		t.Run("?at= is now", func(t *testing.T) {
			in := want[visit.Visit](t, a.do("POST", "/api/v1/visits?at="+ts(2*time.Hour), obj{"person": "r3", "place": "v2"}), http.StatusCreated)
			if !in.CheckIn.Equal(t0.Add(2 * time.Hour)) {
				t.Errorf("check_in %v, want ?at=", in.CheckIn)
			}
			out := want[visit.Visit](t, a.do("POST", "/api/v1/visits/"+in.ID+"/check-out?at="+ts(3*time.Hour), nil), http.StatusOK)
			if !out.CheckOut.Equal(t0.Add(3 * time.Hour)) {
				t.Errorf("check_out %v, want ?at=", out.CheckOut)
			}
		})

		t.Run("check-in with both times", func(t *testing.T) {
			in := want[visit.Visit](t, a.do("POST", "/api/v1/visits", obj{"person": "r4", "place": "v1",
				"check_in": ts(-3 * time.Hour), "check_out": ts(-2 * time.Hour)}), http.StatusCreated)
			if !in.CheckOut.Equal(t0.Add(-2 * time.Hour)) {
				t.Errorf("check_out %v", in.CheckOut)
			}
		})

		open := want[visit.Visit](t, a.do("POST", "/api/v1/visits", obj{"person": "r5", "place": "v1"}), http.StatusCreated)
		bad := []struct {
			name, path string
			body       any
			field      string
		}{
			{"check_out before check_in", "/api/v1/visits", obj{"person": "r1", "place": "v1", "check_in": ts(0), "check_out": ts(-time.Minute)}, "check_out"},
			{"unknown person", "/api/v1/visits", obj{"person": "ghost", "place": "v1"}, "person"},
			{"unknown place", "/api/v1/visits", obj{"person": "r1", "place": "nowhere"}, "place"},
			{"no person", "/api/v1/visits", obj{"place": "v1"}, "person"},
			{"bad person id", "/api/v1/visits", obj{"person": "a b", "place": "v1"}, "person"},
			{"a visit of more than a week", "/api/v1/visits", obj{"person": "r1", "place": "v1", "check_in": ts(0), "check_out": ts(8 * 24 * time.Hour)}, "check_out"},
			{"check_in not a time", "/api/v1/visits", `{"person":"r1","place":"v1","check_in":"yesterday"}`, "check_in"},
			{"id in a check-in", "/api/v1/visits", obj{"id": "1", "person": "r1", "place": "v1"}, "id"},
			{"bad ?at=", "/api/v1/visits?at=soon", obj{"person": "r1", "place": "v1"}, "at"},
			{"check-out before check-in", "/api/v1/visits/" + open.ID + "/check-out", obj{"at": ts(-time.Minute)}, "at"},
			{"unknown field in check-out", "/api/v1/visits/" + open.ID + "/check-out", obj{"when": ts(0)}, "when"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				wantField(t, problemOK(t, a.do("POST", tt.path, tt.body), http.StatusUnprocessableEntity), tt.field)
			})
		}
		if got := want[visit.Visit](t, a.do("GET", "/api/v1/visits/"+open.ID, nil), http.StatusOK); !got.CheckOut.IsZero() {
			t.Errorf("a refused check-out changed the visit: %+v", got)
		}
	})
}

// TestConcurrentCheckIns checks that check-ins sharing a group commit each
// get their own ID and are all stored.
func TestConcurrentCheckIns(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, db *sqlstore.DB) {
		a := newAPI(t, db)
		a.seed()
		const n = 50
		ids := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				body := obj{"person": "r1", "place": "v1", "check_in": ts(time.Duration(i) * time.Minute)}
				if i%10 == 9 {
					body["person"] = "ghost" // refused alone, without holding the others back
				}
				rec := a.do("POST", "/api/v1/visits", body)
				if i%10 == 9 {
					if rec.Code != http.StatusUnprocessableEntity {
						t.Errorf("ghost check-in: status %d", rec.Code)
					}
					return
				}
				if rec.Code != http.StatusCreated {
					t.Errorf("check-in %d: status %d: %s", i, rec.Code, rec.Body)
					return
				}
				var v visit.Visit
				if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
					t.Errorf("check-in %d: %v", i, err)
				}
				ids[i] = v.ID
			})
		}
		wg.Wait()
		seen := map[string]bool{}
		for i, id := range ids {
			if i%10 == 9 {
				continue
			}
			if seen[id] {
				t.Errorf("id %s given twice", id)
			}
			seen[id] = true
		}
		if got := len(a.listAll("/api/v1/visits?person=r1", 7)); got != n-n/10 {
			t.Errorf("%d visits stored, want %d", got, n-n/10)
		}
	})
}
