package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
)

// checkpointFile is the checkpoint that an interrupted run leaves in its
// output directory, next to its partial outputs and its summary.
const checkpointFile = "checkpoint.bin"

// resumeFlags are the flags that may be given with -resume: they change
// how the run is carried out, not what is simulated.
var resumeFlags = []string{"resume", "q", "ram", "plots"}

// planResume prepares the continuation of the interrupted run in the
// directory of -resume: it re-reads the run's settings from its
// summary.json, restores the network from its checkpoint and the
// recording so far from its difflog.npz.
func planResume(f *runFlags, args []string) (*plan, *resumePoint, error) {
	if len(args) > 0 {
		return nil, nil, usagef("unexpected argument %q (all settings are flags; see -h)", args[0])
	}
	for name := range f.set {
		if !slices.Contains(resumeFlags, name) {
			return nil, nil, usagef("-%s cannot be given with -resume: the run continues with its saved settings (only -q, -ram and -plots may change)", name)
		}
	}
	dir := f.resume
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		return nil, nil, usagef("-resume %s: %v", dir, resumeReadError(err))
	}
	var sum summary
	if err := json.Unmarshal(data, &sum); err != nil {
		return nil, nil, usagef("-resume %s: summary.json: %v", dir, jsonError(err))
	}
	if sum.Complete {
		return nil, nil, usagef("-resume %s: the run is complete; there is nothing to resume", dir)
	}

	// The saved command line, with the model file found where it was and
	// the outputs going where they are now.
	saved := flag.NewFlagSet("run", flag.ContinueOnError)
	saved.SetOutput(io.Discard)
	g := newRunFlags(saved)
	rest, err := parseInterspersed(saved, sum.Args)
	if err != nil {
		return nil, nil, usagef("-resume %s: the saved command line %q: %v", dir, sum.Args, err)
	}
	g.set, g.args = map[string]bool{}, sum.Args
	saved.Visit(func(fl *flag.Flag) { g.set[fl.Name] = true })
	g.out, g.config = dir, sum.ConfigPath
	g.quiet = f.quiet
	if f.set["ram"] {
		g.ramGB, g.set["ram"] = f.ramGB, true
	}
	if f.set["plots"] {
		g.plots = f.plots
	}
	p, err := newPlan(g, rest)
	if err != nil {
		return nil, nil, err
	}
	if sum.ConfigPath != "" {
		p.configName = sum.Config // the label of the original run
	}
	if p.configSum != sum.ConfigSHA256 {
		return nil, nil, usagef("-resume %s: the model file %s changed since the run began", dir, p.configLabel())
	}

	from := &resumePoint{}
	ckpt := filepath.Join(dir, checkpointFile)
	if from.nw, err = binarynet.LoadCheckpoint(ckpt, &binarynet.RestoreOptions{RAMBudgetGB: g.ramGB}); err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, binarynet.ErrCheckpoint) || errors.Is(err, binarynet.ErrMemoryBudget) {
			return nil, nil, usagef("-resume %s: %v", dir, err)
		}
		return nil, nil, err
	}
	if from.nw.Steps() != sum.StepsTaken {
		return nil, nil, usagef("-resume %s: the checkpoint is at step %d, the summary at step %d", dir, from.nw.Steps(), sum.StepsTaken)
	}
	if sum.Recording {
		rec, err := npz.LoadDiffLog(filepath.Join(dir, "difflog.npz"))
		if err != nil {
			return nil, nil, usagef("-resume %s: %v", dir, err)
		}
		if rec.Log.Len() != sum.RecordedSteps || len(rec.Initial) != from.nw.N() {
			return nil, nil, usagef("-resume %s: difflog.npz holds %d steps of %d units, the summary %d steps of %d units",
				dir, rec.Log.Len(), len(rec.Initial), sum.RecordedSteps, from.nw.N())
		}
		from.initial, from.log = rec.Initial, rec.Log
	}
	return p, from, nil
}

// resumeReadError explains a missing summary.json.
func resumeReadError(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no summary.json: not the output directory of a run")
	}
	return err
}
