package binarynet

import (
	"fmt"
	"math"
)

// StepsPerTimeUnit returns the number of update steps the network makes
// per unit of its time constants, sum over populations of N_k / tau_k:
// with taus in ms, the updates per ms. One step lasts 1/StepsPerTimeUnit
// (the toolkit's time axis): the toolkit's default model, 8000 E units of
// tau 10 and 2000 I units of tau 5, makes 1,200 steps per ms.
//
// It reads the populations as they were when added, like every other
// method. It returns an error for a network without units.
func (nw *Network) StepsPerTimeUnit() (float64, error) {
	mass := updateRate(nw.specs) // of the populations as added, not as changed since
	if !(mass > 0) || math.IsInf(mass, 0) {
		return 0, paramError("network update rate sum N_k/tau_k", mass, "must be positive and finite (add populations first)")
	}
	return mass, nil
}

// StepsToTime converts a step count into time in the units of the time
// constants (ms when the taus are in ms): steps / StepsPerTimeUnit.
func (nw *Network) StepsToTime(steps int64) (float64, error) {
	rate, err := nw.StepsPerTimeUnit()
	if err != nil {
		return 0, err
	}
	return float64(steps) / rate, nil
}

// TimeToSteps converts a time in the units of the time constants into the
// nearest whole number of steps: round(t StepsPerTimeUnit). A negative or
// non-finite t, or one beyond the int64 range, is an error.
func (nw *Network) TimeToSteps(t float64) (int64, error) {
	rate, err := nw.StepsPerTimeUnit()
	if err != nil {
		return 0, err
	}
	steps := math.Round(t * rate)
	if !(t >= 0) || !(steps < math.MaxInt64) {
		return 0, paramError("time", t, fmt.Sprintf("must be >= 0 and give at most %d steps at %g steps per time unit", int64(math.MaxInt64), rate))
	}
	return int64(steps), nil
}
