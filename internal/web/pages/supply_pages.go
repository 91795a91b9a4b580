package pages

import (
	"bytes"
	"net/http"
	"net/url"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
	"outbreak/internal/supply"
)

// The logistics officer's page and its two actions. They are pages, not
// part of the API: the actions are HTML forms that answer with a redirect
// back to the page (or the page with the error), so that the page works
// without script.

// notices are the catalogue keys of the messages the page shows after an
// action, by the notice parameter of the redirect.
var notices = map[string]string{
	"planned":    "lg.notice_planned",
	"dispatched": "lg.notice_dispatched",
}

// maxForm bounds the body of a page's form.
const maxForm = 64 << 10

func (s *Site) logisticsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := &logisticsView{Date: q.Get("date"), Query: q}
	v.Lang, v.LangParam = pageLang(r)
	if key, ok := notices[q.Get("notice")]; ok {
		v.Notice = v.Lang.T(key)
	}
	s.showLogistics(w, r, v, q.Get("plan"), http.StatusOK)
}

// showLogistics fills v from the store and writes the page: the plan with
// the given ID, else the newest plan of v.Date (default: nextDay). The
// page is in the request's language unless v has one already.
func (s *Site) showLogistics(w http.ResponseWriter, r *http.Request, v *logisticsView, planID string, status int) {
	ctx := r.Context()
	var err error
	if v.Lang == nil {
		v.Lang, v.LangParam = pageLang(r)
	}
	if v.Query == nil {
		// The page after a failed action: its language link leads to the
		// plan or the day the action was about.
		v.Query = url.Values{}
		if planID != "" {
			v.Query.Set("plan", planID)
		} else if v.Date != "" {
			v.Query.Set("date", v.Date)
		}
	}
	if v.Depots, err = supply.All(ctx, supply.Filter{}, s.store.Depots); err != nil {
		s.problem(w, r, err)
		return
	}
	v.Zone = time.UTC
	if len(v.Depots) > 0 {
		if loc, err := v.Depots[0].Location(); err == nil {
			v.Zone = loc
		}
	}
	if planID != "" {
		p, err := s.store.Plan(ctx, planID)
		switch {
		case errs.Is(err, errs.NotFound):
			v.Error = v.Lang.T("lg.error_no_plan", planID)
		case err != nil:
			s.problem(w, r, err)
			return
		default:
			v.Plan, v.Date = &p, p.Date
		}
	}
	if _, err := time.Parse(time.DateOnly, v.Date); err != nil {
		if v.Date != "" {
			v.Error = v.Lang.T("lg.error_date", v.Date)
		}
		open, err := supply.All(ctx, supply.Filter{Status: supply.Open}, s.store.Requests)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		v.Date = nextDay(open, s.now(), v.Zone)
	}
	if v.Plans, _, err = s.store.Plans(ctx, supply.Filter{Page: record.Page{Limit: 50}}); err != nil {
		s.problem(w, r, err)
		return
	}
	if v.Plan == nil && planID == "" {
		for _, p := range v.Plans {
			if p.Date == v.Date {
				whole, err := s.store.Plan(ctx, p.ID)
				if err != nil {
					s.problem(w, r, err)
					return
				}
				v.Plan = &whole
				break
			}
		}
	}
	if len(v.Plans) > 10 {
		v.Plans = v.Plans[:10]
	}
	if v.Vehicles, err = supply.All(ctx, supply.Filter{}, s.store.Vehicles); err != nil {
		s.problem(w, r, err)
		return
	}
	if v.Lots, err = supply.All(ctx, supply.Filter{}, s.store.Lots); err != nil {
		s.problem(w, r, err)
		return
	}
	day, _ := time.ParseInLocation(time.DateOnly, v.Date, v.Zone)
	if v.Requests, err = supply.All(ctx, supply.Filter{From: day, To: day.AddDate(0, 0, 1)}, s.store.Requests); err != nil {
		s.problem(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := renderLogistics(&buf, v); err != nil {
		s.problem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	setLangHeaders(w, v.Lang)
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// planDay makes a plan from the page's form and goes back to the page.
func (s *Site) planDay(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	date := r.PostForm.Get("date")
	limit, err := record.ParseDuration("time_limit", r.PostForm.Get("time_limit"))
	var plan *supply.Plan
	if err == nil {
		// The form offers no seed; 0 is the API's default too.
		plan, err = s.planner.PlanDay(r.Context(), date, time.Duration(limit), 0)
	}
	if err != nil {
		s.pageError(w, r, &logisticsView{Date: date}, "", err)
		return
	}
	http.Redirect(w, r, backToPlan(r, plan.ID, "planned"), http.StatusSeeOther)
}

// dispatchFromPage dispatches the plan in the path and goes back to it.
func (s *Site) dispatchFromPage(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	id := r.PathValue("id")
	if _, err := s.store.DispatchPlan(r.Context(), id, record.Instant(s.now())); err != nil {
		s.pageError(w, r, &logisticsView{}, id, err)
		return
	}
	http.Redirect(w, r, backToPlan(r, id, "dispatched"), http.StatusSeeOther)
}

// readForm reads a page's posted form, at most maxForm bytes, or answers
// that it cannot.
func (s *Site) readForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		s.problem(w, r, &FormError{Err: err})
		return false
	}
	return true
}

// backToPlan is the address of a plan's page after an action, with the
// notice of the action and the language the officer chose, if any.
func backToPlan(r *http.Request, planID, notice string) string {
	u := "/logistics?plan=" + url.QueryEscape(planID) + "&notice=" + notice
	if _, p := pageLang(r); p != "" {
		u += "&lang=" + url.QueryEscape(p)
	}
	return u
}

// pageError shows the page with the message of a user's error (with its
// status), or answers an internal error as a problem.
func (s *Site) pageError(w http.ResponseWriter, r *http.Request, v *logisticsView, planID string, err error) {
	status := errs.Status(err)
	if status >= 500 {
		s.problem(w, r, err)
		return
	}
	v.Error = err.Error()
	s.showLogistics(w, r, v, planID, status)
}

// nextDay returns the day to show when none is asked for: the first day, in
// zone, with one of the open requests whose slot has not ended by now; else
// tomorrow.
func nextDay(requests []supply.Request, now time.Time, zone *time.Location) string {
	var first time.Time
	for _, rq := range requests {
		if rq.SlotTo.After(now) && (first.IsZero() || rq.SlotFrom.Before(first)) {
			first = rq.SlotFrom
		}
	}
	if first.IsZero() {
		first = now.In(zone).AddDate(0, 0, 1)
	}
	return first.In(zone).Format(time.DateOnly)
}
