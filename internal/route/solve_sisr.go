package route

import (
	"cmp"
	"math"
	"slices"
)

// The parameters of the ruin: on average cbar jobs removed, in strings of
// at most lmax; blink is the chance of skipping a position when inserting.
const (
	cbar  = 10.0
	lmax  = 10.0
	blink = 0.01
)

// ruin removes strings of consecutive jobs from routes near a random job
// and returns the jobs removed.
func (s *solver) ruin() []int32 {
	where := make(map[int32]int, len(s.p.Jobs)) // job → route
	used, total := 0, 0
	for i, r := range s.cur {
		for _, j := range r.jobs {
			where[j] = i
		}
		if len(r.jobs) > 0 {
			used++
			total += len(r.jobs)
		}
	}
	removed := append([]int32(nil), s.curUn...)
	s.curUn = s.curUn[:0]
	if used == 0 {
		return removed
	}
	lsMax := math.Min(lmax, float64(total)/float64(used))
	ksMax := 4*cbar/(1+lsMax) - 1
	strings := int(s.rng.Float64()*ksMax) + 1
	seed := int32(s.rng.IntN(len(s.p.Jobs)))
	ruined := map[int]bool{}
	for _, c := range append([]int32{seed}, s.neighbors[seed]...) {
		if len(ruined) >= strings {
			break
		}
		ri, ok := where[c]
		if !ok || ruined[ri] {
			continue
		}
		r := s.cur[ri]
		ruined[ri] = true
		l := int(s.rng.Float64()*math.Min(lsMax, float64(len(r.jobs)))) + 1
		pos := slices.Index(r.jobs, c)
		first := max(0, pos-s.rng.IntN(l))
		first = min(first, len(r.jobs)-l)
		removed = append(removed, r.jobs[first:first+l]...)
		r.jobs = slices.Delete(r.jobs, first, first+l)
		s.update(r)
	}
	return removed
}

// recreate puts jobs back, each where it adds the least distance (skipping
// positions now and then), in one of a few orders chosen at random. A job
// that fits nowhere stays unassigned.
func (s *solver) recreate(jobs []int32) {
	p := s.p
	switch x := s.rng.IntN(11); {
	case x < 4:
		s.rng.Shuffle(len(jobs), func(i, k int) { jobs[i], jobs[k] = jobs[k], jobs[i] })
	case x < 8:
		slices.SortFunc(jobs, func(a, b int32) int { return cmp.Compare(total(p.Jobs[b].Demand), total(p.Jobs[a].Demand)) })
	case x < 10:
		slices.SortFunc(jobs, func(a, b int32) int { return cmp.Compare(s.far(b), s.far(a)) })
	default:
		slices.SortFunc(jobs, func(a, b int32) int { return cmp.Compare(s.far(a), s.far(b)) })
	}
	tried := make([]bool, len(p.Vehicles))
	for _, j := range jobs {
		best, bestR, bestA := math.Inf(1), -1, -1
		clear(tried)
		for ri, r := range s.cur {
			if !s.compat[r.v][j] || !s.fits(add(r.load, p.Jobs[j].Demand), r.v) {
				continue
			}
			// Of empty vehicles that are alike, one is enough to try.
			if len(r.jobs) == 0 {
				if tried[s.kind[r.v]] {
					continue
				}
				tried[s.kind[r.v]] = true
			}
			for a := 0; a <= len(r.jobs); a++ {
				if s.rng.Float64() < blink {
					continue
				}
				s.evals++
				if c := s.insertion(r, j, a); c < best {
					best, bestR, bestA = c, ri, a
				}
			}
		}
		if bestR < 0 {
			s.curUn = append(s.curUn, j)
			continue
		}
		r := s.cur[bestR]
		r.jobs = slices.Insert(r.jobs, bestA, j)
		s.update(r)
	}
}

// far is how far a job is from the first vehicle's start.
func (s *solver) far(j int32) float64 {
	return s.p.Travel[s.p.Vehicles[0].Start][s.p.Jobs[j].Location]
}

func total(a Amount) float64 { return a[0] + a[1] + a[2] + a[3] }

func add(a, b Amount) Amount {
	for d := range a {
		a[d] += b[d]
	}
	return a
}
