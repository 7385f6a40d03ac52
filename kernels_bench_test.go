package binarynet

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/binarynet/binarynet/internal/kernel"
)

// The benchmarks below measure the update kernels against floors taken in
// the same run:
//
//   - BenchmarkDenseFlip: one state change in dense mode (an axpy over one
//     column of N float32 weights) against "floor", a sequential read of
//     the same columns in the same order and nothing else, and against
//     "naive", the reference's loop (y[i] += delta*x[i], bounds-checked).
//   - BenchmarkSparseFlip: one state change in sparse mode ("kernel", the
//     gap-coded copy when the network has one; "kernel+prefetch", the same
//     while prefetching the next column of the sequence, as Run does;
//     "csc", the kernel over the CSC arrays; "kernel-hot", the kernel
//     over 8 columns that stay in cache) against "scatter", a bare
//     scatter-add of a constant over the same CSC index arrays, and
//     "naive", the reference's loop over indptr, indices and data.
//   - BenchmarkScatterByFieldSize: the gap-coded scatter of one column of
//     1,234 additions into fields of growing size, with the column in
//     cache: what the scatter costs when the field fits in the first-level
//     cache and when it does not.
//   - BenchmarkRun: whole update steps (selection, threshold, flip), with
//     allocations per Run call.
//
// Each sub-benchmark reports ns/flip or ns/update, and MB/s of weight data
// for the flip kernels. Compare the variants of one size within one run:
//
//	go test -run '^$' -bench 'Flip|Run' -count 6 | tee new.txt
//	benchstat new.txt

// benchSink keeps results alive so that the compiler cannot drop the
// floor loops.
var benchSink uint64

// benchEngine builds a float32 network of n units, 80 % excitatory and
// 20 % inhibitory, where every unit receives about k inputs (k*0.8 from E,
// k*0.2 from I), with the weights and thresholds of the benchmark
// scenarios: J = 1/sqrt(K_E), thresholds that include the external drive.
// Dense mode draws pairwise Bernoulli connections with p = k/n, sparse mode
// fixed indegrees.
func benchEngine(b testing.TB, mode WeightMode, n, k int) (*Network, *engine[float32]) {
	return benchEngineGain(b, mode, n, k, nil)
}

// benchEngineGain is benchEngine with the given gain for both populations
// (nil: threshold units).
func benchEngineGain(b testing.TB, mode WeightMode, n, k int, gain Gain) (*Network, *engine[float32]) {
	b.Helper()
	return benchEngineTimed(b, mode, n, k, gain, false)
}

// benchEngineTimed is benchEngineGain with Options.ContinuousTime set to
// continuous.
func benchEngineTimed(b testing.TB, mode WeightMode, n, k int, gain Gain, continuous bool) (*Network, *engine[float32]) {
	b.Helper()
	nw := benchNetwork(b, mode, n, k, gain)
	if err := nw.Initialize(Options{WeightMode: mode, Seed: 1, ContinuousTime: continuous}); err != nil {
		b.Fatal(err)
	}
	return nw, nw.num.(*engine[float32])
}

// benchNetwork returns the network of benchEngineGain, uninitialized.
func benchNetwork(b testing.TB, mode WeightMode, n, k int, gain Gain) *Network {
	b.Helper()
	nE := n * 4 / 5
	kE := 0.8 * float64(k)
	sq := math.Sqrt(kE)
	e := &BinaryNeuronPopulation{Name: "E", N: nE, Tau: 10, Threshold: 1 - 0.1*sq, Gain: gain}
	i := &BinaryNeuronPopulation{Name: "I", N: n - nE, Tau: 5, Threshold: 0.7 - 0.08*sq, Gain: gain}
	nw := NewNetwork("bench")
	for _, p := range []Population{e, i} {
		if err := nw.AddPopulation(p); err != nil {
			b.Fatal(err)
		}
	}
	p := float64(k) / float64(n)
	for _, s := range []struct {
		pre, post *BinaryNeuronPopulation
		j         float64
	}{{e, e, 1 / sq}, {i, e, -8 / sq}, {e, i, 1 / sq}, {i, i, -7.2 / sq}} {
		var syn Synapse = NewFixedIndegreeSynapse(s.pre, s.post, p, s.j)
		if mode == WeightDense {
			syn = NewPairwiseBernoulliSynapse(s.pre, s.post, p, s.j)
		}
		if err := nw.AddSynapse(syn); err != nil {
			b.Fatal(err)
		}
	}
	return nw
}

// flipSequence returns a fixed pseudo-random sequence of units and deltas
// (±1), long enough that the columns it touches do not stay in cache.
func flipSequence(n int) ([]int, []int8) {
	rng := rand.New(rand.NewPCG(7, 7))
	units := make([]int, 1<<14)
	deltas := make([]int8, len(units))
	for i := range units {
		units[i] = rng.IntN(n)
		deltas[i] = int8(2*rng.IntN(2) - 1)
	}
	return units, deltas
}

// readColumn is the streaming-read floor: it reads every byte of x once,
// 8 bytes per load with 4 independent accumulators, and does nothing else.
func readColumn(x []float32) uint64 {
	if len(x) == 0 {
		return 0
	}
	w := unsafe.Slice((*uint64)(unsafe.Pointer(&x[0])), len(x)/2)
	var s0, s1, s2, s3 uint64
	for len(w) >= 4 {
		s0 |= w[0]
		s1 |= w[1]
		s2 |= w[2]
		s3 |= w[3]
		w = w[4:]
	}
	for _, v := range w {
		s0 |= v
	}
	if len(x)%2 == 1 {
		s1 |= uint64(math.Float32bits(x[len(x)-1]))
	}
	return s0 | s1 | s2 | s3
}

// naiveAxpy is the reference's dense loop: y[i] += delta*x[i].
func naiveAxpy(delta int8, x, y []float32) {
	for i := range x {
		y[i] += float32(delta) * x[i]
	}
}

func BenchmarkDenseFlip(b *testing.B) {
	for _, size := range []struct{ n, k int }{{1000, 200}, {5000, 1000}, {10000, 2000}} {
		b.Run(fmt.Sprintf("N=%d/K=%d", size.n, size.k), func(b *testing.B) {
			_, e := benchEngine(b, WeightDense, size.n, size.k)
			units, deltas := flipSequence(size.n)
			n := len(e.state)
			variants := []struct {
				name string
				flip func(u int, d int8)
			}{
				{"kernel", e.flip},
				{"naive", func(u int, d int8) { naiveAxpy(d, e.dense[u*n:(u+1)*n], e.field) }},
				{"floor", func(u int, _ int8) { benchSink += readColumn(e.dense[u*n : (u+1)*n]) }},
			}
			for _, v := range variants {
				b.Run(v.name, func(b *testing.B) {
					b.ReportAllocs()
					b.SetBytes(int64(n) * 4)
					i := 0
					for b.Loop() {
						v.flip(units[i], deltas[i])
						i = (i + 1) & (len(units) - 1)
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/flip")
				})
			}
		})
	}
}

// naiveScatter is the reference's sparse loop over indptr, indices and
// data.
func naiveScatter(delta int8, u int, indptr []int64, rows []int32, vals []float32, y []float32) {
	for p := indptr[u]; p < indptr[u+1]; p++ {
		y[rows[p]] += float32(delta) * vals[p]
	}
}

// bareScatter is the sparse floor: y[r] += c over the given indices, with
// no weight values to read.
func bareScatter(c float32, rows []int32, y []float32) {
	for _, r := range rows {
		y[r] += c
	}
}

func BenchmarkSparseFlip(b *testing.B) {
	for _, size := range []struct{ n, k int }{{10000, 100}, {50000, 1250}, {200000, 1000}} {
		b.Run(fmt.Sprintf("N=%d/K=%d", size.n, size.k), func(b *testing.B) {
			_, e := benchEngine(b, WeightSparse, size.n, size.k)
			units, deltas := flipSequence(size.n)
			m := e.sparse
			m.materialize(1) // for the CSC variants, which read an array of values
			cols := m.nnz() / int64(size.n)
			if e.kern == nil {
				b.Fatal("no gap-coded copy")
			}
			variants := []struct {
				name string
				flip func(u int, d int8)
			}{
				{"kernel", e.flip},
				{"kernel+prefetch", nil},
				// The kernel over 8 columns only, which stay in cache: the
				// cost of the scatter into the field alone.
				{"kernel-hot", func(u int, d int8) { e.flip(u&7, d) }},
				{"csc", func(u int, d int8) {
					lo, hi := m.indptr[u], m.indptr[u+1]
					sign := uint32(0)
					if d < 0 {
						sign = 1 << 31
					}
					kernel.ScatterAdd32(sign, m.rows[lo:hi], m.vals[lo:hi], e.field, nil, nil, 0)
				}},
				{"naive", func(u int, d int8) { naiveScatter(d, u, m.indptr, m.rows, m.vals, e.field) }},
				{"scatter", func(u int, d int8) {
					bareScatter(float32(d)*0x1p-10, m.rows[m.indptr[u]:m.indptr[u+1]], e.field)
				}},
			}
			for _, v := range variants {
				b.Run(v.name, func(b *testing.B) {
					b.ReportAllocs()
					b.SetBytes(cols * 8)
					i := 0
					for b.Loop() {
						j := (i + 1) & (len(units) - 1)
						if v.flip == nil {
							e.flipAhead(units[i], deltas[i], units[j])
						} else {
							v.flip(units[i], deltas[i])
						}
						i = j
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/flip")
				})
			}
		})
	}
}

func BenchmarkScatterByFieldSize(b *testing.B) {
	const k, cols = 1234, 8
	for _, n := range []int{8192, 12288, 16384, 50000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			var gaps [cols][]uint16
			for c := range gaps {
				prev := -1
				rows := rng.Perm(n)[:k]
				slices.Sort(rows)
				for _, r := range rows {
					gaps[c] = append(gaps[c], uint16(r-prev))
					prev = r
				}
			}
			y := make([]float32, n)
			runs, vals := []int32{k}, []float32{0x1p-10}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				kernel.ScatterGaps16(0, gaps[i%cols], runs, vals, y, nil, 0)
				i++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*k), "ns/addition")
		})
	}
}

// BenchmarkRun measures whole update steps: one op is one Run call of
// runSteps updates in batches of 1000, and allocs/op must be 0.
func BenchmarkRun(b *testing.B) {
	const runSteps = 10000
	for _, c := range []struct {
		mode WeightMode
		n, k int
	}{
		{WeightDense, 1000, 200},
		{WeightDense, 5000, 1000},
		{WeightSparse, 10000, 100},
		{WeightSparse, 50000, 1250},
	} {
		b.Run(fmt.Sprintf("%s/N=%d/K=%d", c.mode, c.n, c.k), func(b *testing.B) {
			nw, _ := benchEngine(b, c.mode, c.n, c.k)
			benchRunSteps(b, nw, 20*c.n, runSteps)
		})
	}
}

// benchRunSteps warms nw up for warmup steps (to the stationary state),
// then times Run calls of steps updates in batches of 1000, reporting
// allocations and ns per update.
func benchRunSteps(b *testing.B, nw *Network, warmup, steps int) {
	b.Helper()
	if err := nw.Run(warmup, 1000); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := nw.Run(steps, 1000); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*steps), "ns/update")
}
