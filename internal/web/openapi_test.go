package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPI checks the document against the mux: every registered route
// is documented, every documented operation is served by the route it
// documents, and every $ref resolves.
func TestOpenAPI(t *testing.T) {
	t.Parallel()
	a := newAPI(t, openSQLite(t))
	rec := a.do("GET", "/api/openapi.json", nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != jsonType {
		t.Fatalf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Info       map[string]any                       `json:"info"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas   map[string]any `json:"schemas"`
			Responses map[string]any `json:"responses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("the document is not JSON: %v", err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Info["title"] == nil || doc.Info["version"] == nil {
		t.Fatalf("openapi %q, info %v", doc.OpenAPI, doc.Info)
	}

	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method, op := range item {
			pattern := strings.ToUpper(method) + " " + path
			documented[pattern] = true
			t.Run(pattern, func(t *testing.T) {
				if op["operationId"] == nil || op["summary"] == nil || op["responses"] == nil {
					t.Errorf("operation lacks operationId, summary or responses: %v", op)
				}
				// The mux must route a request of this shape to this very pattern.
				target := path
				for _, name := range pathParams(path) {
					target = strings.Replace(target, "{"+name+"}", "x1", 1)
				}
				_, got := a.srv.mux.Handler(httptest.NewRequest(strings.ToUpper(method), target, nil))
				if got != pattern {
					t.Errorf("%s %s is routed to %q", strings.ToUpper(method), target, got)
				}
				var params []string
				if ps, ok := op["parameters"].([]any); ok {
					for _, p := range ps {
						if p := p.(map[string]any); p["in"] == "path" {
							params = append(params, p["name"].(string))
						}
					}
				}
				if !slices.Equal(params, pathParams(path)) {
					t.Errorf("path parameters %v, want %v", params, pathParams(path))
				}
			})
		}
	}
	for _, pattern := range a.srv.patterns {
		if !documented[pattern] {
			t.Errorf("route %s is registered but not documented", pattern)
		}
	}
	if len(documented) != len(a.srv.patterns) {
		t.Errorf("%d operations documented, %d routes registered", len(documented), len(a.srv.patterns))
	}

	// Every reference resolves, and every record kind has its schemas.
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["$ref"].(string); ok {
				name, isSchema := strings.CutPrefix(r, "#/components/schemas/")
				resp, isResp := strings.CutPrefix(r, "#/components/responses/")
				if isSchema && doc.Components.Schemas[name] == nil || isResp && doc.Components.Responses[resp] == nil || !isSchema && !isResp {
					t.Errorf("unresolved $ref %q", r)
				}
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	var whole any
	_ = json.Unmarshal(rec.Body.Bytes(), &whole)
	walk(whole)
	for _, name := range []string{"Resident", "Place", "Region", "Level", "Visit", "Stay", "LabResult", "Vaccination",
		"Declaration", "Case", "Problem", "Page", "VisitPage", "BatchResult", "CheckIn",
		"Depot", "DepotPage", "Vehicle", "VehiclePage", "Lot", "LotPage", "SupplyRequest", "SupplyRequestPage"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("no schema %s", name)
		}
	}
}

// TestOpenAPISchemas spot-checks schemas made by reflection.
func TestOpenAPISchemas(t *testing.T) {
	t.Parallel()
	schemas := componentSchemas()
	tests := []struct {
		schema, field string
		want          string // the field's schema as JSON
		required      bool
	}{
		{"Visit", "check_in", `{"format":"date-time","type":"string"}`, true},
		{"Visit", "check_out", `{"description":"absent: the person did not check out; tracing assumes the place's default dwell","format":"date-time","type":"string"}`, false},
		{"Visit", "id", `{"readOnly":true,"type":"string"}`, false},
		{"Vaccination", "dose", `{"type":"integer"}`, true},
		{"Place", "lat", `{"type":"number"}`, true},
		{"Region", "kind", `{"enum":["country","province","city","district"],"type":"string"}`, true},
		{"Declaration", "symptoms", `{"items":{"type":"string"},"type":"array"}`, true},
		{"Problem", "errors", `{"items":{"$ref":"#/components/schemas/FieldError"},"type":"array"}`, false},
		{"BatchItem", "error", `{"anyOf":[{"$ref":"#/components/schemas/FieldError"},{"type":"null"}]}`, true},
		{"Vehicle", "shift_end", `{"description":"a time of day as a Go duration from midnight, after shift_start, at most 48h","pattern":"^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$","type":"string"}`, true},
		{"Vehicle", "max_out", `{"description":"how long the vehicle may be out of the depot (the cold-chain limit); absent: the whole shift","pattern":"^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$","type":"string"}`, false},
		{"Lot", "temperature", `{"enum":["ambient","chilled","frozen"],"type":"string"}`, true},
		{"Lot", "quantity", `{"type":"integer"}`, true},
		{"SupplyRequest", "status", `{"description":"absent: open","enum":["open","dispatched","delivered","cancelled"],"type":"string"}`, false},
		{"SupplyRequest", "site", `{"type":"string"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.schema+"."+tt.field, func(t *testing.T) {
			t.Parallel()
			s := schemas[tt.schema].(object)
			got := string(mustJSON(s["properties"].(object)[tt.field]))
			if got != tt.want {
				t.Errorf("schema %s, want %s", got, tt.want)
			}
			if req := slices.Contains(s["required"].([]string), tt.field); req != tt.required {
				t.Errorf("required = %v, want %v", req, tt.required)
			}
		})
	}
}
