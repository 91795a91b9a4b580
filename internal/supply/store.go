package supply

import (
	"context"
	"iter"
	"time"

	"outbreak/internal/record"
)

// Filter selects records in a list; a field left empty selects all.
type Filter struct {
	Depot  string // vehicles and lots at this depot
	Item   string // lots and requests of this item
	Status string // requests or plans in this state
	// From and To select the requests of a period: those whose slot meets
	// [From, To), and the open ones without a slot. Zero: all.
	From, To time.Time
	record.Page
}

// Store keeps depots, vehicles, stock, requests and plans. Lists are in ID
// order (plans newest first), a page at a time; the string they return is
// the cursor of the next page ("" at the end).
type Store interface {
	// ImportDepots inserts or replaces depots by ID in one transaction.
	ImportDepots(ctx context.Context, items iter.Seq[Depot], reject record.Reject) (int, error)
	// Depot returns one depot, or a NotFound error.
	Depot(ctx context.Context, id string) (Depot, error)
	// Depots lists depots.
	Depots(ctx context.Context, f Filter) ([]Depot, string, error)

	// ImportVehicles inserts or replaces vehicles by ID in one transaction
	// (Invalid: unknown depot).
	ImportVehicles(ctx context.Context, items iter.Seq[Vehicle], reject record.Reject) (int, error)
	// Vehicle returns one vehicle, or a NotFound error.
	Vehicle(ctx context.Context, id string) (Vehicle, error)
	// Vehicles lists vehicles.
	Vehicles(ctx context.Context, f Filter) ([]Vehicle, string, error)

	// ImportLots inserts or replaces lots by ID in one transaction
	// (Invalid: unknown depot).
	ImportLots(ctx context.Context, items iter.Seq[Lot], reject record.Reject) (int, error)
	// Lot returns one lot, or a NotFound error.
	Lot(ctx context.Context, id string) (Lot, error)
	// Lots lists lots.
	Lots(ctx context.Context, f Filter) ([]Lot, string, error)

	// ImportRequests inserts or replaces requests by ID in one transaction
	// (Invalid: unknown person).
	ImportRequests(ctx context.Context, items iter.Seq[Request], reject record.Reject) (int, error)
	// Request returns one request, or a NotFound error.
	Request(ctx context.Context, id string) (Request, error)
	// Requests lists requests.
	Requests(ctx context.Context, f Filter) ([]Request, string, error)

	// SavePlan stores a new plan (Conflict: its ID is taken).
	SavePlan(ctx context.Context, p *Plan) error
	// Plan returns one plan, or a NotFound error.
	Plan(ctx context.Context, id string) (Plan, error)
	// Plans lists plans in descending ID order (newest first, as the IDs
	// made for plans sort by creation), without their allocations and
	// routes' stops.
	Plans(ctx context.Context, f Filter) ([]Plan, string, error)
	// DispatchPlan sends a draft plan out in one transaction: the picks of
	// its routes' stops are taken from their lots, and the requests on its
	// routes become dispatched. Conflict: the plan is not a draft, a request
	// on it is no longer open, or a lot no longer holds a pick.
	DispatchPlan(ctx context.Context, id string, at time.Time) (Plan, error)
}

// All collects every record of a list, page by page.
func All[T any](ctx context.Context, f Filter, list func(context.Context, Filter) ([]T, string, error)) ([]T, error) {
	var out []T
	f.Limit = record.MaxLimit
	for {
		items, next, err := list(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			return out, nil
		}
		f.After = next
	}
}

// Load reads what a plan is made of from a store.
func Load(ctx context.Context, st Store, date string, now time.Time) (Input, error) {
	in := Input{Date: date, Now: now}
	var err error
	if in.Depots, err = All(ctx, Filter{}, st.Depots); err != nil {
		return in, err
	}
	if in.Vehicles, err = All(ctx, Filter{}, st.Vehicles); err != nil {
		return in, err
	}
	if in.Lots, err = All(ctx, Filter{}, st.Lots); err != nil {
		return in, err
	}
	in.Requests, err = All(ctx, Filter{Status: Open}, st.Requests)
	return in, err
}

// NewPlan plans the deliveries of date from what st holds at now, as a
// draft with a new ID; it does not save it.
func NewPlan(ctx context.Context, st Store, date string, now time.Time, opt Options) (*Plan, error) {
	in, err := Load(ctx, st, date, now)
	if err != nil {
		return nil, err
	}
	in.ID = record.NewID(now)
	return MakePlan(ctx, in, opt)
}
