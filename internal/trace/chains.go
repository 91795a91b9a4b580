package trace

import (
	"cmp"
	"slices"
	"time"

	"outbreak/internal/cases"
)

// Link says that case To was exposed to case From before To became
// infectious: the likely direction of transmission. Via is set when the
// link is a secondary exposure, through a contact who is not (yet) a case.
type Link struct {
	From   string    `json:"from"`
	To     string    `json:"to"`
	Degree int       `json:"degree"`
	Via    string    `json:"via,omitempty"`
	Place  string    `json:"place"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
}

// Member is a case in a cluster with its generation: 0 for a case no other
// case of the cluster was linked to, else one more than the lowest
// generation among the cases it was exposed to.
type Member struct {
	Person     string    `json:"person"`
	Onset      time.Time `json:"onset"`
	Generation int       `json:"generation"`
}

// Cluster is a set of cases linked through exposures, with the links and
// the places where they happened.
type Cluster struct {
	ID     string   `json:"id"`
	Cases  []Member `json:"cases"`
	Links  []Link   `json:"links"`
	Places []string `json:"places"`
}

// Chains links cases through the exposures among them and groups them into
// clusters of two or more cases, largest first. For each pair of cases it
// keeps one link: the closest degree, then the earliest.
func Chains(cs []cases.Case, es []Exposure) []Cluster {
	onset := map[string]time.Time{}
	for _, c := range cs {
		if t, ok := onset[c.Person]; !ok || c.Onset.Before(t) {
			onset[c.Person] = c.Onset
		}
	}
	best := map[[2]string]Link{}
	for _, e := range es {
		if _, isCase := onset[e.Person]; !isCase {
			continue
		}
		l := Link{From: e.CasePerson, To: e.Person, Degree: e.Degree, Via: e.Via, Place: e.Place, Start: e.Start, End: e.End}
		k := [2]string{l.From, l.To}
		if cur, ok := best[k]; !ok || l.Degree < cur.Degree || l.Degree == cur.Degree && l.Start.Before(cur.Start) {
			best[k] = l
		}
	}
	// Union the linked cases.
	root := map[string]string{}
	var find func(string) string
	find = func(p string) string {
		r, ok := root[p]
		if !ok || r == p {
			root[p] = p
			return p
		}
		root[p] = find(r)
		return root[p]
	}
	for k := range best {
		a, b := find(k[0]), find(k[1])
		if a != b {
			root[max(a, b)] = min(a, b)
		}
	}
	groups := map[string]*Cluster{}
	for k, l := range best {
		g := groups[find(k[0])]
		if g == nil {
			g = &Cluster{ID: "cluster-" + find(k[0])}
			groups[find(k[0])] = g
		}
		g.Links = append(g.Links, l)
	}
	out := make([]Cluster, 0, len(groups))
	for _, g := range groups {
		sortLinks(g.Links)
		g.Cases = generations(g.Links, onset)
		for _, l := range g.Links {
			g.Places = append(g.Places, l.Place)
		}
		slices.Sort(g.Places)
		g.Places = slices.Compact(g.Places)
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Cluster) int {
		return cmp.Or(cmp.Compare(len(b.Cases), len(a.Cases)), cmp.Compare(a.ID, b.ID))
	})
	return out
}

func sortLinks(ls []Link) {
	slices.SortFunc(ls, func(a, b Link) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
}

// generations numbers a cluster's cases from the ones nobody infected,
// breadth first along the links.
func generations(links []Link, onset map[string]time.Time) []Member {
	gen := map[string]int{}
	into := map[string]bool{}
	for _, l := range links {
		into[l.To] = true
		gen[l.From], gen[l.To] = -1, -1
	}
	var queue []string
	for p := range gen {
		if !into[p] {
			gen[p] = 0
			queue = append(queue, p)
		}
	}
	if len(queue) == 0 { // a cycle of exposures: start from the earliest onset
		var first string
		for p := range gen {
			if first == "" || onset[p].Before(onset[first]) || onset[p].Equal(onset[first]) && p < first {
				first = p
			}
		}
		gen[first] = 0
		queue = append(queue, first)
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, l := range links {
			if l.From == p && gen[l.To] < 0 {
				gen[l.To] = gen[p] + 1
				queue = append(queue, l.To)
			}
		}
	}
	out := make([]Member, 0, len(gen))
	for p, g := range gen {
		out = append(out, Member{Person: p, Onset: onset[p], Generation: max(g, 0)})
	}
	slices.SortFunc(out, func(a, b Member) int {
		return cmp.Or(cmp.Compare(a.Generation, b.Generation), a.Onset.Compare(b.Onset), cmp.Compare(a.Person, b.Person))
	})
	return out
}
