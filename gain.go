package binarynet

import (
	"fmt"
	"math"
)

// Gain is the update rule of a stochastic BinaryNeuronPopulation: when one
// of its units is drawn, it becomes active with probability
// Prob(h, theta), where h is its input field and theta its threshold, and
// inactive otherwise. The random decision comes from a stream of its own,
// derived from Options.Seed and drawn in step order, so trajectories do
// not depend on the batch size and checkpoints resume bit for bit.
//
// A nil Gain is the deterministic threshold (Heaviside) rule with a strict
// comparison, h > theta. The package provides ErfcGain, GinzburgGain and
// LogisticGain, the gain functions of NEST's erfc_neuron, ginzburg_neuron
// and of Glauber dynamics, and GainFunc for any function.
type Gain interface {
	// Prob returns the probability, in [0, 1], that a unit with field h
	// and threshold theta is active after its update. A value outside
	// [0, 1] or NaN stops the run with an error.
	Prob(h, theta float64) float64
}

// ErfcGain is the gain of NEST's erfc_neuron: a threshold unit whose input
// carries Gaussian noise of standard deviation Sigma,
//
//	Prob(h, theta) = 0.5 erfc(-(h - theta) / (sqrt(2) Sigma)).
type ErfcGain struct {
	// Sigma is the noise amplitude, in the units of the field. It must be
	// positive and finite; the zero value is an error.
	Sigma float64
}

// Prob implements Gain.
func (g ErfcGain) Prob(h, theta float64) float64 {
	return 0.5 * math.Erfc(-(h-theta)/(math.Sqrt2*g.Sigma))
}

// GinzburgGain is the gain of NEST's ginzburg_neuron,
//
//	Prob(h, theta) = C1 (h - theta) + C2 (1 + tanh(C3 (h - theta))) / 2,
//
// clipped to [0, 1]. NEST's defaults are C1 = 0, C2 = 1, C3 = 1; with
// C1 = 0, C2 = 1 and C3 = beta/2 it is Glauber dynamics at inverse
// temperature beta (the same as LogisticGain{Beta: beta}). Each field must
// be finite; the zero value is a unit that is never active.
type GinzburgGain struct {
	C1, C2, C3 float64
}

// Prob implements Gain.
func (g GinzburgGain) Prob(h, theta float64) float64 {
	x := h - theta
	p := g.C1*x + g.C2*(1+math.Tanh(g.C3*x))/2
	return min(max(p, 0), 1)
}

// LogisticGain is the logistic (Glauber) gain
//
//	Prob(h, theta) = 1 / (1 + exp(-Beta (h - theta))).
//
// Beta must be finite; Beta = 0 makes every update a fair coin.
type LogisticGain struct {
	Beta float64
}

// Prob implements Gain.
func (g LogisticGain) Prob(h, theta float64) float64 {
	return 1 / (1 + math.Exp(-g.Beta*(h-theta)))
}

// GainFunc is a Gain given by a function of the field and the threshold.
// A checkpoint cannot store it: pass it again in RestoreOptions.Gains.
type GainFunc func(h, theta float64) float64

// Prob implements Gain.
func (f GainFunc) Prob(h, theta float64) float64 { return f(h, theta) }

// Gain codes as stored in a checkpoint.
const (
	gainNone     = 0 // Heaviside
	gainErfc     = 1
	gainGinzburg = 2
	gainLogistic = 3
	gainFunc     = 4 // a function the checkpoint cannot store
)

// checkGain validates the parameters of a population's gain; a nil gain
// is the threshold rule.
func checkGain(pop string, g Gain) error {
	param := func(field string) string { return fmt.Sprintf("population %q gain %s", pop, field) }
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch g := g.(type) {
	case nil:
	case ErfcGain:
		if !(g.Sigma > 0) || !finite(g.Sigma) {
			return paramError(param("Sigma"), g.Sigma, "must be positive and finite")
		}
	case GinzburgGain:
		for _, c := range []struct {
			name string
			v    float64
		}{{"C1", g.C1}, {"C2", g.C2}, {"C3", g.C3}} {
			if !finite(c.v) {
				return paramError(param(c.name), c.v, "must be finite")
			}
		}
	case LogisticGain:
		if !finite(g.Beta) {
			return paramError(param("Beta"), g.Beta, "must be finite")
		}
	case GainFunc:
		if g == nil {
			return paramError(param("function"), nil, "must not be nil")
		}
	}
	return nil
}

// gainCode returns how a checkpoint stores a gain: its code and up to
// three parameters.
func gainCode(g Gain) (code uint8, params [3]float64) {
	switch g := g.(type) {
	case nil:
		return gainNone, params
	case ErfcGain:
		return gainErfc, [3]float64{g.Sigma}
	case GinzburgGain:
		return gainGinzburg, [3]float64{g.C1, g.C2, g.C3}
	case LogisticGain:
		return gainLogistic, [3]float64{g.Beta}
	}
	return gainFunc, params
}

// gainFromCode rebuilds a stored gain; a function gain is taken from
// funcs by population name.
func gainFromCode(pop string, code uint8, params [3]float64, funcs map[string]Gain) (Gain, error) {
	switch code {
	case gainNone:
		return nil, nil
	case gainErfc:
		return ErfcGain{Sigma: params[0]}, nil
	case gainGinzburg:
		return GinzburgGain{C1: params[0], C2: params[1], C3: params[2]}, nil
	case gainLogistic:
		return LogisticGain{Beta: params[0]}, nil
	case gainFunc:
		if g := funcs[pop]; g != nil {
			return g, nil
		}
		return nil, checkpointError("population %q had a gain of its own type: supply it in RestoreOptions.Gains", pop)
	}
	return nil, checkpointError("population %q has unknown gain code %d", pop, code)
}
