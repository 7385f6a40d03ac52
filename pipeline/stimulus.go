package pipeline

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/binarynet/binarynet"
)

// StimulusKey is the top-level configuration key of the stimulus
// schedule, a list of entries:
//
//	stimulus:
//	  - populations: [E0]      # E<k>, I<k>, or E / I for every cluster of the type
//	    start_ms: 1000         # or start_step
//	    stop_ms: 1500          # or stop_step
//	    amplitude: 0.3         # added to the field (threshold lowered by it)
//	    trials: 10             # optional, default 1
//	    period_ms: 2000        # or period_step; needed when trials > 1
//
// Times count from the start of the recorded run (after the warm-up), on
// the axis of the trace's times and spike_times; milliseconds are
// converted to the nearest step with the model's updates per ms,
// N_E/tau_e + N_I/tau_i. Trial k of an entry runs from start + k period
// to stop + k period, and every trial must start inside the recorded run
// (a stop beyond its end is cut by the end). Overlapping stimuli add up.
// Without the key nothing changes, tags included.
const StimulusKey = "stimulus"

// maxStimulusTrials bounds the trials of all entries together, so that a
// typo cannot ask for billions of markers.
const maxStimulusTrials = 100_000

// StimulusEntry is one resolved entry of the stimulus schedule, in
// recorded-run steps.
type StimulusEntry struct {
	// Populations are the names as written; Targets the indices of the
	// populations they denote (E0..E(Q-1) are 0..Q-1, I0..I(Q-1) are
	// Q..2Q-1), increasing.
	Populations []string
	Targets     []int
	// Start and Stop are the first stimulated step of the first trial and
	// the step after its last, counted from the start of the recorded run.
	Start, Stop int64
	// Period is the distance between the starts of two trials, 0 with one
	// trial; Trials the number of trials (>= 1).
	Period int64
	Trials int
	// Amplitude is the input added to the fields of the targets.
	Amplitude float64
}

// stimulusEntryKeys are the keys an entry may have.
var stimulusEntryKeys = []string{"amplitude", "period_ms", "period_step", "populations", "start_ms", "start_step", "stop_ms", "stop_step", "trials"}

// readStimuli reads the stimulus schedule of a configuration whose model
// and binary settings are resolved; nil when the key is absent or null.
func readStimuli(c *Config, m *Model, b *Binary) ([]StimulusEntry, error) {
	v, ok := c.lookup(StimulusKey)
	if !ok || v == nil {
		return nil, nil
	}
	list, isList := v.([]any)
	if !isList {
		return nil, keyError(StimulusKey, v, "must be a list of entries {populations, start_ms or start_step, stop_ms or stop_step, amplitude, trials, period_ms or period_step}")
	}
	names := populationIndex(m)
	perMS := m.UpdatesPerMS()
	var out []StimulusEntry
	total := 0
	for i, x := range list {
		key := fmt.Sprintf("%s[%d]", StimulusKey, i)
		e, err := readStimulusEntry(key, x, names, perMS, b)
		if err != nil {
			return nil, err
		}
		if total += e.Trials; total > maxStimulusTrials {
			return nil, keyError(key+".trials", int64(e.Trials), fmt.Sprintf("the entries ask for %d trials in all, more than %d", total, maxStimulusTrials))
		}
		out = append(out, e)
	}
	return out, nil
}

// populationIndex maps every name an entry may use to the populations it
// denotes.
func populationIndex(m *Model) map[string][]int {
	idx := map[string][]int{}
	for k, p := range m.populations() {
		idx[p.Name] = []int{k}
		idx[p.Cell] = append(idx[p.Cell], k)
	}
	return idx
}

// readStimulusEntry reads entry key of the schedule.
func readStimulusEntry(key string, v any, names map[string][]int, perMS float64, b *Binary) (StimulusEntry, error) {
	var e StimulusEntry
	sec, ok := v.(map[string]any)
	if !ok {
		return e, keyError(key, v, "must be a mapping {populations, start_ms or start_step, stop_ms or stop_step, amplitude, ...}")
	}
	for k := range sec {
		if !slices.Contains(stimulusEntryKeys, k) {
			return e, keyError(key+"."+k, sec[k], "unknown key (known: "+strings.Join(stimulusEntryKeys, ", ")+")")
		}
	}
	var err error
	if e.Populations, e.Targets, err = readTargets(key+".populations", sec["populations"], names); err != nil {
		return e, err
	}
	amp, ok := sec["amplitude"]
	if !ok || amp == nil {
		return e, keyError(key+".amplitude", nil, "must be given: the input added to the fields of the populations")
	}
	if e.Amplitude, err = toNumber(key+".amplitude", amp); err != nil {
		return e, err
	}
	if b.WeightDtype == "float32" && math.Abs(e.Amplitude) > math.MaxFloat32 {
		return e, keyError(key+".amplitude", amp, "exceeds the float32 range (binary.weight_dtype)")
	}
	start, err := readStimulusTime(key, "start", sec, perMS, true)
	if err != nil {
		return e, err
	}
	stop, err := readStimulusTime(key, "stop", sec, perMS, true)
	if err != nil {
		return e, err
	}
	e.Start, e.Stop = start.steps, stop.steps
	if e.Stop <= e.Start {
		reason := "must be > " + start.name
		if stop.value > start.value && stop.name[len("stop"):] == start.name[len("start"):] {
			reason += fmt.Sprintf(" by at least one step (both are step %d)", e.Start)
		}
		return e, keyError(key+"."+stop.name, stop.raw, reason)
	}
	if e.Start >= b.SimulationSteps {
		return e, keyError(key+"."+start.name, start.raw, fmt.Sprintf("is step %d, not inside the recorded run of %d steps", e.Start, b.SimulationSteps))
	}
	trials := int64(1)
	if t, ok := sec["trials"]; ok && t != nil {
		if trials, err = toInt(key+".trials", t); err != nil {
			return e, err
		}
		if trials < 1 || trials > maxStimulusTrials {
			return e, keyError(key+".trials", t, fmt.Sprintf("must be from 1 to %d", maxStimulusTrials))
		}
	}
	e.Trials = int(trials)
	period, err := readStimulusTime(key, "period", sec, perMS, trials > 1)
	if err != nil {
		return e, err
	}
	if trials > 1 {
		e.Period = period.steps
		if e.Period < e.Stop-e.Start {
			return e, keyError(key+"."+period.name, period.raw, fmt.Sprintf("is %d steps, shorter than a trial (%d steps): trials would overlap", e.Period, e.Stop-e.Start))
		}
		// The last trial must start inside the run; in integers, without
		// overflow: start + (trials-1) period < simulation_steps.
		if (b.SimulationSteps-1-e.Start)/e.Period < trials-1 {
			return e, keyError(key+".trials", sec["trials"], fmt.Sprintf("the last trial would start at step %s, after the recorded run of %d steps", lastStart(e), b.SimulationSteps))
		}
	}
	return e, nil
}

// lastStart returns the start of an entry's last trial, as text (it may
// exceed the int64 range).
func lastStart(e StimulusEntry) string {
	return strconv.FormatFloat(float64(e.Start)+float64(e.Trials-1)*float64(e.Period), 'f', 0, 64)
}

// stimulusTime is a time of an entry: the key used, the value as written
// and in steps.
type stimulusTime struct {
	name  string // e.g. "start_ms"
	raw   any
	value float64 // in the key's unit, to compare keys of one unit
	steps int64
}

// readStimulusTime reads <what>_ms or <what>_step of an entry: exactly one
// when required, at most one otherwise.
func readStimulusTime(key, what string, sec map[string]any, perMS float64, required bool) (stimulusTime, error) {
	ms, hasMS := sec[what+"_ms"]
	st, hasStep := sec[what+"_step"]
	hasMS, hasStep = hasMS && ms != nil, hasStep && st != nil
	var out stimulusTime
	switch {
	case hasMS && hasStep:
		return out, keyError(key+"."+what+"_ms", ms, "give "+what+"_ms or "+what+"_step, not both")
	case !hasMS && !hasStep:
		if required {
			return out, keyError(key+"."+what+"_ms", nil, "must be given (or "+what+"_step)")
		}
		return out, nil
	case hasStep:
		out.name, out.raw = what+"_step", st
		s, err := toInt(key+"."+out.name, st)
		if err != nil {
			return out, err
		}
		if s < 0 {
			return out, keyError(key+"."+out.name, st, "must be >= 0")
		}
		out.value, out.steps = float64(s), s
		return out, nil
	}
	out.name, out.raw = what+"_ms", ms
	x, err := toNumber(key+"."+out.name, ms)
	if err != nil {
		return out, err
	}
	steps := math.Round(x * perMS)
	if x < 0 || !(steps < 1<<62) {
		return out, keyError(key+"."+out.name, ms, fmt.Sprintf("must be >= 0 and at most %g ms", float64(1<<62)/perMS))
	}
	out.value, out.steps = x, int64(steps)
	return out, nil
}

// readTargets reads the populations of an entry: a name or a list of
// names, none of them repeated (directly or through E and I).
func readTargets(key string, v any, names map[string][]int) ([]string, []int, error) {
	if v == nil {
		return nil, nil, keyError(key, nil, "must be given: population names such as E0, I3, or E or I for every cluster of the type")
	}
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	}
	if len(list) == 0 {
		return nil, nil, keyError(key, v, "must name at least one population")
	}
	var pops []string
	var targets []int
	for _, x := range list {
		s, ok := x.(string)
		idx, known := names[s]
		if !ok || !known {
			return nil, nil, keyError(key, v, fmt.Sprintf("%s is not a population name (E0..E%d, I0..I%d, E or I)", formatValue(x), len(names["E"])-1, len(names["I"])-1))
		}
		for _, k := range idx {
			if slices.Contains(targets, k) {
				return nil, nil, keyError(key, v, fmt.Sprintf("%s names a population twice (directly or through E or I)", s))
			}
		}
		pops = append(pops, s)
		targets = append(targets, idx...)
	}
	slices.Sort(targets)
	return pops, targets, nil
}

// UpdatesPerMS returns the updates the network makes per ms,
// N_E/tau_e + N_I/tau_i, the rate stimulus times are converted with.
func (m *Model) UpdatesPerMS() float64 {
	return float64(m.NE)/m.TauE + float64(m.NI)/m.TauI
}

// StimulusMarker is one trial of the stimulus schedule, as the trace
// file's stimulus_* arrays hold it.
type StimulusMarker struct {
	Entry, Trial      int   // index of the entry and of the trial within it
	Onset, Offset     int64 // recorded-run steps: [Onset, Offset)
	Amplitude         float64
	Populations       []string // as the entry names them
	Targets           []int    // population indices
	OnsetMS, OffsetMS float64  // Onset and Offset in ms (steps times the step duration)
}

// StimulusMarkers returns the trials of the job's stimulus schedule, entry
// by entry and trial by trial; none without a schedule.
func (j *Job) StimulusMarkers() []StimulusMarker {
	var out []StimulusMarker
	stepMS := j.Model.StepMS()
	for i, e := range j.Stimuli {
		for k := range e.Trials {
			on := e.Start + int64(k)*e.Period
			off := on + e.Stop - e.Start
			out = append(out, StimulusMarker{Entry: i, Trial: k, Onset: on, Offset: off, Amplitude: e.Amplitude,
				Populations: e.Populations, Targets: e.Targets, OnsetMS: float64(on) * stepMS, OffsetMS: float64(off) * stepMS})
		}
	}
	return out
}

// addStimuli gives the network the job's stimuli, in engine steps (after
// the warm-up), the targets of each trial merged into contiguous ranges.
func (j *Job) addStimuli(nw *binarynet.Network) error {
	markers := j.StimulusMarkers()
	if len(markers) == 0 {
		return nil
	}
	pops := j.Model.populations()
	var list []binarynet.Stimulus
	for _, m := range markers {
		for _, r := range mergeRanges(pops, m.Targets) {
			list = append(list, binarynet.Stimulus{Units: r, On: j.Binary.WarmupSteps + m.Onset, Off: j.Binary.WarmupSteps + m.Offset, Delta: m.Amplitude})
		}
	}
	if err := nw.AddStimulus(list...); err != nil {
		return fmt.Errorf("%s: %w", StimulusKey, err)
	}
	return nil
}

// mergeRanges returns the unit ranges of the populations targets
// (increasing indices), adjacent ones merged.
func mergeRanges(pops []population, targets []int) []binarynet.Range {
	var out []binarynet.Range
	for _, k := range targets {
		r := pops[k].Range
		if n := len(out); n > 0 && out[n-1].End == r.Start {
			out[n-1].End = r.End
			continue
		}
		out = append(out, r)
	}
	return out
}
