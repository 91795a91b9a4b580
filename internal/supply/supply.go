// Package supply keeps what a logistics officer manages: depots, the
// vehicles based at them, stock in lots (item, lot number, expiry,
// temperature class), and requests for deliveries from sites and
// quarantined households. It allocates stock to requests by priority and
// fairness, turns the accepted deliveries into a routing problem, and the
// routes into dispatch lists.
package supply

import (
	"time"

	"outbreak/internal/errs"
	"outbreak/internal/record"
)

// The temperature classes of stock. A vehicle carries each class in a
// compartment of its own.
const (
	Ambient = "ambient" // 15–25 °C
	Chilled = "chilled" // 2–8 °C
	Frozen  = "frozen"  // −25 to −15 °C, or colder
)

// Classes lists the temperature classes in the order of a vehicle's
// compartments.
var Classes = [...]string{Ambient, Chilled, Frozen}

// classIndex returns the compartment of a temperature class, or -1.
func classIndex(c string) int {
	for i, k := range Classes {
		if k == c {
			return i
		}
	}
	return -1
}

// Depot is a store that vehicles leave from and come back to. Vehicles'
// shifts are times of day in its time zone.
type Depot struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
	TimeZone string  `json:"time_zone,omitempty"`
}

// Validate checks every field and returns an Invalid error naming the first
// one at fault.
func (d *Depot) Validate() error {
	if err := record.CheckID("id", d.ID); err != nil {
		return err
	}
	if err := checkName("name", d.Name); err != nil {
		return err
	}
	if err := record.CheckLatLon(d.Lat, d.Lon); err != nil {
		return err
	}
	if _, err := d.Location(); err != nil {
		return err
	}
	return nil
}

// Location returns the depot's time zone (UTC when it has none), or an
// Invalid error for a zone that is not an IANA name.
func (d *Depot) Location() (*time.Location, error) {
	if d.TimeZone == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil || d.TimeZone == "Local" {
		return nil, errs.Field("time_zone", "not an IANA time zone: %q", d.TimeZone)
	}
	return loc, nil
}

// Vehicle is a vehicle based at a depot: how many units of each
// temperature class it carries, its shift as times of day in the depot's
// time zone, and how long it may be out of the depot (MaxOut, 0: the whole
// shift): the cold-chain limit, counting driving, waiting and unloading.
type Vehicle struct {
	ID         string          `json:"id"`
	Depot      string          `json:"depot"`
	Ambient    int             `json:"ambient"`
	Chilled    int             `json:"chilled"`
	Frozen     int             `json:"frozen"`
	ShiftStart record.Duration `json:"shift_start"`
	ShiftEnd   record.Duration `json:"shift_end"`
	MaxOut     record.Duration `json:"max_out,omitzero"`
}

// Capacity returns the vehicle's capacity per temperature class, in the
// order of Classes.
func (v *Vehicle) Capacity() [len(Classes)]int { return [...]int{v.Ambient, v.Chilled, v.Frozen} }

// Validate checks every field and returns an Invalid error naming the first
// one at fault.
func (v *Vehicle) Validate() error {
	if err := record.CheckID("id", v.ID); err != nil {
		return err
	}
	if err := record.CheckID("depot", v.Depot); err != nil {
		return err
	}
	for i, c := range v.Capacity() {
		if c < 0 || c > maxQuantity {
			return errs.Field(Classes[i], "%d is not from 0 to %d", c, maxQuantity)
		}
	}
	if v.Ambient+v.Chilled+v.Frozen == 0 {
		return errs.Field("ambient", "the vehicle carries nothing: give a capacity in ambient, chilled or frozen")
	}
	day := record.Duration(48 * time.Hour)
	switch {
	case v.ShiftStart < 0 || v.ShiftStart >= day:
		return errs.Field("shift_start", "a time of day from 0h to 48h, not %s", durText(v.ShiftStart))
	case v.ShiftEnd <= v.ShiftStart || v.ShiftEnd > day:
		return errs.Field("shift_end", "must be after shift_start and at most 48h, not %s", durText(v.ShiftEnd))
	case v.MaxOut < 0:
		return errs.Field("max_out", "negative")
	}
	return nil
}

// Lot is stock of one item at a depot: a lot number, its expiry, its
// temperature class and the quantity on hand, in units (a box, a parcel).
type Lot struct {
	ID          string    `json:"id"`
	Depot       string    `json:"depot"`
	Item        string    `json:"item"`
	Lot         string    `json:"lot,omitempty"`
	Expiry      time.Time `json:"expiry,omitzero"`
	Temperature string    `json:"temperature"`
	Quantity    int       `json:"quantity"`
}

// Validate checks every field and returns an Invalid error naming the first
// one at fault.
func (l *Lot) Validate() error {
	for _, f := range []struct{ name, v string }{{"id", l.ID}, {"depot", l.Depot}, {"item", l.Item}} {
		if err := record.CheckID(f.name, f.v); err != nil {
			return err
		}
	}
	if err := record.CheckText("lot", l.Lot, 64); err != nil {
		return err
	}
	if classIndex(l.Temperature) < 0 {
		return errs.Field("temperature", "must be ambient, chilled or frozen, not %q", l.Temperature)
	}
	if l.Quantity < 0 || l.Quantity > maxQuantity {
		return errs.Field("quantity", "%d is not from 0 to %d", l.Quantity, maxQuantity)
	}
	l.Expiry = record.Instant(l.Expiry)
	return nil
}

// The kinds of site a request comes from. A household's delivery is a
// parcel made up for it: it is delivered whole or not at all.
const (
	VaccinationPoint = "vaccination_point"
	Hospital         = "hospital"
	Household        = "household"
	OtherSite        = "other"
)

// The states of a request.
const (
	Open       = "open"       // waiting for a plan
	Dispatched = "dispatched" // on a dispatched plan
	Delivered  = "delivered"
	Cancelled  = "cancelled"
)

// Request asks for a quantity of an item delivered to a site, within a
// slot [SlotFrom, SlotTo] in which unloading must start (no slot: any time
// in a shift). Higher priorities are served first (0 to MaxPriority); among
// requests of one priority, stock is shared fairly. Person is the resident
// of a quarantined household.
type Request struct {
	ID       string          `json:"id"`
	Site     string          `json:"site"`
	Kind     string          `json:"kind"`
	Person   string          `json:"person,omitempty"`
	Lat      float64         `json:"lat"`
	Lon      float64         `json:"lon"`
	Item     string          `json:"item"`
	Quantity int             `json:"quantity"`
	Priority int             `json:"priority,omitempty"`
	SlotFrom time.Time       `json:"slot_from,omitzero"`
	SlotTo   time.Time       `json:"slot_to,omitzero"`
	Service  record.Duration `json:"service,omitzero"`
	Created  time.Time       `json:"created,omitzero"`
	Status   string          `json:"status"`
	Plan     string          `json:"plan,omitempty"`
}

// Limits on requests and stock.
const (
	MaxPriority    = 9
	DefaultService = 10 * time.Minute
	maxQuantity    = 10_000_000
)

// Validate checks every field and returns an Invalid error naming the first
// one at fault. An empty status is open.
func (r *Request) Validate() error {
	if err := record.CheckID("id", r.ID); err != nil {
		return err
	}
	if err := checkName("site", r.Site); err != nil {
		return err
	}
	switch r.Kind {
	case VaccinationPoint, Hospital, Household, OtherSite:
	default:
		return errs.Field("kind", "must be vaccination_point, hospital, household or other, not %q", r.Kind)
	}
	if r.Person != "" {
		if err := record.CheckID("person", r.Person); err != nil {
			return err
		}
	}
	if err := record.CheckLatLon(r.Lat, r.Lon); err != nil {
		return err
	}
	if err := record.CheckID("item", r.Item); err != nil {
		return err
	}
	if r.Quantity < 1 || r.Quantity > maxQuantity {
		return errs.Field("quantity", "%d is not from 1 to %d", r.Quantity, maxQuantity)
	}
	if r.Priority < 0 || r.Priority > MaxPriority {
		return errs.Field("priority", "%d is not from 0 to %d", r.Priority, MaxPriority)
	}
	r.SlotFrom, r.SlotTo, r.Created = record.Instant(r.SlotFrom), record.Instant(r.SlotTo), record.Instant(r.Created)
	switch {
	case r.SlotFrom.IsZero() != r.SlotTo.IsZero():
		return errs.Field("slot_to", "a slot needs both slot_from and slot_to")
	case r.SlotTo.Before(r.SlotFrom):
		return errs.Field("slot_to", "closes before the slot opens")
	case r.Service < 0 || r.Service > record.Duration(12*time.Hour):
		return errs.Field("service", "not from 0 to 12h")
	}
	switch r.Status {
	case "":
		r.Status = Open
	case Open, Dispatched, Delivered, Cancelled:
	default:
		return errs.Field("status", "must be open, dispatched, delivered or cancelled, not %q", r.Status)
	}
	if r.Plan != "" {
		if err := record.CheckID("plan", r.Plan); err != nil {
			return err
		}
	}
	return nil
}

// unload returns how long unloading takes.
func (r *Request) unload() time.Duration {
	if r.Service == 0 {
		return DefaultService
	}
	return time.Duration(r.Service)
}

// durText writes a duration as Go does, 0s for zero.
func durText(d record.Duration) string {
	if d == 0 {
		return "0s"
	}
	return d.String()
}

func checkName(field, s string) error {
	if s == "" {
		return errs.Field(field, "required")
	}
	return record.CheckText(field, s, 200)
}
