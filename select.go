package binarynet

import (
	"math/bits"
	"math/rand/v2"
)

// selector draws the unit to update: a population with probability
// proportional to N_k/tau_k, then a unit uniformly within it.
type selector struct {
	cdf     []float64 // cumulative normalized update mass
	starts  []int
	uniform bool // every unit equally likely: draw the unit directly
	n       int
	src     *rand.PCG // drawn through intN and uniform01, as rand.Rand would
}

func newSelector(specs []popSpec, starts []int, src *rand.PCG) selector {
	s := selector{starts: starts, n: starts[len(starts)-1], src: src, uniform: true}
	var total float64
	mass := make([]float64, len(specs))
	for k, p := range specs {
		mass[k] = float64(p.n) / p.tau
		total += mass[k]
		if p.n > 0 && p.tau != specs[0].tau {
			s.uniform = false
		}
	}
	s.cdf = make([]float64, len(specs))
	var acc float64
	for k := range mass {
		acc += mass[k]
		s.cdf[k] = acc / total
	}
	return s
}

// draw returns the population index and unit id of the next update.
func (s *selector) draw() (k, u int) {
	if s.uniform {
		u = intN(s.src, s.n)
		return s.population(u), u
	}
	x := uniform01(s.src)
	k = len(s.cdf) - 1
	for i, c := range s.cdf {
		if c > x && s.starts[i+1] > s.starts[i] {
			k = i
			break
		}
	}
	for s.starts[k+1] == s.starts[k] { // rounding left x above the last cdf entry
		k--
	}
	return k, s.starts[k] + intN(s.src, s.starts[k+1]-s.starts[k])
}

// population returns the index of the population holding unit u: the
// first k with starts[k+1] > u, by binary search.
func (s *selector) population(u int) int { return populationOf(s.starts, u) }

// populationOf returns the index of the population holding unit u, for
// populations starting at starts (with the end last): the first k with
// starts[k+1] > u, by binary search.
func populationOf(starts []int, u int) int {
	lo, hi := 0, len(starts)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if starts[m+1] > u {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// populationsOf returns populationOf of every unit of units.
func populationsOf(starts []int, units []int32) []int {
	pop := make([]int, len(units))
	for i, u := range units {
		pop[i] = populationOf(starts, int(u))
	}
	return pop
}

// uniform01 returns the number in [0, 1) that rand.New(src).Float64()
// returns, without the interface call: 53 random bits over 2^53.
func uniform01(src *rand.PCG) float64 {
	return float64(src.Uint64()<<11>>11) / (1 << 53)
}

// intN returns the number in [0, n) that rand.New(src).IntN(n) returns,
// without the interface call: Lemire's multiply-shift with rejection, the
// algorithm of math/rand/v2 (whose 32-bit variant gives the same values).
// n must be positive.
func intN(src *rand.PCG, n int) int {
	un := uint64(n)
	if un&(un-1) == 0 {
		return int(src.Uint64() & (un - 1))
	}
	hi, lo := bits.Mul64(src.Uint64(), un)
	if lo < un {
		thresh := -un % un
		for lo < thresh {
			hi, lo = bits.Mul64(src.Uint64(), un)
		}
	}
	return int(hi)
}

// stream purposes; see streamID.
const (
	streamSelect  = 1 // unit selection in Run
	streamBackRnd = 2 // stochastic background redraws
	streamInit    = 3 // initial states, per population
	streamConnect = 4 // connectivity, per synapse and row chunk
	streamGain    = 5 // decisions of stochastic gains in Run
	streamTime    = 6 // exponential intervals of continuous time (Options.ContinuousTime)
)

// streamID derives the second PCG seed word for a purpose and two indices
// by chained splitmix64 mixing, so that nearby indices give unrelated
// streams.
func streamID(purpose, a, b uint64) uint64 {
	return mix64(mix64(mix64(purpose)^a) ^ b)
}

// mix64 is the splitmix64 finalizer, a bijection on uint64.
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	z ^= z >> 31
	return z
}
