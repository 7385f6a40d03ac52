package binarynet

import (
	"fmt"
	"math"
	"slices"
)

// ClusterStates describes which clusters are active at each sample of a
// recording, with any number active at once, as returned by
// ClusterStatesFromDiffLog and ClusterStatesFromRates.
//
// A cluster switches on at a sample where its rate is at least On and off
// at a sample where its rate is below Off (Off <= On): between the two
// thresholds it keeps its state (hysteresis), so noise near one threshold
// does not make it flicker. Before the first sample every cluster is off.
type ClusterStates struct {
	// Clusters is the number of clusters, Samples the number of samples.
	Clusters, Samples int
	// On and Off are the thresholds.
	On, Off float64
	// Runs are the maximal stretches of consecutive samples with the same
	// set of active clusters, in order; together they cover every sample.
	Runs []ClusterRun
	// Switches is the number of changes of the active set, len(Runs)-1
	// (zero without samples).
	Switches int
	// Activations[c] counts the samples at which cluster c switched on.
	Activations []int
	// Occupancy[k] is the number of samples with k active clusters, for k
	// from 0 to Clusters.
	Occupancy []int
	// Dwell[k] lists the lengths, in samples, of the runs with k active
	// clusters, in order, leaving out the first and the last run, whose
	// true lengths are cut by the ends of the recording.
	Dwell [][]int
	// Transitions[k*(Clusters+1)+l] counts the switches from a set of k
	// active clusters to a set of l.
	Transitions []int
}

// ClusterRun is a stretch of consecutive samples with the same set of
// active clusters.
type ClusterRun struct {
	Start, Samples int   // Start is the first sample, Samples the length.
	Active         []int // Active lists the active clusters in increasing order.
}

// ActiveAt returns the active clusters at sample t (a view into a Run),
// or nil when t is not a sample.
func (s *ClusterStates) ActiveAt(t int) []int {
	if uint(t) >= uint(s.Samples) {
		return nil
	}
	i, _ := slices.BinarySearchFunc(s.Runs, t, func(r ClusterRun, t int) int {
		switch {
		case r.Start+r.Samples <= t:
			return -1
		case r.Start > t:
			return 1
		}
		return 0
	})
	return s.Runs[i].Active
}

// clusterTracker applies the thresholds sample by sample and builds the
// runs.
type clusterTracker struct {
	s      *ClusterStates
	active []bool
	set    []int
}

func newClusterTracker(q int, on, off float64) (*clusterTracker, error) {
	if math.IsNaN(on) || math.IsInf(on, 0) {
		return nil, paramError("cluster threshold on", on, "must be finite")
	}
	if math.IsNaN(off) || off > on {
		return nil, paramError("cluster threshold off", off, fmt.Sprintf("must be at most the threshold on, %v", on))
	}
	s := &ClusterStates{
		Clusters: q, On: on, Off: off, Activations: make([]int, q),
		Occupancy: make([]int, q+1), Dwell: make([][]int, q+1), Transitions: make([]int, (q+1)*(q+1)),
	}
	return &clusterTracker{s: s, active: make([]bool, q)}, nil
}

// sample adds the sample with the given cluster rates.
func (c *clusterTracker) sample(rate func(k int) float64) {
	s := c.s
	c.set = c.set[:0]
	for k := range c.active {
		r := rate(k)
		switch {
		case !c.active[k] && r >= s.On:
			c.active[k] = true
			s.Activations[k]++
		case c.active[k] && r < s.Off:
			c.active[k] = false
		}
		if c.active[k] {
			c.set = append(c.set, k)
		}
	}
	s.Occupancy[len(c.set)]++
	if n := len(s.Runs); n > 0 && slices.Equal(s.Runs[n-1].Active, c.set) {
		s.Runs[n-1].Samples++
	} else {
		if n > 0 {
			s.Transitions[len(s.Runs[n-1].Active)*(s.Clusters+1)+len(c.set)]++
		}
		s.Runs = append(s.Runs, ClusterRun{Start: s.Samples, Samples: 1, Active: slices.Clone(c.set)})
	}
	s.Samples++
}

func (c *clusterTracker) finish() *ClusterStates {
	s := c.s
	s.Switches = max(0, len(s.Runs)-1)
	for i := 1; i+1 < len(s.Runs); i++ {
		k := len(s.Runs[i].Active)
		s.Dwell[k] = append(s.Dwell[k], s.Runs[i].Samples)
	}
	return s
}

// ClusterStatesFromRates finds the active clusters at each sample of
// rates, one row per sample and one column per cluster (the output of
// PopulationRatesFromDiffLogs), with the thresholds on and off (see
// ClusterStates). Rows must have the same, non-zero length and hold no
// NaN.
func ClusterStatesFromRates(rates [][]float64, on, off float64) (*ClusterStates, error) {
	q := 0
	if len(rates) > 0 {
		q = len(rates[0])
		if q == 0 {
			return nil, shapeError("rates have no columns")
		}
	}
	c, err := newClusterTracker(q, on, off)
	if err != nil {
		return nil, err
	}
	for t, row := range rates {
		if len(row) != q {
			return nil, shapeError("rates row %d has %d columns, row 0 has %d", t, len(row), q)
		}
		for k, v := range row {
			if math.IsNaN(v) {
				return nil, paramError(fmt.Sprintf("rates[%d][%d]", t, k), v, "must not be NaN")
			}
		}
		c.sample(func(k int) float64 { return row[k] })
	}
	return c.finish(), nil
}

// ClusterStatesFromDiffLog finds the active clusters at the samples after
// steps 0, k, 2k, ... (k = sampleInterval) of a diff log that starts in
// state initial, where a cluster's rate is the fraction of its units that
// are on (as PopulationRatesFromDiffLogs computes it; clusters must not
// overlap). The log is read once and the rates are not stored: memory is
// the result plus O(N).
func ClusterStatesFromDiffLog(initial []int8, log DiffLog, sampleInterval int, clusters []Range, on, off float64) (*ClusterStates, error) {
	if err := checkLogShape(initial, log); err != nil {
		return nil, err
	}
	if err := checkInterval(sampleInterval); err != nil {
		return nil, err
	}
	n := len(initial)
	if len(clusters) == 0 {
		return nil, paramError("clusters", "[]", "must hold at least one range")
	}
	owner := make([]int32, n)
	for i := range owner {
		owner[i] = -1
	}
	count := make([]int, len(clusters))
	for k, r := range clusters {
		if r.Start < 0 || r.End <= r.Start || r.End > n {
			return nil, paramError(fmt.Sprintf("clusters[%d]", k), r, fmt.Sprintf("must satisfy 0 <= Start < End <= %d", n))
		}
		for u := r.Start; u < r.End; u++ {
			if owner[u] >= 0 {
				return nil, paramError(fmt.Sprintf("clusters[%d]", k), r, fmt.Sprintf("overlaps clusters[%d]", owner[u]))
			}
			owner[u] = int32(k)
			count[k] += int(initial[u])
		}
	}
	c, err := newClusterTracker(len(clusters), on, off)
	if err != nil {
		return nil, err
	}
	rate := func(k int) float64 { return float64(count[k]) / float64(clusters[k].End-clusters[k].Start) }
	state := append([]int8(nil), initial...)
	for t, u := range log.Updates {
		d := log.Deltas[t]
		if err := checkStep(n, t, u, d); err != nil {
			return nil, err
		}
		next := stepState(state[u], d)
		if k := owner[u]; k >= 0 {
			count[k] += int(next - state[u])
		}
		state[u] = next
		if t%sampleInterval == 0 {
			c.sample(rate)
		}
	}
	return c.finish(), nil
}
