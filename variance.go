package binarynet

import (
	"fmt"
	"math/big"
	"math/bits"
)

// VarianceSplit splits the variance of the activities x_c(t) of a group
// of channels over channels and time into a temporal part, how much each
// channel's activity fluctuates in time, and a quenched part, how much the
// channels' time-averaged activities differ from each other (the law of
// total variance):
//
//	Total    = < x_c(t)^2 >_{c,t} - < x_c(t) >_{c,t}^2
//	Temporal = < <x_c^2>_t - <x_c>_t^2 >_c
//	Quenched = < <x_c>_t^2 >_c - < <x_c>_t >_c^2
//
// with Total = Temporal + Quenched. Averages over time are over the
// piecewise-constant states of the log, as in Covariances; averages over
// channels weigh each channel equally.
type VarianceSplit struct {
	Mean     float64 // Mean is the activity averaged over channels and time.
	Total    float64 // Total is the variance over channels and time.
	Temporal float64 // Temporal is the mean over channels of the variance in time.
	Quenched float64 // Quenched is the variance over channels of the time means.
}

// ActivityVarianceSplit returns the variance split of each group of
// channels. The activity of a channel is the fraction of its units that
// are on. A group of single-unit channels (Range{i, i+1} for each unit of
// a population) splits the variance of the unit states into the mean
// temporal variance m_i(1 - m_i) and the quenched variance of the rates
// m_i across units; a group of cluster ranges splits the variance of the
// cluster activities. Channels may overlap, within and across groups.
//
// The parts are computed exactly in rational arithmetic from integer
// sums and rounded once each, so Total = Temporal + Quenched holds to the
// rounding of the last digit. The log is read once; memory is O(channels).
func ActivityVarianceSplit(initial []int8, log DiffLog, groups [][]Range) ([]VarianceSplit, error) {
	if err := checkLogShape(initial, log); err != nil {
		return nil, err
	}
	if log.Len() == 0 {
		return nil, paramError("diff log length", 0, "must be >= 1 step for a variance split")
	}
	if len(groups) == 0 {
		return nil, paramError("variance groups", "[]", "must hold at least one group")
	}
	var channels []Range
	for g, rs := range groups {
		if len(rs) == 0 {
			return nil, paramError(fmt.Sprintf("variance groups[%d]", g), "[]", "must hold at least one range")
		}
		channels = append(channels, rs...)
	}
	m, err := newChannelMap(len(initial), channels, "variance channels")
	if err != nil {
		return nil, fmt.Errorf("%w (channels of all groups in order)", err)
	}
	n := len(initial)
	val := m.values(initial)
	s1 := make([]int64, len(channels))   // sum_t n_c[t]
	s2 := make([]uint128, len(channels)) // sum_t n_c[t]^2, which may pass 2^64
	last := make([]int64, len(channels))
	state := append([]int8(nil), initial...)
	for t, u := range log.Updates {
		d := log.Deltas[t]
		if err := checkStep(n, t, u, d); err != nil {
			return nil, err
		}
		next := stepState(state[u], d)
		if next == state[u] {
			continue
		}
		change := int64(next - state[u])
		state[u] = next
		for _, c := range m.of(u) {
			dt := int64(t) - last[c]
			s1[c] += val[c] * dt
			s2[c].addMul(uint64(val[c]*val[c]), uint64(dt))
			val[c] += change
			last[c] = int64(t)
		}
	}
	total := int64(log.Len())
	for c := range channels {
		dt := total - last[c]
		s1[c] += val[c] * dt
		s2[c].addMul(uint64(val[c]*val[c]), uint64(dt))
	}
	out := make([]VarianceSplit, len(groups))
	first := 0
	for g, rs := range groups {
		var mean, meanSq, sqMean big.Rat // <x>, <x^2>, <<x>_t^2>_c summed over channels
		for c := first; c < first+len(rs); c++ {
			size := big.NewInt(int64(m.size[c]))
			den := new(big.Int).Mul(size, big.NewInt(total))
			mc := new(big.Rat).SetFrac(big.NewInt(s1[c]), den)
			mean.Add(&mean, mc)
			meanSq.Add(&meanSq, new(big.Rat).SetFrac(s2[c].big(), new(big.Int).Mul(den, size)))
			sqMean.Add(&sqMean, new(big.Rat).Mul(mc, mc))
		}
		k := new(big.Rat).SetInt64(int64(len(rs)))
		mean.Quo(&mean, k)
		meanSq.Quo(&meanSq, k)
		sqMean.Quo(&sqMean, k)
		m2 := new(big.Rat).Mul(&mean, &mean)
		temporal := new(big.Rat).Sub(&meanSq, &sqMean)
		quenched := new(big.Rat).Sub(&sqMean, m2)
		tot := new(big.Rat).Add(temporal, quenched)
		out[g].Mean, _ = mean.Float64()
		out[g].Total, _ = tot.Float64()
		out[g].Temporal, _ = temporal.Float64()
		out[g].Quenched, _ = quenched.Float64()
		first += len(rs)
	}
	return out, nil
}

// uint128 is an unsigned 128-bit accumulator.
type uint128 struct{ hi, lo uint64 }

// addMul adds a*b.
func (x *uint128) addMul(a, b uint64) {
	hi, lo := bits.Mul64(a, b)
	var carry uint64
	x.lo, carry = bits.Add64(x.lo, lo, 0)
	x.hi += hi + carry
}

func (x uint128) big() *big.Int {
	v := new(big.Int).SetUint64(x.hi)
	return v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(x.lo))
}
