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

	pops  []Population
	index map[Population]int // position of each population in pops
	syns  []addedSynapse

	// specs and starts are taken when a population is added; nothing reads
	// the Population (or Synapse) values again.
	specs  []popSpec
	starts []int // starts[k] is the first unit of population k; len(pops)+1 entries

	opts Options
	num  numeric // the engine; nil before Initialize

	// The engine's selection and background streams, kept to checkpoint
	// their states.
	selSrc, bgSrc *rand.PCG
	gainSrc       *rand.PCG // decisions of stochastic gains
	// adapt holds the adaptation state of the adaptive populations, in
	// population order, shared with the engine's rules (for checkpoints).
	adapt    []*adaptState
	stim     stimSchedule // stimuli (see AddStimulus)
	recorder              // step count and pending logs, written by the engine
	fromData bool         // built by NewNetworkFromWeights
}

// NewNetwork returns an empty network.
func NewNetwork(name string) *Network {
	return &Network{Name: name, starts: []int{0}}
}

// AddPopulation appends a population; its units follow those of the
// populations added before. The network validates the population's fields
// and keeps a copy of them (see Population): later changes to p have no
// effect on nw. It returns an error for invalid parameters, for a
// population already added, or after Initialize.
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
	total := nw.N() + spec.n
	if total > maxUnits {
		return paramError("network size", total, fmt.Sprintf("must be <= %d units", maxUnits))
	}
	nw.addSpec(p, spec)
	return nil
}

// addSpec appends a validated population.
func (nw *Network) addSpec(p Population, spec popSpec) {
	if nw.index == nil {
		nw.index = map[Population]int{}
	}
	if len(nw.starts) == 0 {
		nw.starts = []int{0}
	}
	nw.index[p] = len(nw.pops)
	nw.pops = append(nw.pops, p)
	nw.specs = append(nw.specs, spec)
	nw.starts = append(nw.starts, nw.starts[len(nw.starts)-1]+spec.n)
}

// addedSynapse is what a network keeps of a synapse: its validated rule and
// the positions of its populations.
type addedSynapse struct {
	rule      synapseRule
	pre, post int
}

// AddSynapse appends a synapse between two populations of this network. As
// for populations, the network validates the synapse and keeps a copy of
// its rule: later changes to s have no effect on nw.
func (nw *Network) AddSynapse(s Synapse) error {
	if nw.Initialized() {
		return orderError("AddSynapse after Initialize")
	}
	if s == nil {
		return paramError("synapse", nil, "must not be nil")
	}
	rule, err := s.rule()
	if err != nil {
		return err
	}
	pre, post := s.endpoints()
	var ends [2]int
	for k, end := range []struct {
		name string
		p    Population
	}{{"pre", pre}, {"post", post}} {
		if end.p == nil {
			return paramError("synapse "+end.name, nil, "must not be nil")
		}
		if ends[k] = nw.indexOf(end.p); ends[k] < 0 {
			return paramError("synapse "+end.name, end.p.Spec().Name, "is not a population of this network")
		}
	}
	nw.syns = append(nw.syns, addedSynapse{rule: rule, pre: ends[0], post: ends[1]})
	return nil
}

// indexOf returns the position of p in nw.pops, or -1.
func (nw *Network) indexOf(p Population) int {
	if k, ok := nw.index[p]; ok {
		return k
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
	specs, starts := nw.specs, nw.starts
	if len(starts) == 0 {
		starts = []int{0}
	}
	n := starts[len(specs)]
	if n == 0 {
		return paramError("network size", 0, "must have at least one unit (add populations first)")
	}
	lay, err := nw.layout(specs, starts, opts.Autapse, opts.AutapseRule)
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
	for i, s := range nw.stim.list {
		if err := checkFits(opts.WeightType, "Stimulus.Delta", s.Delta); err != nil {
			return fmt.Errorf("stimulus %d: %w", i, err)
		}
	}
	if len(nw.stim.list) > 0 {
		if err := checkStimulusMemory(n, opts); err != nil {
			return err
		}
	}
	if err := nw.checkContinuousTime(opts, specs); err != nil {
		return err
	}
	mode, err := chooseMode(opts, n, lay.expected, lay.repeats)
	if err != nil {
		return err
	}
	opts.WeightMode = mode

	state, err := initialStates(specs, starts, opts.initSeed())
	if err != nil {
		return err
	}
	thresh := unitThresholds(specs, starts)
	num, err := engineFor(opts.WeightType).generated(opts, lay, state, thresh)
	if err != nil {
		return err
	}
	nw.finish(opts, specs, starts, num)
	if len(nw.stim.list) > 0 {
		nw.resetStimuli()
	}
	return nil
}

// initialStates draws the initial state of every population with its
// initializer, each from its own stream of seed.
func initialStates(specs []popSpec, starts []int, seed uint64) ([]int8, error) {
	state := make([]int8, starts[len(specs)])
	for k, s := range specs {
		rng := rand.New(rand.NewPCG(seed, streamID(streamInit, uint64(k), 0)))
		if err := s.init(state[starts[k]:starts[k+1]], rng); err != nil {
			return nil, err
		}
	}
	return state, nil
}

// unitThresholds returns every unit's threshold, its population's.
func unitThresholds(specs []popSpec, starts []int) []float64 {
	thresh := make([]float64, starts[len(specs)])
	for k, s := range specs {
		for u := starts[k]; u < starts[k+1]; u++ {
			thresh[u] = s.threshold
		}
	}
	return thresh
}

// finish installs a built engine and hands it what its update loop
// needs: the selector on the selection stream, the population rules with
// the background stream, and the recorder, with the clock of continuous
// time when Options.ContinuousTime is set (a pending diff log then gets
// room for times).
func (nw *Network) finish(opts Options, specs []popSpec, starts []int, num numeric) {
	nw.opts, nw.specs, nw.starts, nw.num = opts, specs, starts, num
	nw.index = make(map[Population]int, len(nw.pops))
	for k, p := range nw.pops {
		nw.index[p] = k
	}
	nw.selSrc = rand.NewPCG(opts.Seed, streamID(streamSelect, 0, 0))
	nw.bgSrc = rand.NewPCG(opts.Seed, streamID(streamBackRnd, 0, 0))
	nw.gainSrc = rand.NewPCG(opts.Seed, streamID(streamGain, 0, 0))
	nw.startClock()
	rules := rulesOf(specs, starts, func() []float64 { return num.thresholdsTo(nil) })
	nw.adapt = nw.adapt[:0]
	for k := range rules {
		if rules[k].adapt != nil {
			nw.adapt = append(nw.adapt, rules[k].adapt)
		}
	}
	num.attach(engineInputs{
		sel:   newSelector(specs, starts, nw.selSrc),
		rules: rules,
		bg:    nw.bgSrc,
		gain:  nw.gainSrc,
		rec:   &nw.recorder,
	})
}

// startClock gives the network the clock of continuous time when
// nw.opts.ContinuousTime is set, at time 0 with its stream at its start,
// and a pending diff log room for times; without it the network has no
// clock.
func (nw *Network) startClock() {
	nw.clock = nil
	if !nw.opts.ContinuousTime {
		return
	}
	nw.clock = newClock(nw.opts.Seed, updateRate(nw.specs))
	if d := &nw.diff; d.updates != nil && d.times == nil {
		d.times = make([]float64, len(d.updates))
	}
}

// size returns the number of units of an initialized network.
func (nw *Network) size() int { return nw.starts[len(nw.starts)-1] }

// layout places every synapse in the network, validates its rule, and
// derives what the build needs from the blocks (see layout).
func (nw *Network) layout(specs []popSpec, starts []int, autapse bool, selfRule AutapseRule) (*layout, error) {
	blocks := make([]block, len(nw.syns))
	perBlock := map[[2]int]int{}
	mayRepeat := false
	for i, s := range nw.syns {
		rule, a, b := s.rule, s.pre, s.post
		blocks[i] = block{
			index: i, rule: rule,
			preStart: starts[a], preEnd: starts[a+1],
			postStart: starts[b], postEnd: starts[b+1],
			exclude:  a == b && !autapse && selfRule == AutapseExcludeSelf,
			dropSelf: a == b && !autapse && selfRule == AutapseDeleteSelf,
		}
		if _, err := rule.newSampler(specs[a].n, blocks[i].exclude); err != nil {
			return nil, fmt.Errorf("synapse %d (%s -> %s): %w", i, specs[a].name, specs[b].name, err)
		}
		perBlock[[2]int{a, b}]++
		mayRepeat = mayRepeat || ruleMayRepeat(rule)
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
		b, err := nw.batch(nil, min(batchSize, steps-done))
		if err != nil {
			return err
		}
		done += b
	}
	return nil
}

// batch takes the next batch of at most most steps, ended early at the
// next field-log sample or stimulus start or end: of units[:b], or of
// units the selector draws when units is nil. It returns b.
func (nw *Network) batch(units []int32, most int) (int, error) {
	b := nw.stim.cut(nw.fields.cut(most, nw.steps), nw.steps)
	if units != nil {
		units = units[:b]
	}
	if err := nw.num.run(units, b); err != nil {
		return 0, err
	}
	nw.syncStimuli()
	nw.sampleFields()
	return b, nil
}

// Update performs one update step.
func (nw *Network) Update() error { return nw.Run(1, 1) }

// ApplyUpdates updates the given units in this order, one step each, as if
// Run had drawn them. It is the way to replay a recorded sequence (such as
// DiffLog.Updates) or to impose an update schedule of one's own. Every id
// is checked before any is applied; units is not modified or kept.
func (nw *Network) ApplyUpdates(units []int32) error {
	if err := nw.checkRun(len(units)); err != nil {
		return err
	}
	for i, u := range units {
		if n := nw.size(); uint32(u) >= uint32(n) {
			return paramError(fmt.Sprintf("units[%d]", i), u, fmt.Sprintf("must be a unit id in [0, %d)", n))
		}
	}
	for done := 0; done < len(units); {
		b, err := nw.batch(units[done:], len(units)-done)
		if err != nil {
			return err
		}
		done += b
	}
	return nil
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

// N returns the number of units of the populations added so far.
func (nw *Network) N() int {
	if len(nw.starts) == 0 {
		return 0
	}
	return nw.starts[len(nw.starts)-1]
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

// PopulationSpecs returns the description of every population, in the
// order they were added, as the network took it when each was added.
func (nw *Network) PopulationSpecs() []PopulationSpec {
	out := make([]PopulationSpec, len(nw.specs))
	for k, s := range nw.specs {
		out[k] = s.public()
	}
	return out
}

// PopulationRanges returns the unit ids of every population, in the order
// they were added.
func (nw *Network) PopulationRanges() []Range {
	out := make([]Range, len(nw.specs))
	for k := range out {
		out[k] = Range{nw.starts[k], nw.starts[k+1]}
	}
	return out
}

// PopulationRange returns the unit ids of population p, fixed when p was
// added.
func (nw *Network) PopulationRange(p Population) (Range, error) {
	if p == nil {
		return Range{}, paramError("population", nil, "must not be nil")
	}
	k := nw.indexOf(p)
	if k < 0 {
		return Range{}, paramError("population", p.Spec().Name, "is not a population of this network")
	}
	return Range{nw.starts[k], nw.starts[k+1]}, nil
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

// Thresholds copies the per-unit thresholds into dst and returns it: the
// thresholds the next update compares with, lowered by the input of the
// stimuli active at the current step (see Stimulus; StimulusInput gives
// the input). Adaptive populations compare with their adaptive thresholds
// instead, which these are the base of.
func (nw *Network) Thresholds(dst []float64) ([]float64, error) {
	if !nw.Initialized() {
		return nil, orderError("Thresholds before Initialize")
	}
	return nw.num.thresholdsTo(dst[:0]), nil
}

// NonZeroWeights returns the number of stored non-zero weights: in sparse
// mode the stored entries (a pair with parallel connections counts once),
// in dense mode the non-zero entries of the matrix.
func (nw *Network) NonZeroWeights() (int64, error) {
	if !nw.Initialized() {
		return 0, orderError("NonZeroWeights before Initialize")
	}
	return nw.num.nonZero(), nil
}
