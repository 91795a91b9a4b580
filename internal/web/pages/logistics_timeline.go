package pages

import (
	"fmt"
	"strings"
	"time"

	"outbreak/internal/supply"
)

// The timelines put the routes of a plan side by side in time, so that the
// officer sees at a glance who waits, for how long, and which slots are
// tight.

// lgTimeline is one row per route over the plan's horizon, with hour
// ticks: driving thin, waiting light, unloading solid, and each stop's
// slot a faint bracket behind.
type lgTimeline struct {
	ViewBox, Label string
	// Left and Right bound the plotting area; Bottom is where it ends.
	Left, Right, Bottom string
	Ticks               []lgTick
	Rows                []lgRow
}

// lgTick is an hour mark of the timeline.
type lgTick struct{ X, Label string }

// lgRow is one vehicle's day.
type lgRow struct {
	Vehicle, Name, Title, Color, LabelY, LineY string
	Slots, Drives, Waits, Unloads              []lgBox
}

// lgBox is a rectangle, or a line from X to X2 at Y, with a shape for
// brackets and its hover text.
type lgBox struct {
	X, Y, W, H, X2, Path, Title string
}

// Timeline geometry, in view box units.
const (
	lgTLW     = 640.0
	lgTLLeft  = 84.0 // the vehicles' labels
	lgTLRight = 12.0
	lgTLTop   = 24.0
	lgTLRow   = 28.0
	lgTLBar   = 14.0
)

// drawTimeline lays out the timelines, or returns nil without routes.
func (p *lgPage) drawTimeline() *lgTimeline {
	if len(p.Routes) == 0 {
		return nil
	}
	from, to := p.Routes[0].Depart, p.Routes[0].Return
	for _, rt := range p.Routes {
		if rt.Depart.Before(from) {
			from = rt.Depart
		}
		if rt.Return.After(to) {
			to = rt.Return
		}
	}
	// Whole hours in the zone, at least one.
	from = p.hour(from)
	if h := p.hour(to); h.Before(to) || !h.After(from) {
		to = h.Add(time.Hour)
	} else {
		to = h
	}
	span := to.Sub(from).Minutes()
	width := lgTLW - lgTLLeft - lgTLRight
	xOf := func(t time.Time) float64 {
		m := min(max(t.Sub(from).Minutes(), 0), span)
		return lgTLLeft + m/span*width
	}
	bottom := lgTLTop + lgTLRow*float64(len(p.Routes))
	tl := &lgTimeline{ViewBox: fmt.Sprintf("0 0 %s %s", lgNum(lgTLW), lgNum(bottom+4)),
		Left: lgNum(lgTLLeft), Right: lgNum(lgTLW - lgTLRight), Bottom: lgNum(bottom),
		Label: p.T("lg.timeline_label", p.N("lg.n_routes", len(p.Routes)), p.Clock(from), p.Clock(to))}
	step := time.Hour
	for hours := to.Sub(from).Hours(); hours/step.Hours() > 12; {
		step *= 2
	}
	for t := from; !t.After(to); t = t.Add(step) {
		tl.Ticks = append(tl.Ticks, lgTick{X: lgNum(xOf(t)), Label: t.In(p.Zone).Format("15:04")})
	}

	for i, rt := range p.Routes {
		y0 := lgTLTop + lgTLRow*float64(i)
		mid := y0 + lgTLRow/2
		row := lgRow{Vehicle: rt.Vehicle, Name: lgShorten(rt.Vehicle, 11), Color: rt.Color,
			LabelY: lgNum(mid + 4), LineY: lgNum(mid),
			Title: p.T("lg.row", rt.Vehicle, rt.DepotName, p.Clock(rt.Depart), p.Clock(rt.Return),
				p.N("lg.n_stops", len(rt.Stops)))}
		box := func(a, b time.Time, h float64, title string) lgBox {
			x1, x2 := xOf(a), xOf(b)
			return lgBox{X: lgNum(x1), Y: lgNum(mid - h/2), W: lgNum(max(x2-x1, 1.5)), H: lgNum(h), Title: title}
		}
		drive := func(a, b time.Time, title string) {
			if b.After(a) {
				row.Drives = append(row.Drives, lgBox{X: lgNum(xOf(a)), X2: lgNum(xOf(b)), Y: lgNum(mid), Title: title})
			}
		}
		row.Slots = p.slots(rt.Stops, from, to, mid, xOf)
		at, place := rt.Depart, p.T("lg.the_depot")
		for k, st := range rt.Stops {
			name := p.T("lg.stop_name", k+1, st.Site)
			drive(at, st.Arrive, p.T("lg.drive", place, name, p.Clock(at), p.Clock(st.Arrive)))
			if st.Start.After(st.Arrive) {
				row.Waits = append(row.Waits, box(st.Arrive, st.Start, 8, p.T("lg.wait", name, p.Clock(st.Arrive), p.Clock(st.Start))))
			}
			row.Unloads = append(row.Unloads, box(st.Start, st.Leave, lgTLBar, p.T("lg.unload", name, p.Clock(st.Start), p.Clock(st.Leave))))
			at, place = st.Leave, name
		}
		drive(at, rt.Return, p.T("lg.drive_back", place, p.Clock(at), p.Clock(rt.Return)))
		tl.Rows = append(tl.Rows, row)
	}
	return tl
}

// slots draws the slots of a route's stops behind them: a faint band with
// a bracket where the slot opens and one where it closes, unless it runs
// past the horizon there. Stops that share a slot share its band, so that
// bands do not darken where they pile up.
func (p *lgPage) slots(stops []supply.DispatchStop, from, to time.Time, mid float64, xOf func(time.Time) float64) []lgBox {
	type span struct{ from, to int64 }
	var order []span
	names := map[span][]string{}
	for k, st := range stops {
		if st.SlotFrom.IsZero() || st.SlotTo.Before(from) || st.SlotFrom.After(to) {
			continue
		}
		sp := span{st.SlotFrom.UnixNano(), st.SlotTo.UnixNano()}
		if _, ok := names[sp]; !ok {
			order = append(order, sp)
		}
		names[sp] = append(names[sp], p.T("lg.stop_name", k+1, st.Site))
	}
	var out []lgBox
	top, bot := lgNum(mid-lgTLRow/2+3), lgNum(mid+lgTLRow/2-3)
	for _, sp := range order {
		a, b := time.Unix(0, sp.from), time.Unix(0, sp.to)
		x1, x2 := xOf(a), xOf(b)
		box := lgBox{X: lgNum(x1), Y: top, W: lgNum(max(x2-x1, 1.5)), H: lgNum(lgTLRow - 6),
			Title: p.T("lg.slot", p.Slot(a, b), strings.Join(names[sp], p.T("punct.semi")))}
		if !a.Before(from) {
			box.Path = fmt.Sprintf("M%s %sH%sV%sH%s", lgNum(x1+3), top, lgNum(x1), bot, lgNum(x1+3))
		}
		if !b.After(to) {
			box.Path += fmt.Sprintf("M%s %sH%sV%sH%s", lgNum(x2-3), top, lgNum(x2), bot, lgNum(x2-3))
		}
		out = append(out, box)
	}
	return out
}

// hour returns the start of the hour of t in the page's zone.
func (p *lgPage) hour(t time.Time) time.Time {
	l := t.In(p.Zone)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), 0, 0, 0, p.Zone)
}

// lgShorten cuts a label to n characters, so that a long vehicle ID does
// not run into the timeline; the row's hover text has it whole.
func lgShorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
