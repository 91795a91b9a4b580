package route

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"outbreak/internal/errs"
)

// Defaults and limits of the JSON format.
const (
	// DefaultRoadFactor is how much longer a road trip is than the great
	// circle, when a problem with lat/lon locations does not say.
	DefaultRoadFactor = 1.3
	// DefaultSpeedKmh is the average speed on the road, in km/h, when a
	// problem with lat/lon locations does not say.
	DefaultSpeedKmh = 40.0
	// MaxPriority is the highest priority of an optional job.
	MaxPriority = 1000

	earthRadiusKm = 6371.0
	maxJSONBytes  = 256 << 20
	maxMagnitude  = 1e15 // no number is larger: sums of times never overflow
)

// ParseJSON reads a problem in our JSON format and returns it with the
// coordinates of its locations for maps ((x, y), or (lon, lat); nil when
// the problem has only a matrix). docs/route.md has examples. The format:
//
//	{
//	  "name": "north, tuesday",                      optional
//	  "locations": [{"lat": 52.52, "lon": 13.405}, …],
//	  "road_factor": 1.3, "speed_kmh": 40,           optional, lat/lon only
//	  "matrix": [[0, 12.5, …], …],                   optional
//	  "depots": [{"id": "north", "location": 0}],
//	  "vehicles": [{"id": "van1", "start": "north", "end": 0,
//	                "capacity": [100, 20], "shift_start": 480, "shift_end": 1020,
//	                "max_duration": 240, "skills": ["cold"]}],
//	  "jobs": [{"id": "clinic3", "location": 2, "demand": [10, 2], "service": 15,
//	            "windows": [{"open": 540, "close": 600}, {"open": 840, "close": 900}],
//	            "skills": ["cold"], "optional": true, "priority": 2}]
//	}
//
// Locations are referred to by their index in "locations" (or in the
// matrix's rows). Each location is {"x", "y"} or {"lat", "lon"}, the same
// kind for all. Travel times come from the matrix when there is one
// (matrix[a][b] from a to b, in the problem's unit of time; locations may
// then be left out, or given for maps, as many as the matrix has rows);
// else from x/y, the Euclidean distance (time in the unit of the
// coordinates, as in Solomon's instances); else from lat/lon, the
// great-circle distance in km times road_factor, divided by speed_kmh, in
// minutes: then every time in the problem is in minutes (minutes since
// midnight, say). The travel time is also the distance the solver
// minimises.
//
// A vehicle starts at "start", a location index or a depot's id (default:
// the depot, when there is only one), and ends at "end" (default: its
// start). Its capacity has 1 to 4 dimensions, the same number for every
// vehicle; a job's demand has at most that many (missing ones are 0). The
// shift runs from shift_start (default 0) to shift_end (required);
// max_duration (0: none) bounds the time from leaving to coming back,
// waiting included. A job's windows are when service may start, sorted and
// apart (none: any time); a vehicle serves it only with all its skills.
// Optional jobs may be left out, those with a higher priority (0 to
// MaxPriority) last; a required job's priority is ignored. IDs are required
// and unique among depots, vehicles and jobs each. Travel times, service
// times, max durations, demands and capacities are at least 0; points in
// time (windows, shifts) may be negative; no number exceeds 10^15 in size.
//
// Bad input is an errs.Invalid error "NAME: FIELD: reason" whose field
// (errs.FieldOf) is the path of the field at fault, such as
// "jobs[3].windows[0]: closes before it opens", or "NAME: line L, column C:
// reason" for malformed JSON. Unknown fields are errors. So is a required
// job that no vehicle could serve even alone, for its demand, skills,
// windows against the shift and the trips from the start and back to the
// end, or the max duration; an optional one is left to the solver, which
// leaves it out with the reason.
func ParseJSON(name string, r io.Reader) (*Problem, [][2]float64, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxJSONBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxJSONBytes {
		return nil, nil, errs.E(errs.Invalid, "%s: larger than %d MiB", name, maxJSONBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a byte order mark
	var doc jsonDoc
	if err := decodeTop(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	b := &jsonBuilder{p: &Problem{Name: doc.Name}}
	if err := b.build(&doc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return b.p, b.xy, nil
}

// jsonDoc is a problem as JSON. The lists are decoded element by element,
// so that an error names the element.
type jsonDoc struct {
	Name       string            `json:"name"`
	Locations  []json.RawMessage `json:"locations"`
	Matrix     [][]*float64      `json:"matrix"`
	RoadFactor *float64          `json:"road_factor"`
	SpeedKmh   *float64          `json:"speed_kmh"`
	Depots     []json.RawMessage `json:"depots"`
	Vehicles   []json.RawMessage `json:"vehicles"`
	Jobs       []json.RawMessage `json:"jobs"`
}

type jsonLocation struct {
	X   *float64 `json:"x"`
	Y   *float64 `json:"y"`
	Lat *float64 `json:"lat"`
	Lon *float64 `json:"lon"`
}

// jsonBuilder makes a Problem of a jsonDoc.
type jsonBuilder struct {
	p      *Problem
	xy     [][2]float64
	n      int            // locations
	depots map[string]int // depot ID → location
}

func (b *jsonBuilder) build(doc *jsonDoc) error {
	if err := b.locations(doc); err != nil {
		return err
	}
	if err := b.depotList(doc.Depots); err != nil {
		return err
	}
	if err := b.vehicles(doc.Vehicles); err != nil {
		return err
	}
	if err := b.jobs(doc.Jobs); err != nil {
		return err
	}
	return b.servable()
}

// locations reads the locations and the matrix and makes the travel times.
func (b *jsonBuilder) locations(doc *jsonDoc) error {
	geo := false
	for i, raw := range doc.Locations {
		path := fmt.Sprintf("locations[%d]", i)
		if i == maxLocations {
			return errs.Field("locations", "more than %d", maxLocations)
		}
		var l jsonLocation
		if err := decodeStrict(path, raw, &l); err != nil {
			return err
		}
		xy, ll := l.X != nil || l.Y != nil, l.Lat != nil || l.Lon != nil
		switch {
		case xy == ll:
			return errs.Field(path, "want x and y, or lat and lon")
		case xy && (l.X == nil || l.Y == nil):
			return errs.Field(path, "want both x and y")
		case ll && (l.Lat == nil || l.Lon == nil):
			return errs.Field(path, "want both lat and lon")
		case i > 0 && ll != geo:
			return errs.Field(path, "mixes x/y and lat/lon locations")
		}
		geo = ll
		if xy {
			if err := checkNum(path+".x", *l.X, false); err != nil {
				return err
			}
			if err := checkNum(path+".y", *l.Y, false); err != nil {
				return err
			}
			b.xy = append(b.xy, [2]float64{*l.X, *l.Y})
			continue
		}
		if !(math.Abs(*l.Lat) <= 90) {
			return errs.Field(path+".lat", "%v is not from -90 to 90", *l.Lat)
		}
		if !(math.Abs(*l.Lon) <= 180) {
			return errs.Field(path+".lon", "%v is not from -180 to 180", *l.Lon)
		}
		b.xy = append(b.xy, [2]float64{*l.Lon, *l.Lat})
	}
	b.n = len(doc.Locations)
	if doc.Matrix != nil {
		if doc.Locations != nil && len(doc.Matrix) != b.n {
			return errs.Field("matrix", "%d rows for %d locations", len(doc.Matrix), b.n)
		}
		b.n = len(doc.Matrix)
	}
	if b.n == 0 {
		return errs.Field("locations", "required: a non-empty list, or a matrix")
	}
	if b.n > maxLocations {
		return errs.Field("matrix", "more than %d rows", maxLocations)
	}
	roadFactor, speed := DefaultRoadFactor, DefaultSpeedKmh
	for _, opt := range []struct {
		field string
		v     *float64
		dst   *float64
	}{{"road_factor", doc.RoadFactor, &roadFactor}, {"speed_kmh", doc.SpeedKmh, &speed}} {
		switch {
		case opt.v == nil:
		case !geo || doc.Matrix != nil:
			return errs.Field(opt.field, "only for lat/lon locations without a matrix")
		case !(*opt.v > 0 && *opt.v <= maxMagnitude):
			return errs.Field(opt.field, "%v is not a number above 0", *opt.v)
		default:
			*opt.dst = *opt.v
		}
	}

	b.p.Travel = make([][]float64, b.n)
	for a := range b.n {
		b.p.Travel[a] = make([]float64, b.n)
		if doc.Matrix != nil {
			row := doc.Matrix[a]
			if len(row) != b.n {
				return errs.Field(fmt.Sprintf("matrix[%d]", a), "%d entries, want %d", len(row), b.n)
			}
			for c, x := range row {
				path := fmt.Sprintf("matrix[%d][%d]", a, c)
				if x == nil {
					return errs.Field(path, "null, want a number")
				}
				if err := checkNum(path, *x, true); err != nil {
					return err
				}
				b.p.Travel[a][c] = *x
			}
			continue
		}
		for c := range b.n {
			if geo {
				b.p.Travel[a][c] = GeoMinutes(b.xy[a], b.xy[c], roadFactor, speed)
			} else {
				b.p.Travel[a][c] = euclidean(b.xy[a], b.xy[c])
			}
		}
	}
	return nil
}

// checkNum checks that a number is at most maxMagnitude in size and, if
// nonNegative, at least 0.
func checkNum(path string, x float64, nonNegative bool) error {
	if nonNegative && x < 0 {
		return errs.Field(path, "%v is negative", x)
	}
	if !(math.Abs(x) <= maxMagnitude) {
		return errs.Field(path, "%v is too large (at most 1e15 in size)", x)
	}
	return nil
}

// decodeTop decodes a whole JSON document into doc, refusing unknown fields
// and anything after the document.
func decodeTop(data []byte, doc *jsonDoc) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	err := d.Decode(doc)
	switch {
	case err == io.EOF:
		return errs.E(errs.Invalid, "empty, want a JSON object")
	case err == io.ErrUnexpectedEOF:
		return errs.E(errs.Invalid, "unexpected end of the input")
	case err != nil:
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(data, se.Offset-1) // the byte that did not fit
			return errs.E(errs.Invalid, "line %d, column %d: %v", line, col, se)
		}
		return jsonFieldError("", err)
	}
	i := d.InputOffset()
	if _, err := d.Token(); err != io.EOF {
		for i < int64(len(data)) && bytes.IndexByte([]byte(" \t\r\n"), data[i]) >= 0 {
			i++
		}
		line, col := lineCol(data, i)
		return errs.E(errs.Invalid, "line %d, column %d: more after the problem's closing brace", line, col)
	}
	return nil
}

// lineCol returns the line and column (in bytes, from 1) of data[i].
func lineCol(data []byte, i int64) (line, col int) {
	i = max(0, min(i, int64(len(data))))
	before := data[:i]
	return 1 + bytes.Count(before, []byte{'\n'}), int(i) - bytes.LastIndexByte(before, '\n')
}
