package route

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// timeTol absorbs rounding in comparisons of times and loads: a start, a
// return or a load may exceed its limit by this much.
const timeTol = 1e-9

// Limits on the size of a parsed problem: the travel matrix of maxLocations
// locations takes 200 MB, and a bad NUMBER in a Solomon file must not make
// a billion vehicles.
const (
	maxLocations = 5000
	maxVehicles  = 10000
)

// windowStart returns when service can start for an arrival at t: the
// earliest start in any window that has not closed by t, and that window's
// index; ok is false if every window has closed. Windows need not be sorted.
// A job without windows starts on arrival (index -1).
func windowStart(ws []Window, t float64) (start float64, w int, ok bool) {
	if len(ws) == 0 {
		return t, -1, !math.IsNaN(t)
	}
	w = -1
	for i, win := range ws {
		if t <= win.Close+timeTol {
			if s := math.Max(t, win.Open); w < 0 || s < start {
				start, w = s, i
			}
		}
	}
	return start, w, w >= 0
}

// whyNotAlone returns why vehicle v cannot serve job j even as the only job
// of its route, or "" if it can. Serving one job, a vehicle best leaves so
// that it arrives when service can first start, so that it does not wait:
// then its route lasts the two trips and the service.
func whyNotAlone(p *Problem, v, j int) string {
	veh, job := &p.Vehicles[v], &p.Jobs[j]
	if miss := missingSkills(veh.Skills, job.Skills); len(miss) > 0 {
		return "it needs " + plural(len(miss), "skill", "skills") + " " + quoteAll(miss) + " that the vehicle lacks"
	}
	for d := range p.Dims {
		if !(job.Demand[d] <= veh.Capacity[d]+timeTol) {
			return fmt.Sprintf("its demand %s exceeds the capacity %s", amount(p.Dims, job.Demand), amount(p.Dims, veh.Capacity))
		}
	}
	there, back := p.Travel[veh.Start][job.Location], p.Travel[job.Location][veh.End]
	arrival := veh.ShiftStart + there
	start, _, ok := windowStart(job.Windows, arrival)
	if !ok {
		last := job.Windows[0].Close
		for _, w := range job.Windows {
			last = math.Max(last, w.Close)
		}
		return fmt.Sprintf("it is reached at the earliest at %s, after its last window closes at %s", num(arrival), num(last))
	}
	if ret := start + job.Service + back; !(ret <= veh.ShiftEnd+timeTol) {
		return fmt.Sprintf("served at the earliest, at %s, it gets the vehicle back at %s, after the shift ends at %s", num(start), num(ret), num(veh.ShiftEnd))
	}
	if d := there + job.Service + back; veh.MaxDuration > 0 && !(d <= veh.MaxDuration+timeTol) {
		return fmt.Sprintf("going there, serving it and coming back takes %s, longer than the max duration %s", num(d), num(veh.MaxDuration))
	}
	return ""
}

// missingSkills returns the skills in need that are not in have.
func missingSkills(have, need []string) []string {
	var miss []string
	for _, s := range need {
		if !slices.Contains(have, s) && !slices.Contains(miss, s) {
			miss = append(miss, s)
		}
	}
	return miss
}

// num formats a time, a distance or a quantity for a message: to three
// decimals at most, and whole numbers without any.
func num(x float64) string {
	if !(math.Abs(x) < 1e15) {
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strconv.FormatFloat(math.Round(x*1000)/1000+0, 'f', -1, 64) // +0: no "-0"
}

// amount formats a demand or a capacity: a number in one dimension, else a
// list.
func amount(dims int, a Amount) string {
	if dims <= 1 {
		return num(a[0])
	}
	parts := make([]string, min(dims, MaxDims))
	for d := range parts {
		parts[d] = num(a[d])
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// excerpt shortens a piece of input quoted in a message.
func excerpt(s string) string {
	const most = 40
	if len(s) <= most {
		return s
	}
	cut := most
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
