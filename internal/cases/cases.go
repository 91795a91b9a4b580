// Package cases describes confirmed cases: onset, isolation and release.
package cases

import (
	"context"
	"iter"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

// Case is a confirmed infection. Onset is symptom onset (or specimen time if
// asymptomatic); a zero Isolated means not isolated yet, a zero Released not
// released yet. ID defaults to the person's ID.
type Case struct {
	ID       string    `json:"id"`
	Person   string    `json:"person"`
	Onset    time.Time `json:"onset"`
	Isolated time.Time `json:"isolated,omitzero"`
	Released time.Time `json:"released,omitzero"`
}

// Validate checks every field and returns an Invalid error naming the first
// one at fault; it fills in a missing ID with the person's.
func (c *Case) Validate() error {
	if err := record.CheckID("person", c.Person); err != nil {
		return err
	}
	if c.ID == "" {
		c.ID = c.Person
	}
	if err := record.CheckID("id", c.ID); err != nil {
		return err
	}
	if c.Onset.IsZero() {
		return errs.Field("onset", "required")
	}
	c.Onset, c.Isolated, c.Released = record.Instant(c.Onset), record.Instant(c.Isolated), record.Instant(c.Released)
	if !c.Released.IsZero() {
		if c.Isolated.IsZero() {
			return errs.Field("released", "a case is released only after isolation")
		}
		if c.Released.Before(c.Isolated) {
			return errs.Field("released", "before isolated")
		}
	}
	return nil
}

// Filter selects cases in a list; Active keeps those not released.
type Filter struct {
	Person string
	Active bool
	record.Page
}

// Store keeps cases.
type Store interface {
	// ImportCases inserts or replaces cases in one transaction (Invalid:
	// unknown person).
	ImportCases(ctx context.Context, items iter.Seq[Case], reject record.Reject) (int, error)
	// Case returns one case, or a NotFound error.
	Case(ctx context.Context, id string) (Case, error)
	// Cases lists cases in ID order.
	Cases(ctx context.Context, f Filter) ([]Case, string, error)
}
