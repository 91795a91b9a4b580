package pages

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The map and the timelines are SVG drawn on the server: coordinates are
// worked out here and the template only writes them out, so all text in
// them (site names come from users) goes through html/template's escaping.

// lgMap is the map of a day: depots, routes, stops and requests left out,
// in an equirectangular projection fitted into the view box.
type lgMap struct {
	ViewBox string
	Label   string
	Routes  []lgMapRoute
	Depots  []lgMark
	Left    []lgMark
	Pending []lgMark // the day's requests, when there is no plan yet
	Scale   *lgScaleBar
}

// lgMapRoute is one route on the map.
type lgMapRoute struct {
	Vehicle, Color, Points, Title string
	Stops                         []lgMark
}

// lgMark is one mark on the map: its center, its shape where it needs one,
// its number for a stop and its hover text.
type lgMark struct {
	X, Y, Path, Title string
	N                 int
}

// lgScaleBar is a bar of a round number of kilometres.
type lgScaleBar struct {
	X1, X2, Y, TextY, Label string
}

// Map geometry, in view box units: the map is lgMapW wide whatever the
// screen, and the browser scales it to the width of the page.
const (
	lgMapW      = 400.0
	lgMapMargin = 20.0
	lgMapMinH   = 160.0 // inner height at least
	lgMapMaxH   = 440.0 // inner height at most
	lgMinSpan   = 0.005 // degrees, so that one point still makes a map
	lgKmPerDeg  = 111.32
)

// lgProjection maps (lat, lon) to view box coordinates.
type lgProjection struct {
	k, minX, minY, scale, offX, offY float64
}

// xy returns the view box coordinates of a point, formatted and as numbers.
func (pr *lgProjection) xy(lat, lon float64) (string, string, float64, float64) {
	x := pr.offX + (lon*pr.k-pr.minX)*pr.scale
	y := pr.offY + (-lat-pr.minY)*pr.scale
	return lgNum(x), lgNum(y), x, y
}

// lgNum formats a coordinate with one decimal, which is finer than a pixel.
func lgNum(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// drawMap lays out the map, or returns nil when there is nothing to draw.
func (p *lgPage) drawMap() *lgMap {
	var pts [][2]float64 // lat, lon
	for _, d := range p.Depots {
		pts = append(pts, [2]float64{d.Lat, d.Lon})
	}
	if p.Plan != nil {
		for _, rt := range p.Plan.Routes {
			pts = append(pts, [2]float64{rt.Lat, rt.Lon})
			for _, st := range rt.Stops {
				pts = append(pts, [2]float64{st.Lat, st.Lon})
			}
		}
		for _, l := range p.Plan.Left {
			pts = append(pts, [2]float64{l.Lat, l.Lon})
		}
	} else {
		for _, r := range p.Requests {
			pts = append(pts, [2]float64{r.Lat, r.Lon})
		}
	}
	if len(pts) == 0 {
		return nil
	}
	pr, h := lgProject(pts)
	m := &lgMap{ViewBox: fmt.Sprintf("0 0 %s %s", lgNum(lgMapW), lgNum(h))}

	drawn := map[string]bool{}
	depot := func(id, title string, lat, lon float64) {
		if drawn[id] {
			return
		}
		drawn[id] = true
		_, _, x, y := pr.xy(lat, lon)
		m.Depots = append(m.Depots, lgMark{X: lgNum(x - 6), Y: lgNum(y - 6), Title: p.T("lg.map_depot", title)})
	}
	for _, d := range p.Depots {
		depot(d.ID, p.DepotName(d.ID), d.Lat, d.Lon)
	}
	if p.Plan != nil {
		for _, rt := range p.Routes {
			depot(rt.Depot, rt.DepotName, rt.Lat, rt.Lon)
			mr := lgMapRoute{Vehicle: rt.Vehicle, Color: rt.Color,
				Title: p.T("lg.map_route", rt.Vehicle, p.N("lg.n_stops", len(rt.Stops)), p.Km(rt.Km), p.Clock(rt.Depart), p.Clock(rt.Return))}
			var line []string
			dx, dy, _, _ := pr.xy(rt.Lat, rt.Lon)
			line = append(line, dx+","+dy)
			for k, st := range rt.Stops {
				x, y, _, _ := pr.xy(st.Lat, st.Lon)
				line = append(line, x+","+y)
				mr.Stops = append(mr.Stops, lgMark{X: x, Y: y, N: k + 1, Title: p.T("lg.map_stop",
					rt.Vehicle, k+1, st.Site, st.Request, p.Kind(st.Kind), p.Slot(st.SlotFrom, st.SlotTo),
					p.Clock(st.Arrive), p.Clock(st.Start), p.Clock(st.Leave))})
			}
			line = append(line, dx+","+dy)
			mr.Points = strings.Join(line, " ")
			m.Routes = append(m.Routes, mr)
		}
		for _, l := range p.Plan.Left {
			m.Left = append(m.Left, lgCross(pr, l.Lat, l.Lon,
				p.T("lg.map_left", l.Site, l.Request, l.Reason)))
		}
	} else {
		for _, r := range p.Requests {
			x, y, _, _ := pr.xy(r.Lat, r.Lon)
			m.Pending = append(m.Pending, lgMark{X: x, Y: y, Title: p.T("lg.map_pending",
				r.Site, r.ID, p.Kind(r.Kind), r.Item, r.Quantity, p.Slot(r.SlotFrom, r.SlotTo), p.RequestStatus(r.Status))})
		}
	}
	m.Scale = p.scale(pr, h)
	m.Label = p.mapLabel(m)
	return m
}

// mapLabel describes the map for those who cannot see it.
func (p *lgPage) mapLabel(m *lgMap) string {
	if p.Plan == nil {
		return p.T("lg.map_label_pending", p.N("lg.n_depots", len(m.Depots)), p.N("lg.n_requests", len(m.Pending)), p.Date)
	}
	return p.T("lg.map_label", p.N("lg.n_routes", len(m.Routes)), p.N("lg.n_depots", len(m.Depots)),
		p.N("lg.n_stops", p.Stops), p.N("lg.n_requests", len(m.Left)))
}

// lgProject fits points, as (lat, lon), into the map's view box: x is
// longitude times the cosine of the mean latitude and y is minus latitude,
// which keeps a city's shape; the drawing is centred and at least
// lgMinSpan across. It returns the projection and the view box height.
func lgProject(pts [][2]float64) (*lgProjection, float64) {
	mean := 0.0
	for _, pt := range pts {
		mean += pt[0]
	}
	mean /= float64(len(pts))
	pr := &lgProjection{k: math.Cos(mean * math.Pi / 180)}
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, pt := range pts {
		x, y := pt[1]*pr.k, -pt[0]
		minX, maxX, minY, maxY = min(minX, x), max(maxX, x), min(minY, y), max(maxY, y)
	}
	spanX, spanY := maxX-minX, maxY-minY
	if spanX < lgMinSpan {
		minX -= (lgMinSpan - spanX) / 2
		spanX = lgMinSpan
	}
	if spanY < lgMinSpan {
		minY -= (lgMinSpan - spanY) / 2
		spanY = lgMinSpan
	}
	inner := lgMapW - 2*lgMapMargin
	pr.scale = inner / spanX
	if spanY*pr.scale > lgMapMaxH {
		pr.scale = lgMapMaxH / spanY
	}
	innerH := max(spanY*pr.scale, lgMapMinH)
	pr.minX, pr.minY = minX, minY
	pr.offX = lgMapMargin + (inner-spanX*pr.scale)/2
	pr.offY = lgMapMargin + (innerH-spanY*pr.scale)/2
	return pr, innerH + 2*lgMapMargin
}

// lgCross is a request left out: a grey cross.
func lgCross(pr *lgProjection, lat, lon float64, title string) lgMark {
	x, y, fx, fy := pr.xy(lat, lon)
	const r = 5
	path := fmt.Sprintf("M%s %sL%s %sM%s %sL%s %s", lgNum(fx-r), lgNum(fy-r), lgNum(fx+r), lgNum(fy+r),
		lgNum(fx-r), lgNum(fy+r), lgNum(fx+r), lgNum(fy-r))
	return lgMark{X: x, Y: y, Path: path, Title: title}
}

// scale makes a scale bar of 1, 2 or 5 times a power of ten kilometres,
// at most a quarter of the map's width, in its bottom left corner.
func (p *lgPage) scale(pr *lgProjection, h float64) *lgScaleBar {
	perKm := pr.scale / lgKmPerDeg
	if !(perKm > 0) || math.IsInf(perKm, 0) {
		return nil
	}
	most := lgMapW / 4 / perKm
	km := math.Pow(10, math.Floor(math.Log10(most)))
	for _, f := range []float64{5, 2} {
		if km*f <= most {
			km *= f
			break
		}
	}
	label := p.T("lg.scale_km", strconv.FormatFloat(km, 'f', -1, 64))
	if km < 1 {
		label = p.T("lg.scale_m", strconv.FormatFloat(km*1000, 'f', 0, 64))
	}
	y := h - lgMapMargin/2
	return &lgScaleBar{X1: lgNum(lgMapMargin), X2: lgNum(lgMapMargin + km*perKm), Y: lgNum(y), TextY: lgNum(y - 4), Label: label}
}
