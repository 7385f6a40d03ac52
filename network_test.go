package binarynet_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/james-bowman/sparse"
	"gonum.org/v1/gonum/mat"

	"github.com/binarynet/binarynet"
)

// eiNet is a small E/I network with every rule and a stochastic
// background population, weights that are not exact in binary, and
// thresholds that keep it switching: the workload of the reproducibility
// tests.
type eiNet struct {
	nw      *binarynet.Network
	e, i    *binarynet.BinaryNeuronPopulation
	x       *binarynet.BackgroundActivity
	eN, iN  int
	initial []int8
}

func newEINet(t *testing.T, eN, iN int, opts binarynet.Options) *eiNet {
	t.Helper()
	nw := binarynet.NewNetwork("ei")
	e := &binarynet.BinaryNeuronPopulation{Name: "E", N: eN, Tau: 10, Threshold: 0.5}
	i := &binarynet.BinaryNeuronPopulation{Name: "I", N: iN, Tau: 5, Threshold: 1}
	x := &binarynet.BackgroundActivity{Name: "X", N: 50, Tau: 3, Activity: 0.3, Stochastic: true}
	for _, p := range []binarynet.Population{e, i, x} {
		if err := nw.AddPopulation(p); err != nil {
			t.Fatal(err)
		}
	}
	ind := &binarynet.FixedIndegreeSynapse{Pre: i, Post: i, P: 0.2, J: -0.3} // distinct inputs
	mustAdd(t, nw,
		binarynet.NewPairwiseBernoulliSynapse(e, e, 0.2, 0.1),
		binarynet.NewPoissonSynapse(e, e, 0.05, 0.07), // adds up with the rule above
		binarynet.NewPairwiseBernoulliSynapse(i, e, 0.2, -0.25),
		binarynet.NewFixedIndegreeSynapse(e, i, 0.2, 0.15), // multapses
		ind,
		binarynet.NewPairwiseBernoulliSynapse(x, e, 1.5, 0.03), // two layers
		binarynet.NewAllToAllSynapse(x, i, 0.01),
	)
	mustInit(t, nw, opts)
	s, err := nw.State(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &eiNet{nw: nw, e: e, i: i, x: x, eN: eN, iN: iN, initial: s}
}

// trace runs steps updates in the given batches with diff logging and
// returns the log, the final state and the final field.
func trace(t *testing.T, nw *binarynet.Network, batches ...[2]int) (binarynet.DiffLog, []int8, []float64) {
	t.Helper()
	total := 0
	for _, b := range batches {
		total += b[0]
	}
	if err := nw.EnableDiffLogging(total); err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		if err := nw.Run(b[0], b[1]); err != nil {
			t.Fatalf("Run(%d, %d): %v", b[0], b[1], err)
		}
	}
	log := nw.ConsumeDiffLog()
	if log.Len() != total {
		t.Fatalf("diff log has %d steps, want %d", log.Len(), total)
	}
	s, err := nw.State(nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := nw.Field(nil)
	if err != nil {
		t.Fatal(err)
	}
	return log, s, f
}

// flips returns the number of state changes in a log.
func flips(log binarynet.DiffLog) int {
	k := 0
	for _, d := range log.Deltas {
		if d != 0 {
			k++
		}
	}
	return k
}

func sameLog(a, b binarynet.DiffLog) bool {
	return slices.Equal(a.Updates, b.Updates) && slices.Equal(a.Deltas, b.Deltas)
}

// sameBits reports whether two float64 slices are equal bit for bit.
func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

// requireSameWeights fails unless a and b hold the same matrix; for two
// *sparse.CSC it compares the stored arrays.
func requireSameWeights(t *testing.T, what string, a, b *binarynet.Network) {
	t.Helper()
	wa, err := a.Weights()
	if err != nil {
		t.Fatal(err)
	}
	wb, err := b.Weights()
	if err != nil {
		t.Fatal(err)
	}
	ca, okA := wa.(*sparse.CSC)
	cb, okB := wb.(*sparse.CSC)
	if okA && okB {
		ra, rb := ca.RawMatrix(), cb.RawMatrix()
		if !slices.Equal(ra.Indptr, rb.Indptr) || !slices.Equal(ra.Ind, rb.Ind) || !slices.Equal(ra.Data, rb.Data) {
			t.Fatalf("%s: stored CSC arrays differ", what)
		}
		return
	}
	if !mat.Equal(wa, wb) {
		t.Fatalf("%s: weights differ", what)
	}
}

// traceSteps is the length of the reproducibility runs: 40 sweeps of the
// 550 units, enough for thousands of state changes.
const traceSteps = 22000

// TestSameSeedSameTrajectory checks that a seed fixes the network, the
// initial state and the whole trajectory, and that another seed changes
// them (so the comparison can fail).
func TestSameSeedSameTrajectory(t *testing.T) {
	t.Parallel()
	opts := binarynet.Options{WeightMode: binarynet.WeightSparse, Seed: 21}
	a := newEINet(t, 400, 100, opts)
	b := newEINet(t, 400, 100, opts)
	requireSameWeights(t, "same seed", a.nw, b.nw)
	if !slices.Equal(a.initial, b.initial) {
		t.Fatal("same seed, different initial states")
	}
	la, sa, fa := trace(t, a.nw, [2]int{traceSteps, 1000})
	lb, sb, fb := trace(t, b.nw, [2]int{traceSteps, 1000})
	if flips(la) < 1000 {
		t.Fatalf("only %d state changes in %d steps: the test network is too quiet", flips(la), traceSteps)
	}
	if !sameLog(la, lb) || !slices.Equal(sa, sb) || !sameBits(fa, fb) {
		t.Fatal("same seed, different trajectories")
	}
	opts.Seed = 22
	c := newEINet(t, 400, 100, opts)
	lc, _, _ := trace(t, c.nw, [2]int{traceSteps, 1000})
	if slices.Equal(a.initial, c.initial) || sameLog(la, lc) {
		t.Fatal("seeds 21 and 22 give the same initial state or trajectory")
	}
}

// TestBatchSizeInvariance checks that the batch size of Run, splitting a
// run into several calls, and Update give the same trajectory (the
// reference's depends on the batch size: its fault 7).
func TestBatchSizeInvariance(t *testing.T) {
	t.Parallel()
	opts := binarynet.Options{WeightMode: binarynet.WeightDense, Seed: 23}
	ref := newEINet(t, 400, 100, opts)
	want, wantState, wantField := trace(t, ref.nw, [2]int{traceSteps, traceSteps})
	for _, batches := range [][][2]int{
		{{traceSteps, 1}},
		{{traceSteps, 7}},
		{{traceSteps, 1000}},
		{{traceSteps, 1 << 30}},
		{{1, 1}, {9999, 333}, {12000, 4096}},
	} {
		t.Run(fmt.Sprint(batches), func(t *testing.T) {
			n := newEINet(t, 400, 100, opts)
			got, s, f := trace(t, n.nw, batches...)
			if i := firstDiff(got.Deltas, want.Deltas); !sameLog(got, want) {
				t.Fatalf("trajectory differs from one batch of %d, first at step %d", traceSteps, i)
			}
			if !slices.Equal(s, wantState) || !sameBits(f, wantField) {
				t.Fatal("final state or field differs")
			}
		})
	}
	t.Run("Update", func(t *testing.T) {
		n := newEINet(t, 400, 100, opts)
		if err := n.nw.EnableDiffLogging(traceSteps); err != nil {
			t.Fatal(err)
		}
		for range 500 {
			if err := n.nw.Update(); err != nil {
				t.Fatal(err)
			}
		}
		if err := n.nw.Run(traceSteps-500, 64); err != nil {
			t.Fatal(err)
		}
		if got := n.nw.ConsumeDiffLog(); !sameLog(got, want) {
			t.Fatal("500 Update calls and a Run differ from one Run")
		}
	})
}

// TestDenseSparseBitIdentical checks that dense and sparse storage give the
// same network and a bit-identical trajectory and field, in float32 and
// float64, with weights that are not exact in binary.
func TestDenseSparseBitIdentical(t *testing.T) {
	t.Parallel()
	for _, wt := range []binarynet.WeightType{binarynet.Float32, binarynet.Float64} {
		t.Run(wt.String(), func(t *testing.T) {
			t.Parallel()
			d := newEINet(t, 400, 100, binarynet.Options{WeightMode: binarynet.WeightDense, WeightType: wt, Seed: 24})
			s := newEINet(t, 400, 100, binarynet.Options{WeightMode: binarynet.WeightSparse, WeightType: wt, Seed: 24})
			requireSameWeights(t, "dense vs sparse", d.nw, s.nw)
			fd, _ := d.nw.Field(nil)
			fs, _ := s.nw.Field(nil)
			if !sameBits(fd, fs) {
				t.Fatal("initial fields differ")
			}
			ld, sd, fd := trace(t, d.nw, [2]int{traceSteps, 1000})
			ls, ss, fs := trace(t, s.nw, [2]int{traceSteps, 777})
			if !sameLog(ld, ls) || !slices.Equal(sd, ss) {
				t.Fatalf("trajectories differ, first at step %d", firstDiff(ld.Deltas, ls.Deltas))
			}
			if !sameBits(fd, fs) {
				t.Fatal("final fields differ")
			}
		})
	}
}

// TestWorkersSameNetwork checks that the number of build workers does not
// change the network or the initial state. The network has 2175 units,
// three chunks of 1024 rows (the unit of work of the build), and rules
// that leave duplicate entries to sum across chunk boundaries.
func TestWorkersSameNetwork(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode   binarynet.WeightMode
		eN, iN int
	}{{binarynet.WeightSparse, 1700, 425}, {binarynet.WeightDense, 1700, 425}} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			t.Parallel()
			var nets []*eiNet
			for _, w := range []int{1, 2, 4} {
				nets = append(nets, newEINet(t, tc.eN, tc.iN, binarynet.Options{WeightMode: tc.mode, Seed: 25, Workers: w}))
			}
			for k, n := range nets[1:] {
				requireSameWeights(t, fmt.Sprintf("workers 1 vs %d", []int{2, 4}[k]), nets[0].nw, n.nw)
				if !slices.Equal(n.initial, nets[0].initial) {
					t.Fatal("initial state depends on the number of workers")
				}
			}
		})
	}
}

// TestFieldIsWTimesState checks the cached field against W s computed from
// the exported weights after a long run, exactly, with dyadic weights
// (every partial sum is exact, so the order of additions cannot matter).
func TestFieldIsWTimesState(t *testing.T) {
	t.Parallel()
	for _, mode := range []binarynet.WeightMode{binarynet.WeightDense, binarynet.WeightSparse} {
		nw, a, b := twoPopsWith(t, 300, 100, func(a, b *binarynet.BinaryNeuronPopulation) {
			a.Threshold, b.Threshold = 0.25, 0.5
			a.Initializer, b.Initializer = nil, nil // Bernoulli(0.2)
		})
		mustAdd(t, nw,
			binarynet.NewPairwiseBernoulliSynapse(a, a, 0.1, 0.125),
			binarynet.NewPairwiseBernoulliSynapse(b, a, 0.3, -0.25),
			binarynet.NewPoissonSynapse(a, b, 0.1, 0.0625),
			binarynet.NewFixedIndegreeSynapse(b, b, 0.2, -0.5),
		)
		mustInit(t, nw, binarynet.Options{WeightMode: mode, Seed: 26})
		if err := nw.Run(40000, 512); err != nil {
			t.Fatal(err)
		}
		w, _ := nw.Weights()
		s, _ := nw.State(nil)
		x := make([]float64, len(s))
		for i, v := range s {
			x[i] = float64(v)
		}
		var want mat.VecDense
		want.MulVec(w, mat.NewVecDense(len(x), x))
		got, _ := nw.Field(nil)
		if !slices.Equal(got, want.RawVector().Data) {
			t.Errorf("%v: field after 40000 steps differs from W s", mode)
		}
	}
}

// TestStrictThreshold checks that a unit whose field equals its threshold
// becomes (or stays) 0, and that it becomes 1 just above it.
func TestStrictThreshold(t *testing.T) {
	t.Parallel()
	// Unit 2 feeds units 0 and 1 with weight 0.5; unit 2 is active, so
	// h = (0.5, 0.5, 0).
	w := mat.NewDense(3, 3, []float64{
		0, 0, 0.5,
		0, 0, 0.5,
		0, 0, 0,
	})
	for _, mode := range []binarynet.WeightMode{binarynet.WeightDense, binarynet.WeightSparse} {
		for _, wt := range []binarynet.WeightType{binarynet.Float32, binarynet.Float64} {
			nw, err := binarynet.NewNetworkFromWeights("strict", w, nil,
				[]float64{0.5, math.Nextafter(0.5, 0), 0}, []int8{1, 0, 1},
				binarynet.Options{WeightMode: mode, WeightType: wt})
			if err != nil {
				t.Fatal(err)
			}
			if err := nw.EnableDiffLogging(3); err != nil {
				t.Fatal(err)
			}
			if err := nw.ApplyUpdates([]int32{0, 1, 2}); err != nil {
				t.Fatal(err)
			}
			log := nw.ConsumeDiffLog()
			// Unit 0: h == threshold -> 0 (delta -1). Unit 1: h just
			// above its threshold (float64 mode; float32 rounds the
			// threshold to 0.5 itself) -> 1. Unit 2: h = 0 == threshold
			// -> 0 (delta -1).
			want1 := int8(1)
			if wt == binarynet.Float32 {
				want1 = 0 // float32(nextafter(0.5, 0)) == 0.5
			}
			if want := []int8{-1, want1, -1}; !slices.Equal(log.Deltas, want) {
				t.Errorf("%v %v: deltas %v, want %v", mode, wt, log.Deltas, want)
			}
		}
	}
}

// TestSelectionFrequencies checks that a step draws population k with
// probability (N_k/tau_k) / sum_j N_j/tau_j and a unit uniformly inside
// it, for equal taus (every unit equally likely) and for different taus
// with an empty population in between: chi-square over populations and
// over the units of each population, and a per-population binomial bound.
func TestSelectionFrequencies(t *testing.T) {
	t.Parallel()
	type popDef struct {
		n   int
		tau float64
	}
	for _, tc := range []struct {
		name string
		pops []popDef
	}{
		{"equal taus", []popDef{{200, 2}, {50, 2}, {150, 2}}},
		{"different taus", []popDef{{100, 1}, {0, 4}, {300, 10}, {50, 2}, {7, 0.25}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			nw := binarynet.NewNetwork("select")
			var pops []binarynet.Population
			var total float64
			for k, p := range tc.pops {
				pop := &binarynet.BinaryNeuronPopulation{Name: fmt.Sprint(k), N: p.n, Tau: p.tau}
				pops = append(pops, pop)
				if err := nw.AddPopulation(pop); err != nil {
					t.Fatal(err)
				}
				total += float64(p.n) / p.tau
			}
			mustInit(t, nw, binarynet.Options{WeightMode: binarynet.WeightSparse, Seed: 27})
			const steps = 300000
			log, _, _ := trace(t, nw, [2]int{steps, 10000})
			perUnit := make([]int, nw.N())
			for _, u := range log.Updates {
				perUnit[u]++
			}
			var chiPop float64
			dfPop := -1
			for k, p := range tc.pops {
				r := rangeOf(t, nw, pops[k])
				got := 0
				for _, c := range perUnit[r.Start:r.End] {
					got += c
				}
				q := float64(p.n) / p.tau / total
				mean := steps * q
				if p.n == 0 {
					if got != 0 {
						t.Errorf("empty population %d drawn %d times", k, got)
					}
					continue
				}
				if !withinZ(float64(got), mean, math.Sqrt(steps*q*(1-q))) {
					t.Errorf("population %d drawn %d times, want %.0f ± %.0f", k, got, mean, zBound*math.Sqrt(steps*q*(1-q)))
				}
				chiPop += (float64(got) - mean) * (float64(got) - mean) / mean
				dfPop++
				// Units of the population: uniform given the population.
				var chiUnit float64
				per := float64(got) / float64(p.n)
				for _, c := range perUnit[r.Start:r.End] {
					chiUnit += (float64(c) - per) * (float64(c) - per) / per
				}
				if bound := chiBound(p.n - 1); p.n > 1 && chiUnit > bound {
					t.Errorf("population %d: unit chi-square %.1f > %.1f, units not uniform", k, chiUnit, bound)
				}
			}
			if bound := chiBound(dfPop); chiPop > bound {
				t.Errorf("population chi-square %.1f > %.1f with %d df", chiPop, bound, dfPop)
			}
		})
	}
}

// TestRunContextCancel checks that a cancelled context stops Run before
// the next batch and that the steps taken so far count.
func TestRunContextCancel(t *testing.T) {
	t.Parallel()
	nw, _, _ := twoPops(t, 10, 10)
	mustInit(t, nw, binarynet.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := nw.RunContext(ctx, 100, 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("RunContext with a cancelled context: %v, want context.Canceled", err)
	}
	if nw.Steps() != 0 {
		t.Fatalf("%d steps taken after cancellation, want 0", nw.Steps())
	}
	if err := nw.RunContext(context.Background(), 100, 10); err != nil || nw.Steps() != 100 {
		t.Fatalf("RunContext: %v, %d steps", err, nw.Steps())
	}
}

// TestAutoWeightMode checks that WeightAuto picks dense storage when the
// matrix takes at most 60 % of the budget and sparse otherwise, quietly,
// and that Options reports the choice.
func TestAutoWeightMode(t *testing.T) {
	t.Parallel()
	// 1000 units in float32: 4e6 bytes. 60 % of the budget is the limit.
	const dense = 1000 * 1000 * 4
	for _, tc := range []struct {
		budgetBytes float64
		want        binarynet.WeightMode
	}{
		{dense / 0.6 * 1.01, binarynet.WeightDense},
		{dense / 0.6 * 0.99, binarynet.WeightSparse},
	} {
		nw, a, _ := twoPops(t, 500, 500)
		mustAdd(t, nw, binarynet.NewPairwiseBernoulliSynapse(a, a, 0.01, 1))
		mustInit(t, nw, binarynet.Options{RAMBudgetGB: tc.budgetBytes / (1 << 30)})
		if got := nw.Options().WeightMode; got != tc.want {
			t.Errorf("budget %.0f bytes: weight mode %v, want %v", tc.budgetBytes, got, tc.want)
		}
	}
}

// BenchmarkAddSynapse measures AddSynapse in networks of many
// populations: the population lookup is a map, so the time per call does
// not grow with the number of populations (it was a linear scan).
func BenchmarkAddSynapse(b *testing.B) {
	for _, q := range []int{10, 1000, 100_000} {
		b.Run(fmt.Sprintf("pops=%d", q), func(b *testing.B) {
			nw := binarynet.NewNetwork("many")
			pops := make([]*binarynet.BinaryNeuronPopulation, q)
			for k := range pops {
				pops[k] = &binarynet.BinaryNeuronPopulation{Name: "P", N: 1, Tau: 1}
				if err := nw.AddPopulation(pops[k]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				if err := nw.AddSynapse(binarynet.NewAllToAllSynapse(pops[q-1-k%q], pops[k%q], 1)); err != nil {
					b.Fatal(err)
				}
				k++
			}
		})
	}
}
