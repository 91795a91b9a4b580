package web

import (
	"context"
	"net/http"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/ingest"
	"outbreak/internal/record"
	"outbreak/internal/visit"
)

// checkIn is the body of POST /api/v1/visits: one resident checking in at a
// place, now unless check_in says otherwise.
type checkIn struct {
	Person   string    `json:"person"`
	Place    string    `json:"place"`
	CheckIn  time.Time `json:"check_in,omitzero"`
	CheckOut time.Time `json:"check_out,omitzero"`
}

// checkOut is the body of POST /api/v1/visits/{id}/check-out; an empty body
// checks out now.
type checkOut struct {
	At time.Time `json:"at,omitzero"`
}

// visits is the resource of check-ins. Creating one is the single check-in,
// which the store commits with others in flight and answers once durable.
func (s *server) visits() *resource[visit.Visit] {
	st := s.store
	return &resource[visit.Visit]{kind: "visits", schema: "Visit", noun: "visit",
		codec: ingest.Visits, id: func(v *visit.Visit) *string { return &v.ID },
		validate: (*visit.Visit).Validate, get: st.Visit, load: st.ImportVisits,
		filters: []param{personFilter, {"place", textParam, "visits to this place"},
			{"from", timeParam, "visits that check in at or after this instant"}, {"to", timeParam, "visits that check in before this instant"}},
		list: func(ctx context.Context, q query, p record.Page) ([]visit.Visit, string, error) {
			return st.Visits(ctx, visit.Filter{Person: q.str("person"), Place: q.str("place"),
				From: q.time("from"), To: q.time("to"), Page: p})
		},
		create: &route{method: "POST", path: "/api/v1/visits", id: "check_in",
			summary: "Check in: store one visit, answered once it is durable (check_in defaults to now); a visit of the same person, place and check-in is answered as stored, with 200",
			query:   []param{atParam}, body: "CheckIn", status: []int{http.StatusCreated, http.StatusOK}, resp: "Visit", handler: s.checkIn},
	}
}

// visitRoutes are the routes of visits beyond those every kind has.
func (s *server) visitRoutes() []route {
	return []route{
		{method: "POST", path: "/api/v1/visits/{id}/check-out", id: "check_out", tag: "visits",
			summary: "Check out of a visit that has no check-out yet (at defaults to now)",
			query:   []param{atParam}, body: "CheckOut", bodyOptional: true, status: []int{http.StatusOK}, resp: "Visit",
			errors: []int{http.StatusConflict}, handler: s.checkOut},
	}
}

func (s *server) checkIn(w http.ResponseWriter, r *http.Request) {
	var req checkIn
	if err := decodeBody(w, r, &req, false); err != nil {
		s.problem(w, r, err)
		return
	}
	now, err := s.at(r)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	v := visit.Visit{Person: req.Person, Place: req.Place, CheckIn: req.CheckIn, CheckOut: req.CheckOut}
	if v.CheckIn.IsZero() {
		v.CheckIn = now
	}
	if err := v.Validate(); err != nil {
		s.problem(w, r, err)
		return
	}
	stored, created, err := s.store.AddVisit(r.Context(), v)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	w.Header().Set("Location", itemPath("visits", stored.ID))
	status := http.StatusCreated
	if !created {
		status = http.StatusOK // the same person, place and check-in: stored already
	}
	s.json(w, r, status, stored)
}

func (s *server) checkOut(w http.ResponseWriter, r *http.Request) {
	var req checkOut
	if err := decodeBody(w, r, &req, true); err != nil {
		s.problem(w, r, err)
		return
	}
	at := req.At
	if at.IsZero() {
		var err error
		if at, err = s.at(r); err != nil {
			s.problem(w, r, err)
			return
		}
	}
	v, err := s.store.CheckOut(r.Context(), r.PathValue("id"), record.Instant(at))
	if err != nil {
		if errs.FieldOf(err) == "check_out" {
			// The store speaks of the visit's field; this body calls it at.
			err = errs.Field("at", "%s", reasonOf(err))
		}
		s.problem(w, r, err)
		return
	}
	s.json(w, r, http.StatusOK, v)
}
