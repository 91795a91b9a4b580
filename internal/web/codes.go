package web

import (
	"context"
	"net/http"
	"time"

	"outbreak/internal/codes"
	"outbreak/internal/errs"
	"outbreak/internal/risk"
	"outbreak/internal/trace"
)

// Codes is what the API needs of the health codes, which it reads from the
// store, so that every replica answers the same.
type Codes interface {
	// Code returns a resident's stored code (Unavailable before the codes
	// were first computed).
	Code(ctx context.Context, person string) (codes.Stored, error)
	// Chains returns the clusters of linked cases as last stored.
	Chains(ctx context.Context) ([]trace.Cluster, error)
	// Exposures traces one case as of at (NotFound: no such case).
	Exposures(ctx context.Context, caseID string, at time.Time) ([]trace.Exposure, error)
	// Policy returns the running policy.
	Policy(ctx context.Context) (*risk.Policy, error)
	// SetPolicy makes a policy the running one (Invalid: it does not
	// compile; the running one stays).
	SetPolicy(ctx context.Context, src []byte) (*risk.Policy, error)
	// WhatIf reports what a policy would change at an instant.
	WhatIf(ctx context.Context, src []byte, at time.Time) (risk.Report, error)
	// Status reports how far the stored codes follow the change feed.
	Status(ctx context.Context) (codes.Status, error)
	// Sync returns once the stored codes reflect every change committed
	// before the call.
	Sync(ctx context.Context) error
	// CodeChangesSince returns at most limit code changes after seq.
	CodeChangesSince(ctx context.Context, seq int64, limit int) ([]codes.Change, error)
}

// Tokens signs code tokens and draws them as QR codes.
type Tokens interface {
	// Sign signs a token of a resident's color, valid from now to expires.
	Sign(person, color string, now time.Time) (token string, expires time.Time, err error)
	// TrustListJSON returns the trust list checkpoints verify tokens
	// against.
	TrustListJSON() ([]byte, error)
	// QR draws a token as an image: format is "png" or "svg".
	QR(token, format string) ([]byte, error)
}

// HealthCode is a resident's code as the API shows it: the color, why, until
// when, as of when it was computed, a freshly signed token, and where to get
// it drawn as a QR code. Drawing a QR code costs a millisecond or more, far
// more than the rest, so the images have routes of their own.
type HealthCode struct {
	risk.Code
	AsOf    time.Time `json:"as_of"`
	Policy  string    `json:"policy,omitempty"`
	Token   string    `json:"token"`
	Expires time.Time `json:"expires"`
	QRPNG   string    `json:"qr_png"`
	QRSVG   string    `json:"qr_svg"`
}

// codeRoutes are the routes of health codes.
func (s *server) codeRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/people/{id}/code", id: "get_code", tag: "codes",
			summary: "Get a resident's stored health code with its reasons and a freshly signed token and QR code",
			status:  []int{http.StatusOK}, resp: "HealthCode", errors: []int{http.StatusServiceUnavailable}, handler: s.getCode},
		{method: "GET", path: "/api/v1/people/{id}/code.png", id: "get_code_png", tag: "codes",
			summary: "A resident's code as a QR code in a PNG image, holding a freshly signed token",
			status:  []int{http.StatusOK}, respType: "image/png", errors: []int{http.StatusServiceUnavailable}, handler: s.getCodeImage("png")},
		{method: "GET", path: "/api/v1/people/{id}/code.svg", id: "get_code_svg", tag: "codes",
			summary: "A resident's code as a QR code in an SVG image, holding a freshly signed token",
			status:  []int{http.StatusOK}, respType: "image/svg+xml", errors: []int{http.StatusServiceUnavailable}, handler: s.getCodeImage("svg")},
		{method: "GET", path: "/api/v1/trust-list", id: "trust_list", tag: "codes",
			summary: "The public keys that verify code tokens, for checkpoints to cache",
			status:  []int{http.StatusOK}, resp: "TrustList", handler: s.trustList},
		{method: "GET", path: "/api/v1/code-changes", id: "list_code_changes", tag: "codes",
			summary: "The log of color changes, oldest first, a page at a time",
			query:   pageParams, status: []int{http.StatusOK}, resp: "CodeChangePage", handler: s.codeChanges},
		{method: "GET", path: "/api/v1/codes/status", id: "codes_status", tag: "codes",
			summary: "How far the stored codes follow the change feed, and which process keeps them",
			status:  []int{http.StatusOK}, resp: "CodesStatus", handler: s.codesStatus},
		{method: "POST", path: "/api/v1/codes/sync", id: "codes_sync", tag: "codes",
			summary: "Wait (up to 30 s) until the stored codes reflect every change committed before the call",
			status:  []int{http.StatusOK}, resp: "CodesStatus", errors: []int{http.StatusServiceUnavailable}, handler: s.codesSync},
	}
}

// codesReady checks that the server keeps codes and, if tokens, signs them.
func (s *server) codesReady(w http.ResponseWriter, r *http.Request, tokens bool) bool {
	if s.codes == nil || tokens && s.tokens == nil {
		s.problem(w, r, errs.E(errs.Unavailable, "this server does not keep health codes"))
		return false
	}
	return true
}

// code returns the code of the resident in the path and a token for it.
func (s *server) code(r *http.Request) (codes.Stored, string, time.Time, error) {
	person := r.PathValue("id")
	if err := s.store.ResidentKnown(r.Context(), person); err != nil {
		return codes.Stored{}, "", time.Time{}, err
	}
	c, err := s.codes.Code(r.Context(), person)
	if err != nil {
		return c, "", time.Time{}, err
	}
	token, expires, err := s.tokens.Sign(person, c.Color, s.now())
	return c, token, expires, err
}

func (s *server) getCode(w http.ResponseWriter, r *http.Request) {
	if !s.codesReady(w, r, true) {
		return
	}
	c, token, expires, err := s.code(r)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	base := itemPath("people", r.PathValue("id")) + "/code"
	w.Header().Set("Cache-Control", "no-store")
	s.json(w, r, http.StatusOK, HealthCode{Code: c.Code, AsOf: c.AsOf, Policy: c.Policy, Token: token, Expires: expires,
		QRPNG: base + ".png", QRSVG: base + ".svg"})
}

// getCodeImage draws a resident's code, with a fresh token, as an image.
func (s *server) getCodeImage(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.codesReady(w, r, true) {
			return
		}
		_, token, _, err := s.code(r)
		var img []byte
		if err == nil {
			img, err = s.tokens.QR(token, format)
		}
		if err != nil {
			s.problem(w, r, err)
			return
		}
		w.Header().Set("Content-Type", map[string]string{"png": "image/png", "svg": "image/svg+xml"}[format])
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(img)
	}
}

func (s *server) trustList(w http.ResponseWriter, r *http.Request) {
	if !s.codesReady(w, r, true) {
		return
	}
	body, err := s.tokens.TrustListJSON()
	if err != nil {
		s.problem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", jsonType)
	w.Header().Set("Cache-Control", "max-age=300")
	_, _ = w.Write(body)
}

func (s *server) codeChanges(w http.ResponseWriter, r *http.Request) {
	if !s.codesReady(w, r, false) {
		return
	}
	_, p, err := checkQuery(r.URL.Query(), nil)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	after, err := seqCursor(p.After)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	items, err := s.codes.CodeChangesSince(r.Context(), after, p.Size()+1)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	page := Page[codes.Change]{Items: items}
	if len(items) > p.Size() {
		page.Items = items[:p.Size()]
		page.Next = makeSeqCursor(page.Items[len(page.Items)-1].Seq)
	}
	if page.Items == nil {
		page.Items = []codes.Change{}
	}
	s.json(w, r, http.StatusOK, page)
}

func (s *server) codesStatus(w http.ResponseWriter, r *http.Request) {
	if !s.codesReady(w, r, false) {
		return
	}
	st, err := s.codes.Status(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	s.json(w, r, http.StatusOK, st)
}

// syncWait bounds how long POST /api/v1/codes/sync waits.
const syncWait = 30 * time.Second

func (s *server) codesSync(w http.ResponseWriter, r *http.Request) {
	if !s.codesReady(w, r, false) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), syncWait)
	defer cancel()
	if err := s.codes.Sync(ctx); err != nil {
		if ctx.Err() != nil {
			err = errs.E(errs.Unavailable, "the codes did not catch up with the changes within %s; is a keeper running?", syncWait)
		}
		s.problem(w, r, err)
		return
	}
	st, err := s.codes.Status(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	s.json(w, r, http.StatusOK, st)
}
