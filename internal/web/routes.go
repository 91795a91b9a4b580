package web

import (
	"net/http"
	"net/url"
	"strings"

	"outbreak/internal/kinds"
)

// route is one row of the route table: what the mux registers and what the
// OpenAPI document says about it.
type route struct {
	method  string // GET or POST
	path    string // a ServeMux path, which is also an OpenAPI path template
	id      string // the OpenAPI operationId
	tag     string // the OpenAPI tag that groups it, usually the kind
	summary string
	// query lists the query parameters; path parameters come from path.
	query []param
	// body names the request body's schema, "" for none; bodyType is its
	// media type (application/json when empty).
	body, bodyType string
	bodyOptional   bool
	// status lists the success statuses; resp names their schema, and
	// respType its media type (application/json when empty).
	status         []int
	resp, respType string
	// errors lists problem statuses beyond those the shape of the route
	// implies (400, 413, 415 and 422 for a body, 404 for an ID, 422 for
	// query parameters).
	errors  []int
	handler http.HandlerFunc
}

// pattern returns the ServeMux pattern of the route.
func (rt route) pattern() string { return rt.method + " " + rt.path }

// The types of a query parameter.
const (
	textParam    = "string"
	timeParam    = "date-time"
	boolParam    = "boolean"
	integerParam = "integer"
)

// param is a query parameter.
type param struct {
	name, typ, desc string
}

// pageParams are the parameters of every list.
var pageParams = []param{
	{"after", textParam, "the cursor of the page to return: the next of the previous page"},
	{"limit", integerParam, "the most items to return, 1–10000 (default 100)"},
}

// atParam lets a client say what "now" is, where it matters.
var atParam = param{"at", timeParam, "the instant to use as now (RFC 3339); default: the server's clock"}

// The media types the API speaks.
const (
	jsonType    = "application/json"
	ndjsonType  = "application/x-ndjson"
	problemType = "application/problem+json"
)

// table returns every route of the server.
func (s *server) table() []route {
	var rs []route
	for _, k := range kinds.All() {
		if !k.Nested() {
			rs = append(rs, s.kindRoutes(k)...)
		}
	}
	rs = append(rs, s.visitRoutes()...)
	rs = append(rs, s.levelRoutes()...)
	rs = append(rs, s.codeRoutes()...)
	rs = append(rs, s.tracingRoutes()...)
	rs = append(rs, s.policyRoutes()...)
	rs = append(rs, s.supplyRoutes()...)
	rs = append(rs, s.systemRoutes()...)
	return rs
}

// systemRoutes are the routes that are not about records.
func (s *server) systemRoutes() []route {
	return []route{
		{method: "GET", path: "/healthz", id: "health", tag: "system", summary: "Report whether the server and its store answer",
			status: []int{http.StatusOK}, resp: "Health", errors: []int{http.StatusServiceUnavailable}, handler: s.health},
		{method: "GET", path: "/metrics", id: "metrics", tag: "system", summary: "Prometheus metrics in the text exposition format",
			status: []int{http.StatusOK}, respType: "text/plain", handler: s.metricsHandler().ServeHTTP},
		{method: "GET", path: "/api/openapi.json", id: "openapi", tag: "system", summary: "This OpenAPI 3.1 document",
			status: []int{http.StatusOK}, resp: "OpenAPI", handler: s.openAPIHandler},
	}
}

// pathParams returns the names of the {wildcards} in a path.
func pathParams(path string) []string {
	var names []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			names = append(names, strings.TrimSuffix(seg[1:len(seg)-1], "..."))
		}
	}
	return names
}

// itemPath returns the path of one record of a kind, for Location headers.
func itemPath(kind, id string) string { return "/api/v1/" + kind + "/" + url.PathEscape(id) }
