package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/binarynet/binarynet"
)

// cmdRun simulates a model and writes its outputs.
var cmdRun = &Command{
	UsageLine: "run [flags]",
	Short:     "simulate a network and write its pictures, diff log and summary",
	Long:      runLong() + "\n" + pipelineLong,
	Flag: func(fs *flag.FlagSet) Runner {
		f := newRunFlags(fs)
		return func(ctx context.Context, env *Env, args []string) error {
			f.set, f.args = env.set, env.Args
			return run(ctx, f, args, env.Stdout, env.Stderr)
		}
	},
}

// runLong returns the long description of the run command, which ends
// with the description of the embedded default model.
func runLong() string {
	long := `
Run simulates a clustered E/I network, by default the embedded model below,
and writes into -out: raster.png (units by time, coloured by cluster),
rates.png (activity of each E cluster over time; -plots=false skips both
pictures), difflog.npz (updates, deltas, initial_state, population_names,
population_ranges; load with numpy.load) and summary.json (parameters, seed,
steps, mean rates, switching statistics, wall time). Every file is written
atomically (a temporary file, synced, then renamed), and invalid input is
reported before the run, leaving nothing behind.

-config FILE takes a JSON scenarios file, {"scenarios": {"name": {...}}}, whose
entries are either scenarios (populations and synapses, as for the bench
command) or clustered models of the toolkit, with its keys and its values for
absent keys: {"clustered": {"N_E": 2000, "N_I": 500, "Q": 10, "R_Eplus": 3.7,
"kappa": 0, "connection_type": "bernoulli"}, "sweeps": 3000,
"warmup_sweeps": 20}.
The clustered flags override the model's parameters; a flag or key left out
takes the model's value or the default, one given must be valid.

SIGINT (Ctrl-C) or SIGTERM stops the run at its next batch of updates: it
writes checkpoint.bin, the outputs of the steps recorded so far and a
summary marked "complete": false, and exits with status 3. "binarynet run
-resume DIR" continues it; the finished outputs are the same, bit for bit,
as those of an uninterrupted run.`
	if mf, err := readModelFile(bytes.NewReader(defaultConfig), "default"); err == nil {
		long += "\n\nDefault model:\n" + wrap(mf.About, 76)
	}
	return long
}

// Limits of the flags that size the outputs.
const (
	minImageSide = 100
	// maxImageSide bounds -width and -height: a 10000 x 10000 picture
	// takes 400 MB as an image, and each picture is drawn twice (the plot
	// and the pasted activity image).
	maxImageSide = 10000
)

// pictureBytes estimates the memory that drawing the pictures of a
// width x height run takes at its peak, 24 bytes per pixel: the raster's
// activity accumulator (float64) and image (NRGBA), and the canvases of
// the two plots (RGBA), with a copy for the PNG encoder.
func pictureBytes(width, height int) float64 {
	return 24 * float64(width) * float64(height)
}

// runFlags holds the parsed command line of the run command.
type runFlags struct {
	out, config, scenario string
	resume                string
	seed                  uint64
	steps, sweeps, warmup int
	mode                  string
	ramGB                 float64
	plots                 bool
	quiet                 bool
	continuous            bool // -continuous-time
	width, height         int
	clustered             map[string]string // text of the clustered flags, by flag name
	set                   map[string]bool   // flags given on the command line
	args                  []string          // the command line, for the summary
	pipe                  *pipelineFlags    // the toolkit's flags (run_pipeline.go)
}

// newRunFlags defines the flags of the run command on fs and returns the
// values they set.
func newRunFlags(fs *flag.FlagSet) *runFlags {
	f := &runFlags{clustered: map[string]string{}}
	fs.StringVar(&f.out, "out", "binarynet-out", "output `dir`ectory, created if needed")
	fs.StringVar(&f.config, "config", "", "JSON model `file`: a scenarios file whose entries may also be clustered models (default: the embedded model)")
	fs.StringVar(&f.scenario, "scenario", "", "`name` of the model to run when the -config file has several")
	fs.StringVar(&f.resume, "resume", "", "continue the interrupted run whose outputs are in `dir` (only -q, -ram and -plots may be given with it)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of every random stream")
	fs.IntVar(&f.sweeps, "sweeps", 0, "recorded duration in sweeps of N updates (default: the model's)")
	fs.IntVar(&f.steps, "steps", 0, "recorded duration in single-unit updates, instead of -sweeps")
	fs.IntVar(&f.warmup, "warmup-sweeps", 0, "unrecorded warm-up in sweeps (default: the model's)")
	fs.StringVar(&f.mode, "mode", "", "weight storage: dense, sparse or auto (default: the model's)")
	fs.Float64Var(&f.ramGB, "ram", binarynet.DefaultRAMBudgetGB, "memory budget in `GB` (GiB) for the weights and the diff log; larger networks or runs are refused before they start")
	fs.BoolVar(&f.continuous, "continuous-time", false, "exact continuous time: each update advances the clock by an exponential interval of mean 1/sum_k(N_k/tau_k); difflog.npz then holds the time of every update in ms (update_times_ms)")
	fs.BoolVar(&f.plots, "plots", true, "write raster.png and rates.png (-plots=false skips them)")
	fs.BoolVar(&f.quiet, "q", false, "no progress bar (it is shown only when stderr is a terminal)")
	fs.IntVar(&f.width, "width", 1400, fmt.Sprintf("width of the PNG images in pixels, %d to %d", minImageSide, maxImageSide))
	fs.IntVar(&f.height, "height", 800, fmt.Sprintf("height of the PNG images in pixels, %d to %d", minImageSide, maxImageSide))
	defineClusteredFlags(fs, f.clustered)
	f.pipe = addPipelineFlags(fs)
	return f
}

// wrap breaks text into lines of at most width characters, each indented
// by two spaces and ended by a newline.
func wrap(text string, width int) string {
	var b strings.Builder
	line := 0
	for _, w := range strings.Fields(text) {
		if line > 0 && line+1+len(w) > width {
			b.WriteString("\n")
			line = 0
		}
		if line == 0 {
			b.WriteString("  ")
			line = 2
		} else {
			b.WriteString(" ")
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	b.WriteString("\n")
	return b.String()
}

// plan is a resolved run: the model after flag overrides and the run
// lengths, still in the units given.
type plan struct {
	args       []string // the command line
	configName string   // the -config file as given, or "" for the embedded model
	configPath string   // its absolute path
	configSum  string   // SHA-256 of the model file, hex
	name       string
	model      model
	mode       binarynet.WeightMode
	f          *runFlags
}

// newPlan checks the parsed flags and reads the model file.
func newPlan(f *runFlags, args []string) (*plan, error) {
	if len(args) > 0 {
		return nil, usagef("unexpected argument %q (all settings are flags; see -h)", args[0])
	}
	if f.set["steps"] && f.set["sweeps"] {
		return nil, usagef("-steps and -sweeps both given; use one")
	}
	for _, c := range []struct {
		name     string
		v        int
		min, max int
	}{
		{"steps", f.steps, 0, math.MaxInt}, {"sweeps", f.sweeps, 0, math.MaxInt}, {"warmup-sweeps", f.warmup, 0, math.MaxInt},
		{"width", f.width, minImageSide, maxImageSide}, {"height", f.height, minImageSide, maxImageSide},
	} {
		switch {
		case c.v < c.min && c.max == math.MaxInt:
			return nil, usagef("-%s %d: must be >= %d", c.name, c.v, c.min)
		case c.v < c.min || c.v > c.max:
			return nil, usagef("-%s %d: must be in [%d, %d] pixels", c.name, c.v, c.min, c.max)
		}
	}
	if !(f.ramGB > 0) || math.IsInf(f.ramGB, 0) {
		return nil, usagef("-ram %v: must be a positive number of GiB", f.ramGB)
	}
	if need := pictureBytes(f.width, f.height); f.plots && need > f.ramGB*(1<<30) {
		return nil, usagef("-width %d -height %d: the pictures need about %.3g GiB, more than -ram %g (or use -plots=false)",
			f.width, f.height, need/(1<<30), f.ramGB)
	}
	p := &plan{args: f.args, configName: f.config, f: f}
	data := defaultConfig
	if f.config != "" {
		var err error
		if data, err = os.ReadFile(f.config); err != nil {
			return nil, usagef("-config: %v", err)
		}
		if p.configPath, err = filepath.Abs(f.config); err != nil {
			return nil, usagef("-config: %v", err)
		}
	}
	sum := sha256.Sum256(data)
	p.configSum = hex.EncodeToString(sum[:])
	mf, err := readModelFile(bytes.NewReader(data), p.configLabel())
	if err != nil {
		return nil, usageError{err}
	}
	if p.name, p.model, err = mf.pick(f.scenario); err != nil {
		return nil, usagef("%s: %v", p.configLabel(), err)
	}
	modeName, modeSource := f.mode, "-mode"
	if !f.set["mode"] {
		modeSource = fmt.Sprintf("%s: scenario %q: \"weight_mode\"", p.configLabel(), p.name)
		if c := p.model.clustered; c != nil {
			modeName = c.WeightMode
		} else {
			modeName = p.model.scenario.WeightMode
		}
	}
	if p.mode, err = binarynet.ParseWeightMode(modeName); err != nil {
		return nil, usagef("%s %q: want dense, sparse or auto", modeSource, modeName)
	}
	if err := p.applyClusteredFlags(); err != nil {
		return nil, err
	}
	if err := checkOutDir(f.out); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *plan) configLabel() string {
	if p.configName == "" {
		return "embedded default model"
	}
	return p.configName
}

// options returns the Options of the plan's network.
func (p *plan) options() binarynet.Options {
	return binarynet.Options{Seed: p.f.seed, WeightMode: p.mode, RAMBudgetGB: p.f.ramGB, ContinuousTime: p.f.continuous}
}

// run runs the simulation of the parsed flags and writes its outputs.
func run(ctx context.Context, f *runFlags, args []string, stdout, stderr io.Writer) error {
	if usesPipeline(f) {
		return runPipeline(ctx, f, args, stdout, stderr)
	}
	start := time.Now()
	var (
		p    *plan
		from *resumePoint
		err  error
	)
	if f.set["resume"] {
		p, from, err = planResume(f, args)
	} else {
		p, err = newPlan(f, args)
	}
	if err != nil {
		return err
	}
	bar := newProgress(stderr, p.f.quiet)
	sim, err := p.simulate(ctx, bar, from)
	if err != nil {
		return err
	}
	files, res, err := p.outputs(sim, start)
	if err != nil {
		return err
	}
	if err := writeAll(p.f.out, files); err != nil {
		return err
	}
	names := make([]string, len(files))
	for i, o := range files {
		names[i] = o.name
	}
	wrote := filepath.Join(p.f.out, "{"+strings.Join(names, ",")+"}")
	if !sim.complete() {
		return interruptedError{fmt.Errorf("interrupted after %d of %d steps (%d recorded); wrote %s; continue with: binarynet run -resume %s",
			sim.nw.Steps(), sim.warmup+sim.steps, sim.log.Len(), wrote, shellQuote(p.f.out))}
	}
	if from != nil {
		if err := os.Remove(filepath.Join(p.f.out, checkpointFile)); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "binarynet run: %d units, %d steps (%.0f sweeps) in %.1f s; %s; wrote %s\n",
		sim.nw.N(), sim.steps, res.summary.Sweeps, res.summary.WallTime.Total, res.headline(), wrote)
	return nil
}

// shellQuote quotes s for a POSIX shell when it holds anything but
// letters, digits and -_./,
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
