package binarynet

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
)

// maxUnits is the largest network size: unit ids are int32.
const maxUnits = math.MaxInt32 - 1

// maxIndegree bounds the number of inputs one fixed-indegree rule may give a
// unit.
const maxIndegree = math.MaxInt32

// defaultRAMBudgetGB is the memory budget used when Options.RAMBudgetGB is
// zero, as in the Python module.
const defaultRAMBudgetGB = 12

// WeightMode selects how the weight matrix is stored.
type WeightMode int

const (
	// WeightAuto picks WeightDense when the dense matrix takes at most 60 %
	// of the RAM budget, and WeightSparse otherwise.
	WeightAuto WeightMode = iota
	// WeightDense stores all N*N weights, each unit's outgoing column
	// contiguous.
	WeightDense
	// WeightSparse stores the non-zero weights in compressed sparse column
	// form with int32 row indices.
	WeightSparse
)

// String returns "auto", "dense" or "sparse".
func (m WeightMode) String() string {
	switch m {
	case WeightAuto:
		return "auto"
	case WeightDense:
		return "dense"
	case WeightSparse:
		return "sparse"
	}
	return fmt.Sprintf("WeightMode(%d)", int(m))
}

// WeightType selects the floating-point type of weights, fields and
// thresholds.
type WeightType int

const (
	// Float32 stores weights and fields as float32, as the Python module
	// does by default.
	Float32 WeightType = iota
	// Float64 stores weights and fields as float64.
	Float64
)

// String returns "float32" or "float64".
func (t WeightType) String() string {
	switch t {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	}
	return fmt.Sprintf("WeightType(%d)", int(t))
}

func (t WeightType) size() int64 {
	if t == Float64 {
		return 8
	}
	return 4
}

// Options configures Initialize. The zero value is valid: no autapses,
// automatic weight mode, a 12 GiB budget, float32 weights, seed 0.
type Options struct {
	// Autapse allows a unit to connect to itself.
	Autapse bool
	// WeightMode selects dense or sparse weight storage.
	WeightMode WeightMode
	// RAMBudgetGB is the memory, in GiB, that the weights, state, field
	// and thresholds may take. Zero means 12. Initialize returns
	// ErrMemoryBudget, before allocating, when its estimate exceeds the
	// budget.
	RAMBudgetGB float64
	// WeightType is the floating-point type of weights and fields.
	WeightType WeightType
	// Seed seeds every random stream of the network: initial states,
	// connectivity, unit selection and background redraws. The same seed
	// gives the same network and trajectory.
	Seed uint64
	// Workers is the number of goroutines that sample connectivity. Zero
	// means runtime.GOMAXPROCS(0). The result does not depend on it.
	Workers int
}

// Network is a network of binary units with asynchronous dynamics.
//
// Build it with AddPopulation and AddSynapse, then call Initialize once;
// after that Run, Update and ApplyUpdates advance it. A Network is not safe
// for concurrent use: no method, not even an accessor such as State or
// Steps, or WriteCheckpoint, may be called while another method runs on
// the same network; cancel RunContext's context to stop a run from another
// goroutine. Distinct networks may be used from different goroutines at
// once (see the package documentation, Concurrency).
type Network struct {
	// Name labels the network.
	Name string

	pops []Population
	syns []Synapse

	initialized bool
	opts        Options
	specs       []popSpec
	starts      []int // starts[k] is the first unit of population k; len(pops)+1 entries
	n           int

	num      numeric
	sel      selector
	bgSrc    *rand.PCG
	bgRand   *rand.Rand
	selSrc   *rand.PCG
	steps    int64
	diff     diffBuffer
	stepLog  stepBuffer
	fromData bool // built by NewNetworkFromWeights
}

// NewNetwork returns an empty network.
func NewNetwork(name string) *Network {
	return &Network{Name: name}
}

// AddPopulation appends a population; its units follow those of the
// populations added before. It returns an error for invalid parameters,
// for a population already added, or after Initialize.
func (nw *Network) AddPopulation(p Population) error {
	if nw.initialized {
		return orderError("AddPopulation after Initialize")
	}
	if p == nil {
		return paramError("population", nil, "must not be nil")
	}
	spec, err := p.spec()
	if err != nil {
		return err
	}
	if nw.indexOf(p) >= 0 {
		return paramError("population", spec.name, "was already added to this network")
	}
	total := spec.n
	for _, q := range nw.pops {
		s, _ := q.spec()
		total += s.n
	}
	if total > maxUnits {
		return paramError("network size", total, fmt.Sprintf("must be <= %d units", maxUnits))
	}
	nw.pops = append(nw.pops, p)
	return nil
}

// AddSynapse appends a synapse between two populations of this network.
func (nw *Network) AddSynapse(s Synapse) error {
	if nw.initialized {
		return orderError("AddSynapse after Initialize")
	}
	if s == nil {
		return paramError("synapse", nil, "must not be nil")
	}
	if _, err := s.rule(); err != nil {
		return err
	}
	pre, post := s.endpoints()
	for _, end := range []struct {
		name string
		p    Population
	}{{"pre", pre}, {"post", post}} {
		if end.p == nil {
			return paramError("synapse "+end.name, nil, "must not be nil")
		}
		if nw.indexOf(end.p) < 0 {
			return paramError("synapse "+end.name, populationName(end.p), "is not a population of this network")
		}
	}
	nw.syns = append(nw.syns, s)
	return nil
}

func populationName(p Population) string {
	s, _ := p.spec()
	return s.name
}

func (nw *Network) indexOf(p Population) int {
	for i, q := range nw.pops {
		if q == p {
			return i
		}
	}
	return -1
}

// Initialize allocates the state, draws the initial states and the
// connectivity, and computes the field. It can be called once.
func (nw *Network) Initialize(opts Options) error {
	if nw.initialized {
		return orderError("Initialize called twice")
	}
	if err := checkOptions(&opts); err != nil {
		return err
	}
	specs := make([]popSpec, len(nw.pops))
	starts := make([]int, len(nw.pops)+1)
	for k, p := range nw.pops {
		s, err := p.spec()
		if err != nil {
			return err
		}
		specs[k] = s
		starts[k+1] = starts[k] + s.n
	}
	n := starts[len(specs)]
	if n == 0 {
		return paramError("network size", 0, "must have at least one unit (add populations first)")
	}
	blocks, mayRepeat, err := nw.blocks(specs, starts, opts.Autapse)
	if err != nil {
		return err
	}
	for k, s := range specs {
		if err := checkFits(opts.WeightType, fmt.Sprintf("population %q threshold", s.name), s.threshold); err != nil {
			return fmt.Errorf("population %d: %w", k, err)
		}
	}
	for _, b := range blocks {
		if err := checkFits(opts.WeightType, "j", b.rule.weight()); err != nil {
			return fmt.Errorf("synapse %d: %w", b.index, err)
		}
	}
	var expected float64
	for _, b := range blocks {
		expected += b.rule.expected(b.preEnd-b.preStart, b.postEnd-b.postStart)
	}
	mode, err := chooseMode(opts, n, expected)
	if err != nil {
		return err
	}
	opts.WeightMode = mode

	state := make([]int8, n)
	for k, s := range specs {
		rng := rand.New(rand.NewPCG(opts.Seed, streamID(streamInit, uint64(k), 0)))
		if err := s.init(state[starts[k]:starts[k+1]], rng); err != nil {
			return err
		}
	}
	thresh := make([]float64, n)
	for k, s := range specs {
		for u := starts[k]; u < starts[k+1]; u++ {
			thresh[u] = s.threshold
		}
	}
	var num numeric
	switch opts.WeightType {
	case Float32:
		num, err = newGeneratedEngine[float32](opts, blocks, mayRepeat, state, thresh)
	default:
		num, err = newGeneratedEngine[float64](opts, blocks, mayRepeat, state, thresh)
	}
	if err != nil {
		return err
	}
	nw.finish(opts, specs, starts, num)
	return nil
}

// finish installs a built engine and the selection streams.
func (nw *Network) finish(opts Options, specs []popSpec, starts []int, num numeric) {
	nw.opts, nw.specs, nw.starts, nw.n, nw.num = opts, specs, starts, starts[len(starts)-1], num
	num.prepare(opts)
	nw.selSrc = rand.NewPCG(opts.Seed, streamID(streamSelect, 0, 0))
	nw.bgSrc = rand.NewPCG(opts.Seed, streamID(streamBackRnd, 0, 0))
	nw.bgRand = rand.New(nw.bgSrc)
	nw.sel = newSelector(specs, starts, nw.selSrc)
	nw.initialized = true
}

func checkOptions(o *Options) error {
	switch o.WeightMode {
	case WeightAuto, WeightDense, WeightSparse:
	default:
		return paramError("weight mode", int(o.WeightMode), "must be WeightAuto, WeightDense or WeightSparse")
	}
	switch o.WeightType {
	case Float32, Float64:
	default:
		return paramError("weight type", int(o.WeightType), "must be Float32 or Float64")
	}
	if !(o.RAMBudgetGB >= 0) || math.IsInf(o.RAMBudgetGB, 0) {
		return paramError("RAM budget (GB)", o.RAMBudgetGB, "must be >= 0 and finite")
	}
	if o.RAMBudgetGB == 0 {
		o.RAMBudgetGB = defaultRAMBudgetGB
	}
	if o.Workers < 0 {
		return paramError("workers", o.Workers, "must be >= 0")
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return nil
}

// checkFits rejects a finite threshold or weight that the weight type
// cannot hold: float32 overflows above math.MaxFloat32 (to ±Inf).
func checkFits(t WeightType, param string, x float64) error {
	if !fitsType(t, x) {
		return paramError(param, x, "exceeds the float32 range (Options.WeightType); use Float64")
	}
	return nil
}

// fitsType reports whether a finite x is finite in the weight type.
func fitsType(t WeightType, x float64) bool {
	return t != Float32 || math.Abs(x) <= math.MaxFloat32
}

// blocks places every synapse in the network and validates its rule.
// mayRepeat reports whether some pair can receive more than one entry
// (several rules on a block, multapses, Poisson counts or layers).
func (nw *Network) blocks(specs []popSpec, starts []int, autapse bool) ([]block, bool, error) {
	blocks := make([]block, len(nw.syns))
	perBlock := map[[2]int]int{}
	mayRepeat := false
	for i, s := range nw.syns {
		rule, err := s.rule()
		if err != nil {
			return nil, false, fmt.Errorf("synapse %d: %w", i, err)
		}
		pre, post := s.endpoints()
		a, b := nw.indexOf(pre), nw.indexOf(post)
		if a < 0 || b < 0 {
			return nil, false, paramError(fmt.Sprintf("synapse %d endpoints", i), "population", "is not in this network")
		}
		blocks[i] = block{
			index: i, rule: rule,
			preStart: starts[a], preEnd: starts[a+1],
			postStart: starts[b], postEnd: starts[b+1],
			exclude: a == b && !autapse,
		}
		if _, err := rule.newSampler(specs[a].n, blocks[i].exclude); err != nil {
			return nil, false, fmt.Errorf("synapse %d (%s -> %s): %w", i, specs[a].name, specs[b].name, err)
		}
		perBlock[[2]int{a, b}]++
		switch r := rule.(type) {
		case bernoulliRule:
			mayRepeat = mayRepeat || r.layers > 1
		case poissonRule:
			mayRepeat = true
		case indegreeRule:
			mayRepeat = mayRepeat || r.multapses
		}
		if perBlock[[2]int{a, b}] > 1 {
			mayRepeat = true
		}
	}
	return blocks, mayRepeat, nil
}

// chooseMode resolves WeightAuto and checks the memory estimate against
// the budget before anything large is allocated. expected is the expected
// number of stored entries in sparse mode.
func chooseMode(opts Options, n int, expected float64) (WeightMode, error) {
	budget := opts.RAMBudgetGB * (1 << 30)
	mode := opts.WeightMode
	if mode == WeightAuto {
		mode = WeightSparse
		if float64(n)*float64(n)*float64(opts.WeightType.size()) <= 0.6*budget {
			mode = WeightDense
		}
	}
	need := memoryNeed(opts, mode, n, expected)
	if need > budget {
		return mode, fmt.Errorf("%w: %s weights of %d units need about %.3g GiB, budget is %.3g GiB (Options.RAMBudgetGB)",
			ErrMemoryBudget, mode, n, need/(1<<30), opts.RAMBudgetGB)
	}
	// The largest array must also be addressable: this matters on 32-bit
	// platforms, where int cannot index a dense matrix of 50,000 units.
	largest := expected + 6*math.Sqrt(expected)
	if mode == WeightDense {
		largest = float64(n) * float64(n)
	}
	if largest >= math.MaxInt {
		return mode, fmt.Errorf("%w: %s weights of %d units need %.3g entries in one array, more than this platform can index",
			ErrMemoryBudget, mode, n, largest)
	}
	return mode, nil
}

// memoryNeed estimates the bytes Initialize allocates for a network of n
// units in the given mode (dense or sparse), with expected stored entries
// in sparse mode. Optional structures (the kept samples of the sparse
// build, the flip kernel's gap-coded copy) are not included: they are
// made only when they fit in the budget besides this.
func memoryNeed(opts Options, mode WeightMode, n int, expected float64) float64 {
	elem := float64(opts.WeightType.size())
	var need float64
	if mode == WeightDense {
		need = float64(n) * float64(n) * elem
	} else {
		// Sparse: rows and values per entry, indptr, one counter per column
		// and worker and the fill stages while building, and a safety margin
		// of 6 standard deviations of a Poisson-like count.
		entries := expected + 6*math.Sqrt(expected)
		need = entries*(4+elem) + float64(n+1)*8 + float64(n)*4*float64(opts.Workers) +
			stageBytes(n, opts.Workers, entries, int64(elem))
	}
	// Per unit in either mode: the state (1 byte), the thresholds as
	// float64 while building (8), the field and the thresholds (2*elem).
	return need + float64(n)*(9+2*elem)
}

// selector draws the unit to update: a population with probability
// proportional to N_k/tau_k, then a unit uniformly within it.
type selector struct {
	cdf     []float64 // cumulative normalized update mass
	starts  []int
	uniform bool // every unit equally likely: draw the unit directly
	n       int
	src     *rand.PCG // drawn through intN and uniform01, as rand.Rand would
}

func newSelector(specs []popSpec, starts []int, src *rand.PCG) selector {
	s := selector{starts: starts, n: starts[len(starts)-1], src: src, uniform: true}
	var total float64
	mass := make([]float64, len(specs))
	for k, p := range specs {
		mass[k] = float64(p.n) / p.tau
		total += mass[k]
		if p.n > 0 && p.tau != specs[0].tau {
			s.uniform = false
		}
	}
	s.cdf = make([]float64, len(specs))
	var acc float64
	for k := range mass {
		acc += mass[k]
		s.cdf[k] = acc / total
	}
	return s
}

// draw returns the population index and unit id of the next update.
func (s *selector) draw() (k, u int) {
	if s.uniform {
		u = intN(s.src, s.n)
		return s.population(u), u
	}
	x := uniform01(s.src)
	k = len(s.cdf) - 1
	for i, c := range s.cdf {
		if c > x && s.starts[i+1] > s.starts[i] {
			k = i
			break
		}
	}
	for s.starts[k+1] == s.starts[k] { // rounding left x above the last cdf entry
		k--
	}
	return k, s.starts[k] + intN(s.src, s.starts[k+1]-s.starts[k])
}

// population returns the index of the population holding unit u: the
// first k with starts[k+1] > u, by binary search.
func (s *selector) population(u int) int {
	starts := s.starts
	lo, hi := 0, len(starts)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if starts[m+1] > u {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// Run advances the network by steps single-unit updates. batchSize only
// sets how often cancellation and logs are checked: the trajectory for a
// seed is the same for every batch size.
func (nw *Network) Run(steps, batchSize int) error {
	return nw.RunContext(context.Background(), steps, batchSize)
}

// RunContext is Run with cancellation: it checks ctx before each batch and
// returns ctx.Err() when it is done. The steps taken until then are
// applied, counted and logged, and a later Run continues from there.
func (nw *Network) RunContext(ctx context.Context, steps, batchSize int) error {
	if err := nw.checkRun(steps); err != nil {
		return err
	}
	if batchSize <= 0 {
		return paramError("batch size", batchSize, "must be positive")
	}
	for done := 0; done < steps; {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := min(batchSize, steps-done)
		if err := nw.num.run(nw, nil, b); err != nil {
			return err
		}
		done += b
	}
	return nil
}

// Update performs one update step.
func (nw *Network) Update() error { return nw.Run(1, 1) }

// ApplyUpdates updates the given units in this order, one step each, as if
// Run had drawn them. It is the way to replay a recorded sequence or to
// impose an update schedule of one's own. Every id is checked before any
// is applied.
func (nw *Network) ApplyUpdates(units []int) error {
	if err := nw.checkRun(len(units)); err != nil {
		return err
	}
	ids := make([]int32, len(units))
	for i, u := range units {
		if uint(u) >= uint(nw.n) {
			return paramError(fmt.Sprintf("units[%d]", i), u, fmt.Sprintf("must be a unit id in [0, %d)", nw.n))
		}
		ids[i] = int32(u)
	}
	return nw.num.run(nw, ids, len(ids))
}

func (nw *Network) checkRun(steps int) error {
	if !nw.initialized {
		return orderError("Run before Initialize")
	}
	if steps < 0 {
		return paramError("steps", steps, "must be >= 0")
	}
	if err := nw.diff.reserve(steps); err != nil {
		return err
	}
	return nw.stepLog.reserve(steps)
}

// N returns the number of units.
func (nw *Network) N() int {
	if nw.initialized {
		return nw.n
	}
	total := 0
	for _, p := range nw.pops {
		s, _ := p.spec()
		total += s.n
	}
	return total
}

// Steps returns the number of update steps taken since Initialize.
func (nw *Network) Steps() int64 { return nw.steps }

// Initialized reports whether Initialize has succeeded.
func (nw *Network) Initialized() bool { return nw.initialized }

// Options returns the options in force, with defaults and the automatic
// weight mode resolved. It is the zero value before Initialize.
func (nw *Network) Options() Options { return nw.opts }

// Populations returns the populations in the order they were added.
func (nw *Network) Populations() []Population {
	return append([]Population(nil), nw.pops...)
}

// PopulationRange returns the unit ids [start, end) of population p. It
// needs Initialize for populations of a network built by
// NewNetworkFromWeights; otherwise it works at any time.
func (nw *Network) PopulationRange(p Population) (start, end int, err error) {
	if p == nil {
		return 0, 0, paramError("population", nil, "must not be nil")
	}
	k := nw.indexOf(p)
	if k < 0 {
		return 0, 0, paramError("population", populationName(p), "is not a population of this network")
	}
	for _, q := range nw.pops[:k] {
		s, _ := q.spec()
		start += s.n
	}
	s, _ := p.spec()
	return start, start + s.n, nil
}

// State copies the unit states (0 or 1) into dst, allocating when dst is
// nil or too short, and returns it.
func (nw *Network) State(dst []int8) ([]int8, error) {
	if !nw.initialized {
		return nil, orderError("State before Initialize")
	}
	return append(dst[:0], nw.num.stateSlice()...), nil
}

// Field copies the input fields h = W s into dst, converted to float64,
// and returns it.
func (nw *Network) Field(dst []float64) ([]float64, error) {
	if !nw.initialized {
		return nil, orderError("Field before Initialize")
	}
	return nw.num.fieldTo(dst[:0]), nil
}

// Thresholds copies the per-unit thresholds into dst and returns it.
func (nw *Network) Thresholds(dst []float64) ([]float64, error) {
	if !nw.initialized {
		return nil, orderError("Thresholds before Initialize")
	}
	return nw.num.thresholdsTo(dst[:0]), nil
}

// Synapses returns the number of stored non-zero weights: in sparse mode
// the stored entries (a pair with parallel connections counts once), in
// dense mode the non-zero entries of the matrix.
func (nw *Network) Synapses() (int64, error) {
	if !nw.initialized {
		return 0, orderError("Synapses before Initialize")
	}
	return nw.num.nonZero(), nil
}
