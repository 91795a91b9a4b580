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
	// The jobs in routes, and the routes in use, without visiting them.
	used, total := len(s.cur)-s.empties(), len(s.p.Jobs)-len(s.curUn)
	removed := append(s.removed[:0], s.curUn...)
	s.curUn = s.curUn[:0]
	if used == 0 {
		s.removed = removed
		return removed
	}
	lsMax := math.Min(lmax, float64(total)/float64(used))
	ksMax := 4*cbar/(1+lsMax) - 1
	strings := int(s.rng.Float64()*ksMax) + 1
	seed := int32(s.rng.IntN(len(s.p.Jobs)))
	ruined := s.ruined[:0]
	near := s.neighbors[seed]
	for i := -1; i < len(near) && len(ruined) < strings; i++ {
		c := seed
		if i >= 0 {
			c = near[i]
		}
		ri := int(s.routeOf[c])
		if ri < 0 || slices.Contains(ruined, ri) {
			continue
		}
		s.touch(ri)
		r := s.cur[ri]
		ruined = append(ruined, ri)
		l := int(s.rng.Float64()*math.Min(lsMax, float64(len(r.jobs)))) + 1
		pos := int(s.pos[c]) - 1
		first := max(0, pos-s.rng.IntN(l))
		first = min(first, len(r.jobs)-l)
		for _, j := range r.jobs[first : first+l] {
			s.routeOf[j] = -1
		}
		removed = append(removed, r.jobs[first:first+l]...)
		r.jobs = slices.Delete(r.jobs, first, first+l)
		s.changed(ri)
	}
	s.removed, s.ruined = removed, ruined
	return removed
}

// recreate puts jobs back, each where it adds the least distance (skipping
// positions now and then), in one of a few orders chosen at random. With
// near, it tries the places near each job first (see cheapestNear), and
// every place in every route only if none of those has room. A job that
// fits nowhere stays unassigned.
func (s *solver) recreate(jobs []int32, near bool) {
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
	for _, j := range jobs {
		bestR, bestA := -1, -1
		if near {
			bestR, bestA = s.cheapestNear(j)
		}
		if bestR < 0 {
			bestR, bestA = s.cheapest(j)
		}
		if bestR < 0 {
			s.curUn = append(s.curUn, j)
			continue
		}
		s.touch(bestR)
		r := s.cur[bestR]
		r.jobs = slices.Insert(r.jobs, bestA, j)
		s.changed(bestR)
	}
}

// cheapest returns the route and the position after which job j adds the
// least distance, trying every place in every route (skipping places now
// and then), or -1, -1 if it fits in none.
func (s *solver) cheapest(j int32) (bestR, bestA int) {
	job := &s.p.Jobs[j]
	best := math.Inf(1)
	bestR, bestA = -1, -1
	s.triedStamp++
	for ri, r := range s.cur {
		if !s.compat[r.v][j] || !s.fits(add(r.load, job.Demand), r.v) {
			continue
		}
		// Of empty vehicles that are alike, one is enough to try.
		if len(r.jobs) == 0 {
			if s.tried[s.kind[r.v]] == s.triedStamp {
				continue
			}
			s.tried[s.kind[r.v]] = s.triedStamp
		}
		for a := 0; a <= len(r.jobs); a++ {
			if s.blinked() {
				continue
			}
			s.evals++
			if c := s.insertion(r, j, a); c < best {
				best, bestR, bestA = c, ri, a
			}
		}
	}
	return bestR, bestA
}

// granular is how many of a job's nearest neighbours cheapestNear looks at.
const granular = 40

// cheapestNear is cheapest restricted to the places next to one of the
// job's granular nearest neighbours (just before it or just after it), and
// the first empty vehicle of each kind. A place next to none of them rarely
// is the cheapest, and trying only those keeps the cost of an insertion from
// growing with the number and the length of the routes.
func (s *solver) cheapestNear(j int32) (bestR, bestA int) {
	job := &s.p.Jobs[j]
	best := math.Inf(1)
	bestR, bestA = -1, -1
	s.markStamp++
	// Per route, whether the job may go there: markStamp*2+1 yes,
	// markStamp*2 no, less: not known yet.
	yes, no := 2*s.markStamp+1, 2*s.markStamp
	ns := s.neighbors[j]
	for _, nb := range ns[:min(granular, len(ns))] {
		ri := s.routeOf[nb]
		if ri < 0 {
			continue
		}
		r := s.cur[ri]
		if s.markRoute[ri] < no {
			s.markRoute[ri] = no
			if s.compat[r.v][j] && s.fits(add(r.load, job.Demand), r.v) {
				s.markRoute[ri] = yes
			}
		}
		if s.markRoute[ri] != yes {
			continue
		}
		// The places just before and just after the neighbour, each
		// named by what it follows: a job, or the start of the route.
		for a := int(s.pos[nb]) - 1; a <= int(s.pos[nb]); a++ {
			if a > 0 {
				x := r.jobs[a-1]
				if s.markAfter[x] == s.markStamp {
					continue
				}
				s.markAfter[x] = s.markStamp
			} else {
				if s.markStart[ri] == s.markStamp {
					continue
				}
				s.markStart[ri] = s.markStamp
			}
			if s.blinked() {
				continue
			}
			s.evals++
			if c := s.insertion(r, j, a); c < best {
				best, bestR, bestA = c, int(ri), a
			}
		}
	}
	for _, k := range s.kinds {
		v := s.firstEmpty(k)
		if v < 0 || !s.compat[v][j] || !s.fits(job.Demand, v) || s.blinked() {
			continue
		}
		s.evals++
		if c := s.insertion(s.cur[v], j, 0); c < best {
			best, bestR, bestA = c, v, 0
		}
	}
	return bestR, bestA
}

// blinked reports whether to skip a place, which happens at each with the
// chance blink. It draws how many places to try until the next skip rather
// than a number at each place: one draw every hundred places or so.
func (s *solver) blinked() bool {
	if s.untilBlink > 0 {
		s.untilBlink--
		return false
	}
	s.untilBlink = s.geometric()
	return true
}

// geometric draws how many places pass before one is skipped.
func (s *solver) geometric() int {
	return int(math.Log(1-s.rng.Float64()) / math.Log1p(-blink))
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
