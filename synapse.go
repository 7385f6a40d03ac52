package binarynet

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"
)

// Synapse is a connectivity rule that writes one block of the weight
// matrix: from every unit of Pre to every unit of Post. It is implemented
// by *PairwiseBernoulliSynapse, *PoissonSynapse, *FixedIndegreeSynapse and
// *AllToAllSynapse; the set is closed. Several synapses on the same block
// add up.
//
// Weights are dimensionless and enter the field of the post unit: W[post,
// pre] = J times the number of connections drawn for that pair.
//
// A Synapse value is a specification: AddSynapse validates it and keeps a
// copy of its rule, so changing the struct afterwards has no effect on the
// network.
type Synapse interface {
	// endpoints returns the populations the synapse connects.
	endpoints() (pre, post Population)
	// rule validates the parameters and returns the sampling rule.
	rule() (synapseRule, error)
}

// synapseRule draws the connections of one block, one post row at a time.
type synapseRule interface {
	// newSampler returns a row sampler with its own scratch space for a
	// block of nPre columns. exclude reports whether a post unit must not
	// connect to the pre unit of the same local index (a population onto
	// itself without autapses).
	newSampler(nPre int, exclude bool) (rowSampler, error)
	// expected returns the expected number of stored connections of a
	// block of nPre x nPost units, for memory estimates.
	expected(nPre, nPost int) float64
	// weight returns the weight J of one connection.
	weight() float64
}

// rowSampler appends to dst the local pre indices connected to local post
// row r, once per connection (a pair with k parallel connections appears k
// times). It draws all its randomness from src, through intN and
// uniform01, which return what rand.New(src).IntN and Float64 would.
type rowSampler interface {
	row(dst []int32, r int, src *rand.PCG) []int32
}

// PairwiseBernoulliSynapse connects each (pre, post) pair independently
// with probability P. P > 1 means several independent layers: P is halved
// until it is at most 1, one layer per halving, and the layers add up (the
// Python module's convention), so P = 2.5 gives 3 layers of probability
// 0.625 each.
type PairwiseBernoulliSynapse struct {
	Pre, Post Population
	// P is the connection probability per pair and layer, P >= 0.
	P float64
	// J is the weight of one connection; it must be finite.
	J float64
}

// NewPairwiseBernoulliSynapse returns a Bernoulli synapse from pre onto post.
func NewPairwiseBernoulliSynapse(pre, post Population, p, j float64) *PairwiseBernoulliSynapse {
	return &PairwiseBernoulliSynapse{Pre: pre, Post: post, P: p, J: j}
}

func (s *PairwiseBernoulliSynapse) endpoints() (Population, Population) { return s.Pre, s.Post }

func (s *PairwiseBernoulliSynapse) rule() (synapseRule, error) {
	if s == nil {
		return nil, errNilSynapse
	}
	if err := checkProbability("pairwise Bernoulli p", s.P); err != nil {
		return nil, err
	}
	if err := checkWeight(s.J); err != nil {
		return nil, err
	}
	p, layers := s.P, 1
	for p > 1 {
		p /= 2
		layers++
	}
	return bernoulliRule{p: p, layers: layers, j: s.J}, nil
}

type bernoulliRule struct {
	p      float64 // per layer, in [0, 1]
	layers int
	j      float64
}

func (b bernoulliRule) weight() float64 { return b.j }

func (b bernoulliRule) expected(nPre, nPost int) float64 {
	return b.p * float64(b.layers) * float64(nPre) * float64(nPost)
}

func (b bernoulliRule) newSampler(nPre int, exclude bool) (rowSampler, error) {
	return &bernoulliSampler{rule: b, nPre: nPre, exclude: exclude, logQ: math.Log1p(-b.p)}, nil
}

type bernoulliSampler struct {
	rule    bernoulliRule
	nPre    int
	exclude bool
	logQ    float64 // log(1-p)
}

// row draws the connected pre units by geometric skipping: the gap to the
// next connection is floor(log(U)/log(1-p)), so the cost is proportional
// to the number of connections, not of pairs.
func (s *bernoulliSampler) row(dst []int32, r int, src *rand.PCG) []int32 {
	p, n := s.rule.p, s.nPre
	if p == 0 || n == 0 {
		return dst
	}
	for range s.rule.layers {
		if p == 1 {
			for i := range n {
				if !s.exclude || i != r {
					dst = append(dst, int32(i))
				}
			}
			continue
		}
		i := -1
		for {
			gap := math.Floor(math.Log(1-uniform01(src)) / s.logQ)
			if gap >= float64(n-1-i) {
				break
			}
			i += 1 + int(gap)
			if !s.exclude || i != r {
				dst = append(dst, int32(i))
			}
		}
	}
	return dst
}

// PoissonSynapse draws, for every (pre, post) pair, a Poisson(Rate) number
// of parallel connections of weight J each.
type PoissonSynapse struct {
	Pre, Post Population
	// Rate is the mean number of connections per pair, Rate >= 0.
	Rate float64
	// J is the weight of one connection; it must be finite.
	J float64
}

// NewPoissonSynapse returns a Poisson synapse from pre onto post.
func NewPoissonSynapse(pre, post Population, rate, j float64) *PoissonSynapse {
	return &PoissonSynapse{Pre: pre, Post: post, Rate: rate, J: j}
}

func (s *PoissonSynapse) endpoints() (Population, Population) { return s.Pre, s.Post }

func (s *PoissonSynapse) rule() (synapseRule, error) {
	if s == nil {
		return nil, errNilSynapse
	}
	if !(s.Rate >= 0) || math.IsInf(s.Rate, 0) {
		return nil, paramError("Poisson rate", s.Rate, "must be >= 0 and finite")
	}
	if err := checkWeight(s.J); err != nil {
		return nil, err
	}
	return poissonRule{rate: s.Rate, j: s.J}, nil
}

type poissonRule struct{ rate, j float64 }

func (p poissonRule) weight() float64 { return p.j }

func (p poissonRule) expected(nPre, nPost int) float64 {
	return p.rate * float64(nPre) * float64(nPost)
}

func (p poissonRule) newSampler(nPre int, exclude bool) (rowSampler, error) {
	// A row's connections are counted in an int and drawn one by one: a
	// larger mean would overflow the count (and leave the row empty).
	if mean := p.rate * float64(eligible(nPre, exclude)); mean > maxPoissonMean {
		return nil, paramError("Poisson rate", p.rate,
			fmt.Sprintf("gives %.3g expected connections per unit, must give at most %d", mean, maxPoissonMean))
	}
	return &poissonSampler{rate: p.rate, nPre: nPre, exclude: exclude}, nil
}

// maxPoissonMean bounds the expected number of connections a Poisson rule
// gives one unit, so that the drawn count fits an int on every platform.
const maxPoissonMean = 1 << 30

type poissonSampler struct {
	rate    float64
	nPre    int
	exclude bool
}

// row draws the total number of connections of the row, Poisson with mean
// Rate times the number of eligible pre units, and spreads them uniformly:
// the per-pair counts are then independent Poisson(Rate).
func (s *poissonSampler) row(dst []int32, r int, src *rand.PCG) []int32 {
	m := eligible(s.nPre, s.exclude)
	if m == 0 || s.rate == 0 {
		return dst
	}
	k := int(distuv.Poisson{Lambda: s.rate * float64(m), Src: src}.Rand())
	for range k {
		dst = append(dst, int32(skipSelf(intN(src, m), r, s.exclude)))
	}
	return dst
}

// FixedIndegreeSynapse gives every post unit exactly round(P * N_pre)
// inputs from Pre (rounding half to even, as Python's round does). By
// default the inputs are drawn with replacement, so a pair can be
// connected several times (multapses, the Python module's default); with
// Distinct they are distinct. Without autapses a population onto itself
// draws from the other units only, so the indegree stays exact.
type FixedIndegreeSynapse struct {
	Pre, Post Population
	// P is the indegree as a fraction of the size of Pre, P >= 0.
	P float64
	// J is the weight of one connection; it must be finite.
	J float64
	// Distinct draws distinct inputs, at most one connection per pair
	// (Python's multapses=False). The zero value allows multapses, the
	// Python module's default.
	Distinct bool
}

// NewFixedIndegreeSynapse returns a fixed-indegree synapse from pre onto
// post with multapses allowed, the Python module's default; it equals the
// literal &FixedIndegreeSynapse{Pre: pre, Post: post, P: p, J: j}.
func NewFixedIndegreeSynapse(pre, post Population, p, j float64) *FixedIndegreeSynapse {
	return &FixedIndegreeSynapse{Pre: pre, Post: post, P: p, J: j}
}

func (s *FixedIndegreeSynapse) endpoints() (Population, Population) { return s.Pre, s.Post }

func (s *FixedIndegreeSynapse) rule() (synapseRule, error) {
	if s == nil {
		return nil, errNilSynapse
	}
	if err := checkProbability("fixed indegree p", s.P); err != nil {
		return nil, err
	}
	if err := checkWeight(s.J); err != nil {
		return nil, err
	}
	return indegreeRule{p: s.P, j: s.J, multapses: !s.Distinct}, nil
}

type indegreeRule struct {
	p, j      float64
	multapses bool
}

func (f indegreeRule) weight() float64 { return f.j }

func (f indegreeRule) indegree(nPre int) float64 { return math.RoundToEven(f.p * float64(nPre)) }

func (f indegreeRule) expected(nPre, nPost int) float64 {
	return f.indegree(nPre) * float64(nPost)
}

func (f indegreeRule) newSampler(nPre int, exclude bool) (rowSampler, error) {
	k := f.indegree(nPre)
	m := eligible(nPre, exclude)
	if k > maxIndegree {
		return nil, paramError("fixed indegree", k, fmt.Sprintf("round(p * N_pre) must be <= %d", maxIndegree))
	}
	if k > 0 && m == 0 {
		return nil, paramError("fixed indegree", k, "has no presynaptic unit to draw from")
	}
	if !f.multapses && k > float64(m) {
		return nil, paramError("fixed indegree", k, fmt.Sprintf("exceeds the %d eligible presynaptic units (multapses off)", m))
	}
	// taken is allocated on first use: Initialize also calls newSampler
	// to validate the rule, before it checks the memory budget.
	return &indegreeSampler{k: int(k), m: m, exclude: exclude, multapses: f.multapses}, nil
}

type indegreeSampler struct {
	k, m      int
	exclude   bool
	multapses bool
	taken     []uint64 // bitmap of drawn candidates, cleared after each row
}

// row draws k inputs among the m eligible pre units: with replacement, or
// distinct by Floyd's algorithm (exactly k draws, no rejection).
func (s *indegreeSampler) row(dst []int32, r int, src *rand.PCG) []int32 {
	if s.multapses {
		for range s.k {
			dst = append(dst, int32(skipSelf(intN(src, s.m), r, s.exclude)))
		}
		return dst
	}
	if s.taken == nil {
		s.taken = make([]uint64, (s.m+63)/64)
	}
	start := len(dst)
	for j := s.m - s.k; j < s.m; j++ {
		t := intN(src, j+1)
		if s.taken[t>>6]&(1<<(t&63)) != 0 {
			t = j
		}
		s.taken[t>>6] |= 1 << (t & 63)
		dst = append(dst, int32(t))
	}
	for i, t := range dst[start:] {
		s.taken[t>>6] = 0
		dst[start+i] = int32(skipSelf(int(t), r, s.exclude))
	}
	return dst
}

// AllToAllSynapse connects every pre unit to every post unit with weight J.
type AllToAllSynapse struct {
	Pre, Post Population
	// J is the weight of each connection; it must be finite.
	J float64
}

// NewAllToAllSynapse returns an all-to-all synapse from pre onto post.
func NewAllToAllSynapse(pre, post Population, j float64) *AllToAllSynapse {
	return &AllToAllSynapse{Pre: pre, Post: post, J: j}
}

func (s *AllToAllSynapse) endpoints() (Population, Population) { return s.Pre, s.Post }

func (s *AllToAllSynapse) rule() (synapseRule, error) {
	if s == nil {
		return nil, errNilSynapse
	}
	if err := checkWeight(s.J); err != nil {
		return nil, err
	}
	return bernoulliRule{p: 1, layers: 1, j: s.J}, nil
}

// errNilSynapse reports a nil pointer of one of the synapse types.
var errNilSynapse = paramError("synapse", nil, "must not be nil")

// eligible returns the number of pre units a post unit may connect to.
func eligible(nPre int, exclude bool) int {
	if exclude && nPre > 0 {
		return nPre - 1
	}
	return nPre
}

// skipSelf maps a draw among the eligible units to a local pre index,
// jumping over the post unit's own index r when it is excluded.
func skipSelf(i, r int, exclude bool) int {
	if exclude && i >= r {
		return i + 1
	}
	return i
}

func checkProbability(name string, p float64) error {
	if !(p >= 0) || math.IsInf(p, 0) {
		return paramError(name, p, "must be >= 0 and finite")
	}
	return nil
}

func checkWeight(j float64) error {
	if math.IsNaN(j) || math.IsInf(j, 0) {
		return paramError("j", j, "must be finite")
	}
	return nil
}
