package binarynet

import (
	"fmt"
	"math"
)

// SpikeCounts holds spike-count statistics of the onsets (switches from 0
// to 1) of every unit and of populations, as returned by
// SpikeCountStatistics. Time is in update steps: rates are onsets per
// step, intervals are in steps; for SpikeCountStatisticsTime they are in
// the units of tau (ms).
//
// A statistic without enough data is NaN: a Fano factor without onsets in
// the windows, a CV or CV2 with fewer than two inter-onset intervals.
type SpikeCounts struct {
	// Steps is the length of the log, Window the window length of the Fano
	// factors and Windows the number of complete windows, which cover
	// [0, Windows*Window); onsets after them count in rates and intervals
	// but not in Fano factors.
	Steps, Window, Windows int
	// TimeSpan and TimeWindow are, for SpikeCountStatisticsTime, the time
	// the log covers, Times[T-1] - Times[0], and the window length, in the
	// units of tau; rates are then onsets per unit of time and intervals
	// are in those units. Both are 0 for SpikeCountStatistics.
	TimeSpan, TimeWindow float64

	// Onsets[u] is the number of onsets of unit u, Rate[u] = Onsets[u] /
	// Steps.
	Onsets []int64
	Rate   []float64
	// Fano[u] is the variance over windows of unit u's onset count divided
	// by its mean (variance normalised by the number of windows).
	Fano []float64
	// CV[u] is the standard deviation (normalised by the number of
	// intervals) of unit u's inter-onset intervals divided by their mean;
	// CV2[u] is the mean over consecutive intervals I_k, I_k+1 of
	// 2 |I_k+1 - I_k| / (I_k+1 + I_k) (Holt et al. 1996).
	CV, CV2 []float64

	// Pops holds the statistics of the populations, in the order given.
	Pops []PopulationCounts
}

// PopulationCounts holds the spike-count statistics of one population.
type PopulationCounts struct {
	Range Range
	// Rate is the mean onset rate per unit (onsets per unit and step).
	Rate float64
	// Fano is the Fano factor of the population's summed onset count in
	// the windows.
	Fano float64
	// MeanFano, MeanCV and MeanCV2 are the means over the population's
	// units of their Fano, CV and CV2, leaving out the NaN ones; Units*
	// count the units included.
	MeanFano, MeanCV, MeanCV2    float64
	UnitsFano, UnitsCV, UnitsCV2 int
}

// SpikeCountStatistics returns the onset rates, Fano factors in windows of
// window steps (window k covers [k*window, (k+1)*window)), and CV and CV2
// of the inter-onset intervals of every unit and of the given populations
// (ranges of units, which may overlap), from a diff log starting in state
// initial. The log is read once; memory is O(N + populations).
// SpikeCountStatisticsTime is the same in the units of tau (ms).
func SpikeCountStatistics(initial []int8, log DiffLog, window int, pops []Range) (*SpikeCounts, error) {
	if err := checkLogShape(initial, log); err != nil {
		return nil, err
	}
	steps := log.Len()
	if window < 1 || window > steps {
		return nil, paramError("spike count window", window, fmt.Sprintf("must be in [1, %d], the log's length", steps))
	}
	axis := countAxis{
		at:      func(t int) float64 { return float64(t) },
		window:  func(t int) int64 { return int64(t / window) },
		windows: steps / window,
		span:    float64(steps),
	}
	s, err := spikeCounts(initial, log, pops, axis)
	if err != nil {
		return nil, err
	}
	s.Window = window
	return s, nil
}

// SpikeCountStatisticsTime is SpikeCountStatistics in the units of tau (ms
// when the taus are in ms), for a log with times (Options.ContinuousTime):
// the log covers [Times[0], Times[T-1]], the span; rates are onsets per
// unit of time (onsets / span), intervals are differences of Times, and
// window k of the Fano factors covers [Times[0] + k*window, Times[0] +
// (k+1)*window). window must be positive and at most the span (so the span
// must be positive), and give at most 2^50 windows. The result's
// TimeSpan and TimeWindow are set, Window is 0.
func SpikeCountStatisticsTime(initial []int8, log DiffLog, window float64, pops []Range) (*SpikeCounts, error) {
	if err := checkLogShape(initial, log); err != nil {
		return nil, err
	}
	if log.Times == nil {
		return nil, errNoTimes("spike count statistics in time")
	}
	if err := checkTimes(log); err != nil {
		return nil, err
	}
	var span float64
	if n := len(log.Times); n > 0 {
		span = log.Times[n-1] - log.Times[0]
	}
	if !(window > 0) || !(window <= span) || span/window > maxTimeSamples {
		return nil, paramError("spike count window (time)", window, fmt.Sprintf("must be in (0, %g], the log's time span, and give at most 2^50 windows", span))
	}
	t0 := log.Times[0]
	axis := countAxis{
		at:      func(t int) float64 { return log.Times[t] - t0 },
		window:  func(t int) int64 { return int64(math.Floor((log.Times[t] - t0) / window)) },
		windows: int(math.Floor(span / window)),
		span:    span,
	}
	s, err := spikeCounts(initial, log, pops, axis)
	if err != nil {
		return nil, err
	}
	s.TimeSpan, s.TimeWindow = span, window
	return s, nil
}

// countAxis is the time axis of spikeCounts: the time of step t from the
// start of the log, the index of the window holding it, the number of
// complete windows, and the length of the log for the rates.
type countAxis struct {
	at      func(t int) float64
	window  func(t int) int64
	windows int
	span    float64
}

// spikeCounts computes the statistics of SpikeCountStatistics on a time
// axis; the window of the result is left to the caller.
func spikeCounts(initial []int8, log DiffLog, pops []Range, axis countAxis) (*SpikeCounts, error) {
	steps := log.Len()
	n := len(initial)
	for k, r := range pops {
		if r.Start < 0 || r.End <= r.Start || r.End > n {
			return nil, paramError(fmt.Sprintf("spike count populations[%d]", k), r, fmt.Sprintf("must satisfy 0 <= Start < End <= %d", n))
		}
	}
	if err := checkAnalysisMemory("spike count statistics", 100*float64(n)); err != nil {
		return nil, err
	}
	var m channelMap
	if len(pops) > 0 {
		var err error
		if m, err = newChannelMap(n, pops, "spike count populations"); err != nil {
			return nil, err
		}
	}
	windows := int64(axis.windows)
	// Per unit: count in the current window, sums of counts and squares
	// over windows, last onset, last interval (-1 before the first), and
	// sums of intervals, squares and CV2 terms.
	count := make([]int64, n)
	sumK := make([]int64, n)
	sumK2 := make([]int64, n)
	lastOnset := make([]float64, n)
	lastISI := make([]float64, n)
	sumI := make([]float64, n)
	sumI2 := make([]float64, n)
	sumCV2 := make([]float64, n)
	onsets := make([]int64, n)
	for u := range lastOnset {
		lastOnset[u], lastISI[u] = -1, -1
	}
	popCount := make([]int64, len(pops))
	popSumK := make([]int64, len(pops))
	popSumK2 := make([]float64, len(pops))
	var active []int32
	flush := func() {
		for _, u := range active {
			sumK[u] += count[u]
			sumK2[u] += count[u] * count[u]
			count[u] = 0
		}
		active = active[:0]
		for k, c := range popCount {
			popSumK[k] += c
			popSumK2[k] += float64(c) * float64(c)
			popCount[k] = 0
		}
	}
	state := append([]int8(nil), initial...)
	var cur int64 // window of the counts not yet flushed
	for t, u := range log.Updates {
		d := log.Deltas[t]
		if err := checkStep(n, t, u, d); err != nil {
			return nil, err
		}
		next := stepState(state[u], d)
		if next == 1 && state[u] == 0 {
			onsets[u]++
			now := axis.at(t)
			if lastOnset[u] >= 0 {
				isi := now - lastOnset[u]
				sumI[u] += isi
				sumI2[u] += isi * isi
				if lastISI[u] >= 0 {
					sumCV2[u] += 2 * math.Abs(isi-lastISI[u]) / (isi + lastISI[u])
				}
				lastISI[u] = isi
			}
			lastOnset[u] = now
			if w := axis.window(t); w < windows {
				if w != cur {
					flush()
					cur = w
				}
				if count[u] == 0 {
					active = append(active, u)
				}
				count[u]++
				if len(pops) > 0 {
					for _, k := range m.of(u) {
						popCount[k]++
					}
				}
			}
		}
		state[u] = next
	}
	flush() // the last window with onsets
	s := &SpikeCounts{
		Steps: steps, Windows: int(windows),
		Onsets: onsets, Rate: make([]float64, n), Fano: make([]float64, n),
		CV: make([]float64, n), CV2: make([]float64, n), Pops: make([]PopulationCounts, len(pops)),
	}
	for u := range n {
		s.Rate[u] = float64(onsets[u]) / axis.span
		s.Fano[u] = fano(sumK[u], float64(sumK2[u]), int(windows))
		s.CV[u], s.CV2[u] = math.NaN(), math.NaN()
		if k := float64(onsets[u] - 1); k >= 2 {
			mean := sumI[u] / k
			s.CV[u] = math.Sqrt(max(0, sumI2[u]/k-mean*mean)) / mean
			s.CV2[u] = sumCV2[u] / (k - 1)
		}
	}
	for k, r := range pops {
		p := PopulationCounts{Range: r, Fano: fano(popSumK[k], popSumK2[k], int(windows))}
		var total int64
		for u := r.Start; u < r.End; u++ {
			total += onsets[u]
		}
		p.Rate = float64(total) / float64(r.End-r.Start) / axis.span
		p.MeanFano, p.UnitsFano = meanDefined(s.Fano[r.Start:r.End])
		p.MeanCV, p.UnitsCV = meanDefined(s.CV[r.Start:r.End])
		p.MeanCV2, p.UnitsCV2 = meanDefined(s.CV2[r.Start:r.End])
		s.Pops[k] = p
	}
	return s, nil
}

// fano returns variance/mean of counts over windows from their sum and sum
// of squares, NaN when the mean is zero.
func fano(sum int64, sumSq float64, windows int) float64 {
	if sum == 0 {
		return math.NaN()
	}
	w := float64(windows)
	mean := float64(sum) / w
	return max(0, sumSq/w-mean*mean) / mean
}

// meanDefined returns the mean of the values that are not NaN and their
// number; the mean is NaN when there are none.
func meanDefined(x []float64) (float64, int) {
	sum, k := 0.0, 0
	for _, v := range x {
		if !math.IsNaN(v) {
			sum += v
			k++
		}
	}
	if k == 0 {
		return math.NaN(), 0
	}
	return sum / float64(k), k
}
