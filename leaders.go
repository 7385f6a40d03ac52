package binarynet

import (
	"fmt"
	"math"
	"slices"
)

// LeaderStats summarizes which of several groups of units, typically the
// excitatory clusters of a clustered network, is the most active over
// time, and how often the lead changes hands: the signature of winnerless
// competition, in which clusters take turns being active.
type LeaderStats struct {
	// Leader[t] is the group that leads sample t, or -1 when no group leads
	// clearly (see Leaders).
	Leader []int
	// Led[k] is the number of samples that group k leads.
	Led []int
	// Samples is the number of samples, and LedSamples the number with a
	// leader.
	Samples, LedSamples int
	// Distinct is the number of groups that lead at least one sample.
	Distinct int
	// MaxShare is the largest fraction of the led samples that one group
	// leads, in [0, 1]; zero when no sample has a leader.
	MaxShare float64
	// Switches counts the changes of leader between consecutive led
	// samples; samples without a leader are skipped, so a group that
	// falls back and leads again without another group leading in between
	// keeps its run.
	Switches int
	// MeanDwell is the mean length of a run of one leader, in samples:
	// LedSamples / (Switches + 1), zero without led samples.
	MeanDwell float64
}

// Share returns the fraction of the led samples that group k leads, zero
// when no sample has a leader or k is out of range.
func (s LeaderStats) Share(k int) float64 {
	if s.LedSamples == 0 || uint(k) >= uint(len(s.Led)) {
		return 0
	}
	return float64(s.Led[k]) / float64(s.LedSamples)
}

// LeadersWithShare returns the number of groups that lead at least the
// fraction minShare of the led samples.
func (s LeaderStats) LeadersWithShare(minShare float64) int {
	n := 0
	for k := range s.Led {
		if s.Led[k] > 0 && s.Share(k) >= minShare {
			n++
		}
	}
	return n
}

// Leaders finds the leading group of every sample of rates, which holds
// one row per sample and one column per group (the output of
// PopulationRatesFromDiffLogs). A group leads a sample when its rate is
// the highest (the first such group on ties) and exceeds the median rate
// of the groups by at least margin; the median of an even number of
// groups is the lower of the two middle values. With many groups the
// median is the background rate, so margin separates a cluster in its
// active state from noise.
//
// Rows must all have the same, non-zero length; margin must be finite and
// rates must not be NaN.
func Leaders(rates [][]float64, margin float64) (LeaderStats, error) {
	if math.IsNaN(margin) || math.IsInf(margin, 0) {
		return LeaderStats{}, paramError("leader margin", margin, "must be finite")
	}
	s := LeaderStats{Samples: len(rates), Leader: make([]int, len(rates))}
	if len(rates) == 0 {
		return s, nil
	}
	q := len(rates[0])
	if q == 0 {
		return LeaderStats{}, shapeError("rates have no columns")
	}
	s.Led = make([]int, q)
	sorted := make([]float64, q)
	last := -1
	for t, row := range rates {
		if len(row) != q {
			return LeaderStats{}, shapeError("rates row %d has %d columns, row 0 has %d", t, len(row), q)
		}
		best := 0
		for k, v := range row {
			if math.IsNaN(v) {
				return LeaderStats{}, paramError(fmt.Sprintf("rates[%d][%d]", t, k), v, "must not be NaN")
			}
			if v > row[best] {
				best = k
			}
		}
		copy(sorted, row)
		slices.Sort(sorted)
		s.Leader[t] = -1
		if row[best]-sorted[(q-1)/2] < margin {
			continue
		}
		s.Leader[t] = best
		s.Led[best]++
		s.LedSamples++
		if last >= 0 && best != last {
			s.Switches++
		}
		last = best
	}
	for k, n := range s.Led {
		if n > 0 {
			s.Distinct++
			s.MaxShare = max(s.MaxShare, s.Share(k))
		}
	}
	if s.LedSamples > 0 {
		s.MeanDwell = float64(s.LedSamples) / float64(s.Switches+1)
	}
	return s, nil
}
