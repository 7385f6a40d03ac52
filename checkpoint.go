package binarynet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/binarynet/binarynet/internal/atomicfile"
)

// ErrCheckpoint reports a checkpoint that cannot be written or read back:
// a truncated, corrupted or foreign file, an unsupported format version,
// or a network that cannot be rebuilt from it. Errors from ReadCheckpoint,
// LoadCheckpoint, WriteCheckpoint and SaveCheckpoint wrap it (and, where
// there is one, the underlying I/O error or ErrMemoryBudget).
var ErrCheckpoint = errors.New("binarynet: invalid checkpoint")

// Checkpoint format, version 1. All integers and floats are little-endian.
//
//	magic      8 bytes  "BNETCKPT"
//	version    uint32   1
//	hdrLen     uint32   length of the header, at most maxCheckpointHeader
//	header     hdrLen bytes (see encodeHeader)
//	hdrCRC     uint32   CRC-32C of magic, version, hdrLen and header
//	body       bodyLen bytes: state, field, thresholds, weights, logs
//	trailer    uint32   CRC-32C of everything before it
//
// The header holds every size the body depends on, so it is verified
// before anything is allocated for the body.
const (
	checkpointMagic     = "BNETCKPT"
	checkpointVersion   = 1
	checkpointPrefix    = 16      // magic, version, hdrLen
	maxCheckpointHeader = 1 << 24 // bytes
	maxCheckpointName   = 1 << 16 // bytes per name
	maxCheckpointPCG    = 64      // bytes of a marshalled PCG state
	checkpointChunk     = 1 << 16 // bytes per read or write of the body
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Population kinds as stored in a checkpoint; independent of popKind's
// values so that the format does not change when the code does.
const (
	ckptNeuron        = 1
	ckptBackground    = 2
	ckptBackgroundRnd = 3
)

func checkpointError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCheckpoint}, args...)...)
}

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
}

// ckptPop is one population as stored in a checkpoint.
type ckptPop struct {
	kind      uint8
	hasFunc   bool // BackgroundActivity with an ActivityFunc
	name      string
	n         int
	tau       float64
	threshold float64
	activity  float64 // constant background activity
}

// ckptHeader is the decoded header: everything but the bulk arrays.
type ckptHeader struct {
	name       string
	opts       Options
	fromData   bool
	steps      int64
	n          int
	nnz        int64 // stored entries in sparse mode, 0 in dense mode
	pops       []ckptPop
	sel, bg    []byte // marshalled PCG states
	diffCap    int64  // 0: diff logging off
	diffFilled int64
	stepCap    int64 // rows; 0: step logging off
	stepFilled int64 // rows
	bodyLen    int64
}

// elemSize returns the stored size of one weight, field or threshold.
func (h *ckptHeader) elemSize() int64 { return h.opts.WeightType.size() }

// weightBytes returns the size of the stored weights.
func (h *ckptHeader) weightBytes() float64 {
	n := float64(h.n)
	if h.opts.WeightMode == WeightDense {
		return n * n * float64(h.elemSize())
	}
	return (n+1)*8 + float64(h.nnz)*float64(4+h.elemSize())
}

// computeBodyLen returns the body length the sizes imply, as a float64 so
// that absurd sizes cannot overflow.
func (h *ckptHeader) computeBodyLen() float64 {
	n := float64(h.n)
	return n*(1+2*float64(h.elemSize())) + h.weightBytes() +
		float64(h.diffFilled)*5 + float64(h.stepFilled)*n
}

// WriteCheckpoint writes the complete state of an initialized network to
// w: unit states, fields, thresholds, weights, populations (with their
// background rules), options, step count, the states of the selection and
// background random generators, and the pending diff and step logs. A
// network read back with ReadCheckpoint continues bit for bit as this one
// would. The network is not modified. Errors wrap ErrCheckpoint and the
// writer's error.
//
// The format is versioned and checksummed (CRC-32C over a header holding
// every size, and over the whole stream). The weights are stored as they
// are held in memory, so a checkpoint is about as large as the network.
//
// The ActivityFunc of a BackgroundActivity cannot be saved; the checkpoint
// records that the population had one, and ReadCheckpoint requires it to
// be supplied again through RestoreOptions.ActivityFuncs.
func (nw *Network) WriteCheckpoint(w io.Writer) error {
	if !nw.initialized {
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
	prefix := make([]byte, 0, checkpointPrefix)
	prefix = append(prefix, checkpointMagic...)
	prefix = binary.LittleEndian.AppendUint32(prefix, checkpointVersion)
	prefix = binary.LittleEndian.AppendUint32(prefix, uint32(len(hdr)))
	hcrc := crc32.Update(crc32.Checksum(prefix, castagnoli), castagnoli, hdr)
	cw.write(prefix)
	cw.write(hdr)
	cw.write(binary.LittleEndian.AppendUint32(nil, hcrc))
	switch e := nw.num.(type) {
	case *engine[float32]:
		writeEngine(cw, e)
	case *engine[float64]:
		writeEngine(cw, e)
	default:
		panic("binarynet: unknown engine type")
	}
	d := nw.diff
	if d.updates != nil {
		writeElems(cw, d.updates[:d.filled])
		writeElems(cw, d.deltas[:d.filled])
	}
	s := nw.stepLog
	if s.states != nil {
		writeElems(cw, s.states[:s.filled*s.width])
	}
	if cw.err == nil && cw.written != checkpointPrefix+int64(len(hdr))+4+h.bodyLen {
		return checkpointError("internal error: wrote %d bytes, header announces %d", cw.written, checkpointPrefix+int64(len(hdr))+4+h.bodyLen)
	}
	cw.write(binary.LittleEndian.AppendUint32(nil, cw.crc))
	if cw.err != nil {
		return fmt.Errorf("%w: writing: %w", ErrCheckpoint, cw.err)
	}
	return nil
}

// checkpointHeader collects everything but the bulk arrays. It is the only
// place, with writeEngine and restoreEngine, that reads the network's
// internals for checkpointing.
func (nw *Network) checkpointHeader() (*ckptHeader, error) {
	h := &ckptHeader{name: nw.Name, opts: nw.opts, fromData: nw.fromData, steps: nw.steps, n: nw.n}
	for _, s := range nw.specs {
		p := ckptPop{name: s.name, n: s.n, tau: s.tau, threshold: s.threshold}
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
	switch e := nw.num.(type) {
	case *engine[float32]:
		h.nnz = engineNNZ(e)
	case *engine[float64]:
		h.nnz = engineNNZ(e)
	}
	if nw.diff.updates != nil {
		h.diffCap, h.diffFilled = int64(len(nw.diff.updates)), int64(nw.diff.filled)
	}
	if nw.stepLog.states != nil {
		h.stepCap, h.stepFilled = int64(len(nw.stepLog.states)/nw.stepLog.width), int64(nw.stepLog.filled)
	}
	h.bodyLen = int64(h.computeBodyLen())
	return h, nil
}

func engineNNZ[T float32 | float64](e *engine[T]) int64 {
	if e.sparse != nil {
		return e.sparse.nnz()
	}
	return 0
}

// writeEngine writes the state, field, thresholds and weights.
func writeEngine[T float32 | float64](cw *ckptWriter, e *engine[T]) {
	writeElems(cw, e.state)
	writeElems(cw, e.field)
	writeElems(cw, e.thresh)
	if e.dense != nil {
		writeElems(cw, e.dense)
		return
	}
	m := e.sparse
	nnz := m.nnz()
	writeElems(cw, m.indptr)
	writeElems(cw, m.rows[:nnz])
	writeElems(cw, m.vals[:nnz])
}

// restoreEngine builds an engine from checkpointed arrays.
func restoreEngine[T float32 | float64](n int, state []int8, field, thresh, dense []T, sp *csc[T]) *engine[T] {
	return &engine[T]{n: n, state: state, field: field, thresh: thresh, dense: dense, sparse: sp}
}

// encodeHeader serializes a header.
func encodeHeader(h *ckptHeader) []byte {
	var e ckptEnc
	var flags uint8
	if h.opts.Autapse {
		flags |= 1
	}
	if h.fromData {
		flags |= 2
	}
	e.u8(flags)
	e.u8(uint8(h.opts.WeightType))
	e.u8(uint8(h.opts.WeightMode))
	e.f64(h.opts.RAMBudgetGB)
	e.u64(h.opts.Seed)
	e.u64(uint64(h.opts.Workers))
	e.u64(uint64(h.steps))
	e.str(h.name)
	e.u64(uint64(h.n))
	e.u64(uint64(h.nnz))
	e.u32(uint32(len(h.pops)))
	for _, p := range h.pops {
		e.u8(p.kind)
		fn := uint8(0)
		if p.hasFunc {
			fn = 1
		}
		e.u8(fn)
		e.str(p.name)
		e.u64(uint64(p.n))
		e.f64(p.tau)
		e.f64(p.threshold)
		e.f64(p.activity)
	}
	e.str(string(h.sel))
	e.str(string(h.bg))
	e.u64(uint64(h.diffCap))
	e.u64(uint64(h.diffFilled))
	e.u64(uint64(h.stepCap))
	e.u64(uint64(h.stepFilled))
	e.u64(uint64(h.bodyLen))
	return e.b
}

// minPopBytes is the encoded size of a population with an empty name.
const minPopBytes = 1 + 1 + 4 + 8 + 8 + 8 + 8

// decodeHeader parses and validates a header whose checksum has been
// verified. budget, if positive, overrides the saved RAM budget.
func decodeHeader(b []byte, budget float64) (*ckptHeader, error) {
	d := ckptDec{b: b}
	h := &ckptHeader{}
	flags := d.u8()
	h.opts.Autapse = flags&1 != 0
	h.fromData = flags&2 != 0
	h.opts.WeightType = WeightType(d.u8())
	h.opts.WeightMode = WeightMode(d.u8())
	h.opts.RAMBudgetGB = d.f64()
	h.opts.Seed = d.u64()
	workers := d.u64()
	steps := d.u64()
	h.name = d.str(maxCheckpointName)
	n := d.u64()
	nnz := d.u64()
	npops := d.u32()
	if d.err != nil {
		return nil, d.err
	}
	if flags&^3 != 0 {
		return nil, checkpointError("unknown header flags %#x", flags)
	}
	if h.opts.WeightMode != WeightDense && h.opts.WeightMode != WeightSparse {
		return nil, checkpointError("weight mode %d is neither dense nor sparse", int(h.opts.WeightMode))
	}
	if !(h.opts.RAMBudgetGB > 0) {
		return nil, checkpointError("saved RAM budget %v GiB must be positive", h.opts.RAMBudgetGB)
	}
	if budget > 0 {
		h.opts.RAMBudgetGB = budget
	}
	if workers < 1 || workers > math.MaxInt32 {
		return nil, checkpointError("saved worker count %d out of range", workers)
	}
	h.opts.Workers = int(workers)
	if err := checkOptions(&h.opts); err != nil {
		return nil, fmt.Errorf("%w: saved options: %w", ErrCheckpoint, err)
	}
	if steps > math.MaxInt64 {
		return nil, checkpointError("step count %d out of range", steps)
	}
	h.steps = int64(steps)
	if n < 1 || n > maxUnits {
		return nil, checkpointError("network size %d out of range [1, %d]", n, maxUnits)
	}
	h.n = int(n)
	if h.opts.WeightMode == WeightDense && nnz != 0 {
		return nil, checkpointError("dense checkpoint with %d sparse entries", nnz)
	}
	if float64(nnz) > float64(n)*float64(n) {
		return nil, checkpointError("%d stored weights exceed %d x %d", nnz, n, n)
	}
	h.nnz = int64(nnz)
	if uint64(npops)*minPopBytes > uint64(len(d.b)) {
		return nil, checkpointError("header claims %d populations but holds %d bytes", npops, len(d.b))
	}
	h.pops = make([]ckptPop, npops)
	var total int64
	for k := range h.pops {
		p := &h.pops[k]
		p.kind = d.u8()
		fn := d.u8()
		p.name = d.str(maxCheckpointName)
		pn := d.u64()
		p.tau = d.f64()
		p.threshold = d.f64()
		p.activity = d.f64()
		if d.err != nil {
			return nil, d.err
		}
		if p.kind < ckptNeuron || p.kind > ckptBackgroundRnd {
			return nil, checkpointError("population %d has unknown kind %d", k, p.kind)
		}
		if fn > 1 || (fn == 1 && p.kind == ckptNeuron) {
			return nil, checkpointError("population %d has invalid activity-function flag %d", k, fn)
		}
		p.hasFunc = fn == 1
		if pn > maxUnits {
			return nil, checkpointError("population %d size %d out of range", k, pn)
		}
		p.n = int(pn)
		total += int64(pn)
	}
	if total != int64(h.n) {
		return nil, checkpointError("population sizes add up to %d, network has %d units", total, h.n)
	}
	h.sel = []byte(d.str(maxCheckpointPCG))
	h.bg = []byte(d.str(maxCheckpointPCG))
	h.diffCap = d.i64()
	h.diffFilled = d.i64()
	h.stepCap = d.i64()
	h.stepFilled = d.i64()
	h.bodyLen = d.i64()
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, checkpointError("%d unexpected bytes at the end of the header", len(d.b))
	}
	if h.diffCap < 0 || h.diffFilled < 0 || h.diffFilled > h.diffCap {
		return nil, checkpointError("diff log of %d steps with %d filled", h.diffCap, h.diffFilled)
	}
	if h.stepCap < 0 || h.stepFilled < 0 || h.stepFilled > h.stepCap {
		return nil, checkpointError("step log of %d steps with %d filled", h.stepCap, h.stepFilled)
	}
	// Memory: the same checks as Initialize and Enable*Logging, before
	// anything is allocated.
	limit := h.opts.RAMBudgetGB * (1 << 30)
	if need := h.weightBytes() + float64(h.n)*float64(1+2*h.elemSize()); need > limit {
		return nil, fmt.Errorf("%w: %w: %s weights of %d units need %.3g GiB, budget is %.3g GiB (RestoreOptions.RAMBudgetGB)",
			ErrCheckpoint, ErrMemoryBudget, h.opts.WeightMode, h.n, need/(1<<30), h.opts.RAMBudgetGB)
	}
	if need := float64(h.diffCap) * 5; need > limit {
		return nil, fmt.Errorf("%w: %w: diff log of %d steps needs %.3g GiB, budget is %.3g GiB",
			ErrCheckpoint, ErrMemoryBudget, h.diffCap, need/(1<<30), h.opts.RAMBudgetGB)
	}
	if need := float64(h.stepCap) * float64(h.n); need > limit {
		return nil, fmt.Errorf("%w: %w: step log of %d steps needs %.3g GiB, budget is %.3g GiB",
			ErrCheckpoint, ErrMemoryBudget, h.stepCap, need/(1<<30), h.opts.RAMBudgetGB)
	}
	if want := h.computeBodyLen(); want > 1<<62 || float64(h.bodyLen) != want {
		return nil, checkpointError("header gives a body of %d bytes, its sizes imply %.0f", h.bodyLen, want)
	}
	return h, nil
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
	if r == nil {
		return nil, paramError("checkpoint reader", nil, "must not be nil")
	}
	var ro RestoreOptions
	if opts != nil {
		ro = *opts
	}
	if math.IsNaN(ro.RAMBudgetGB) || math.IsInf(ro.RAMBudgetGB, 0) || ro.RAMBudgetGB < 0 {
		return nil, paramError("RestoreOptions.RAMBudgetGB", ro.RAMBudgetGB, "must be >= 0 and finite")
	}
	cr := &ckptReader{r: r, known: remainingSize(r)}
	prefix := make([]byte, checkpointPrefix)
	if err := cr.read(prefix, "format prefix"); err != nil {
		return nil, err
	}
	if string(prefix[:8]) != checkpointMagic {
		return nil, checkpointError("not a binarynet checkpoint (magic %q, want %q)", prefix[:8], checkpointMagic)
	}
	if v := binary.LittleEndian.Uint32(prefix[8:]); v != checkpointVersion {
		return nil, checkpointError("unsupported format version %d (this library reads version %d)", v, checkpointVersion)
	}
	hdrLen := int64(binary.LittleEndian.Uint32(prefix[12:]))
	if hdrLen > maxCheckpointHeader {
		return nil, checkpointError("header length %d exceeds %d", hdrLen, maxCheckpointHeader)
	}
	if err := cr.need(hdrLen+4, "header"); err != nil {
		return nil, err
	}
	hdr := make([]byte, hdrLen+4)
	if err := cr.read(hdr, "header"); err != nil {
		return nil, err
	}
	want := binary.LittleEndian.Uint32(hdr[hdrLen:])
	if got := crc32.Update(crc32.Checksum(prefix, castagnoli), castagnoli, hdr[:hdrLen]); got != want {
		return nil, checkpointError("header checksum mismatch (got %#08x, stored %#08x): the file is corrupted", got, want)
	}
	h, err := decodeHeader(hdr[:hdrLen], ro.RAMBudgetGB)
	if err != nil {
		return nil, err
	}
	pops, specs, err := restorePopulations(h, ro.ActivityFuncs)
	if err != nil {
		return nil, err
	}
	if err := cr.need(h.bodyLen+4, "body"); err != nil {
		return nil, err
	}
	var buildEngine func() (numeric, error)
	if h.opts.WeightType == Float32 {
		buildEngine, err = readEngine[float32](cr, h)
	} else {
		buildEngine, err = readEngine[float64](cr, h)
	}
	if err != nil {
		return nil, err
	}
	var diffU []int32
	var diffD []int8
	var steps []int8
	if h.diffCap > 0 {
		if diffU, err = readElems[int32](cr, h.diffFilled, "diff log"); err != nil {
			return nil, err
		}
		if diffD, err = readElems[int8](cr, h.diffFilled, "diff log"); err != nil {
			return nil, err
		}
	}
	if h.stepCap > 0 {
		if steps, err = readElems[int8](cr, h.stepFilled*int64(h.n), "step log"); err != nil {
			return nil, err
		}
	}
	bodyCRC := cr.crc
	trailer := make([]byte, 4)
	if err := cr.read(trailer, "checksum"); err != nil {
		return nil, err
	}
	if want := binary.LittleEndian.Uint32(trailer); bodyCRC != want {
		return nil, checkpointError("checksum mismatch (got %#08x, stored %#08x): the file is corrupted", bodyCRC, want)
	}
	num, err := buildEngine()
	if err != nil {
		return nil, err
	}
	if err := checkDiffLog(h.n, DiffLog{Updates: diffU, Deltas: diffD}); err != nil {
		return nil, fmt.Errorf("%w: pending diff log: %w", ErrCheckpoint, err)
	}
	if err := checkBinary("pending step log", steps); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCheckpoint, err)
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
	nw.steps = h.steps
	if h.diffCap > 0 {
		nw.diff = diffBuffer{updates: make([]int32, h.diffCap), deltas: make([]int8, h.diffCap), filled: int(h.diffFilled)}
		copy(nw.diff.updates, diffU)
		copy(nw.diff.deltas, diffD)
	}
	if h.stepCap > 0 {
		nw.stepLog = stepBuffer{states: make([]int8, h.stepCap*int64(h.n)), width: h.n, filled: int(h.stepFilled)}
		copy(nw.stepLog.states, steps)
	}
	return nw, nil
}

// restorePopulations rebuilds the populations and their validated specs.
func restorePopulations(h *ckptHeader, funcs map[string]func(int64) float64) ([]Population, []popSpec, error) {
	pops := make([]Population, len(h.pops))
	specs := make([]popSpec, len(h.pops))
	used := map[string]bool{}
	for k, p := range h.pops {
		var pop Population
		switch p.kind {
		case ckptNeuron:
			pop = &BinaryNeuronPopulation{Name: p.name, N: p.n, Tau: p.tau, Threshold: p.threshold}
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
	return func() (numeric, error) { return a.build(h.n) }, nil
}

// build checks the arrays and returns the engine. The checks cannot fail
// for a file that passed its checksum unless something else wrote it; they
// keep a crafted file from producing a network that panics or breaks the
// invariants Initialize guarantees. Weights and fields may hold any value:
// weights that sum beyond the range of the weight type are ±Inf (or NaN)
// in a running network too.
func (a *ckptArrays[T]) build(n int) (numeric, error) {
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
	return restoreEngine(n, a.state, a.field, a.thresh, a.dense, a.sparse), nil
}

// checkCSC verifies the invariants of the csc type.
func checkCSC[T float32 | float64](m *csc[T], n int) error {
	if m.indptr[0] != 0 || m.indptr[n] != int64(len(m.rows)) {
		return checkpointError("sparse weights: indptr runs from %d to %d, want 0 to %d", m.indptr[0], m.indptr[n], len(m.rows))
	}
	for c := range n {
		lo, hi := m.indptr[c], m.indptr[c+1]
		if hi < lo {
			return checkpointError("sparse weights: indptr decreases at column %d", c)
		}
		prev := int32(-1)
		for k := lo; k < hi; k++ {
			r := m.rows[k]
			if r <= prev || int(r) >= n {
				return checkpointError("sparse weights: row %d in column %d is out of order or out of range", r, c)
			}
			prev = r
		}
	}
	return nil
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
	if !nw.initialized {
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

// remainingSize returns the number of bytes left in r when r can tell, and
// -1 otherwise.
func remainingSize(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }: // *bytes.Reader, *bytes.Buffer, *strings.Reader
		return int64(v.Len())
	case *os.File:
		fi, err := v.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return -1
		}
		off, err := v.Seek(0, io.SeekCurrent)
		if err != nil || off > fi.Size() {
			return -1
		}
		return fi.Size() - off
	}
	return -1
}

// ckptWriter writes to w, keeping a running CRC-32C and the first error.
type ckptWriter struct {
	w       io.Writer
	crc     uint32
	written int64
	err     error
	buf     []byte
}

func (c *ckptWriter) write(p []byte) {
	if c.err != nil {
		return
	}
	c.crc = crc32.Update(c.crc, castagnoli, p)
	k, err := c.w.Write(p)
	c.written += int64(k)
	if err == nil && k != len(p) {
		err = io.ErrShortWrite
	}
	c.err = err
}

// ckptReader reads from r, keeping a running CRC-32C. known is the number
// of bytes left in r, or -1 when r cannot tell.
type ckptReader struct {
	r     io.Reader
	crc   uint32
	known int64
	buf   []byte
}

// need reports truncation early when r's length is known.
func (c *ckptReader) need(k int64, what string) error {
	if c.known >= 0 && c.known < k {
		return checkpointError("truncated: %s needs %d more bytes, %d are left", what, k, c.known)
	}
	return nil
}

func (c *ckptReader) read(p []byte, what string) error {
	k, err := io.ReadFull(c.r, p)
	c.crc = crc32.Update(c.crc, castagnoli, p[:k])
	if c.known >= 0 {
		c.known -= int64(k)
	}
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("%w: truncated or unreadable %s: %w", ErrCheckpoint, what, err)
	}
	return nil
}

// ckptElem are the element types of the stored arrays.
type ckptElem interface {
	int8 | int32 | int64 | float32 | float64
}

func elemBytes[T ckptElem]() int {
	var z T
	switch any(z).(type) {
	case int8:
		return 1
	case int32, float32:
		return 4
	}
	return 8
}

// writeElems writes s in little-endian order, a chunk at a time.
func writeElems[T ckptElem](c *ckptWriter, s []T) {
	size := elemBytes[T]()
	per := checkpointChunk / size
	for len(s) > 0 && c.err == nil {
		k := min(len(s), per)
		c.buf = appendElems(c.buf[:0], s[:k])
		c.write(c.buf)
		s = s[k:]
	}
}

func appendElems[T ckptElem](b []byte, s []T) []byte {
	le := binary.LittleEndian
	switch s := any(s).(type) {
	case []int8:
		for _, v := range s {
			b = append(b, byte(v))
		}
	case []int32:
		for _, v := range s {
			b = le.AppendUint32(b, uint32(v))
		}
	case []int64:
		for _, v := range s {
			b = le.AppendUint64(b, uint64(v))
		}
	case []float32:
		for _, v := range s {
			b = le.AppendUint32(b, math.Float32bits(v))
		}
	case []float64:
		for _, v := range s {
			b = le.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b
}

func decodeElems[T ckptElem](dst []T, b []byte) {
	le := binary.LittleEndian
	switch dst := any(dst).(type) {
	case []int8:
		for i := range dst {
			dst[i] = int8(b[i])
		}
	case []int32:
		for i := range dst {
			dst[i] = int32(le.Uint32(b[4*i:]))
		}
	case []int64:
		for i := range dst {
			dst[i] = int64(le.Uint64(b[8*i:]))
		}
	case []float32:
		for i := range dst {
			dst[i] = math.Float32frombits(le.Uint32(b[4*i:]))
		}
	case []float64:
		for i := range dst {
			dst[i] = math.Float64frombits(le.Uint64(b[8*i:]))
		}
	}
}

// readElems reads count elements. When the reader's length is known it has
// been checked against count, and the slice is allocated at once;
// otherwise it grows by doubling as data arrives, so that a stream that
// ends early never causes an allocation much larger than its contents.
func readElems[T ckptElem](c *ckptReader, count int64, what string) ([]T, error) {
	size := elemBytes[T]()
	per := checkpointChunk / size
	var out []T
	if c.known >= 0 {
		out = make([]T, 0, count)
	} else {
		out = make([]T, 0, min(count, int64(per)))
	}
	if cap(c.buf) < checkpointChunk {
		c.buf = make([]byte, checkpointChunk)
	}
	for left := count; left > 0; {
		k := min(left, int64(per))
		if int64(len(out))+k > int64(cap(out)) {
			next := make([]T, len(out), min(count, 2*int64(cap(out))))
			copy(next, out)
			out = next
		}
		b := c.buf[:k*int64(size)]
		if err := c.read(b, what); err != nil {
			return nil, err
		}
		at := len(out)
		out = out[:at+int(k)]
		decodeElems(out[at:], b)
		left -= k
	}
	return out, nil
}

// ckptEnc appends header fields.
type ckptEnc struct{ b []byte }

func (e *ckptEnc) u8(v uint8)    { e.b = append(e.b, v) }
func (e *ckptEnc) u32(v uint32)  { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *ckptEnc) u64(v uint64)  { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *ckptEnc) f64(v float64) { e.u64(math.Float64bits(v)) }
func (e *ckptEnc) str(s string)  { e.u32(uint32(len(s))); e.b = append(e.b, s...) }

// ckptDec reads header fields; the first short read sets err and makes
// every later read return zero.
type ckptDec struct {
	b   []byte
	err error
}

func (d *ckptDec) take(k int) []byte {
	if d.err != nil {
		return nil
	}
	if k > len(d.b) {
		d.err = checkpointError("header ends early (needs %d more bytes, %d left)", k, len(d.b))
		d.b = nil
		return nil
	}
	v := d.b[:k]
	d.b = d.b[k:]
	return v
}

func (d *ckptDec) u8() uint8 {
	if b := d.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *ckptDec) u32() uint32 {
	if b := d.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *ckptDec) u64() uint64 {
	if b := d.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (d *ckptDec) i64() int64 {
	v := d.u64()
	if v > math.MaxInt64 && d.err == nil {
		d.err = checkpointError("header value %d out of range", v)
	}
	return int64(v)
}

func (d *ckptDec) f64() float64 { return math.Float64frombits(d.u64()) }

func (d *ckptDec) str(limit int) string {
	k := d.u32()
	if d.err == nil && int64(k) > int64(limit) {
		d.err = checkpointError("header string of %d bytes exceeds %d", k, limit)
	}
	return string(d.take(int(k)))
}
