package web

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"outbreak/internal/codes"
	"outbreak/internal/credential"
	"outbreak/internal/risk"
	"outbreak/internal/trace"
)

// newCodesAPI is a server that keeps codes on a real store, with a keeper
// running and a clock the test moves.
func newCodesAPI(t *testing.T, now *time.Time) (*apiTest, *credential.Keyring) {
	t.Helper()
	db := openSQLite(t)
	clock := func() time.Time { return *now }
	ring, err := credential.OpenKeyring(t.TempDir(), clock)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	keeper := codes.NewKeeper(codes.Config{Store: db, Logger: log, Now: clock, Workers: 2})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { keeper.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	reg := prometheus.NewRegistry()
	srv := newServer(Config{Store: db, Logger: log, Now: clock, Registry: reg,
		Codes: codes.NewService(db, keeper, 2), Tokens: ring})
	return &apiTest{t: t, db: db, srv: srv, reg: reg}, ring
}

// sync waits for the keeper to apply every change stored so far.
func (a *apiTest) sync() codes.Status {
	a.t.Helper()
	return want[codes.Status](a.t, a.do("POST", "/api/v1/codes/sync", nil), http.StatusOK)
}

func TestCodes(t *testing.T) {
	t.Parallel()
	now := t0.Add(72 * time.Hour)
	a, ring := newCodesAPI(t, &now)
	a.seed()
	code := func(person string) HealthCode {
		rec := a.do("GET", "/api/v1/people/"+person+"/code", nil)
		if rec.Code == http.StatusServiceUnavailable {
			return HealthCode{}
		}
		return want[HealthCode](t, rec, http.StatusOK)
	}
	a.sync()
	if c := code("r1"); c.Color != "green" || c.AsOf.IsZero() {
		t.Fatalf("r1 before any record: %+v", c)
	}

	// r1 and r2 share the noodle bar for an hour; r3 meets r2 at the market
	// the next day; then r1 is confirmed.
	for _, v := range []obj{
		{"person": "r1", "place": "v1", "check_in": ts(0), "check_out": ts(time.Hour)},
		{"person": "r2", "place": "v1", "check_in": ts(10 * time.Minute), "check_out": ts(70 * time.Minute)},
		{"person": "r2", "place": "v2", "check_in": ts(24 * time.Hour), "check_out": ts(25 * time.Hour)},
		{"person": "r3", "place": "v2", "check_in": ts(24 * time.Hour), "check_out": ts(26 * time.Hour)},
	} {
		want[obj](t, a.do("POST", "/api/v1/visits", v), http.StatusCreated)
	}
	want[obj](t, a.do("POST", "/api/v1/cases", obj{"person": "r1", "onset": ts(24 * time.Hour)}), http.StatusCreated)
	if st := a.sync(); st.Behind != 0 || st.Position.Seq != st.Head || st.Keeper == "" {
		t.Fatalf("status after a sync: %+v", st)
	}
	c := code("r2")
	if len(c.Reasons) != 1 || c.Reasons[0].Rule != "close-contact" || c.Reasons[0].Case != "r1" || c.Reasons[0].Place != "v1" ||
		!c.ValidUntil.Equal(t0.Add(time.Hour+14*24*time.Hour)) {
		t.Fatalf("r2's code: %+v", c)
	}
	if c.QRPNG != "/api/v1/people/r2/code.png" || !c.Expires.Equal(now.Add(credential.DefaultLifetime)) {
		t.Fatalf("links and expiry: %+v", c)
	}
	if r := credential.Verify(c.Token, ring.TrustList(), now); r.Status != credential.Valid || r.Claims.Color != "red" || r.Claims.Subject != "r2" {
		t.Fatalf("the token: %+v", r)
	}
	if got := code("r3"); got.Color != "yellow" || got.Reasons[0].Via != "r2" {
		t.Fatalf("r3, a secondary contact: %+v", got)
	}
	if got := code("r1"); got.Color != "red" || got.Reasons[0].Rule != "active-case" {
		t.Fatalf("r1, the case: %+v", got)
	}
	problemOK(t, a.do("GET", "/api/v1/people/nobody/code", nil), http.StatusNotFound)

	// An approved appeal makes r3 green until it expires.
	want[obj](t, a.do("POST", "/api/v1/appeals", obj{"id": "a1", "person": "r3", "status": "approved", "color": "green",
		"decided": now.Format(time.RFC3339), "expires": now.Add(24 * time.Hour).Format(time.RFC3339)}), http.StatusCreated)
	a.sync()
	if got := code("r3"); got.Color != "green" {
		t.Fatalf("r3 after an approved appeal: %+v", got)
	}

	// The images hold fresh tokens.
	rec := a.do("GET", "/api/v1/people/r2/code.svg", nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(rec.Body.String(), "<svg") {
		t.Fatalf("code.svg: %d %s", rec.Code, rec.Header())
	}
	trust := want[credential.TrustList](t, a.do("GET", "/api/v1/trust-list", nil), http.StatusOK)
	if len(trust.Keys) != 1 || trust.Keys[0].Alg != "ES256" {
		t.Fatalf("trust list: %+v", trust)
	}

	// Tracing one case, a page at a time, and the chains (one case: no
	// cluster yet).
	es := want[Page[trace.Exposure]](t, a.do("GET", "/api/v1/cases/r1/exposures", nil), http.StatusOK)
	if len(es.Items) != 2 || es.Items[0].Person != "r2" || es.Items[1].Person != "r3" || es.Items[1].Degree != 2 || es.Next != "" {
		t.Fatalf("exposures of r1: %+v", es)
	}
	first := want[Page[trace.Exposure]](t, a.do("GET", "/api/v1/cases/r1/exposures?limit=1", nil), http.StatusOK)
	second := want[Page[trace.Exposure]](t, a.do("GET", "/api/v1/cases/r1/exposures?limit=1&after="+first.Next, nil), http.StatusOK)
	if len(first.Items) != 1 || first.Next == "" || len(second.Items) != 1 || second.Items[0] != es.Items[1] || second.Next != "" {
		t.Fatalf("pages of one: %+v then %+v", first, second)
	}
	wantField(t, problemOK(t, a.do("GET", "/api/v1/cases/r1/exposures?after=nonsense", nil), http.StatusBadRequest), "after")
	problemOK(t, a.do("GET", "/api/v1/cases/nobody/exposures", nil), http.StatusNotFound)
	if close := want[Page[trace.Exposure]](t, a.do("GET", "/api/v1/cases/r1/exposures?degree=1", nil), http.StatusOK); len(close.Items) != 1 {
		t.Fatalf("close contacts of r1: %+v", close.Items)
	}
	wantField(t, problemOK(t, a.do("GET", "/api/v1/cases/r1/exposures?degree=3", nil), http.StatusUnprocessableEntity), "degree")
	want[clusterList](t, a.do("GET", "/api/v1/chains", nil), http.StatusOK)

	// The log of color changes: r1, r2 and r3 changed, r3 twice.
	log := want[Page[codes.Change]](t, a.do("GET", "/api/v1/code-changes", nil), http.StatusOK)
	var moves []string
	for _, c := range log.Items {
		moves = append(moves, c.Person+":"+c.From+">"+c.To)
	}
	slices.Sort(moves)
	if diff := cmp.Diff([]string{"r1:green>red", "r2:green>red", "r3:green>yellow", "r3:yellow>green"}, moves); diff != "" {
		t.Fatalf("code changes (-want +got):\n%s", diff)
	}
	wantField(t, problemOK(t, a.do("GET", "/api/v1/code-changes?after=nonsense", nil), http.StatusBadRequest), "after")

	// A policy that does not compile is refused with its position; the
	// running one stays.
	bad := strings.Replace(string(risk.DefaultSource()), "e.end + duration", "e.finish + duration", 1)
	p := problemOK(t, a.do("PUT", "/api/v1/policy", bad, "Content-Type", yamlType), http.StatusUnprocessableEntity)
	if !strings.Contains(p.Detail, "policy.yaml:") || !strings.Contains(p.Detail, "finish") {
		t.Fatalf("bad policy: %+v", p)
	}
	// What if close contacts were yellow?
	milder := strings.Replace(string(risk.DefaultSource()), "- id: close-contact\n    color: red", "- id: close-contact\n    color: yellow", 1)
	report := want[risk.Report](t, a.do("POST", "/api/v1/policy/what-if", milder, "Content-Type", yamlType), http.StatusOK)
	if report.Total != 5 || report.Changed != 1 || report.Transitions[0].From != "red" || report.Transitions[0].To != "yellow" {
		t.Fatalf("what-if: %+v", report)
	}
	if code("r2").Color != "red" {
		t.Fatal("what-if applied the policy")
	}
	info := want[policyInfo](t, a.do("PUT", "/api/v1/policy", milder, "Content-Type", yamlType), http.StatusOK)
	if !strings.HasPrefix(info.Hash, "sha256:") {
		t.Fatalf("policy info: %+v", info)
	}
	a.sync()
	if got := code("r2"); got.Color != "yellow" || got.Policy != info.Hash {
		t.Fatalf("r2 under the new policy: %+v", got)
	}
}
