package binarynet

import (
	"fmt"
	"iter"
	"math"
	"slices"
)

// errNoTimes is the error of a helper in time units given a log without
// times.
func errNoTimes(what string) error {
	return paramError(what+": diff log times", nil, "are missing (run the network with Options.ContinuousTime)")
}

// ExtractSpikeTimesFromDiffLogs is ExtractSpikeEventsFromDiffLogs in time
// units: it returns the times (log.Times, in the units of tau, ms when the
// taus are in ms) at which a unit switched on (delta +1), and the unit
// ids, in step order. The log must have times (Options.ContinuousTime);
// their checks are those of DiffLog.Times.
//
// The result takes 12 bytes per onset, checked against ramBudgetGB (GiB,
// zero means 12) as ExtractSpikeEventsFromDiffLogs does.
func ExtractSpikeTimesFromDiffLogs(log DiffLog, ramBudgetGB float64) (times []float64, units []int32, err error) {
	if log.Times == nil {
		return nil, nil, errNoTimes("spike times")
	}
	if err := checkTimes(log); err != nil {
		return nil, nil, err
	}
	return extractOnsets(log, "spike times", ramBudgetGB, func(t int) float64 { return log.Times[t] })
}

// maxTimeSamples bounds the number of samples of PopulationRatesTimeSeq.
const maxTimeSamples = 1 << 50

// PopulationRatesTimeSeq is PopulationRatesSeq on a regular grid of
// times instead of steps: it yields, at every time s = i*interval (i an
// integer) from the first step's time to the last step's, Times[0] <= s
// <= Times[T-1], the fraction of active units of each range after every
// step at a time <= s. Times and interval are in the units of tau (ms).
// The log must have times (Options.ContinuousTime); interval must be
// positive and finite and give at most 2^50 samples, with Times[T-1] /
// interval below 2^53. The yielded slice is
// reused, the iterator needs O(N) memory, and each range over it replays
// the log from the start. Ranges are checked as by PopulationRatesSeq.
func PopulationRatesTimeSeq(initial []int8, log DiffLog, interval float64, ranges []Range) (iter.Seq2[float64, []float64], error) {
	if log.Times == nil {
		return nil, errNoTimes("population rates in time")
	}
	if !(interval > 0) || math.IsInf(interval, 0) {
		return nil, paramError("sample interval (time)", interval, "must be positive and finite")
	}
	// The rates after every step, with their step index; the grid picks
	// the last step at or before each sample time.
	steps, err := PopulationRatesSeq(initial, log, 1, ranges)
	if err != nil {
		return nil, err
	}
	first, last := 0.0, -1.0
	if n := len(log.Times); n > 0 {
		first = math.Ceil(log.Times[0] / interval)
		last = math.Floor(log.Times[n-1] / interval)
	}
	if last-first+1 > maxTimeSamples || last >= 1<<53 {
		return nil, paramError("sample interval (time)", interval, fmt.Sprintf("gives %.3g samples up to sample %.3g (at most 2^50 samples, below 2^53)", last-first+1, last))
	}
	if n := len(log.Times); n > 0 {
		// The quotients round: keep the grid inside [Times[0], Times[n-1]].
		for first*interval < log.Times[0] {
			first++
		}
		for last >= first && last*interval > log.Times[n-1] {
			last--
		}
	}
	times := slices.Clone(log.Times)
	width := len(ranges)
	return func(yield func(float64, []float64) bool) {
		if last < first {
			return
		}
		out := make([]float64, width)
		i := first
		for t, row := range steps {
			// Samples before step t+1 see the rates after step t.
			next := math.Inf(1)
			if t+1 < len(times) {
				next = times[t+1]
			}
			for ; i <= last && i*interval < next; i++ {
				copy(out, row)
				if !yield(i*interval, out) {
					return
				}
			}
			if i > last {
				return
			}
		}
	}, nil
}
