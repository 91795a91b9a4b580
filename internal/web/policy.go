package web

import (
	"net/http"

	"outbreak/internal/errs"
)

// policyInfo answers a change of policy.
type policyInfo struct {
	Hash  string   `json:"hash"`
	Rules []string `json:"rules"`
}

const yamlType = "application/yaml"

// policyRoutes are the routes of the health-code policy.
func (s *server) policyRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/policy", id: "get_policy", tag: "policy", summary: "The running health-code policy",
			status: []int{http.StatusOK}, respType: yamlType, handler: s.getPolicy},
		{method: "PUT", path: "/api/v1/policy", id: "set_policy", tag: "policy", body: "policy", bodyType: yamlType,
			summary: "Run a new policy: it is stored, and the keeper computes every code again; a policy that does not compile is refused and the running one stays",
			status:  []int{http.StatusOK}, resp: "PolicyInfo", handler: s.setPolicy},
		{method: "POST", path: "/api/v1/policy/what-if", id: "policy_what_if", tag: "policy", body: "policy", bodyType: yamlType,
			query:   []param{atParam},
			summary: "How many codes a policy would change, from which color to which, by region, without applying it",
			status:  []int{http.StatusOK}, resp: "WhatIf", handler: s.whatIf},
	}
}

func (s *server) getPolicy(w http.ResponseWriter, r *http.Request) {
	if !s.codesReady(w, r, false) {
		return
	}
	p, err := s.codes.Policy(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", yamlType)
	_, _ = w.Write(p.Source())
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
	p, err := s.codes.SetPolicy(r.Context(), body)
	if err != nil {
		s.problem(w, r, err)
		return
	}
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
