// Package lab describes what is known of residents' health: test results,
// vaccinations and daily health declarations.
package lab

import (
	"context"
	"iter"
	"strings"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

// The results of a test.
const (
	Positive     = "positive"
	Negative     = "negative"
	Inconclusive = "inconclusive"
)

// Result is the result of one test on a specimen.
type Result struct {
	ID         string    `json:"id,omitempty"`
	Person     string    `json:"person"`
	SpecimenAt time.Time `json:"specimen_at"`
	Result     string    `json:"result"`
	TestType   string    `json:"test_type"`
}

// Validate checks every field and returns an Invalid error naming the first
// one at fault.
func (r *Result) Validate() error {
	if err := record.CheckID("person", r.Person); err != nil {
		return err
	}
	if r.SpecimenAt.IsZero() {
		return errs.Field("specimen_at", "required")
	}
	r.SpecimenAt = record.Instant(r.SpecimenAt)
	switch r.Result {
	case Positive, Negative, Inconclusive:
	default:
		return errs.Field("result", "must be positive, negative or inconclusive, not %q", r.Result)
	}
	if r.TestType == "" {
		return errs.Field("test_type", "required")
	}
	return record.CheckText("test_type", r.TestType, 32)
}

// Vaccination is one dose given to a person.
type Vaccination struct {
	ID      string    `json:"id,omitempty"`
	Person  string    `json:"person"`
	GivenAt time.Time `json:"given_at"`
	Product string    `json:"product"`
	Dose    int       `json:"dose"`
}

// Validate checks every field and returns an Invalid error naming the first
// one at fault.
func (v *Vaccination) Validate() error {
	if err := record.CheckID("person", v.Person); err != nil {
		return err
	}
	if v.GivenAt.IsZero() {
		return errs.Field("given_at", "required")
	}
	v.GivenAt = record.Instant(v.GivenAt)
	if v.Product == "" {
		return errs.Field("product", "required")
	}
	if err := record.CheckText("product", v.Product, 64); err != nil {
		return err
	}
	if v.Dose < 1 || v.Dose > 20 {
		return errs.Field("dose", "must be between 1 and 20")
	}
	return nil
}

// Declaration is a resident's daily health declaration; no symptoms means
// the resident declared themselves well.
type Declaration struct {
	ID         string    `json:"id,omitempty"`
	Person     string    `json:"person"`
	DeclaredAt time.Time `json:"declared_at"`
	Symptoms   []string  `json:"symptoms"`
}

// Validate checks every field and returns an Invalid error naming the first
// one at fault.
func (d *Declaration) Validate() error {
	if err := record.CheckID("person", d.Person); err != nil {
		return err
	}
	if d.DeclaredAt.IsZero() {
		return errs.Field("declared_at", "required")
	}
	d.DeclaredAt = record.Instant(d.DeclaredAt)
	if d.Symptoms == nil {
		d.Symptoms = []string{} // declared well: an empty list, not an unknown one
	}
	if len(d.Symptoms) > 32 {
		return errs.Field("symptoms", "more than 32 symptoms")
	}
	for _, s := range d.Symptoms {
		if s == "" || strings.ContainsAny(s, ";\n") {
			return errs.Field("symptoms", "a symptom must be 1–64 characters without ';': %q", s)
		}
		if err := record.CheckText("symptoms", s, 64); err != nil {
			return err
		}
	}
	return nil
}

// Filter selects records of one person, or all, in time order; From and To
// bound the record's time to [From, To).
type Filter struct {
	Person string
	From   time.Time
	To     time.Time
	record.Page
}

// Store keeps test results, vaccinations and declarations. Each Import
// appends in one transaction; an item it refuses (Invalid: unknown person)
// goes to reject. Each Add appends one record and returns it with its ID
// (Invalid: unknown person). Each getter returns a NotFound error for an
// unknown ID; each list is in time order.
type Store interface {
	ImportResults(ctx context.Context, items iter.Seq[Result], reject record.Reject) (int, error)
	AddResult(ctx context.Context, r Result) (Result, error)
	Result(ctx context.Context, id string) (Result, error)
	Results(ctx context.Context, f Filter) ([]Result, string, error)
	ImportVaccinations(ctx context.Context, items iter.Seq[Vaccination], reject record.Reject) (int, error)
	AddVaccination(ctx context.Context, v Vaccination) (Vaccination, error)
	Vaccination(ctx context.Context, id string) (Vaccination, error)
	Vaccinations(ctx context.Context, f Filter) ([]Vaccination, string, error)
	ImportDeclarations(ctx context.Context, items iter.Seq[Declaration], reject record.Reject) (int, error)
	AddDeclaration(ctx context.Context, d Declaration) (Declaration, error)
	Declaration(ctx context.Context, id string) (Declaration, error)
	Declarations(ctx context.Context, f Filter) ([]Declaration, string, error)
}
