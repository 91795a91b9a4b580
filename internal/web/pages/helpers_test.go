package pages

import (
	"context"
	"errors"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
	"outbreak/internal/sqlstore"
	"outbreak/internal/supply"
)

// t0 is the tests' "now".
var t0 = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

// pageTest is the pages on a real store, on a mux of their own, driven
// through httptest. The API server that mounts them in production adds its
// middleware; its own tests check that the pages pass through it.
type pageTest struct {
	t  *testing.T
	db *sqlstore.DB
	h  http.Handler
}

func newPages(t *testing.T, db *sqlstore.DB) *pageTest {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	now := func() time.Time { return t0 }
	mux := http.NewServeMux()
	New(Config{Store: db, Planner: supply.NewPlanner(db, now), Problem: plainProblem(t), Logger: log, Now: now}).Register(mux)
	return &pageTest{t: t, db: db, h: mux}
}

// plainProblem stands in for the API server's problem details, which
// these tests cannot reach without importing the package that mounts the
// pages: it answers with the status the server would give and the error's
// text, and reports internal errors, which no test here expects.
func plainProblem(t *testing.T) func(http.ResponseWriter, *http.Request, error) {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		status := errs.Status(err)
		if fe := (*FormError)(nil); errors.As(err, &fe) {
			status = http.StatusBadRequest
		} else if status >= 500 {
			t.Errorf("%s %s: %v", r.Method, r.URL, err)
		}
		http.Error(w, err.Error(), status)
	}
}

// do sends one request with body, a string or nil; headers come in name,
// value pairs.
func (a *pageTest) do(method, path string, body any, headers ...string) *httptest.ResponseRecorder {
	a.t.Helper()
	var r io.Reader
	if b, ok := body.(string); ok {
		r = strings.NewReader(b)
	}
	req := httptest.NewRequest(method, path, r)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	return rec
}

// form posts a form to the pages and returns the response.
func (a *pageTest) form(path string, values url.Values) *httptest.ResponseRecorder {
	a.t.Helper()
	return a.do("POST", path, values.Encode(), "Content-Type", "application/x-www-form-urlencoded")
}

// seedSupply stores depots dep1 (in Shanghai time) and dep2, vans at dep1,
// and stock and requests for the day after t0: food parcels for three
// homes in slots, and frozen vaccine for a clinic, which asks for more
// than there is.
func (a *pageTest) seedSupply() {
	a.t.Helper()
	ctx := context.Background()
	hours := func(h float64) record.Duration { return record.Duration(h * float64(time.Hour)) }
	importAll(a.t, ctx, a.db.ImportDepots, (*supply.Depot).Validate, []supply.Depot{
		{ID: "dep1", Name: "North depot", Lat: 23.15, Lon: 113.25, TimeZone: "Asia/Shanghai"},
		{ID: "dep2", Name: "South depot", Lat: 23.05, Lon: 113.2},
	})
	importAll(a.t, ctx, a.db.ImportVehicles, (*supply.Vehicle).Validate, []supply.Vehicle{
		{ID: "cold", Depot: "dep1", Ambient: 5, Frozen: 10, ShiftStart: hours(8), ShiftEnd: hours(18), MaxOut: hours(4)},
		{ID: "van", Depot: "dep1", Ambient: 20, ShiftStart: hours(8), ShiftEnd: hours(20)},
	})
	importAll(a.t, ctx, a.db.ImportLots, (*supply.Lot).Validate, []supply.Lot{
		{ID: "food1", Depot: "dep1", Item: "food", Temperature: supply.Ambient, Quantity: 10},
		{ID: "vax1", Depot: "dep1", Item: "vaccine", Lot: "L7", Expiry: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
			Temperature: supply.Frozen, Quantity: 8},
	})
	var reqs []supply.Request
	for i, p := range []string{"r1", "r2", "r3"} {
		reqs = append(reqs, supply.Request{ID: "home-" + p, Site: "Home of " + p, Kind: supply.Household,
			Lat: 23.1 + 0.01*float64(i), Lon: 113.22, Item: "food", Quantity: 1, Priority: 4,
			SlotFrom: time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC), SlotTo: time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC)})
	}
	reqs = append(reqs, supply.Request{ID: "clinic", Site: "Clinic", Kind: supply.VaccinationPoint,
		Lat: 23.12, Lon: 113.27, Item: "vaccine", Quantity: 10, Priority: 3})
	importAll(a.t, ctx, a.db.ImportRequests, (*supply.Request).Validate, reqs)
}

// importAll validates items, as the API and the importer do, and stores
// them.
func importAll[T any](t *testing.T, ctx context.Context, load func(context.Context, iter.Seq[T], record.Reject) (int, error),
	validate func(*T) error, items []T) {
	t.Helper()
	for i := range items {
		if err := validate(&items[i]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := load(ctx, slices.Values(items), record.Abort); err != nil {
		t.Fatal(err)
	}
}
