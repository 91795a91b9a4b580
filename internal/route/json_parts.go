package route

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"outbreak/internal/errs"
)

type jsonDepot struct {
	ID       string `json:"id"`
	Location *int   `json:"location"`
}

type jsonVehicle struct {
	ID          string          `json:"id"`
	Start       json.RawMessage `json:"start"`
	End         json.RawMessage `json:"end"`
	Capacity    []*float64      `json:"capacity"`
	ShiftStart  float64         `json:"shift_start"`
	ShiftEnd    *float64        `json:"shift_end"`
	MaxDuration float64         `json:"max_duration"`
	Skills      []string        `json:"skills"`
}

type jsonJob struct {
	ID       string            `json:"id"`
	Location *int              `json:"location"`
	Demand   []*float64        `json:"demand"`
	Service  float64           `json:"service"`
	Windows  []json.RawMessage `json:"windows"`
	Skills   []string          `json:"skills"`
	Optional bool              `json:"optional"`
	Priority int               `json:"priority"`
}

func (b *jsonBuilder) depotList(raws []json.RawMessage) error {
	b.depots = map[string]int{}
	for i, raw := range raws {
		path := fmt.Sprintf("depots[%d]", i)
		var d jsonDepot
		if err := decodeStrict(path, raw, &d); err != nil {
			return err
		}
		_, dup := b.depots[d.ID]
		if err := checkID(path, d.ID, "depot", dup); err != nil {
			return err
		}
		loc, err := b.location(path+".location", d.Location)
		if err != nil {
			return err
		}
		b.depots[d.ID] = loc
	}
	return nil
}

func (b *jsonBuilder) vehicles(raws []json.RawMessage) error {
	if len(raws) > maxVehicles {
		return errs.Field("vehicles", "more than %d", maxVehicles)
	}
	ids := map[string]bool{}
	for i, raw := range raws {
		path := fmt.Sprintf("vehicles[%d]", i)
		var jv jsonVehicle
		if err := decodeStrict(path, raw, &jv); err != nil {
			return err
		}
		if err := checkID(path, jv.ID, "vehicle", ids[jv.ID]); err != nil {
			return err
		}
		ids[jv.ID] = true
		v := Vehicle{ID: jv.ID, ShiftStart: jv.ShiftStart, MaxDuration: jv.MaxDuration}
		var err error
		if v.Start, err = b.place(path+".start", jv.Start, -1); err != nil {
			return err
		}
		if v.End, err = b.place(path+".end", jv.End, v.Start); err != nil {
			return err
		}
		if len(jv.Capacity) == 0 {
			return errs.Field(path+".capacity", "required: a list of 1 to %d numbers", MaxDims)
		}
		if i > 0 && len(jv.Capacity) != b.p.Dims {
			return errs.Field(path+".capacity", "%d numbers, but vehicles[0] has %d: every vehicle has the same dimensions", len(jv.Capacity), b.p.Dims)
		}
		if v.Capacity, err = amountOf(path+".capacity", jv.Capacity, MaxDims, ""); err != nil {
			return err
		}
		b.p.Dims = len(jv.Capacity)
		if jv.ShiftEnd == nil {
			return errs.Field(path+".shift_end", "required")
		}
		v.ShiftEnd = *jv.ShiftEnd
		for _, f := range []struct {
			field string
			x     float64
		}{{"shift_start", v.ShiftStart}, {"shift_end", v.ShiftEnd}, {"max_duration", v.MaxDuration}} {
			if err := checkNum(path+"."+f.field, f.x, f.field == "max_duration"); err != nil {
				return err
			}
		}
		if v.ShiftEnd < v.ShiftStart {
			return errs.Field(path+".shift_end", "%v is before shift_start %v", v.ShiftEnd, v.ShiftStart)
		}
		if v.Skills, err = skillList(path+".skills", jv.Skills); err != nil {
			return err
		}
		b.p.Vehicles = append(b.p.Vehicles, v)
	}
	return nil
}

func (b *jsonBuilder) jobs(raws []json.RawMessage) error {
	if b.p.Dims == 0 {
		b.p.Dims = 1 // no vehicles: the jobs' demands say, below
	}
	fixed := len(b.p.Vehicles) > 0
	ids := map[string]bool{}
	for i, raw := range raws {
		path := fmt.Sprintf("jobs[%d]", i)
		var jj jsonJob
		if err := decodeStrict(path, raw, &jj); err != nil {
			return err
		}
		if err := checkID(path, jj.ID, "job", ids[jj.ID]); err != nil {
			return err
		}
		ids[jj.ID] = true
		job := Job{ID: jj.ID, Service: jj.Service, Optional: jj.Optional, Priority: jj.Priority}
		var err error
		if job.Location, err = b.location(path+".location", jj.Location); err != nil {
			return err
		}
		limit, why := MaxDims, ""
		if fixed {
			limit, why = b.p.Dims, " as the vehicles' capacities have"
		}
		if job.Demand, err = amountOf(path+".demand", jj.Demand, limit, why); err != nil {
			return err
		}
		b.p.Dims = max(b.p.Dims, len(jj.Demand))
		if err := checkNum(path+".service", jj.Service, true); err != nil {
			return err
		}
		for w, raw := range jj.Windows {
			wpath := fmt.Sprintf("%s.windows[%d]", path, w)
			var win Window
			if err := decodeStrict(wpath, raw, &win); err != nil {
				return err
			}
			if err := checkNum(wpath+".open", win.Open, false); err != nil {
				return err
			}
			if err := checkNum(wpath+".close", win.Close, false); err != nil {
				return err
			}
			if win.Close < win.Open {
				return errs.Field(wpath, "closes before it opens (%v before %v)", win.Close, win.Open)
			}
			if w > 0 && win.Open < job.Windows[w-1].Close {
				return errs.Field(wpath, "opens at %v, before windows[%d] closes at %v: windows are sorted and apart", win.Open, w-1, job.Windows[w-1].Close)
			}
			job.Windows = append(job.Windows, win)
		}
		if job.Skills, err = skillList(path+".skills", jj.Skills); err != nil {
			return err
		}
		if jj.Priority < 0 || jj.Priority > MaxPriority {
			return errs.Field(path+".priority", "%d is not from 0 to %d", jj.Priority, MaxPriority)
		}
		b.p.Jobs = append(b.p.Jobs, job)
	}
	return nil
}

// servable makes sure that some vehicle can serve each required job, alone.
func (b *jsonBuilder) servable() error {
	p := b.p
	for j, job := range p.Jobs {
		if job.Optional {
			continue // left out with the reason
		}
		path := fmt.Sprintf("jobs[%d]", j)
		if len(p.Vehicles) == 0 {
			return errs.Field(path, "no vehicle can ever serve job %q: there are no vehicles", job.ID)
		}
		var why []string
		for v := range p.Vehicles {
			reason := whyNotAlone(p, v, j)
			if reason == "" {
				why = nil
				break
			}
			if len(why) < 3 {
				why = append(why, fmt.Sprintf("vehicles[%d] (%q): %s", v, p.Vehicles[v].ID, reason))
			}
		}
		if why != nil {
			more := ""
			if n := len(p.Vehicles) - len(why); n > 0 {
				more = fmt.Sprintf("; and %d more %s", n, plural(n, "vehicle", "vehicles"))
			}
			return errs.Field(path, "no vehicle can ever serve job %q: %s%s", job.ID, strings.Join(why, "; "), more)
		}
	}
	return nil
}

// checkID checks the id of a depot, vehicle or job: required, and new.
func checkID(path, id, what string, seen bool) error {
	switch {
	case id == "":
		return errs.Field(path+".id", "required")
	case seen:
		return errs.Field(path+".id", "another %s is %q already", what, id)
	}
	return nil
}

// location checks a location index.
func (b *jsonBuilder) location(path string, loc *int) (int, error) {
	switch {
	case loc == nil:
		return 0, errs.Field(path, "required: the index of a location")
	case *loc < 0 || *loc >= b.n:
		return 0, errs.Field(path, "no location %d: there are %d, from 0", *loc, b.n)
	}
	return *loc, nil
}

// place reads a vehicle's start or end: a location index or a depot's id.
// Left out, it is def, or for def -1 the one depot there is.
func (b *jsonBuilder) place(path string, raw json.RawMessage, def int) (int, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		if def >= 0 {
			return def, nil
		}
		if len(b.depots) == 1 {
			for _, loc := range b.depots {
				return loc, nil
			}
		}
		return 0, errs.Field(path, "required: a location index or a depot id (there is not one depot only)")
	}
	if raw[0] == '"' {
		var id string
		if err := json.Unmarshal(raw, &id); err != nil {
			return 0, errs.Field(path, "bad string: %v", err)
		}
		loc, ok := b.depots[id]
		if !ok {
			return 0, errs.Field(path, "no depot %q", excerpt(id))
		}
		return loc, nil
	}
	i, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, errs.Field(path, "want a location index or a depot id, got %s", excerpt(string(raw)))
	}
	return b.location(path, &i)
}

// amountOf reads a capacity or a demand of at most limit numbers; why says
// why the limit.
func amountOf(path string, xs []*float64, limit int, why string) (Amount, error) {
	var a Amount
	if len(xs) > limit {
		return a, errs.Field(path, "%d numbers, want at most %d%s", len(xs), limit, why)
	}
	for d, x := range xs {
		dpath := fmt.Sprintf("%s[%d]", path, d)
		if x == nil {
			return a, errs.Field(dpath, "null, want a number")
		}
		if err := checkNum(dpath, *x, true); err != nil {
			return a, err
		}
		a[d] = *x
	}
	return a, nil
}

func skillList(path string, skills []string) ([]string, error) {
	for i, s := range skills {
		if strings.TrimSpace(s) == "" {
			return nil, errs.Field(fmt.Sprintf("%s[%d]", path, i), "empty skill")
		}
	}
	return skills, nil
}

// decodeStrict decodes one JSON value (already known to be well formed)
// into v, refusing unknown fields; errors name the field below path.
func decodeStrict(path string, raw json.RawMessage, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return jsonFieldError(path, err)
	}
	return nil
}

// jsonFieldError turns an error of encoding/json, decoding the value at
// path, into an Invalid error naming the field.
func jsonFieldError(path string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := path
		if te.Field != "" {
			field = strings.TrimPrefix(path+"."+te.Field, ".")
		}
		return errs.Field(field, "want %s, got %s", typeName(te.Type), te.Value)
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if path == "" {
		return errs.E(errs.Invalid, "%s", msg)
	}
	return errs.Field(path, "%s", msg)
}

// typeName names the JSON kind a Go type is decoded from.
func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Float64:
		return "a number"
	case reflect.Int:
		return "a whole number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}
