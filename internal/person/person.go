// Package person describes residents: a pseudonymous ID, the channels to reach
// them, their language and time zone, and their home region.
package person

import (
	"context"
	"iter"
	"strings"
	"sync"
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

// Resident is a person the agency serves. ID is pseudonymous; Name, Phone and
// Email are personal data that the store seals at rest.
type Resident struct {
	ID         string `json:"id"`
	Name       string `json:"name,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Email      string `json:"email,omitempty"`
	Language   string `json:"language,omitempty"`
	TimeZone   string `json:"time_zone,omitempty"`
	HomeRegion string `json:"home_region,omitempty"`
}

// Validate checks every field and returns an Invalid error naming the first
// one at fault.
func (r *Resident) Validate() error {
	if err := record.CheckID("id", r.ID); err != nil {
		return err
	}
	if err := record.CheckText("name", r.Name, 200); err != nil {
		return err
	}
	if r.Phone != "" && !validPhone(r.Phone) {
		return errs.Field("phone", "not an E.164 number like +8613800000000: %q", r.Phone)
	}
	if r.Email != "" && !validEmail(r.Email) {
		return errs.Field("email", "not an e-mail address: %q", r.Email)
	}
	if r.Language != "" && !validLanguage(r.Language) {
		return errs.Field("language", "not a language tag like en or zh-Hans: %q", r.Language)
	}
	if r.TimeZone != "" && !validZone(r.TimeZone) {
		return errs.Field("time_zone", "not an IANA time zone like Asia/Shanghai: %q", r.TimeZone)
	}
	if r.HomeRegion != "" {
		if err := record.CheckID("home_region", r.HomeRegion); err != nil {
			return err
		}
	}
	return nil
}

func validPhone(s string) bool {
	if len(s) < 4 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return len(s) <= 254 && at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n,<>")
}

func validLanguage(s string) bool {
	if len(s) > 35 {
		return false
	}
	for i, part := range strings.Split(s, "-") {
		if len(part) == 0 || len(part) > 8 || (i == 0 && len(part) < 2) {
			return false
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				return false
			}
		}
	}
	return true
}

// zones remembers the time-zone names that load, since loading one reads
// the zone database and an import checks a million residents. Only valid
// names are kept (a few hundred exist), so a hostile file cannot grow it.
var zones sync.Map

func validZone(name string) bool {
	if _, ok := zones.Load(name); ok {
		return true
	}
	if _, err := time.LoadLocation(name); err != nil || name == "Local" || name == "" {
		return false
	}
	zones.Store(name, true)
	return true
}

// Filter selects residents in a list.
type Filter struct {
	HomeRegion string
	record.Page
}

// Store keeps residents.
type Store interface {
	// ImportResidents inserts or replaces residents in one transaction. An
	// item it refuses (Invalid: unknown home region) goes to reject.
	ImportResidents(ctx context.Context, items iter.Seq[Resident], reject record.Reject) (int, error)
	// Resident returns one resident, or a NotFound error.
	Resident(ctx context.Context, id string) (Resident, error)
	// Residents lists residents in ID order and returns the cursor of the next page.
	Residents(ctx context.Context, f Filter) ([]Resident, string, error)
}
