package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"outbreak/internal/record"
)

// object is a JSON object of the OpenAPI document.
type object = map[string]any

func ref(schema string) object { return object{"$ref": "#/components/schemas/" + schema} }

// openAPI builds the OpenAPI 3.1 document from the route table and the
// schemas of the types the routes speak.
func (s *server) openAPI() object {
	paths := object{}
	for _, rt := range s.routes {
		item, _ := paths[rt.path].(object)
		if item == nil {
			item = object{}
			paths[rt.path] = item
		}
		item[strings.ToLower(rt.method)] = rt.operation()
	}
	return object{
		"openapi": "3.1.0",
		"info": object{
			"title":   "Outbreak API",
			"version": "1.0.0",
			"description": "Records of an outbreak-response agency: residents, places, regions and their risk levels, " +
				"visits (check-ins), stays, lab results, vaccinations, health declarations and confirmed cases. " +
				"Times are RFC 3339 in UTC. Lists are pages: pass the next cursor of one page as after to get the next. " +
				"Errors are RFC 9457 problem details; errors[].field names the input at fault.",
		},
		"paths": paths,
		"components": object{
			"schemas": componentSchemas(),
			"responses": object{
				"Problem": object{
					"description": "An error, as RFC 9457 problem details.",
					"content":     object{problemType: object{"schema": ref("Problem")}},
				},
			},
		},
	}
}

// operation describes one route as an OpenAPI operation.
func (rt route) operation() object {
	op := object{"operationId": rt.id, "summary": rt.summary}
	if rt.tag != "" {
		op["tags"] = []string{rt.tag}
	}
	var params []object
	for _, name := range pathParams(rt.path) {
		params = append(params, object{"name": name, "in": "path", "required": true,
			"description": "the record's ID", "schema": object{"type": "string"}})
	}
	for _, p := range rt.query {
		params = append(params, object{"name": p.name, "in": "query", "required": false,
			"description": p.desc, "schema": paramSchema(p.typ)})
	}
	if params != nil {
		op["parameters"] = params
	}
	errors := slices.Clone(rt.errors)
	if rt.body != "" {
		op["requestBody"] = rt.requestBody()
		errors = append(errors, http.StatusBadRequest, http.StatusRequestEntityTooLarge,
			http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)
	}
	if len(pathParams(rt.path)) > 0 {
		errors = append(errors, http.StatusNotFound)
	}
	if len(rt.query) > 0 {
		errors = append(errors, http.StatusUnprocessableEntity)
	}
	responses := object{"default": object{"$ref": "#/components/responses/Problem"}}
	for _, code := range rt.status {
		resp := object{"description": http.StatusText(code)}
		switch {
		case rt.respType != "":
			resp["content"] = object{rt.respType: object{"schema": object{"type": "string"}}}
		case rt.resp != "":
			resp["content"] = object{jsonType: object{"schema": ref(rt.resp)}}
		}
		responses[strconv.Itoa(code)] = resp
	}
	for _, code := range errors {
		responses[strconv.Itoa(code)] = object{"$ref": "#/components/responses/Problem"}
	}
	op["responses"] = responses
	return op
}

func (rt route) requestBody() object {
	body := object{"required": !rt.bodyOptional}
	if rt.bodyType == ndjsonType {
		body["description"] = "NDJSON: one " + rt.body + " object per line (at most 100000 lines and 32 MiB). " +
			"Keyed kinds need their id on every line. A line that is not valid JSON, or breaks a rule, " +
			"gets an error in its result; the other lines are stored."
		body["content"] = object{ndjsonType: object{
			"schema":        object{"type": "string"},
			"x-item-schema": ref(rt.body),
		}}
		return body
	}
	if rt.bodyType == yamlType {
		body["description"] = "A policy file in YAML (JSON is YAML too), as outbreak codes --policy reads."
		body["content"] = object{yamlType: object{"schema": object{"type": "string"}}}
		return body
	}
	body["content"] = object{jsonType: object{"schema": ref(rt.body)}}
	return body
}

func paramSchema(typ string) object {
	switch typ {
	case timeParam:
		return object{"type": "string", "format": "date-time"}
	case integerParam:
		return object{"type": "integer", "minimum": 1, "maximum": record.MaxLimit}
	case boolParam:
		return object{"type": "boolean"}
	}
	return object{"type": "string"}
}
