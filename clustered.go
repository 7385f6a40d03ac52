package binarynet

import (
	"fmt"
	"math"
	"strings"
)

// Indices of the two cell types in the 2x2 matrices of ClusterMatrices,
// which are indexed [post type][pre type].
const (
	TypeE = 0 // excitatory
	TypeI = 1 // inhibitory
)

// ConnectionType selects the synapse rule of every block of a clustered
// network.
type ConnectionType int

const (
	// ConnectBernoulli connects each pair with the block's probability
	// (PairwiseBernoulliSynapse; a probability above 1 means layers).
	ConnectBernoulli ConnectionType = iota
	// ConnectPoisson draws a Poisson number of connections per pair with
	// the block's probability as its mean (PoissonSynapse).
	ConnectPoisson
	// ConnectFixedIndegree gives every unit round(p x pre cluster size)
	// inputs from each pre cluster (FixedIndegreeSynapse).
	ConnectFixedIndegree
)

// String returns "bernoulli", "poisson" or "fixed-indegree", the
// toolkit's spelling.
func (c ConnectionType) String() string {
	switch c {
	case ConnectBernoulli:
		return "bernoulli"
	case ConnectPoisson:
		return "poisson"
	case ConnectFixedIndegree:
		return "fixed-indegree"
	}
	return fmt.Sprintf("ConnectionType(%d)", int(c))
}

// ParseConnectionType reads "bernoulli", "poisson" or "fixed-indegree"
// (also "fixed_indegree"), in any case. An unknown name is an error naming
// the key connection_type.
func ParseConnectionType(s string) (ConnectionType, error) {
	switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "_", "-") {
	case "bernoulli":
		return ConnectBernoulli, nil
	case "poisson":
		return ConnectPoisson, nil
	case "fixed-indegree":
		return ConnectFixedIndegree, nil
	}
	return 0, paramError("connection_type", fmt.Sprintf("%q", s), `must be "bernoulli", "poisson" or "fixed-indegree"`)
}

// MarshalText implements encoding.TextMarshaler.
func (c ConnectionType) MarshalText() ([]byte, error) {
	if c < ConnectBernoulli || c > ConnectFixedIndegree {
		return nil, paramError("connection_type", int(c), "is not a connection type")
	}
	return []byte(c.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with
// ParseConnectionType.
func (c *ConnectionType) UnmarshalText(b []byte) error {
	v, err := ParseConnectionType(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// ClusteredParams describes the clustered E/I model of the research
// toolkit that the Python module serves (section 2 of its facts): N_E
// excitatory and N_I inhibitory units split into Q equal clusters, E
// cluster k and I cluster k forming cluster k. Clustering of strength
// R_E+ (and R_I+ = 1 + R_j (R_E+ - 1) for every block that involves I
// units) is put into the connection probabilities, the weights, or both,
// as kappa mixes them: kappa = 0 is pure probability clustering, kappa = 1
// pure weight clustering.
//
// Start from DefaultClusteredParams, which holds the toolkit's values for
// absent keys, and set REPlus, which has no default. The JSON names of the
// fields are the toolkit's YAML keys, and error messages use them.
type ClusteredParams struct {
	// NE and NI are the total numbers of E and I units (N_E, N_I); each
	// must be a positive multiple of Q. Defaults 8000 and 2000.
	NE int `json:"N_E"`
	NI int `json:"N_I"`
	// Q is the number of clusters, Q >= 1. Default 20.
	Q int `json:"Q"`
	// VTh is the threshold theta of every unit before the external drive
	// is folded in (V_th), finite. Default 1.
	VTh float64 `json:"V_th"`
	// G is the relative strength of inhibition onto E units (g), finite.
	// It enters j_EI only. Default 1.2.
	G float64 `json:"g"`
	// P0EE, P0IE, P0EI and P0II are the base connection probabilities,
	// [post][pre]: P0EI is I onto E (p0_ei). Each must be in (0, 1].
	// Default 0.3 each.
	P0EE float64 `json:"p0_ee"`
	P0IE float64 `json:"p0_ie"`
	P0EI float64 `json:"p0_ei"`
	P0II float64 `json:"p0_ii"`
	// TauE is the update time constant of E units (tau_e), positive and
	// finite, in ms of the time axis (see Network.StepDuration). Default
	// 10.
	TauE float64 `json:"tau_e"`
	// TauI is the update time constant of I units (tau_i). Nil means
	// TauE / 2; a given value must be positive and finite.
	TauI *float64 `json:"tau_i,omitempty"`
	// REPlus is the clustering strength R_E+ of E (R_Eplus). It has no
	// default: nil is an error. Values below 0 are clipped to 0, as the
	// toolkit does; it must be at most Q when Q > 1, so that the factor
	// (Q - R)/(Q - 1) between clusters is not negative.
	REPlus *float64 `json:"R_Eplus"`
	// Rj is the fraction R_j of the E clustering given to I:
	// R_I+ = 1 + R_j (R_E+ - 1), which must then be at most Q when Q > 1.
	// Default 0.75.
	Rj float64 `json:"R_j"`
	// Kappa mixes wiring and weights, in [0, 1]: 0 puts the clustering
	// into the probabilities only, 1 into the weights only. Default 0, the
	// toolkit's value when the key is absent (its default configuration
	// file sets 1).
	Kappa float64 `json:"kappa"`
	// ConnectionType is the synapse rule of every block. Default
	// bernoulli, the toolkit's value when the key is absent (its default
	// configuration file sets poisson).
	ConnectionType ConnectionType `json:"connection_type"`
	// Multapses allows several connections per pair for fixed-indegree
	// blocks (inputs drawn with replacement); false draws distinct
	// inputs. Other connection types ignore it. Default true.
	Multapses bool `json:"multapses"`
	// MX is the external rate m_X, finite, folded into the thresholds:
	// theta_E = V_th - m_X J_EX and theta_I = V_th - m_X J_IX with
	// J_EX = sqrt(p0_ee N_E) and J_IX = 0.8 J_EX. Default 0.03.
	MX float64 `json:"m_X"`
	// InitialActivity sets the initial states per population (the
	// toolkit's initial_activity). Nil leaves every population at the
	// engine's default, Bernoulli 0.2.
	InitialActivity *InitialActivity `json:"initial_activity,omitempty"`
	// PopulationRateInit, when not nil, redraws the initial states of
	// every population, Bernoulli with this probability: one value for
	// all populations or 2Q values in the order E0..E(Q-1), I0..I(Q-1),
	// each in [0, 1] (the toolkit's binary.population_rate_init, whose
	// pipeline default is 0.1). It overrides InitialActivity. Default nil.
	PopulationRateInit []float64 `json:"population_rate_init,omitempty"`
	// AdaptationE and AdaptationI give every E and every I unit an
	// adaptive threshold (see Adaptation; Tau in update steps). The zero
	// value, the default, is none.
	AdaptationE Adaptation `json:"-"`
	AdaptationI Adaptation `json:"-"`
}

// DefaultClusteredParams returns the toolkit's parameters for absent keys:
// N_E = 8000, N_I = 2000, Q = 20, V_th = 1, g = 1.2, p0 = 0.3 for all
// four blocks, tau_e = 10 (tau_i = tau_e/2), R_j = 0.75, kappa = 0,
// bernoulli connections with multapses, m_X = 0.03, no initial_activity
// and no population_rate_init. REPlus is nil and must be set.
func DefaultClusteredParams() ClusteredParams {
	return ClusteredParams{
		NE: 8000, NI: 2000, Q: 20,
		VTh: 1, G: 1.2,
		P0EE: 0.3, P0IE: 0.3, P0EI: 0.3, P0II: 0.3,
		TauE: 10, Rj: 0.75,
		ConnectionType: ConnectBernoulli, Multapses: true,
		MX: 0.03,
	}
}

// tauI returns the I time constant: TauI, or TauE/2 when it is nil.
func (p *ClusteredParams) tauI() float64 {
	if p.TauI != nil {
		return *p.TauI
	}
	return p.TauE / 2
}

// P0 returns the base probabilities as a matrix [[EE, EI], [IE, II]]
// indexed [post type][pre type].
func (p *ClusteredParams) P0() [2][2]float64 {
	return [2][2]float64{{p.P0EE, p.P0EI}, {p.P0IE, p.P0II}}
}

// Validate checks every parameter and returns an error wrapping
// ErrInvalidParameter that names the first invalid one by its toolkit key
// (e.g. "R_Eplus") and gives its value.
func (p ClusteredParams) Validate() error {
	if p.Q < 1 {
		return paramError("Q", p.Q, "must be >= 1")
	}
	for _, c := range []struct {
		key string
		n   int
	}{{"N_E", p.NE}, {"N_I", p.NI}} {
		if c.n < 1 {
			return paramError(c.key, c.n, "must be >= 1")
		}
		if c.n%p.Q != 0 {
			return paramError(c.key, c.n, fmt.Sprintf("must be divisible by Q=%d (equal clusters)", p.Q))
		}
	}
	if total := p.NE + p.NI; total > maxUnits || total < 0 {
		return paramError("N_E + N_I", float64(p.NE)+float64(p.NI), fmt.Sprintf("must be <= %d units", maxUnits))
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if p.REPlus == nil {
		return paramError("R_Eplus", nil, "must be set (it has no default; the toolkit's figures use 7.25 or 8)")
	}
	tauI := p.tauI()
	for _, c := range []struct {
		key    string
		v      float64
		ok     bool
		reason string
	}{
		{"V_th", p.VTh, finite(p.VTh), "must be finite"},
		{"g", p.G, finite(p.G), "must be finite"},
		{"p0_ee", p.P0EE, p.P0EE > 0 && p.P0EE <= 1, "must be in (0, 1]"},
		{"p0_ie", p.P0IE, p.P0IE > 0 && p.P0IE <= 1, "must be in (0, 1]"},
		{"p0_ei", p.P0EI, p.P0EI > 0 && p.P0EI <= 1, "must be in (0, 1]"},
		{"p0_ii", p.P0II, p.P0II > 0 && p.P0II <= 1, "must be in (0, 1]"},
		{"tau_e", p.TauE, p.TauE > 0 && finite(p.TauE), "must be positive and finite"},
		{"tau_i", tauI, tauI > 0 && finite(tauI), "must be positive and finite"},
		{"R_Eplus", *p.REPlus, finite(*p.REPlus), "must be finite"},
		{"R_j", p.Rj, finite(p.Rj), "must be finite"},
		{"kappa", p.Kappa, p.Kappa >= 0 && p.Kappa <= 1, "must be in [0, 1]"},
		{"m_X", p.MX, finite(p.MX), "must be finite"},
	} {
		if !c.ok {
			return paramError(c.key, c.v, c.reason)
		}
	}
	switch p.ConnectionType {
	case ConnectBernoulli, ConnectPoisson, ConnectFixedIndegree:
	default:
		return paramError("connection_type", int(p.ConnectionType), "must be bernoulli, poisson or fixed-indegree")
	}
	if p.Q > 1 {
		q := float64(p.Q)
		if r := max(*p.REPlus, 0); r > q {
			return paramError("R_Eplus", *p.REPlus, fmt.Sprintf("must be <= Q=%d: the factor (Q-R)/(Q-1) between clusters would be negative", p.Q))
		}
		if r := max(p.rIPlus(), 0); r > q {
			return paramError("R_j", p.Rj, fmt.Sprintf("gives R_I+ = 1 + R_j (R_Eplus - 1) = %g, must give at most Q=%d", r, p.Q))
		}
	}
	if p.InitialActivity != nil {
		if err := p.InitialActivity.validate(p.Q); err != nil {
			return err
		}
	}
	if v := p.PopulationRateInit; v != nil {
		if len(v) != 1 && len(v) != 2*p.Q {
			return paramError("population_rate_init", fmt.Sprint(v), fmt.Sprintf("must hold 1 or 2Q=%d values, has %d", 2*p.Q, len(v)))
		}
		for i, r := range v {
			if !(r >= 0 && r <= 1) {
				return paramError(fmt.Sprintf("population_rate_init[%d]", i), r, "must be in [0, 1]")
			}
		}
	}
	return nil
}

// rIPlus returns R_I+ = 1 + R_j (R_E+ - 1); REPlus must be set.
func (p *ClusteredParams) rIPlus() float64 { return 1 + p.Rj*(*p.REPlus-1) }

// MixingFactors returns the factors by which the clustering strength r
// multiplies the base probability and weight of a block, inside a
// cluster (pIn, wIn) and between clusters (pOut, wOut), for kappa in
// [0, 1] and q clusters. With r clipped below at 0:
//
//	pIn = r^(1-kappa)   pOut = ((q-r)/(q-1))^(1-kappa)
//	wIn = r^kappa       wOut = ((q-r)/(q-1))^kappa
//
// For q = 1 the between-cluster factors equal the inside ones (there are
// no blocks between clusters). A factor 0^0 is 1.
func MixingFactors(r, kappa float64, q int) (pIn, pOut, wIn, wOut float64) {
	r = max(r, 0)
	pIn, wIn = math.Pow(r, 1-kappa), math.Pow(r, kappa)
	if q <= 1 {
		return pIn, pIn, wIn, wIn
	}
	out := (float64(q) - r) / float64(q-1)
	return pIn, math.Pow(out, 1-kappa), wIn, math.Pow(out, kappa)
}

// ClusterMatrices are the block parameters of a clustered network, the 2x2
// matrices indexed [post type][pre type] = [[EE, EI], [IE, II]].
type ClusterMatrices struct {
	// J holds the base weights. With N = N_E + N_I, n_E = N_E/N and
	// n_I = N_I/N:
	//
	//	j_EE = V_th / sqrt(p0_ee n_E) / sqrt(N)
	//	j_EI = -g j_EE p0_ee n_E / (p0_ei n_I)
	//	j_IE = V_th / sqrt(p0_ie n_E) / sqrt(N)
	//	j_II = -j_IE p0_ie n_E / (p0_ii n_I)
	J [2][2]float64 `json:"J"`
	// PPlus and JPlus are the probability and weight of the blocks inside
	// a cluster (pre and post cluster have the same index), PMinus and
	// JMinus those between clusters: p0 and J times the MixingFactors of
	// R_E+ for the EE block and of R_I+ for the others.
	PPlus  [2][2]float64 `json:"p_plus"`
	PMinus [2][2]float64 `json:"p_minus"`
	JPlus  [2][2]float64 `json:"j_plus"`
	JMinus [2][2]float64 `json:"j_minus"`
	// REPlus and RIPlus are the clustering strengths used, R_E+ clipped
	// below at 0 and R_I+ = 1 + R_j (R_E+ - 1), also clipped.
	REPlus float64 `json:"R_Eplus"`
	RIPlus float64 `json:"R_Iplus"`
	// JEX = sqrt(p0_ee N_E) and JIX = 0.8 JEX are the weights of the
	// external drive.
	JEX float64 `json:"J_EX"`
	JIX float64 `json:"J_IX"`
	// ThetaE = V_th - m_X JEX and ThetaI = V_th - m_X JIX are the
	// thresholds of the E and I units, with the drive folded in.
	ThetaE float64 `json:"theta_E"`
	ThetaI float64 `json:"theta_I"`
}

// Matrices validates p and returns its block parameters.
func (p ClusteredParams) Matrices() (ClusterMatrices, error) {
	if err := p.Validate(); err != nil {
		return ClusterMatrices{}, err
	}
	const e, i = TypeE, TypeI
	var m ClusterMatrices
	n := float64(p.NE) + float64(p.NI)
	nE, nI := float64(p.NE)/n, float64(p.NI)/n
	p0 := p.P0()
	scale := 1 / math.Sqrt(n)
	jEE := p.VTh / math.Sqrt(p0[e][e]*nE)
	jIE := p.VTh / math.Sqrt(p0[i][e]*nE)
	m.J[e][e] = jEE * scale
	m.J[e][i] = -p.G * jEE * p0[e][e] * nE / (p0[e][i] * nI) * scale
	m.J[i][e] = jIE * scale
	m.J[i][i] = -jIE * p0[i][e] * nE / (p0[i][i] * nI) * scale

	m.REPlus, m.RIPlus = max(*p.REPlus, 0), max(p.rIPlus(), 0)
	for post := range 2 {
		for pre := range 2 {
			r := m.RIPlus
			if post == e && pre == e {
				r = m.REPlus
			}
			pIn, pOut, wIn, wOut := MixingFactors(r, p.Kappa, p.Q)
			m.PPlus[post][pre] = p0[post][pre] * pIn
			m.PMinus[post][pre] = p0[post][pre] * pOut
			m.JPlus[post][pre] = m.J[post][pre] * wIn
			m.JMinus[post][pre] = m.J[post][pre] * wOut
		}
	}
	m.JEX = math.Sqrt(p0[e][e] * float64(p.NE))
	m.JIX = 0.8 * m.JEX
	m.ThetaE = p.VTh - p.MX*m.JEX
	m.ThetaI = p.VTh - p.MX*m.JIX
	return m, nil
}
