package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
)

// leaderMargin is how far above the median cluster rate the most active
// cluster must be to count as leading a sample (see binarynet.Leaders).
// Background rates are about 0.1 and active clusters 0.6 to 0.9 in the
// default model.
const leaderMargin = 0.2

// minLeaderShare is the share of the led samples from which a cluster
// counts in summary.json's leaders_with_5_percent.
const minLeaderShare = 0.05

// cmdRun simulates a model and writes its outputs.
var cmdRun = &Command{
	UsageLine: "run [flags]",
	Short:     "simulate a network and write its pictures, diff log and summary",
	Long:      runLong(),
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
rates.png (activity of each E cluster over time), difflog.npz (updates,
deltas, initial_state, population_names, population_ranges; load with
numpy.load) and summary.json (parameters, seed, steps, mean rates, switching
statistics, wall time). Files are written under temporary names and renamed
at the end, so an error leaves no partial file.

-config FILE takes a JSON scenarios file, {"scenarios": {"name": {...}}}, whose
entries are either scenarios (populations and synapses, as for the bench
command) or clustered models: {"clustered": {"Q": 20, "N_E": 200, "N_I": 50,
"p": [[0.1, 0.1], [0.1, 0.1]], "g": 1.5, "threshold_E": 1, "threshold_I": 1,
"p_E_plus": 9, "R_j": 0.85, "drive": 1}, "sweeps": 2000, "warmup_sweeps": 10}.
The clustered flags override the model's parameters.`
	if mf, err := readModelFile(bytes.NewReader(defaultConfig)); err == nil {
		long += "\n\nDefault model:\n" + wrap(mf.About, 76)
	}
	return long
}

// runFlags holds the parsed command line of the run command.
type runFlags struct {
	out, config, scenario string
	seed                  uint64
	steps, sweeps, warmup int
	mode                  string
	quiet                 bool
	width, height         int
	clustered             binarynet.ClusteredParams // values of the clustered flags
	set                   map[string]bool           // flags given on the command line
	args                  []string                  // the command line, for the summary
}

// clusteredFlags are the flags that override parameters of a clustered
// model.
var clusteredFlags = []string{"Q", "NE", "NI", "p", "g", "thetaE", "thetaI", "tauE", "tauI", "JEplus", "pEplus", "Rj", "drive"}

// newRunFlags defines the flags of the run command on fs and returns the
// values they set.
func newRunFlags(fs *flag.FlagSet) *runFlags {
	f := &runFlags{}
	fs.StringVar(&f.out, "out", "binarynet-out", "output `dir`ectory, created if needed")
	fs.StringVar(&f.config, "config", "", "JSON model `file`: a scenarios file whose entries may also be clustered models (default: the embedded model)")
	fs.StringVar(&f.scenario, "scenario", "", "`name` of the model to run when the -config file has several")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of every random stream")
	fs.IntVar(&f.sweeps, "sweeps", 0, "recorded duration in sweeps of N updates (default: the model's)")
	fs.IntVar(&f.steps, "steps", 0, "recorded duration in single-unit updates, instead of -sweeps")
	fs.IntVar(&f.warmup, "warmup-sweeps", 0, "unrecorded warm-up in sweeps (default: the model's)")
	fs.StringVar(&f.mode, "mode", "", "weight storage: dense, sparse or auto (default: the model's)")
	fs.BoolVar(&f.quiet, "q", false, "no progress bar (it is shown only when stderr is a terminal)")
	fs.IntVar(&f.width, "width", 1400, "width of the PNG images in pixels")
	fs.IntVar(&f.height, "height", 800, "height of the PNG images in pixels")
	c := &f.clustered
	fs.IntVar(&c.Q, "Q", 0, "clustered model: number of E and of I clusters (default: the model's)")
	fs.IntVar(&c.NE, "NE", 0, "clustered model: units per excitatory cluster (default: the model's)")
	fs.IntVar(&c.NI, "NI", 0, "clustered model: units per inhibitory cluster (default: the model's)")
	fs.Float64Var(&c.P[0][0], "p", 0, "clustered model: connection probability of all four blocks (default: the model's)")
	fs.Float64Var(&c.G, "g", 0, "clustered model: relative inhibition strength g (default: the model's)")
	fs.Float64Var(&c.ThresholdE, "thetaE", 0, "clustered model: threshold of the E units (default: the model's)")
	fs.Float64Var(&c.ThresholdI, "thetaI", 0, "clustered model: threshold of the I units (default: the model's)")
	fs.Float64Var(&c.TauE, "tauE", 0, "clustered model: time constant of the E units (default: the model's)")
	fs.Float64Var(&c.TauI, "tauI", 0, "clustered model: time constant of the I units (default: the model's)")
	fs.Float64Var(&c.JEPlus, "JEplus", 0, "clustered model: weight clustering factor J_E+ (1: none) (default: the model's)")
	fs.Float64Var(&c.PEPlus, "pEplus", 0, "clustered model: probability clustering factor p_E+ (1: none) (default: the model's)")
	fs.Float64Var(&c.RJ, "Rj", 0, "clustered model: inhibitory clustering ratio R_j in [0, 1] (default: the model's)")
	fs.Float64Var(&c.Drive, "drive", 0, "clustered model: weight of the background unit onto every unit (default: the model's)")
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
	configName string   // the -config file, or "" for the embedded model
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
		name string
		v    int
		min  int
	}{{"steps", f.steps, 0}, {"sweeps", f.sweeps, 0}, {"warmup-sweeps", f.warmup, 0}, {"width", f.width, 100}, {"height", f.height, 100}} {
		if c.v < c.min {
			return nil, usagef("-%s %d: must be >= %d", c.name, c.v, c.min)
		}
	}
	p := &plan{args: f.args, configName: f.config, f: f}
	data := defaultConfig
	if f.config != "" {
		var err error
		if data, err = os.ReadFile(f.config); err != nil {
			return nil, usagef("-config: %v", err)
		}
	}
	mf, err := readModelFile(bytes.NewReader(data))
	if err != nil {
		return nil, usagef("%s: %v", p.configLabel(), err)
	}
	if p.name, p.model, err = mf.pick(f.scenario); err != nil {
		return nil, usagef("%s: %v", p.configLabel(), err)
	}
	modeName := f.mode
	if !f.set["mode"] {
		if c := p.model.clustered; c != nil {
			modeName = c.WeightMode
		} else {
			modeName = p.model.scenario.WeightMode
		}
	}
	if p.mode, err = binarynet.ParseWeightMode(modeName); err != nil {
		return nil, usagef("%v", err)
	}
	if err := p.applyClusteredFlags(); err != nil {
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

// applyClusteredFlags copies the clustered flags that were given into the
// model.
func (p *plan) applyClusteredFlags() error {
	var given []string
	for _, name := range clusteredFlags {
		if p.f.set[name] {
			given = append(given, "-"+name)
		}
	}
	if len(given) == 0 {
		return nil
	}
	if p.model.clustered == nil {
		return usagef("%s apply to clustered models only; scenario %q has populations and synapses", strings.Join(given, ", "), p.name)
	}
	m := *p.model.clustered
	dst, src, set := &m.Clustered, &p.f.clustered, p.f.set
	for _, o := range []struct {
		name string
		fn   func()
	}{
		{"Q", func() { dst.Q = src.Q }},
		{"NE", func() { dst.NE = src.NE }},
		{"NI", func() { dst.NI = src.NI }},
		{"p", func() { dst.P = [2][2]float64{{src.P[0][0], src.P[0][0]}, {src.P[0][0], src.P[0][0]}} }},
		{"g", func() { dst.G = src.G }},
		{"thetaE", func() { dst.ThresholdE = src.ThresholdE }},
		{"thetaI", func() { dst.ThresholdI = src.ThresholdI }},
		{"tauE", func() { dst.TauE = src.TauE }},
		{"tauI", func() { dst.TauI = src.TauI }},
		{"JEplus", func() { dst.JEPlus = src.JEPlus }},
		{"pEplus", func() { dst.PEPlus = src.PEPlus }},
		{"Rj", func() { dst.RJ = src.RJ }},
		{"drive", func() { dst.Drive = src.Drive }},
	} {
		if set[o.name] {
			o.fn()
		}
	}
	p.model.clustered = &m
	return nil
}

// simulation is a network after its run.
type simulation struct {
	nw       *binarynet.Network
	layout   *binarynet.ClusteredLayout // nil for scenario models
	names    []string                   // population names, network order
	ranges   []binarynet.Range
	initial  []int8
	log      binarynet.DiffLog
	warmup   int
	steps    int
	buildS   float64
	warmupS  float64
	runS     float64
	synapses int64
}

// build constructs and initializes the network of the plan.
func (p *plan) build() (*binarynet.Network, *binarynet.ClusteredLayout, error) {
	var (
		nw     *binarynet.Network
		layout *binarynet.ClusteredLayout
		err    error
	)
	if c := p.model.clustered; c != nil {
		nw, layout, err = binarynet.NewClusteredNetwork(p.name, c.Clustered)
	} else {
		nw, _, err = p.model.scenario.Build(p.name)
	}
	if err != nil {
		return nil, nil, usagef("scenario %q: %v", p.name, err)
	}
	opts := binarynet.Options{Seed: p.f.seed, WeightMode: p.mode}
	if err := nw.Initialize(opts); err != nil {
		if errors.Is(err, binarynet.ErrInvalidParameter) || errors.Is(err, binarynet.ErrMemoryBudget) {
			return nil, nil, usagef("scenario %q: %v", p.name, err)
		}
		return nil, nil, err
	}
	return nw, layout, nil
}

// lengths returns the warm-up and recorded steps for a network of n units.
func (p *plan) lengths(n int) (warmup, steps int, err error) {
	f := p.f
	if c := p.model.clustered; c != nil {
		warmup, steps = c.WarmupSweeps*n, c.Sweeps*n
	} else {
		warmup, steps = p.model.scenario.Warmup, p.model.scenario.Steps
	}
	if f.set["warmup-sweeps"] {
		warmup = f.warmup * n
	}
	switch {
	case f.set["steps"]:
		steps = f.steps
	case f.set["sweeps"]:
		steps = f.sweeps * n
	}
	if steps == 0 {
		return 0, 0, usagef("nothing to record: the run has 0 steps (set -sweeps or -steps)")
	}
	// The diff log takes 5 bytes per step; check before the warm-up runs
	// what EnableDiffLogging would refuse after it.
	const budget = 12 << 30
	if float64(steps)*5 > budget {
		return 0, 0, usagef("%d recorded steps need a %.1f GiB diff log, more than the 12 GiB budget", steps, float64(steps)*5/(1<<30))
	}
	return warmup, steps, nil
}

// simulate builds, warms up and runs the network, recording the run.
func (p *plan) simulate(ctx context.Context, bar *progress) (*simulation, error) {
	t0 := time.Now()
	nw, layout, err := p.build()
	if err != nil {
		return nil, err
	}
	s := &simulation{nw: nw, layout: layout, buildS: time.Since(t0).Seconds()}
	if s.warmup, s.steps, err = p.lengths(nw.N()); err != nil {
		return nil, err
	}
	for _, pop := range nw.Populations() {
		start, end, err := nw.PopulationRange(pop)
		if err != nil {
			return nil, err
		}
		s.ranges = append(s.ranges, binarynet.Range{Start: start, End: end})
	}
	rec, err := npz.NewRecording(nw, make([]int8, nw.N()), binarynet.DiffLog{})
	if err != nil {
		return nil, err
	}
	s.names = rec.Names
	if s.synapses, err = nw.Synapses(); err != nil {
		return nil, err
	}
	bar.start(int64(s.warmup) + int64(s.steps))
	t1 := time.Now()
	if err := advance(ctx, nw, s.warmup, bar); err != nil {
		return nil, err
	}
	s.warmupS = time.Since(t1).Seconds()
	if s.initial, err = nw.State(nil); err != nil {
		return nil, err
	}
	if err := nw.EnableDiffLogging(s.steps); err != nil {
		return nil, usagef("%v", err)
	}
	t2 := time.Now()
	if err := advance(ctx, nw, s.steps, bar); err != nil {
		return nil, err
	}
	s.runS = time.Since(t2).Seconds()
	bar.finish()
	s.log = nw.ConsumeDiffLog()
	return s, nil
}

// advance advances nw by steps updates in chunks, reporting progress.
func advance(ctx context.Context, nw *binarynet.Network, steps int, bar *progress) error {
	const chunk = 1 << 16
	for done := 0; done < steps; {
		b := min(chunk, steps-done)
		if err := nw.RunContext(ctx, b, b); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("interrupted after %d of %d steps; nothing written", nw.Steps(), bar.total)
			}
			return err
		}
		done += b
		bar.add(int64(b))
	}
	return nil
}

// run runs the simulation of the parsed flags and writes its outputs.
func run(ctx context.Context, f *runFlags, args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	p, err := newPlan(f, args)
	if err != nil {
		return err
	}
	bar := newProgress(stderr, p.f.quiet)
	sim, err := p.simulate(ctx, bar)
	if err != nil {
		return err
	}
	t := time.Now()
	res, err := p.analyse(sim)
	if err != nil {
		return err
	}
	files, err := p.render(sim, res)
	if err != nil {
		return err
	}
	res.summary.WallTime.Analysis = time.Since(t).Seconds()
	t = time.Now()
	// The summary is written last, so that its wall times include the
	// writing of the other files.
	files = append(files, output{"summary.json", func(w io.Writer) error {
		res.summary.WallTime.Outputs = time.Since(t).Seconds()
		res.summary.WallTime.Total = time.Since(start).Seconds()
		sum, err := json.MarshalIndent(res.summary, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(sum, '\n'))
		return err
	}})
	if err := writeAll(p.f.out, files); err != nil {
		return err
	}
	sw := res.summary.Switching
	kind := "populations"
	if sim.layout != nil {
		kind = "E clusters"
	}
	fmt.Fprintf(stdout, "binarynet run: %d units, %d steps (%.0f sweeps) in %.1f s; %d of %d %s led, largest share %.2f, %d switches; wrote %s\n",
		sim.nw.N(), sim.steps, res.summary.Sweeps, res.summary.WallTime.Total,
		sw.DistinctLeaders, len(sw.Groups), kind, sw.MaxShare, sw.Switches,
		filepath.Join(p.f.out, "{raster.png,rates.png,difflog.npz,summary.json}"))
	return nil
}

// output is one file of the run, written by a function.
type output struct {
	name  string
	write func(io.Writer) error
}

// writeAll writes every output to a temporary file in dir, then renames
// them all to their names. On error the temporary files are removed and
// no output file is created or replaced.
func writeAll(dir string, files []output) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var temps []string
	defer func() {
		if err != nil {
			for _, t := range temps {
				os.Remove(t)
			}
		}
	}()
	for _, o := range files {
		f, err := os.CreateTemp(dir, "."+o.name+".tmp-*")
		if err != nil {
			return err
		}
		temps = append(temps, f.Name())
		if err := o.write(f); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", o.name, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("%s: %w", o.name, err)
		}
		if err := os.Chmod(f.Name(), 0o644); err != nil {
			return err
		}
	}
	for i, o := range files {
		if err := os.Rename(temps[i], filepath.Join(dir, o.name)); err != nil {
			return err
		}
	}
	return nil
}
