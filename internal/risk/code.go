package risk

import (
	"cmp"
	"time"

	"outbreak/internal/cases"
	"outbreak/internal/lab"
	"outbreak/internal/trace"
)

// Facts are what is known about one resident at an instant. The caller has
// already dropped records dated after now and blanked times after now (a
// release time in the future reads as zero: not released yet). Evaluate
// only reads them.
type Facts struct {
	Person       string
	Region       string             // home region, for what-if reports
	Cases        []cases.Case       // the person's own confirmed cases
	Exposures    []trace.Exposure   // where Person is the exposed person
	Stays        []trace.RegionStay // stays that count under the region rule
	Declarations []lab.Declaration
	Tests        []lab.Result
	Appeals      []Appeal // approved appeals only
}

// Appeal is an approved appeal: it sets the resident's color to Color from
// Approved until Expires, whatever the rules say. An appeal without an
// expiry never counts.
type Appeal struct {
	ID       string    `json:"id"`
	Color    string    `json:"color"`
	Approved time.Time `json:"approved"`
	Expires  time.Time `json:"expires"`
}

// Code is a resident's health code at an instant, with its reasons.
type Code struct {
	Person string `json:"person"`
	// Color is Green, Yellow or Red.
	Color   string   `json:"color"`
	Reasons []Reason `json:"reasons"`
	// ValidUntil is the next instant at which the passage of time alone
	// changes Color; zero when only new facts can change it.
	ValidUntil time.Time `json:"valid_until,omitzero"`
}

// Reason is one rule that applies to a resident, with its evidence: the
// case, the close contact the exposure came through (Via), the place or
// region, the interval (Start, End) and the instant the reason ends
// (Until, zero for no end). Appeal names the appeal of an "appeal" reason.
type Reason struct {
	Rule   string    `json:"rule"`
	Color  string    `json:"color"`
	Text   string    `json:"text"`
	Case   string    `json:"case,omitempty"`
	Via    string    `json:"via,omitempty"`
	Place  string    `json:"place,omitempty"`
	Region string    `json:"region,omitempty"`
	Appeal string    `json:"appeal,omitempty"`
	Start  time.Time `json:"start,omitzero"`
	End    time.Time `json:"end,omitzero"`
	Until  time.Time `json:"until,omitzero"`
}

// compareReasons orders reasons worst color first, then by until (no end
// last), rule, case, place and start, then the remaining fields so that
// the order never depends on the order of the facts.
func compareReasons(a, b Reason) int {
	if c := cmp.Compare(rank(b.Color), rank(a.Color)); c != 0 {
		return c
	}
	if c := compareUntil(a.Until, b.Until); c != 0 {
		return c
	}
	return cmp.Or(
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Case, b.Case),
		cmp.Compare(a.Place, b.Place),
		a.Start.Compare(b.Start),
		cmp.Compare(a.Via, b.Via),
		cmp.Compare(a.Region, b.Region),
		cmp.Compare(a.Appeal, b.Appeal),
		a.End.Compare(b.End),
		cmp.Compare(a.Text, b.Text),
	)
}

// compareUntil orders ends, a zero end (none) last.
func compareUntil(a, b time.Time) int {
	switch {
	case a.IsZero() && b.IsZero():
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Compare(b)
}

// lasts reports whether a reason ending at until still counts at t.
func lasts(until, t time.Time) bool { return until.IsZero() || until.After(t) }

// colorAt is the color at t ≥ now given the rules' reasons and the
// appeals: the worst color among the reasons that still count, unless an
// appeal approved by now has not expired by t, in which case the one
// approved last decides. It returns that appeal's index, or -1.
func colorAt(reasons []Reason, appeals []Appeal, now, t time.Time) (string, int) {
	best := -1
	for i, a := range appeals {
		if a.Approved.After(now) || !a.Expires.After(t) {
			continue
		}
		if best < 0 || latestAppeal(a, appeals[best]) {
			best = i
		}
	}
	if best >= 0 {
		return appeals[best].Color, best
	}
	worst := 0
	for _, r := range reasons {
		if lasts(r.Until, t) {
			worst = max(worst, rank(r.Color))
		}
	}
	return colorOf(worst), -1
}

// latestAppeal reports whether a was approved after b (then expires later,
// then has the greater ID), so that the choice never depends on order.
func latestAppeal(a, b Appeal) bool {
	if c := a.Approved.Compare(b.Approved); c != 0 {
		return c > 0
	}
	if c := a.Expires.Compare(b.Expires); c != 0 {
		return c > 0
	}
	return a.ID > b.ID
}

// validUntil returns the first instant after now at which the color given
// by the reasons and appeals differs from color, trying every instant at
// which a reason or an appeal ends; zero if there is none.
func validUntil(color string, reasons []Reason, appeals []Appeal, now time.Time) time.Time {
	var next time.Time
	for {
		// The earliest end after next (or now) is the next instant to try.
		after := now
		if !next.IsZero() {
			after = next
		}
		next = time.Time{}
		for _, r := range reasons {
			if r.Until.After(after) && (next.IsZero() || r.Until.Before(next)) {
				next = r.Until
			}
		}
		for _, a := range appeals {
			if !a.Approved.After(now) && a.Expires.After(after) && (next.IsZero() || a.Expires.Before(next)) {
				next = a.Expires
			}
		}
		if next.IsZero() {
			return next
		}
		if c, _ := colorAt(reasons, appeals, now, next); c != color {
			return next
		}
	}
}
