package web

import (
	"net/http"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/kinds"
	"outbreak/internal/record"
	"outbreak/internal/visit"
)

// checkOut is the body of POST /api/v1/visits/{id}/check-out; an empty body
// checks out now.
type checkOut struct {
	At time.Time `json:"at,omitzero"`
}

// checkInRoute is the create route of visits: the single check-in, which
// the store commits with others in flight and answers once durable.
func (s *server) checkInRoute() route {
	return route{method: "POST", path: "/api/v1/visits", id: "check_in",
		summary: "Check in: store one visit, answered once it is durable (check_in defaults to now); a visit of the same person, place and check-in is answered as stored, with 200",
		query:   []param{atParam}, body: "CheckIn", status: []int{http.StatusCreated, http.StatusOK}, resp: "Visit", handler: s.checkIn}
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
	now, err := s.at(r)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	body, err := recordBody(w, r)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	v, err := kinds.Visits.DecodeJSON(body, func(v *visit.Visit) {
		if v.CheckIn.IsZero() {
			v.CheckIn = now
		}
	})
	if err == nil && v.ID != "" {
		err = errs.Field("id", "set by the server; leave it out")
	}
	if err != nil {
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
			err = errs.Field("at", "%s", errs.Reason(err))
		}
		s.problem(w, r, err)
		return
	}
	s.json(w, r, http.StatusOK, v)
}
