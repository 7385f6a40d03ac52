package pipeline

import (
	"fmt"
)

// params adds params.yaml: {parameter: the configuration, binary: the
// resolved settings}, floats written with a decimal point so that the
// file reads back to the same tree and tags.
func (o *outputs) params(j *Job) error {
	data, err := encodeYAML(j.Params())
	if err != nil {
		return fmt.Errorf("params.yaml: %w", err)
	}
	o.file("params.yaml", data)
	return nil
}

// summary adds <output_name>_summary.yaml with the toolkit's keys
// (warmup_steps, simulation_steps, sample_interval, batch_size, seed,
// mean_rates, samples, neurons, activity_plot, weights, state_chunks,
// step_logging) and binarynet's own (autapse_rule, synapses, onsets,
// time_axis, wall_time_s, engine, and stimulus when there is a schedule);
// with continuous time, time_axis also holds continuous_time: true and the
// times of the first and last recorded updates (first_update_ms,
// last_update_ms).
//
// With binary.field_log it also has field_log (see fieldSummary), given
// as fields; without it the summary is as before the key existed.
func (o *outputs) summary(j *Job, s *Summary, fields map[string]any) error {
	b := &j.Binary
	name := b.OutputName
	rates := map[string]any{}
	for k, v := range s.MeanRates {
		rates[k] = v
	}
	plot := map[string]any{"enabled": b.PlotActivity, "file": nil, "onsets_file": nil}
	if b.PlotActivity {
		plot["file"] = name + activitySuffix
	}
	tree := map[string]any{
		"warmup_steps":     b.WarmupSteps,
		"simulation_steps": b.SimulationSteps,
		"sample_interval":  b.SampleInterval,
		"batch_size":       b.BatchSize,
		"seed":             int64(b.Seed),
		"mean_rates":       rates,
		"samples":          int64(s.Samples),
		"neurons":          int64(s.Neurons),
		"activity_plot":    plot,
		"weights": map[string]any{
			"file": name + "_weights.npz", "mode": s.WeightMode, "format": s.WeightFormat, "dtype": b.WeightDtype,
		},
		"state_chunks": map[string]any{"enabled": false, "chunk_size": b.StateChunkSize, "files": []any{}},
		"step_logging": map[string]any{
			"enabled": true, "format": "diff_log", "logged_steps": s.LoggedSteps,
			"decimate_factor": int64(1), "decimate_ftype": nil, "decimate_zero_phase": nil,
		},
		"autapse_rule": s.AutapseRule,
		"synapses":     s.Synapses,
		"onsets":       s.Onsets,
		"time_axis": map[string]any{
			"step_ms": s.StepMS, "updates_per_ms": 1 / s.StepMS,
			"sample_ms":   s.StepMS * float64(b.SampleInterval),
			"recorded_ms": s.StepMS * float64(b.SimulationSteps),
		},
		"wall_time_s": map[string]any{
			"build": s.BuildS, "warmup": s.WarmupS, "run": s.RunS, "write": s.WriteS, "total": s.TotalS,
		},
		"engine": "binarynet",
	}
	if fields != nil {
		tree["field_log"] = fields
	}
	if len(j.Stimuli) > 0 {
		tree[StimulusKey] = stimulusSummary(j)
	}
	if b.ContinuousTime {
		axis := tree["time_axis"].(map[string]any)
		axis["continuous_time"] = true
		axis["first_update_ms"], axis["last_update_ms"] = s.FirstStepMS, s.LastStepMS
	}
	data, err := encodeYAML(tree)
	if err != nil {
		return fmt.Errorf("%s_summary.yaml: %w", name, err)
	}
	o.file(name+"_summary.yaml", data)
	return nil
}

// stimulusSummary describes the stimulus schedule, entry by entry, in
// recorded-run steps and in ms.
func stimulusSummary(j *Job) []any {
	stepMS := j.Model.StepMS()
	out := make([]any, len(j.Stimuli))
	for i, e := range j.Stimuli {
		pops := make([]any, len(e.Populations))
		for k, p := range e.Populations {
			pops[k] = p
		}
		out[i] = map[string]any{
			"populations": pops, "amplitude": e.Amplitude, "trials": int64(e.Trials),
			"start_step": e.Start, "stop_step": e.Stop, "period_step": e.Period,
			"start_ms": float64(e.Start) * stepMS, "stop_ms": float64(e.Stop) * stepMS, "period_ms": float64(e.Period) * stepMS,
		}
	}
	return out
}
