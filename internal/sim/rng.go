package sim

import (
	"math"
	"math/bits"
)

// rng is a splitmix64 generator. It is tiny, allocation-free and fast, which matters
// because a million-resident city draws a few hundred million numbers; the simulation needs
// reproducibility, not cryptographic quality.
type rng struct{ s uint64 }

// Stream kinds keep the generators of independent parts of the city apart, so that changing
// how one part draws numbers does not reshuffle the others.
const (
	kGeo uint64 = iota + 1
	kPeople
	kWork
	kName
	kPlace
	kVacc
	kMobility
	kEpidemic
	kDeclare
	kSeeds
	kSupply
)

// mix64 is the splitmix64 finalizer: a bijective hash of a 64-bit word.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// stream returns the generator for part (kind, a, b) of the city built from seed.
func stream(seed, kind, a, b uint64) rng {
	s := mix64(seed + 0x9e3779b97f4a7c15*(kind+1))
	s = mix64(s ^ (a+1)*0xc2b2ae3d27d4eb4f)
	s = mix64(s ^ (b+1)*0x165667b19e3779f9)
	return rng{s}
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// intn returns a number in [0, n) by Lemire's multiply-high method; n must be positive.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// i32 is intn for int32 bounds (times in seconds, indices).
func (r *rng) i32(n int32) int32 {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int32(hi)
}

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) * 0x1p-53 }

func (r *rng) chance(p float64) bool { return r.float() < p }

// approxNorm returns a roughly standard normal number (mean 0, sd 1, bounded by ±3) as a
// scaled sum of three uniforms taken from one draw; good enough for dwell times and cheap
// enough for the per-visit loop.
func (r *rng) approxNorm() float64 {
	const m = 1<<21 - 1
	x := r.next()
	s := float64(x&m) + float64(x>>21&m) + float64(x>>42&m)
	return (s/float64(m+1) - 1.5) * 2
}

// gauss returns a standard normal number (Box–Muller), for the few draws where tails matter.
func (r *rng) gauss() float64 {
	u := 1 - r.float()
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*r.float())
}

// pick returns an index drawn with the given cumulative weights (last element is the total).
func (r *rng) pick(cum []uint16) int {
	x := uint16(r.intn(int(cum[len(cum)-1])))
	for i, c := range cum {
		if x < c {
			return i
		}
	}
	return len(cum) - 1
}
