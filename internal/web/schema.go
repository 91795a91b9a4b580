package web

import (
	"reflect"
	"slices"
	"strings"

	"outbreak/internal/codes"
	"outbreak/internal/credential"
	"outbreak/internal/errs"
	"outbreak/internal/kinds"
	"outbreak/internal/record"
	"outbreak/internal/risk"
	"outbreak/internal/supply"
	"outbreak/internal/trace"
)

// schemaDef describes a component schema made from a Go type by reflection:
// its JSON fields become properties, and those without omitempty or
// omitzero are required (but never id, which a client may leave out).
type schemaDef struct {
	name string
	typ  reflect.Type
	desc string
	// paged kinds also get a NamePage schema.
	paged bool
	// enums lists the values a field takes; notes describe fields.
	enums map[string][]string
	notes map[string]string
	// readOnly fields are set by the server; optional fields are not
	// required although they have no omitempty.
	readOnly, optional []string
	// required, when not nil, lists the required fields instead (those of
	// a kind's description); omit lists fields to leave out.
	required, omit []string
}

// kindSchemas returns the schemas of the kinds of record, from their
// descriptions: a record's fields, which of them files and posted records
// must give, what they mean and the values they take. A posted check-in is
// a visit whose check-in defaults to now.
func kindSchemas() []schemaDef {
	var out []schemaDef
	for _, k := range kinds.All() {
		d := schemaDef{name: k.Schema(), typ: k.Type(), desc: k.Doc(), paged: !k.Nested(), enums: map[string][]string{},
			notes: map[string]string{}, required: []string{}}
		if !k.Keyed() {
			d.readOnly = serverID
		}
		for _, f := range k.Fields() {
			if f.Required && f.Name != "id" {
				d.required = append(d.required, f.Name)
			}
			if f.Note != "" {
				d.notes[f.Name] = f.Note
			}
			if f.Enum != nil {
				d.enums[f.Name] = f.Enum
			}
		}
		out = append(out, d)
		if k == kinds.Visits {
			in := d
			in.name, in.paged, in.readOnly, in.omit = "CheckIn", false, nil, serverID
			in.desc = "One check-in; check_in defaults to now (or ?at=)."
			in.required = slices.DeleteFunc(slices.Clone(d.required), func(f string) bool { return f == "check_in" })
			out = append(out, in)
		}
	}
	return out
}

var serverID = []string{"id"}

// schemaDefs are the schemas of every type the API reads or writes.
var schemaDefs = []schemaDef{
	{name: "LevelList", typ: reflect.TypeFor[levelList](), desc: "The risk levels set on a region, oldest first."},
	{name: "CheckOut", typ: reflect.TypeFor[checkOut](), desc: "A check-out; at defaults to now (or ?at=). The body may be empty."},
	{name: "PlanRequest", typ: reflect.TypeFor[planRequest](),
		desc: "What to plan: the day, in each depot's time zone, and how long the route planner may search.",
		notes: map[string]string{"date": "YYYY-MM-DD", "seed": "the planner's random seed",
			"time_limit": "a Go duration up to " + record.Duration(supply.MaxTimeLimit).String() +
				"; absent: " + record.Duration(supply.DefaultTimeLimit).String()}},
	{name: "Plan", typ: reflect.TypeFor[supply.Plan](), paged: true,
		desc: "A day's deliveries: what each request gets, each vehicle's dispatch list, and the requests left out with why. " +
			"A draft until dispatched; in a list, allocations and the routes' stops are left out.",
		enums: map[string][]string{"status": {supply.Draft, supply.PlanDispatched}},
		notes: map[string]string{"km": "the length of the routes by road", "drive_minutes": "the driving time the planner minimised",
			"checked": "the routes passed the independent route checker (always true: a plan that fails it is not saved)"}},
	{name: "Allocation", typ: reflect.TypeFor[supply.Allocation](),
		desc: "What a request gets: a quantity from one depot, in picks from its lots, short units less than asked, and why."},
	{name: "Pick", typ: reflect.TypeFor[supply.Pick](), desc: "Units taken from one lot for one delivery.",
		enums: map[string][]string{"temperature": supply.Classes[:]}, notes: map[string]string{"number": "the lot number"}},
	{name: "Dispatch", typ: reflect.TypeFor[supply.Dispatch](),
		desc:  "One vehicle's route: it leaves its depot at depart, makes its stops in order and is back at return.",
		notes: map[string]string{"load": "units carried, by temperature class", "time_zone": "the depot's time zone, for showing times"}},
	{name: "DispatchStop", typ: reflect.TypeFor[supply.DispatchStop](),
		desc: "One delivery on a route: arrival, the start of unloading (after waiting for the slot if early), departure, and what to unload."},
	{name: "Left", typ: reflect.TypeFor[supply.Left](), desc: "A request that no route of the plan serves, and why."},
	{name: "Problem", typ: reflect.TypeFor[Problem](),
		desc: "RFC 9457 problem details. type is urn:outbreak:problem: followed by one of invalid, not-found, conflict, " +
			"unauthorized, forbidden, unavailable, internal, malformed, too-large, unsupported-media-type, " +
			"method-not-allowed, no-route."},
	{name: "FieldError", typ: reflect.TypeFor[errs.FieldError](), desc: "What is wrong with one field; field is absent when the fault is not in one field."},
	{name: "BatchResult", typ: reflect.TypeFor[kinds.BatchResult](), desc: "The result of a batch import, with one result per non-blank line."},
	{name: "BatchItem", typ: reflect.TypeFor[kinds.BatchItem](),
		desc: "The result of one line: error is null when it was stored. id is given for keyed kinds only."},
	{name: "Health", typ: reflect.TypeFor[health](), desc: "The server and its store answer."},
	{name: "HealthCode", typ: reflect.TypeFor[HealthCode](),
		desc:  "A resident's health code: the worst color of the policy's rules that hold now, every reason, and a token signed now.",
		enums: map[string][]string{"color": colors},
		notes: map[string]string{"valid_until": "the next instant at which time alone changes the color; absent: only new facts change it",
			"as_of":   "the instant the code was computed for: the keeper computes it again when a record or the time may change it",
			"policy":  "the digest of the policy that made it; absent for a resident green with no reason",
			"token":   "COSE_Sign1-signed CWT, zlib-compressed and base45-encoded with the prefix OB1:; verify offline against the trust list",
			"expires": "when the token stops being valid", "qr_png": "where to get the code as a QR code in a PNG image",
			"qr_svg": "where to get the code as a QR code in an SVG image"}},
	{name: "Reason", typ: reflect.TypeFor[risk.Reason](), desc: "Why a code has its color: the rule, its evidence and until when it holds.",
		enums: map[string][]string{"color": colors}},
	{name: "TrustList", typ: reflect.TypeFor[credential.TrustList](), desc: "The public keys that verify code tokens, by key ID."},
	{name: "TrustedKey", typ: reflect.TypeFor[credential.TrustedKey](),
		desc:  "One verification key: kid is the first 8 bytes of the SHA-256 of public_key, in hex.",
		notes: map[string]string{"public_key": "the SubjectPublicKeyInfo DER of a P-256 key, in base64"}},
	{name: "Exposure", typ: reflect.TypeFor[trace.Exposure](), paged: true,
		desc: "One interval in which a person was exposed to a case, at a place: degree 1 overlaps the case's own visit, degree 2 the visit of the case's close contact via."},
	{name: "Cluster", typ: reflect.TypeFor[trace.Cluster](), desc: "Cases linked through exposures, with the links and places."},
	{name: "Link", typ: reflect.TypeFor[trace.Link](), desc: "Case to was exposed to case from before to became infectious."},
	{name: "Member", typ: reflect.TypeFor[trace.Member](), desc: "A case in a cluster; generation 0 was exposed to no other case of it."},
	{name: "ClusterList", typ: reflect.TypeFor[clusterList](), desc: "Clusters of two or more linked cases, largest first."},
	{name: "CodeChange", typ: reflect.TypeFor[codes.Change](), paged: true, enums: map[string][]string{"from": colors, "to": colors},
		desc: "A change of a resident's color, in the order the keeper made them; reasons are the new code's."},
	{name: "CodesStatus", typ: reflect.TypeFor[codes.Status](),
		desc: "How far the stored codes follow the change feed: the keeper's position (the last change applied, and the instant the codes were computed for), the feed's head, and the process that keeps them."},
	{name: "Position", typ: reflect.TypeFor[codes.Position](), desc: "How far a reader has applied a log: its sequence, and as of which instant."},
	{name: "PolicyInfo", typ: reflect.TypeFor[policyInfo](), desc: "The policy now running: its digest and rule IDs."},
	{name: "WhatIf", typ: reflect.TypeFor[risk.Report](), desc: "How many codes a policy would change, from which color to which, in all and by home region."},
	{name: "Transition", typ: reflect.TypeFor[risk.Transition](), desc: "Codes that would go from one color to another."},
	{name: "RegionReport", typ: reflect.TypeFor[risk.RegionReport](), desc: "The part of a what-if for one home region."},
}

var colors = []string{"green", "yellow", "red"}

// componentSchemas returns the document's component schemas.
func componentSchemas() object {
	names := map[reflect.Type]string{}
	defs := append(kindSchemas(), schemaDefs...)
	for _, d := range defs {
		if _, ok := names[d.typ]; !ok {
			names[d.typ] = d.name
		}
	}
	out := object{
		"Page": object{"type": "object", "required": []string{"items"},
			"description": "One page of a list. next is the cursor of the next page, absent or empty on the last.",
			"properties":  object{"items": object{"type": "array"}, "next": object{"type": "string"}}},
		"OpenAPI": object{"type": "object", "description": "An OpenAPI 3.1 document."},
	}
	for _, d := range defs {
		out[d.name] = d.schema(names)
		if d.paged {
			out[d.name+"Page"] = object{"allOf": []any{ref("Page"), object{
				"properties": object{"items": object{"type": "array", "items": ref(d.name)}}}}}
		}
	}
	return out
}

// schema makes the JSON Schema of a struct type.
func (d schemaDef) schema(names map[reflect.Type]string) object {
	props := object{}
	required := []string{}
	for _, f := range reflect.VisibleFields(d.typ) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || slices.Contains(d.omit, name) {
			continue
		}
		if name == "" {
			name = f.Name
		}
		p := typeSchema(f.Type, names)
		if v, ok := d.enums[name]; ok {
			p["enum"] = v
		}
		if n, ok := d.notes[name]; ok {
			p["description"] = n
		}
		if slices.Contains(d.readOnly, name) {
			p["readOnly"] = true
		}
		props[name] = p
		omit := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
		switch {
		case d.required != nil:
			if slices.Contains(d.required, name) {
				required = append(required, name)
			}
		case !omit && name != "id" && !slices.Contains(d.optional, name):
			required = append(required, name)
		}
	}
	return object{"type": "object", "description": d.desc, "properties": props, "required": required,
		"additionalProperties": false}
}

// typeSchema makes the JSON Schema of a field's type.
func typeSchema(t reflect.Type, names map[reflect.Type]string) object {
	switch t {
	case timeType:
		return object{"type": "string", "format": "date-time"}
	case durationType:
		return object{"type": "string", "pattern": `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`}
	}
	if name, ok := names[t]; ok {
		return ref(name)
	}
	switch t.Kind() {
	case reflect.String:
		return object{"type": "string"}
	case reflect.Bool:
		return object{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return object{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return object{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return object{"type": "string", "contentEncoding": "base64"} // as encoding/json writes bytes
		}
		return object{"type": "array", "items": typeSchema(t.Elem(), names)}
	case reflect.Pointer:
		return object{"anyOf": []any{typeSchema(t.Elem(), names), object{"type": "null"}}}
	}
	return object{}
}
