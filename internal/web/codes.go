package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/risk"
	"outbreak/internal/trace"
)

// Codes is what the API needs of the health codes.
type Codes interface {
	// Code returns a resident's current code (Unavailable while the codes
	// are first computed).
	Code(person string) (risk.Code, error)
	// Chains returns the clusters of linked cases.
	Chains() ([]trace.Cluster, error)
	// Exposures traces one case as of at (NotFound: no such case).
	Exposures(ctx context.Context, caseID string, at time.Time) ([]trace.Exposure, error)
	// Policy returns the running policy.
	Policy() *risk.Policy
	// SetPolicy makes a policy the running one (Invalid: it does not
	// compile; the running one stays).
	SetPolicy(src []byte) error
	// WhatIf reports what a policy would change at an instant.
	WhatIf(ctx context.Context, src []byte, at time.Time) (risk.Report, error)
	// Stored learns of a record the API stored.
	Stored(item any)
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
// when, a freshly signed token, and where to get it drawn as a QR code.
// Drawing a QR code costs a millisecond or more, far more than the rest, so
// the images have routes of their own.
type HealthCode struct {
	risk.Code
	Token   string    `json:"token"`
	Expires time.Time `json:"expires"`
	QRPNG   string    `json:"qr_png"`
	QRSVG   string    `json:"qr_svg"`
}

// exposureList answers GET /api/v1/cases/{id}/exposures; clusterList GET
// /api/v1/chains. Both are computed whole, so they have no pages.
type exposureList struct {
	Items []trace.Exposure `json:"items"`
}

type clusterList struct {
	Items []trace.Cluster `json:"items"`
}

// policyInfo answers a change of policy.
type policyInfo struct {
	Hash  string   `json:"hash"`
	Rules []string `json:"rules"`
}

const yamlType = "application/yaml"

// codeRoutes are the routes of health codes, tracing and the policy.
func (s *server) codeRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/people/{id}/code", id: "get_code", tag: "codes",
			summary: "Get a resident's health code with its reasons and a freshly signed token and QR code",
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
		{method: "GET", path: "/api/v1/cases/{id}/exposures", id: "case_exposures", tag: "cases",
			summary: "Trace one case: its close (degree 1) and secondary (degree 2) contacts, one item per exposure interval",
			query:   []param{atParam, {"degree", integerParam, "1: close contacts only; 2: secondary contacts only"}},
			status:  []int{http.StatusOK}, resp: "ExposureList", handler: s.caseExposures},
		{method: "GET", path: "/api/v1/chains", id: "chains", tag: "cases",
			summary: "Clusters of cases linked through exposures, with the likely direction of transmission",
			status:  []int{http.StatusOK}, resp: "ClusterList", errors: []int{http.StatusServiceUnavailable}, handler: s.chains},
		{method: "GET", path: "/api/v1/policy", id: "get_policy", tag: "policy", summary: "The running health-code policy",
			status: []int{http.StatusOK}, respType: yamlType, handler: s.getPolicy},
		{method: "PUT", path: "/api/v1/policy", id: "set_policy", tag: "policy", body: "policy", bodyType: yamlType,
			summary: "Run a new policy and recompute every code; a policy that does not compile is refused and the running one stays",
			status:  []int{http.StatusOK}, resp: "PolicyInfo", handler: s.setPolicy},
		{method: "POST", path: "/api/v1/policy/what-if", id: "policy_what_if", tag: "policy", body: "policy", bodyType: yamlType,
			query:   []param{atParam},
			summary: "How many codes a policy would change, from which color to which, by region, without applying it",
			status:  []int{http.StatusOK}, resp: "WhatIf", handler: s.whatIf},
	}
}

// stored tells the codes of a record the API stored.
func (s *server) stored(item any) {
	if s.codes != nil {
		s.codes.Stored(item)
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
func (s *server) code(r *http.Request) (risk.Code, string, time.Time, error) {
	person := r.PathValue("id")
	if err := s.store.ResidentKnown(r.Context(), person); err != nil {
		return risk.Code{}, "", time.Time{}, err
	}
	c, err := s.codes.Code(person)
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
	s.json(w, r, http.StatusOK, HealthCode{Code: c, Token: token, Expires: expires, QRPNG: base + ".png", QRSVG: base + ".svg"})
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

func (s *server) caseExposures(w http.ResponseWriter, r *http.Request) {
	if !s.codesReady(w, r, false) {
		return
	}
	at, err := s.at(r)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	degree := r.URL.Query().Get("degree")
	if degree != "" && degree != "1" && degree != "2" {
		s.problem(w, r, errs.Field("degree", "want 1 or 2, not %q", degree))
		return
	}
	es, err := s.codes.Exposures(r.Context(), r.PathValue("id"), at)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if degree != "" {
		es = slices.DeleteFunc(es, func(e trace.Exposure) bool { return strconv.Itoa(e.Degree) != degree })
	}
	s.json(w, r, http.StatusOK, exposureList{Items: es})
}

func (s *server) chains(w http.ResponseWriter, r *http.Request) {
	if !s.codesReady(w, r, false) {
		return
	}
	cs, err := s.codes.Chains()
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if cs == nil {
		cs = []trace.Cluster{}
	}
	s.json(w, r, http.StatusOK, clusterList{Items: cs})
}

func (s *server) getPolicy(w http.ResponseWriter, r *http.Request) {
	if !s.codesReady(w, r, false) {
		return
	}
	w.Header().Set("Content-Type", yamlType)
	_, _ = w.Write(s.codes.Policy().Source())
}

// policyBody reads a policy file from a request body.
func (s *server) policyBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if !s.codesReady(w, r, false) {
		return nil, false
	}
	body, err := readBody(w, r, maxBody)
	if err == nil && len(body) == 0 {
		err = errs.E(errs.Invalid, "the body is empty; send the policy file")
	}
	if err != nil {
		s.problem(w, r, err)
		return nil, false
	}
	return body, true
}

func (s *server) setPolicy(w http.ResponseWriter, r *http.Request) {
	body, ok := s.policyBody(w, r)
	if !ok {
		return
	}
	if err := s.codes.SetPolicy(body); err != nil {
		s.problem(w, r, err)
		return
	}
	p := s.codes.Policy()
	s.json(w, r, http.StatusOK, policyInfo{Hash: p.Hash(), Rules: p.RuleIDs()})
}

func (s *server) whatIf(w http.ResponseWriter, r *http.Request) {
	at, err := s.at(r)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	body, ok := s.policyBody(w, r)
	if !ok {
		return
	}
	report, err := s.codes.WhatIf(r.Context(), body, at)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	s.json(w, r, http.StatusOK, report)
}
