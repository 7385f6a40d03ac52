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
//	body       bodyLen bytes: state, field, thresholds, weights, logs,
//	           adaptation state, records section (checkpoint_records.go)
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
	// gain and gainParams store a neuron population's gain (see
	// gainCode); present in the header only when some population has one.
	gain       uint8
	gainParams [3]float64
	// adapt is a neuron population's adaptation; present in the header
	// only when some population adapts, with its units' state at the end
	// of the body.
	adapt Adaptation
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
	gains      bool   // some population has a gain: gain codes and gain stream stored
	gain       []byte // marshalled PCG state of the gain stream
	adapts     bool   // some population adapts: adaptations stored, their state in the body
	diffCap    int64  // 0: diff logging off
	diffFilled int64
	stepCap    int64 // rows; 0: step logging off
	stepFilled int64 // rows
	bodyLen    int64
	// records is the encoded records section (written by WriteCheckpoint
	// only) and recordsLen its length, 0 without one (header flag 128).
	records    []byte
	recordsLen int64
}

// elemSize returns the stored size of one weight, field or threshold.
func (h *ckptHeader) elemSize() int64 { return h.opts.WeightType.size() }

// weightBytes returns the size of the stored weights.
func (h *ckptHeader) weightBytes() float64 {
	if h.opts.WeightMode == WeightDense {
		return denseBytes(h.n, h.elemSize())
	}
	return cscBytes(h.n, h.nnz, 4, h.elemSize())
}

// computeBodyLen returns the body length the sizes imply, as a float64 so
// that absurd sizes cannot overflow.
func (h *ckptHeader) computeBodyLen() float64 {
	return unitBytes(h.n, h.elemSize()) + h.weightBytes() + 16*float64(h.adaptiveUnits()) +
		DiffLogBytes(h.diffFilled) + StepLogBytes(h.stepFilled, h.n) + float64(h.recordsLen)
}

// adaptiveUnits returns the number of units whose adaptation state the
// body holds (8 bytes of threshold and 8 of last-update step each).
func (h *ckptHeader) adaptiveUnits() int64 {
	var k int64
	for _, p := range h.pops {
		if p.kind == ckptNeuron && p.adapt.on() {
			k += int64(p.n)
		}
	}
	return k
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
	if h.opts.AutapseRule == AutapseDeleteSelf {
		flags |= 4
	}
	if h.opts.NetworkSeed != nil {
		flags |= 8
	}
	if h.opts.InitSeed != nil {
		flags |= 16
	}
	if h.gains {
		flags |= 32
	}
	if h.adapts {
		flags |= 64
	}
	if h.recordsLen > 0 {
		flags |= 128 // the last flag: new state goes into records
	}
	e.u8(flags)
	e.u8(uint8(h.opts.WeightType))
	e.u8(uint8(h.opts.WeightMode))
	e.f64(h.opts.RAMBudgetGB)
	e.u64(h.opts.Seed)
	e.u64(uint64(h.opts.Workers))
	if h.opts.NetworkSeed != nil {
		e.u64(*h.opts.NetworkSeed)
	}
	if h.opts.InitSeed != nil {
		e.u64(*h.opts.InitSeed)
	}
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
	if h.gains {
		for _, p := range h.pops {
			e.u8(p.gain)
			for _, v := range p.gainParams {
				e.f64(v)
			}
		}
		e.str(string(h.gain))
	}
	if h.adapts {
		for _, p := range h.pops {
			e.f64(p.adapt.Step)
			e.f64(p.adapt.Tau)
		}
	}
	e.u64(uint64(h.diffCap))
	e.u64(uint64(h.diffFilled))
	e.u64(uint64(h.stepCap))
	e.u64(uint64(h.stepFilled))
	e.u64(uint64(h.bodyLen))
	if h.recordsLen > 0 {
		e.u64(uint64(h.recordsLen))
	}
	return e.b
}

// minPopBytes is the encoded size of a population with an empty name.
const minPopBytes = 1 + 1 + 4 + 8 + 8 + 8 + 8

// decodeHeader decodes a header whose checksum has been verified, in
// steps: parse the fields, validate them, check the sizes against the RAM
// budget (budget, if positive, overrides the saved one) before anything is
// allocated, and check that they imply the announced body length.
func decodeHeader(b []byte, budget float64) (*ckptHeader, error) {
	r, err := parseHeader(b)
	if err != nil {
		return nil, err
	}
	h, err := r.validate(budget)
	if err != nil {
		return nil, err
	}
	if err := h.checkBudget(); err != nil {
		return nil, err
	}
	if want := h.computeBodyLen(); want > 1<<62 || float64(h.bodyLen) != want {
		return nil, checkpointError("header gives a body of %d bytes, its sizes imply %.0f", h.bodyLen, want)
	}
	return h, nil
}

// rawHeader is a header as stored, before validation, with the fields in
// the order of encodeHeader.
type rawHeader struct {
	flags, weightType, weightMode uint8
	budget                        float64
	seed, workers, steps          uint64
	netSeed, initSeed             uint64 // present with flags 8 and 16
	name                          string
	n, nnz                        uint64
	pops                          []rawPop
	sel, bg, gain                 string // gain present with flag 32
	diffCap, diffFilled           int64
	stepCap, stepFilled           int64
	bodyLen                       int64
	recordsLen                    int64 // present with flag 128
}

// rawPop is a population as stored.
type rawPop struct {
	kind, fn                 uint8
	name                     string
	n                        uint64
	tau, threshold, activity float64
	gain                     uint8 // with flag 32
	gainParams               [3]float64
	adapt                    Adaptation // with flag 64
}

// parseHeader reads the fields of a header. It checks only what reading
// needs: that the header holds every field, nothing more, and room for the
// populations it announces before they are allocated.
func parseHeader(b []byte) (*rawHeader, error) {
	d := &ckptDec{b: b}
	r := &rawHeader{}
	r.flags, r.weightType, r.weightMode = d.u8(), d.u8(), d.u8()
	r.budget, r.seed, r.workers = d.f64(), d.u64(), d.u64()
	if r.flags&8 != 0 {
		r.netSeed = d.u64()
	}
	if r.flags&16 != 0 {
		r.initSeed = d.u64()
	}
	r.steps = d.u64()
	r.name = d.str(maxCheckpointName)
	r.n, r.nnz = d.u64(), d.u64()
	npops := d.u32()
	if d.err != nil {
		return nil, d.err
	}
	if uint64(npops)*minPopBytes > uint64(len(d.b)) {
		return nil, checkpointError("header claims %d populations but holds %d bytes", npops, len(d.b))
	}
	r.pops = make([]rawPop, npops)
	for k := range r.pops {
		p := &r.pops[k]
		p.kind, p.fn = d.u8(), d.u8()
		p.name = d.str(maxCheckpointName)
		p.n, p.tau, p.threshold, p.activity = d.u64(), d.f64(), d.f64(), d.f64()
	}
	r.sel, r.bg = d.str(maxCheckpointPCG), d.str(maxCheckpointPCG)
	if r.flags&32 != 0 {
		for k := range r.pops {
			p := &r.pops[k]
			p.gain = d.u8()
			for i := range p.gainParams {
				p.gainParams[i] = d.f64()
			}
		}
		r.gain = d.str(maxCheckpointPCG)
	}
	if r.flags&64 != 0 {
		for k := range r.pops {
			r.pops[k].adapt = Adaptation{Step: d.f64(), Tau: d.f64()}
		}
	}
	r.diffCap, r.diffFilled = d.i64(), d.i64()
	r.stepCap, r.stepFilled = d.i64(), d.i64()
	r.bodyLen = d.i64()
	if r.flags&128 != 0 {
		r.recordsLen = d.i64()
	}
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, checkpointError("%d unexpected bytes at the end of the header", len(d.b))
	}
	return r, nil
}

// validate checks the parsed fields against each other and the format and
// returns the header. budget, if positive, overrides the saved RAM budget.
func (r *rawHeader) validate(budget float64) (*ckptHeader, error) {
	h := &ckptHeader{
		name: r.name, fromData: r.flags&2 != 0,
		sel: []byte(r.sel), bg: []byte(r.bg),
		gains: r.flags&32 != 0, gain: []byte(r.gain), adapts: r.flags&64 != 0,
		diffCap: r.diffCap, diffFilled: r.diffFilled,
		stepCap: r.stepCap, stepFilled: r.stepFilled,
		bodyLen: r.bodyLen, recordsLen: r.recordsLen,
	}
	if r.flags&128 != 0 && r.recordsLen < 4+recordHeaderBytes {
		return nil, checkpointError("records section of %d bytes is too short for one record", r.recordsLen)
	}
	var err error
	if h.opts, err = r.options(budget); err != nil {
		return nil, err
	}
	if err := r.sizes(h); err != nil {
		return nil, err
	}
	if h.pops, err = r.populations(h.n); err != nil {
		return nil, err
	}
	if h.diffCap < 0 || h.diffFilled < 0 || h.diffFilled > h.diffCap {
		return nil, checkpointError("diff log of %d steps with %d filled", h.diffCap, h.diffFilled)
	}
	if h.stepCap < 0 || h.stepFilled < 0 || h.stepFilled > h.stepCap {
		return nil, checkpointError("step log of %d steps with %d filled", h.stepCap, h.stepFilled)
	}
	return h, nil
}

// options validates the saved options, with budget, if positive, in place
// of the saved RAM budget.
func (r *rawHeader) options(budget float64) (Options, error) {
	o := Options{
		Autapse:     r.flags&1 != 0,
		WeightType:  WeightType(r.weightType),
		WeightMode:  WeightMode(r.weightMode),
		RAMBudgetGB: r.budget,
		Seed:        r.seed,
	}
	if r.flags&4 != 0 {
		o.AutapseRule = AutapseDeleteSelf
	}
	if r.flags&8 != 0 {
		o.NetworkSeed = new(r.netSeed)
	}
	if r.flags&16 != 0 {
		o.InitSeed = new(r.initSeed)
	}
	if o.WeightMode != WeightDense && o.WeightMode != WeightSparse {
		return o, checkpointError("weight mode %d is neither dense nor sparse", int(o.WeightMode))
	}
	if !(o.RAMBudgetGB > 0) {
		return o, checkpointError("saved RAM budget %v GiB must be positive", o.RAMBudgetGB)
	}
	if budget > 0 {
		o.RAMBudgetGB = budget
	}
	if r.workers < 1 || r.workers > math.MaxInt32 {
		return o, checkpointError("saved worker count %d out of range", r.workers)
	}
	o.Workers = int(r.workers)
	if err := checkOptions(&o); err != nil {
		return o, fmt.Errorf("%w: saved options: %w", ErrCheckpoint, err)
	}
	return o, nil
}

// sizes validates the step count, the network size and the number of
// stored weights, and sets them in h, whose options are validated.
func (r *rawHeader) sizes(h *ckptHeader) error {
	if r.steps > math.MaxInt64 {
		return checkpointError("step count %d out of range", r.steps)
	}
	h.steps = int64(r.steps)
	if r.n < 1 || r.n > maxUnits {
		return checkpointError("network size %d out of range [1, %d]", r.n, maxUnits)
	}
	h.n = int(r.n)
	if h.opts.WeightMode == WeightDense && r.nnz != 0 {
		return checkpointError("dense checkpoint with %d sparse entries", r.nnz)
	}
	if float64(r.nnz) > float64(r.n)*float64(r.n) {
		return checkpointError("%d stored weights exceed %d x %d", r.nnz, r.n, r.n)
	}
	h.nnz = int64(r.nnz)
	return nil
}

// populations validates the kinds, flags and sizes of the populations of a
// network of n units. Their parameters are checked when they are rebuilt
// (see restorePopulations).
func (r *rawHeader) populations(n int) ([]ckptPop, error) {
	pops := make([]ckptPop, len(r.pops))
	var total int64
	for k, p := range r.pops {
		if p.kind < ckptNeuron || p.kind > ckptBackgroundRnd {
			return nil, checkpointError("population %d has unknown kind %d", k, p.kind)
		}
		if p.fn > 1 || (p.fn == 1 && p.kind == ckptNeuron) {
			return nil, checkpointError("population %d has invalid activity-function flag %d", k, p.fn)
		}
		if p.n > maxUnits {
			return nil, checkpointError("population %d size %d out of range", k, p.n)
		}
		if p.gain > gainFunc || (p.gain != gainNone && p.kind != ckptNeuron) {
			return nil, checkpointError("population %d has invalid gain code %d", k, p.gain)
		}
		if p.adapt != (Adaptation{}) && p.kind != ckptNeuron {
			return nil, checkpointError("population %d is a background population with an adaptation", k)
		}
		pops[k] = ckptPop{kind: p.kind, hasFunc: p.fn == 1, name: p.name, n: int(p.n),
			tau: p.tau, threshold: p.threshold, activity: p.activity,
			gain: p.gain, gainParams: p.gainParams, adapt: p.adapt}
		total += int64(p.n)
	}
	if total != int64(n) {
		return nil, checkpointError("population sizes add up to %d, network has %d units", total, n)
	}
	return pops, nil
}

// checkBudget checks the weights and each pending log against the RAM
// budget before anything is allocated for them, with the estimates of
// Initialize and Enable*Logging.
func (h *ckptHeader) checkBudget() error {
	for _, c := range []struct {
		need float64
		what string
	}{
		{h.weightBytes() + unitBytes(h.n, h.elemSize()), fmt.Sprintf("restoring %s weights of %d units", h.opts.WeightMode, h.n)},
		{DiffLogBytes(h.diffCap), fmt.Sprintf("a diff log of %d steps", h.diffCap)},
		{StepLogBytes(h.stepCap, h.n), fmt.Sprintf("a step log of %d steps", h.stepCap)},
		{float64(h.recordsLen), fmt.Sprintf("a records section of %d bytes", h.recordsLen)},
	} {
		if err := checkBudget(c.need, h.opts.RAMBudgetGB, c.what, " (RestoreOptions.RAMBudgetGB)"); err != nil {
			return fmt.Errorf("%w: %w", ErrCheckpoint, err)
		}
	}
	return nil
}
