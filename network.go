package binarynet

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// maxUnits is the largest network size: unit ids are int32.
const maxUnits = math.MaxInt32 - 1

// maxIndegree bounds the number of inputs one fixed-indegree rule may give a
// unit.
const maxIndegree = math.MaxInt32

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

	opts   Options
	specs  []popSpec
	starts []int   // starts[k] is the first unit of population k; len(pops)+1 entries
	num    numeric // the engine; nil before Initialize

	// The engine's selection and background streams, kept to checkpoint
	// their states.
	selSrc, bgSrc *rand.PCG
	recorder           // step count and pending logs, written by the engine
	fromData      bool // built by NewNetworkFromWeights
}

// NewNetwork returns an empty network.
func NewNetwork(name string) *Network {
	return &Network{Name: name}
}

// AddPopulation appends a population; its units follow those of the
// populations added before. It returns an error for invalid parameters,
// for a population already added, or after Initialize.
func (nw *Network) AddPopulation(p Population) error {
	if nw.Initialized() {
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
	if nw.Initialized() {
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
	if nw.Initialized() {
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
	lay, err := nw.layout(specs, starts, opts.Autapse)
	if err != nil {
		return err
	}
	for k, s := range specs {
		if err := checkFits(opts.WeightType, fmt.Sprintf("population %q threshold", s.name), s.threshold); err != nil {
			return fmt.Errorf("population %d: %w", k, err)
		}
	}
	for _, b := range lay.blocks {
		if err := checkFits(opts.WeightType, "j", b.rule.weight()); err != nil {
			return fmt.Errorf("synapse %d: %w", b.index, err)
		}
	}
	mode, err := chooseMode(opts, n, lay.expected)
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
	num, err := engineFor(opts.WeightType).generated(opts, lay, state, thresh)
	if err != nil {
		return err
	}
	nw.finish(opts, specs, starts, num)
	return nil
}

// finish installs a built engine and hands it what its update loop
// needs: the selector on the selection stream, the population rules with
// the background stream, and the recorder.
func (nw *Network) finish(opts Options, specs []popSpec, starts []int, num numeric) {
	nw.opts, nw.specs, nw.starts, nw.num = opts, specs, starts, num
	nw.selSrc = rand.NewPCG(opts.Seed, streamID(streamSelect, 0, 0))
	nw.bgSrc = rand.NewPCG(opts.Seed, streamID(streamBackRnd, 0, 0))
	num.attach(engineInputs{
		sel:   newSelector(specs, starts, nw.selSrc),
		rules: rulesOf(specs),
		bg:    rand.New(nw.bgSrc),
		rec:   &nw.recorder,
	})
}

// size returns the number of units of an initialized network.
func (nw *Network) size() int { return nw.starts[len(nw.starts)-1] }

// layout places every synapse in the network, validates its rule, and
// derives what the build needs from the blocks (see layout).
func (nw *Network) layout(specs []popSpec, starts []int, autapse bool) (*layout, error) {
	blocks := make([]block, len(nw.syns))
	perBlock := map[[2]int]int{}
	mayRepeat := false
	for i, s := range nw.syns {
		rule, err := s.rule()
		if err != nil {
			return nil, fmt.Errorf("synapse %d: %w", i, err)
		}
		pre, post := s.endpoints()
		a, b := nw.indexOf(pre), nw.indexOf(post)
		if a < 0 || b < 0 {
			return nil, paramError(fmt.Sprintf("synapse %d endpoints", i), "population", "is not in this network")
		}
		blocks[i] = block{
			index: i, rule: rule,
			preStart: starts[a], preEnd: starts[a+1],
			postStart: starts[b], postEnd: starts[b+1],
			exclude: a == b && !autapse,
		}
		if _, err := rule.newSampler(specs[a].n, blocks[i].exclude); err != nil {
			return nil, fmt.Errorf("synapse %d (%s -> %s): %w", i, specs[a].name, specs[b].name, err)
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
	return newLayout(blocks, mayRepeat), nil
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
		if err := nw.num.run(nil, b); err != nil {
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
		if n := nw.size(); uint(u) >= uint(n) {
			return paramError(fmt.Sprintf("units[%d]", i), u, fmt.Sprintf("must be a unit id in [0, %d)", n))
		}
		ids[i] = int32(u)
	}
	return nw.num.run(ids, len(ids))
}

func (nw *Network) checkRun(steps int) error {
	if !nw.Initialized() {
		return orderError("Run before Initialize")
	}
	if steps < 0 {
		return paramError("steps", steps, "must be >= 0")
	}
	return nw.recorder.reserve(steps)
}

// N returns the number of units.
func (nw *Network) N() int {
	if nw.Initialized() {
		return nw.size()
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
func (nw *Network) Initialized() bool { return nw.num != nil }

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
	if !nw.Initialized() {
		return nil, orderError("State before Initialize")
	}
	return append(dst[:0], nw.num.stateSlice()...), nil
}

// Field copies the input fields h = W s into dst, converted to float64,
// and returns it.
func (nw *Network) Field(dst []float64) ([]float64, error) {
	if !nw.Initialized() {
		return nil, orderError("Field before Initialize")
	}
	return nw.num.fieldTo(dst[:0]), nil
}

// Thresholds copies the per-unit thresholds into dst and returns it.
func (nw *Network) Thresholds(dst []float64) ([]float64, error) {
	if !nw.Initialized() {
		return nil, orderError("Thresholds before Initialize")
	}
	return nw.num.thresholdsTo(dst[:0]), nil
}

// Synapses returns the number of stored non-zero weights: in sparse mode
// the stored entries (a pair with parallel connections counts once), in
// dense mode the non-zero entries of the matrix.
func (nw *Network) Synapses() (int64, error) {
	if !nw.Initialized() {
		return 0, orderError("Synapses before Initialize")
	}
	return nw.num.nonZero(), nil
}
