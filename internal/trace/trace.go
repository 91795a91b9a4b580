// Package trace finds who was exposed to confirmed cases: close contacts
// (degree 1) and secondary contacts (degree 2) from venue check-ins, risky
// region stays from region risk levels, and the chains and clusters that
// link cases through exposures.
package trace

import "time"

// Rules are the numbers of the tracing rules. Every one is a policy setting;
// DefaultRules gives the defaults.
type Rules struct {
	// MinOverlap is how long two visits must overlap to count as contact.
	MinOverlap time.Duration `json:"min_overlap"`
	// DefaultDwell is the length of a visit without check-out at a place
	// that has no default dwell of its own.
	DefaultDwell time.Duration `json:"default_dwell"`
	// BeforeOnset is how long before onset a case is infectious.
	BeforeOnset time.Duration `json:"before_onset"`
	// SecondaryWindow is how long after a close contact's first exposure
	// their own visits are traced for secondary contacts.
	SecondaryWindow time.Duration `json:"secondary_window"`
	// MinStay is how long a stay must overlap a medium- or high-risk period
	// of its region to count.
	MinStay time.Duration `json:"min_stay"`
}

// DefaultRules returns the default tracing rules.
func DefaultRules() Rules {
	return Rules{
		MinOverlap:      15 * time.Minute,
		DefaultDwell:    30 * time.Minute,
		BeforeOnset:     48 * time.Hour,
		SecondaryWindow: 72 * time.Hour,
		MinStay:         time.Hour,
	}
}

// Exposure is one interval in which a person was exposed to a case: at a
// place, overlapping the case's visit (degree 1) or the visit of the case's
// close contact Via (degree 2).
type Exposure struct {
	Person     string    `json:"person"`
	CasePerson string    `json:"case_person"`
	Degree     int       `json:"degree"`
	Via        string    `json:"via,omitempty"`
	Place      string    `json:"place"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
}

// RegionStay is a stay that counts under the region rule: it overlapped, by
// at least MinStay, a period in which its region's effective level was
// Level ("medium" or "high"). Start and End bound that overlap; StayEnd is
// the end of the stay, or zero while it lasts.
type RegionStay struct {
	Person  string    `json:"person"`
	Region  string    `json:"region"`
	Level   string    `json:"level"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	StayEnd time.Time `json:"stay_end,omitzero"`
}
