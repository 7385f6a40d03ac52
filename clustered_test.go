package binarynet

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// sameFloat compares hand-computed values; 1e-12 relative covers the few
// roundings of the formulas.
func sameFloat(a, b float64) bool { return scalar.EqualWithinAbsOrRel(a, b, 1e-12, 1e-12) }

func sameMatrix(a, b [2][2]float64) bool {
	for i := range 2 {
		for j := range 2 {
			if !sameFloat(a[i][j], b[i][j]) {
				return false
			}
		}
	}
	return true
}

func TestClusterFactors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		eplus, rj      float64
		q              int
		ep, em, ip, im float64
	}{
		// Reference example: p_E+ = 6, R_j = 0.75, Q = 20.
		{name: "reference", eplus: 6, rj: 0.75, q: 20, ep: 6, em: 14.0 / 19, ip: 4.75, im: 15.25 / 19},
		{name: "unclustered", eplus: 1, rj: 0.3, q: 5, ep: 1, em: 1, ip: 1, im: 1},
		{name: "no inhibitory clustering", eplus: 3, rj: 0, q: 3, ep: 3, em: 0, ip: 1, im: 1},
		{name: "full inhibitory clustering", eplus: 5, rj: 1, q: 5, ep: 5, em: 0, ip: 5, im: 0},
		{name: "one cluster", eplus: 2, rj: 1, q: 1, ep: 2, em: 1, ip: 2, im: 1},
		{name: "anti-clustering", eplus: 0.5, rj: 0.5, q: 4, ep: 0.5, em: 3.5 / 3, ip: 0.75, im: 3.25 / 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ep, em, ip, im := ClusterFactors(tc.eplus, tc.rj, tc.q)
			if !sameFloat(ep, tc.ep) || !sameFloat(em, tc.em) || !sameFloat(ip, tc.ip) || !sameFloat(im, tc.im) {
				t.Errorf("ClusterFactors(%v, %v, %d) = %v, %v, %v, %v; want %v, %v, %v, %v",
					tc.eplus, tc.rj, tc.q, ep, em, ip, im, tc.ep, tc.em, tc.ip, tc.im)
			}
			if tc.q > 1 {
				q := float64(tc.q)
				if !sameFloat(ep+(q-1)*em, q) || !sameFloat(ip+(q-1)*im, q) {
					t.Errorf("plus + (Q-1) minus = %v and %v, want Q = %v", ep+(q-1)*em, ip+(q-1)*im, q)
				}
			}
		})
	}
}

func TestClusteredMatrices(t *testing.T) {
	t.Parallel()
	// Reference example: n_E = 0.8, n_I = 0.2, p = 0.1 everywhere.
	jE := 1 / math.Sqrt(0.1*0.8)       // 3.5355...
	jI := -1.2 * jE * 0.1 * 0.8 / 0.02 // -16.97...
	ref := [2][2]float64{{jE, jI}, {jE, jI}}
	// Non-uniform case: NE = 3, NI = 1 (n_E = 0.75, n_I = 0.25),
	// p = [[EE 0.2, EI 0.5], [IE 0.4, II 0.8]], g = 2, thresholds 2 and 0.5.
	jEE := 2 / math.Sqrt(0.2*0.75)              // 5.1640
	jEI := -2 * jEE * 0.2 * 0.75 / (0.5 * 0.25) // -2.4 jEE: divided by p_EI = 0.5, not p_IE = 0.4
	jIE := 0.5 / math.Sqrt(0.4*0.75)            // 0.9129
	jII := -2 * jIE * 0.4 * 0.75 / (0.8 * 0.25) // -3 jIE
	nonUniform := ClusteredParams{
		Q: 4, NE: 3, NI: 1, P: [2][2]float64{{0.2, 0.5}, {0.4, 0.8}}, G: 2,
		ThresholdE: 2, ThresholdI: 0.5, JEPlus: 2.5, RJ: 0.5,
	}
	// Weight clustering with J_E+ = 2.5, R_j = 0.5, Q = 4:
	// J_E- = 0.5, J_I+ = 1.75, J_I- = 0.75.
	j := [2][2]float64{{jEE, jEI}, {jIE, jII}}
	for _, tc := range []struct {
		name   string
		params ClusteredParams
		want   ClusterMatrices
	}{
		{
			name:   "reference, probability clustering",
			params: ReferenceClusteredParams(),
			want: ClusterMatrices{
				J: ref, JPlus: ref, JMinus: ref,
				PPlus:  [2][2]float64{{0.6, 0.475}, {0.475, 0.475}},
				PMinus: [2][2]float64{{0.1 * 14 / 19, 0.1 * 15.25 / 19}, {0.1 * 15.25 / 19, 0.1 * 15.25 / 19}},
			},
		},
		{
			name:   "non-uniform p, weight clustering",
			params: nonUniform,
			want: ClusterMatrices{
				J:      j,
				JPlus:  [2][2]float64{{2.5 * jEE, 1.75 * jEI}, {1.75 * jIE, 1.75 * jII}},
				JMinus: [2][2]float64{{0.5 * jEE, 0.75 * jEI}, {0.75 * jIE, 0.75 * jII}},
				PPlus:  nonUniform.P, PMinus: nonUniform.P,
			},
		},
		{
			name: "both clusterings, one cluster",
			params: ClusteredParams{
				Q: 1, NE: 4, NI: 4, P: [2][2]float64{{0.5, 0.5}, {0.5, 0.5}}, G: 1,
				ThresholdE: 1, ThresholdI: 1, JEPlus: 1, PEPlus: 1, RJ: 1,
			},
			// n_E = n_I = 0.5: J_EE = 1/sqrt(0.25) = 2, J_EI = -2.
			want: ClusterMatrices{
				J:     [2][2]float64{{2, -2}, {2, -2}},
				JPlus: [2][2]float64{{2, -2}, {2, -2}}, JMinus: [2][2]float64{{2, -2}, {2, -2}},
				PPlus: [2][2]float64{{0.5, 0.5}, {0.5, 0.5}}, PMinus: [2][2]float64{{0.5, 0.5}, {0.5, 0.5}},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.params.Matrices()
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range []struct {
				name      string
				got, want [2][2]float64
			}{
				{"J", got.J, tc.want.J}, {"JPlus", got.JPlus, tc.want.JPlus}, {"JMinus", got.JMinus, tc.want.JMinus},
				{"PPlus", got.PPlus, tc.want.PPlus}, {"PMinus", got.PMinus, tc.want.PMinus},
			} {
				if !sameMatrix(m.got, m.want) {
					t.Errorf("%s = %v, want %v", m.name, m.got, m.want)
				}
			}
		})
	}
	// Literal values of the reference example, as printed by the Python
	// module's formulas.
	m, _ := ReferenceClusteredParams().Matrices()
	if !sameFloat(m.J[TypeE][TypeE], 3.5355339059327378) || !sameFloat(m.J[TypeE][TypeI], -16.970562748477143) {
		t.Errorf("reference J_EE, J_EI = %v, %v; want 3.5355339059327378, -16.970562748477143", m.J[0][0], m.J[0][1])
	}
}

// TestClusteredBalance checks the property the balanced weights are built
// for: with equal rates, the inhibitory input onto each type is g times the
// excitatory one; and either clustering alone leaves a unit's total input
// from each type what it is without clustering.
func TestClusteredBalance(t *testing.T) {
	t.Parallel()
	p := ClusteredParams{
		Q: 5, NE: 40, NI: 10, P: [2][2]float64{{0.2, 0.3}, {0.1, 0.4}}, G: 1.7,
		ThresholdE: 1.5, ThresholdI: 0.7, RJ: 0.6,
	}
	q := float64(p.Q)
	size := [2]float64{float64(p.NE), float64(p.NI)}
	for _, tc := range []struct {
		name           string
		jEPlus, pEPlus float64
	}{
		{"unclustered", 1, 1},
		{"weight clustering", 2, 1},
		{"probability clustering", 1, 3},
	} {
		c := p
		c.JEPlus, c.PEPlus = tc.jEPlus, tc.pEPlus
		m, err := c.Matrices()
		if err != nil {
			t.Fatal(err)
		}
		for post := range 2 {
			var total [2]float64 // input per unit of rate from each pre type
			for pre := range 2 {
				total[pre] = size[pre] * (m.PPlus[post][pre]*m.JPlus[post][pre] + (q-1)*m.PMinus[post][pre]*m.JMinus[post][pre])
				if want := q * size[pre] * p.P[post][pre] * m.J[post][pre]; !sameFloat(total[pre], want) {
					t.Errorf("%s: total input [%d][%d] = %v, want the unclustered %v", tc.name, post, pre, total[pre], want)
				}
			}
			if ratio := -total[TypeI] / total[TypeE]; !sameFloat(ratio, p.G) {
				t.Errorf("%s: post type %d: inhibition/excitation = %v, want g = %v", tc.name, post, ratio, p.G)
			}
		}
	}
}

func TestClusteredParamsErrors(t *testing.T) {
	t.Parallel()
	base := ReferenceClusteredParams()
	for _, tc := range []struct {
		name  string
		edit  func(*ClusteredParams)
		param string // must appear in the message
	}{
		{"Q zero", func(p *ClusteredParams) { p.Q = 0 }, "Q"},
		{"NE zero", func(p *ClusteredParams) { p.NE = 0 }, "NE"},
		{"NI negative", func(p *ClusteredParams) { p.NI = -1 }, "NI"},
		{"too many units", func(p *ClusteredParams) { p.Q, p.NE = 1<<20, 1<<12 }, "size"},
		{"p EE zero", func(p *ClusteredParams) { p.P[0][0] = 0 }, "P[EE]"},
		{"p EI above one", func(p *ClusteredParams) { p.P[0][1] = 1.5 }, "P[EI]"},
		{"p IE NaN", func(p *ClusteredParams) { p.P[1][0] = math.NaN() }, "P[IE]"},
		{"p II negative", func(p *ClusteredParams) { p.P[1][1] = -0.1 }, "P[II]"},
		{"g negative", func(p *ClusteredParams) { p.G = -1 }, "G"},
		{"g infinite", func(p *ClusteredParams) { p.G = math.Inf(1) }, "G"},
		{"threshold E zero", func(p *ClusteredParams) { p.ThresholdE = 0 }, "ThresholdE"},
		{"threshold I negative", func(p *ClusteredParams) { p.ThresholdI = -1 }, "ThresholdI"},
		{"tau E negative", func(p *ClusteredParams) { p.TauE = -1 }, "TauE"},
		{"tau I NaN", func(p *ClusteredParams) { p.TauI = math.NaN() }, "TauI"},
		{"J_E+ above Q", func(p *ClusteredParams) { p.JEPlus = 21 }, "JEPlus"},
		{"p_E+ negative", func(p *ClusteredParams) { p.PEPlus = -2 }, "PEPlus"},
		{"R_j above one", func(p *ClusteredParams) { p.RJ = 1.5 }, "RJ"},
		{"drive NaN", func(p *ClusteredParams) { p.Drive = math.NaN() }, "Drive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := base
			tc.edit(&p)
			_, err := p.Matrices()
			var pe *ParameterError
			if !errors.Is(err, ErrInvalidParameter) || !errors.As(err, &pe) {
				t.Fatalf("Matrices error = %v, want a *ParameterError", err)
			}
			if !strings.Contains(err.Error(), tc.param) {
				t.Errorf("error %q does not name %s", err, tc.param)
			}
			nw, l, err := NewClusteredNetwork("bad", p)
			if !errors.Is(err, ErrInvalidParameter) || nw != nil || l != nil {
				t.Errorf("NewClusteredNetwork = %v, %v, %v; want nil, nil, ErrInvalidParameter", nw, l, err)
			}
		})
	}
}

func TestClusteredDefaults(t *testing.T) {
	t.Parallel()
	p := ClusteredParams{Q: 2, NE: 3, NI: 1, P: [2][2]float64{{1, 1}, {1, 1}}, G: 1, ThresholdE: 1, ThresholdI: 1}
	_, l, err := NewClusteredNetwork("defaults", p)
	if err != nil {
		t.Fatal(err)
	}
	got := l.Params
	if got.TauE != 10 || got.TauI != 5 || got.JEPlus != 1 || got.PEPlus != 1 || got.RJ != 0 || got.Drive != 0 {
		t.Errorf("defaults: TauE %v TauI %v JEPlus %v PEPlus %v RJ %v Drive %v; want 10 5 1 1 0 0",
			got.TauE, got.TauI, got.JEPlus, got.PEPlus, got.RJ, got.Drive)
	}
	if l.E[0].Tau != 10 || l.I[1].Tau != 5 || l.Background.Tau != 10 {
		t.Errorf("population taus %v, %v, background %v; want 10, 5, 10", l.E[0].Tau, l.I[1].Tau, l.Background.Tau)
	}
}

func TestClusteredParamsJSON(t *testing.T) {
	t.Parallel()
	data, err := json.Marshal(ReferenceClusteredParams())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"Q":20`, `"N_E":200`, `"N_I":50`, `"p":[[0.1,0.1],[0.1,0.1]]`, `"g":1.2`, `"p_E_plus":6`, `"R_j":0.75`, `"drive":1`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("JSON %s lacks %s", data, key)
		}
	}
	var back ClusteredParams
	if err := json.Unmarshal(data, &back); err != nil || back != ReferenceClusteredParams() {
		t.Errorf("JSON round trip = %+v, %v", back, err)
	}
}

func TestClusteredLayout(t *testing.T) {
	t.Parallel()
	p := ClusteredParams{
		Q: 3, NE: 4, NI: 2, P: [2][2]float64{{0.5, 0.5}, {0.5, 0.5}}, G: 1,
		ThresholdE: 1.5, ThresholdI: 0.5, Drive: 0.25,
	}
	nw, l, err := NewClusteredNetwork("layout", p)
	if err != nil {
		t.Fatal(err)
	}
	wantE := []Range{{0, 4}, {4, 8}, {8, 12}}
	wantI := []Range{{12, 14}, {14, 16}, {16, 18}}
	for k := range 3 {
		if l.ERanges[k] != wantE[k] || l.IRanges[k] != wantI[k] {
			t.Errorf("cluster %d: E %v I %v; want %v %v", k, l.ERanges[k], l.IRanges[k], wantE[k], wantI[k])
		}
		if r, _ := nw.PopulationRange(l.E[k]); r != wantE[k] {
			t.Errorf("network range of E%d = %v, want %v", k, r, wantE[k])
		}
		if l.E[k].Name != "E"+string(rune('0'+k)) || l.I[k].Name != "I"+string(rune('0'+k)) {
			t.Errorf("names %q %q", l.E[k].Name, l.I[k].Name)
		}
	}
	if l.BackgroundRange != (Range{18, 19}) || nw.N() != 19 || len(nw.Populations()) != 7 {
		t.Errorf("background %v, N %d, %d populations; want [18, 19), 19, 7", l.BackgroundRange, nw.N(), len(nw.Populations()))
	}
	if r := l.Ranges(); len(r) != 6 || r[3] != wantI[0] {
		t.Errorf("Ranges() = %v", r)
	}
	if err := nw.Initialize(Options{Seed: 1, WeightMode: WeightDense}); err != nil {
		t.Fatal(err)
	}
	th, _ := nw.Thresholds(nil)
	state, _ := nw.State(nil)
	if th[0] != 1.5 || th[11] != 1.5 || th[12] != 0.5 || th[17] != 0.5 || state[18] != 1 {
		t.Errorf("thresholds %v, background state %d", th, state[18])
	}
	// The background unit drives every E and I unit with weight Drive and
	// receives nothing.
	w, _ := nw.Weights()
	for post := range 19 {
		want := 0.25
		if post == 18 {
			want = 0
		}
		if got := w.At(post, 18); got != want {
			t.Errorf("W[%d, background] = %v, want %v", post, got, want)
		}
		if got := w.At(18, post); got != 0 {
			t.Errorf("W[background, %d] = %v, want 0", post, got)
		}
	}
}

// TestClusteredConnectivity checks the sampled connectivity of a clustered
// network: in every group of blocks (post type, pre type, same or other
// cluster) the number of connections matches p * pairs within 5 binomial
// standard errors, every weight is the block's J, there are no autapses,
// and each E unit's expected number of E inputs is p Q N_E whatever the
// clustering.
func TestClusteredConnectivity(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		params ClusteredParams
	}{
		{"probability clustering", ClusteredParams{
			Q: 4, NE: 100, NI: 25, P: [2][2]float64{{0.1, 0.2}, {0.15, 0.3}}, G: 1.2,
			ThresholdE: 1, ThresholdI: 1, PEPlus: 3, RJ: 0.5, Drive: 1,
		}},
		{"weight clustering", ClusteredParams{
			Q: 4, NE: 100, NI: 25, P: [2][2]float64{{0.1, 0.1}, {0.1, 0.1}}, G: 1.2,
			ThresholdE: 1, ThresholdI: 1, JEPlus: 3, RJ: 0.75, Drive: 1,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			nw, l, err := NewClusteredNetwork("stats", tc.params)
			if err != nil {
				t.Fatal(err)
			}
			if err := nw.Initialize(Options{Seed: 7, WeightMode: WeightSparse}); err != nil {
				t.Fatal(err)
			}
			w, err := nw.Weights()
			if err != nil {
				t.Fatal(err)
			}
			q := tc.params.Q
			typeOf := make([]int, nw.N())    // 0 E, 1 I, -1 background
			clusterOf := make([]int, nw.N()) // cluster index
			for k := range q {
				for u := l.ERanges[k].Start; u < l.ERanges[k].End; u++ {
					typeOf[u], clusterOf[u] = TypeE, k
				}
				for u := l.IRanges[k].Start; u < l.IRanges[k].End; u++ {
					typeOf[u], clusterOf[u] = TypeI, k
				}
			}
			bg := l.BackgroundRange.Start
			typeOf[bg] = -1
			// count[post][pre][same]
			var count [2][2][2]float64
			m := l.Matrices
			w.(interface {
				DoNonZero(func(i, j int, v float64))
			}).DoNonZero(func(post, pre int, v float64) {
				if pre == bg {
					return
				}
				if post == pre {
					t.Errorf("autapse on unit %d", post)
				}
				a, b := typeOf[post], typeOf[pre]
				same := 0
				want := m.JMinus[a][b]
				if clusterOf[post] == clusterOf[pre] {
					same, want = 1, m.JPlus[a][b]
				}
				if float32(v) != float32(want) {
					t.Errorf("W[%d, %d] = %v, want %v", post, pre, v, float32(want))
				}
				count[a][b][same]++
			})
			size := [2]float64{float64(tc.params.NE), float64(tc.params.NI)}
			qf := float64(q)
			for a := range 2 {
				for b := range 2 {
					for same, prob := range []float64{m.PMinus[a][b], m.PPlus[a][b]} {
						pairs := qf * (qf - 1) * size[a] * size[b]
						if same == 1 {
							pairs = qf * size[a] * size[b]
							if a == b {
								pairs = qf * size[a] * (size[a] - 1) // no autapses
							}
						}
						mean := prob * pairs
						se := math.Sqrt(pairs * prob * (1 - prob))
						if got := count[a][b][same]; math.Abs(got-mean) > 5*se {
							t.Errorf("[%d][%d] same=%d: %v connections, want %.1f ± 5 × %.1f", a, b, same, got, mean, se)
						}
					}
				}
			}
			// Mean E-to-E in-degree: p_EE Q N_E up to the excluded autapse.
			indeg := (count[TypeE][TypeE][0] + count[TypeE][TypeE][1]) / (qf * size[TypeE])
			want := tc.params.P[TypeE][TypeE]*qf*size[TypeE] - m.PPlus[TypeE][TypeE]
			se := math.Sqrt(want / (qf * size[TypeE])) // Poisson-like SE of a mean of qN_E counts
			if math.Abs(indeg-want) > 5*se {
				t.Errorf("mean E-to-E in-degree %v, want %v ± 5 × %v", indeg, want, se)
			}
		})
	}
}
