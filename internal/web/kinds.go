package web

import (
	"context"

	"outbreak/internal/approval"
	"outbreak/internal/cases"
	"outbreak/internal/ingest"
	"outbreak/internal/lab"
	"outbreak/internal/person"
	"outbreak/internal/place"
	"outbreak/internal/record"
	"outbreak/internal/supply"
	"outbreak/internal/visit"
)

// Filters shared by several kinds.
var (
	personFilter = param{"person", textParam, "records of this person only"}
	fromFilter   = param{"from", timeParam, "records at or after this instant"}
	toFilter     = param{"to", timeParam, "records before this instant"}
	depotFilter  = param{"depot", textParam, "records of this depot only"}
)

// kinds returns the resources of every kind of record, in the order the
// document lists them.
func (s *server) kinds() []kindRoutes {
	st := s.store
	return []kindRoutes{
		&resource[person.Resident]{kind: "people", schema: "Resident", noun: "resident", keyed: true, mintID: true,
			codec: ingest.Residents, id: func(v *person.Resident) *string { return &v.ID },
			validate: (*person.Resident).Validate, get: st.Resident, load: st.ImportResidents,
			filters: []param{{"home_region", textParam, "residents whose home region is this one"}},
			list: func(ctx context.Context, q query, p record.Page) ([]person.Resident, string, error) {
				return st.Residents(ctx, person.Filter{HomeRegion: q.str("home_region"), Page: p})
			}},
		&resource[place.Place]{kind: "places", schema: "Place", noun: "place", keyed: true, mintID: true,
			codec: ingest.Places, id: func(v *place.Place) *string { return &v.ID },
			validate: (*place.Place).Validate, get: st.Place, load: st.ImportPlaces,
			filters: []param{{"region", textParam, "places in this region (exactly, not its subregions)"},
				{"category", textParam, "places of this category"}},
			list: func(ctx context.Context, q query, p record.Page) ([]place.Place, string, error) {
				return st.Places(ctx, place.Filter{Region: q.str("region"), Category: q.str("category"), Page: p})
			}},
		&resource[place.Region]{kind: "regions", schema: "Region", noun: "region", keyed: true, mintID: true,
			codec: ingest.Regions, id: func(v *place.Region) *string { return &v.ID },
			validate: (*place.Region).Validate, get: st.Region, load: st.ImportRegions,
			filters: []param{{"parent", textParam, "the regions directly inside this one"}},
			list: func(ctx context.Context, q query, p record.Page) ([]place.Region, string, error) {
				return st.Regions(ctx, place.Filter{Region: q.str("parent"), Page: p})
			}},
		s.visits(),
		&resource[visit.Stay]{kind: "stays", schema: "Stay", noun: "stay in a region",
			codec: ingest.Stays, id: func(v *visit.Stay) *string { return &v.ID },
			validate: (*visit.Stay).Validate, get: st.Stay, load: st.ImportStays,
			filters: []param{personFilter, {"region", textParam, "stays in this region (exactly)"},
				{"from", timeParam, "stays that begin at or after this instant"}, {"to", timeParam, "stays that begin before this instant"}},
			list: func(ctx context.Context, q query, p record.Page) ([]visit.Stay, string, error) {
				return st.Stays(ctx, visit.Filter{Person: q.str("person"), Region: q.str("region"),
					From: q.time("from"), To: q.time("to"), Page: p})
			},
			add: st.AddStay},
		&resource[lab.Result]{kind: "labs", schema: "LabResult", noun: "lab result",
			codec: ingest.Labs, id: func(v *lab.Result) *string { return &v.ID },
			validate: (*lab.Result).Validate, get: st.Result, load: st.ImportResults,
			filters: []param{personFilter, {"from", timeParam, "specimens taken at or after this instant"},
				{"to", timeParam, "specimens taken before this instant"}},
			list: func(ctx context.Context, q query, p record.Page) ([]lab.Result, string, error) {
				return st.Results(ctx, labFilter(q, p))
			},
			add: st.AddResult},
		&resource[lab.Vaccination]{kind: "vaccinations", schema: "Vaccination", noun: "vaccination",
			codec: ingest.Vaccinations, id: func(v *lab.Vaccination) *string { return &v.ID },
			validate: (*lab.Vaccination).Validate, get: st.Vaccination, load: st.ImportVaccinations,
			filters: []param{personFilter, {"from", timeParam, "doses given at or after this instant"},
				{"to", timeParam, "doses given before this instant"}},
			list: func(ctx context.Context, q query, p record.Page) ([]lab.Vaccination, string, error) {
				return st.Vaccinations(ctx, labFilter(q, p))
			},
			add: st.AddVaccination},
		&resource[lab.Declaration]{kind: "declarations", schema: "Declaration", noun: "health declaration",
			codec: ingest.Declarations, id: func(v *lab.Declaration) *string { return &v.ID },
			validate: (*lab.Declaration).Validate, get: st.Declaration, load: st.ImportDeclarations,
			filters: []param{personFilter, {"from", timeParam, "declarations made at or after this instant"},
				{"to", timeParam, "declarations made before this instant"}},
			list: func(ctx context.Context, q query, p record.Page) ([]lab.Declaration, string, error) {
				return st.Declarations(ctx, labFilter(q, p))
			},
			add: st.AddDeclaration},
		&resource[cases.Case]{kind: "cases", schema: "Case", noun: "confirmed case", keyed: true,
			codec: ingest.Cases, id: func(v *cases.Case) *string { return &v.ID },
			validate: (*cases.Case).Validate, get: st.Case, load: st.ImportCases,
			filters: []param{personFilter, {"active", boolParam, "true: only cases not yet released"}},
			list: func(ctx context.Context, q query, p record.Page) ([]cases.Case, string, error) {
				return st.Cases(ctx, cases.Filter{Person: q.str("person"), Active: q.bool("active"), Page: p})
			}},
		&resource[approval.Appeal]{kind: "appeals", schema: "Appeal", noun: "appeal against a health code", keyed: true, mintID: true,
			codec: ingest.Appeals, id: func(v *approval.Appeal) *string { return &v.ID },
			validate: (*approval.Appeal).Validate, get: st.Appeal, load: st.ImportAppeals,
			filters: []param{personFilter, {"status", textParam, "appeals in this state: pending, approved or denied"}},
			list: func(ctx context.Context, q query, p record.Page) ([]approval.Appeal, string, error) {
				return st.Appeals(ctx, approval.Filter{Person: q.str("person"), Status: q.str("status"), Page: p})
			}},
		&resource[supply.Depot]{kind: "depots", schema: "Depot", noun: "depot", keyed: true, mintID: true,
			codec: ingest.Depots, id: func(v *supply.Depot) *string { return &v.ID },
			validate: (*supply.Depot).Validate, get: st.Depot, load: st.ImportDepots,
			list: func(ctx context.Context, q query, p record.Page) ([]supply.Depot, string, error) {
				return st.Depots(ctx, supply.Filter{Page: p})
			}},
		&resource[supply.Vehicle]{kind: "vehicles", schema: "Vehicle", noun: "vehicle", keyed: true, mintID: true,
			codec: ingest.Vehicles, id: func(v *supply.Vehicle) *string { return &v.ID },
			validate: (*supply.Vehicle).Validate, get: st.Vehicle, load: st.ImportVehicles,
			filters: []param{depotFilter},
			list: func(ctx context.Context, q query, p record.Page) ([]supply.Vehicle, string, error) {
				return st.Vehicles(ctx, supply.Filter{Depot: q.str("depot"), Page: p})
			}},
		&resource[supply.Lot]{kind: "stock", schema: "Lot", noun: "lot of stock", keyed: true, mintID: true,
			codec: ingest.Lots, id: func(v *supply.Lot) *string { return &v.ID },
			validate: (*supply.Lot).Validate, get: st.Lot, load: st.ImportLots,
			filters: []param{depotFilter, {"item", textParam, "lots of this item"}},
			list: func(ctx context.Context, q query, p record.Page) ([]supply.Lot, string, error) {
				return st.Lots(ctx, supply.Filter{Depot: q.str("depot"), Item: q.str("item"), Page: p})
			}},
		&resource[supply.Request]{kind: "requests", schema: "SupplyRequest", noun: "delivery request", keyed: true, mintID: true,
			codec: ingest.Requests, id: func(v *supply.Request) *string { return &v.ID },
			validate: (*supply.Request).Validate, get: st.Request, load: st.ImportRequests,
			filters: []param{{"status", textParam, "requests in this state: open, dispatched, delivered or cancelled"},
				{"item", textParam, "requests for this item"}},
			list: func(ctx context.Context, q query, p record.Page) ([]supply.Request, string, error) {
				return st.Requests(ctx, supply.Filter{Status: q.str("status"), Item: q.str("item"), Page: p})
			}},
	}
}

func labFilter(q query, p record.Page) lab.Filter {
	return lab.Filter{Person: q.str("person"), From: q.time("from"), To: q.time("to"), Page: p}
}
