// Package visit describes where residents have been: check-ins at places and
// stays in regions.
package visit

import (
	"context"
	"iter"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

// MaxVisit bounds the length of one visit: a check-out more than this after
// the check-in is a data error, not a long stay.
const MaxVisit = 7 * 24 * time.Hour

// Visit is a check-in of a person at a place. A zero CheckOut means the person
// did not check out; tracing then assumes the place's default dwell.
type Visit struct {
	ID       string    `json:"id,omitempty"`
	Person   string    `json:"person"`
	Place    string    `json:"place"`
	CheckIn  time.Time `json:"check_in"`
	CheckOut time.Time `json:"check_out,omitzero"`
}

// Validate checks every field and returns an Invalid error naming the first
// one at fault. Times are normalised to microseconds in UTC.
func (v *Visit) Validate() error {
	if err := record.CheckID("person", v.Person); err != nil {
		return err
	}
	if err := record.CheckID("place", v.Place); err != nil {
		return err
	}
	if v.CheckIn.IsZero() {
		return errs.Field("check_in", "required")
	}
	v.CheckIn, v.CheckOut = record.Instant(v.CheckIn), record.Instant(v.CheckOut)
	if !v.CheckOut.IsZero() {
		if v.CheckOut.Before(v.CheckIn) {
			return errs.Field("check_out", "before check_in")
		}
		if v.CheckOut.Sub(v.CheckIn) > MaxVisit {
			return errs.Field("check_out", "more than %v after check_in", MaxVisit)
		}
	}
	return nil
}

// Stay is a period a person spent in a region; a zero To means still there.
type Stay struct {
	ID     string    `json:"id,omitempty"`
	Person string    `json:"person"`
	Region string    `json:"region"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to,omitzero"`
}

// Validate checks every field and returns an Invalid error naming the first
// one at fault.
func (s *Stay) Validate() error {
	if err := record.CheckID("person", s.Person); err != nil {
		return err
	}
	if err := record.CheckID("region", s.Region); err != nil {
		return err
	}
	if s.From.IsZero() {
		return errs.Field("from", "required")
	}
	s.From, s.To = record.Instant(s.From), record.Instant(s.To)
	if !s.To.IsZero() && s.To.Before(s.From) {
		return errs.Field("to", "before from")
	}
	return nil
}

// Filter selects visits or stays in a list. From and To bound the check-in
// (or stay start) to [From, To).
type Filter struct {
	Person string
	Place  string // visits only
	Region string // stays only
	From   time.Time
	To     time.Time
	record.Page
}

// Store keeps visits and stays.
type Store interface {
	// AddVisit stores one check-in and returns it with its ID once it is
	// durable (Invalid: unknown person or place). Concurrent calls share a
	// commit. A visit is known by its person, place and check-in: when one
	// is stored already, it is returned as stored and created is false.
	AddVisit(ctx context.Context, v Visit) (stored Visit, created bool, err error)
	// CheckOut sets the check-out of a visit that has none (NotFound;
	// Conflict if it has one; Invalid if before the check-in).
	CheckOut(ctx context.Context, id string, at time.Time) (Visit, error)
	// ImportVisits appends visits in one transaction; an item it refuses
	// (Invalid: unknown person or place) goes to reject, and a visit stored
	// already (same person, place and check-in) is skipped: the count is of
	// the visits it stored.
	ImportVisits(ctx context.Context, items iter.Seq[Visit], reject record.Reject) (int, error)
	// Visit returns one visit, or a NotFound error.
	Visit(ctx context.Context, id string) (Visit, error)
	// Visits lists visits in check-in order and returns the cursor of the next page.
	Visits(ctx context.Context, f Filter) ([]Visit, string, error)
	// ImportStays appends stays in one transaction (Invalid: unknown person or region).
	ImportStays(ctx context.Context, items iter.Seq[Stay], reject record.Reject) (int, error)
	// AddStay appends one stay and returns it with its ID (Invalid: unknown
	// person or region).
	AddStay(ctx context.Context, s Stay) (Stay, error)
	// Stay returns one stay, or a NotFound error.
	Stay(ctx context.Context, id string) (Stay, error)
	// Stays lists stays in start order.
	Stays(ctx context.Context, f Filter) ([]Stay, string, error)
}
