package binarynet_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/binarynet/binarynet"
)

// clusterGroups counts the connections of a clustered network, walked
// through the weight spy: by post type, pre type and same or other
// cluster, and per post unit and pre population.
type clusterGroups struct {
	count [2][2][2]float64 // [post type][pre type][same cluster]
	// block[a][b] is the number of connections from population b onto
	// population a of the layout.
	block [][]float64
	// inDeg[u][k] is the number of connections unit u gets from
	// population k of the layout (multiplicities summed).
	inDeg    [][]int
	autapses int
}

// countClusters walks the stored weights of a clustered network built in
// sparse float64 mode. Each entry must be a positive integer multiple of
// its block's weight (parallel connections are summed in one entry).
func countClusters(t *testing.T, nw *binarynet.Network, l *binarynet.ClusteredLayout) clusterGroups {
	t.Helper()
	pops := l.Populations
	popOf := make([]int, nw.N())
	for k, cp := range pops {
		for u := cp.Range.Start; u < cp.Range.End; u++ {
			popOf[u] = k
		}
	}
	g := clusterGroups{inDeg: make([][]int, nw.N()), block: make([][]float64, len(pops))}
	for a := range g.block {
		g.block[a] = make([]float64, len(pops))
	}
	for u := range g.inDeg {
		g.inDeg[u] = make([]int, len(pops))
	}
	m := l.Matrices
	spyWeights(t, nw).each(func(post, pre int, v float64) {
		a, b := pops[popOf[post]], pops[popOf[pre]]
		same := 0
		j := m.JMinus[a.CellType][b.CellType]
		if a.Cluster == b.Cluster {
			same, j = 1, m.JPlus[a.CellType][b.CellType]
		}
		k := math.Round(v / j)
		// Sums of k float64 copies of j: a relative error of k ulps at most.
		if k < 1 || math.Abs(v-k*j) > 1e-12*math.Abs(v) {
			t.Fatalf("W[%d, %d] = %v is not a positive multiple of j = %v", post, pre, v, j)
		}
		if post == pre {
			g.autapses++
		}
		g.count[a.CellType][b.CellType][same] += k
		g.block[popOf[post]][popOf[pre]] += k
		g.inDeg[post][popOf[pre]] += int(k)
	})
	return g
}

// TestClusteredConnectivityStats checks the sampled connectivity of a
// clustered network for each connection type (Q = 4 clusters of 100 E and
// 25 I units, R_Eplus = 2, R_j = 0.75, kappa = 0.5). In each of the 64
// blocks, and in each group of blocks (post type, pre type, same or other
// cluster), with P pairs and block probability p:
//   - bernoulli: the count is binomial(P, p), within zBound standard
//     deviations;
//   - poisson: the count is Poisson(p P), within zBound sqrt(p P);
//   - fixed-indegree (with and without multapses): every unit gets exactly
//     round(p n) inputs from every pre population of n units, also from its
//     own population (drawn from the other units), and distinct inputs
//     without multapses.
//
// No unit connects to itself. A population onto itself has n (n-1)
// eligible pairs.
func TestClusteredConnectivityStats(t *testing.T) {
	t.Parallel()
	base := binarynet.DefaultClusteredParams()
	base.NE, base.NI, base.Q = 400, 100, 4
	base.REPlus, base.Kappa = new(2.0), 0.5
	for _, tc := range []struct {
		ct        binarynet.ConnectionType
		multapses bool
	}{
		{binarynet.ConnectBernoulli, true},
		{binarynet.ConnectPoisson, true},
		{binarynet.ConnectFixedIndegree, true},
		{binarynet.ConnectFixedIndegree, false},
	} {
		t.Run(fmt.Sprintf("%s/multapses=%v", tc.ct, tc.multapses), func(t *testing.T) {
			t.Parallel()
			p := base
			p.ConnectionType, p.Multapses = tc.ct, tc.multapses
			nw, l, err := binarynet.NewClusteredNetwork("stats", p, binarynet.Options{
				Seed: 7, WeightMode: binarynet.WeightSparse, WeightType: binarynet.Float64,
			})
			if err != nil {
				t.Fatal(err)
			}
			g := countClusters(t, nw, l)
			if g.autapses != 0 {
				t.Errorf("%d autapses", g.autapses)
			}
			m := l.Matrices
			size := [2]float64{float64(p.NE / p.Q), float64(p.NI / p.Q)}
			q := float64(p.Q)
			if tc.ct != binarynet.ConnectFixedIndegree {
				// Every block on its own, then the groups of blocks.
				for a, post := range l.Populations {
					for b, pre := range l.Populations {
						prob := m.PMinus[post.CellType][pre.CellType]
						if post.Cluster == pre.Cluster {
							prob = m.PPlus[post.CellType][pre.CellType]
						}
						pairs := size[post.CellType] * size[pre.CellType]
						if a == b {
							pairs = size[post.CellType] * (size[post.CellType] - 1)
						}
						mean, sd := prob*pairs, math.Sqrt(pairs*prob*(1-prob))
						if tc.ct == binarynet.ConnectPoisson {
							sd = math.Sqrt(mean)
						}
						if got := g.block[a][b]; !withinZ(got, mean, sd) {
							t.Errorf("block %s -> %s: %v connections, want %.1f ± %d × %.1f", pre.Population.Name, post.Population.Name, got, mean, zBound, sd)
						}
					}
				}
				for a := range 2 {
					for b := range 2 {
						for same, prob := range []float64{m.PMinus[a][b], m.PPlus[a][b]} {
							pairs := q * (q - 1) * size[a] * size[b]
							if same == 1 {
								pairs = q * size[a] * size[b]
								if a == b {
									pairs = q * size[a] * (size[a] - 1)
								}
							}
							mean, sd := prob*pairs, math.Sqrt(pairs*prob*(1-prob))
							if tc.ct == binarynet.ConnectPoisson {
								sd = math.Sqrt(mean)
							}
							if got := g.count[a][b][same]; !withinZ(got, mean, sd) {
								t.Errorf("[%d][%d] same=%d: %v connections, want %.1f ± %d × %.1f", a, b, same, got, mean, zBound, sd)
							}
						}
					}
				}
				return
			}
			for u, row := range g.inDeg {
				post := l.Populations[populationOf(l, u)]
				for k, pre := range l.Populations {
					prob := m.PMinus[post.CellType][pre.CellType]
					if post.Cluster == pre.Cluster {
						prob = m.PPlus[post.CellType][pre.CellType]
					}
					want := int(math.RoundToEven(prob * size[pre.CellType]))
					if row[k] != want {
						t.Fatalf("unit %d gets %d inputs from %s, want exactly %d", u, row[k], pre.Population.Name, want)
					}
				}
			}
		})
	}
}

// populationOf returns the index in l.Populations of the population of
// unit u.
func populationOf(l *binarynet.ClusteredLayout, u int) int {
	for k, cp := range l.Populations {
		if u >= cp.Range.Start && u < cp.Range.End {
			return k
		}
	}
	return -1
}

// selfBlock builds one population of n units with a fixed-indegree
// synapse of indegree fraction p onto itself and returns the in-degree of
// every unit, in sparse mode, under the given autapse rule.
func selfBlock(t *testing.T, n int, p float64, multapses bool, rule binarynet.AutapseRule, seed uint64) []int {
	t.Helper()
	nw := binarynet.NewNetwork("self")
	a := &binarynet.BinaryNeuronPopulation{Name: "A", N: n, Tau: 1}
	if err := nw.AddPopulation(a); err != nil {
		t.Fatal(err)
	}
	s := binarynet.NewFixedIndegreeSynapse(a, a, p, 1)
	s.Distinct = !multapses
	mustAdd(t, nw, s)
	mustInit(t, nw, binarynet.Options{Seed: seed, WeightMode: binarynet.WeightSparse, AutapseRule: rule})
	if got := nw.Options().AutapseRule; got != rule {
		t.Errorf("Options().AutapseRule = %v, want %v", got, rule)
	}
	st := spyWeights(t, nw).block(t, binarynet.Range{Start: 0, End: n}, binarynet.Range{Start: 0, End: n}, 1, true)
	if st.autapses != 0 {
		t.Errorf("%v: %d autapses", rule, st.autapses)
	}
	return st.inDeg
}

// TestAutapseRuleFixedIndegree checks the two self-connection rules on a
// fixed-indegree population onto itself, N = 2000 units, K = 600 inputs.
//   - AutapseExcludeSelf: exactly K inputs, with or without multapses.
//   - AutapseDeleteSelf without multapses: K distinct draws among all N
//     units contain the unit itself with probability K/N = 0.3, which is
//     deleted: every unit has K or K-1 inputs, and the number with K-1 is
//     binomial(N, K/N), checked within zBound standard deviations.
//   - AutapseDeleteSelf with multapses: each of the K draws hits the unit
//     itself with probability 1/N, so the total number of inputs is
//     binomial(N K, 1 - 1/N).
func TestAutapseRuleFixedIndegree(t *testing.T) {
	t.Parallel()
	const (
		n = 2000
		p = 0.3
		k = 600
	)
	for _, multapses := range []bool{false, true} {
		for _, in := range selfBlock(t, n, p, multapses, binarynet.AutapseExcludeSelf, 3) {
			if in != k {
				t.Fatalf("exclude-self, multapses=%v: a unit has %d inputs, want exactly %d", multapses, in, k)
			}
		}
	}
	short := 0
	for u, in := range selfBlock(t, n, p, false, binarynet.AutapseDeleteSelf, 3) {
		switch in {
		case k:
		case k - 1:
			short++
		default:
			t.Fatalf("delete-self: unit %d has %d inputs, want %d or %d", u, in, k, k-1)
		}
	}
	if mean, sd := n*p, math.Sqrt(n*p*(1-p)); !withinZ(float64(short), mean, sd) {
		t.Errorf("delete-self: %d of %d units kept K-1 inputs, want %.0f ± %d × %.1f", short, n, mean, zBound, sd)
	}
	total := 0
	for _, in := range selfBlock(t, n, p, true, binarynet.AutapseDeleteSelf, 3) {
		total += in
	}
	draws := float64(n * k)
	if mean, sd := draws*(1-1.0/n), math.Sqrt(draws*(1.0/n)*(1-1.0/n)); !withinZ(float64(total), mean, sd) || total == n*k {
		t.Errorf("delete-self with multapses: %d inputs in all, want %.0f ± %d × %.1f (and fewer than %d)", total, mean, zBound, sd, n*k)
	}
}

// TestAutapseRuleBernoulliSame: for Bernoulli synapses deleting the self
// pair is the same as not drawing it, so both rules give the same network
// for a seed, in dense and sparse mode.
func TestAutapseRuleBernoulliSame(t *testing.T) {
	t.Parallel()
	for _, mode := range []binarynet.WeightMode{binarynet.WeightDense, binarynet.WeightSparse} {
		var w [2]mat.Matrix
		for i, rule := range []binarynet.AutapseRule{binarynet.AutapseExcludeSelf, binarynet.AutapseDeleteSelf} {
			nw := binarynet.NewNetwork("bern")
			a := &binarynet.BinaryNeuronPopulation{Name: "A", N: 300, Tau: 1}
			if err := nw.AddPopulation(a); err != nil {
				t.Fatal(err)
			}
			mustAdd(t, nw, binarynet.NewPairwiseBernoulliSynapse(a, a, 0.2, 1))
			mustInit(t, nw, binarynet.Options{Seed: 9, WeightMode: mode, AutapseRule: rule})
			var err error
			if w[i], err = nw.Weights(); err != nil {
				t.Fatal(err)
			}
		}
		if !mat.Equal(w[0], w[1]) {
			t.Errorf("%v: Bernoulli weights differ between the autapse rules", mode)
		}
	}
}

func TestAutapseRuleParse(t *testing.T) {
	t.Parallel()
	for _, r := range []binarynet.AutapseRule{binarynet.AutapseExcludeSelf, binarynet.AutapseDeleteSelf} {
		text, err := r.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back binarynet.AutapseRule
		if err := back.UnmarshalText(text); err != nil || back != r {
			t.Errorf("%v: round trip %v, %v", r, back, err)
		}
	}
	if _, err := binarynet.ParseAutapseRule("both"); !errors.Is(err, binarynet.ErrInvalidParameter) {
		t.Errorf("ParseAutapseRule(both) = %v", err)
	}
	nw := binarynet.NewNetwork("bad")
	if err := nw.AddPopulation(&binarynet.BinaryNeuronPopulation{Name: "A", N: 3, Tau: 1}); err != nil {
		t.Fatal(err)
	}
	if err := nw.Initialize(binarynet.Options{AutapseRule: 5}); !errors.Is(err, binarynet.ErrInvalidParameter) {
		t.Errorf("Initialize with AutapseRule 5: %v", err)
	}
}
