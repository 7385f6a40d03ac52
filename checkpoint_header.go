package binarynet

import (
	"fmt"
	"math"
)

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

// Population kinds as stored in a checkpoint; independent of popKind's
// values so that the format does not change when the code does.
const (
	ckptNeuron        = 1
	ckptBackground    = 2
	ckptBackgroundRnd = 3
)

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
