package binarynet

import (
	"math"
	"testing"
)

// TestStimulusClusteredRate stimulates cluster E0 of the default clustered
// model (DefaultClusteredParams with R_Eplus = 7.25) in 10 trials, as
// the pipeline's repeated stimuli do: each trial is 25 ms of baseline and
// 25 ms with the thresholds of E0 lowered by 0.5. The rate of E0 during
// the stimulus must exceed its baseline rate by more than 5 standard
// errors of the mean of the 10 per-trial differences. With -short the
// model is scaled down to half the units and clusters.
func TestStimulusClusteredRate(t *testing.T) {
	const (
		trials    = 10
		amplitude = 0.5
		halfMs    = 25.0 // baseline and stimulus per trial, ms
		warmupMs  = 25.0
	)
	p := DefaultClusteredParams()
	p.REPlus = new(7.25)
	if testing.Short() {
		p.NE, p.NI, p.Q = 4000, 1000, 10
	}
	nw, lay, err := NewClusteredNetwork("stimulated", p, Options{Seed: 17})
	if err != nil {
		t.Fatal(err)
	}
	e0 := lay.ERanges[0]
	stepsPerMs, err := nw.StepsPerTimeUnit()
	if err != nil {
		t.Fatal(err)
	}
	half := int64(math.Round(halfMs * stepsPerMs))
	warm := int64(math.Round(warmupMs * stepsPerMs))
	var stimuli []Stimulus
	for k := range int64(trials) {
		on := warm + (2*k+1)*half
		stimuli = append(stimuli, Stimulus{Units: e0, On: on, Off: on + half, Delta: amplitude})
	}
	if err := nw.AddStimulus(stimuli...); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(int(warm), 10000); err != nil {
		t.Fatal(err)
	}
	// rate runs one window and returns the mean activity of E0 over
	// samples taken every sampleEvery steps.
	const sampleEvery = 100
	var state []int8
	rate := func() float64 {
		var sum float64
		samples := 0
		for left := half; left > 0; left -= sampleEvery {
			if err := nw.Run(int(min(left, sampleEvery)), sampleEvery); err != nil {
				t.Fatal(err)
			}
			state, _ = nw.State(state)
			active := 0
			for _, s := range state[e0.Start:e0.End] {
				active += int(s)
			}
			sum += float64(active) / float64(e0.End-e0.Start)
			samples++
		}
		return sum / float64(samples)
	}
	var diffs [trials]float64
	for k := range trials {
		base := rate()
		if in := nw.StimulusInput(nil); in[e0.Start] != amplitude || in[e0.End] != 0 {
			t.Fatalf("trial %d: stimulus input %v at E0, %v after it, want %v and 0", k, in[e0.Start], in[e0.End], amplitude)
		}
		stim := rate()
		diffs[k] = stim - base
		t.Logf("trial %d: E0 rate %.3f at baseline, %.3f stimulated", k, base, stim)
	}
	var mean, ss float64
	for _, d := range diffs {
		mean += d / trials
	}
	for _, d := range diffs {
		ss += (d - mean) * (d - mean)
	}
	se := math.Sqrt(ss / (trials - 1) / trials)
	t.Logf("rate increase %.4f, standard error %.4f (%.1f SE)", mean, se, mean/se)
	if !(mean > 5*se) {
		t.Errorf("E0 rate increase %.4f is not above 5 standard errors (%.4f)", mean, 5*se)
	}
}
