package pipeline

import (
	"math"
	"strings"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
)

// chunkValues is the number of values converted and written at a time
// when an array is streamed into an archive.
const chunkValues = 1 << 16

// trace writes <output_name>.npz: rates (float32, samples x 2Q), times,
// the population arrays, neuron_states when saveStates, the full diff log
// (state_updates int32 and state_deltas int8, shape (1, T)),
// initial_state, the run settings and the onsets (spike_times float64,
// spike_ids int64), then the field log when binary.field_log is set (see
// writeFieldLog) and the stimulus markers when there is a schedule (see
// stimulusArrays). With continuous time it also writes the network time in
// ms of every sample (times_ms, float64), of every recorded update
// (state_update_times_ms, float64, shape (1, T)) and of every onset
// (spike_times_ms). It fills the summary's rates and counts.
func (o *outputs) trace(r *record, saveStates bool, sum *Summary) error {
	b := &r.job.Binary
	w, err := o.archive(b.OutputName + ".npz")
	if err != nil {
		return err
	}
	k := int(b.SampleInterval)
	seq, err := binarynet.PopulationRatesSeq(r.initial, r.log, k, ranges(r.pops))
	if err != nil {
		return err
	}
	pops := len(r.pops)
	samples := 0
	if t := r.log.Len(); t > 0 {
		samples = (t-1)/k + 1
	}
	ra, err := npz.BeginArray[float32](w, "rates", samples, pops)
	if err != nil {
		return err
	}
	means := make([]float64, pops)
	buf := make([]float32, 0, max(chunkValues, pops))
	for _, row := range seq {
		if len(buf)+pops > cap(buf) {
			if err := ra.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
		for c, v := range row {
			buf = append(buf, float32(v))
			means[c] += float64(float32(v))
		}
	}
	if err := ra.Write(buf); err != nil {
		return err
	}
	if err := ra.Close(); err != nil {
		return err
	}
	sum.Samples = samples
	sum.MeanRates = make(map[string]float64, pops)
	var sizes [2]int
	for c, pop := range r.pops {
		if samples == 0 {
			break
		}
		m := means[c] / float64(samples)
		sum.MeanRates[pop.Name] = m
		size, cell := pop.Range.End-pop.Range.Start, 0
		if pop.Cell == "I" {
			cell = 1
		}
		sizes[cell] += size
		if cell == 0 {
			sum.MeanE += m * float64(size)
		} else {
			sum.MeanI += m * float64(size)
		}
	}
	sum.MeanE /= float64(max(sizes[0], 1))
	sum.MeanI /= float64(max(sizes[1], 1))
	if err := streamArray(w, "times", samples, func(i int) int64 { return int64(i) * int64(k) }); err != nil {
		return err
	}
	timed := r.log.Times != nil
	if timed {
		// The network time of each sampled step, in ms.
		if err := streamArray(w, "times_ms", samples, func(i int) float64 { return r.log.Times[i*k] }); err != nil {
			return err
		}
	}
	if err := populationArrays(w, r.pops, true); err != nil {
		return err
	}
	n := len(r.initial)
	if saveStates {
		if err := states(w, r.initial, r.log, k, samples); err != nil {
			return err
		}
	}
	t := r.log.Len()
	if err := npz.WriteUnitIDs(w, "state_updates", []int{1, t}, r.log.Updates); err != nil {
		return err
	}
	if err := npz.WriteArray(w, "state_deltas", []int{1, t}, r.log.Deltas); err != nil {
		return err
	}
	if timed {
		if err := npz.WriteArray(w, "state_update_times_ms", []int{1, t}, r.log.Times); err != nil {
			return err
		}
	}
	init := make([]uint8, n)
	for i, s := range r.initial {
		init[i] = uint8(s)
	}
	if err := npz.WriteArray(w, "initial_state", []int{n}, init); err != nil {
		return err
	}
	for _, s := range []struct {
		key string
		v   int64
	}{
		{"warmup_steps", b.WarmupSteps}, {"simulation_steps", b.SimulationSteps},
		{"sample_interval", b.SampleInterval}, {"neuron_state_interval", b.SampleInterval},
		{"batch_size", b.BatchSize}, {"seed", int64(b.Seed)},
	} {
		if err := npz.WriteScalar(w, s.key, s.v); err != nil {
			return err
		}
	}
	steps, units, err := binarynet.ExtractSpikeEventsFromDiffLogs(r.log, r.ramGB)
	if err != nil {
		return err
	}
	if err := streamArray(w, "spike_times", len(steps), func(i int) float64 { return float64(steps[i]) }); err != nil {
		return err
	}
	if err := streamArray(w, "spike_ids", len(units), func(i int) int64 { return int64(units[i]) }); err != nil {
		return err
	}
	if timed {
		if err := streamArray(w, "spike_times_ms", len(steps), func(i int) float64 { return r.log.Times[steps[i]] }); err != nil {
			return err
		}
		if t > 0 {
			sum.FirstStepMS, sum.LastStepMS = r.log.Times[0], r.log.Times[t-1]
		}
	}
	if r.fields != nil {
		if err := writeFieldLog(w, r); err != nil {
			return err
		}
	}
	sum.LoggedSteps, sum.Onsets = int64(t), int64(len(steps))
	return stimulusArrays(w, r.job.StimulusMarkers(), len(r.pops), r.log.Times)
}

// stimulusArrays writes the markers of the stimulus trials, one entry per
// trial, when the job has a stimulus schedule: stimulus_onsets and
// stimulus_offsets (int64, recorded-run steps, [onset, offset)),
// stimulus_onsets_ms and stimulus_offsets_ms (float64), stimulus_amplitudes
// (float64), stimulus_entries and stimulus_trials (int64: the entry of the
// configuration's list and the trial within it), stimulus_populations
// (str: the entry's names joined by ",") and stimulus_targets (uint8,
// trials x 2Q: 1 for every stimulated population). In continuous time
// (times, the log's update times, not nil) it adds the network times in
// ms of the first stimulated update and of the first update after the
// stimulus, stimulus_onset_times_ms and stimulus_offset_times_ms (NaN
// past the end of the recording): the stimuli are scheduled in updates,
// so these are where they fall on the clock.
func stimulusArrays(w *npz.Writer, markers []StimulusMarker, pops int, times []float64) error {
	if len(markers) == 0 {
		return nil
	}
	m := len(markers)
	at := func(step int64) float64 {
		if step < int64(len(times)) {
			return times[step]
		}
		return math.NaN()
	}
	onsets, offsets, entries, trials := make([]int64, m), make([]int64, m), make([]int64, m), make([]int64, m)
	onMS, offMS, amps := make([]float64, m), make([]float64, m), make([]float64, m)
	var onT, offT []float64
	if times != nil {
		onT, offT = make([]float64, m), make([]float64, m)
	}
	names := make([]string, m)
	targets := make([]uint8, m*pops)
	for i, x := range markers {
		onsets[i], offsets[i], entries[i], trials[i] = x.Onset, x.Offset, int64(x.Entry), int64(x.Trial)
		onMS[i], offMS[i], amps[i] = x.OnsetMS, x.OffsetMS, x.Amplitude
		if times != nil {
			onT[i], offT[i] = at(x.Onset), at(x.Offset)
		}
		names[i] = strings.Join(x.Populations, ",")
		for _, k := range x.Targets {
			targets[i*pops+k] = 1
		}
	}
	for _, a := range []struct {
		key string
		v   []int64
	}{{"stimulus_onsets", onsets}, {"stimulus_offsets", offsets}, {"stimulus_entries", entries}, {"stimulus_trials", trials}} {
		if err := npz.WriteArray(w, a.key, []int{m}, a.v); err != nil {
			return err
		}
	}
	for _, a := range []struct {
		key string
		v   []float64
	}{
		{"stimulus_onsets_ms", onMS}, {"stimulus_offsets_ms", offMS}, {"stimulus_amplitudes", amps},
		{"stimulus_onset_times_ms", onT}, {"stimulus_offset_times_ms", offT},
	} {
		if a.v == nil {
			continue
		}
		if err := npz.WriteArray(w, a.key, []int{m}, a.v); err != nil {
			return err
		}
	}
	if err := w.WriteStrings("stimulus_populations", names); err != nil {
		return err
	}
	return npz.WriteArray(w, "stimulus_targets", []int{m, pops}, targets)
}

// states streams neuron_states: the state (uint8) after steps 0, k, 2k,
// ... of the log, one row of N per sample, in O(N) memory.
func states(w *npz.Writer, initial []int8, log binarynet.DiffLog, k, samples int) error {
	seq, err := binarynet.ReconstructStatesSeq(initial, log, k)
	if err != nil {
		return err
	}
	a, err := npz.BeginArray[uint8](w, "neuron_states", samples, len(initial))
	if err != nil {
		return err
	}
	row := make([]uint8, len(initial))
	for _, s := range seq {
		for i, v := range s {
			row[i] = uint8(v)
		}
		if err := a.Write(row); err != nil {
			return err
		}
	}
	return a.Close()
}

// populationArrays writes the population arrays of the trace and weights
// files: population_names, population_cell_types,
// population_cluster_indices, population_start_ids, population_end_ids,
// population_sizes, population_neuron_id_offsets and, when ids is true,
// names first and population_neuron_ids (all unit ids in population
// order).
func populationArrays(w *npz.Writer, pops []population, trace bool) error {
	names := make([]string, len(pops))
	cells := make([]string, len(pops))
	var clusters, starts, ends, sizes []int64
	offsets := []int64{0}
	for i, p := range pops {
		names[i], cells[i] = p.Name, p.Cell
		clusters = append(clusters, int64(p.Cluster))
		starts = append(starts, int64(p.Range.Start))
		ends = append(ends, int64(p.Range.End))
		sizes = append(sizes, int64(p.Range.End-p.Range.Start))
		offsets = append(offsets, offsets[i]+sizes[i])
	}
	if trace {
		if err := w.WriteStrings("names", names); err != nil {
			return err
		}
	}
	if err := w.WriteStrings("population_names", names); err != nil {
		return err
	}
	if err := w.WriteStrings("population_cell_types", cells); err != nil {
		return err
	}
	for _, a := range []struct {
		key string
		v   []int64
	}{
		{"population_cluster_indices", clusters}, {"population_start_ids", starts},
		{"population_end_ids", ends}, {"population_sizes", sizes},
		{"population_neuron_id_offsets", offsets},
	} {
		if err := npz.WriteArray(w, a.key, []int{len(a.v)}, a.v); err != nil {
			return err
		}
	}
	if !trace {
		return nil
	}
	total := int(offsets[len(offsets)-1])
	// The populations tile the units in order, so the ids of population
	// after population are 0..N-1.
	return streamArray(w, "population_neuron_ids", total, func(i int) int64 { return int64(i) })
}

// streamArray writes the one-dimensional array key of n values v(0),
// ..., v(n-1), a chunk at a time.
func streamArray[T npz.Elem](w *npz.Writer, key string, n int, v func(i int) T) error {
	a, err := npz.BeginArray[T](w, key, n)
	if err != nil {
		return err
	}
	buf := make([]T, 0, min(n, chunkValues))
	for i := range n {
		buf = append(buf, v(i))
		if len(buf) == cap(buf) {
			if err := a.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if err := a.Write(buf); err != nil {
		return err
	}
	return a.Close()
}
