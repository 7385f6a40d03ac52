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
// time_axis, wall_time_s, engine).
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
	data, err := encodeYAML(tree)
	if err != nil {
		return fmt.Errorf("%s_summary.yaml: %w", name, err)
	}
	o.file(name+"_summary.yaml", data)
	return nil
}
