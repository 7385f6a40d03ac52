package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/binarynet/binarynet"
)

// sweepStimulus is an entry of a clustered model's "stimuli": a step
// input of Delta to the units of the named populations from StartSweep
// to StopSweep sweeps after the start of the recording (after the
// warm-up), in sweeps of N updates; fractions of a sweep are rounded to
// the nearest step.
type sweepStimulus struct {
	// Populations are names of the layout's populations (E0..E(Q-1),
	// I0..I(Q-1)), or "E" or "I" for every population of that type.
	Populations []string `json:"populations"`
	StartSweep  float64  `json:"start_sweep"`
	StopSweep   float64  `json:"stop_sweep"`
	// Delta is the input added to the field; negative inhibits.
	Delta float64 `json:"delta"`
}

// check validates what needs no layout: the times and the input.
func (s sweepStimulus) check() error {
	switch {
	case len(s.Populations) == 0:
		return fmt.Errorf(`"populations": must name at least one population`)
	case !(s.StartSweep >= 0) || math.IsInf(s.StartSweep, 0):
		return fmt.Errorf(`"start_sweep": %v: must be a finite number >= 0`, s.StartSweep)
	case !(s.StopSweep > s.StartSweep) || math.IsInf(s.StopSweep, 0):
		return fmt.Errorf(`"stop_sweep": %v: must be finite and > "start_sweep" (%v)`, s.StopSweep, s.StartSweep)
	case math.IsNaN(s.Delta) || math.IsInf(s.Delta, 0):
		return fmt.Errorf(`"delta": %v: must be finite`, s.Delta)
	}
	return nil
}

// stimuli returns the library's stimuli for the entries of a clustered
// model with the given layout, whose recording starts at step warmup of
// a network of n units, and recorded steps long. A stimulus must start
// inside the recording; one that would end after it is cut at its end.
func stimuli(entries []sweepStimulus, layout *binarynet.ClusteredLayout, n, warmup, steps int) ([]binarynet.Stimulus, error) {
	var out []binarynet.Stimulus
	for i, e := range entries {
		// In float64 first, so that no huge number of sweeps overflows.
		start := math.Round(e.StartSweep * float64(n))
		if start >= float64(steps) {
			return nil, fmt.Errorf(`"stimuli"[%d]: "start_sweep": %v: must be inside the recording of %g sweeps`, i, e.StartSweep, float64(steps)/float64(n))
		}
		stop := min(math.Round(e.StopSweep*float64(n)), float64(steps))
		on := int64(warmup) + int64(start)
		off := int64(warmup) + max(int64(stop), int64(start)+1)
		for _, name := range e.Populations {
			var found bool
			for _, p := range layout.Populations {
				if p.Population.Name == name || p.CellType.String() == name {
					out = append(out, binarynet.Stimulus{Units: p.Range, On: on, Off: off, Delta: e.Delta})
					found = true
				}
			}
			if !found {
				names := []string{"E", "I"}
				for _, p := range layout.Populations {
					names = append(names, p.Population.Name)
				}
				return nil, fmt.Errorf(`"stimuli"[%d]: "populations": %q: no such population (the model has %s)`, i, name, strings.Join(names, ", "))
			}
		}
	}
	return out, nil
}
