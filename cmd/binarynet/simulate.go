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
// weights are drawn.
func (p *plan) build() (*binarynet.Network, *binarynet.ClusteredLayout, error) {
	nw, layout, err := p.describe()
	if err != nil {
		return nil, nil, err
	}
	if _, _, err := p.lengths(nw.N()); err != nil {
		return nil, nil, err
	}
	if err := nw.Initialize(p.options()); err != nil {
		switch {
		case errors.Is(err, binarynet.ErrMemoryBudget):
			// The library names its own option; the user typed -ram.
			msg := strings.Replace(err.Error(), "(Options.RAMBudgetGB)", "", 1)
			return nil, nil, usagef("scenario %q: %s (-ram %g)", p.name, strings.TrimSpace(msg), p.f.ramGB)
		case errors.Is(err, binarynet.ErrInvalidParameter):
			return nil, nil, usagef("scenario %q: %v", p.name, err)
		}
		return nil, nil, err
	}
	return nw, layout, nil
}

// describe returns the network of the plan before Initialize, after
// checking that its weights can fit in the budget.
func (p *plan) describe() (*binarynet.Network, *binarynet.ClusteredLayout, error) {
	if c := p.model.clustered; c != nil {
		if err := p.checkClusteredSize(); err != nil {
			return nil, nil, err
		}
		nw, layout, err := binarynet.NewClusteredNetwork(p.name, c.Clustered)
		if err != nil {
			return nil, nil, p.clusteredError(err)
		}
		return nw, layout, nil
	}
	nw, _, err := p.model.scenario.Build(p.name)
	if err != nil {
		return nil, nil, usagef("%s: scenario %q: %v", p.configLabel(), p.name, err)
	}
	return nw, nil, nil
}

// checkClusteredSize refuses a clustered network whose weights cannot fit
// in the -ram budget, before its 4 Q^2 synapse blocks are built (which
// takes minutes for Q in the thousands). It bounds the weights' memory
// from below: the smaller of a dense float32 matrix and 8 bytes per
// expected synapse, so it never refuses a network that Initialize, whose
// estimate is complete, would accept.
func (p *plan) checkClusteredSize() error {
	c := p.model.clustered.Clustered
	m, err := c.Matrices()
	if err != nil {
		return p.clusteredError(err)
	}
	q := float64(c.Q)
	size := [2]float64{float64(c.NE), float64(c.NI)}
	n := q*(size[0]+size[1]) + 1
	var synapses float64
	for post := range 2 {
		for pre := range 2 {
			pairs := size[post] * size[pre]
			synapses += q*pairs*m.PPlus[post][pre] + q*(q-1)*pairs*m.PMinus[post][pre]
		}
	}
	synapses = max(0, synapses-n) // at most one autapse per unit is left out
	dense, sparse := n*n*4, synapses*8
	var need float64
	switch p.mode {
	case binarynet.WeightDense:
		need = dense
	case binarynet.WeightSparse:
		need = sparse
	default:
		need = min(dense, sparse)
	}
	if budget := p.f.ramGB * (1 << 30); need > budget {
		return usagef("scenario %q: the clustered network of %.0f units and about %.3g synapses needs at least %.3g GiB for its weights, more than -ram %g",
			p.name, n, synapses, need/(1<<30), p.f.ramGB)
	}
	return nil
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
	if need := binarynet.DiffLogBytes(int64(steps)); need > p.f.ramGB*(1<<30) {
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
			if _, s.layout, err = p.describe(); err != nil {
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

// appendLog returns a followed by b, reusing b when a is empty.
func appendLog(a, b binarynet.DiffLog) binarynet.DiffLog {
	if a.Len() == 0 {
		return b
	}
	return binarynet.DiffLog{
		Updates: append(a.Updates[:len(a.Updates):len(a.Updates)], b.Updates...),
		Deltas:  append(a.Deltas[:len(a.Deltas):len(a.Deltas)], b.Deltas...),
	}
}
