package binarynet

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/binarynet/binarynet/internal/atomicfile"
)

// RestoreOptions adjusts how ReadCheckpoint and LoadCheckpoint rebuild a
// network. A nil *RestoreOptions, like the zero value, restores the
// network exactly as it was saved.
type RestoreOptions struct {
	// RAMBudgetGB, when positive, replaces the saved Options.RAMBudgetGB,
	// for example on a machine with less memory. The weights and each
	// pending log of the checkpoint are checked against the budget before
	// they are allocated, as Initialize and EnableDiffLogging do.
	RAMBudgetGB float64
	// ActivityFuncs re-supplies, by population name, the ActivityFunc of
	// every BackgroundActivity that had one when the checkpoint was
	// written: a function cannot be saved. Each such population must be
	// given one, and a name that does not denote such a population is an
	// error. The continued run is bit-identical to an uninterrupted one
	// only if the functions return the same values as the original ones.
	ActivityFuncs map[string]func(step int64) float64
	// Gains re-supplies, by population name, a Gain that the checkpoint
	// could not store (a GainFunc or a type of the caller's), under the
	// same rules as ActivityFuncs. ErfcGain, GinzburgGain and
	// LogisticGain are stored.
	Gains map[string]Gain
}

// WriteCheckpoint writes the complete state of an initialized network to
// w: unit states, fields, thresholds, weights, populations (with their
// background rules), options, step count, the states of the selection and
// background random generators, the pending diff and step logs, the
// adaptation state, the stimulus schedule (see AddStimulus), the pending
// field log (see EnableFieldLogging) and, with Options.ContinuousTime, the
// time, the time stream and the times of the pending diff log. A network
// read back with ReadCheckpoint continues bit for bit as this one would;
// its logs hold the steps and samples taken before the checkpoint and
// after it. The network is not modified. Errors wrap ErrCheckpoint and the
// writer's error; a field log part name longer than 65536 bytes
// (FieldLogSpec.Groups) cannot be stored.
//
// The format is versioned and checksummed (CRC-32C over a header holding
// every size, and over the whole stream). The weights are stored as they
// are held in memory, so a checkpoint is about as large as the network.
//
// The ActivityFunc of a BackgroundActivity cannot be saved; the checkpoint
// records that the population had one, and ReadCheckpoint requires it to
// be supplied again through RestoreOptions.ActivityFuncs.
func (nw *Network) WriteCheckpoint(w io.Writer) error {
	if !nw.Initialized() {
		return orderError("WriteCheckpoint before Initialize")
	}
	h, err := nw.checkpointHeader()
	if err != nil {
		return err
	}
	hdr := encodeHeader(h)
	if len(hdr) > maxCheckpointHeader {
		return checkpointError("header of %d bytes exceeds the format's limit of %d (too many populations or too long names)", len(hdr), maxCheckpointHeader)
	}
	cw := &ckptWriter{w: w}
	cw.writeHeader(hdr)
	nw.num.writeArrays(cw)
	d := nw.diff
	if d.updates != nil {
		writeElems(cw, d.updates[:d.filled])
		writeElems(cw, d.deltas[:d.filled])
	}
	s := nw.stepLog
	if s.states != nil {
		writeElems(cw, s.states[:s.filled*s.width])
	}
	for _, a := range nw.adapt {
		writeElems(cw, a.thresh)
		writeElems(cw, a.last)
	}
	if len(h.records) > 0 {
		cw.write(h.records)
	}
	if cw.err == nil && cw.written != checkpointPrefix+int64(len(hdr))+4+h.bodyLen {
		return checkpointError("internal error: wrote %d bytes, header announces %d", cw.written, checkpointPrefix+int64(len(hdr))+4+h.bodyLen)
	}
	cw.writeTrailer()
	if cw.err != nil {
		return fmt.Errorf("%w: writing: %w", ErrCheckpoint, cw.err)
	}
	return nil
}

// checkpointHeader collects everything but the bulk arrays. It is the only
// place, with writeArrays and restoreEngine, that reads the network's
// internals for checkpointing.
func (nw *Network) checkpointHeader() (*ckptHeader, error) {
	h := &ckptHeader{name: nw.Name, opts: nw.opts, fromData: nw.fromData, steps: nw.steps, n: nw.size()}
	for _, s := range nw.specs {
		p := ckptPop{name: s.name, n: s.n, tau: s.tau, threshold: s.threshold}
		p.gain, p.gainParams = gainCode(s.gain)
		if p.gain != gainNone {
			h.gains = true
		}
		if s.adapt.on() {
			p.adapt, h.adapts = s.adapt, true
		}
		switch s.kind {
		case kindNeuron:
			p.kind = ckptNeuron
		case kindBackground, kindBackgroundRnd:
			p.kind = ckptBackground
			if s.kind == kindBackgroundRnd {
				p.kind = ckptBackgroundRnd
			}
			p.hasFunc = s.activityFunc
			if !p.hasFunc {
				p.activity = s.activity(0)
			}
		default:
			return nil, checkpointError("population %q has a kind (%d) the checkpoint format does not know", s.name, s.kind)
		}
		if len(p.name) > maxCheckpointName {
			return nil, checkpointError("population name of %d bytes exceeds %d", len(p.name), maxCheckpointName)
		}
		h.pops = append(h.pops, p)
	}
	if len(h.name) > maxCheckpointName {
		return nil, checkpointError("network name of %d bytes exceeds %d", len(h.name), maxCheckpointName)
	}
	var err error
	if h.sel, err = nw.selSrc.MarshalBinary(); err != nil {
		return nil, checkpointError("selection generator: %w", err)
	}
	if h.bg, err = nw.bgSrc.MarshalBinary(); err != nil {
		return nil, checkpointError("background generator: %w", err)
	}
	if h.gains {
		if h.gain, err = nw.gainSrc.MarshalBinary(); err != nil {
			return nil, checkpointError("gain generator: %w", err)
		}
	}
	h.nnz = nw.num.storedEntries()
	if nw.diff.updates != nil {
		h.diffCap, h.diffFilled = int64(len(nw.diff.updates)), int64(nw.diff.filled)
	}
	if nw.stepLog.states != nil {
		h.stepCap, h.stepFilled = int64(len(nw.stepLog.states)/nw.stepLog.width), int64(nw.stepLog.filled)
	}
	recs, err := nw.checkpointRecords()
	if err != nil {
		return nil, err
	}
	h.records = encodeRecords(recs)
	h.recordsLen = int64(len(h.records))
	h.bodyLen = int64(h.computeBodyLen())
	return h, nil
}

// writeArrays writes the state, field, thresholds and weights.
func (e *engine[T]) writeArrays(cw *ckptWriter) {
	writeElems(cw, e.state)
	writeElems(cw, e.field)
	writeElems(cw, e.baseThresholds())
	if e.dense != nil {
		writeElems(cw, e.dense)
		return
	}
	m := e.sparse
	nnz := m.nnz()
	writeElems(cw, m.indptr)
	r := m.columns()
	n := len(m.indptr) - 1
	if m.rows != nil {
		writeElems(cw, m.rows[:nnz])
	} else {
		for c := range n {
			writeElems(cw, r.rows(c))
		}
	}
	if m.implied == nil {
		writeElems(cw, m.vals[:nnz])
		return
	}
	for c := range n {
		writeElems(cw, r.vals(c))
	}
}

// restoreEngine builds an engine from checkpointed arrays, with the flip
// kernel's copy when it pays and fits.
func restoreEngine[T float32 | float64](opts Options, state []int8, field, thresh, dense []T, sp *csc[T]) *engine[T] {
	e := &engine[T]{state: state, field: field, thresh: thresh, dense: dense, sparse: sp}
	e.prepareGivenKernel(opts)
	return e
}

// ReadCheckpoint reads a network written by WriteCheckpoint. It consumes
// exactly the checkpoint's bytes from r. opts may be nil.
//
// The restored network has new Population values, in the saved order, with
// the saved parameters (Populations returns them); it has no synapse rules
// and no Initializer, as both served only Initialize. Errors wrap
// ErrCheckpoint: a checkpoint that is truncated, fails its checksum, has
// an unknown version or inconsistent contents is never returned as a
// network. Every size is checked against the others, against the bytes
// available when r reports its length (*os.File, *bytes.Reader, ...), and
// against the RAM budget before it is allocated.
func ReadCheckpoint(r io.Reader, opts *RestoreOptions) (*Network, error) {
	ro, err := checkRestoreOptions(r, opts)
	if err != nil {
		return nil, err
	}
	cr := &ckptReader{r: r, known: remainingSize(r)}
	hdr, err := cr.readHeader()
	if err != nil {
		return nil, err
	}
	h, err := decodeHeader(hdr, ro.RAMBudgetGB)
	if err != nil {
		return nil, err
	}
	pops, specs, err := restorePopulations(h, ro.ActivityFuncs, ro.Gains)
	if err != nil {
		return nil, err
	}
	num, logs, err := readBody(cr, h)
	if err != nil {
		return nil, err
	}
	nw := &Network{Name: h.name, pops: pops, fromData: h.fromData}
	starts := make([]int, len(specs)+1)
	for k, s := range specs {
		starts[k+1] = starts[k] + s.n
	}
	nw.finish(h.opts, specs, starts, num)
	if err := nw.selSrc.UnmarshalBinary(h.sel); err != nil {
		return nil, checkpointError("selection generator state: %w", err)
	}
	if err := nw.bgSrc.UnmarshalBinary(h.bg); err != nil {
		return nil, checkpointError("background generator state: %w", err)
	}
	if h.gains {
		if err := nw.gainSrc.UnmarshalBinary(h.gain); err != nil {
			return nil, checkpointError("gain generator state: %w", err)
		}
	}
	nw.steps = h.steps
	if err := logs.installAdaptation(nw); err != nil {
		return nil, err
	}
	logs.install(nw, h)
	if err := nw.installRecords(logs.records); err != nil {
		return nil, err
	}
	return nw, nil
}

// checkRestoreOptions checks ReadCheckpoint's arguments and returns the
// options in force.
func checkRestoreOptions(r io.Reader, opts *RestoreOptions) (RestoreOptions, error) {
	var ro RestoreOptions
	if r == nil {
		return ro, paramError("checkpoint reader", nil, "must not be nil")
	}
	if opts != nil {
		ro = *opts
	}
	if math.IsNaN(ro.RAMBudgetGB) || math.IsInf(ro.RAMBudgetGB, 0) || ro.RAMBudgetGB < 0 {
		return ro, paramError("RestoreOptions.RAMBudgetGB", ro.RAMBudgetGB, "must be >= 0 and finite")
	}
	return ro, nil
}

// readBody reads the body and the trailing checksum, verifies it, and
// returns the engine and the pending logs, checked.
func readBody(cr *ckptReader, h *ckptHeader) (numeric, *ckptLogs, error) {
	if err := cr.need(h.bodyLen+4, "body"); err != nil {
		return nil, nil, err
	}
	buildEngine, err := engineFor(h.opts.WeightType).read(cr, h)
	if err != nil {
		return nil, nil, err
	}
	logs, err := readLogs(cr, h)
	if err != nil {
		return nil, nil, err
	}
	if err := cr.readTrailer(); err != nil {
		return nil, nil, err
	}
	if logs.rawRecords != nil {
		if logs.records, err = decodeRecords(logs.rawRecords); err != nil {
			return nil, nil, err
		}
	}
	num, err := buildEngine()
	if err != nil {
		return nil, nil, err
	}
	if err := logs.check(h.n); err != nil {
		return nil, nil, err
	}
	return num, logs, nil
}

// ckptLogs holds the filled part of the pending logs of a checkpoint.
type ckptLogs struct {
	diffU []int32
	diffD []int8
	steps []int8
	// The adaptation state that follows the logs in the body: thresholds
	// and last-update steps of the adaptive populations' units, in
	// population order.
	adaptThresh []float64
	adaptLast   []int64
	// The records section that closes the body, as read and, once the
	// checksum is verified, parsed.
	rawRecords []byte
	records    []ckptRecord
}

// installAdaptation checks the stored adaptation state and puts it into
// the adaptive populations of nw, whose step count is restored.
func (l *ckptLogs) installAdaptation(nw *Network) error {
	at := 0
	for _, a := range nw.adapt {
		n := len(a.thresh)
		for i := range n {
			th, last := l.adaptThresh[at+i], l.adaptLast[at+i]
			if !isFinite(th) || last < 0 || last > nw.steps {
				return checkpointError("adaptation state of unit %d: threshold %v, last update at step %d of %d", a.start+i, th, last, nw.steps)
			}
		}
		copy(a.thresh, l.adaptThresh[at:at+n])
		copy(a.last, l.adaptLast[at:at+n])
		at += n
	}
	return nil
}

// readLogs reads the filled part of the pending logs.
func readLogs(cr *ckptReader, h *ckptHeader) (*ckptLogs, error) {
	l := &ckptLogs{}
	var err error
	if h.diffCap > 0 {
		if l.diffU, err = readElems[int32](cr, h.diffFilled, "diff log"); err != nil {
			return nil, err
		}
		if l.diffD, err = readElems[int8](cr, h.diffFilled, "diff log"); err != nil {
			return nil, err
		}
	}
	if h.stepCap > 0 {
		if l.steps, err = readElems[int8](cr, h.stepFilled*int64(h.n), "step log"); err != nil {
			return nil, err
		}
	}
	for _, p := range h.pops {
		if p.kind != ckptNeuron || !p.adapt.on() {
			continue
		}
		th, err := readElems[float64](cr, int64(p.n), "adaptive thresholds")
		if err != nil {
			return nil, err
		}
		last, err := readElems[int64](cr, int64(p.n), "adaptation steps")
		if err != nil {
			return nil, err
		}
		l.adaptThresh, l.adaptLast = append(l.adaptThresh, th...), append(l.adaptLast, last...)
	}
	if h.recordsLen > 0 {
		if l.rawRecords, err = readElems[uint8](cr, h.recordsLen, "records"); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// check validates the logs against a network of n units.
func (l *ckptLogs) check(n int) error {
	if err := checkDiffLog(n, DiffLog{Updates: l.diffU, Deltas: l.diffD}); err != nil {
		return fmt.Errorf("%w: pending diff log: %w", ErrCheckpoint, err)
	}
	if err := checkBinary("pending step log", l.steps); err != nil {
		return fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	return nil
}

// install gives nw the pending logs, with the capacities of the header.
func (l *ckptLogs) install(nw *Network, h *ckptHeader) {
	if h.diffCap > 0 {
		nw.diff = diffBuffer{updates: make([]int32, h.diffCap), deltas: make([]int8, h.diffCap), filled: int(h.diffFilled)}
		copy(nw.diff.updates, l.diffU)
		copy(nw.diff.deltas, l.diffD)
	}
	if h.stepCap > 0 {
		nw.stepLog = stepBuffer{states: make([]int8, h.stepCap*int64(h.n)), width: h.n, filled: int(h.stepFilled)}
		copy(nw.stepLog.states, l.steps)
	}
}

// restorePopulations rebuilds the populations and their validated specs.
func restorePopulations(h *ckptHeader, funcs map[string]func(int64) float64, gains map[string]Gain) ([]Population, []popSpec, error) {
	pops := make([]Population, len(h.pops))
	specs := make([]popSpec, len(h.pops))
	used := map[string]bool{}
	usedGain := map[string]bool{}
	for k, p := range h.pops {
		var pop Population
		switch p.kind {
		case ckptNeuron:
			g, err := gainFromCode(p.name, p.gain, p.gainParams, gains)
			if err != nil {
				return nil, nil, err
			}
			if p.gain == gainFunc {
				if usedGain[p.name] {
					return nil, nil, checkpointError("two populations named %q had a gain function: RestoreOptions.Gains cannot tell them apart", p.name)
				}
				usedGain[p.name] = true
			}
			pop = &BinaryNeuronPopulation{Name: p.name, N: p.n, Tau: p.tau, Threshold: p.threshold, Gain: g, Adaptation: p.adapt}
		default:
			b := &BackgroundActivity{Name: p.name, N: p.n, Tau: p.tau, Activity: p.activity, Stochastic: p.kind == ckptBackgroundRnd}
			if p.hasFunc {
				f := funcs[p.name]
				if f == nil {
					return nil, nil, checkpointError("background population %q had an ActivityFunc: supply it in RestoreOptions.ActivityFuncs", p.name)
				}
				if used[p.name] {
					return nil, nil, checkpointError("two background populations named %q had an ActivityFunc: RestoreOptions.ActivityFuncs cannot tell them apart", p.name)
				}
				used[p.name] = true
				b.ActivityFunc = f
			}
			pop = b
		}
		s, err := pop.spec()
		if err != nil {
			return nil, nil, fmt.Errorf("%w: population %d: %w", ErrCheckpoint, k, err)
		}
		pops[k], specs[k] = pop, s
	}
	for name := range funcs {
		if !used[name] {
			return nil, nil, paramError("RestoreOptions.ActivityFuncs key", fmt.Sprintf("%q", name), "is not a background population with an ActivityFunc in the checkpoint")
		}
	}
	for name := range gains {
		if !usedGain[name] {
			return nil, nil, paramError("RestoreOptions.Gains key", fmt.Sprintf("%q", name), "is not a population with a gain function in the checkpoint")
		}
	}
	return pops, specs, nil
}

// ckptArrays holds the bulk arrays of a checkpoint between reading them
// and checking them.
type ckptArrays[T float32 | float64] struct {
	state         []int8
	field, thresh []T
	dense         []T
	sparse        *csc[T]
}

// readEngine reads the state, field, thresholds and weights. The returned
// function, called once the checksum has been verified, checks their
// invariants and builds the engine.
func readEngine[T float32 | float64](cr *ckptReader, h *ckptHeader) (func() (numeric, error), error) {
	n := int64(h.n)
	var a ckptArrays[T]
	var err error
	if a.state, err = readElems[int8](cr, n, "state"); err != nil {
		return nil, err
	}
	if a.field, err = readElems[T](cr, n, "field"); err != nil {
		return nil, err
	}
	if a.thresh, err = readElems[T](cr, n, "thresholds"); err != nil {
		return nil, err
	}
	if h.opts.WeightMode == WeightDense {
		if a.dense, err = readElems[T](cr, n*n, "weights"); err != nil {
			return nil, err
		}
	} else {
		a.sparse = &csc[T]{}
		if a.sparse.indptr, err = readElems[int64](cr, n+1, "weights"); err != nil {
			return nil, err
		}
		if a.sparse.rows, err = readElems[int32](cr, h.nnz, "weights"); err != nil {
			return nil, err
		}
		if a.sparse.vals, err = readElems[T](cr, h.nnz, "weights"); err != nil {
			return nil, err
		}
	}
	return func() (numeric, error) { return a.build(h.n, h.opts) }, nil
}

// build checks the arrays and returns the engine. The checks cannot fail
// for a file that passed its checksum unless something else wrote it; they
// keep a crafted file from producing a network that panics or breaks the
// invariants Initialize guarantees. Weights and fields may hold any value:
// weights that sum beyond the range of the weight type are ±Inf (or NaN)
// in a running network too.
func (a *ckptArrays[T]) build(n int, opts Options) (numeric, error) {
	if err := checkBinary("state", a.state); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	for i, v := range a.thresh {
		if !isFinite(v) {
			return nil, checkpointError("threshold[%d] = %v is not finite", i, v)
		}
	}
	if a.sparse != nil {
		if err := checkCSC(a.sparse, n); err != nil {
			return nil, err
		}
	}
	return restoreEngine(opts, a.state, a.field, a.thresh, a.dense, a.sparse), nil
}

func isFinite[T float32 | float64](v T) bool {
	f := float64(v)
	return !math.IsNaN(f) && !math.IsInf(f, 0)
}

// SaveCheckpoint writes the network's checkpoint to the file at path
// atomically: it writes a temporary file in the same directory, syncs it
// to stable storage, renames it over path and syncs the directory. Either
// the old file or the complete new one is at path, whatever happens; on
// error the temporary file is removed. The file is created with mode 0644.
func (nw *Network) SaveCheckpoint(path string) error {
	if !nw.Initialized() {
		return orderError("SaveCheckpoint before Initialize")
	}
	if _, base := filepath.Split(path); base == "" {
		return paramError("checkpoint path", fmt.Sprintf("%q", path), "must name a file")
	}
	var werr error // WriteCheckpoint's own error, returned as is
	err := atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
		werr = nw.WriteCheckpoint(w)
		return werr
	})
	if werr != nil {
		return werr
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	return nil
}

// LoadCheckpoint reads the checkpoint file at path, as ReadCheckpoint
// does. The file must hold exactly one checkpoint. opts may be nil.
func LoadCheckpoint(path string, opts *RestoreOptions) (*Network, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	defer f.Close()
	nw, err := ReadCheckpoint(f, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var one [1]byte
	if k, _ := f.Read(one[:]); k != 0 {
		return nil, checkpointError("%s: unexpected data after the checkpoint", path)
	}
	return nw, nil
}
