package web

import (
	"html/template"
	"net/http"
)

// The home page is the door into a running Outbreak: what the store holds and
// where the API is. It is a page, not part of the API, so the OpenAPI
// document leaves it out.
var homePage = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Outbreak</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:44rem;padding:1rem;color:#1b1f24}
h1{margin-bottom:.25rem} .sub{color:#57606a;margin-top:0}
table{border-collapse:collapse;margin:1rem 0} td{padding:.25rem 1rem .25rem 0}
td.n{text-align:right;font-variant-numeric:tabular-nums;font-weight:600}
a{color:#0550ae}
</style></head><body>
<h1>Outbreak</h1>
<p class="sub">Outbreak response: health codes, contact tracing, notification, supply planning.</p>
<table>
<tr><td>Residents</td><td class="n">{{.residents}}</td><td><a href="/api/v1/people">/api/v1/people</a></td></tr>
<tr><td>Places</td><td class="n">{{.places}}</td><td><a href="/api/v1/places">/api/v1/places</a></td></tr>
<tr><td>Regions</td><td class="n">{{.regions}}</td><td><a href="/api/v1/regions">/api/v1/regions</a></td></tr>
<tr><td>Active cases</td><td class="n">{{.active_cases}}</td><td><a href="/api/v1/cases?active=true">/api/v1/cases?active=true</a></td></tr>
</table>
<p>Logistics: stock, delivery requests and the day's routes at <a href="/logistics">/logistics</a>.</p>
<p>Check-ins: <a href="/api/v1/visits">/api/v1/visits</a>. The whole API: <a href="/api/openapi.json">/api/openapi.json</a>.
Health: <a href="/healthz">/healthz</a>. Metrics: <a href="/metrics">/metrics</a>.</p>
</body></html>
`))

func (s *server) home(w http.ResponseWriter, r *http.Request) {
	counts, err := s.store.Counts(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := homePage.Execute(w, counts); err != nil {
		s.log.Warn("home page", "err", err)
	}
}
