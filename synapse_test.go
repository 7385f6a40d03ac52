package binarynet_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/james-bowman/sparse"
	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/binarynet/binarynet"
)

// Statistical tolerances. Every check uses a fixed seed, so it is
// deterministic; the bounds say that it would pass for almost every seed,
// so that a failure points at a wrong distribution, not at bad luck.
const (
	// zBound is the half width, in standard deviations, of the confidence
	// intervals: a two-sided normal tail of 5.7e-7 per check.
	zBound = 5
	// chiTail is the upper tail probability at which chi-square statistics
	// are cut: the bound is the (1 - chiTail) quantile.
	chiTail = 1e-6
)

// withinZ reports whether got is within zBound standard deviations sd of
// mean.
func withinZ(got, mean, sd float64) bool {
	return scalar.EqualWithinAbsOrRel(got, mean, zBound*sd, 0)
}

// chiBound returns the (1 - chiTail) quantile of the chi-square
// distribution with df degrees of freedom.
func chiBound(df int) float64 {
	return distuv.ChiSquared{K: float64(df)}.Quantile(1 - chiTail)
}

// synSpy is a spy over a network's exported weights: it checks that the
// export is a well-formed, duplicate-free CSC and lets tests walk every
// stored entry, so that generator tests see exactly what the kernels use.
type synSpy struct {
	n      int
	indptr []int
	rows   []int
	vals   []float64
}

// spyWeights exports the weights of an initialized network (which must be
// in sparse mode) and checks the CSC invariants: len(indptr) == n+1,
// indptr non-decreasing from 0 to NNZ, row indices in range and strictly
// increasing within each column (no duplicates), and no stored zeros.
func spyWeights(t *testing.T, nw *binarynet.Network) *synSpy {
	t.Helper()
	w, err := nw.Weights()
	if err != nil {
		t.Fatalf("Weights: %v", err)
	}
	c, ok := w.(*sparse.CSC)
	if !ok {
		t.Fatalf("Weights exported %T, want *sparse.CSC (use WeightSparse)", w)
	}
	raw := c.RawMatrix()
	s := &synSpy{n: nw.N(), indptr: raw.Indptr, rows: raw.Ind, vals: raw.Data}
	if len(s.indptr) != s.n+1 || s.indptr[0] != 0 || s.indptr[s.n] != len(s.rows) || len(s.rows) != len(s.vals) {
		t.Fatalf("malformed CSC: %d units, len(indptr)=%d, nnz=%d/%d", s.n, len(s.indptr), len(s.rows), len(s.vals))
	}
	for col := range s.n {
		lo, hi := s.indptr[col], s.indptr[col+1]
		if hi < lo {
			t.Fatalf("indptr decreases at column %d", col)
		}
		for k := lo; k < hi; k++ {
			if uint(s.rows[k]) >= uint(s.n) {
				t.Fatalf("row index %d out of range in column %d", s.rows[k], col)
			}
			if k > lo && s.rows[k] <= s.rows[k-1] {
				t.Fatalf("column %d: rows not strictly increasing (%d after %d): duplicates or unsorted", col, s.rows[k], s.rows[k-1])
			}
			if s.vals[k] == 0 {
				t.Fatalf("column %d stores an explicit zero at row %d", col, s.rows[k])
			}
		}
	}
	return s
}

// each calls fn for every stored entry W[post, pre] = v.
func (s *synSpy) each(fn func(post, pre int, v float64)) {
	for pre := range s.n {
		for k := s.indptr[pre]; k < s.indptr[pre+1]; k++ {
			fn(s.rows[k], pre, s.vals[k])
		}
	}
}

// blockStats describes the connections of one block as multiplicities:
// every stored entry must be a positive integer multiple of j.
type blockStats struct {
	pairs    int         // eligible pairs
	total    int         // connections, multiplicities summed
	hist     map[int]int // number of pairs with multiplicity k >= 1
	inDeg    []int       // connections per post unit
	outDeg   []int       // connections per pre unit
	sumSq    int         // sum of squared multiplicities
	autapses int
}

// block returns the statistics of the block pre -> post; exclude says that
// diagonal pairs are not eligible. Entries outside the block are ignored.
func (s *synSpy) block(t *testing.T, pre, post binarynet.Range, j float64, exclude bool) blockStats {
	t.Helper()
	b := blockStats{
		pairs:  (pre.End - pre.Start) * (post.End - post.Start),
		hist:   map[int]int{},
		inDeg:  make([]int, post.End-post.Start),
		outDeg: make([]int, pre.End-pre.Start),
	}
	if exclude {
		b.pairs -= pre.End - pre.Start
	}
	s.each(func(r, c int, v float64) {
		if r < post.Start || r >= post.End || c < pre.Start || c >= pre.End {
			return
		}
		m := v / j
		if m != math.Trunc(m) || m < 1 {
			t.Fatalf("W[%d, %d] = %v is not a positive multiple of j = %v", r, c, v, j)
		}
		k := int(m)
		b.total += k
		b.sumSq += k * k
		b.hist[k]++
		b.inDeg[r-post.Start] += k
		b.outDeg[c-pre.Start] += k
		if r == c {
			b.autapses++
		}
	})
	return b
}

// twoPops returns a network with populations A (nA units) and B (nB
// units), threshold 0, tau 1, all units initially off.
func twoPops(t *testing.T, nA, nB int) (*binarynet.Network, *binarynet.BinaryNeuronPopulation, *binarynet.BinaryNeuronPopulation) {
	t.Helper()
	return twoPopsWith(t, nA, nB, func(a, b *binarynet.BinaryNeuronPopulation) {})
}

// twoPopsWith is twoPops with the populations adjusted by set before they
// are added (the network copies them when they are added).
func twoPopsWith(t *testing.T, nA, nB int, set func(a, b *binarynet.BinaryNeuronPopulation)) (*binarynet.Network, *binarynet.BinaryNeuronPopulation, *binarynet.BinaryNeuronPopulation) {
	t.Helper()
	nw := binarynet.NewNetwork("test")
	a := &binarynet.BinaryNeuronPopulation{Name: "A", N: nA, Tau: 1, Initializer: binarynet.ConstantInit(0)}
	b := &binarynet.BinaryNeuronPopulation{Name: "B", N: nB, Tau: 1, Initializer: binarynet.ConstantInit(0)}
	set(a, b)
	for _, p := range []*binarynet.BinaryNeuronPopulation{a, b} {
		if err := nw.AddPopulation(p); err != nil {
			t.Fatal(err)
		}
	}
	return nw, a, b
}

func mustAdd(t *testing.T, nw *binarynet.Network, syns ...binarynet.Synapse) {
	t.Helper()
	for _, s := range syns {
		if err := nw.AddSynapse(s); err != nil {
			t.Fatal(err)
		}
	}
}

func mustInit(t *testing.T, nw *binarynet.Network, opts binarynet.Options) {
	t.Helper()
	if err := nw.Initialize(opts); err != nil {
		t.Fatalf("Initialize: %v", err)
	}
}

// sampleBlock builds two populations of n units and one block of weight
// j made by rule, from the first onto the second or, when self, onto
// itself (without autapses), samples it in sparse mode with the given
// seed, checks that it has no autapse, and returns its statistics.
func sampleBlock(t *testing.T, n int, self bool, seed uint64, j float64, rule func(pre, post *binarynet.BinaryNeuronPopulation) binarynet.Synapse) blockStats {
	t.Helper()
	nw, a, b := twoPops(t, n, n)
	post := b
	if self {
		post = a
	}
	mustAdd(t, nw, rule(a, post))
	mustInit(t, nw, binarynet.Options{WeightMode: binarynet.WeightSparse, Seed: seed})
	st := spyWeights(t, nw).block(t, rangeOf(t, nw, a), rangeOf(t, nw, post), j, self)
	if st.autapses != 0 {
		t.Errorf("%d autapses without Options.Autapse", st.autapses)
	}
	return st
}

func rangeOf(t *testing.T, nw *binarynet.Network, p binarynet.Population) binarynet.Range {
	t.Helper()
	r, err := nw.PopulationRange(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestPairwiseBernoulliCounts checks that the number of connections of a
// Bernoulli block, between two populations and of a population onto itself
// without autapses, lies in the binomial confidence interval, that every
// pair is connected at most once, and that the in-degrees are binomial
// (chi-square over post units).
func TestPairwiseBernoulliCounts(t *testing.T) {
	t.Parallel()
	const (
		n = 1000
		p = 0.1
		j = -0.25
	)
	for _, self := range []bool{false, true} {
		t.Run(fmt.Sprintf("self=%v", self), func(t *testing.T) {
			t.Parallel()
			st := sampleBlock(t, n, self, 11, j, func(pre, post *binarynet.BinaryNeuronPopulation) binarynet.Synapse {
				return binarynet.NewPairwiseBernoulliSynapse(pre, post, p, j)
			})
			if len(st.hist) != 1 || st.hist[1] != st.total {
				t.Errorf("multiplicities %v, want every connected pair exactly once (p <= 1)", st.hist)
			}
			// Binomial(pairs, p): mean pairs*p, sd sqrt(pairs*p*(1-p)).
			mean, sd := float64(st.pairs)*p, math.Sqrt(float64(st.pairs)*p*(1-p))
			if !withinZ(float64(st.total), mean, sd) {
				t.Errorf("%d connections, want %.0f ± %.0f (%d sigma)", st.total, mean, zBound*sd, zBound)
			}
			// In-degree of each post unit: Binomial(m, p) with m eligible
			// pre units; the chi-square statistic over the n units has n
			// degrees of freedom (the mean is known).
			m := float64(n)
			if self {
				m--
			}
			var chi float64
			for _, k := range st.inDeg {
				d := float64(k) - m*p
				chi += d * d / (m * p * (1 - p))
			}
			if bound := chiBound(n); chi > bound {
				t.Errorf("in-degree chi-square %.1f > %.1f: in-degrees are not Binomial(%v, %v)", chi, bound, m, p)
			}
		})
	}
}

// TestPairwiseBernoulliLayers checks p > 1: p = 2.5 is halved twice to
// 0.625, giving 3 independent layers, so the multiplicity of a pair is
// Binomial(3, 0.625) with mean layers*p/2^(layers-1) = 3*2.5/4 = 1.875.
// Both the mean and the whole histogram are checked.
func TestPairwiseBernoulliLayers(t *testing.T) {
	t.Parallel()
	const (
		n      = 300
		p      = 2.5
		layers = 3
		q      = p / 4 // per layer: 0.625
		j      = 0.5
	)
	nw, a, b := twoPops(t, n, n)
	mustAdd(t, nw, binarynet.NewPairwiseBernoulliSynapse(a, b, p, j))
	mustInit(t, nw, binarynet.Options{WeightMode: binarynet.WeightSparse, Seed: 12})
	st := spyWeights(t, nw).block(t, rangeOf(t, nw, a), rangeOf(t, nw, b), j, false)
	pairs := float64(st.pairs)
	meanMult := float64(layers) * q
	if meanMult != 1.875 {
		t.Fatalf("test constants: mean multiplicity %v, want 1.875", meanMult)
	}
	// Total: sum of pairs independent Binomial(3, q).
	sd := math.Sqrt(pairs * layers * q * (1 - q))
	if !withinZ(float64(st.total), pairs*meanMult, sd) {
		t.Errorf("mean multiplicity %.4f, want %v ± %.4f", float64(st.total)/pairs, meanMult, zBound*sd/pairs)
	}
	// Histogram against Binomial(3, q), including the unconnected pairs.
	dist := distuv.Binomial{N: layers, P: q}
	connected := 0
	for k, c := range st.hist {
		if k > layers {
			t.Fatalf("%d pairs with multiplicity %d > %d layers", c, k, layers)
		}
		connected += c
	}
	for k := range layers + 1 {
		got := st.hist[k]
		if k == 0 {
			got = st.pairs - connected
		}
		pk := dist.Prob(float64(k))
		if !withinZ(float64(got), pairs*pk, math.Sqrt(pairs*pk*(1-pk))) {
			t.Errorf("%d pairs with multiplicity %d, want %.0f (Binomial(3, %v))", got, k, pairs*pk, q)
		}
	}
}

// TestPoissonSynapseCounts checks that the per-pair connection counts of a
// Poisson block have mean and variance Rate, within the standard errors of
// the sample mean, sqrt(rate/M), and of the sample variance,
// sqrt((mu4 - sigma^4)/M) = sqrt((rate + 2 rate^2)/M) for a Poisson
// variable (mu4 = rate + 3 rate^2), over M eligible pairs; and that a
// population onto itself without autapses gets no diagonal entry.
func TestPoissonSynapseCounts(t *testing.T) {
	t.Parallel()
	const (
		n    = 500
		rate = 0.3
		j    = 0.125
	)
	for _, self := range []bool{false, true} {
		t.Run(fmt.Sprintf("self=%v", self), func(t *testing.T) {
			t.Parallel()
			st := sampleBlock(t, n, self, 13, j, func(pre, post *binarynet.BinaryNeuronPopulation) binarynet.Synapse {
				return binarynet.NewPoissonSynapse(pre, post, rate, j)
			})
			m := float64(st.pairs)
			mean := float64(st.total) / m
			variance := float64(st.sumSq)/m - mean*mean
			if !withinZ(mean, rate, math.Sqrt(rate/m)) {
				t.Errorf("mean count %.5f, want %v ± %.5f", mean, rate, zBound*math.Sqrt(rate/m))
			}
			if sd := math.Sqrt((rate + 2*rate*rate) / m); !withinZ(variance, rate, sd) {
				t.Errorf("count variance %.5f, want %v ± %.5f", variance, rate, zBound*sd)
			}
			// P(count >= 2) = 1 - e^-r (1 + r): multapses must occur.
			p2 := 1 - math.Exp(-rate)*(1+rate)
			multi := 0
			for k, c := range st.hist {
				if k >= 2 {
					multi += c
				}
			}
			if !withinZ(float64(multi), m*p2, math.Sqrt(m*p2*(1-p2))) {
				t.Errorf("%d pairs with 2 or more connections, want %.0f", multi, m*p2)
			}
		})
	}
}

// TestFixedIndegreeExact checks that every post unit gets exactly
// round(p*N_pre) inputs (half to even, as Python's round), with and
// without multapses, between populations and onto itself without
// autapses; that without multapses the inputs are distinct; and that the
// inputs are uniform over the eligible pre units (chi-square over the
// out-degrees).
func TestFixedIndegreeExact(t *testing.T) {
	t.Parallel()
	const (
		n = 400
		p = 0.1 // K = 40
		j = 1.5
	)
	for _, tc := range []struct {
		self, multapses bool
	}{{false, true}, {false, false}, {true, true}, {true, false}} {
		t.Run(fmt.Sprintf("self=%v/multapses=%v", tc.self, tc.multapses), func(t *testing.T) {
			t.Parallel()
			st := sampleBlock(t, n, tc.self, 14, j, func(pre, post *binarynet.BinaryNeuronPopulation) binarynet.Synapse {
				syn := binarynet.NewFixedIndegreeSynapse(pre, post, p, j)
				syn.Distinct = !tc.multapses
				return syn
			})
			const k = 40
			for i, d := range st.inDeg {
				if d != k {
					t.Fatalf("post unit %d has %d inputs, want exactly %d", i, d, k)
				}
			}
			if !tc.multapses && (len(st.hist) != 1 || st.hist[1] != n*k) {
				t.Errorf("multiplicities %v without multapses, want %d distinct inputs", st.hist, n*k)
			}
			if tc.multapses {
				// With replacement, a row repeats an input with
				// probability 1 - prod_{i<k}(1 - i/m) ~ 0.86 for k=40,
				// m~400: repeats must show up.
				if st.hist[1] == st.total {
					t.Errorf("no multapse in %d rows drawn with replacement", n)
				}
			}
			// Out-degree of each pre unit: each of the n rows picks it
			// with probability k/m, so the expected count is n*k/m; the
			// variance is at most that mean (binomial or multinomial).
			// Self blocks exclude the diagonal: m = n-1 per row, and a
			// pre unit is eligible for n-1 rows.
			rows, m := float64(n), float64(n)
			if tc.self {
				rows, m = n-1, n-1
			}
			e := rows * k / m
			var chi float64
			for _, c := range st.outDeg {
				d := float64(c) - e
				chi += d * d / e
			}
			if bound := chiBound(n); chi > bound {
				t.Errorf("out-degree chi-square %.1f > %.1f: inputs not uniform", chi, bound)
			}
		})
	}
}

// TestFixedIndegreeRounding checks K = round(p*N_pre) with ties to even,
// as Python's round: 0.5*5 = 2.5 gives 2 and 0.3*5 = 1.5 gives 2.
func TestFixedIndegreeRounding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p    float64
		want int
	}{{0.5, 2}, {0.3, 2}, {0.7, 4}, {0.1, 0}, {0.9, 4}, {1, 5}} {
		nw, a, b := twoPops(t, 5, 50)
		mustAdd(t, nw, &binarynet.FixedIndegreeSynapse{Pre: a, Post: b, P: tc.p, J: 1})
		mustInit(t, nw, binarynet.Options{WeightMode: binarynet.WeightSparse, Seed: 15})
		st := spyWeights(t, nw).block(t, rangeOf(t, nw, a), rangeOf(t, nw, b), 1, false)
		for i, d := range st.inDeg {
			if d != tc.want {
				t.Fatalf("p=%v, N_pre=5: unit %d has %d inputs, want %d", tc.p, i, d, tc.want)
			}
		}
	}
}

// TestAllToAll checks that every pair of an all-to-all block is connected
// exactly once with weight J, including the diagonal only with autapses.
func TestAllToAll(t *testing.T) {
	t.Parallel()
	for _, autapse := range []bool{false, true} {
		for _, mode := range []binarynet.WeightMode{binarynet.WeightDense, binarynet.WeightSparse} {
			nw, a, b := twoPops(t, 30, 20)
			mustAdd(t, nw, binarynet.NewAllToAllSynapse(a, a, 0.5), binarynet.NewAllToAllSynapse(a, b, -2))
			mustInit(t, nw, binarynet.Options{WeightMode: mode, Autapse: autapse})
			w, err := nw.Weights()
			if err != nil {
				t.Fatal(err)
			}
			for post := range 50 {
				for pre := range 50 {
					var want float64
					switch {
					case pre >= 30:
					case post >= 30:
						want = -2
					case post != pre || autapse:
						want = 0.5
					}
					if got := w.At(post, pre); got != want {
						t.Fatalf("autapse=%v, %v: W[%d, %d] = %v, want %v", autapse, mode, post, pre, got, want)
					}
				}
			}
		}
	}
}

// TestSynapsesAddUp checks that several rules on the same block add up:
// two all-to-all rules, a Bernoulli rule with p = 1, and a fixed-indegree
// rule whose in-degree shows in the row sums.
func TestSynapsesAddUp(t *testing.T) {
	t.Parallel()
	for _, mode := range []binarynet.WeightMode{binarynet.WeightDense, binarynet.WeightSparse} {
		nw, a, b := twoPops(t, 40, 25)
		mustAdd(t, nw,
			binarynet.NewAllToAllSynapse(a, b, 1),
			binarynet.NewAllToAllSynapse(a, b, 0.5),
			binarynet.NewPairwiseBernoulliSynapse(a, b, 1, 0.25),
			binarynet.NewFixedIndegreeSynapse(a, b, 0.25, 0.0625), // K = 10
		)
		mustInit(t, nw, binarynet.Options{WeightMode: mode, Seed: 16})
		w, err := nw.Weights()
		if err != nil {
			t.Fatal(err)
		}
		for post := 40; post < 65; post++ {
			row := 0.0
			for pre := range 40 {
				v := w.At(post, pre)
				// 1.75 from the three full rules plus a multiple of 0.0625.
				if extra := (v - 1.75) / 0.0625; extra < 0 || extra != math.Trunc(extra) {
					t.Fatalf("%v: W[%d, %d] = %v, want 1.75 + k*0.0625", mode, post, pre, v)
				}
				row += v
			}
			if want := 40*1.75 + 10*0.0625; row != want {
				t.Errorf("%v: row %d sums to %v, want %v", mode, post, row, want)
			}
		}
		dense := mat.DenseCopyOf(w)
		if got := mat.Sum(dense.Slice(0, 40, 0, 65)); got != 0 {
			t.Errorf("%v: rows of A hold weight sum %v, want 0 (no rule onto A)", mode, got)
		}
	}
}

// TestNoAutapsesAnyRule checks, for every rule and both weight modes, that
// a population onto itself gets no diagonal entry without Options.Autapse,
// and that with it the diagonal is reachable (rules that connect every
// pair, or nearly every pair, put weight on it).
func TestNoAutapsesAnyRule(t *testing.T) {
	t.Parallel()
	const n = 60
	rules := []struct {
		name string
		make func(p binarynet.Population) binarynet.Synapse
		// full says the rule connects every pair, so with autapses every
		// diagonal entry must be set; the others must set at least one.
		full bool
	}{
		{"bernoulli", func(p binarynet.Population) binarynet.Synapse {
			return binarynet.NewPairwiseBernoulliSynapse(p, p, 0.5, 1)
		}, false},
		{"bernoulli p=1", func(p binarynet.Population) binarynet.Synapse {
			return binarynet.NewPairwiseBernoulliSynapse(p, p, 1, 1)
		}, true},
		{"bernoulli layers p=5", func(p binarynet.Population) binarynet.Synapse {
			return binarynet.NewPairwiseBernoulliSynapse(p, p, 5, 1)
		}, false},
		{"poisson", func(p binarynet.Population) binarynet.Synapse { return binarynet.NewPoissonSynapse(p, p, 2, 1) }, false},
		{"fixed indegree multapses", func(p binarynet.Population) binarynet.Synapse { return binarynet.NewFixedIndegreeSynapse(p, p, 0.9, 1) }, false},
		{"fixed indegree distinct", func(p binarynet.Population) binarynet.Synapse {
			return &binarynet.FixedIndegreeSynapse{Pre: p, Post: p, P: float64(n-1) / n, J: 1}
		}, false},
		{"all to all", func(p binarynet.Population) binarynet.Synapse { return binarynet.NewAllToAllSynapse(p, p, 1) }, true},
	}
	for _, r := range rules {
		for _, mode := range []binarynet.WeightMode{binarynet.WeightDense, binarynet.WeightSparse} {
			for _, autapse := range []bool{false, true} {
				nw := binarynet.NewNetwork("self")
				pop := &binarynet.BinaryNeuronPopulation{Name: "P", N: n, Tau: 1}
				if err := nw.AddPopulation(pop); err != nil {
					t.Fatal(err)
				}
				mustAdd(t, nw, r.make(pop))
				mustInit(t, nw, binarynet.Options{WeightMode: mode, Autapse: autapse, Seed: 17})
				w, err := nw.Weights()
				if err != nil {
					t.Fatal(err)
				}
				diag := 0
				for i := range n {
					if w.At(i, i) != 0 {
						diag++
					}
				}
				switch {
				case !autapse && diag != 0:
					t.Errorf("%s, %v: %d diagonal entries without autapses", r.name, mode, diag)
				case autapse && r.full && diag != n:
					t.Errorf("%s, %v: %d of %d diagonal entries with autapses, want all", r.name, mode, diag, n)
				case autapse && diag == 0:
					t.Errorf("%s, %v: no diagonal entry with autapses", r.name, mode)
				}
			}
		}
	}
}

// TestIssue9FixedIndegreeZeroValue checks that the struct literal means
// what the constructor and the Python module mean: multapses allowed. The
// old literal drew distinct inputs (Multapses false) while the constructor
// allowed multapses, so the two gave different networks, and an indegree
// above N_pre was an error for one and not the other.
func TestIssue9FixedIndegreeZeroValue(t *testing.T) {
	t.Parallel()
	build := func(s func(pre, post binarynet.Population) binarynet.Synapse) (mat.Matrix, error) {
		nw := binarynet.NewNetwork("x")
		a := &binarynet.BinaryNeuronPopulation{Name: "A", N: 5, Tau: 1}
		b := &binarynet.BinaryNeuronPopulation{Name: "B", N: 50, Tau: 1}
		for _, p := range []binarynet.Population{a, b} {
			if err := nw.AddPopulation(p); err != nil {
				return nil, err
			}
		}
		if err := nw.AddSynapse(s(a, b)); err != nil {
			return nil, err
		}
		if err := nw.Initialize(binarynet.Options{Seed: 7, WeightMode: binarynet.WeightDense}); err != nil {
			return nil, err
		}
		return nw.Weights()
	}
	// K = round(1.4 * 5) = 7 inputs from 5 units: only with multapses.
	lit, err := build(func(pre, post binarynet.Population) binarynet.Synapse {
		return &binarynet.FixedIndegreeSynapse{Pre: pre, Post: post, P: 1.4, J: 1}
	})
	if err != nil {
		t.Fatalf("literal with K = 7 > N_pre = 5: %v, want multapses allowed", err)
	}
	ctor, err := build(func(pre, post binarynet.Population) binarynet.Synapse {
		return binarynet.NewFixedIndegreeSynapse(pre, post, 1.4, 1)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(lit, ctor) {
		t.Error("the literal and the constructor give different weights for the same seed")
	}
	if _, err := build(func(pre, post binarynet.Population) binarynet.Synapse {
		return &binarynet.FixedIndegreeSynapse{Pre: pre, Post: post, P: 1.4, J: 1, Distinct: true}
	}); !errors.Is(err, binarynet.ErrInvalidParameter) {
		t.Errorf("Distinct with K = 7 > N_pre = 5: %v, want ErrInvalidParameter", err)
	}
}

// TestIssue9LiveSynapseAfterAdd changes a synapse struct between
// AddSynapse and Initialize: the network keeps the rule it was given, as
// it does for populations. The old code read the synapses again in
// Initialize.
func TestIssue9LiveSynapseAfterAdd(t *testing.T) {
	t.Parallel()
	nw, a, b := twoPops(t, 20, 20)
	s := binarynet.NewAllToAllSynapse(a, b, 0.25)
	mustAdd(t, nw, s)
	s.J, s.Pre = 4, b // a sweep preparing its next network
	mustInit(t, nw, binarynet.Options{WeightMode: binarynet.WeightDense})
	w, err := nw.Weights()
	if err != nil {
		t.Fatal(err)
	}
	for post := range 40 {
		for pre := range 40 {
			want := 0.0
			if pre < 20 && post >= 20 {
				want = 0.25
			}
			if got := w.At(post, pre); got != want {
				t.Fatalf("W[%d, %d] = %v, want %v (the synapse as added)", post, pre, got, want)
			}
		}
	}
}
