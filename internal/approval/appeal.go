// Package approval holds the decisions people make about residents' codes:
// appeals against a code, and their outcome.
package approval

import (
	"context"
	"iter"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

// The states of an appeal.
const (
	Pending  = "pending"
	Approved = "approved"
	Denied   = "denied"
)

// Appeal is a resident's appeal against their health code. Once a reviewer
// approves it, Color stands in for the computed color from Decided until
// Expires.
type Appeal struct {
	ID      string    `json:"id"`
	Person  string    `json:"person"`
	Status  string    `json:"status"`
	Color   string    `json:"color,omitempty"`
	Decided time.Time `json:"decided,omitzero"`
	Expires time.Time `json:"expires,omitzero"`
	Reason  string    `json:"reason,omitempty"`
}

// Validate checks every field and returns an Invalid error naming the first
// one at fault.
func (a *Appeal) Validate() error {
	if err := record.CheckID("id", a.ID); err != nil {
		return err
	}
	if err := record.CheckID("person", a.Person); err != nil {
		return err
	}
	if err := record.CheckText("reason", a.Reason, 2000); err != nil {
		return err
	}
	a.Decided, a.Expires = record.Instant(a.Decided), record.Instant(a.Expires)
	switch a.Status {
	case Pending:
		if !a.Decided.IsZero() || !a.Expires.IsZero() || a.Color != "" {
			return errs.Field("status", "a pending appeal has no color, decided or expires")
		}
	case Denied:
		if a.Decided.IsZero() {
			return errs.Field("decided", "required for a decided appeal")
		}
	case Approved:
		switch {
		case a.Color != "green" && a.Color != "yellow" && a.Color != "red":
			return errs.Field("color", "an approved appeal needs the color that stands: green, yellow or red, not %q", a.Color)
		case a.Decided.IsZero():
			return errs.Field("decided", "required for a decided appeal")
		case a.Expires.IsZero():
			return errs.Field("expires", "required for an approved appeal")
		case !a.Expires.After(a.Decided):
			return errs.Field("expires", "must be after decided")
		}
	default:
		return errs.Field("status", "must be pending, approved or denied, not %q", a.Status)
	}
	return nil
}

// Filter selects appeals in a list.
type Filter struct {
	Person string
	Status string
	record.Page
}

// Store keeps appeals.
type Store interface {
	// ImportAppeals inserts or replaces appeals by ID in one transaction
	// (Invalid: unknown person).
	ImportAppeals(ctx context.Context, items iter.Seq[Appeal], reject record.Reject) (int, error)
	// Appeal returns one appeal, or a NotFound error.
	Appeal(ctx context.Context, id string) (Appeal, error)
	// Appeals lists appeals in ID order.
	Appeals(ctx context.Context, f Filter) ([]Appeal, string, error)
}
