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
//   - A lot counts if it does not expire by until (the end of the day's
//     last shift: nothing is sent that expires on the way), and a vehicle
//     of its depot has a compartment for its temperature class.
//   - Requests are served by priority, highest first. Within a priority,
//     households come first, each parcel whole or not at all, in the order
//     they were made; then the other sites share what is left max-min
//     fairly: each gets the same share, or what it asked for if less, the
//     units that do not divide evenly going to the oldest requests.
//   - A delivery comes from one depot: the nearest that holds enough,
//     else the one that holds the most (the rest is reported short; a
//     household's parcel then stays behind, and its units stay for the
//     others). Within a depot, lots that expire first go first.
//
// The result has one allocation per request, in the order of requests.
func Allocate(lots []Lot, requests []Request, depots []Depot, vehicles []Vehicle, until time.Time) []Allocation {
	carries := map[shelf]bool{} // (depot, temperature class)
	for _, v := range vehicles {
		for k, c := range v.Capacity() {
			if c > 0 {
				carries[shelf{v.Depot, Classes[k]}] = true
			}
		}
	}
	a := &allocator{depots: depots, shelves: map[shelf][]Lot{}, total: map[string]int{}}
	for _, l := range lots {
		if !carries[shelf{l.Depot, l.Temperature}] || l.Quantity <= 0 || !l.Expiry.IsZero() && !l.Expiry.After(until) {
			continue
		}
		k := shelf{l.Depot, l.Item}
		a.shelves[k] = append(a.shelves[k], l)
		a.total[l.Item] += l.Quantity
	}
	for _, s := range a.shelves {
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
	want := make([]int, len(requests))
	for lo := 0; lo < len(order); {
		hi := lo + 1
		for hi < len(order) && requests[order[hi]].Priority == requests[order[lo]].Priority {
			hi++
		}
		// Items do not share stock, so the order of items does not matter.
		byItem := map[string][]int{}
		for _, i := range order[lo:hi] {
			byItem[requests[i].Item] = append(byItem[requests[i].Item], i)
		}
		for item, level := range byItem {
			var sites []int
			for _, i := range level {
				if requests[i].Kind == Household {
					a.deliver(&requests[i], &out[i], requests[i].Quantity, true)
				} else {
					sites = append(sites, i)
				}
			}
			shareFairly(requests, sites, want, a.total[item])
			for _, i := range sites {
				a.deliver(&requests[i], &out[i], want[i], false)
			}
		}
		lo = hi
	}
	return out
}

// shelf is the stock of one item, or class, at one depot.
type shelf struct{ depot, item string }

// allocator holds the stock not yet given out.
type allocator struct {
	depots  []Depot
	shelves map[shelf][]Lot // by depot and item, first to expire first
	total   map[string]int  // by item
}

// deliver gives a request q units of its item from one depot, or, for a
// parcel that goes whole, all or nothing, and records it in out.
func (a *allocator) deliver(r *Request, out *Allocation, q int, whole bool) {
	if q == 0 || a.total[r.Item] == 0 {
		out.Short, out.Note = r.Quantity, fmt.Sprintf("no %s left in stock for priority %d", r.Item, r.Priority)
		return
	}
	best, held := a.depotFor(r, q)
	got := min(q, held)
	if got < q && whole {
		out.Short, out.Note = r.Quantity, fmt.Sprintf("no depot holds the parcel of %d %s whole", r.Quantity, r.Item)
		return
	}
	out.Depot, out.Quantity, out.Short = best, got, r.Quantity-got
	switch {
	case got < q:
		out.Note = fmt.Sprintf("%s is spread over depots: the one that holds most has %d", r.Item, held)
	case out.Short > 0:
		out.Note = fmt.Sprintf("stock of %s shared fairly among requests of priority %d", r.Item, r.Priority)
	}
	a.total[r.Item] -= got
	lots := a.shelves[shelf{best, r.Item}]
	for k := range lots {
		l := &lots[k]
		take := min(got, l.Quantity)
		if take == 0 {
			continue
		}
		l.Quantity, got = l.Quantity-take, got-take
		out.Picks = append(out.Picks, Pick{Lot: l.ID, Number: l.Lot, Item: l.Item, Expiry: l.Expiry, Temperature: l.Temperature, Quantity: take})
	}
}

// depotFor returns the depot a delivery of q units comes from, and how
// much of the item it holds: the nearest that holds q, else the one that
// holds most (the nearer of those that hold as much).
func (a *allocator) depotFor(r *Request, q int) (string, int) {
	best, bestQty, bestDist := "", 0, math.Inf(1)
	for _, d := range a.depots {
		held := 0
		for _, l := range a.shelves[shelf{d.ID, r.Item}] {
			held += l.Quantity
		}
		dist := route.GreatCircleKm([2]float64{d.Lon, d.Lat}, [2]float64{r.Lon, r.Lat})
		switch enough, bestEnough := held >= q, bestQty >= q; {
		case held == 0, bestEnough && !enough:
		case enough && !bestEnough, held > bestQty && !enough, dist < bestDist && (enough || held == bestQty):
			best, bestQty, bestDist = d.ID, held, dist
		}
	}
	return best, bestQty
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
