package main

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
)

// runChunk is the number of updates between two looks at the context and
// the progress bar: an interrupt takes effect within one chunk.
const runChunk = 1 << 16

// simulation is a network during or after its run.
type simulation struct {
	nw      *binarynet.Network
	layout  *binarynet.ClusteredLayout // nil for scenario models
	names   []string                   // population names, network order
	ranges  []binarynet.Range
	warmup  int               // planned warm-up steps
	steps   int               // planned recorded steps
	initial []int8            // state when the recording began; nil before
	log     binarynet.DiffLog // the steps recorded so far
	// firstStep is the network's step when this invocation began
	// advancing it: 0, or the checkpoint's step when resumed.
	firstStep int64
	// Wall times in seconds, of this invocation only when resumed.
	buildS, warmupS, runS float64
	synapses              int64
}

// complete reports whether the whole run was simulated.
func (s *simulation) complete() bool { return s.log.Len() == s.steps }

// resumePoint is the state of an interrupted run read back from its
// output directory.
type resumePoint struct {
	nw      *binarynet.Network // restored from the checkpoint
	initial []int8             // nil if the recording had not begun
	log     binarynet.DiffLog  // the steps recorded before the interrupt
}

// build constructs the network of the plan, checks the run's lengths and
// initializes it: every check that needs no simulation comes before the
// weights are drawn. A clustered network's size is estimated by the
// library before any of it is built.
func (p *plan) build() (*binarynet.Network, *binarynet.ClusteredLayout, error) {
	if c := p.model.clustered; c != nil {
		est, err := c.Clustered.Estimate(p.options())
		if err != nil {
			return nil, nil, p.initError(err)
		}
		warmup, steps, err := p.lengths(est.Units)
		if err != nil {
			return nil, nil, err
		}
		var stims []binarynet.Stimulus
		if len(c.Stimuli) > 0 {
			layout, err := p.describeClustered()
			if err != nil {
				return nil, nil, err
			}
			if stims, err = stimuli(c.Stimuli, layout, est.Units, warmup, steps); err != nil {
				return nil, nil, usagef("%s: scenario %q: %v", p.configLabel(), p.name, err)
			}
		}
		nw, layout, err := binarynet.NewClusteredNetwork(p.name, c.Clustered, p.options())
		if err != nil {
			return nil, nil, p.initError(err)
		}
		if err := nw.AddStimulus(stims...); err != nil {
			return nil, nil, usagef("%s: scenario %q: \"stimuli\": %v", p.configLabel(), p.name, err)
		}
		return nw, layout, nil
	}
	nw, _, err := p.model.scenario.Build(p.name)
	if err != nil {
		return nil, nil, usagef("%s: scenario %q: %v", p.configLabel(), p.name, err)
	}
	if _, _, err := p.lengths(nw.N()); err != nil {
		return nil, nil, err
	}
	if err := nw.Initialize(p.options()); err != nil {
		return nil, nil, p.initError(err)
	}
	return nw, nil, nil
}

// initError rewrites an error of Initialize or NewClusteredNetwork in the
// command's terms.
func (p *plan) initError(err error) error {
	switch {
	case errors.Is(err, binarynet.ErrMemoryBudget):
		return budgetError(p.name, err, p.f.ramGB)
	case errors.Is(err, binarynet.ErrInvalidParameter):
		if p.model.clustered != nil {
			return p.clusteredError(err)
		}
		return usagef("scenario %q: %v", p.name, err)
	}
	return err
}

// budgetError rewrites an ErrMemoryBudget of building scenario name as a
// usage error: the library names its own option, the user typed -ram.
func budgetError(name string, err error, ramGB float64) error {
	msg := strings.Replace(err.Error(), "(Options.RAMBudgetGB)", "", 1)
	return usagef("scenario %q: %s (-ram %g)", name, strings.TrimSpace(msg), ramGB)
}

// describeClustered returns the layout of the plan's clustered model,
// without building it.
func (p *plan) describeClustered() (*binarynet.ClusteredLayout, error) {
	layout, err := p.model.clustered.Clustered.Layout()
	if err != nil {
		return nil, p.clusteredError(err)
	}
	return layout, nil
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
	// Check before the warm-up runs what EnableDiffLogging would refuse
	// after it.
	need := binarynet.DiffLogBytes(int64(steps))
	if p.f.continuous {
		need = binarynet.TimedDiffLogBytes(int64(steps))
	}
	if need > p.f.ramGB*(1<<30) {
		return 0, 0, usagef("%d recorded steps need a %.3g GiB diff log, more than -ram %g", steps, need/(1<<30), p.f.ramGB)
	}
	return warmup, steps, nil
}

// simulate builds (or, when from is not nil, restores), warms up and runs
// the network, recording the run. When ctx is cancelled it stops at the
// next chunk of updates and returns the incomplete simulation, with no
// error.
func (p *plan) simulate(ctx context.Context, bar *progress, from *resumePoint) (*simulation, error) {
	t0 := time.Now()
	s := &simulation{}
	var err error
	if from == nil {
		if s.nw, s.layout, err = p.build(); err != nil {
			return nil, err
		}
	} else {
		s.nw, s.initial, s.log = from.nw, from.initial, from.log
		if p.model.clustered != nil {
			if s.layout, err = p.describeClustered(); err != nil {
				return nil, err
			}
		}
	}
	nw := s.nw
	s.buildS = time.Since(t0).Seconds()
	if s.warmup, s.steps, err = p.lengths(nw.N()); err != nil {
		return nil, err
	}
	if err := s.describe(); err != nil {
		return nil, err
	}
	taken := nw.Steps()
	s.firstStep = taken
	if from != nil && !s.consistent(taken) {
		return nil, usagef("-resume %s: the checkpoint is at step %d with %d steps recorded, which does not fit a run of %d warm-up and %d recorded steps",
			p.f.out, taken, s.log.Len(), s.warmup, s.steps)
	}
	total := int64(s.warmup) + int64(s.steps)
	bar.start(total)
	bar.add(taken)
	t1 := time.Now()
	if rest := int64(s.warmup) - taken; rest > 0 {
		if err := advance(ctx, nw, int(rest), bar); err != nil {
			return s.stopped(err, bar)
		}
	}
	s.warmupS = time.Since(t1).Seconds()
	if s.initial == nil {
		if s.initial, err = nw.State(nil); err != nil {
			return nil, err
		}
	}
	rest := s.steps - s.log.Len()
	if err := nw.EnableDiffLogging(rest); err != nil {
		return nil, usagef("%v (-ram %g)", err, p.f.ramGB)
	}
	t2 := time.Now()
	err = advance(ctx, nw, rest, bar)
	s.runS = time.Since(t2).Seconds()
	s.log = appendLog(s.log, nw.ConsumeDiffLog())
	if err != nil {
		return s.stopped(err, bar)
	}
	bar.finish()
	return s, nil
}

// describe fills the names and ranges of the populations and the synapse
// count.
func (s *simulation) describe() error {
	nw := s.nw
	s.ranges = nw.PopulationRanges()
	rec, err := npz.NewRecording(nw, make([]int8, nw.N()), binarynet.DiffLog{})
	if err != nil {
		return err
	}
	s.names = rec.Names
	s.synapses, err = nw.NonZeroWeights()
	return err
}

// consistent reports whether a network at step taken, with s.log
// recorded, is a point of the planned run.
func (s *simulation) consistent(taken int64) bool {
	if s.initial == nil {
		return s.log.Len() == 0 && taken <= int64(s.warmup)
	}
	return taken == int64(s.warmup)+int64(s.log.Len()) && s.log.Len() <= s.steps
}

// stopped returns s after advance returned err: s itself, incomplete,
// when the run was interrupted, else the error. It ends the progress bar's
// line, so that the message that follows has one of its own.
func (s *simulation) stopped(err error, bar *progress) (*simulation, error) {
	bar.finish()
	if errors.Is(err, errInterrupted) {
		return s, nil
	}
	return nil, err
}

// errInterrupted is returned by advance when the context is cancelled.
var errInterrupted = errors.New("interrupted")

// advance advances nw by steps updates in chunks, reporting progress. It
// returns errInterrupted, with the chunks before applied, when ctx is
// cancelled.
func advance(ctx context.Context, nw *binarynet.Network, steps int, bar *progress) error {
	for done := 0; done < steps; {
		b := min(runChunk, steps-done)
		if err := nw.RunContext(ctx, b, b); err != nil {
			if ctx.Err() != nil {
				return errInterrupted
			}
			return err
		}
		done += b
		bar.add(int64(b))
	}
	return nil
}

// appendLog returns a followed by b, reusing b when a is empty. The times
// of continuous time are kept when both have them (a log resumed from
// difflog.npz and the steps taken since).
func appendLog(a, b binarynet.DiffLog) binarynet.DiffLog {
	if a.Len() == 0 {
		return b
	}
	out := binarynet.DiffLog{
		Updates: append(a.Updates[:len(a.Updates):len(a.Updates)], b.Updates...),
		Deltas:  append(a.Deltas[:len(a.Deltas):len(a.Deltas)], b.Deltas...),
	}
	if a.Times != nil && b.Times != nil {
		out.Times = append(a.Times[:len(a.Times):len(a.Times)], b.Times...)
	}
	return out
}
