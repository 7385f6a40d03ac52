package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"time"

	"github.com/binarynet/binarynet"
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

// usageError marks errors in the command line or its input files; they
// exit with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// benchCommand times one scenario of a scenarios file: Initialize (timed),
// warmup steps, then the measured steps with diff logging on. It prints one
// JSON line on stdout.
func benchCommand(args []string, stdout, stderr io.Writer) int {
	res, err := bench(args)
	if err != nil {
		fmt.Fprintf(stderr, "binarynet bench: %v\n", err)
		var u usageError
		if errors.As(err, &u) {
			return 2
		}
		return 1
	}
	line, err := json.Marshal(res)
	if err != nil {
		fmt.Fprintf(stderr, "binarynet bench: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s\n", line)
	return 0
}

func bench(args []string) (*benchResult, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	file := fs.String("scenarios", "bench/scenarios.json", "scenarios `file` (JSON)")
	batch := fs.Int("batch", 1000, "batch size of Run (a speed knob: the trajectory does not depend on it)")
	seed := fs.Uint64("seed", 1, "seed of every random stream")
	workers := fs.Int("workers", 0, "goroutines that sample connectivity (0: GOMAXPROCS)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, usagef("usage: binarynet bench [-scenarios FILE] [-batch B] [-seed S] [-workers W] NAME")
		}
		return nil, usagef("%v", err)
	}
	if fs.NArg() != 1 {
		return nil, usagef("want exactly one scenario name, got %d arguments (usage: binarynet bench [flags] NAME)", fs.NArg())
	}
	if *batch <= 0 {
		return nil, usagef("-batch %d: must be positive", *batch)
	}
	if *workers < 0 {
		return nil, usagef("-workers %d: must be >= 0", *workers)
	}
	name := fs.Arg(0)

	f, err := os.Open(*file)
	if err != nil {
		return nil, usagef("%v", err)
	}
	sf, err := binarynet.ReadScenarioFile(f)
	f.Close()
	if err != nil {
		return nil, usagef("%s: %v", *file, err)
	}
	sc, err := sf.Lookup(name)
	if err != nil {
		return nil, usagef("%v", err)
	}
	mode, err := sc.Mode()
	if err != nil {
		return nil, usagef("scenario %q: %v", name, err)
	}
	nw, pops, err := sc.Build(name)
	if err != nil {
		return nil, usagef("scenario %q: %v", name, err)
	}
	opts := binarynet.Options{WeightMode: mode, Seed: *seed, Workers: *workers}

	t0 := time.Now()
	if err := nw.Initialize(opts); err != nil {
		return nil, fmt.Errorf("initialize %q: %w", name, err)
	}
	initS := time.Since(t0).Seconds()
	synapses, err := nw.Synapses()
	if err != nil {
		return nil, err
	}
	res := &benchResult{
		Impl:     "binarynet-go",
		Scenario: name,
		N:        nw.N(),
		Synapses: synapses,
		InitS:    round(initS, 3),
		Batch:    *batch,
		Seed:     *seed,
		Workers:  nw.Options().Workers,
	}
	if sc.Steps > 0 {
		if err := runSteps(nw, sc, *batch, res); err != nil {
			return nil, fmt.Errorf("run %q: %w", name, err)
		}
		res.Rates = make(map[string]float64, len(pops))
		state, err := nw.State(nil)
		if err != nil {
			return nil, err
		}
		for pname, p := range pops {
			start, end, err := nw.PopulationRange(p)
			if err != nil {
				return nil, err
			}
			active := 0
			for _, s := range state[start:end] {
				active += int(s)
			}
			res.Rates[pname] = round(float64(active)/float64(max(1, end-start)), 4)
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
