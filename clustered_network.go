package binarynet

import (
	"fmt"
)

// CellType is the type of the units of a clustered population.
type CellType int

const (
	CellE CellType = TypeE // excitatory
	CellI CellType = TypeI // inhibitory
)

// String returns "E" or "I", as the toolkit writes cell types.
func (c CellType) String() string {
	switch c {
	case CellE:
		return "E"
	case CellI:
		return "I"
	}
	return fmt.Sprintf("CellType(%d)", int(c))
}

// ClusterPopulation is one population of a clustered network with its
// cell type, cluster index and unit ids.
type ClusterPopulation struct {
	Population *BinaryNeuronPopulation
	CellType   CellType
	Cluster    int
	Range      Range
}

// ClusteredLayout tells where the populations of a clustered network are
// and with which parameters it was built.
type ClusteredLayout struct {
	// Params are the parameters used, with TauI resolved (never nil).
	Params ClusteredParams
	// Matrices are the block parameters used.
	Matrices ClusterMatrices
	// Estimate is the size estimate made before building (zero in a
	// layout from ClusteredParams.Layout).
	Estimate ClusteredEstimate
	// Populations lists the 2Q populations in index order: E0..E(Q-1),
	// then I0..I(Q-1).
	Populations []ClusterPopulation
	// E[k] and I[k] are the populations of E and I cluster k, named "E<k>"
	// and "I<k>"; ERanges[k] and IRanges[k] their unit ids.
	E, I             []*BinaryNeuronPopulation
	ERanges, IRanges []Range
}

// Ranges returns the ranges of all E clusters followed by all I clusters,
// the layout's order of populations.
func (l *ClusteredLayout) Ranges() []Range {
	return append(append([]Range(nil), l.ERanges...), l.IRanges...)
}

// ClusteredEstimate is the size of a clustered network, estimated before
// any of it is built.
type ClusteredEstimate struct {
	// Units is N_E + N_I.
	Units int
	// Blocks is the number of synapse rules, 4 Q^2.
	Blocks int
	// Synapses is the expected number of connections drawn (an upper
	// bound on the stored entries: parallel connections are stored once).
	Synapses float64
	// Mode is the weight mode Initialize will use for the options given.
	Mode WeightMode
	// Bytes is the estimated memory of the weights, states and fields in
	// that mode plus the synapse rules and their samplers.
	Bytes float64
}

// bytesPerBlock and bytesPerBlockWorker estimate the memory one synapse
// rule takes while a network is built: the synapse value and its slot in
// the network (about 80 bytes), the placed block with its rule (about 100
// bytes) and bookkeeping (about 100 bytes), and per sampling worker the
// rule's row sampler and its entry in the list of live rules (about 100
// bytes). They are rounded up.
const (
	bytesPerBlock       = 320
	bytesPerBlockWorker = 128
)

// Estimate validates p and returns the size of its network under opts
// without building anything. It returns an error wrapping ErrMemoryBudget
// when the estimate exceeds the budget of opts, and an error wrapping
// ErrInvalidParameter when a block's rule cannot be drawn (for example a
// fixed indegree larger than its pre cluster without multapses).
func (p ClusteredParams) Estimate(opts Options) (ClusteredEstimate, error) {
	m, err := p.Matrices()
	if err != nil {
		return ClusteredEstimate{}, err
	}
	return p.estimate(m, opts)
}

func (p ClusteredParams) estimate(m ClusterMatrices, opts Options) (ClusteredEstimate, error) {
	if err := checkOptions(&opts); err != nil {
		return ClusteredEstimate{}, err
	}
	q := p.Q
	size := [2]int{p.NE / q, p.NI / q}
	est := ClusteredEstimate{Units: p.NE + p.NI, Blocks: 4 * q * q}
	var repeats float64 // a bound on the expected number of pairs drawn more than once
	names := [2]string{"E", "I"}
	for post := range 2 {
		for pre := range 2 {
			for _, in := range []bool{true, false} {
				count := q * (q - 1)
				prob, j, where := m.PMinus[post][pre], m.JMinus[post][pre], "between clusters"
				if in {
					count = q
					prob, j, where = m.PPlus[post][pre], m.JPlus[post][pre], "inside clusters"
				}
				if count == 0 {
					continue
				}
				r, err := p.synapse(nil, nil, prob, j).rule()
				if err == nil {
					self := in && pre == post && !opts.Autapse
					_, err = r.newSampler(size[pre], self && opts.AutapseRule == AutapseExcludeSelf)
				}
				if err != nil {
					return est, fmt.Errorf("%s -> %s %s (%s, p = %g): %w", names[pre], names[post], where, p.ConnectionType, prob, err)
				}
				draws := r.expected(size[pre], size[post])
				est.Synapses += float64(count) * draws
				if ruleMayRepeat(r) {
					repeats += float64(count) * repeatBound(draws, size[pre], size[post])
				}
			}
		}
	}
	mode, err := chooseMode(opts, est.Units, est.Synapses, repeats)
	if err != nil {
		return est, err
	}
	est.Mode = mode
	blockBytes := float64(est.Blocks) * float64(bytesPerBlock+bytesPerBlockWorker*opts.Workers)
	est.Bytes = memoryNeed(opts, est.Mode, est.Units, est.Synapses, repeats) + blockBytes
	if budget := opts.RAMBudgetGB * (1 << 30); est.Bytes > budget {
		return est, fmt.Errorf("%w: clustered network of %d units in %d blocks (Q=%d) needs about %.3g GiB (%.3g GiB for the blocks), budget is %.3g GiB (Options.RAMBudgetGB)",
			ErrMemoryBudget, est.Units, est.Blocks, q, est.Bytes/(1<<30), blockBytes/(1<<30), opts.RAMBudgetGB)
	}
	return est, nil
}

// synapse returns the synapse of p's connection type from pre onto post.
func (p *ClusteredParams) synapse(pre, post Population, prob, j float64) Synapse {
	switch p.ConnectionType {
	case ConnectPoisson:
		return NewPoissonSynapse(pre, post, prob, j)
	case ConnectFixedIndegree:
		s := NewFixedIndegreeSynapse(pre, post, prob, j)
		s.Distinct = !p.Multapses
		return s
	}
	return NewPairwiseBernoulliSynapse(pre, post, prob, j)
}

// Layout validates p and returns the layout of its network: the block
// parameters and the populations (with their initializers), without a
// network or an estimate. NewClusteredNetwork builds the network from it.
func (p ClusteredParams) Layout() (*ClusteredLayout, error) {
	m, err := p.Matrices()
	if err != nil {
		return nil, err
	}
	return p.layout(m), nil
}

// layout returns the layout of a valid p with block parameters m.
func (p ClusteredParams) layout(m ClusterMatrices) *ClusteredLayout {
	tauI := p.tauI()
	p.TauI = &tauI
	q := p.Q
	l := &ClusteredLayout{
		Params: p, Matrices: m,
		Populations: make([]ClusterPopulation, 0, 2*q),
		E:           make([]*BinaryNeuronPopulation, q),
		I:           make([]*BinaryNeuronPopulation, q),
		ERanges:     make([]Range, q),
		IRanges:     make([]Range, q),
	}
	start := 0
	for _, cell := range []CellType{CellE, CellI} {
		n, tau, theta, adapt := p.NE/q, p.TauE, m.ThetaE, p.AdaptationE
		pops, ranges := l.E, l.ERanges
		if cell == CellI {
			n, tau, theta, adapt = p.NI/q, tauI, m.ThetaI, p.AdaptationI
			pops, ranges = l.I, l.IRanges
		}
		for k := range q {
			pops[k] = &BinaryNeuronPopulation{
				Name: fmt.Sprintf("%s%d", cell, k), N: n, Threshold: theta, Tau: tau,
				Initializer: p.initializer(cell, k), Adaptation: adapt,
			}
			ranges[k] = Range{start, start + n}
			l.Populations = append(l.Populations, ClusterPopulation{Population: pops[k], CellType: cell, Cluster: k, Range: ranges[k]})
			start += n
		}
	}
	return l
}

// NewClusteredNetwork builds the clustered network p describes and
// initializes it with opts. It first validates p and estimates the size
// (see Estimate), so that a network too large for the budget fails at
// once, before any block is built.
//
// The populations are E0..E(Q-1) (N_E/Q units, TauE, threshold
// Matrices.ThetaE) then I0..I(Q-1) (N_I/Q units, TauI, ThetaI); there is no
// background population, the external drive being folded into the
// thresholds. For each pre type and post type (E or I), pre cluster k and
// post cluster l, in this order of nesting, one synapse of the connection
// type connects the two populations with PPlus and JPlus when k == l and
// PMinus and JMinus otherwise. Without Options.Autapse a unit does not
// connect to itself; Options.AutapseRule chooses how (the toolkit's own
// rule is AutapseDeleteSelf).
//
// Initial states follow PopulationRateInit when it is set, otherwise
// InitialActivity, otherwise the engine's default (Bernoulli 0.2); they
// are drawn from the initial-state streams of opts (Options.InitSeed).
// The toolkit's pipeline draws the states of population_rate_init after
// building, which gives the same distribution.
func NewClusteredNetwork(name string, p ClusteredParams, opts Options) (*Network, *ClusteredLayout, error) {
	m, err := p.Matrices()
	if err != nil {
		return nil, nil, err
	}
	est, err := p.estimate(m, opts)
	if err != nil {
		return nil, nil, err
	}
	l := p.layout(m)
	l.Estimate = est
	nw := NewNetwork(name)
	for _, cp := range l.Populations {
		if err := nw.AddPopulation(cp.Population); err != nil {
			return nil, nil, err
		}
	}
	q := p.Q
	byType := [2][]*BinaryNeuronPopulation{l.E, l.I}
	for pre := range 2 {
		for post := range 2 {
			for k := range q {
				for t := range q {
					prob, j := m.PMinus[post][pre], m.JMinus[post][pre]
					if k == t {
						prob, j = m.PPlus[post][pre], m.JPlus[post][pre]
					}
					if err := nw.AddSynapse(p.synapse(byType[pre][k], byType[post][t], prob, j)); err != nil {
						return nil, nil, err
					}
				}
			}
		}
	}
	if err := nw.Initialize(opts); err != nil {
		return nil, nil, err
	}
	return nw, l, nil
}

// initializer returns the initializer of the population of the given cell
// type and cluster: PopulationRateInit, else InitialActivity, else nil
// (the engine's default). p must be valid.
func (p *ClusteredParams) initializer(cell CellType, cluster int) Initializer {
	if v := p.PopulationRateInit; v != nil {
		if len(v) == 1 {
			return BernoulliInit(v[0])
		}
		return BernoulliInit(v[int(cell)*p.Q+cluster])
	}
	if p.InitialActivity != nil {
		return p.InitialActivity.initializer(cell, cluster)
	}
	return nil
}
