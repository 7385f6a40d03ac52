package binarynet

import (
	"fmt"
	"iter"
	"math"
	"slices"
)

// DiffLog records update steps compactly: at step t unit Updates[t] was
// updated and its state changed by Deltas[t], which is -1, 0 or +1. Unit
// ids are int32, so networks of any size supported here log correctly.
type DiffLog struct {
	Updates []int32
	Deltas  []int8
	// Times, when not nil, holds the time of every step in the units of
	// the time constants (ms when the taus are in ms): step t happened at
	// Times[t], a network time counted from Initialize. A network with
	// Options.ContinuousTime fills it; nil otherwise. When not nil it has
	// the length of Updates, and its values are finite, >= 0 and
	// non-decreasing.
	Times []float64
}

// HasTimes reports whether the log records the time of its steps.
func (l DiffLog) HasTimes() bool { return l.Times != nil }

// Len returns the number of recorded steps.
func (l DiffLog) Len() int { return len(l.Updates) }

// diffBuffer is the network's pending diff log.
type diffBuffer struct {
	updates []int32 // nil when diff logging is off
	deltas  []int8
	times   []float64 // nil without continuous time; written by recorder.tick
	filled  int
}

func (d *diffBuffer) reserve(steps int) error {
	if d.updates != nil && steps > len(d.updates)-d.filled {
		return fmt.Errorf("%w: diff log has room for %d more steps, run asks for %d (EnableDiffLogging)",
			ErrLogOverflow, len(d.updates)-d.filled, steps)
	}
	return nil
}

func (d *diffBuffer) record(u int, delta int8) {
	if d.updates != nil {
		d.updates[d.filled] = int32(u)
		d.deltas[d.filled] = delta
		d.filled++
	}
}

// stepBuffer is the network's pending step log: the full state after each
// step, row after row.
type stepBuffer struct {
	states []int8 // nil when step logging is off
	width  int
	filled int // rows written
}

func (s *stepBuffer) reserve(steps int) error {
	if s.states != nil && steps > len(s.states)/s.width-s.filled {
		return fmt.Errorf("%w: step log has room for %d more steps, run asks for %d (EnableStepLogging)",
			ErrLogOverflow, len(s.states)/s.width-s.filled, steps)
	}
	return nil
}

func (s *stepBuffer) record(state []int8) {
	if s.states != nil {
		copy(s.states[s.filled*s.width:], state)
		s.filled++
	}
}

// EnableDiffLogging allocates a diff log for the next steps updates,
// replacing any pending one. Zero turns diff logging off. A run that would
// write past the end returns ErrLogOverflow before taking any step.
//
// With Options.ContinuousTime the log also records the time of every
// step (DiffLog.Times), 13 bytes per step instead of 5 (see
// TimedDiffLogBytes).
func (nw *Network) EnableDiffLogging(steps int) error {
	perStep := float64(diffStepBytes)
	if nw.clock != nil {
		perStep += diffTimeBytes
	}
	if err := nw.checkLogSize("diff log steps", steps, perStep); err != nil {
		return err
	}
	nw.diff = diffBuffer{}
	if steps > 0 {
		nw.diff = diffBuffer{updates: make([]int32, steps), deltas: make([]int8, steps)}
		if nw.clock != nil {
			nw.diff.times = make([]float64, steps)
		}
	}
	return nil
}

// ConsumeDiffLog returns the steps recorded since EnableDiffLogging and
// turns diff logging off. Without a log it returns an empty DiffLog.
// With Options.ContinuousTime the log's Times are filled (not nil, even
// when empty).
func (nw *Network) ConsumeDiffLog() DiffLog {
	d := nw.diff
	nw.diff = diffBuffer{}
	log := DiffLog{Updates: d.updates[:d.filled:d.filled], Deltas: d.deltas[:d.filled:d.filled]}
	if d.times != nil {
		log.Times = d.times[:d.filled:d.filled]
	} else if nw.clock != nil {
		log.Times = []float64{}
	}
	return log
}

// EnableStepLogging allocates a log of the full state after each of the
// next steps updates (steps x N bytes). Zero turns step logging off. It
// needs Initialize, which fixes N.
func (nw *Network) EnableStepLogging(steps int) error {
	if !nw.Initialized() {
		return orderError("EnableStepLogging before Initialize")
	}
	n := nw.size()
	if err := nw.checkLogSize("step log steps", steps, float64(n)); err != nil {
		return err
	}
	nw.stepLog = stepBuffer{}
	if steps > 0 {
		nw.stepLog = stepBuffer{states: make([]int8, steps*n), width: n}
	}
	return nil
}

// ConsumeStepLog returns the states recorded since EnableStepLogging, one
// row per step, and turns step logging off.
func (nw *Network) ConsumeStepLog() [][]int8 {
	s := nw.stepLog
	nw.stepLog = stepBuffer{}
	rows := make([][]int8, s.filled)
	for i := range rows {
		rows[i] = s.states[i*s.width : (i+1)*s.width : (i+1)*s.width]
	}
	return rows
}

// sliceHeader is the size of a slice header on 64-bit platforms, counted
// for every row of a [][]T result.
const sliceHeader = 24

// checkMemory returns ErrMemoryBudget when need bytes, for what, exceed the
// budget of ramBudgetGB GiB (zero means the default) or more than this
// platform can index, and ErrInvalidParameter for a negative or non-finite
// budget.
func checkMemory(what string, need, ramBudgetGB float64) error {
	if !(ramBudgetGB >= 0) || math.IsInf(ramBudgetGB, 0) {
		return paramError("RAM budget (GB)", ramBudgetGB, "must be >= 0 and finite")
	}
	if err := checkBudget(need, ramBudgetGB, what, ""); err != nil {
		return err
	}
	if need >= math.MaxInt {
		return fmt.Errorf("%w: %s needs more bytes than this platform can index", ErrMemoryBudget, what)
	}
	return nil
}

// Range is the half-open range [Start, End) of unit ids of a population.
type Range struct{ Start, End int }

// checkDiffLog validates a diff log against a network of n units.
func checkDiffLog(n int, log DiffLog) error {
	if len(log.Updates) != len(log.Deltas) {
		return shapeError("diff log has %d updates but %d deltas", len(log.Updates), len(log.Deltas))
	}
	for t, u := range log.Updates {
		if uint32(u) >= uint32(n) {
			return paramError(fmt.Sprintf("diff log updates[%d]", t), u, fmt.Sprintf("must be a unit id in [0, %d)", n))
		}
		if d := log.Deltas[t]; d < -1 || d > 1 {
			return paramError(fmt.Sprintf("diff log deltas[%d]", t), d, "must be -1, 0 or 1")
		}
	}
	return checkTimes(log)
}

// checkTimes validates the times of a diff log, if it has them: one per
// step, finite, >= 0 and non-decreasing.
func checkTimes(log DiffLog) error {
	if log.Times == nil {
		return nil
	}
	if len(log.Times) != len(log.Updates) {
		return shapeError("diff log has %d updates but %d times", len(log.Updates), len(log.Times))
	}
	return checkTimeValues(log.Times)
}

// checkTimeValues checks that times are finite, >= 0 and non-decreasing.
func checkTimeValues(times []float64) error {
	prev := 0.0
	for t, x := range times {
		if !(x >= prev) || math.IsInf(x, 0) {
			return paramError(fmt.Sprintf("diff log times[%d]", t), x, fmt.Sprintf("must be finite and >= %g (times are >= 0 and non-decreasing)", prev))
		}
		prev = x
	}
	return nil
}

func checkInterval(sampleInterval int) error {
	if sampleInterval < 1 {
		return paramError("sample interval", sampleInterval, "must be >= 1")
	}
	return nil
}

// sampleCount returns the number of samples of a log of the given length:
// steps 0, k, 2k, ... are sampled.
func sampleCount(steps, interval int) int {
	if steps == 0 {
		return 0
	}
	return (steps-1)/interval + 1
}

// ReconstructStatesFromDiffLogs replays a diff log from an initial state
// and returns the full state after steps 0, k, 2k, ... where k is
// sampleInterval, one row per sample. As in the Python module a delta
// moves a unit's state to 1 when state+delta > 0 and to 0 otherwise.
// Mismatched or out-of-range inputs return an error.
//
// The result takes samples x N bytes. ramBudgetGB is the memory, in GiB,
// it may take (zero means 12, as for Options.RAMBudgetGB); a larger result
// returns ErrMemoryBudget before anything is allocated. ReconstructStatesSeq
// gives the same samples one at a time in O(N) memory.
func ReconstructStatesFromDiffLogs(initial []int8, log DiffLog, sampleInterval int, ramBudgetGB float64) ([][]int8, error) {
	seq, err := ReconstructStatesSeq(initial, log, sampleInterval)
	if err != nil {
		return nil, err
	}
	n := len(initial)
	count := sampleCount(log.Len(), sampleInterval)
	what := fmt.Sprintf("reconstructing %d samples of %d units", count, n)
	if err := checkMemory(what, float64(count)*(float64(n)+sliceHeader), ramBudgetGB); err != nil {
		return nil, err
	}
	return collectRows(seq, count, n), nil
}

// ReconstructStatesSeq is the streaming form of
// ReconstructStatesFromDiffLogs: it checks its inputs, then returns an
// iterator over the samples, yielding the step index t (0, k, 2k, ...) and
// the full state after step t. The yielded slice is reused: it is
// overwritten by the next sample, so copy it to keep it. The iterator needs
// O(N) memory whatever the length of the log, and each range over it
// replays the log from the start.
func ReconstructStatesSeq(initial []int8, log DiffLog, sampleInterval int) (iter.Seq2[int, []int8], error) {
	if err := checkReplay(initial, log, sampleInterval); err != nil {
		return nil, err
	}
	initial = slices.Clone(initial)
	return func(yield func(int, []int8) bool) {
		state := slices.Clone(initial)
		row := make([]int8, len(state))
		for t, u := range log.Updates {
			if d := log.Deltas[t]; d != 0 {
				state[u] = stepState(state[u], d)
			}
			if t%sampleInterval == 0 {
				copy(row, state)
				if !yield(t, row) {
					return
				}
			}
		}
	}, nil
}

func stepState(s, d int8) int8 {
	if s+d > 0 {
		return 1
	}
	return 0
}

func checkReplay(initial []int8, log DiffLog, sampleInterval int) error {
	if err := checkInterval(sampleInterval); err != nil {
		return err
	}
	if err := checkBinary("initial state", initial); err != nil {
		return err
	}
	return checkDiffLog(len(initial), log)
}

// PopulationRatesFromDiffLogs returns, after steps 0, k, 2k, ... (k =
// sampleInterval), the fraction of active units of each range, one row per
// sample and one column per range. An empty range has rate 0.
//
// The result takes 8 bytes per sample and range. ramBudgetGB is the memory,
// in GiB, it may take (zero means 12, as for Options.RAMBudgetGB); more
// returns ErrMemoryBudget before anything is allocated. PopulationRatesSeq
// gives the same rows one at a time in O(N) memory.
func PopulationRatesFromDiffLogs(initial []int8, log DiffLog, sampleInterval int, ranges []Range, ramBudgetGB float64) ([][]float64, error) {
	seq, err := PopulationRatesSeq(initial, log, sampleInterval, ranges)
	if err != nil {
		return nil, err
	}
	count, m := sampleCount(log.Len(), sampleInterval), len(ranges)
	what := fmt.Sprintf("rates of %d ranges at %d samples", m, count)
	if err := checkMemory(what, float64(count)*(8*float64(m)+sliceHeader), ramBudgetGB); err != nil {
		return nil, err
	}
	return collectRows(seq, count, m), nil
}

// collectRows copies the count rows of width elements that seq yields
// (each reused by seq) into one backing array and returns them.
func collectRows[E any](seq iter.Seq2[int, []E], count, width int) [][]E {
	flat := make([]E, count*width)
	out := make([][]E, 0, count)
	for _, r := range seq {
		i := len(out)
		row := flat[i*width : (i+1)*width : (i+1)*width]
		copy(row, r)
		out = append(out, row)
	}
	return out
}

// PopulationRatesSeq is the streaming form of PopulationRatesFromDiffLogs:
// it checks its inputs, then returns an iterator yielding the step index t
// (0, k, 2k, ...) and the rate of each range after step t. The yielded
// slice is reused: it is overwritten by the next sample. The iterator needs
// O(N) memory whatever the length of the log, and each range over it
// replays the log from the start.
func PopulationRatesSeq(initial []int8, log DiffLog, sampleInterval int, ranges []Range) (iter.Seq2[int, []float64], error) {
	if err := checkReplay(initial, log, sampleInterval); err != nil {
		return nil, err
	}
	n := len(initial)
	owner := make([]int32, n)
	for i := range owner {
		owner[i] = -1
	}
	ranges = slices.Clone(ranges)
	active0 := make([]int, len(ranges))
	for k, r := range ranges {
		if r.Start < 0 || r.End < r.Start || r.End > n {
			return nil, paramError(fmt.Sprintf("ranges[%d]", k), r, fmt.Sprintf("must satisfy 0 <= Start <= End <= %d", n))
		}
		for u := r.Start; u < r.End; u++ {
			if owner[u] >= 0 {
				return nil, paramError(fmt.Sprintf("ranges[%d]", k), r, fmt.Sprintf("overlaps ranges[%d]", owner[u]))
			}
			owner[u] = int32(k)
			active0[k] += int(initial[u])
		}
	}
	initial = slices.Clone(initial)
	return func(yield func(int, []float64) bool) {
		state := slices.Clone(initial)
		active := slices.Clone(active0)
		row := make([]float64, len(ranges))
		for t, u := range log.Updates {
			if d := log.Deltas[t]; d != 0 {
				next := stepState(state[u], d)
				if k := owner[u]; k >= 0 {
					active[k] += int(next - state[u])
				}
				state[u] = next
			}
			if t%sampleInterval == 0 {
				for k, r := range ranges {
					row[k] = float64(active[k]) / float64(max(1, r.End-r.Start))
				}
				if !yield(t, row) {
					return
				}
			}
		}
	}, nil
}

// PopulationRatesFromDiffLogs is the package function of the same name
// applied to the given populations of the network, or to all of them when
// none are given, with the network's RAM budget (Options.RAMBudgetGB).
func (nw *Network) PopulationRatesFromDiffLogs(initial []int8, log DiffLog, sampleInterval int, pops ...Population) ([][]float64, error) {
	ranges := nw.PopulationRanges()
	if len(pops) > 0 {
		ranges = make([]Range, len(pops))
		for k, p := range pops {
			r, err := nw.PopulationRange(p)
			if err != nil {
				return nil, fmt.Errorf("pops[%d]: %w", k, err)
			}
			ranges[k] = r
		}
	}
	if n := nw.N(); len(initial) != n {
		return nil, shapeError("initial state has %d units, network has %d", len(initial), n)
	}
	return PopulationRatesFromDiffLogs(initial, log, sampleInterval, ranges, nw.opts.RAMBudgetGB)
}

// ExtractSpikeEventsFromDiffLogs returns the onset events of a diff log:
// the steps at which a unit switched on (delta +1) and the unit ids, in
// step order. Deltas other than -1, 0 and 1 and negative unit ids are an
// error.
//
// The result takes 12 bytes per onset. ramBudgetGB is the memory, in GiB,
// it may take (zero means 12, as for Options.RAMBudgetGB); more returns
// ErrMemoryBudget before anything is allocated.
func ExtractSpikeEventsFromDiffLogs(log DiffLog, ramBudgetGB float64) (steps []int64, units []int32, err error) {
	return extractOnsets(log, "spike events", ramBudgetGB, func(t int) int64 { return int64(t) })
}

// extractOnsets returns at(t) and the unit of every onset (delta +1) of
// log, in step order, after checking their 12 bytes per onset against
// ramBudgetGB; what names them in the error.
func extractOnsets[T int64 | float64](log DiffLog, what string, ramBudgetGB float64, at func(t int) T) ([]T, []int32, error) {
	onsets, err := countOnsets(log)
	if err != nil {
		return nil, nil, err
	}
	if err := checkMemory(fmt.Sprintf("%d %s", onsets, what), 12*float64(onsets), ramBudgetGB); err != nil {
		return nil, nil, err
	}
	if onsets == 0 {
		return nil, nil, nil
	}
	ats, units := make([]T, 0, onsets), make([]int32, 0, onsets)
	for t, d := range log.Deltas {
		if d > 0 {
			ats = append(ats, at(t))
			units = append(units, log.Updates[t])
		}
	}
	return ats, units, nil
}

// countOnsets checks the updates and deltas of a log (not against a
// network size) and returns the number of onsets, deltas +1.
func countOnsets(log DiffLog) (int, error) {
	if len(log.Updates) != len(log.Deltas) {
		return 0, shapeError("diff log has %d updates but %d deltas", len(log.Updates), len(log.Deltas))
	}
	onsets := 0
	for t, d := range log.Deltas {
		if d < -1 || d > 1 {
			return 0, paramError(fmt.Sprintf("diff log deltas[%d]", t), d, "must be -1, 0 or 1")
		}
		if u := log.Updates[t]; u < 0 {
			return 0, paramError(fmt.Sprintf("diff log updates[%d]", t), u, "must be a unit id >= 0")
		}
		if d > 0 {
			onsets++
		}
	}
	return onsets, nil
}
