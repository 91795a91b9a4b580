package route

import "math"

// travel holds the travel times as the search reads them. Trying a job in
// many places reads the trips to and from it, so a row of the job's
// location and a column, at the locations of the places: at 1,000
// locations, the matrix is larger than the processor's cache and each of
// those reads missed it. Here the locations are numbered along a
// nearest-neighbour tour, so that locations near each other have numbers
// near each other, and the places near a job, which are most of those it
// is tried at, lie in a few lines of its row; and the column is kept as a
// row of the transposed matrix.
type travel struct {
	from [][]float64 // from[a][b]: from a to b, in this numbering
	to   [][]float64 // to[b][a]: from a to b; from itself if symmetric
	id   []int32     // per location of the problem, its number here
}

// renumberMost is the most locations whose matrix is renumbered: beyond,
// a copy costs more memory than it saves time (32 MB each).
const renumberMost = 2048

func newTravel(p *Problem) travel {
	n := len(p.Travel)
	tr := travel{from: p.Travel, id: make([]int32, n)}
	for a := range tr.id {
		tr.id[a] = int32(a)
	}
	if n <= renumberMost {
		order := tour(p.Travel)
		for k, a := range order {
			tr.id[a] = int32(k)
		}
		tr.from = make([][]float64, n)
		for k, a := range order {
			row := make([]float64, n)
			for b := range n {
				row[tr.id[b]] = p.Travel[a][b]
			}
			tr.from[k] = row
		}
	}
	tr.to = transpose(tr.from)
	return tr
}

// tour returns the locations in the order a nearest-neighbour tour from
// location 0 visits them.
func tour(m [][]float64) []int {
	n := len(m)
	seen := make([]bool, n)
	order := make([]int, 0, n)
	for at := 0; at >= 0; {
		seen[at] = true
		order = append(order, at)
		next, best := -1, math.Inf(1)
		for b, t := range m[at] {
			if !seen[b] && (next < 0 || t < best) {
				next, best = b, t
			}
		}
		at = next
	}
	return order
}

// transpose returns the travel times by destination: m itself if it is
// symmetric, as it is when the times are distances.
func transpose(m [][]float64) [][]float64 {
	symmetric := true
	for a := range m {
		for b := range a {
			if m[a][b] != m[b][a] {
				symmetric = false
			}
		}
	}
	if symmetric {
		return m
	}
	t := make([][]float64, len(m))
	for b := range t {
		t[b] = make([]float64, len(m))
		for a := range m {
			t[b][a] = m[a][b]
		}
	}
	return t
}
