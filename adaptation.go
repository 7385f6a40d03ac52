package binarynet

import (
	"fmt"
	"math"
)

// Adaptation is spike-frequency adaptation of a BinaryNeuronPopulation's
// units, as in the toolkit's adaptive population: each unit keeps an
// adaptive threshold a, which starts at the population's Threshold theta,
// and the step of its last update. When the unit is updated at step t
// (the count of steps taken before it):
//
//	a = theta + (a - theta) exp(-(t - last) / Tau)
//	state = 1 if h > a, else 0 (with a Gain: active with probability Gain.Prob(h, a))
//	if state == 1 { a += Step }
//	last = t
//
// The comparison and the decay are in float64. A Stimulus lowers the
// threshold compared with, h > a - input, and leaves a as it is. The zero value, Step = 0,
// is no adaptation, and the units follow exactly the rule of a population
// without it.
type Adaptation struct {
	// Step is theta_q, the amount by which a unit's threshold rises at
	// each update that leaves it active. It must be finite; 0 turns
	// adaptation off.
	Step float64
	// Tau is tau_theta, the time constant of the threshold's return to
	// Threshold, in update steps of the whole network (one step lasts
	// 1/Network.StepsPerTimeUnit time units). It must be positive and
	// finite when Step is not 0.
	Tau float64
}

// on reports whether the adaptation changes anything.
func (a Adaptation) on() bool { return a.Step != 0 }

// check validates the adaptation of population pop.
func (a Adaptation) check(pop string) error {
	if math.IsNaN(a.Step) || math.IsInf(a.Step, 0) {
		return paramError(fmt.Sprintf("population %q Adaptation.Step", pop), a.Step, "must be finite")
	}
	if a.on() && (!(a.Tau > 0) || math.IsInf(a.Tau, 0)) {
		return paramError(fmt.Sprintf("population %q Adaptation.Tau", pop), a.Tau, "must be positive and finite when Adaptation.Step is not 0")
	}
	return nil
}

// adaptState is the adaptation state of one population's units: the
// adaptive thresholds and the steps of their last updates, unit start+i
// at index i.
type adaptState struct {
	Adaptation
	start  int
	thresh []float64
	last   []int64
}

// newAdaptState returns the state of units [start, start+n) at rest: each
// threshold at its base value.
func newAdaptState(a Adaptation, start int, base []float64) *adaptState {
	s := &adaptState{Adaptation: a, start: start, thresh: make([]float64, len(base)), last: make([]int64, len(base))}
	copy(s.thresh, base)
	return s
}

// current returns unit u's adaptive threshold at step t, decayed towards
// base since its last update.
func (s *adaptState) current(u int, base float64, t int64) float64 {
	a := s.thresh[u-s.start]
	if a == base {
		return a
	}
	return base + (a-base)*math.Exp(-float64(t-s.last[u-s.start])/s.Tau)
}

// updated records that unit u, whose threshold at step t was a, was
// updated into state.
func (s *adaptState) updated(u int, a float64, t int64, state int8) {
	if state == 1 {
		a += s.Step
	}
	s.thresh[u-s.start], s.last[u-s.start] = a, t
}

// adaptive applies the rule of an adaptive population to unit u (see
// Adaptation), with the population's gain if it has one. It returns the
// change, or an error from the gain, changing nothing.
func (e *engine[T]) adaptive(u int, r *popRule) (int8, error) {
	a, th := e.adaptThreshold(u, r)
	h := float64(e.field[u])
	on := h > th
	if r.gain != nil {
		var err error
		if on, err = e.decide(r, h, th); err != nil {
			return 0, err
		}
	}
	delta := e.set(u, on)
	r.adapt.updated(u, a, e.in.rec.steps, e.state[u])
	return delta, nil
}

// adaptThreshold returns the adaptive threshold a of unit u of r's
// population, decayed to the present step, and th, the threshold the rule
// compares the field with: a minus the stimulus input.
func (e *engine[T]) adaptThreshold(u int, r *popRule) (a, th float64) {
	a = r.adapt.current(u, float64(e.baseThresholds()[u]), e.in.rec.steps)
	th = a
	if e.input != nil {
		th = a - e.input[u]
	}
	return a, th
}
