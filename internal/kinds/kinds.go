package kinds

import (
	"context"
	"slices"
	"strings"
	"time"

	"outbreak/internal/approval"
	"outbreak/internal/cases"
	"outbreak/internal/errs"
	"outbreak/internal/lab"
	"outbreak/internal/person"
	"outbreak/internal/place"
	"outbreak/internal/record"
	"outbreak/internal/supply"
	"outbreak/internal/visit"
)

// The kinds of record, one table entry each. Fields are listed in the order
// of the type's JSON fields; the CSV header is every field not marked extra,
// which matches DESIGN.md ("Identifiers and file formats").
var (
	// Regions are place.Region: id,name,parent,kind.
	Regions = define(spec[place.Region]{name: "regions", schema: "Region", noun: "region", keyed: true, mintID: true, codes: RegionTree,
		doc: "An administrative area; every region but a country has a parent of a larger kind.",
		id:  func(r *place.Region) *string { return &r.ID }, validate: (*place.Region).Validate, get: Store.Region, load: Store.ImportRegions,
		filters: []Filter{{"parent", FilterText, "the regions directly inside this one"}},
		list: func(ctx context.Context, st Store, q Query, p record.Page) ([]place.Region, string, error) {
			return st.Regions(ctx, place.Filter{Region: q.Text("parent"), Page: p})
		},
		fields: []field[place.Region]{
			text("id", required, func(r *place.Region) *string { return &r.ID }),
			text("name", required, func(r *place.Region) *string { return &r.Name }),
			text("parent", optional, func(r *place.Region) *string { return &r.Parent }),
			text("kind", required, func(r *place.Region) *string { return &r.Kind }).oneOf(place.Country, place.Province, place.City, place.District),
		}})

	// RegionLevels are place.Level: region,level,from,to. The API lists
	// and sets them under their region.
	RegionLevels = define(spec[place.Level]{name: "region_levels", schema: "Level", noun: "risk level", nested: true, codes: RegionTree,
		doc: "A risk level set on a region for an interval; no to means until further notice.",
		id:  func(l *place.Level) *string { return &l.ID }, validate: (*place.Level).Validate, load: Store.ImportLevels, add: Store.AddLevel,
		list: listLevels,
		fields: []field[place.Level]{
			text("id", extra, func(l *place.Level) *string { return &l.ID }),
			text("region", required, func(l *place.Level) *string { return &l.Region }),
			text("level", required, func(l *place.Level) *string { return &l.Level }).oneOf(place.Low, place.Medium, place.High),
			instant("from", required, func(l *place.Level) *time.Time { return &l.From }),
			instant("to", optional, func(l *place.Level) *time.Time { return &l.To }),
		}})

	// Places are place.Place: id,name,region,category,lat,lon,default_dwell.
	Places = define(spec[place.Place]{name: "places", schema: "Place", noun: "place", keyed: true, mintID: true, codes: PlaceRecord,
		doc: "A venue with a check-in QR code.",
		id:  func(p *place.Place) *string { return &p.ID }, validate: (*place.Place).Validate, get: Store.Place, load: Store.ImportPlaces,
		filters: []Filter{{"region", FilterText, "places in this region (exactly, not its subregions)"}, {"category", FilterText, "places of this category"}},
		list: func(ctx context.Context, st Store, q Query, p record.Page) ([]place.Place, string, error) {
			return st.Places(ctx, place.Filter{Region: q.Text("region"), Category: q.Text("category"), Page: p})
		},
		fields: []field[place.Place]{
			text("id", required, func(p *place.Place) *string { return &p.ID }),
			text("name", required, func(p *place.Place) *string { return &p.Name }),
			text("region", required, func(p *place.Place) *string { return &p.Region }),
			text("category", optional, func(p *place.Place) *string { return &p.Category }),
			float("lat", required, func(p *place.Place) *float64 { return &p.Lat }),
			float("lon", required, func(p *place.Place) *float64 { return &p.Lon }),
			duration("default_dwell", optional, func(p *place.Place) *record.Duration { return &p.DefaultDwell }).
				says("how long a visit without check-out lasts, as a Go duration like 45m; empty: the policy's default"),
		}})

	// Residents are person.Resident: id,name,phone,email,language,time_zone,home_region.
	Residents = define(spec[person.Resident]{name: "residents", path: "people", schema: "Resident", noun: "resident", keyed: true, mintID: true,
		doc: "A resident. The ID is pseudonymous; name, phone and email are sealed at rest.",
		id:  func(r *person.Resident) *string { return &r.ID }, validate: (*person.Resident).Validate, get: Store.Resident, load: Store.ImportResidents,
		filters: []Filter{{"home_region", FilterText, "residents whose home region is this one"}},
		list: func(ctx context.Context, st Store, q Query, p record.Page) ([]person.Resident, string, error) {
			return st.Residents(ctx, person.Filter{HomeRegion: q.Text("home_region"), Page: p})
		},
		fields: []field[person.Resident]{
			text("id", required, func(r *person.Resident) *string { return &r.ID }),
			text("name", optional, func(r *person.Resident) *string { return &r.Name }),
			text("phone", optional, func(r *person.Resident) *string { return &r.Phone }).says("E.164, like +8613800000000"),
			text("email", optional, func(r *person.Resident) *string { return &r.Email }),
			text("language", optional, func(r *person.Resident) *string { return &r.Language }).says("a language tag, like en or zh-Hans"),
			text("time_zone", optional, func(r *person.Resident) *string { return &r.TimeZone }).says("IANA, like Asia/Shanghai"),
			text("home_region", optional, func(r *person.Resident) *string { return &r.HomeRegion }),
		}})

	// Visits are visit.Visit: person,place,check_in,check_out.
	Visits = define(spec[visit.Visit]{name: "visits", schema: "Visit", noun: "visit", codes: VisitRange,
		doc: "A check-in of a person at a place; a visit is known by its person, place and check-in.",
		id:  func(v *visit.Visit) *string { return &v.ID }, validate: (*visit.Visit).Validate, get: Store.Visit, load: Store.ImportVisits,
		add: func(st Store, ctx context.Context, v visit.Visit) (visit.Visit, error) {
			v, _, err := st.AddVisit(ctx, v)
			return v, err
		},
		filters: []Filter{personFilter, {"place", FilterText, "visits to this place"},
			{"from", FilterTime, "visits that check in at or after this instant"}, {"to", FilterTime, "visits that check in before this instant"}},
		list: func(ctx context.Context, st Store, q Query, p record.Page) ([]visit.Visit, string, error) {
			return st.Visits(ctx, visit.Filter{Person: q.Text("person"), Place: q.Text("place"), From: q.Time("from"), To: q.Time("to"), Page: p})
		},
		fields: []field[visit.Visit]{
			text("id", extra, func(v *visit.Visit) *string { return &v.ID }),
			text("person", required, func(v *visit.Visit) *string { return &v.Person }),
			text("place", required, func(v *visit.Visit) *string { return &v.Place }),
			instant("check_in", required, func(v *visit.Visit) *time.Time { return &v.CheckIn }),
			instant("check_out", optional, func(v *visit.Visit) *time.Time { return &v.CheckOut }).
				says("absent: the person did not check out; tracing assumes the place's default dwell"),
		}})

	// Stays are visit.Stay: person,region,from,to.
	Stays = define(spec[visit.Stay]{name: "stays", schema: "Stay", noun: "stay in a region", codes: PersonFacts,
		doc: "A period a person spent in a region; no to means still there.",
		id:  func(s *visit.Stay) *string { return &s.ID }, validate: (*visit.Stay).Validate, get: Store.Stay, load: Store.ImportStays, add: Store.AddStay,
		filters: []Filter{personFilter, {"region", FilterText, "stays in this region (exactly)"},
			{"from", FilterTime, "stays that begin at or after this instant"}, {"to", FilterTime, "stays that begin before this instant"}},
		list: func(ctx context.Context, st Store, q Query, p record.Page) ([]visit.Stay, string, error) {
			return st.Stays(ctx, visit.Filter{Person: q.Text("person"), Region: q.Text("region"), From: q.Time("from"), To: q.Time("to"), Page: p})
		},
		fields: []field[visit.Stay]{
			text("id", extra, func(s *visit.Stay) *string { return &s.ID }),
			text("person", required, func(s *visit.Stay) *string { return &s.Person }),
			text("region", required, func(s *visit.Stay) *string { return &s.Region }),
			instant("from", required, func(s *visit.Stay) *time.Time { return &s.From }),
			instant("to", optional, func(s *visit.Stay) *time.Time { return &s.To }),
		}})

	// Labs are lab.Result: person,specimen_at,result,test_type.
	Labs = define(spec[lab.Result]{name: "labs", schema: "LabResult", noun: "lab result", codes: PersonFacts,
		doc: "The result of one test on a specimen.",
		id:  func(r *lab.Result) *string { return &r.ID }, validate: (*lab.Result).Validate, get: Store.Result, load: Store.ImportResults, add: Store.AddResult,
		filters: []Filter{personFilter, {"from", FilterTime, "specimens taken at or after this instant"}, {"to", FilterTime, "specimens taken before this instant"}},
		list: func(ctx context.Context, st Store, q Query, p record.Page) ([]lab.Result, string, error) {
			return st.Results(ctx, labFilter(q, p))
		},
		fields: []field[lab.Result]{
			text("id", extra, func(r *lab.Result) *string { return &r.ID }),
			text("person", required, func(r *lab.Result) *string { return &r.Person }),
			instant("specimen_at", required, func(r *lab.Result) *time.Time { return &r.SpecimenAt }),
			text("result", required, func(r *lab.Result) *string { return &r.Result }).oneOf(lab.Positive, lab.Negative, lab.Inconclusive),
			text("test_type", required, func(r *lab.Result) *string { return &r.TestType }),
		}})

	// Vaccinations are lab.Vaccination: person,given_at,product,dose.
	Vaccinations = define(spec[lab.Vaccination]{name: "vaccinations", schema: "Vaccination", noun: "vaccination", codes: NoEffect,
		doc: "One dose given to a person.",
		id:  func(v *lab.Vaccination) *string { return &v.ID }, validate: (*lab.Vaccination).Validate, get: Store.Vaccination,
		load: Store.ImportVaccinations, add: Store.AddVaccination,
		filters: []Filter{personFilter, {"from", FilterTime, "doses given at or after this instant"}, {"to", FilterTime, "doses given before this instant"}},
		list: func(ctx context.Context, st Store, q Query, p record.Page) ([]lab.Vaccination, string, error) {
			return st.Vaccinations(ctx, labFilter(q, p))
		},
		fields: []field[lab.Vaccination]{
			text("id", extra, func(v *lab.Vaccination) *string { return &v.ID }),
			text("person", required, func(v *lab.Vaccination) *string { return &v.Person }),
			instant("given_at", required, func(v *lab.Vaccination) *time.Time { return &v.GivenAt }),
			text("product", required, func(v *lab.Vaccination) *string { return &v.Product }),
			integer("dose", required, func(v *lab.Vaccination) *int { return &v.Dose }),
		}})

	// Declarations are lab.Declaration: person,declared_at,symptoms.
	Declarations = define(spec[lab.Declaration]{name: "declarations", schema: "Declaration", noun: "health declaration", codes: PersonFacts,
		doc: "A daily health declaration; no symptoms means the resident declared themselves well.",
		id:  func(d *lab.Declaration) *string { return &d.ID }, validate: (*lab.Declaration).Validate, get: Store.Declaration,
		load: Store.ImportDeclarations, add: Store.AddDeclaration,
		filters: []Filter{personFilter, {"from", FilterTime, "declarations made at or after this instant"}, {"to", FilterTime, "declarations made before this instant"}},
		list: func(ctx context.Context, st Store, q Query, p record.Page) ([]lab.Declaration, string, error) {
			return st.Declarations(ctx, labFilter(q, p))
		},
		fields: []field[lab.Declaration]{
			text("id", extra, func(d *lab.Declaration) *string { return &d.ID }),
			text("person", required, func(d *lab.Declaration) *string { return &d.Person }),
			instant("declared_at", required, func(d *lab.Declaration) *time.Time { return &d.DeclaredAt }),
			list("symptoms", required, func(d *lab.Declaration) *[]string { return &d.Symptoms }),
		}})

	// Cases are cases.Case: person,onset,isolated,released. The ID, which
	// defaults to the person's, is accepted as an extra column.
	Cases = define(spec[cases.Case]{name: "cases", schema: "Case", noun: "confirmed case", keyed: true, codes: CaseRecord,
		doc: "A confirmed infection. Onset is symptom onset, or specimen time if asymptomatic.",
		id:  func(c *cases.Case) *string { return &c.ID }, validate: (*cases.Case).Validate, get: Store.Case, load: Store.ImportCases,
		filters: []Filter{personFilter, {"active", FilterBool, "true: only cases not yet released"}},
		list: func(ctx context.Context, st Store, q Query, p record.Page) ([]cases.Case, string, error) {
			return st.Cases(ctx, cases.Filter{Person: q.Text("person"), Active: q.Bool("active"), Page: p})
		},
		fields: []field[cases.Case]{
			text("id", extra, func(c *cases.Case) *string { return &c.ID }).says("defaults to the person's ID"),
			text("person", required, func(c *cases.Case) *string { return &c.Person }),
			instant("onset", required, func(c *cases.Case) *time.Time { return &c.Onset }),
			instant("isolated", optional, func(c *cases.Case) *time.Time { return &c.Isolated }).says("absent: not isolated yet"),
			instant("released", optional, func(c *cases.Case) *time.Time { return &c.Released }).says("absent: not released yet"),
		}})

	// Appeals are approval.Appeal: id,person,status,color,decided,expires,reason.
	Appeals = define(spec[approval.Appeal]{name: "appeals", schema: "Appeal", noun: "appeal against a health code", keyed: true, mintID: true,
		codes: AppealRecord,
		doc:   "An appeal against a resident's health code. Once approved, color stands in for the computed color from decided until expires.",
		id:    func(a *approval.Appeal) *string { return &a.ID }, validate: (*approval.Appeal).Validate, get: Store.Appeal, load: Store.ImportAppeals,
		filters: []Filter{personFilter, {"status", FilterText, "appeals in this state: pending, approved or denied"}},
		list: func(ctx context.Context, st Store, q Query, p record.Page) ([]approval.Appeal, string, error) {
			return st.Appeals(ctx, approval.Filter{Person: q.Text("person"), Status: q.Text("status"), Page: p})
		},
		fields: []field[approval.Appeal]{
			text("id", required, func(a *approval.Appeal) *string { return &a.ID }),
			text("person", required, func(a *approval.Appeal) *string { return &a.Person }),
			text("status", required, func(a *approval.Appeal) *string { return &a.Status }).oneOf(approval.Pending, approval.Approved, approval.Denied),
			text("color", optional, func(a *approval.Appeal) *string { return &a.Color }).oneOf(colors...),
			instant("decided", optional, func(a *approval.Appeal) *time.Time { return &a.Decided }),
			instant("expires", optional, func(a *approval.Appeal) *time.Time { return &a.Expires }),
			text("reason", optional, func(a *approval.Appeal) *string { return &a.Reason }),
		}})

	// Depots are supply.Depot: id,name,lat,lon,time_zone.
	Depots = define(spec[supply.Depot]{name: "depots", schema: "Depot", noun: "depot", keyed: true, mintID: true,
		doc: "A store that vehicles leave from and come back to.",
		id:  func(d *supply.Depot) *string { return &d.ID }, validate: (*supply.Depot).Validate, get: Store.Depot, load: Store.ImportDepots,
		list: func(ctx context.Context, st Store, _ Query, p record.Page) ([]supply.Depot, string, error) {
			return st.Depots(ctx, supply.Filter{Page: p})
		},
		fields: []field[supply.Depot]{
			text("id", required, func(d *supply.Depot) *string { return &d.ID }),
			text("name", required, func(d *supply.Depot) *string { return &d.Name }),
			float("lat", required, func(d *supply.Depot) *float64 { return &d.Lat }),
			float("lon", required, func(d *supply.Depot) *float64 { return &d.Lon }),
			text("time_zone", optional, func(d *supply.Depot) *string { return &d.TimeZone }).
				says("IANA, like Asia/Shanghai: the zone of its vehicles' shifts; empty: UTC"),
		}})

	// Vehicles are supply.Vehicle:
	// id,depot,ambient,chilled,frozen,shift_start,shift_end,max_out. A
	// missing capacity is zero; shift_start is optional because midnight
	// (0h) writes as an empty duration.
	Vehicles = define(spec[supply.Vehicle]{name: "vehicles", schema: "Vehicle", noun: "vehicle", keyed: true, mintID: true,
		doc: "A vehicle based at a depot, with a capacity in units per temperature class and a shift as times of day in the depot's time zone.",
		id:  func(v *supply.Vehicle) *string { return &v.ID }, validate: (*supply.Vehicle).Validate, get: Store.Vehicle, load: Store.ImportVehicles,
		filters: []Filter{depotFilter},
		list: func(ctx context.Context, st Store, q Query, p record.Page) ([]supply.Vehicle, string, error) {
			return st.Vehicles(ctx, supply.Filter{Depot: q.Text("depot"), Page: p})
		},
		fields: []field[supply.Vehicle]{
			text("id", required, func(v *supply.Vehicle) *string { return &v.ID }),
			text("depot", required, func(v *supply.Vehicle) *string { return &v.Depot }),
			integer("ambient", optional, func(v *supply.Vehicle) *int { return &v.Ambient }),
			integer("chilled", optional, func(v *supply.Vehicle) *int { return &v.Chilled }),
			integer("frozen", optional, func(v *supply.Vehicle) *int { return &v.Frozen }),
			duration("shift_start", optional, func(v *supply.Vehicle) *record.Duration { return &v.ShiftStart }).
				says("a time of day as a Go duration from midnight, like 8h; empty: midnight"),
			duration("shift_end", required, func(v *supply.Vehicle) *record.Duration { return &v.ShiftEnd }).
				says("a time of day as a Go duration from midnight, after shift_start, at most 48h"),
			duration("max_out", optional, func(v *supply.Vehicle) *record.Duration { return &v.MaxOut }).
				says("how long the vehicle may be out of the depot (the cold-chain limit); absent: the whole shift"),
		}})

	// Lots are supply.Lot, the kind called stock:
	// id,depot,item,lot,expiry,temperature,quantity.
	Lots = define(spec[supply.Lot]{name: "stock", schema: "Lot", noun: "lot of stock", keyed: true, mintID: true,
		doc: "Stock of one item at a depot: a lot number, its expiry, its temperature class and the units on hand.",
		id:  func(l *supply.Lot) *string { return &l.ID }, validate: (*supply.Lot).Validate, get: Store.Lot, load: Store.ImportLots,
		filters: []Filter{depotFilter, {"item", FilterText, "lots of this item"}},
		list: func(ctx context.Context, st Store, q Query, p record.Page) ([]supply.Lot, string, error) {
			return st.Lots(ctx, supply.Filter{Depot: q.Text("depot"), Item: q.Text("item"), Page: p})
		},
		fields: []field[supply.Lot]{
			text("id", required, func(l *supply.Lot) *string { return &l.ID }),
			text("depot", required, func(l *supply.Lot) *string { return &l.Depot }),
			text("item", required, func(l *supply.Lot) *string { return &l.Item }),
			text("lot", optional, func(l *supply.Lot) *string { return &l.Lot }).says("the lot number"),
			instant("expiry", optional, func(l *supply.Lot) *time.Time { return &l.Expiry }).says("absent: the lot does not expire"),
			text("temperature", required, func(l *supply.Lot) *string { return &l.Temperature }).oneOf(supply.Classes[:]...),
			integer("quantity", required, func(l *supply.Lot) *int { return &l.Quantity }),
		}})

	// Requests are supply.Request: id,site,kind,person,lat,lon,item,quantity,
	// priority,slot_from,slot_to,service,created,status,plan. An empty status
	// is open.
	Requests = define(spec[supply.Request]{name: "requests", schema: "SupplyRequest", noun: "delivery request", keyed: true, mintID: true,
		doc: "A request for a quantity of an item delivered to a site within a slot; higher priorities are served first.",
		id:  func(r *supply.Request) *string { return &r.ID }, validate: (*supply.Request).Validate, get: Store.Request, load: Store.ImportRequests,
		filters: []Filter{{"status", FilterText, "requests in this state: open, dispatched, delivered or cancelled"}, {"item", FilterText, "requests for this item"}},
		list: func(ctx context.Context, st Store, q Query, p record.Page) ([]supply.Request, string, error) {
			return st.Requests(ctx, supply.Filter{Status: q.Text("status"), Item: q.Text("item"), Page: p})
		},
		fields: []field[supply.Request]{
			text("id", required, func(r *supply.Request) *string { return &r.ID }),
			text("site", required, func(r *supply.Request) *string { return &r.Site }),
			text("kind", required, func(r *supply.Request) *string { return &r.Kind }).
				oneOf(supply.VaccinationPoint, supply.Hospital, supply.Household, supply.OtherSite),
			text("person", optional, func(r *supply.Request) *string { return &r.Person }).says("the resident of a quarantined household"),
			float("lat", required, func(r *supply.Request) *float64 { return &r.Lat }),
			float("lon", required, func(r *supply.Request) *float64 { return &r.Lon }),
			text("item", required, func(r *supply.Request) *string { return &r.Item }),
			integer("quantity", required, func(r *supply.Request) *int { return &r.Quantity }),
			integer("priority", optional, func(r *supply.Request) *int { return &r.Priority }).says("0 to 9, highest first; absent: 0"),
			instant("slot_from", optional, func(r *supply.Request) *time.Time { return &r.SlotFrom }).
				says("unloading starts at or after this instant; absent with slot_to: any time in a shift"),
			instant("slot_to", optional, func(r *supply.Request) *time.Time { return &r.SlotTo }).says("unloading starts at or before this instant"),
			duration("service", optional, func(r *supply.Request) *record.Duration { return &r.Service }).says("how long unloading takes; absent: 10m"),
			instant("created", optional, func(r *supply.Request) *time.Time { return &r.Created }),
			text("status", optional, func(r *supply.Request) *string { return &r.Status }).says("absent: open").
				oneOf(supply.Open, supply.Dispatched, supply.Delivered, supply.Cancelled),
			text("plan", optional, func(r *supply.Request) *string { return &r.Plan }).says("the plan that dispatched the request"),
		}})
)

// Filters shared by several kinds.
var (
	personFilter = Filter{"person", FilterText, "records of this person only"}
	depotFilter  = Filter{"depot", FilterText, "records of this depot only"}
)

// colors are the colors of a health code.
var colors = []string{"green", "yellow", "red"}

func labFilter(q Query, p record.Page) lab.Filter {
	return lab.Filter{Person: q.Text("person"), From: q.Time("from"), To: q.Time("to"), Page: p}
}

// listLevels pages through regions and returns the levels of each page of
// them, since a store lists levels per region.
func listLevels(ctx context.Context, st Store, _ Query, p record.Page) ([]place.Level, string, error) {
	for {
		regions, next, err := st.Regions(ctx, place.Filter{Page: p})
		if err != nil {
			return nil, "", err
		}
		var out []place.Level
		for _, r := range regions {
			levels, err := st.Levels(ctx, r.ID)
			if err != nil {
				return nil, "", err
			}
			out = append(out, levels...)
		}
		// A page of regions with no levels is not the end of the list.
		if len(out) > 0 || next == "" || next == p.After {
			return out, next, nil
		}
		p.After = next
	}
}

// all lists the kinds in the order to import them, each after the kinds
// its records refer to.
var all = []Any{Regions, RegionLevels, Places, Residents, Visits, Stays, Labs, Vaccinations, Declarations, Cases, Appeals,
	Depots, Vehicles, Lots, Requests}

// All returns every kind, in the order to import them so that references
// resolve.
func All() []Any { return slices.Clone(all) }

// Kinds returns the names of the kinds of record that import and export
// handle, in the order to import them so that references resolve.
func Kinds() []string {
	names := make([]string, len(all))
	for i, k := range all {
		names[i] = k.Name()
	}
	return names
}

// Header returns the CSV header of kind, as export writes it, or nil for an
// unknown kind.
func Header(kind string) []string {
	k, err := Lookup(kind)
	if err != nil {
		return nil
	}
	return k.Header()
}

// Lookup returns the kind of a name (Invalid: no such kind).
func Lookup(name string) (Any, error) {
	i := slices.IndexFunc(all, func(k Any) bool { return k.Name() == name })
	if i < 0 {
		return nil, errs.E(errs.Invalid, "unknown kind %q (want one of %s)", name, strings.Join(Kinds(), ", "))
	}
	return all[i], nil
}
