package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/pipeline"
)

// demoConfig is the built-in configuration that "binarynet run" simulates
// without -config: the toolkit's default model with R_Eplus = 7.25 and a
// kappa and R_j at which the clusters visibly take turns.
const demoConfig = "demo"

// pipelineLong describes the toolkit's side of the run command.
const pipelineLong = `
With a YAML -config (a file, or the built-in name "default"), or without
-config, run is the binary-network step of the clustered E/I toolkit: it
takes the toolkit's configuration and flags and writes its files,
<output_name>.npz, <output_name>_weights.npz, <output_name>_summary.yaml and
params.yaml, into <data root>/<Connection type>/Rj<R_j>/<tag>/binary/<binary
tag>/ under $EI_CLUSTER_DATA_ROOT (default ./data), or into -out DIR, with
raster.png and rates.png beside them. Without -config it runs the built-in
"demo" configuration: the toolkit's default model with R_Eplus = 7.25.

    binarynet run --config default -O R_Eplus=7.25 -O kappa=0.5

-O dotted.path=value (repeatable) overrides a key; the value is read as YAML
(true, null, 0.001, [0.1, 0.2]) and mappings merge key by key. For these
runs --seed and the other toolkit flags default to the configuration's
binary section (binary.seed is 3 in the default configuration), and
Ctrl-C leaves only checkpoint.bin and resume.yaml in the folder, for
-resume.`

// pipelineFlags are the toolkit's flags of the run command.
type pipelineFlags struct {
	overrides                   []string
	warmup, steps, interval     string
	batch, outputName, rateInit string
	plotActivity, saveStates    bool
}

// addPipelineFlags defines the toolkit's flags on fs. -config, -seed, -out,
// -q, -width and -height are shared with the JSON models.
func addPipelineFlags(fs *flag.FlagSet) *pipelineFlags {
	p := &pipelineFlags{}
	fs.Func("O", "toolkit config: override `dotted.path=value` (repeatable), e.g. -O R_Eplus=7.25", func(s string) error {
		p.overrides = append(p.overrides, s)
		return nil
	})
	fs.StringVar(&p.warmup, "warmup-steps", "", "toolkit config: updates before recording (default: binary.warmup_steps)")
	fs.StringVar(&p.steps, "simulation-steps", "", "toolkit config: recorded updates (default: binary.simulation_steps)")
	fs.StringVar(&p.interval, "sample-interval", "", "toolkit config: updates between rate samples (default: binary.sample_interval)")
	fs.StringVar(&p.batch, "batch-size", "", "toolkit config: updates per batch, a speed knob only (default: binary.batch_size)")
	fs.StringVar(&p.outputName, "output-name", "", "toolkit config: base `name` of the output files (default: binary.output_name)")
	fs.StringVar(&p.rateInit, "population-rate-init", "", "toolkit config: initial activity redrawn per population: a probability, a YAML list of 2Q, or null (default: binary.population_rate_init)")
	fs.BoolVar(&p.plotActivity, "plot-activity", false, "toolkit config: also write <output_name>_activity.png (default: binary.plot_activity)")
	fs.BoolVar(&p.saveStates, "save-states", false, "toolkit config: also write neuron_states (samples x N uint8) into the trace file")
	return p
}

// jsonOnlyFlags returns the run flags that apply to JSON models only.
func jsonOnlyFlags() []string {
	names := []string{"scenario", "steps", "sweeps", "warmup-sweeps", "mode", "continuous-time"}
	for _, c := range clusteredParams {
		names = append(names, c.flag)
	}
	return names
}

// usesPipeline reports whether the run goes through the toolkit's
// pipeline: any -config that is not a .json file, or none, and -resume of
// a folder that an interrupted pipeline run left.
func usesPipeline(f *runFlags) bool {
	if f.set["resume"] {
		return pipeline.CanResume(f.resume)
	}
	return !strings.EqualFold(filepath.Ext(f.config), ".json")
}

// pipelineJob reads the configuration, the overrides and the flags into
// a job. Every error is a usage error naming the key or flag and value.
func pipelineJob(f *runFlags, args []string) (*pipeline.Job, error) {
	if len(args) > 0 {
		return nil, usagef("unexpected argument %q (all settings are flags; see -h)", args[0])
	}
	for _, name := range jsonOnlyFlags() {
		if f.set[name] {
			return nil, usagef("-%s applies to JSON models (-config FILE.json); for the toolkit's configuration use its flags or -O", name)
		}
	}
	name := f.config
	if name == "" {
		name = demoConfig
	}
	cfg, err := pipeline.Load(name)
	if err != nil {
		return nil, usageError{err}
	}
	for _, o := range f.pipe.overrides {
		if err := cfg.Override(o); err != nil {
			return nil, usageError{err}
		}
	}
	var pf pipeline.Flags
	ints := []struct {
		flag string
		text string
		dst  **int64
	}{
		{"warmup-steps", f.pipe.warmup, &pf.WarmupSteps},
		{"simulation-steps", f.pipe.steps, &pf.SimulationSteps},
		{"sample-interval", f.pipe.interval, &pf.SampleInterval},
		{"batch-size", f.pipe.batch, &pf.BatchSize},
	}
	for _, x := range ints {
		if !f.set[x.flag] {
			continue
		}
		v, err := strconv.ParseInt(strings.ReplaceAll(x.text, "_", ""), 10, 64)
		if err != nil {
			return nil, usagef("--%s %q: must be an integer", x.flag, x.text)
		}
		*x.dst = &v
	}
	if f.set["seed"] {
		if f.seed > 1<<63-1 {
			return nil, usagef("--seed %d: must be below 2^63", f.seed)
		}
		s := int64(f.seed)
		pf.Seed = &s
	}
	if f.set["output-name"] {
		pf.OutputName = &f.pipe.outputName
	}
	if f.set["plot-activity"] {
		pf.PlotActivity = &f.pipe.plotActivity
	}
	if f.set["population-rate-init"] {
		pf.PopulationRateInit = &f.pipe.rateInit
	}
	job, err := pipeline.Resolve(cfg, pf)
	if err != nil {
		return nil, usageError{err}
	}
	return job, nil
}

// runPipeline is the run command for the toolkit's configurations: a new
// run, or the continuation of an interrupted one (-resume).
func runPipeline(ctx context.Context, f *runFlags, args []string, stdout, stderr io.Writer) error {
	opts := pipeline.RunOptions{
		SaveStates: f.pipe.saveStates,
		Pictures:   f.plots,
		Width:      f.width, Height: f.height,
		Checkpoint: true,
	}
	if f.set["ram"] {
		if !(f.ramGB > 0) || math.IsInf(f.ramGB, 0) {
			return usagef("-ram %v: must be a positive number of GiB", f.ramGB)
		}
		opts.RAMBudgetGB = f.ramGB
	}
	bar := newProgress(stderr, f.quiet)
	var last int64
	started := false
	opts.Progress = func(done, total int64) {
		if !started {
			bar.start(total)
			started = true
		}
		bar.add(done - last)
		last = done
	}
	var (
		sum *pipeline.Summary
		job *pipeline.Job
		err error
	)
	dir := f.resume
	if f.set["resume"] {
		if len(args) > 0 {
			return usagef("unexpected argument %q (all settings are flags; see -h)", args[0])
		}
		for name := range f.set {
			if !slices.Contains(resumeFlags, name) {
				return usagef("-%s cannot be given with -resume: the run continues with its saved settings (only -q, -ram and -plots may change)", name)
			}
		}
		sum, err = pipeline.Resume(ctx, dir, opts)
	} else {
		if job, err = pipelineJob(f, args); err != nil {
			return err
		}
		for _, k := range job.Unknown {
			fmt.Fprintf(stderr, "binarynet run: note: %s is not a key binarynet reads; it has no effect but is kept in params.yaml and the tags\n", k)
		}
		dir = f.out
		if !f.set["out"] {
			dir = job.Dir("")
		}
		if err := checkOutDir(dir); err != nil {
			return err
		}
		sum, err = pipeline.Run(ctx, job, dir, opts)
	}
	if started {
		bar.finish()
	}
	var ie *pipeline.InterruptedError
	switch {
	case errors.As(err, &ie):
		return interruptedError{fmt.Errorf("%v; no output file written; continue with: binarynet run -resume %s", err, shellQuote(dir))}
	case errors.Is(err, binarynet.ErrInvalidParameter) || errors.Is(err, binarynet.ErrMemoryBudget):
		return usageError{err}
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "binarynet run: %d units, %d synapses, %d recorded updates (%.0f ms) in %.1f s; mean activity E %.4f, I %.4f; wrote %s\n",
		sum.Neurons, sum.Synapses, sum.LoggedSteps, sum.StepMS*float64(sum.LoggedSteps), sum.TotalS,
		sum.MeanE, sum.MeanI, filepath.Join(dir, "{"+strings.Join(sum.Files, ",")+"}"))
	return nil
}
