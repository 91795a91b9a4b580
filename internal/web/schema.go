package web

import (
	"reflect"
	"slices"
	"strings"

	"outbreak/internal/approval"
	"outbreak/internal/cases"
	"outbreak/internal/codes"
	"outbreak/internal/credential"
	"outbreak/internal/lab"
	"outbreak/internal/person"
	"outbreak/internal/place"
	"outbreak/internal/record"
	"outbreak/internal/risk"
	"outbreak/internal/supply"
	"outbreak/internal/trace"
	"outbreak/internal/visit"
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
}

var serverID = []string{"id"}

// schemaDefs are the schemas of every type the API reads or writes.
var schemaDefs = []schemaDef{
	{name: "Resident", typ: reflect.TypeFor[person.Resident](), paged: true,
		desc:  "A resident. The ID is pseudonymous; name, phone and email are sealed at rest.",
		notes: map[string]string{"phone": "E.164, like +8613800000000", "time_zone": "IANA, like Asia/Shanghai", "language": "a language tag, like en or zh-Hans"}},
	{name: "Place", typ: reflect.TypeFor[place.Place](), paged: true, desc: "A venue with a check-in QR code.",
		notes: map[string]string{"default_dwell": "how long a visit without check-out lasts, as a Go duration like 45m; empty: the policy's default"}},
	{name: "Region", typ: reflect.TypeFor[place.Region](), paged: true,
		desc:  "An administrative area; every region but a country has a parent of a larger kind.",
		enums: map[string][]string{"kind": {place.Country, place.Province, place.City, place.District}}},
	{name: "Level", typ: reflect.TypeFor[place.Level](), readOnly: serverID,
		desc:  "A risk level set on a region for an interval; no to means until further notice.",
		enums: map[string][]string{"level": {place.Low, place.Medium, place.High}}},
	{name: "LevelList", typ: reflect.TypeFor[levelList](), desc: "The risk levels set on a region, oldest first."},
	{name: "Visit", typ: reflect.TypeFor[visit.Visit](), paged: true, readOnly: serverID,
		desc:  "A check-in of a person at a place.",
		notes: map[string]string{"check_out": "absent: the person did not check out; tracing assumes the place's default dwell"}},
	{name: "CheckIn", typ: reflect.TypeFor[checkIn](), desc: "One check-in; check_in defaults to now (or ?at=)."},
	{name: "CheckOut", typ: reflect.TypeFor[checkOut](), desc: "A check-out; at defaults to now (or ?at=). The body may be empty."},
	{name: "Stay", typ: reflect.TypeFor[visit.Stay](), paged: true, readOnly: serverID,
		desc: "A period a person spent in a region; no to means still there."},
	{name: "LabResult", typ: reflect.TypeFor[lab.Result](), paged: true, readOnly: serverID,
		desc:  "The result of one test on a specimen.",
		enums: map[string][]string{"result": {lab.Positive, lab.Negative, lab.Inconclusive}}},
	{name: "Vaccination", typ: reflect.TypeFor[lab.Vaccination](), paged: true, readOnly: serverID,
		desc: "One dose given to a person."},
	{name: "Declaration", typ: reflect.TypeFor[lab.Declaration](), paged: true, readOnly: serverID, optional: []string{"symptoms"},
		desc: "A daily health declaration; no symptoms means the resident declared themselves well."},
	{name: "Case", typ: reflect.TypeFor[cases.Case](), paged: true,
		desc:  "A confirmed infection. Onset is symptom onset, or specimen time if asymptomatic.",
		notes: map[string]string{"id": "defaults to the person's ID", "isolated": "absent: not isolated yet", "released": "absent: not released yet"}},
	{name: "Appeal", typ: reflect.TypeFor[approval.Appeal](), paged: true,
		desc:  "An appeal against a resident's health code. Once approved, color stands in for the computed color from decided until expires.",
		enums: map[string][]string{"status": {approval.Pending, approval.Approved, approval.Denied}, "color": colors}},
	{name: "Depot", typ: reflect.TypeFor[supply.Depot](), paged: true,
		desc:  "A store that vehicles leave from and come back to.",
		notes: map[string]string{"time_zone": "IANA, like Asia/Shanghai: the zone of its vehicles' shifts; empty: UTC"}},
	{name: "Vehicle", typ: reflect.TypeFor[supply.Vehicle](), paged: true,
		desc: "A vehicle based at a depot, with a capacity in units per temperature class and a shift as times of day in the depot's time zone.",
		notes: map[string]string{"shift_start": "a time of day as a Go duration from midnight, like 8h; empty: midnight",
			"shift_end": "a time of day as a Go duration from midnight, after shift_start, at most 48h",
			"max_out":   "how long the vehicle may be out of the depot (the cold-chain limit); absent: the whole shift"}},
	{name: "Lot", typ: reflect.TypeFor[supply.Lot](), paged: true,
		desc:  "Stock of one item at a depot: a lot number, its expiry, its temperature class and the units on hand.",
		enums: map[string][]string{"temperature": supply.Classes[:]},
		notes: map[string]string{"lot": "the lot number", "expiry": "absent: the lot does not expire"}},
	{name: "SupplyRequest", typ: reflect.TypeFor[supply.Request](), paged: true, optional: []string{"status"},
		desc: "A request for a quantity of an item delivered to a site within a slot; higher priorities are served first.",
		enums: map[string][]string{"kind": {supply.VaccinationPoint, supply.Hospital, supply.Household, supply.OtherSite},
			"status": {supply.Open, supply.Dispatched, supply.Delivered, supply.Cancelled}},
		notes: map[string]string{"person": "the resident of a quarantined household", "priority": "0 to 9, highest first; absent: 0",
			"slot_from": "unloading starts at or after this instant; absent with slot_to: any time in a shift",
			"slot_to":   "unloading starts at or before this instant", "service": "how long unloading takes; absent: 10m",
			"status": "absent: open", "plan": "the plan that dispatched the request"}},
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
	{name: "FieldError", typ: reflect.TypeFor[FieldError](), desc: "What is wrong with one field; field is absent when the fault is not in one field."},
	{name: "BatchResult", typ: reflect.TypeFor[BatchResult](), desc: "The result of a batch import, with one result per non-blank line."},
	{name: "BatchItem", typ: reflect.TypeFor[BatchItem](),
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
	for _, d := range schemaDefs {
		names[d.typ] = d.name
	}
	out := object{
		"Page": object{"type": "object", "required": []string{"items"},
			"description": "One page of a list. next is the cursor of the next page, absent or empty on the last.",
			"properties":  object{"items": object{"type": "array"}, "next": object{"type": "string"}}},
		"OpenAPI": object{"type": "object", "description": "An OpenAPI 3.1 document."},
	}
	for _, d := range schemaDefs {
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
		if name == "-" {
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
		if !omit && name != "id" && !slices.Contains(d.optional, name) {
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
