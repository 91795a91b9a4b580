package web

import (
	"cmp"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
	"outbreak/internal/trace"
)

// clusterList answers GET /api/v1/chains; it is computed whole, so it has
// no pages.
type clusterList struct {
	Items []trace.Cluster `json:"items"`
}

// tracingRoutes are the routes of a case's exposures and of the chains.
func (s *server) tracingRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/cases/{id}/exposures", id: "case_exposures", tag: "cases",
			summary: "Trace one case: its close (degree 1) and secondary (degree 2) contacts, one item per exposure interval, " +
				"by person, a page at a time; every page is traced as of the first page's instant",
			query:  append([]param{atParam, {"degree", integerParam, "1: close contacts only; 2: secondary contacts only"}}, pageParams...),
			status: []int{http.StatusOK}, resp: "ExposurePage", handler: s.caseExposures},
		{method: "GET", path: "/api/v1/chains", id: "chains", tag: "cases",
			summary: "Clusters of cases linked through exposures, with the likely direction of transmission, as the keeper last stored them",
			status:  []int{http.StatusOK}, resp: "ClusterList", errors: []int{http.StatusServiceUnavailable}, handler: s.chains},
	}
}

// An exposure cursor holds the instant the list is traced at and the sort
// key of the last exposure given.
func exposureCursor(at time.Time, e trace.Exposure) string {
	parts := []string{strconv.FormatInt(at.UnixMicro(), 10), e.Person, e.CasePerson, strconv.Itoa(e.Degree), e.Via, e.Place,
		strconv.FormatInt(e.Start.UnixMicro(), 10), strconv.FormatInt(e.End.UnixMicro(), 10)}
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "\x00")))
}

var badCursor = &errs.Error{Kind: errs.Malformed, Field: "after", Msg: "not a cursor from this list"}

func parseExposureCursor(c string) (time.Time, trace.Exposure, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	parts := strings.Split(string(b), "\x00")
	if err != nil || len(parts) != 8 {
		return time.Time{}, trace.Exposure{}, badCursor
	}
	var us [3]int64
	for i, p := range []string{parts[0], parts[6], parts[7]} {
		if us[i], err = strconv.ParseInt(p, 10, 64); err != nil {
			return time.Time{}, trace.Exposure{}, badCursor
		}
	}
	degree, err := strconv.Atoi(parts[3])
	if err != nil {
		return time.Time{}, trace.Exposure{}, badCursor
	}
	return time.UnixMicro(us[0]).UTC(), trace.Exposure{Person: parts[1], CasePerson: parts[2], Degree: degree, Via: parts[4], Place: parts[5],
		Start: time.UnixMicro(us[1]).UTC(), End: time.UnixMicro(us[2]).UTC()}, nil
}

// compareExposures orders exposures as trace.SortExposures does.
func compareExposures(a, b trace.Exposure) int {
	return cmp.Or(strings.Compare(a.Person, b.Person), strings.Compare(a.CasePerson, b.CasePerson), cmp.Compare(a.Degree, b.Degree),
		strings.Compare(a.Via, b.Via), strings.Compare(a.Place, b.Place), a.Start.Compare(b.Start), a.End.Compare(b.End))
}

func (s *server) caseExposures(w http.ResponseWriter, r *http.Request) {
	if !s.codesReady(w, r, false) {
		return
	}
	q, p, err := checkQuery(r.URL.Query(), []param{atParam, {"degree", integerParam, ""}})
	if err == nil && q.Text("degree") != "" && q.Text("degree") != "1" && q.Text("degree") != "2" {
		err = errs.Field("degree", "want 1 or 2, not %q", q.Text("degree"))
	}
	if err != nil {
		s.problem(w, r, err)
		return
	}
	at := record.Instant(s.now())
	if q.Text("at") != "" {
		at = q.Time("at")
	}
	var last trace.Exposure
	if p.After != "" {
		var from time.Time
		if from, last, err = parseExposureCursor(p.After); err != nil {
			s.problem(w, r, err)
			return
		}
		if q.Text("at") != "" && !from.Equal(at) {
			s.problem(w, r, errs.Field("at", "differs from the instant of the cursor's list, %s", record.FormatTime(from)))
			return
		}
		at = from
	}
	es, err := s.codes.Exposures(r.Context(), r.PathValue("id"), at)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if d := q.Text("degree"); d != "" {
		es = slices.DeleteFunc(es, func(e trace.Exposure) bool { return strconv.Itoa(e.Degree) != d })
	}
	if p.After != "" {
		i, found := slices.BinarySearchFunc(es, last, compareExposures)
		if found {
			i++
		}
		es = es[i:]
	}
	page := Page[trace.Exposure]{Items: es}
	if len(es) > p.Size() {
		page.Items = es[:p.Size()]
		page.Next = exposureCursor(at, page.Items[len(page.Items)-1])
	}
	s.json(w, r, http.StatusOK, page)
}

func (s *server) chains(w http.ResponseWriter, r *http.Request) {
	if !s.codesReady(w, r, false) {
		return
	}
	cs, err := s.codes.Chains(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if cs == nil {
		cs = []trace.Cluster{}
	}
	s.json(w, r, http.StatusOK, clusterList{Items: cs})
}

// seqCursor reads the cursor of a log listed by sequence ("" is the start).
func seqCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	n, err2 := strconv.ParseInt(string(b), 10, 64)
	if err != nil || err2 != nil || n < 0 {
		return 0, badCursor
	}
	return n, nil
}

func makeSeqCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(seq, 10)))
}
