package web

import (
	"net/http"
	"net/url"

	"outbreak/internal/errs"
	"outbreak/internal/kinds"
	"outbreak/internal/place"
)

// levelList is the answer of GET /api/v1/regions/{id}/levels: every level
// set on the region, oldest first. It is short, so it has no pages.
type levelList struct {
	Items []place.Level `json:"items"`
}

// levelRoutes are the routes of a region's risk levels.
func (s *server) levelRoutes() []route {
	path := "/api/v1/regions/{id}/levels"
	return []route{
		{method: "GET", path: path, id: "list_levels", tag: "regions", summary: "List the risk levels set on a region, oldest first",
			status: []int{http.StatusOK}, resp: "LevelList", handler: s.listLevels},
		{method: "POST", path: path, id: "set_level", tag: "regions", body: "Level", resp: "Level",
			summary: "Set a region's risk level for an interval (region defaults to the path's)",
			status:  []int{http.StatusCreated}, handler: s.setLevel},
	}
}

func (s *server) listLevels(w http.ResponseWriter, r *http.Request) {
	levels, err := s.store.Levels(r.Context(), r.PathValue("id"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if levels == nil {
		levels = []place.Level{}
	}
	s.json(w, r, http.StatusOK, levelList{Items: levels})
}

func (s *server) setLevel(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	region := r.PathValue("id")
	body, err := recordBody(w, r)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	var given string // the region of the body, if any
	l, err := kinds.RegionLevels.DecodeJSON(body, func(l *place.Level) {
		if given = l.Region; l.Region == "" {
			l.Region = region
		}
	})
	switch {
	case err != nil:
	case l.ID != "":
		err = errs.Field("id", "set by the server; leave it out")
	case given != "" && given != region:
		err = errs.Field("region", "%q differs from the region of the path, %q", given, region)
	}
	if err != nil {
		s.problem(w, r, err)
		return
	}
	// An unknown region is a 404 here, where the store would call it a bad field.
	if _, err := s.store.Region(ctx, region); err != nil {
		s.problem(w, r, err)
		return
	}
	stored, err := s.store.AddLevel(ctx, l)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/regions/"+url.PathEscape(region)+"/levels")
	s.json(w, r, http.StatusCreated, stored)
}
