package pages

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strings"
	"time"

	"outbreak/internal/supply"
)

// logisticsView is what the logistics officer's page shows: the records of
// one day, the plan being looked at and the recent plans. The handler fills
// it from the store; renderLogistics only draws it, so that the page can be
// tested without a server.
type logisticsView struct {
	// Date is the day planned, YYYY-MM-DD.
	Date string
	// Zone is the depots' time zone: every time on the page is shown in it,
	// as HH:MM. Nil means UTC.
	Zone     *time.Location
	Depots   []supply.Depot
	Vehicles []supply.Vehicle
	Lots     []supply.Lot
	// Requests are the day's requests, in any state.
	Requests []supply.Request
	// Plan is the plan shown, or nil when the day has none yet.
	Plan *supply.Plan
	// Plans are summaries of recent plans (no allocations or stops).
	Plans []supply.Plan
	// Notice and Error report the outcome of the last action, in the
	// page's language.
	Notice, Error string
	// Lang is the page's language; nil means English. LangParam is the
	// lang parameter its links and forms carry along ("" when the language
	// came from the Accept-Language header), and Query the parameters of
	// its address, which the link to the other language keeps.
	Lang      *catalog
	LangParam string
	Query     url.Values
}

// The page is one template with its CSS inline, so that it works from a
// single response; the maps and timelines are drawn here in Go, as SVG, so
// that it needs no script at all.
//
//go:embed templates/logistics.html
var logisticsHTML string

var logisticsPage = template.Must(template.New("logistics").Parse(logisticsHTML))

// renderLogistics writes the logistics page of v. A caller that answers
// with an error page when it fails renders into a buffer first.
func renderLogistics(w io.Writer, v *logisticsView) error {
	if err := logisticsPage.Execute(w, newLogisticsPage(v)); err != nil {
		return fmt.Errorf("logistics page: %w", err)
	}
	return nil
}

// lgPage is the view with everything the template needs worked out:
// colors, geometry, the rows of each table.
type lgPage struct {
	*logisticsView
	pageText
	dayStart  time.Time // midnight of Date in Zone; zero if Date is not a date
	depotName map[string]string
	Stops     int // stops on routes
	Routes    []lgRoute
	Short     []lgShort
	Stock     []lgDepotStock
	Map       *lgMap
	Timeline  *lgTimeline
}

// lgRoute is one route with its color and its depot's name.
type lgRoute struct {
	*supply.Dispatch
	Color     string
	DepotName string
	Load      string // the load by temperature class
}

// lgShort is an allocation that gets some, but less than was asked for.
type lgShort struct {
	supply.Allocation
	Site string
}

// lgDepotStock is the stock of one depot.
type lgDepotStock struct {
	Depot string
	Lots  []lgLot
}

// lgLot is a lot and what is wrong with it, if anything.
type lgLot struct {
	supply.Lot
	Mark string // why it cannot go out on the day (expired, say), or ""
}

// lgPalette holds route colors that tell routes apart, on white and under
// white numbers; grey is left out, as it marks requests left out.
var lgPalette = [...]string{"#1f77b4", "#d62728", "#2ca02c", "#e6550d", "#9467bd",
	"#8c564b", "#d6339a", "#0f8f9e", "#7a7a00", "#393b79"}

// lgColor returns the color of the i-th route.
func lgColor(i int) string { return lgPalette[i%len(lgPalette)] }

func newLogisticsPage(v *logisticsView) *lgPage {
	if v.Zone == nil {
		v.Zone = time.UTC
	}
	p := &lgPage{logisticsView: v, depotName: map[string]string{},
		pageText: newPageText(v.Lang, v.LangParam, "/logistics", v.Query)}
	if d, err := time.ParseInLocation(time.DateOnly, v.Date, v.Zone); err == nil {
		p.dayStart = d
	}
	for _, d := range v.Depots {
		p.depotName[d.ID] = d.Name
	}
	if v.Plan != nil {
		for i := range v.Plan.Routes {
			rt := &v.Plan.Routes[i]
			p.Stops += len(rt.Stops)
			p.Routes = append(p.Routes, lgRoute{Dispatch: rt, Color: lgColor(i),
				DepotName: p.DepotName(rt.Depot), Load: p.load(rt.Load)})
		}
		site := map[string]string{}
		for _, r := range v.Requests {
			site[r.ID] = r.Site
		}
		// A request that got nothing is among those left, with the same
		// note; the short ones are those that go out with less.
		for _, a := range v.Plan.Allocations {
			if a.Short > 0 && a.Quantity > 0 {
				p.Short = append(p.Short, lgShort{Allocation: a, Site: site[a.Request]})
			}
		}
	}
	p.Stock = p.stock()
	p.Map = p.drawMap()
	p.Timeline = p.drawTimeline()
	return p
}

// stock groups the lots by depot, in the order of the depots, with lots at
// depots the view does not list after them.
func (p *lgPage) stock() []lgDepotStock {
	var out []lgDepotStock
	at := map[string]int{}
	for _, d := range p.Depots {
		at[d.ID] = len(out)
		out = append(out, lgDepotStock{Depot: p.DepotName(d.ID)})
	}
	for _, l := range p.Lots {
		i, ok := at[l.Depot]
		if !ok {
			i = len(out)
			at[l.Depot] = i
			out = append(out, lgDepotStock{Depot: l.Depot})
		}
		out[i].Lots = append(out[i].Lots, lgLot{Lot: l, Mark: p.lotMark(&l)})
	}
	return out
}

// lotMark says why a lot cannot be sent out on the day: nothing expiring
// by the end of the day leaves the depot.
func (p *lgPage) lotMark(l *supply.Lot) string {
	switch {
	case l.Quantity <= 0:
		return p.T("lg.lot_empty")
	case l.Expiry.IsZero() || p.dayStart.IsZero():
		return ""
	case l.Expiry.Before(p.dayStart):
		return p.T("lg.lot_expired")
	case l.Expiry.Before(p.dayStart.AddDate(0, 0, 1)):
		return p.T("lg.lot_expires")
	}
	return ""
}

// load lists a load by temperature class, in the order of the
// compartments.
func (p *lgPage) load(load map[string]int) string {
	var parts []string
	for _, c := range supply.Classes {
		if n := load[c]; n > 0 {
			parts = append(parts, p.T("lg.load_part", p.Class(c), n))
		}
	}
	if len(parts) == 0 {
		return p.T("lg.load_none")
	}
	return strings.Join(parts, p.T("punct.list"))
}

// DepotName returns a depot's name with its ID, or the ID alone when the
// view does not list it.
func (p *lgPage) DepotName(id string) string {
	if n := p.depotName[id]; n != "" && n != id {
		return n + " (" + id + ")"
	}
	return id
}

// Clock shows an instant as HH:MM in the page's zone, with the date in
// front when it is not the day planned, and a dash for no time.
func (p *lgPage) Clock(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	t = t.In(p.Zone)
	if t.Format(time.DateOnly) != p.Date {
		return t.Format(p.T("lg.clock_other_day"))
	}
	return t.Format("15:04")
}

// Slot shows a delivery slot, or says that any time will do when there is
// none.
func (p *lgPage) Slot(from, to time.Time) string {
	if from.IsZero() {
		return p.T("lg.any_time")
	}
	return p.Clock(from) + "–" + p.Clock(to)
}

// Day shows the date of an instant in the page's zone.
func (p *lgPage) Day(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.In(p.Zone).Format(time.DateOnly)
}

// Stamp shows an instant as a date and a time in the page's zone.
func (p *lgPage) Stamp(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.In(p.Zone).Format("2006-01-02 15:04")
}

// Kind shows a kind of site in words.
func (p *lgPage) Kind(k string) string { return p.word("kind.", k, strings.ReplaceAll(k, "_", " ")) }

// Class shows a temperature class in words.
func (p *lgPage) Class(c string) string { return p.word("class.", c, c) }

// PlanStatus shows the state of a plan in words.
func (p *lgPage) PlanStatus(s string) string { return p.word("plan_status.", s, s) }

// RequestStatus shows the state of a request in words.
func (p *lgPage) RequestStatus(s string) string { return p.word("request_status.", s, s) }

// Km shows a distance.
func (p *lgPage) Km(km float64) string { return p.T("lg.km", km) }

// Minutes shows a time in minutes as hours and minutes.
func (p *lgPage) Minutes(m float64) string {
	d := time.Duration(m * float64(time.Minute)).Round(time.Minute)
	if d < time.Hour {
		return p.T("lg.min", int(d/time.Minute))
	}
	return p.T("lg.h_min", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// Pick shows what to unload from one lot: the item, the quantity and the
// lot number (its ID when it has none) with the expiry.
func (p *lgPage) Pick(pk supply.Pick) string {
	lot := pk.Number
	if lot == "" {
		lot = pk.Lot
	}
	s := p.T("lg.pick", pk.Item, pk.Quantity, lot)
	if !pk.Expiry.IsZero() {
		s += p.T("lg.pick_expires", p.Day(pk.Expiry))
	}
	return s
}

// Current reports whether a plan of the list is the one shown.
func (p *lgPage) Current(id string) bool { return p.Plan != nil && p.Plan.ID == id }

// IsDraft reports whether the plan shown can still be dispatched.
func (p *lgPage) IsDraft() bool { return p.Plan != nil && p.Plan.Status == supply.Draft }

// lgOption is a choice of a select: the value sent and the words shown.
type lgOption struct{ Value, Label string }

// TimeLimits are the solver's time limits the officer may choose from.
func (p *lgPage) TimeLimits() []lgOption {
	var out []lgOption
	for _, s := range []int{1, 5, 30} {
		out = append(out, lgOption{Value: fmt.Sprintf("%ds", s), Label: p.T("lg.seconds", s)})
	}
	return out
}

// Nth numbers the k-th item of a list from one.
func (p *lgPage) Nth(k int) int { return k + 1 }
