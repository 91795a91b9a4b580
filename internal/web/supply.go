package web

import (
	"net/http"
	"slices"
	"time"

	"outbreak/internal/record"
	"outbreak/internal/supply"
)

// planRequest asks for a plan of a day's deliveries.
type planRequest struct {
	Date      string          `json:"date"`
	TimeLimit record.Duration `json:"time_limit,omitzero"`
	Seed      uint64          `json:"seed,omitempty"`
}

// supplyRoutes are the routes of delivery plans; depots, vehicles, stock
// and requests are record kinds.
func (s *server) supplyRoutes() []route {
	return []route{
		{method: "POST", path: "/api/v1/plans", id: "create_plan", tag: "plans", body: "PlanRequest",
			summary: "Plan a day's deliveries: allocate stock to the open requests and route the vehicles; the plan is a draft until dispatched",
			status:  []int{http.StatusCreated}, resp: "Plan", handler: s.createPlan},
		{method: "GET", path: "/api/v1/plans", id: "list_plans", tag: "plans",
			summary: "List plans, a page at a time, without their allocations and stops",
			query:   append(slices.Clone(pageParams), param{"status", textParam, "plans in this state: draft or dispatched"}),
			status:  []int{http.StatusOK}, resp: "PlanPage", handler: s.listPlans},
		{method: "GET", path: "/api/v1/plans/{id}", id: "get_plan", tag: "plans", summary: "Get one plan with its dispatch lists",
			status: []int{http.StatusOK}, resp: "Plan", handler: s.getPlan},
		{method: "POST", path: "/api/v1/plans/{id}/dispatch", id: "dispatch_plan", tag: "plans",
			summary: "Send a draft plan out: take its picks from stock and mark its requests dispatched, all or nothing",
			status:  []int{http.StatusOK}, resp: "Plan", errors: []int{http.StatusConflict}, handler: s.dispatchPlan},
	}
}

func (s *server) createPlan(w http.ResponseWriter, r *http.Request) {
	var req planRequest
	if err := decodeBody(w, r, &req, false); err != nil {
		s.problem(w, r, err)
		return
	}
	plan, err := s.planner.PlanDay(r.Context(), req.Date, time.Duration(req.TimeLimit), req.Seed)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	w.Header().Set("Location", itemPath("plans", plan.ID))
	s.json(w, r, http.StatusCreated, plan)
}

func (s *server) listPlans(w http.ResponseWriter, r *http.Request) {
	q, p, err := checkQuery(r.URL.Query(), []param{{"status", textParam, ""}})
	if err != nil {
		s.problem(w, r, err)
		return
	}
	items, next, err := s.store.Plans(r.Context(), supply.Filter{Status: q.Text("status"), Page: p})
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if items == nil {
		items = []supply.Plan{}
	}
	s.json(w, r, http.StatusOK, Page[supply.Plan]{Items: items, Next: next})
}

func (s *server) getPlan(w http.ResponseWriter, r *http.Request) {
	plan, err := s.store.Plan(r.Context(), r.PathValue("id"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	s.json(w, r, http.StatusOK, plan)
}

func (s *server) dispatchPlan(w http.ResponseWriter, r *http.Request) {
	plan, err := s.store.DispatchPlan(r.Context(), r.PathValue("id"), record.Instant(s.now()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	s.json(w, r, http.StatusOK, plan)
}
