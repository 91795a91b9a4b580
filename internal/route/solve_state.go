package route

import "math/bits"

// An iteration of the search changes a few routes out of many. What the
// solver knows of the plan is kept up to date route by route, so that an
// iteration costs what it changes and not the size of the problem: which
// route holds each job, which vehicles are empty, a copy of each route
// made before the iteration first changes it (to undo a rejected step),
// and which routes changed since the best plan was copied (to copy only
// those when it improves). Routes are indexed like vehicles: s.cur[v] is
// vehicle v's.
type state struct {
	routeOf []int32 // per job, the route holding it, or -1
	pos     []int32 // per job in a route, its position there (1 the first)

	kinds     []int      // the first vehicle of each kind (see shared.kind)
	members   [][]int    // per kind's first vehicle, the vehicles of that kind in order
	memberPos []int      // per vehicle, its position in its kind's members
	empty     [][]uint64 // per kind's first vehicle, a bit per member: its route is empty

	stamp   uint64   // counts iterations, to tell routes saved in this one
	saved   []uint64 // per route, the stamp of the iteration that last saved it
	undo    []undo   // the routes as they were before this iteration changed them
	spare   []*sroute
	dirty   []int  // routes changed since the best plan was copied
	isDirty []bool // per route, whether it is in dirty

	removed []int32 // buffers reused by ruin
	ruined  []int

	markStamp  uint64
	markRoute  []uint64 // per route, whether the job cheapestNear places may go there
	markAfter  []uint64 // per job, markStamp if cheapestNear tried the place after it
	markStart  []uint64 // per route, markStamp if cheapestNear tried the place after its start
	tried      []uint64 // per kind, triedStamp if cheapest has tried an empty vehicle of it
	triedStamp uint64
}

// undo is a route as it was before the iteration changed it.
type undo struct {
	ri int
	r  *sroute
}

// initState sets up the bookkeeping for s.cur, all routes empty.
func (s *solver) initState() {
	nv := len(s.p.Vehicles)
	s.routeOf = make([]int32, len(s.p.Jobs))
	for j := range s.routeOf {
		s.routeOf[j] = -1
	}
	s.pos = make([]int32, len(s.p.Jobs))
	s.markAfter = make([]uint64, len(s.p.Jobs))
	s.markStart = make([]uint64, nv)
	s.markRoute = make([]uint64, nv)
	s.members = make([][]int, nv)
	s.memberPos = make([]int, nv)
	s.empty = make([][]uint64, nv)
	for v := range nv {
		k := s.kind[v]
		if k == v {
			s.kinds = append(s.kinds, v)
		}
		s.memberPos[v] = len(s.members[k])
		s.members[k] = append(s.members[k], v)
	}
	for _, k := range s.kinds {
		s.empty[k] = make([]uint64, (len(s.members[k])+63)/64)
		for i := range s.members[k] {
			s.empty[k][i/64] |= 1 << (i % 64)
		}
	}
	s.tried = make([]uint64, nv)
	s.saved = make([]uint64, nv)
	s.isDirty = make([]bool, nv)
	s.best = make([]*sroute, nv)
	for ri := range s.best {
		s.best[ri] = &sroute{}
		s.markDirty(ri)
	}
}

// begin starts an iteration: no route saved yet. The copies saved by the
// last one, if it was kept, serve again.
func (s *solver) begin() {
	s.stamp++
	for _, u := range s.undo {
		s.spare = append(s.spare, u.r)
	}
	s.undo = s.undo[:0]
}

// touch must be called before route ri changes: it saves a copy the first
// time in an iteration.
func (s *solver) touch(ri int) {
	if s.saved[ri] == s.stamp {
		return
	}
	s.saved[ri] = s.stamp
	var c *sroute
	if n := len(s.spare); n > 0 {
		c, s.spare = s.spare[n-1], s.spare[:n-1]
	} else {
		c = &sroute{}
	}
	copyRoute(c, s.cur[ri])
	s.undo = append(s.undo, undo{ri, c})
	s.markDirty(ri)
}

func (s *solver) markDirty(ri int) {
	if !s.isDirty[ri] {
		s.isDirty[ri] = true
		s.dirty = append(s.dirty, ri)
	}
}

// changed recomputes route ri after its jobs changed, and where its jobs are.
func (s *solver) changed(ri int) {
	r := s.cur[ri]
	s.update(r)
	s.placed(ri)
}

// placed records that route ri holds its jobs, and whether it is empty.
func (s *solver) placed(ri int) {
	r := s.cur[ri]
	for k, j := range r.jobs {
		s.routeOf[j], s.pos[j] = int32(ri), int32(k+1)
	}
	k, i := s.kind[ri], s.memberPos[ri]
	if len(r.jobs) == 0 {
		s.empty[k][i/64] |= 1 << (i % 64)
	} else {
		s.empty[k][i/64] &^= 1 << (i % 64)
	}
}

// delta is how much the distance of the routes changed in this iteration.
func (s *solver) delta() float64 {
	d := 0.0
	for _, u := range s.undo {
		d += s.cur[u.ri].dist - u.r.dist
	}
	return d
}

// rollback puts back the routes as they were before this iteration, and
// the unassigned jobs un.
func (s *solver) rollback(un []int32) {
	for _, u := range s.undo {
		s.spare = append(s.spare, s.cur[u.ri])
		s.cur[u.ri] = u.r
		s.placed(u.ri)
	}
	s.undo = s.undo[:0]
	// A job that moved was in a route put back, or unassigned.
	s.curUn = append(s.curUn[:0], un...)
	for _, j := range un {
		s.routeOf[j] = -1
	}
}

// firstEmpty returns the first vehicle of kind k whose route is empty, or -1.
func (s *solver) firstEmpty(k int) int {
	for w, word := range s.empty[k] {
		if word != 0 {
			return s.members[k][w*64+bits.TrailingZeros64(word)]
		}
	}
	return -1
}

// empties returns how many vehicles have an empty route.
func (s *solver) empties() int {
	n := 0
	for _, k := range s.kinds {
		for _, word := range s.empty[k] {
			n += bits.OnesCount64(word)
		}
	}
	return n
}

// keepBest makes the current plan the best: it copies the routes changed
// since the last time.
func (s *solver) keepBest() {
	for _, ri := range s.dirty {
		copyRoute(s.best[ri], s.cur[ri])
		s.isDirty[ri] = false
	}
	s.dirty = s.dirty[:0]
	s.bestUn = append(s.bestUn[:0], s.curUn...)
	s.bestCost = s.curCost
}

// copyRoute copies src into dst, reusing dst's arrays.
func copyRoute(d, r *sroute) {
	d.v, d.load, d.dist = r.v, r.load, r.dist
	d.jobs = append(d.jobs[:0], r.jobs...)
	d.loc = append(d.loc[:0], r.loc...)
	d.ls = append(d.ls[:0], r.ls...)
	d.ed = append(d.ed[:0], r.ed...)
	d.arc = append(d.arc[:0], r.arc...)
}
