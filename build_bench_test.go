package binarynet

import (
	"hash/fnv"
	"math"
	"os"
	"runtime"
	"testing"
)

// buildScenario returns the named scenario of bench/scenarios.json,
// uninitialized, and its weight mode.
func buildScenario(tb testing.TB, name string) (*Network, WeightMode) {
	tb.Helper()
	f, err := os.Open("bench/scenarios.json")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sf, err := ReadScenarioFile(f)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := sf.Lookup(name)
	if err != nil {
		tb.Fatal(err)
	}
	mode, err := s.Mode()
	if err != nil {
		tb.Fatal(err)
	}
	nw, _, err := s.Build(name)
	if err != nil {
		tb.Fatal(err)
	}
	return nw, mode
}

// toolkitBuildParams is the toolkit's default model as its YAML default
// configuration sets it: R_Eplus 7.25, kappa 0.5, Poisson blocks.
func toolkitBuildParams() ClusteredParams {
	p := DefaultClusteredParams()
	r := 7.25
	p.REPlus = &r
	p.Kappa = 0.5
	p.ConnectionType = ConnectPoisson
	return p
}

// BenchmarkInitialize times the build of the weights of the scenarios
// whose build issue 12 targets, with the default number of workers, and
// reports the time per stored synapse.
func BenchmarkInitialize(b *testing.B) {
	for _, name := range []string{"sparse-50k", "build-50k-bernoulli"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var syn int64
			for b.Loop() {
				b.StopTimer()
				nw, mode := buildScenario(b, name)
				b.StartTimer()
				if err := nw.Initialize(Options{WeightMode: mode, Seed: 1}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				syn, _ = nw.NonZeroWeights()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(syn), "ns/synapse")
		})
	}
	// sparse-1m's path at a tenth of its size: 10^6 units, 10^8 synapses,
	// under a budget (1.6 GiB) too small to keep the samples (464 MB with
	// their margin, more than a quarter of it), so they are drawn twice.
	b.Run("redraw-1m-k100", func(b *testing.B) {
		b.ReportAllocs()
		var syn int64
		for b.Loop() {
			b.StopTimer()
			nw := benchNetwork(b, WeightSparse, 1_000_000, 100, nil)
			b.StartTimer()
			if err := nw.Initialize(Options{WeightMode: WeightSparse, Seed: 1, RAMBudgetGB: 1.6}); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			syn, _ = nw.NonZeroWeights()
			runtime.GC() // the network is no longer used: free its 1 GB

			b.StartTimer()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(syn), "ns/synapse")
	})
	// The toolkit's default model, dense as the library's WeightAuto
	// chooses it, and sparse as the pipeline's auto mode chooses it for
	// the toolkit's 3 M steps.
	for _, mode := range []WeightMode{WeightAuto, WeightSparse} {
		name := "toolkit-default"
		if mode == WeightSparse {
			name += "-sparse"
		}
		b.Run(name, func(b *testing.B) {
			benchToolkitBuild(b, Options{Seed: 1, WeightMode: mode})
		})
	}
}

// benchToolkitBuild times the build of the toolkit's default model with
// opts.
func benchToolkitBuild(b *testing.B, opts Options) {
	b.ReportAllocs()
	var syn int64
	for b.Loop() {
		nw, _, err := NewClusteredNetwork("toolkit", toolkitBuildParams(), opts)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		syn, _ = nw.NonZeroWeights()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(syn), "ns/synapse")
}

// weightsHash returns an FNV-1a hash of the stored weights of nw, column
// by column: pre, the post indices and the weights' bits.
func weightsHash(tb testing.TB, nw *Network) uint64 {
	tb.Helper()
	h := fnv.New64a()
	var buf [8]byte
	put := func(v uint64) {
		for i := range buf {
			buf[i] = byte(v >> (8 * i))
		}
		h.Write(buf[:])
	}
	err := nw.VisitWeightColumns(func(pre int, post []int32, w []float64) error {
		put(uint64(pre))
		put(uint64(len(post)))
		for k, r := range post {
			put(uint64(r))
			put(math.Float64bits(w[k]))
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return h.Sum64()
}

// TestIssue12BuildWeightsUnchanged pins the weights that a fixed seed
// gives for every sampling rule, both storage forms and every path of the
// sparse build (packed samples, kept samples with two rules on one block,
// and drawing twice under a small budget) to hashes taken before the build
// was made faster: a faster build must draw the same network. Every case
// is built with 1 and 3 workers, which must agree.
func TestIssue12BuildWeightsUnchanged(t *testing.T) {
	clustered := func(ct ConnectionType) ClusteredParams {
		p := toolkitBuildParams()
		p.NE, p.NI, p.Q = 1600, 400, 8
		p.ConnectionType = ct
		return p
	}
	// twoRules puts a Bernoulli and a fixed-indegree rule on the same
	// block, which the packed path cannot take.
	twoRules := func(opts Options) (*Network, error) {
		nw := NewNetwork("two-rules")
		e := &BinaryNeuronPopulation{Name: "E", N: 1500, Tau: 10, Threshold: 1}
		i := &BinaryNeuronPopulation{Name: "I", N: 500, Tau: 5, Threshold: 1}
		for _, p := range []Population{e, i} {
			if err := nw.AddPopulation(p); err != nil {
				return nil, err
			}
		}
		for _, s := range []Synapse{
			NewPairwiseBernoulliSynapse(e, e, 0.1, 0.5),
			NewFixedIndegreeSynapse(e, e, 0.05, 0.25),
			NewPoissonSynapse(i, e, 0.2, -1),
			NewAllToAllSynapse(e, i, 0.01),
		} {
			if err := nw.AddSynapse(s); err != nil {
				return nil, err
			}
		}
		return nw, nw.Initialize(opts)
	}
	// packedRepeats has one rule per block, so the packed path takes it,
	// with the repeats of each kind it merges: Bernoulli layers (p > 1),
	// multapses, Poisson counts, and a block of weight 0, whose entries
	// are all dropped.
	packedRepeats := func(opts Options) (*Network, error) {
		nw := NewNetwork("packed-repeats")
		e := &BinaryNeuronPopulation{Name: "E", N: 2500, Tau: 10, Threshold: 1}
		i := &BinaryNeuronPopulation{Name: "I", N: 800, Tau: 5, Threshold: 1}
		for _, p := range []Population{e, i} {
			if err := nw.AddPopulation(p); err != nil {
				return nil, err
			}
		}
		for _, s := range []Synapse{
			NewPoissonSynapse(e, e, 0.05, 0.5),
			NewFixedIndegreeSynapse(i, e, 0.1, -0.75),
			NewFixedIndegreeSynapse(e, i, 0.05, 0),
			NewPairwiseBernoulliSynapse(i, i, 1.02, -1),
		} {
			if err := nw.AddSynapse(s); err != nil {
				return nil, err
			}
		}
		return nw, nw.Initialize(opts)
	}
	fromParams := func(p ClusteredParams) func(Options) (*Network, error) {
		return func(o Options) (*Network, error) {
			nw, _, err := NewClusteredNetwork("clustered", p, o)
			return nw, err
		}
	}
	cases := []struct {
		name  string
		build func(Options) (*Network, error)
		opts  Options
		want  uint64
	}{
		{"poisson-sparse", fromParams(clustered(ConnectPoisson)), Options{Seed: 7, WeightMode: WeightSparse}, 0x79b07b91694a7700},
		{"poisson-dense", fromParams(clustered(ConnectPoisson)), Options{Seed: 7, WeightMode: WeightDense}, 0x79b07b91694a7700},
		{"poisson-float64", fromParams(clustered(ConnectPoisson)), Options{Seed: 7, WeightMode: WeightSparse, WeightType: Float64}, 0xd8430145c2323fb8},
		{"bernoulli-sparse", fromParams(clustered(ConnectBernoulli)), Options{Seed: 8, WeightMode: WeightSparse}, 0x45f834a749a3f3c5},
		{"fixed-sparse", fromParams(clustered(ConnectFixedIndegree)), Options{Seed: 9, WeightMode: WeightSparse}, 0x3d3c2b90c671dbbd},
		{"fixed-delete-self", fromParams(clustered(ConnectFixedIndegree)), Options{Seed: 9, WeightMode: WeightSparse, AutapseRule: AutapseDeleteSelf}, 0x8560c597846ed3f9},
		{"two-rules-sparse", twoRules, Options{Seed: 10, WeightMode: WeightSparse}, 0x54cf6ad952d6cb39},
		{"two-rules-dense", twoRules, Options{Seed: 10, WeightMode: WeightDense}, 0x54cf6ad952d6cb39},
		{"packed-repeats", packedRepeats, Options{Seed: 11, WeightMode: WeightSparse}, 0xf3bb86393fe1df1a},
		{"packed-repeats-float64", packedRepeats, Options{Seed: 11, WeightMode: WeightSparse, WeightType: Float64}, 0xf3bb86393fe1df1a},
		{"packed-repeats-dense", packedRepeats, Options{Seed: 11, WeightMode: WeightDense}, 0xf3bb86393fe1df1a},
		{"packed-repeats-redraw", packedRepeats, Options{Seed: 11, WeightMode: WeightSparse, RAMBudgetGB: 0.017}, 0xf3bb86393fe1df1a},
		{"packed-repeats-redraw-float64", packedRepeats, Options{Seed: 11, WeightMode: WeightSparse, WeightType: Float64, RAMBudgetGB: 0.019}, 0xf3bb86393fe1df1a},
		{"two-rules-redraw", twoRules, Options{Seed: 10, WeightMode: WeightSparse, RAMBudgetGB: 0.017}, 0x54cf6ad952d6cb39},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got [2]uint64
			for k, w := range []int{1, 3} {
				o := c.opts
				o.Workers = w
				nw, err := c.build(o)
				if err != nil {
					t.Fatal(err)
				}
				got[k] = weightsHash(t, nw)
			}
			if got[0] != got[1] {
				t.Fatalf("hash %#x with 1 worker, %#x with 3", got[0], got[1])
			}
			if got[0] != c.want {
				t.Errorf("weights hash %#x, want %#x", got[0], c.want)
			}
		})
	}
}
