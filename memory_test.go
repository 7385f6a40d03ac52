package binarynet

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

// hugeMatrix is an n x n matrix of zeros that takes no memory.
type hugeMatrix struct{ n int }

func (z hugeMatrix) Dims() (int, int)    { return z.n, z.n }
func (z hugeMatrix) At(int, int) float64 { return 0 }
func (z hugeMatrix) T() mat.Matrix       { return z }

// allocDuring returns the bytes allocated on the heap while fn runs (an
// upper bound of the memory it holds at any time) and its duration.
func allocDuring(fn func()) (uint64, time.Duration) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	fn()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, elapsed
}

// eiNetwork returns an uninitialized E/I network of n units (80 % E) with
// one rule of the given kind on all four blocks.
func eiNetwork(t testing.TB, n int, rule func(pre, post Population) Synapse) *Network {
	t.Helper()
	nw := NewNetwork("ei")
	e := &BinaryNeuronPopulation{Name: "E", N: n - n/5, Tau: 10, Threshold: 1}
	i := &BinaryNeuronPopulation{Name: "I", N: n / 5, Tau: 5, Threshold: 1}
	for _, p := range []Population{e, i} {
		if err := nw.AddPopulation(p); err != nil {
			t.Fatal(err)
		}
	}
	if rule != nil {
		for _, pre := range []Population{e, i} {
			for _, post := range []Population{e, i} {
				if err := nw.AddSynapse(rule(pre, post)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return nw
}

// TestMemoryGuardHugeNetworks asks for networks that would need hundreds
// of GB to thousands of TB and checks that Initialize returns
// ErrMemoryBudget at once, without allocating.
func TestMemoryGuardHugeNetworks(t *testing.T) {
	bern := func(p float64) func(pre, post Population) Synapse {
		return func(pre, post Population) Synapse { return NewPairwiseBernoulliSynapse(pre, post, p, 0.1) }
	}
	indeg := func(p float64, multapses bool) func(pre, post Population) Synapse {
		return func(pre, post Population) Synapse {
			return &FixedIndegreeSynapse{Pre: pre, Post: post, P: p, J: 0.1, Distinct: !multapses}
		}
	}
	poisson := func(pre, post Population) Synapse { return NewPoissonSynapse(pre, post, 0.05, 0.1) }
	tests := []struct {
		name string
		n    int
		rule func(pre, post Population) Synapse
		opts Options
	}{
		// 300,000^2 x 4 B = 360 GB.
		{"dense float32 300k", 300_000, bern(0.2), Options{WeightMode: WeightDense}},
		{"dense float64 300k", 300_000, bern(0.2), Options{WeightMode: WeightDense, WeightType: Float64}},
		// 2e6 units x 40,000 inputs x 8 B = 640 GB.
		{"sparse fixed indegree 2M", 2_000_000, indeg(0.02, true), Options{WeightMode: WeightSparse}},
		{"sparse fixed indegree 1e9 without multapses", 1_000_000_000, indeg(1e-4, false), Options{WeightMode: WeightSparse}},
		// 2e6^2 x 0.05 x 8 B = 1.6 TB.
		{"sparse Bernoulli 2M", 2_000_000, bern(0.05), Options{WeightMode: WeightSparse, WeightType: Float64}},
		{"sparse Poisson 2M", 2_000_000, poisson, Options{WeightMode: WeightSparse}},
		// Auto picks sparse (dense would be 360 GB), which needs 144 GB.
		{"auto 300k", 300_000, bern(0.2), Options{}},
		// No synapses at all: the per-unit arrays alone, 2e9 units.
		{"sparse 2e9 units without synapses", maxUnits, nil, Options{WeightMode: WeightSparse}},
		{"dense 2e9 units without synapses", maxUnits, nil, Options{WeightMode: WeightDense, RAMBudgetGB: 1e6}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nw := eiNetwork(t, tc.n, tc.rule)
			var err error
			alloc, elapsed := allocDuring(func() { err = nw.Initialize(tc.opts) })
			if !errors.Is(err, ErrMemoryBudget) {
				t.Fatalf("Initialize returned %v, want ErrMemoryBudget", err)
			}
			if nw.Initialized() {
				t.Error("network initialized after ErrMemoryBudget")
			}
			// 1 s and 1 MiB: the network's own descriptions take a few
			// hundred bytes, while the request is for 100+ GB.
			if elapsed > time.Second {
				t.Errorf("ErrMemoryBudget took %v", elapsed)
			}
			if alloc > 1<<20 {
				t.Errorf("allocated %d bytes before returning ErrMemoryBudget", alloc)
			}
			t.Log(err)
		})
	}
	t.Run("NewNetworkFromWeights 300k", func(t *testing.T) {
		const n = 300_000
		thresh, init := make([]float64, n), make([]int8, n)
		var err error
		alloc, elapsed := allocDuring(func() {
			_, err = NewNetworkFromWeights("w", hugeMatrix{n}, nil, thresh, init, Options{})
		})
		if !errors.Is(err, ErrMemoryBudget) {
			t.Fatalf("NewNetworkFromWeights returned %v, want ErrMemoryBudget", err)
		}
		// The thresholds and initial state given (2.7 MB) are the
		// caller's; the function itself must not add much.
		if elapsed > time.Second || alloc > 1<<20 {
			t.Errorf("ErrMemoryBudget after %v and %d bytes", elapsed, alloc)
		}
	})
	t.Run("logs", func(t *testing.T) {
		// Sizes that fit a 32-bit int but not a 1 GiB budget.
		nw := ckptNetwork(t, Options{Seed: 1, RAMBudgetGB: 1}, false)
		for name, enable := range map[string]func() error{
			"diff log of 1e9 steps": func() error { return nw.EnableDiffLogging(1_000_000_000) },
			"step log of 1e9 steps": func() error { return nw.EnableStepLogging(1_000_000_000) },
		} {
			var err error
			alloc, elapsed := allocDuring(func() { err = enable() })
			if !errors.Is(err, ErrMemoryBudget) || elapsed > time.Second || alloc > 1<<20 {
				t.Errorf("%s: %v after %v and %d bytes", name, err, elapsed, alloc)
			}
		}
	})
}

// smallestBudget returns, to a ratio of (hi/lo)^(1/2^20), the smallest
// budget in GiB between lo and hi for which ok holds, by bisection in log
// space; ok must hold at hi and be monotone.
func smallestBudget(t *testing.T, lo, hi float64, ok func(gb float64) bool) float64 {
	t.Helper()
	if !ok(hi) {
		t.Fatalf("a budget of %v GiB does not do", hi)
	}
	for range 20 {
		if mid := math.Sqrt(lo * hi); ok(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// TestMemoryEstimateCoversInitialize checks that the memory estimate is
// sound: for each network, the smallest budget Initialize accepts (found
// by bisection, each refusal being free) is at least what Initialize then
// allocates in total, which bounds its peak.
func TestMemoryEstimateCoversInitialize(t *testing.T) {
	indeg := func(p float64) func(pre, post Population) Synapse {
		return func(pre, post Population) Synapse { return NewFixedIndegreeSynapse(pre, post, p, 0.1) }
	}
	bern := func(p float64) func(pre, post Population) Synapse {
		return func(pre, post Population) Synapse { return NewPairwiseBernoulliSynapse(pre, post, p, 0.1) }
	}
	tests := []struct {
		n    int
		rule func(pre, post Population) Synapse
		opts Options
	}{
		{2000, bern(0.2), Options{WeightMode: WeightDense}},
		{2000, bern(0.2), Options{WeightMode: WeightDense, WeightType: Float64}},
		{10_000, indeg(0.01), Options{WeightMode: WeightSparse}}, // 100 inputs per unit
		{10_000, bern(0.01), Options{WeightMode: WeightSparse, WeightType: Float64}},
		{10_000, func(pre, post Population) Synapse { return NewPoissonSynapse(pre, post, 0.01, 0.1) }, Options{WeightMode: WeightSparse}},
		{10_000, indeg(0.001), Options{WeightMode: WeightSparse}}, // 10 inputs per unit
		{300_000, nil, Options{WeightMode: WeightSparse}},         // per-unit arrays only
	}
	for _, tc := range tests {
		tc.opts.Workers = 2
		name := fmt.Sprintf("%s-%s-%d", tc.opts.WeightMode, tc.opts.WeightType, tc.n)
		if tc.rule == nil {
			name += "-nosynapses"
		}
		t.Run(name, func(t *testing.T) {
			accepts := func(gb float64) bool {
				o := tc.opts
				o.RAMBudgetGB = gb
				err := eiNetwork(t, tc.n, tc.rule).Initialize(o)
				// Refusals must not allocate; fail fast otherwise.
				if err != nil && !errors.Is(err, ErrMemoryBudget) {
					t.Fatal(err)
				}
				return err == nil
			}
			hi := smallestBudget(t, 1e-9, 64, accepts)
			budget := hi * (1 << 30)
			o := tc.opts
			o.RAMBudgetGB = hi
			nw := eiNetwork(t, tc.n, tc.rule)
			var err error
			alloc, _ := allocDuring(func() { err = nw.Initialize(o) })
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("smallest accepted budget %.0f bytes, Initialize allocated %d (%.3f of it)", budget, alloc, float64(alloc)/budget)
			// 64 KiB covers the fixed-size bookkeeping (specs, samplers,
			// goroutines) that the estimate rightly ignores.
			if float64(alloc) > budget+64<<10 {
				t.Errorf("Initialize allocated %d bytes, %.1f%% more than the %.0f-byte budget it accepted",
					alloc, 100*(float64(alloc)/budget-1), budget)
			}
		})
	}
}

// TestMemoryEstimateCoversKeptSamples checks the estimate where the
// sparse build keeps its samples and the flip kernel's gap-coded copy is
// made in what the budget leaves besides them: at the smallest budget
// that gives both (found by bisection), Initialize allocates no more than
// the budget. With 300 inputs per unit, each of the two workers keeps 6
// MB of samples, the last in a slab of kernel.HugeMin bytes. Regression:
// kernelBudget counted the kept samples at 4 bytes per expected entry,
// and Initialize allocated 12 % more than this budget, the slabs' room
// not yet used.
func TestMemoryEstimateCoversKeptSamples(t *testing.T) {
	const n = 10_000
	rule := func(pre, post Population) Synapse { return NewFixedIndegreeSynapse(pre, post, 0.03, 0.1) }
	opts := Options{WeightMode: WeightSparse, Workers: 2}
	// both reports whether a budget of gb GiB is accepted, keeps the
	// samples and gives the copy, with the bytes Initialize allocated.
	both := func(gb float64) (bool, uint64) {
		o := opts
		o.RAMBudgetGB = gb
		nw := eiNetwork(t, n, rule)
		var err error
		alloc, _ := allocDuring(func() { err = nw.Initialize(o) })
		if errors.Is(err, ErrMemoryBudget) {
			return false, 0
		}
		if err != nil {
			t.Fatal(err)
		}
		l, err := nw.layout(nw.specs, nw.starts, o.Autapse, o.AutapseRule)
		if err != nil {
			t.Fatal(err)
		}
		keep, _ := keepSamples(l, n, o.Workers, gb)
		return keep && nw.num.(*engine[float32]).kern != nil, alloc
	}
	hi := smallestBudget(t, 0.01, 1, func(gb float64) bool { ok, _ := both(gb); return ok })
	_, alloc := both(hi)
	budget := hi * (1 << 30)
	t.Logf("smallest budget keeping the samples and giving the copy %.0f bytes, Initialize allocated %d (%.3f of it)", budget, alloc, float64(alloc)/budget)
	if float64(alloc) > budget+64<<10 {
		t.Errorf("Initialize allocated %d bytes, %.1f%% more than the %.0f-byte budget", alloc, 100*(float64(alloc)/budget-1), budget)
	}
}

// TestMemoryNeedGivenWeights checks that the estimate of weights given to
// the network (or restored) counts no room for what only a build makes:
// rows kept as gap codes and the records of repeats. Drawn weights of a
// network of at most gapSkip units count 2 bytes per entry more, for the
// rows written out when the flip kernel has no gap-coded copy.
func TestMemoryNeedGivenWeights(t *testing.T) {
	opts := Options{Workers: 2}
	const n, entries = 1000, 1e5
	given := memoryNeed(opts, WeightSparse, n, entries, givenWeights)
	drawn := memoryNeed(opts, WeightSparse, n, entries, 0)
	if margin := entries + 6*math.Sqrt(entries); math.Abs(drawn-given-2*margin) > 1e-9*drawn {
		t.Errorf("drawn weights need %g bytes more than given ones, want %g", drawn-given, 2*margin)
	}
	if large := memoryNeed(opts, WeightSparse, gapSkip+1, entries, 0); large != memoryNeed(opts, WeightSparse, gapSkip+1, entries, givenWeights) {
		t.Errorf("over gapSkip units, drawn weights without repeats need %g bytes, given ones %g", large, memoryNeed(opts, WeightSparse, gapSkip+1, entries, givenWeights))
	}
}
