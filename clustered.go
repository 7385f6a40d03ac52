package binarynet

import (
	"fmt"
	"math"
)

// Indices of the two unit types in the 2x2 matrices of ClusteredParams and
// ClusterMatrices, which are indexed [post type][pre type].
const (
	TypeE = 0 // excitatory
	TypeI = 1 // inhibitory
)

// ClusteredParams describes a clustered excitatory/inhibitory network in
// the style of Rost, Deger & Nawrot (2018): Q excitatory clusters of NE
// units and Q inhibitory clusters of NI units, in which the connections
// inside a cluster (and between the E and I cluster of the same index) are
// stronger or denser than those between clusters. With suitable parameters
// the clusters take turns being active ("winnerless competition").
//
// All 2x2 matrices are indexed [post type][pre type] with TypeE = 0 and
// TypeI = 1, so P[TypeE][TypeI] ("EI") is the probability of a connection
// from an I unit onto an E unit.
//
// ReferenceClusteredParams returns the example parameters of the Python
// module's clustered-network code. The JSON names of the fields follow the
// notation of the model (N_E, p_E_plus, R_j, ...).
type ClusteredParams struct {
	// Q is the number of clusters of each type, Q >= 1.
	Q int `json:"Q"`
	// NE and NI are the numbers of units per excitatory and per inhibitory
	// cluster; each must be >= 1.
	NE int `json:"N_E"`
	NI int `json:"N_I"`

	// P holds the baseline connection probabilities [[EE, EI], [IE, II]].
	// Each must be in (0, 1]: they enter the balanced weights as divisors.
	P [2][2]float64 `json:"p"`
	// G is the relative strength of inhibition, g >= 0: the total
	// inhibitory weight onto a unit is g times the excitatory one. Zero
	// means no inhibition.
	G float64 `json:"g"`

	// ThresholdE and ThresholdI are the thresholds of the E and I units.
	// They must be positive and finite. They also set the scale of the
	// balanced weights (see ClusterMatrices.J).
	ThresholdE float64 `json:"threshold_E"`
	ThresholdI float64 `json:"threshold_I"`
	// TauE and TauI are the update time constants of the E and I units, in
	// the relative units of BinaryNeuronPopulation.Tau. Zero means 10 for
	// TauE and 5 for TauI (faster inhibition, as in the benchmark
	// scenarios).
	TauE float64 `json:"tau_E"`
	TauI float64 `json:"tau_I"`

	// JEPlus is the weight clustering factor J_E+ of E units within their
	// own cluster, in (0, Q]. Zero means 1: no weight clustering.
	JEPlus float64 `json:"J_E_plus"`
	// PEPlus is the probability clustering factor p_E+, in (0, Q]. Zero
	// means 1: no probability clustering. Weight and probability clustering
	// may be combined; their factors act independently.
	PEPlus float64 `json:"p_E_plus"`
	// RJ is the ratio R_j in [0, 1] that sets how strongly the inhibitory
	// connections follow the clustering: J_I+ = 1 + RJ (J_E+ - 1), and the
	// same for p. Zero means unclustered inhibition.
	RJ float64 `json:"R_j"`

	// Drive is the weight of the one background unit (a BackgroundActivity
	// with activity 1) onto every E and I unit: a constant input added to
	// every field, so a unit becomes active when its recurrent input
	// exceeds its threshold minus Drive. The reference example uses 1. Zero
	// leaves the background unit in the network without effect, which is
	// what the Python module effectively simulated, since its background
	// units never reached the network state.
	//
	// With the balanced weights of ClusterMatrices one excitatory weight
	// is larger than the threshold (J_EE = 3.5 ThresholdE in the reference
	// example) and the recurrent input fluctuates by tens of thresholds,
	// so Drive and the thresholds move the dynamics little: in the
	// reference network a drive of 0, 1 or 10 gives about the same rates.
	// G, the clustering factors and the cluster sizes shape them.
	Drive float64 `json:"drive"`
}

// ReferenceClusteredParams returns the example parameters of the clustered
// network code that accompanies the Python module: Q = 20 clusters of
// NE = 200 excitatory and NI = 50 inhibitory units (5,000 units and one
// background unit), p = 0.1 for all four blocks, g = 1.2, thresholds 1,
// probability clustering with p_E+ = 6 and R_j = 0.75, and a drive of 1.
// Taus take their defaults, 10 (E) and 5 (I).
func ReferenceClusteredParams() ClusteredParams {
	return ClusteredParams{
		Q: 20, NE: 200, NI: 50,
		P:          [2][2]float64{{0.1, 0.1}, {0.1, 0.1}},
		G:          1.2,
		ThresholdE: 1, ThresholdI: 1,
		PEPlus: 6, RJ: 0.75,
		Drive: 1,
	}
}

// ClusterMatrices are the block parameters of a clustered network, all
// indexed [post type][pre type] = [[EE, EI], [IE, II]].
type ClusterMatrices struct {
	// J holds the balanced weights of the unclustered network. With
	// n_E = NE/(NE+NI) and n_I = NI/(NE+NI):
	//
	//	J_EE = ThresholdE / sqrt(p_EE n_E)
	//	J_EI = -g J_EE p_EE n_E / (p_EI n_I)
	//	J_IE = ThresholdI / sqrt(p_IE n_E)
	//	J_II = -g J_IE p_IE n_E / (p_II n_I)
	//
	// so that the inhibitory input onto each type is g times the
	// excitatory one when E and I units are equally active. J_EI uses p_EI,
	// the probability of the I-to-E connections it weights; the Python
	// module's clustered code divides by p_IE there, which gives the same
	// value whenever p_EI = p_IE, as in all its examples.
	J [2][2]float64 `json:"J"`
	// JPlus and JMinus are the weights within a cluster (pre and post
	// cluster have the same index) and between clusters.
	JPlus  [2][2]float64 `json:"J_plus"`
	JMinus [2][2]float64 `json:"J_minus"`
	// PPlus and PMinus are the connection probabilities within and between
	// clusters.
	PPlus  [2][2]float64 `json:"p_plus"`
	PMinus [2][2]float64 `json:"p_minus"`
}

// ClusterFactors returns the clustering factors for a factor eplus (J_E+
// or p_E+), the ratio rj (R_j) and q clusters:
//
//	ePlus = eplus,  eMinus = (q - ePlus) / (q - 1)
//	iPlus = 1 + rj (eplus - 1),  iMinus = (q - iPlus) / (q - 1)
//
// The minus factors keep the total input of a unit what it is without
// clustering: plus + (q-1) minus = q. For q = 1 there are no connections
// between clusters and both minus factors are 1.
func ClusterFactors(eplus, rj float64, q int) (ePlus, eMinus, iPlus, iMinus float64) {
	ePlus = eplus
	iPlus = 1 + rj*(eplus-1)
	eMinus, iMinus = 1, 1
	if q > 1 {
		qf := float64(q)
		eMinus = (qf - ePlus) / (qf - 1)
		iMinus = (qf - iPlus) / (qf - 1)
	}
	return ePlus, eMinus, iPlus, iMinus
}

// withDefaults returns p with zero fields replaced by their defaults.
func (p ClusteredParams) withDefaults() ClusteredParams {
	if p.TauE == 0 {
		p.TauE = 10
	}
	if p.TauI == 0 {
		p.TauI = 5
	}
	if p.JEPlus == 0 {
		p.JEPlus = 1
	}
	if p.PEPlus == 0 {
		p.PEPlus = 1
	}
	return p
}

// validate checks p after defaults are applied.
func (p ClusteredParams) validate() error {
	if p.Q < 1 {
		return paramError("clustered Q", p.Q, "must be >= 1")
	}
	if p.NE < 1 {
		return paramError("clustered NE", p.NE, "must be >= 1")
	}
	if p.NI < 1 {
		return paramError("clustered NI", p.NI, "must be >= 1")
	}
	if total := float64(p.Q)*(float64(p.NE)+float64(p.NI)) + 1; total > maxUnits {
		return paramError("clustered network size Q*(NE+NI)+1", total, fmt.Sprintf("must be <= %d", maxUnits))
	}
	names := [2][2]string{{"EE", "EI"}, {"IE", "II"}}
	for post := range 2 {
		for pre := range 2 {
			if v := p.P[post][pre]; !(v > 0 && v <= 1) {
				return paramError("clustered P["+names[post][pre]+"]", v, "must be in (0, 1]")
			}
		}
	}
	finite := func(name string, v float64, ok bool, reason string) error {
		if math.IsNaN(v) || math.IsInf(v, 0) || !ok {
			return paramError("clustered "+name, v, reason)
		}
		return nil
	}
	q := float64(p.Q)
	for _, c := range []struct {
		name   string
		v      float64
		ok     bool
		reason string
	}{
		{"G", p.G, p.G >= 0, "must be >= 0 and finite"},
		{"ThresholdE", p.ThresholdE, p.ThresholdE > 0, "must be positive and finite"},
		{"ThresholdI", p.ThresholdI, p.ThresholdI > 0, "must be positive and finite"},
		{"TauE", p.TauE, p.TauE > 0, "must be positive and finite"},
		{"TauI", p.TauI, p.TauI > 0, "must be positive and finite"},
		{"JEPlus", p.JEPlus, p.JEPlus > 0 && p.JEPlus <= q, fmt.Sprintf("must be in (0, Q=%d]", p.Q)},
		{"PEPlus", p.PEPlus, p.PEPlus > 0 && p.PEPlus <= q, fmt.Sprintf("must be in (0, Q=%d]", p.Q)},
		{"RJ", p.RJ, p.RJ >= 0 && p.RJ <= 1, "must be in [0, 1]"},
		{"Drive", p.Drive, true, "must be finite"},
	} {
		if err := finite(c.name, c.v, c.ok, c.reason); err != nil {
			return err
		}
	}
	return nil
}

// Matrices returns the balanced weights and the within- and between-cluster
// weights and probabilities of the network p describes, after applying
// the defaults of zero fields. It returns an error for invalid parameters.
//
// Weight clustering with (J_E+, R_j) multiplies the weights:
//
//	JPlus  = J * [[J_E+, J_I+], [J_I+, J_I+]]
//	JMinus = J * [[J_E-, J_I-], [J_I-, J_I-]]
//
// element by element, with the factors of ClusterFactors. Probability
// clustering with (p_E+, R_j) multiplies P in the same way. A probability
// above 1 follows the convention of PairwiseBernoulliSynapse (independent
// layers).
func (p ClusteredParams) Matrices() (ClusterMatrices, error) {
	p = p.withDefaults()
	if err := p.validate(); err != nil {
		return ClusterMatrices{}, err
	}
	var m ClusterMatrices
	nE := float64(p.NE) / float64(p.NE+p.NI)
	nI := float64(p.NI) / float64(p.NE+p.NI)
	P := p.P
	const e, i = TypeE, TypeI
	m.J[e][e] = p.ThresholdE / math.Sqrt(P[e][e]*nE)
	m.J[e][i] = -p.G * m.J[e][e] * P[e][e] * nE / (P[e][i] * nI)
	m.J[i][e] = p.ThresholdI / math.Sqrt(P[i][e]*nE)
	m.J[i][i] = -p.G * m.J[i][e] * P[i][e] * nE / (P[i][i] * nI)

	jEp, jEm, jIp, jIm := ClusterFactors(p.JEPlus, p.RJ, p.Q)
	pEp, pEm, pIp, pIm := ClusterFactors(p.PEPlus, p.RJ, p.Q)
	for post := range 2 {
		for pre := range 2 {
			jp, jm, pp, pm := jIp, jIm, pIp, pIm
			if post == e && pre == e {
				jp, jm, pp, pm = jEp, jEm, pEp, pEm
			}
			m.JPlus[post][pre] = m.J[post][pre] * jp
			m.JMinus[post][pre] = m.J[post][pre] * jm
			m.PPlus[post][pre] = P[post][pre] * pp
			m.PMinus[post][pre] = P[post][pre] * pm
		}
	}
	return m, nil
}

// ClusteredLayout tells where the populations of a clustered network are
// and with which parameters it was built.
type ClusteredLayout struct {
	// Params are the parameters used, with the defaults of zero fields
	// filled in.
	Params ClusteredParams
	// Matrices are the block parameters used.
	Matrices ClusterMatrices
	// E[k] and I[k] are the populations of E and I cluster k, named "E<k>"
	// and "I<k>".
	E, I []*BinaryNeuronPopulation
	// Background is the background unit, named "background".
	Background *BackgroundActivity
	// ERanges[k] and IRanges[k] are the unit ids of E[k] and I[k]:
	// clusters E0..E(Q-1) come first, then I0..I(Q-1), then the background
	// unit.
	ERanges, IRanges []Range
	// BackgroundRange holds the id of the background unit.
	BackgroundRange Range
}

// Ranges returns the ranges of all E clusters followed by all I clusters,
// the layout's order of populations without the background unit.
func (l *ClusteredLayout) Ranges() []Range {
	return append(append([]Range(nil), l.ERanges...), l.IRanges...)
}

// NewClusteredNetwork builds a clustered E/I network: Q E populations
// E0..E(Q-1) of NE units with ThresholdE and TauE, then Q I populations
// I0..I(Q-1) of NI units with ThresholdI and TauI, then one background
// unit ("background", activity 1, deterministic, Tau = TauE).
//
// For each pre type and post type (E or I), pre cluster k and post cluster
// l, in this order of nesting, one PairwiseBernoulliSynapse connects the
// two populations with PPlus and JPlus of ClusterMatrices when k == l and
// PMinus and JMinus otherwise. Then one AllToAllSynapse of weight Drive
// connects the background unit onto each E and I population. Initial
// states are those of BinaryNeuronPopulation (active with probability
// 0.2).
//
// The network is returned ready to initialize: call Initialize with the
// Options of your choice (seed, weight mode). Populations and synapses
// added before that, for example a stimulus, come after those of the
// layout and leave its ranges valid.
func NewClusteredNetwork(name string, p ClusteredParams) (*Network, *ClusteredLayout, error) {
	m, err := p.Matrices()
	if err != nil {
		return nil, nil, err
	}
	p = p.withDefaults()
	l := &ClusteredLayout{
		Params:   p,
		Matrices: m,
		E:        make([]*BinaryNeuronPopulation, p.Q),
		I:        make([]*BinaryNeuronPopulation, p.Q),
		ERanges:  make([]Range, p.Q),
		IRanges:  make([]Range, p.Q),
	}
	nw := NewNetwork(name)
	start := 0
	add := func(pop *BinaryNeuronPopulation) (Range, error) {
		if err := nw.AddPopulation(pop); err != nil {
			return Range{}, err
		}
		start += pop.N
		return Range{start - pop.N, start}, nil
	}
	for k := range p.Q {
		l.E[k] = &BinaryNeuronPopulation{Name: fmt.Sprintf("E%d", k), N: p.NE, Threshold: p.ThresholdE, Tau: p.TauE}
		if l.ERanges[k], err = add(l.E[k]); err != nil {
			return nil, nil, err
		}
	}
	for k := range p.Q {
		l.I[k] = &BinaryNeuronPopulation{Name: fmt.Sprintf("I%d", k), N: p.NI, Threshold: p.ThresholdI, Tau: p.TauI}
		if l.IRanges[k], err = add(l.I[k]); err != nil {
			return nil, nil, err
		}
	}
	l.Background = &BackgroundActivity{Name: "background", N: 1, Tau: p.TauE, Activity: 1}
	if err := nw.AddPopulation(l.Background); err != nil {
		return nil, nil, err
	}
	l.BackgroundRange = Range{start, start + 1}

	byType := [2][]*BinaryNeuronPopulation{l.E, l.I}
	for pre := range 2 {
		for post := range 2 {
			for k := range p.Q {
				for q := range p.Q {
					prob, j := m.PMinus[post][pre], m.JMinus[post][pre]
					if k == q {
						prob, j = m.PPlus[post][pre], m.JPlus[post][pre]
					}
					if err := nw.AddSynapse(NewPairwiseBernoulliSynapse(byType[pre][k], byType[post][q], prob, j)); err != nil {
						return nil, nil, err
					}
				}
			}
		}
	}
	for post := range 2 {
		for _, pop := range byType[post] {
			if err := nw.AddSynapse(NewAllToAllSynapse(l.Background, pop, p.Drive)); err != nil {
				return nil, nil, err
			}
		}
	}
	return nw, l, nil
}
