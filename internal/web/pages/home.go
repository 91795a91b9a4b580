package pages

import (
	"html/template"
	"net/http"
)

// The home page is the door into a running Outbreak: what the store holds and
// where the API is. It is a page, not part of the API, so the OpenAPI
// document leaves it out.
var homePage = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="{{.LangTag}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T "home.title"}}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:44rem;padding:1rem;color:#1b1f24}
h1{margin-bottom:.25rem} .sub{color:#57606a;margin-top:0}
table{border-collapse:collapse;margin:1rem 0} td{padding:.25rem 1rem .25rem 0}
td.n{text-align:right;font-variant-numeric:tabular-nums;font-weight:600}
a{color:#0550ae} .lang{float:right;margin-top:.5rem}
</style></head><body>
<a class="lang" href="{{.SwitchURL}}" hreflang="{{.Other.Tag}}" lang="{{.Other.Tag}}">{{.Other.Name}}</a>
<h1>{{.T "home.title"}}</h1>
<p class="sub">{{.T "home.sub"}}</p>
<table>
<tr><td>{{.T "home.residents"}}</td><td class="n">{{.Counts.residents}}</td><td><a href="/api/v1/people">/api/v1/people</a></td></tr>
<tr><td>{{.T "home.places"}}</td><td class="n">{{.Counts.places}}</td><td><a href="/api/v1/places">/api/v1/places</a></td></tr>
<tr><td>{{.T "home.regions"}}</td><td class="n">{{.Counts.regions}}</td><td><a href="/api/v1/regions">/api/v1/regions</a></td></tr>
<tr><td>{{.T "home.active_cases"}}</td><td class="n">{{.Counts.active_cases}}</td><td><a href="/api/v1/cases?active=true">/api/v1/cases?active=true</a></td></tr>
</table>
<p>{{.T "home.logistics"}}<a href="/logistics{{with .Param}}?lang={{.}}{{end}}">/logistics</a>{{.T "punct.stop"}}</p>
<p>{{.T "home.checkins"}}<a href="/api/v1/visits">/api/v1/visits</a>{{.T "punct.stop"}} {{.T "home.api"}}<a href="/api/openapi.json">/api/openapi.json</a>{{.T "punct.stop"}}
{{.T "home.health"}}<a href="/healthz">/healthz</a>{{.T "punct.stop"}} {{.T "home.metrics"}}<a href="/metrics">/metrics</a>{{.T "punct.stop"}}</p>
</body></html>
`))

// homeView is what the home page shows: the store's counts, in the
// request's language.
type homeView struct {
	pageText
	Counts map[string]int64
}

func (s *Site) home(w http.ResponseWriter, r *http.Request) {
	counts, err := s.store.Counts(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	cat, param := pageLang(r)
	v := homeView{pageText: newPageText(cat, param, "/", r.URL.Query()), Counts: counts}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	setLangHeaders(w, cat)
	if err := homePage.Execute(w, v); err != nil {
		s.log.Warn("home page", "err", err)
	}
}
