package ingest

import (
	"context"
	"io"
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

// The codecs of every kind, one table entry each. Fields are listed in the
// order of the type's JSON fields; the CSV header is every field not marked
// extra, which matches DESIGN.md ("Identifiers and file formats").
var (
	// Regions reads and writes place.Region: id,name,parent,kind.
	Regions = newCodec("regions", (*place.Region).Validate, Store.ImportRegions,
		func(ctx context.Context, st Store, p record.Page) ([]place.Region, string, error) {
			return st.Regions(ctx, place.Filter{Page: p})
		},
		text("id", required, func(r *place.Region) *string { return &r.ID }),
		text("name", required, func(r *place.Region) *string { return &r.Name }),
		text("parent", optional, func(r *place.Region) *string { return &r.Parent }),
		text("kind", required, func(r *place.Region) *string { return &r.Kind }),
	)

	// RegionLevels reads and writes place.Level: region,level,from,to.
	RegionLevels = newCodec("region_levels", (*place.Level).Validate, Store.ImportLevels, listLevels,
		text("id", extra, func(l *place.Level) *string { return &l.ID }),
		text("region", required, func(l *place.Level) *string { return &l.Region }),
		text("level", required, func(l *place.Level) *string { return &l.Level }),
		instant("from", required, func(l *place.Level) *time.Time { return &l.From }),
		instant("to", optional, func(l *place.Level) *time.Time { return &l.To }),
	)

	// Places reads and writes place.Place: id,name,region,category,lat,lon,default_dwell.
	Places = newCodec("places", (*place.Place).Validate, Store.ImportPlaces,
		func(ctx context.Context, st Store, p record.Page) ([]place.Place, string, error) {
			return st.Places(ctx, place.Filter{Page: p})
		},
		text("id", required, func(p *place.Place) *string { return &p.ID }),
		text("name", required, func(p *place.Place) *string { return &p.Name }),
		text("region", required, func(p *place.Place) *string { return &p.Region }),
		text("category", optional, func(p *place.Place) *string { return &p.Category }),
		float("lat", required, func(p *place.Place) *float64 { return &p.Lat }),
		float("lon", required, func(p *place.Place) *float64 { return &p.Lon }),
		duration("default_dwell", optional, func(p *place.Place) *record.Duration { return &p.DefaultDwell }),
	)

	// Residents reads and writes person.Resident: id,name,phone,email,language,time_zone,home_region.
	Residents = newCodec("residents", (*person.Resident).Validate, Store.ImportResidents,
		func(ctx context.Context, st Store, p record.Page) ([]person.Resident, string, error) {
			return st.Residents(ctx, person.Filter{Page: p})
		},
		text("id", required, func(r *person.Resident) *string { return &r.ID }),
		text("name", optional, func(r *person.Resident) *string { return &r.Name }),
		text("phone", optional, func(r *person.Resident) *string { return &r.Phone }),
		text("email", optional, func(r *person.Resident) *string { return &r.Email }),
		text("language", optional, func(r *person.Resident) *string { return &r.Language }),
		text("time_zone", optional, func(r *person.Resident) *string { return &r.TimeZone }),
		text("home_region", optional, func(r *person.Resident) *string { return &r.HomeRegion }),
	)

	// Visits reads and writes visit.Visit: person,place,check_in,check_out.
	Visits = newCodec("visits", (*visit.Visit).Validate, Store.ImportVisits,
		func(ctx context.Context, st Store, p record.Page) ([]visit.Visit, string, error) {
			return st.Visits(ctx, visit.Filter{Page: p})
		},
		text("id", extra, func(v *visit.Visit) *string { return &v.ID }),
		text("person", required, func(v *visit.Visit) *string { return &v.Person }),
		text("place", required, func(v *visit.Visit) *string { return &v.Place }),
		instant("check_in", required, func(v *visit.Visit) *time.Time { return &v.CheckIn }),
		instant("check_out", optional, func(v *visit.Visit) *time.Time { return &v.CheckOut }),
	)

	// Stays reads and writes visit.Stay: person,region,from,to.
	Stays = newCodec("stays", (*visit.Stay).Validate, Store.ImportStays,
		func(ctx context.Context, st Store, p record.Page) ([]visit.Stay, string, error) {
			return st.Stays(ctx, visit.Filter{Page: p})
		},
		text("id", extra, func(s *visit.Stay) *string { return &s.ID }),
		text("person", required, func(s *visit.Stay) *string { return &s.Person }),
		text("region", required, func(s *visit.Stay) *string { return &s.Region }),
		instant("from", required, func(s *visit.Stay) *time.Time { return &s.From }),
		instant("to", optional, func(s *visit.Stay) *time.Time { return &s.To }),
	)

	// Labs reads and writes lab.Result: person,specimen_at,result,test_type.
	Labs = newCodec("labs", (*lab.Result).Validate, Store.ImportResults,
		func(ctx context.Context, st Store, p record.Page) ([]lab.Result, string, error) {
			return st.Results(ctx, lab.Filter{Page: p})
		},
		text("id", extra, func(r *lab.Result) *string { return &r.ID }),
		text("person", required, func(r *lab.Result) *string { return &r.Person }),
		instant("specimen_at", required, func(r *lab.Result) *time.Time { return &r.SpecimenAt }),
		text("result", required, func(r *lab.Result) *string { return &r.Result }),
		text("test_type", required, func(r *lab.Result) *string { return &r.TestType }),
	)

	// Vaccinations reads and writes lab.Vaccination: person,given_at,product,dose.
	Vaccinations = newCodec("vaccinations", (*lab.Vaccination).Validate, Store.ImportVaccinations,
		func(ctx context.Context, st Store, p record.Page) ([]lab.Vaccination, string, error) {
			return st.Vaccinations(ctx, lab.Filter{Page: p})
		},
		text("id", extra, func(v *lab.Vaccination) *string { return &v.ID }),
		text("person", required, func(v *lab.Vaccination) *string { return &v.Person }),
		instant("given_at", required, func(v *lab.Vaccination) *time.Time { return &v.GivenAt }),
		text("product", required, func(v *lab.Vaccination) *string { return &v.Product }),
		integer("dose", required, func(v *lab.Vaccination) *int { return &v.Dose }),
	)

	// Declarations reads and writes lab.Declaration: person,declared_at,symptoms.
	Declarations = newCodec("declarations", (*lab.Declaration).Validate, Store.ImportDeclarations,
		func(ctx context.Context, st Store, p record.Page) ([]lab.Declaration, string, error) {
			return st.Declarations(ctx, lab.Filter{Page: p})
		},
		text("id", extra, func(d *lab.Declaration) *string { return &d.ID }),
		text("person", required, func(d *lab.Declaration) *string { return &d.Person }),
		instant("declared_at", required, func(d *lab.Declaration) *time.Time { return &d.DeclaredAt }),
		list("symptoms", required, func(d *lab.Declaration) *[]string { return &d.Symptoms }),
	)

	// Cases reads and writes cases.Case: person,onset,isolated,released. The
	// ID, which defaults to the person's, is accepted as an extra column.
	Cases = newCodec("cases", (*cases.Case).Validate, Store.ImportCases,
		func(ctx context.Context, st Store, p record.Page) ([]cases.Case, string, error) {
			return st.Cases(ctx, cases.Filter{Page: p})
		},
		text("id", extra, func(c *cases.Case) *string { return &c.ID }),
		text("person", required, func(c *cases.Case) *string { return &c.Person }),
		instant("onset", required, func(c *cases.Case) *time.Time { return &c.Onset }),
		instant("isolated", optional, func(c *cases.Case) *time.Time { return &c.Isolated }),
		instant("released", optional, func(c *cases.Case) *time.Time { return &c.Released }),
	)

	// Appeals reads and writes approval.Appeal: id,person,status,color,decided,expires,reason.
	Appeals = newCodec("appeals", (*approval.Appeal).Validate, Store.ImportAppeals,
		func(ctx context.Context, st Store, p record.Page) ([]approval.Appeal, string, error) {
			return st.Appeals(ctx, approval.Filter{Page: p})
		},
		text("id", required, func(a *approval.Appeal) *string { return &a.ID }),
		text("person", required, func(a *approval.Appeal) *string { return &a.Person }),
		text("status", required, func(a *approval.Appeal) *string { return &a.Status }),
		text("color", optional, func(a *approval.Appeal) *string { return &a.Color }),
		instant("decided", optional, func(a *approval.Appeal) *time.Time { return &a.Decided }),
		instant("expires", optional, func(a *approval.Appeal) *time.Time { return &a.Expires }),
		text("reason", optional, func(a *approval.Appeal) *string { return &a.Reason }),
	)

	// Depots reads and writes supply.Depot: id,name,lat,lon,time_zone.
	Depots = newCodec("depots", (*supply.Depot).Validate, Store.ImportDepots,
		func(ctx context.Context, st Store, p record.Page) ([]supply.Depot, string, error) {
			return st.Depots(ctx, supply.Filter{Page: p})
		},
		text("id", required, func(d *supply.Depot) *string { return &d.ID }),
		text("name", required, func(d *supply.Depot) *string { return &d.Name }),
		float("lat", required, func(d *supply.Depot) *float64 { return &d.Lat }),
		float("lon", required, func(d *supply.Depot) *float64 { return &d.Lon }),
		text("time_zone", optional, func(d *supply.Depot) *string { return &d.TimeZone }),
	)

	// Vehicles reads and writes supply.Vehicle:
	// id,depot,ambient,chilled,frozen,shift_start,shift_end,max_out. A
	// missing capacity is zero; shift_start is optional because midnight
	// (0h) writes as an empty duration.
	Vehicles = newCodec("vehicles", (*supply.Vehicle).Validate, Store.ImportVehicles,
		func(ctx context.Context, st Store, p record.Page) ([]supply.Vehicle, string, error) {
			return st.Vehicles(ctx, supply.Filter{Page: p})
		},
		text("id", required, func(v *supply.Vehicle) *string { return &v.ID }),
		text("depot", required, func(v *supply.Vehicle) *string { return &v.Depot }),
		integer("ambient", optional, func(v *supply.Vehicle) *int { return &v.Ambient }),
		integer("chilled", optional, func(v *supply.Vehicle) *int { return &v.Chilled }),
		integer("frozen", optional, func(v *supply.Vehicle) *int { return &v.Frozen }),
		duration("shift_start", optional, func(v *supply.Vehicle) *record.Duration { return &v.ShiftStart }),
		duration("shift_end", required, func(v *supply.Vehicle) *record.Duration { return &v.ShiftEnd }),
		duration("max_out", optional, func(v *supply.Vehicle) *record.Duration { return &v.MaxOut }),
	)

	// Lots reads and writes supply.Lot, the kind called stock:
	// id,depot,item,lot,expiry,temperature,quantity.
	Lots = newCodec("stock", (*supply.Lot).Validate, Store.ImportLots,
		func(ctx context.Context, st Store, p record.Page) ([]supply.Lot, string, error) {
			return st.Lots(ctx, supply.Filter{Page: p})
		},
		text("id", required, func(l *supply.Lot) *string { return &l.ID }),
		text("depot", required, func(l *supply.Lot) *string { return &l.Depot }),
		text("item", required, func(l *supply.Lot) *string { return &l.Item }),
		text("lot", optional, func(l *supply.Lot) *string { return &l.Lot }),
		instant("expiry", optional, func(l *supply.Lot) *time.Time { return &l.Expiry }),
		text("temperature", required, func(l *supply.Lot) *string { return &l.Temperature }),
		integer("quantity", required, func(l *supply.Lot) *int { return &l.Quantity }),
	)

	// Requests reads and writes supply.Request: id,site,kind,person,lat,lon,
	// item,quantity,priority,slot_from,slot_to,service,created,status,plan.
	// An empty status is open.
	Requests = newCodec("requests", (*supply.Request).Validate, Store.ImportRequests,
		func(ctx context.Context, st Store, p record.Page) ([]supply.Request, string, error) {
			return st.Requests(ctx, supply.Filter{Page: p})
		},
		text("id", required, func(r *supply.Request) *string { return &r.ID }),
		text("site", required, func(r *supply.Request) *string { return &r.Site }),
		text("kind", required, func(r *supply.Request) *string { return &r.Kind }),
		text("person", optional, func(r *supply.Request) *string { return &r.Person }),
		float("lat", required, func(r *supply.Request) *float64 { return &r.Lat }),
		float("lon", required, func(r *supply.Request) *float64 { return &r.Lon }),
		text("item", required, func(r *supply.Request) *string { return &r.Item }),
		integer("quantity", required, func(r *supply.Request) *int { return &r.Quantity }),
		integer("priority", optional, func(r *supply.Request) *int { return &r.Priority }),
		instant("slot_from", optional, func(r *supply.Request) *time.Time { return &r.SlotFrom }),
		instant("slot_to", optional, func(r *supply.Request) *time.Time { return &r.SlotTo }),
		duration("service", optional, func(r *supply.Request) *record.Duration { return &r.Service }),
		instant("created", optional, func(r *supply.Request) *time.Time { return &r.Created }),
		text("status", optional, func(r *supply.Request) *string { return &r.Status }),
		text("plan", optional, func(r *supply.Request) *string { return &r.Plan }),
	)
)

// listLevels pages through regions and returns the levels of each page of
// them, since a store lists levels per region.
func listLevels(ctx context.Context, st Store, p record.Page) ([]place.Level, string, error) {
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

// kind is what Import and Export need of a codec, whatever its record type.
type kind interface {
	Name() string
	Header() []string
	importFile(ctx context.Context, st Store, name, format string, r io.Reader, opt Options) (Result, error)
	export(ctx context.Context, st Store, format string, w io.Writer) (int, error)
}

// kinds lists the kinds in the order to import them, each after the kinds
// its records refer to.
var kinds = []kind{Regions, RegionLevels, Places, Residents, Visits, Stays, Labs, Vaccinations, Declarations, Cases, Appeals,
	Depots, Vehicles, Lots, Requests}

// Kinds returns the names of the kinds of record that import and export
// handle, in the order to import them so that references resolve.
func Kinds() []string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.Name()
	}
	return names
}

// Header returns the CSV header of kind, as export writes it, or nil for an
// unknown kind.
func Header(kind string) []string {
	k, err := lookup(kind)
	if err != nil {
		return nil
	}
	return k.Header()
}

func lookup(name string) (kind, error) {
	i := slices.IndexFunc(kinds, func(k kind) bool { return k.Name() == name })
	if i < 0 {
		return nil, errs.E(errs.Invalid, "unknown kind %q (want one of %s)", name, strings.Join(Kinds(), ", "))
	}
	return kinds[i], nil
}
