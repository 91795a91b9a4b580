// Package place describes venues where residents check in, and the regions
// that hold them with their history of risk levels.
package place

import (
	"context"
	"iter"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

// Place is a venue with a check-in QR code.
type Place struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Region   string  `json:"region"`
	Category string  `json:"category,omitempty"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
	// DefaultDwell is how long a visit lasts when it has no check-out; zero
	// means the policy's default.
	DefaultDwell record.Duration `json:"default_dwell,omitzero"`
}

// MaxDwell bounds a place's default dwell.
const MaxDwell = 24 * time.Hour

// Validate checks every field and returns an Invalid error naming the first
// one at fault.
func (p *Place) Validate() error {
	if err := record.CheckID("id", p.ID); err != nil {
		return err
	}
	if p.Name == "" {
		return errs.Field("name", "required")
	}
	if err := record.CheckText("name", p.Name, 200); err != nil {
		return err
	}
	if err := record.CheckID("region", p.Region); err != nil {
		return err
	}
	if err := record.CheckText("category", p.Category, 64); err != nil {
		return err
	}
	if err := record.CheckLatLon(p.Lat, p.Lon); err != nil {
		return err
	}
	if p.DefaultDwell < 0 || time.Duration(p.DefaultDwell) > MaxDwell {
		return errs.Field("default_dwell", "must be between 0 and %v", MaxDwell)
	}
	return nil
}

// The kinds of region, from the largest.
const (
	Country  = "country"
	Province = "province"
	City     = "city"
	District = "district"
)

var kindRank = map[string]int{Country: 0, Province: 1, City: 2, District: 3}

// Region is an administrative area; every region but a country has a parent
// of a larger kind.
type Region struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
	Kind   string `json:"kind"`
}

// Validate checks the region's own fields; that the parent exists and is
// larger is the store's to check, with CheckParent.
func (r *Region) Validate() error {
	if err := record.CheckID("id", r.ID); err != nil {
		return err
	}
	if r.Name == "" {
		return errs.Field("name", "required")
	}
	if err := record.CheckText("name", r.Name, 200); err != nil {
		return err
	}
	if _, ok := kindRank[r.Kind]; !ok {
		return errs.Field("kind", "must be country, province, city or district, not %q", r.Kind)
	}
	if r.Kind == Country {
		if r.Parent != "" {
			return errs.Field("parent", "a country has no parent")
		}
		return nil
	}
	if r.Parent == "" {
		return errs.Field("parent", "required for a %s", r.Kind)
	}
	if r.Parent == r.ID {
		return errs.Field("parent", "a region cannot be its own parent")
	}
	return record.CheckID("parent", r.Parent)
}

// CheckParent checks that parent, of kind parentKind, may hold r.
func (r *Region) CheckParent(parentKind string) error {
	if kindRank[parentKind] >= kindRank[r.Kind] {
		return errs.Field("parent", "a %s cannot be inside a %s", r.Kind, parentKind)
	}
	return nil
}

// The risk levels of a region.
const (
	Low    = "low"
	Medium = "medium"
	High   = "high"
)

// Level is a risk level set on a region for an interval; an empty To means
// until further notice.
type Level struct {
	ID     string    `json:"id,omitempty"`
	Region string    `json:"region"`
	Level  string    `json:"level"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to,omitzero"`
}

// Validate checks every field and returns an Invalid error naming the first
// one at fault.
func (l *Level) Validate() error {
	if err := record.CheckID("region", l.Region); err != nil {
		return err
	}
	switch l.Level {
	case Low, Medium, High:
	default:
		return errs.Field("level", "must be low, medium or high, not %q", l.Level)
	}
	if l.From.IsZero() {
		return errs.Field("from", "required")
	}
	l.From, l.To = record.Instant(l.From), record.Instant(l.To)
	if !l.To.IsZero() && !l.To.After(l.From) {
		return errs.Field("to", "must be after from")
	}
	return nil
}

// Filter selects places or regions in a list.
type Filter struct {
	Region   string // places in this region (exactly), or regions with this parent
	Category string
	record.Page
}

// Store keeps places, regions and their risk levels.
type Store interface {
	// ImportRegions inserts or replaces regions in one transaction; a parent
	// must be stored already or come earlier in the same import. An item it
	// refuses (Invalid: unknown or smaller parent) goes to reject.
	ImportRegions(ctx context.Context, items iter.Seq[Region], reject record.Reject) (int, error)
	// Region returns one region, or a NotFound error.
	Region(ctx context.Context, id string) (Region, error)
	// Regions lists regions in ID order.
	Regions(ctx context.Context, f Filter) ([]Region, string, error)
	// ImportLevels appends risk levels in one transaction (Invalid: unknown region).
	ImportLevels(ctx context.Context, items iter.Seq[Level], reject record.Reject) (int, error)
	// AddLevel sets one risk level and returns it with its ID (Invalid:
	// unknown region).
	AddLevel(ctx context.Context, l Level) (Level, error)
	// Levels lists the risk levels set on a region, oldest first.
	Levels(ctx context.Context, region string) ([]Level, error)
	// ImportPlaces inserts or replaces places in one transaction (Invalid: unknown region).
	ImportPlaces(ctx context.Context, items iter.Seq[Place], reject record.Reject) (int, error)
	// Place returns one place, or a NotFound error.
	Place(ctx context.Context, id string) (Place, error)
	// Places lists places in ID order.
	Places(ctx context.Context, f Filter) ([]Place, string, error)
}
