package binarynet

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Stimulus is a step input to a range of units: during the updates made
// at step counts t with On <= t < Off (t is Network.Steps before the
// update, the convention of Adaptation), the field of every unit of Units
// is raised by Delta. The engine does it by lowering the units' thresholds
// instead, which is the same for every update rule (h + Delta > theta is
// h > theta - Delta): while stimuli are active, a unit's threshold is its
// population's threshold minus the sum of the Deltas of the stimuli active
// on it, summed in float64 in the order the stimuli were added and
// converted once to the weight type. At every start or end of a stimulus
// the thresholds are computed again from the population thresholds, so a
// unit's threshold returns exactly to its base value when its last
// stimulus ends, however many stimuli overlapped.
//
// Stochastic gains see the lowered threshold, Prob(h, theta - Delta); an
// adaptive population compares with its adaptive threshold minus the
// input, in float64, and its adaptation state stays that of the
// unstimulated threshold, so that the stimulus shifts the threshold by
// exactly Delta at On and at Off whatever the adaptation does.
//
// Stimuli are scheduled in update steps also in continuous time
// (Options.ContinuousTime), where TimedStimulus converts times with the
// mean rate and the clock time of step On varies around it.
type Stimulus struct {
	// Units are the stimulated units, ids Units.Start to Units.End-1: a
	// non-empty range inside the network (Network.PopulationRange gives a
	// population's).
	Units Range
	// On and Off are the first step and the step after the last one, in
	// update steps of the whole network: 0 <= On < Off. Network.TimeToSteps
	// converts times; TimedStimulus does it for both.
	On, Off int64
	// Delta is the input added to the field (subtracted from the
	// threshold), in the units of the field; it must be finite and, with a
	// float32 network, within the float32 range. A negative Delta
	// inhibits.
	Delta float64
}

// stimSchedule is a network's stimuli with what the run loop needs to
// apply them: the boundaries ahead, the active stimuli and the input they
// give. The zero value is no stimulus, and costs one comparison per batch.
type stimSchedule struct {
	list []Stimulus // in the order added
	// events are the steps ahead at which some stimulus starts or ends,
	// sorted, each once: the next boundary is events[0].
	events []int64
	// byOn holds the indices into list sorted by On (then index), and
	// starts the position in byOn of the first stimulus that starts after
	// the current step.
	byOn   []int
	starts int
	active []int     // indices into list of the active stimuli, increasing
	input  []float64 // input per unit; nil while no stimulus is active
}

// cut returns b, or fewer steps if a stimulus starts or ends before b more
// steps from step count now.
func (s *stimSchedule) cut(b int, now int64) int {
	if len(s.events) == 0 {
		return b
	}
	return int(min(int64(b), s.events[0]-now))
}

// checkStimulus validates stimulus i of a network of n units.
func checkStimulus(s Stimulus, n int, t WeightType) error {
	switch {
	case math.IsNaN(s.Delta) || math.IsInf(s.Delta, 0):
		return paramError("Stimulus.Delta", s.Delta, "must be finite")
	case !fitsType(t, s.Delta):
		return checkFits(t, "Stimulus.Delta", s.Delta)
	case s.On < 0:
		return paramError("Stimulus.On", s.On, "must be >= 0")
	case s.Off <= s.On:
		return paramError("Stimulus.Off", s.Off, fmt.Sprintf("must be > Stimulus.On (%d)", s.On))
	case s.Units.Start < 0 || s.Units.End <= s.Units.Start || s.Units.End > n:
		return paramError("Stimulus.Units", fmt.Sprintf("[%d, %d)", s.Units.Start, s.Units.End), fmt.Sprintf("must be a non-empty range of unit ids in [0, %d)", n))
	}
	return nil
}

// AddStimulus adds stimuli to the network's schedule, before or after
// Initialize; stimuli add up where they overlap. The units of each
// stimulus must already exist (add populations first). A stimulus added
// after steps have been taken acts on the steps still to come: one that
// has already started is active from the current step, one that has
// ended changes nothing but stays in Stimuli. It returns an error naming
// the field for an invalid stimulus, adding none of them.
//
// Adding stimuli sorts the schedule once per call: add many with one call.
// Checkpoints keep the schedule.
func (nw *Network) AddStimulus(stimuli ...Stimulus) error {
	t := nw.opts.WeightType
	if !nw.Initialized() {
		t = Float64 // checked again by Initialize, with the weight type
	}
	for i, s := range stimuli {
		if err := checkStimulus(s, nw.N(), t); err != nil {
			if len(stimuli) > 1 {
				return fmt.Errorf("stimuli[%d]: %w", i, err)
			}
			return err
		}
	}
	if len(stimuli) == 0 {
		return nil
	}
	if nw.Initialized() && len(nw.stim.list) == 0 {
		if err := checkStimulusMemory(nw.size(), nw.opts); err != nil {
			return err
		}
	}
	nw.stim.list = append(nw.stim.list, stimuli...)
	if nw.Initialized() {
		nw.resetStimuli()
	}
	return nil
}

// checkStimulusMemory checks that the arrays stimuli need in a network of
// n units, the input per unit (float64) and the base thresholds, fit in
// the RAM budget.
func checkStimulusMemory(n int, opts Options) error {
	return checkMemory(fmt.Sprintf("the stimulus input of %d units", n), float64(n)*float64(8+opts.WeightType.size()), opts.RAMBudgetGB)
}

// TimedStimulus returns the Stimulus of units from time start to stop, in
// the units of the time constants (ms when the taus are in ms), converted
// to steps with TimeToSteps: On = TimeToSteps(start), Off =
// TimeToSteps(stop). It does not add it (see AddStimulus); it returns an
// error for a time TimeToSteps rejects or an empty step range.
func (nw *Network) TimedStimulus(units Range, start, stop, delta float64) (Stimulus, error) {
	on, err := nw.TimeToSteps(start)
	if err != nil {
		return Stimulus{}, fmt.Errorf("stimulus start: %w", err)
	}
	off, err := nw.TimeToSteps(stop)
	if err != nil {
		return Stimulus{}, fmt.Errorf("stimulus stop: %w", err)
	}
	if off <= on {
		reason := fmt.Sprintf("must be after start (%g)", start)
		if stop > start {
			reason += fmt.Sprintf(" by enough to round to a later step (both are step %d)", on)
		}
		return Stimulus{}, paramError("stimulus stop", stop, reason)
	}
	return Stimulus{Units: units, On: on, Off: off, Delta: delta}, nil
}

// PopulationStimulus is TimedStimulus for the units of population p.
func (nw *Network) PopulationStimulus(p Population, start, stop, delta float64) (Stimulus, error) {
	r, err := nw.PopulationRange(p)
	if err != nil {
		return Stimulus{}, err
	}
	return nw.TimedStimulus(r, start, stop, delta)
}

// Stimuli returns a copy of the stimuli, in the order they were added.
func (nw *Network) Stimuli() []Stimulus { return slices.Clone(nw.stim.list) }

// StimulusInput copies into dst the input the stimuli give every unit at
// the current step (Steps), the sum of the Deltas of the stimuli active on
// it (0 for the others), and returns it. Before Initialize it is the input
// at step 0 of the units added so far.
func (nw *Network) StimulusInput(dst []float64) []float64 {
	n := nw.N()
	dst = append(dst[:0], make([]float64, n)...)
	if !nw.Initialized() {
		stimulusInput(dst, nw.stim.list, activeAt(nw.stim.list, 0))
		return dst
	}
	if nw.stim.input != nil {
		copy(dst, nw.stim.input)
	}
	return dst
}

// activeAt returns the indices of the stimuli active at step t, in
// increasing order.
func activeAt(list []Stimulus, t int64) []int {
	var active []int
	for i, s := range list {
		if s.On <= t && t < s.Off {
			active = append(active, i)
		}
	}
	return active
}

// stimulusInput adds the Deltas of the active stimuli to input, stimulus
// by stimulus in increasing order.
func stimulusInput(input []float64, list []Stimulus, active []int) {
	for _, i := range active {
		s := list[i]
		for u := s.Units.Start; u < s.Units.End; u++ {
			input[u] += s.Delta
		}
	}
}

// resetStimuli rebuilds the schedule from the stimuli and the step count
// and gives the engine the input of the current step; Initialize,
// AddStimulus and ReadCheckpoint call it.
func (nw *Network) resetStimuli() {
	s := &nw.stim
	now := nw.steps
	s.events = s.events[:0]
	for _, st := range s.list {
		for _, t := range [2]int64{st.On, st.Off} {
			if t > now {
				s.events = append(s.events, t)
			}
		}
	}
	slices.Sort(s.events)
	s.events = slices.Compact(s.events)
	s.byOn = s.byOn[:0]
	for i := range s.list {
		s.byOn = append(s.byOn, i)
	}
	slices.SortStableFunc(s.byOn, func(a, b int) int { return cmp.Compare(s.list[a].On, s.list[b].On) })
	s.starts, _ = slices.BinarySearchFunc(s.byOn, now+1, func(i int, t int64) int { return cmp.Compare(s.list[i].On, t) })
	s.active = activeAt(s.list, now)
	nw.applyStimuli()
}

// syncStimuli moves the schedule to the current step count if a stimulus
// starts or ends there; the run loops call it after every batch, which
// they cut at those steps.
func (nw *Network) syncStimuli() {
	s := &nw.stim
	if len(s.events) == 0 || nw.steps != s.events[0] {
		return
	}
	now := nw.steps
	s.events = s.events[1:]
	s.active = slices.DeleteFunc(s.active, func(i int) bool { return s.list[i].Off <= now })
	for ; s.starts < len(s.byOn) && s.list[s.byOn[s.starts]].On == now; s.starts++ {
		i := s.byOn[s.starts]
		j, _ := slices.BinarySearch(s.active, i)
		s.active = slices.Insert(s.active, j, i)
	}
	nw.applyStimuli()
}

// applyStimuli computes the input of the active stimuli afresh and hands
// it to the engine, which sets the thresholds from it.
func (nw *Network) applyStimuli() {
	s := &nw.stim
	if len(s.active) == 0 {
		if s.input != nil {
			s.input = nil
			nw.num.stimulate(nil)
		}
		return
	}
	if s.input == nil {
		s.input = make([]float64, nw.size())
	} else {
		clear(s.input)
	}
	stimulusInput(s.input, s.list, s.active)
	nw.num.stimulate(s.input)
}

// stimulate sets the thresholds to the base thresholds minus input, or
// back to the base thresholds when input is nil. The engine keeps input,
// which the network owns and does not change until the next call, for the
// adaptive rule.
func (e *engine[T]) stimulate(input []float64) {
	if e.base == nil {
		if input == nil {
			return
		}
		e.base = slices.Clone(e.thresh)
	}
	e.input = input
	if input == nil {
		copy(e.thresh, e.base)
		return
	}
	for u, b := range e.base {
		e.thresh[u] = T(float64(b) - input[u])
	}
}

// baseThresholds returns the thresholds without stimulus input.
func (e *engine[T]) baseThresholds() []T {
	if e.base != nil {
		return e.base
	}
	return e.thresh
}
