package supply

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"outbreak/internal/route"
)

// Pick is a quantity taken from one lot for one delivery.
type Pick struct {
	Lot         string    `json:"lot"`
	Number      string    `json:"number,omitempty"`
	Item        string    `json:"item"`
	Expiry      time.Time `json:"expiry,omitzero"`
	Temperature string    `json:"temperature"`
	Quantity    int       `json:"quantity"`
}

// Allocation is what a request gets: a quantity of its item from one
// depot, in picks from that depot's lots, and Short units less than it
// asked for, with the reason in Note.
type Allocation struct {
	Request  string `json:"request"`
	Depot    string `json:"depot,omitempty"`
	Quantity int    `json:"quantity"`
	Short    int    `json:"short,omitempty"`
	Note     string `json:"note,omitempty"`
	Picks    []Pick `json:"picks,omitempty"`
}

// Allocate shares the stock in lots among requests, which must be valid,
// for deliveries made by the instant until:
//
//   - A lot counts if it does not expire by until (nothing is sent that
//     expires on the way or on the shelf the same day), at a depot in
//     depots (those with vehicles, say).
//   - Requests are served by priority, highest first. Within a priority,
//     households come first, each parcel whole or not at all, in the order
//     they were made; then the other sites share what is left max-min
//     fairly: each gets the same share, or what it asked for if less, the
//     units that do not divide evenly going to the oldest requests.
//   - A delivery comes from one depot: the nearest that holds enough,
//     else the one that holds the most (the rest is reported short; a
//     household's parcel then stays behind). Within a depot, lots that
//     expire first go first.
//
// The result has one allocation per request, in the order of requests.
func Allocate(lots []Lot, requests []Request, depots []Depot, until time.Time) []Allocation {
	at := make(map[string]*Depot, len(depots))
	for i := range depots {
		at[depots[i].ID] = &depots[i]
	}
	// The usable lots of each item at each depot, first to expire first.
	type key struct{ depot, item string }
	shelves := map[key][]Lot{}
	total := map[string]int{}
	for _, l := range lots {
		if at[l.Depot] == nil || l.Quantity <= 0 || !l.Expiry.IsZero() && !l.Expiry.After(until) {
			continue
		}
		k := key{l.Depot, l.Item}
		shelves[k] = append(shelves[k], l)
		total[l.Item] += l.Quantity
	}
	for _, s := range shelves {
		slices.SortFunc(s, func(a, b Lot) int {
			if a.Expiry.IsZero() != b.Expiry.IsZero() {
				return cmpBool(a.Expiry.IsZero(), b.Expiry.IsZero())
			}
			return cmp.Or(a.Expiry.Compare(b.Expiry), cmp.Compare(a.ID, b.ID))
		})
	}

	out := make([]Allocation, len(requests))
	order := make([]int, len(requests))
	for i := range order {
		order[i] = i
		out[i].Request = requests[i].ID
	}
	// Serving order: priority, households first, oldest first.
	slices.SortStableFunc(order, func(a, b int) int {
		ra, rb := &requests[a], &requests[b]
		return cmp.Or(cmp.Compare(rb.Priority, ra.Priority),
			cmpBool(ra.Kind != Household, rb.Kind != Household),
			ra.Created.Compare(rb.Created), cmp.Compare(ra.ID, rb.ID))
	})

	// How much each request gets, from the total of its item.
	want := make([]int, len(requests))
	for lo := 0; lo < len(order); {
		hi := lo + 1
		for hi < len(order) && requests[order[hi]].Priority == requests[order[lo]].Priority {
			hi++
		}
		byItem := map[string][]int{}
		for _, i := range order[lo:hi] {
			byItem[requests[i].Item] = append(byItem[requests[i].Item], i)
		}
		for item, level := range byItem {
			left := total[item]
			var sites []int
			for _, i := range level {
				if r := &requests[i]; r.Kind != Household {
					sites = append(sites, i)
				} else if r.Quantity <= left {
					want[i], left = r.Quantity, left-r.Quantity
				}
			}
			total[item] = shareFairly(requests, sites, want, left)
		}
		lo = hi
	}

	// Where each delivery comes from, and which lots.
	for _, i := range order {
		r, a := &requests[i], &out[i]
		if want[i] == 0 {
			a.Short, a.Note = r.Quantity, fmt.Sprintf("no %s left in stock for priority %d", r.Item, r.Priority)
			continue
		}
		best, bestQty, bestDist := "", 0, math.Inf(1)
		for _, d := range depots {
			q := 0
			for _, l := range shelves[key{d.ID, r.Item}] {
				q += l.Quantity
			}
			dist := route.GreatCircleKm([2]float64{d.Lon, d.Lat}, [2]float64{r.Lon, r.Lat})
			enough, bestEnough := q >= want[i], bestQty >= want[i]
			if q > 0 && (enough && (!bestEnough || dist < bestDist) || !enough && !bestEnough && (q > bestQty || q == bestQty && dist < bestDist)) {
				best, bestQty, bestDist = d.ID, q, dist
			}
		}
		q := min(want[i], bestQty)
		if q < want[i] && r.Kind == Household {
			a.Short, a.Note = r.Quantity, fmt.Sprintf("no depot holds the parcel of %s whole", r.Item)
			continue
		}
		a.Depot, a.Quantity, a.Short = best, q, r.Quantity-q
		switch {
		case q < want[i]:
			a.Note = fmt.Sprintf("%s is spread over depots: the one that holds most has %d", r.Item, bestQty)
		case a.Short > 0:
			a.Note = fmt.Sprintf("stock of %s shared fairly among requests of priority %d", r.Item, r.Priority)
		}
		shelf := shelves[key{best, r.Item}]
		for k := range shelf {
			if q == 0 {
				break
			}
			l := &shelf[k]
			take := min(q, l.Quantity)
			if take == 0 {
				continue
			}
			l.Quantity, q = l.Quantity-take, q-take
			a.Picks = append(a.Picks, Pick{Lot: l.ID, Number: l.Lot, Item: l.Item, Expiry: l.Expiry, Temperature: l.Temperature, Quantity: take})
		}
	}
	return out
}

// shareFairly sets want for the requests sites of one item and priority,
// in serving order, max-min fairly from left units, and returns what is
// left over: requests get what they asked for, smallest first, while that
// is no more than an equal share of what is left; the rest get the equal
// share, and the units that do not divide evenly go one each to the
// oldest of them.
func shareFairly(requests []Request, sites []int, want []int, left int) int {
	bySize := slices.Clone(sites)
	slices.SortStableFunc(bySize, func(a, b int) int { return cmp.Compare(requests[a].Quantity, requests[b].Quantity) })
	for k, i := range bySize {
		rest := len(bySize) - k
		if q := requests[i].Quantity; q <= left/rest {
			want[i], left = q, left-q
			continue
		}
		level := left / rest
		capped := map[int]bool{}
		for _, j := range bySize[k:] {
			want[j], capped[j] = level, true
		}
		left -= level * rest
		for _, j := range sites {
			if left > 0 && capped[j] {
				want[j]++
				left--
			}
		}
		return left
	}
	return left
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
