package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/bench"
)

// benchResult is the JSON line printed by the bench command. Its keys are
// those of the Python reference's bench_reference.py, plus impl, batch,
// seed and workers; the run keys are left out when the scenario has no
// steps, as the reference does.
type benchResult struct {
	Impl        string             `json:"impl"`
	Scenario    string             `json:"scenario"`
	N           int                `json:"N"`
	Synapses    int64              `json:"synapses"`
	InitS       float64            `json:"init_s"`
	Batch       int                `json:"batch"`
	Seed        uint64             `json:"seed"`
	Workers     int                `json:"workers"`
	Steps       *int               `json:"steps,omitempty"`
	RunS        *float64           `json:"run_s,omitempty"`
	NsPerUpdate *float64           `json:"ns_per_update,omitempty"`
	Flips       *int64             `json:"flips,omitempty"`
	NsPerFlip   *float64           `json:"ns_per_flip,omitempty"`
	Rates       map[string]float64 `json:"rates,omitempty"`
	PeakRSSMB   float64            `json:"peak_rss_mb"`
}

// cmdBench times one scenario of a scenarios file.
var cmdBench = &Command{
	UsageLine: "bench [flags] SCENARIO",
	Short:     "time a benchmark scenario and print one JSON line",
	Long: `
Bench builds the named scenario of a scenarios file, times Initialize, runs
the scenario's warm-up steps, then times its measured steps with diff
logging on, and prints one JSON line on stdout: the keys of the Python
reference's bench_reference.py (scenario, N, synapses, init_s, steps, run_s,
ns_per_update, flips, ns_per_flip, rates, peak_rss_mb) plus impl, batch, seed
and workers. A scenario without steps reports only the build keys.

The scenarios file of the repository (bench/scenarios.json: dense-5k,
sparse-50k, build-50k-bernoulli, sparse-1m) is built into the command, so
bench works from any directory; -scenarios FILE reads another. Flags may
follow the scenario name.`,
	Flag: func(fs *flag.FlagSet) Runner {
		var b benchSettings
		fs.StringVar(&b.file, "scenarios", "", "scenarios `file` (JSON; default: the built-in bench/scenarios.json)")
		fs.IntVar(&b.batch, "batch", 1000, "batch size of Run (a speed knob: the trajectory does not depend on it)")
		fs.Uint64Var(&b.seed, "seed", 1, "seed of every random stream")
		fs.IntVar(&b.workers, "workers", 0, "goroutines that sample connectivity (0: GOMAXPROCS)")
		fs.Float64Var(&b.ramGB, "ram", binarynet.DefaultRAMBudgetGB, "memory budget in `GB` (GiB); below four times the sampled connections, the sparse build draws them twice instead of keeping them")
		return func(ctx context.Context, env *Env, args []string) error {
			res, err := benchScenario(b, args)
			if err != nil {
				return err
			}
			line, err := json.Marshal(res)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(env.Stdout, "%s\n", line)
			return err
		}
	},
}

// benchSettings are the flags of the bench command.
type benchSettings struct {
	file    string
	batch   int
	seed    uint64
	workers int
	ramGB   float64
}

// benchScenario builds, initializes and runs the scenario named in args.
func benchScenario(b benchSettings, args []string) (*benchResult, error) {
	if len(args) != 1 {
		return nil, usagef("want exactly one scenario name, got %d arguments (usage: binarynet bench [flags] SCENARIO)", len(args))
	}
	if b.batch <= 0 {
		return nil, usagef("-batch %d: must be positive", b.batch)
	}
	if b.workers < 0 {
		return nil, usagef("-workers %d: must be >= 0", b.workers)
	}
	if !(b.ramGB > 0) || math.IsInf(b.ramGB, 0) {
		return nil, usagef("-ram %v: must be a positive number of GiB", b.ramGB)
	}
	name := args[0]

	label, data := "built-in bench/scenarios.json", bench.Scenarios()
	if b.file != "" {
		raw, err := os.ReadFile(b.file)
		if err != nil {
			return nil, usagef("-scenarios: %v", err)
		}
		label, data = b.file, string(raw)
	}
	// Decoded here rather than by binarynet.ReadScenarioFile, whose errors
	// show encoding/json's Go types.
	var sf binarynet.ScenarioFile
	if err := decodeStrict(strings.NewReader(data), &sf); err != nil {
		return nil, usagef("%s: %v", label, jsonError(err))
	}
	if len(sf.Scenarios) == 0 {
		return nil, usagef(`%s: no scenarios: want {"scenarios": {"name": {...}}}`, label)
	}
	sc, err := sf.Lookup(name)
	if err != nil {
		return nil, usagef("%s: %v", label, err)
	}
	mode, err := sc.Mode()
	if err != nil {
		return nil, usagef("scenario %q: %v", name, err)
	}
	nw, pops, err := sc.Build(name)
	if err != nil {
		return nil, usagef("scenario %q: %v", name, err)
	}
	opts := binarynet.Options{WeightMode: mode, Seed: b.seed, Workers: b.workers, RAMBudgetGB: b.ramGB}

	t0 := time.Now()
	if err := nw.Initialize(opts); err != nil {
		if errors.Is(err, binarynet.ErrMemoryBudget) {
			return nil, budgetError(name, err, b.ramGB)
		}
		return nil, fmt.Errorf("initialize %q: %w", name, err)
	}
	initS := time.Since(t0).Seconds()
	synapses, err := nw.NonZeroWeights()
	if err != nil {
		return nil, err
	}
	res := &benchResult{
		Impl:     "binarynet-go",
		Scenario: name,
		N:        nw.N(),
		Synapses: synapses,
		InitS:    round(initS, 3),
		Batch:    b.batch,
		Seed:     b.seed,
		Workers:  nw.Options().Workers,
	}
	if sc.Steps > 0 {
		if err := runSteps(nw, sc, b.batch, res); err != nil {
			return nil, fmt.Errorf("run %q: %w", name, err)
		}
		res.Rates = make(map[string]float64, len(pops))
		state, err := nw.State(nil)
		if err != nil {
			return nil, err
		}
		for pname, p := range pops {
			r, err := nw.PopulationRange(p)
			if err != nil {
				return nil, err
			}
			active := 0
			for _, s := range state[r.Start:r.End] {
				active += int(s)
			}
			res.Rates[pname] = round(float64(active)/float64(max(1, r.End-r.Start)), 4)
		}
	}
	res.PeakRSSMB = round(peakRSSMB(), 1)
	return res, nil
}

// runSteps runs the warm-up, then the measured steps with diff logging on,
// and fills the run keys of res.
func runSteps(nw *binarynet.Network, sc binarynet.Scenario, batch int, res *benchResult) error {
	if err := nw.Run(sc.Warmup, batch); err != nil {
		return err
	}
	if err := nw.EnableDiffLogging(sc.Steps); err != nil {
		return err
	}
	runtime.GC() // keep collection of build garbage out of the timed run
	t0 := time.Now()
	if err := nw.Run(sc.Steps, batch); err != nil {
		return err
	}
	runS := time.Since(t0).Seconds()
	log := nw.ConsumeDiffLog()
	var flips int64
	for _, d := range log.Deltas {
		if d != 0 {
			flips++
		}
	}
	steps := sc.Steps
	nsUpdate := round(runS/float64(steps)*1e9, 1)
	nsFlip := round(runS/float64(max(flips, 1))*1e9, 1)
	runR := round(runS, 3)
	res.Steps, res.RunS, res.NsPerUpdate, res.Flips, res.NsPerFlip = &steps, &runR, &nsUpdate, &flips, &nsFlip
	return nil
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}
