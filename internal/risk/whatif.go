package risk

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// WhatIf counts how codes would change under another policy ("what-if"):
// Add each resident's code under the running policy and under the new one,
// then read the Report. A WhatIf is not safe for concurrent use: give each
// goroutine its own and Merge them.
type WhatIf struct {
	all     tally
	regions map[string]*tally
}

// tally counts codes and their color changes.
type tally struct {
	total, changed int
	moves          map[[2]string]int
}

func (t *tally) add(from, to string, n int) {
	t.total += n
	if from == to {
		return
	}
	t.changed += n
	if t.moves == nil {
		t.moves = map[[2]string]int{}
	}
	t.moves[[2]string{from, to}] += n
}

func (t *tally) merge(o *tally) {
	t.total += o.total
	for m, n := range o.moves {
		t.add(m[0], m[1], n)
		t.total -= n
	}
}

// Add counts one resident of region whose code is old now and would be
// next; a code changes when its color does.
func (w *WhatIf) Add(region string, old, next Code) {
	w.all.add(old.Color, next.Color, 1)
	if w.regions == nil {
		w.regions = map[string]*tally{}
	}
	t := w.regions[region]
	if t == nil {
		t = &tally{}
		w.regions[region] = t
	}
	t.add(old.Color, next.Color, 1)
}

// Merge adds the counts of o to w.
func (w *WhatIf) Merge(o *WhatIf) {
	w.all.merge(&o.all)
	for region, ot := range o.regions {
		if w.regions == nil {
			w.regions = map[string]*tally{}
		}
		t := w.regions[region]
		if t == nil {
			t = &tally{}
			w.regions[region] = t
		}
		t.merge(ot)
	}
}

// Report is the outcome of a what-if run: how many codes there are, how many
// would change color, and from which color to which, in all and by region.
type Report struct {
	Total       int            `json:"total"`
	Changed     int            `json:"changed"`
	Transitions []Transition   `json:"transitions"`
	Regions     []RegionReport `json:"regions"`
}

// Transition counts the codes that would go from one color to another.
type Transition struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Count int    `json:"count"`
}

// RegionReport is the part of a Report for the residents of one region
// (Region is empty for residents without one).
type RegionReport struct {
	Region      string       `json:"region"`
	Total       int          `json:"total"`
	Changed     int          `json:"changed"`
	Transitions []Transition `json:"transitions"`
}

// Report returns the counts so far: transitions from the best color to the
// worst, regions with the most changes first, then by name.
func (w *WhatIf) Report() Report {
	r := Report{Total: w.all.total, Changed: w.all.changed, Transitions: w.all.transitions(), Regions: []RegionReport{}}
	for name, t := range w.regions {
		r.Regions = append(r.Regions, RegionReport{Region: name, Total: t.total, Changed: t.changed, Transitions: t.transitions()})
	}
	slices.SortFunc(r.Regions, func(a, b RegionReport) int {
		return cmp.Or(cmp.Compare(b.Changed, a.Changed), cmp.Compare(a.Region, b.Region))
	})
	return r
}

func (t *tally) transitions() []Transition {
	out := []Transition{}
	for m, n := range t.moves {
		out = append(out, Transition{From: m[0], To: m[1], Count: n})
	}
	slices.SortFunc(out, func(a, b Transition) int {
		return cmp.Or(cmp.Compare(rank(a.From), rank(b.From)), cmp.Compare(rank(a.To), rank(b.To)),
			cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return out
}

// WriteText writes the report of the counts so far as a table; see
// Report.WriteText.
func (w *WhatIf) WriteText(out io.Writer) error { return w.Report().WriteText(out) }

// WriteText writes the report as a table for people:
//
//	changed 1,212 of 1,000,000 codes
//	  green → yellow   812
//	  green → red      400
//
//	region        codes  changed
//	north       600,000    1,000  green → yellow 700, green → red 300
func (r Report) WriteText(out io.Writer) error {
	bw := bufio.NewWriter(out)
	fmt.Fprintf(bw, "changed %s of %s codes\n", thousands(r.Changed), thousands(r.Total))
	width, count := 0, 0
	for _, t := range r.Transitions {
		width = max(width, len(t.From)+len(t.To))
		count = max(count, len(thousands(t.Count)))
	}
	for _, t := range r.Transitions {
		pad := strings.Repeat(" ", width-len(t.From)-len(t.To))
		fmt.Fprintf(bw, "  %s → %s%s  %*s\n", t.From, t.To, pad, count, thousands(t.Count))
	}
	if len(r.Regions) > 0 {
		name, total, changed := len("region"), len("codes"), len("changed")
		for _, g := range r.Regions {
			name = max(name, len(regionName(g.Region)))
			total = max(total, len(thousands(g.Total)))
			changed = max(changed, len(thousands(g.Changed)))
		}
		fmt.Fprintf(bw, "\n%-*s  %*s  %*s\n", name, "region", total, "codes", changed, "changed")
		for _, g := range r.Regions {
			moves := make([]string, len(g.Transitions))
			for i, t := range g.Transitions {
				moves[i] = fmt.Sprintf("%s → %s %s", t.From, t.To, thousands(t.Count))
			}
			line := fmt.Sprintf("%-*s  %*s  %*s  %s", name, regionName(g.Region), total, thousands(g.Total),
				changed, thousands(g.Changed), strings.Join(moves, ", "))
			fmt.Fprintln(bw, strings.TrimRight(line, " "))
		}
	}
	return bw.Flush()
}

// regionName shows residents without a region as "(none)".
func regionName(r string) string {
	if r == "" {
		return "(none)"
	}
	return r
}

// thousands formats n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
