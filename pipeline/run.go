package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/binarynet/binarynet"
)

// RunOptions are the settings of a run that are not part of the
// configuration.
type RunOptions struct {
	// SaveStates also writes neuron_states (samples x N uint8, streamed)
	// into the trace file.
	SaveStates bool
	// Pictures also writes raster.png and rates.png into the folder.
	Pictures bool
	// Width and Height are the size of the pictures in pixels (default
	// 1400 x 800).
	Width, Height int
	// RAMBudgetGB, when > 0, replaces binary.ram_budget_gb as the memory
	// budget of the engine (the weight mode is still chosen from the
	// configuration's budget, as the toolkit does).
	RAMBudgetGB float64
	// Workers is the number of goroutines that build the network and that
	// compress each output file; 0 means GOMAXPROCS (for compression, at
	// most 4). With 1 the run uses one thread: the weights file is written
	// before the network runs instead of beside it, and every file is
	// compressed on the writing goroutine. The files do not depend on it.
	Workers int
	// Checkpoint makes a cancelled run save its state into the folder
	// (CheckpointFile and ResumeFile) and return an *InterruptedError;
	// [Resume] continues it. Without it a cancelled run leaves nothing.
	Checkpoint bool
	// Progress, when not nil, is called as the run advances with the
	// updates done and the total (warm-up and recorded run).
	Progress func(done, total int64)
	// Recorded, when not nil, is called once the files are written and
	// before they are committed, with the states when recording began, the
	// diff log of the recorded run and the ranges of the populations in
	// the order of the trace, which it must not change. An error from it
	// is Run's, and then nothing is committed. It lets a caller analyse
	// the run without reading the trace back.
	Recorded func(initial []int8, log binarynet.DiffLog, ranges []binarynet.Range) error
}

// Summary describes a finished run.
type Summary struct {
	// Dir is the folder written; Files the names of the files written in
	// it, the summary last.
	Dir   string
	Files []string
	// Names are the population names, E0..E(Q-1), I0..I(Q-1); MeanRates
	// the mean over the samples of each population's activity.
	Names     []string
	MeanRates map[string]float64
	// MeanE and MeanI are the mean activities of all E and all I units.
	MeanE, MeanI float64
	// Samples is the number of rate samples, Neurons the number of units,
	// Synapses the number of stored non-zero weights, LoggedSteps the
	// length of the diff log and Onsets the number of 0 -> 1 transitions.
	Samples, Neurons    int
	Synapses            int64
	LoggedSteps, Onsets int64
	// StepMS is the duration of one update in ms: 1 / sum_k(N_k / tau_k),
	// the mean interval between updates with continuous time.
	StepMS float64
	// FirstStepMS and LastStepMS are, with continuous time
	// (binary.continuous_time), the network times in ms of the first and
	// last recorded updates; 0 without it.
	FirstStepMS, LastStepMS float64
	// WeightMode ("dense" or "sparse") and WeightFormat ("dense" or "csr")
	// describe the weights file; AutapseRule the self-connection rule.
	WeightMode, WeightFormat, AutapseRule string
	// Seconds spent building (or restoring), warming up, running and
	// writing, and in total.
	BuildS, WarmupS, RunS, WriteS, TotalS float64
}

// InterruptedError is returned by Run and Resume when the context was
// cancelled and RunOptions.Checkpoint was set: the state of the run is in
// Dir, and Resume(ctx, Dir, opts) continues it.
type InterruptedError struct {
	Dir          string
	Steps, Total int64 // updates taken and in all
	Err          error // the context's error
}

func (e *InterruptedError) Error() string {
	return fmt.Sprintf("interrupted after %d of %d updates; state saved in %s", e.Steps, e.Total, e.Dir)
}

// Unwrap returns the context's error.
func (e *InterruptedError) Unwrap() error { return e.Err }

// Run builds the job's network, warms it up, records the run and writes
// the toolkit's files into dir (created if needed): <output_name>.npz,
// <output_name>_weights.npz, params.yaml and <output_name>_summary.yaml,
// plus the pictures and activity plots asked for. Every file is written
// to a temporary file first and renamed only after the whole run has
// succeeded, the summary last; on an error or a cancelled ctx no output
// file is left in dir (folders it created empty are removed; with
// RunOptions.Checkpoint a cancelled run leaves only its checkpoint).
func Run(ctx context.Context, j *Job, dir string, o RunOptions) (*Summary, error) {
	start := time.Now()
	p, err := j.ClusteredParams()
	if err != nil {
		return nil, err
	}
	opts, err := j.Options(o.RAMBudgetGB, o.Workers)
	if err != nil {
		return nil, err
	}
	if err := j.checkMemory(p, opts); err != nil {
		return nil, err
	}
	made, err := makeDirs(dir)
	if err != nil {
		return nil, err
	}
	nw, layout, err := binarynet.NewClusteredNetwork("clustered", p, opts)
	if err == nil {
		err = checkLayout(layout, j.Model.populations())
	}
	if err == nil {
		err = j.addStimuli(nw)
	}
	if err != nil {
		removeEmpty(made)
		return nil, err
	}
	st := &state{job: j, dir: dir, made: made, nw: nw, opts: o, start: start}
	return st.run(ctx)
}

// state is a run in progress.
type state struct {
	job     *Job
	dir     string
	made    []string // folders created, removed again on failure
	nw      *binarynet.Network
	opts    RunOptions
	start   time.Time
	initial []int8 // the state when recording began, nil before
	resumed bool
}

// run carries the run on from the network's step count to its end and
// writes the outputs.
func (st *state) run(ctx context.Context) (sum *Summary, err error) {
	j, o, nw := st.job, st.opts, st.nw
	if o.Width == 0 {
		o.Width = 1400
	}
	if o.Height == 0 {
		o.Height = 800
	}
	b := &j.Binary
	pops := j.Model.populations()
	out := &outputs{dir: st.dir, workers: o.Workers}
	defer func() {
		if err != nil {
			out.abort()
			var ie *InterruptedError
			if !errors.As(err, &ie) {
				removeEmpty(st.made)
			}
		}
	}()
	sum = &Summary{Dir: st.dir, Neurons: nw.N(), WeightMode: b.WeightMode, AutapseRule: b.AutapseRule, StepMS: j.Model.StepMS()}
	for _, p := range pops {
		sum.Names = append(sum.Names, p.Name)
	}
	sum.BuildS = time.Since(st.start).Seconds()
	// The weights file is written on another goroutine while the network
	// runs; on an early return it is stopped and waited for.
	stop := make(chan struct{})
	waitWeights, err := out.weights(j, nw, pops, stop)
	if err != nil {
		return nil, err
	}
	weightsDone := false
	defer func() {
		if !weightsDone {
			close(stop)
			waitWeights()
		}
	}()

	total := b.WarmupSteps + b.SimulationSteps
	t := time.Now()
	if left := b.WarmupSteps - nw.Steps(); left > 0 {
		if err := st.advance(ctx, left, total); err != nil {
			return nil, err
		}
	}
	sum.WarmupS = time.Since(t).Seconds()
	if st.initial == nil {
		if st.initial, err = nw.State(nil); err != nil {
			return nil, err
		}
		if err := nw.EnableDiffLogging(int(b.SimulationSteps)); err != nil {
			return nil, err
		}
		if f := b.FieldLog; f != nil {
			if err := nw.EnableFieldLogging(f.spec(pops), int(b.SimulationSteps)); err != nil {
				return nil, fmt.Errorf("%s: %w", fieldLogKey, err)
			}
		}
	}
	t = time.Now()
	if err := st.advance(ctx, total-nw.Steps(), total); err != nil {
		return nil, err
	}
	sum.RunS = time.Since(t).Seconds()
	log := nw.ConsumeDiffLog()
	if int64(log.Len()) != b.SimulationSteps {
		return nil, fmt.Errorf("pipeline: the diff log has %d steps, want %d", log.Len(), b.SimulationSteps)
	}

	t = time.Now()
	ramGB := b.RAMBudgetGB
	if o.RAMBudgetGB > 0 {
		ramGB = o.RAMBudgetGB
	}
	rec := &record{job: j, pops: pops, initial: st.initial, log: log, ramGB: ramGB}
	var fieldEntry map[string]any
	if b.FieldLog != nil {
		fl := nw.ConsumeFieldLog()
		rec.fields = &fl
		if rec.drive, err = j.fieldDrive(); err != nil {
			return nil, err
		}
		fieldEntry = fieldSummary(b.FieldLog, rec)
	}
	if err := out.trace(rec, o.SaveStates, sum); err != nil {
		return nil, err
	}
	if err := out.pictures(rec, o, nw.N()); err != nil {
		return nil, err
	}
	if err := out.params(j); err != nil {
		return nil, err
	}
	weightsDone = true
	if sum.Synapses, sum.WeightFormat, err = waitWeights(); err != nil {
		return nil, err
	}
	sum.WriteS = time.Since(t).Seconds()
	if o.Recorded != nil {
		if err := o.Recorded(st.initial, log, ranges(pops)); err != nil {
			return nil, err
		}
	}
	sum.TotalS = time.Since(st.start).Seconds()
	if err := out.summary(j, sum, fieldEntry); err != nil {
		return nil, err
	}
	if err := out.commit(); err != nil {
		return nil, err
	}
	if st.resumed {
		os.Remove(filepath.Join(st.dir, ResumeFile))
		os.Remove(filepath.Join(st.dir, CheckpointFile))
	}
	sum.Files = out.names()
	return sum, nil
}

// StepMS returns the duration of one update in ms, 1 / (N_E / tau_e +
// N_I / tau_i): the network makes sum_k N_k / tau_k updates per ms.
func (m *Model) StepMS() float64 {
	return 1 / (float64(m.NE)/m.TauE + float64(m.NI)/m.TauI)
}

// advance runs steps updates in batches of batch_size, in chunks so that
// progress can be reported and ctx is checked often. When ctx is
// cancelled it saves the checkpoint if asked to.
func (st *state) advance(ctx context.Context, steps, total int64) error {
	const chunk = 1 << 16
	nw, b := st.nw, &st.job.Binary
	for left := steps; left > 0; {
		n := min(chunk, left)
		if err := nw.RunContext(ctx, int(n), int(min(b.BatchSize, n))); err != nil {
			ctxErr := ctx.Err()
			if ctxErr == nil {
				return err
			}
			if !st.opts.Checkpoint {
				return fmt.Errorf("interrupted after %d of %d updates; nothing written: %w", nw.Steps(), total, ctxErr)
			}
			if err := st.save(); err != nil {
				return fmt.Errorf("interrupted after %d of %d updates, and saving the checkpoint failed: %v: %w", nw.Steps(), total, err, ctxErr)
			}
			return &InterruptedError{Dir: st.dir, Steps: nw.Steps(), Total: total, Err: ctxErr}
		}
		left -= n
		if st.opts.Progress != nil {
			st.opts.Progress(nw.Steps(), total)
		}
	}
	return nil
}

// makeDirs creates dir and its missing parents and returns the folders it
// created, deepest first.
func makeDirs(dir string) ([]string, error) {
	var made []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		made = append(made, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		removeEmpty(made)
		return nil, err
	}
	if st, err := os.Stat(dir); err != nil {
		return nil, err
	} else if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	return made, nil
}

// removeEmpty removes the folders made by makeDirs, deepest first, while
// they are empty.
func removeEmpty(made []string) {
	for _, d := range made {
		if os.Remove(d) != nil {
			return
		}
	}
}
