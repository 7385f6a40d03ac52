package binarynet

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/binarynet/binarynet/internal/kernel"
)

// TestIntNMatchesRand checks that intN and uniform01, which call a PCG
// directly, return exactly what rand.Rand's IntN and Float64 return from
// the same stream: the networks drawn for a seed must not depend on them.
func TestIntNMatchesRand(t *testing.T) {
	t.Parallel()
	ns := []int{1, 2, 3, 5, 7, 64, 1000, 1 << 20, 40_000, 1<<31 - 1}
	if math.MaxInt > math.MaxInt32 { // 64-bit int: sizes beyond 32 bits too
		for _, big := range []uint64{1<<31 + 5, 1 << 40, 3 << 60} {
			ns = append(ns, int(big))
		}
	}
	for _, n := range ns {
		a, b := rand.NewPCG(1, uint64(n)), rand.NewPCG(1, uint64(n))
		r := rand.New(b)
		for i := range 2000 {
			if got, want := intN(a, n), r.IntN(n); got != want {
				t.Fatalf("n=%d draw %d: intN = %d, rand.IntN = %d", n, i, got, want)
			}
			if got, want := uniform01(a), r.Float64(); got != want {
				t.Fatalf("n=%d draw %d: uniform01 = %v, rand.Float64 = %v", n, i, got, want)
			}
		}
	}
}

// referenceCSC builds the matrix of the given blocks the plain way: every
// connection as a (row, col, value) triple in drawing order, a stable sort
// by column and then row, duplicates summed in order and zero sums dropped.
// It is the specification buildCSC must meet bit for bit.
func referenceCSC[T float32 | float64](t *testing.T, blocks []block, n int, seed uint64) *csc[T] {
	t.Helper()
	samplers, err := newSamplers(blocks)
	if err != nil {
		t.Fatal(err)
	}
	type triple struct {
		row, col int32
		val      T
	}
	var all []triple
	sampleRows(blocks, samplers, seed, 0, n, func(row int, pre []int32, preStart int, j float64, _ int) {
		for _, c := range pre {
			all = append(all, triple{int32(row), c + int32(preStart), T(j)})
		}
	})
	slices.SortStableFunc(all, func(a, b triple) int {
		return cmp.Or(cmp.Compare(a.col, b.col), cmp.Compare(a.row, b.row))
	})
	m := &csc[T]{indptr: make([]int64, n+1)}
	for i := 0; i < len(all); {
		e := all[i]
		sum := e.val
		for i++; i < len(all) && all[i].row == e.row && all[i].col == e.col; i++ {
			sum += all[i].val
		}
		if sum != 0 {
			m.rows = append(m.rows, e.row)
			m.vals = append(m.vals, sum)
			m.indptr[e.col+1]++
		}
	}
	for c := range n {
		m.indptr[c+1] += m.indptr[c]
	}
	return m
}

// TestBuildCSCMatchesReference builds networks of several rules with the
// staged two-pass build, keeping the samples or drawing them twice, with
// 1 to 3 workers, and compares them with the plain construction.
func TestBuildCSCMatchesReference(t *testing.T) {
	t.Parallel()
	const n = 3100 // 4 column buckets of the fill stage and 4 row chunks
	nE := 2300
	rules := map[string][]synapseRule{
		"bernoulli":         {bernoulliRule{p: 0.04, layers: 1, j: 0.5}},
		"layers":            {bernoulliRule{p: 0.03, layers: 2, j: 0.1}},
		"indegree":          {indegreeRule{p: 0.05, j: -0.3, multapses: true}},
		"indegree-distinct": {indegreeRule{p: 0.05, j: 0.7}},
		"poisson":           {poissonRule{rate: 0.02, j: 0.25}},
		"two-rules-cancel":  {bernoulliRule{p: 0.05, layers: 1, j: 0.5}, bernoulliRule{p: 0.05, layers: 1, j: -0.5}},
	}
	for name, rs := range rules {
		for _, exclude := range []bool{false, true} {
			var blocks []block
			for _, r := range rs {
				// Every rule on both diagonal blocks and one off-diagonal block.
				for _, pp := range [][4]int{{0, nE, 0, nE}, {nE, n, nE, n}, {0, nE, nE, n}} {
					blocks = append(blocks, block{index: len(blocks), rule: r,
						preStart: pp[0], preEnd: pp[1], postStart: pp[2], postEnd: pp[3],
						exclude: exclude && pp[0] == pp[2]})
				}
			}
			want := referenceCSC[float32](t, blocks, n, 9)
			for _, workers := range []int{1, 3} {
				for _, budget := range []float64{1e-6, 12} { // draw twice, keep
					t.Run(fmt.Sprintf("%s/exclude=%v/workers=%d/budget=%g", name, exclude, workers, budget), func(t *testing.T) {
						got, _, err := buildCSC[float32](newLayout(blocks, true), n, workers, 9, budget)
						if err != nil {
							t.Fatal(err)
						}
						got.materialize(workers)
						if !slices.Equal(got.indptr, want.indptr) || !slices.Equal(got.rows, want.rows) || !slices.Equal(got.vals, want.vals) {
							t.Errorf("buildCSC differs from the reference construction (nnz %d, want %d)", got.nnz(), want.nnz())
						}
					})
				}
			}
		}
	}
}

// TestKeepSamples checks the choice between keeping the samples and
// drawing them twice.
func TestKeepSamples(t *testing.T) {
	t.Parallel()
	blocks := []block{{rule: indegreeRule{p: 0.001, j: 1, multapses: true}, preEnd: 1_000_000, postEnd: 1_000_000}}
	// 1e9 entries: 4 GB of samples is more than a quarter of 12 GiB.
	if keep, _ := keepSamples(newLayout(blocks, false), 1_000_000, 2, 12); keep {
		t.Error("keepSamples keeps 1e9 samples with a 12 GiB budget")
	}
	if keep, chunk := keepSamples(newLayout(blocks, false), 1_000_000, 2, 64); !keep || chunk != maxSampleChunk {
		t.Errorf("keepSamples with 64 GiB = %v, %d; want true, %d", keep, chunk, maxSampleChunk)
	}
	small := []block{{rule: bernoulliRule{p: 0.1, layers: 1, j: 1}, preEnd: 100, postEnd: 100}}
	if keep, chunk := keepSamples(newLayout(small, false), 100, 2, 12); !keep || chunk != minSampleChunk {
		t.Errorf("keepSamples of 1000 entries = %v, %d; want true, %d", keep, chunk, minSampleChunk)
	}
}

// TestGapColumnsMatchCSC checks that the gap-coded kernel adds exactly
// what the CSC kernel adds, for float32 (assembly on amd64) and float64,
// for networks with and without gaps longer than one code, built on one
// and on several goroutines.
func TestGapColumnsMatchCSC(t *testing.T) {
	t.Parallel()
	t.Run("float32", func(t *testing.T) { testGapColumns[float32](t) })
	t.Run("float64", func(t *testing.T) { testGapColumns[float64](t) })
}

func testGapColumns[T float32 | float64](t *testing.T) {
	// A matrix of n units with about perCol entries in every column c
	// with c%every == 0, in rows drawn from the first and the last span
	// rows, plus rows 0 and n-1 in every seventh of them (for the longest
	// gaps), and mostly one value.
	build := func(n, perCol, every, span int, seed uint64) *csc[T] {
		rng := rand.New(rand.NewPCG(seed, 1))
		m := &csc[T]{indptr: make([]int64, n+1)}
		for c := range n {
			rows := map[int32]bool{}
			for range perCol {
				if c%every == 0 {
					r := rng.IntN(span)
					if rng.IntN(2) == 1 {
						r = n - 1 - r
					}
					rows[int32(r)] = true
				}
			}
			if c%(7*every) == 0 {
				rows[0], rows[int32(n-1)] = true, true
			}
			sorted := make([]int32, 0, len(rows))
			for r := range rows {
				sorted = append(sorted, r)
			}
			slices.Sort(sorted)
			for i, r := range sorted {
				v := T(0.25) // mostly one value, as the generators give
				if i%40 == 5 {
					v = T(-0.1) * T(1+rng.IntN(3))
				}
				m.rows = append(m.rows, r)
				m.vals = append(m.vals, v)
			}
			m.indptr[c+1] = int64(len(m.rows))
		}
		return m
	}
	for _, tc := range []struct{ n, perCol, every, span, workers int }{
		{300, 100, 1, 300, 1},
		{20_000, 30, 1, 20_000, 3},   // one code per entry, several goroutines
		{200_000, 60, 50, 50_000, 2}, // gaps beyond 65535: escape codes
		{70_000, 60, 10, 35_000, 1},  // gaps of one code, rows beyond 65535
		{gapSkip, 60, 10, 100, 2},    // the most units for which no gap is read: row n-1 is a gap of n from -1
	} {
		m := build(tc.n, tc.perCol, tc.every, tc.span, uint64(tc.n))
		k := newGapColumns(m, tc.workers, 1<<40)
		if k == nil {
			t.Fatalf("n=%d: no gap-coded copy", tc.n)
		}
		a, b := make([]T, tc.n), make([]T, tc.n)
		rng := rand.New(rand.NewPCG(5, 5))
		for i := range 3000 {
			u := rng.IntN(tc.n)
			if i%5 == 0 {
				u = 0 // a column holding row n-1
			}
			delta := int8(2*rng.IntN(2) - 1)
			lo, hi := m.indptr[u], m.indptr[u+1]
			kernel.ScatterAdd(delta, m.rows[lo:hi], m.vals[lo:hi], a)
			k.flip(u, delta, b, -1)
		}
		for i := range a {
			if a[i] != b[i] || math.Signbit(float64(a[i])) != math.Signbit(float64(b[i])) {
				t.Fatalf("n=%d: field[%d] = %v by the gap kernel, %v by the CSC kernel", tc.n, i, b[i], a[i])
			}
		}
	}
	// Gaps of gapSkip+1, the shortest that take two codes: from -1 in
	// column 1, between two rows in column 2; column 0 holds a long run.
	n := gapSkip + 2
	m := &csc[T]{indptr: make([]int64, n+1)}
	for r := range int32(100) {
		m.rows, m.vals = append(m.rows, r), append(m.vals, 1)
	}
	m.rows, m.vals = append(m.rows, gapSkip, 0, gapSkip+1), append(m.vals, 1, 2, 2)
	m.indptr[1], m.indptr[2] = 100, 101
	for c := 3; c <= n; c++ {
		m.indptr[c] = int64(len(m.rows))
	}
	k := newGapColumns(m, 2, 1<<40)
	if k == nil {
		t.Fatal("gaps of gapSkip+1: no gap-coded copy")
	}
	for u := range 3 {
		a, b := make([]T, n), make([]T, n)
		lo, hi := m.indptr[u], m.indptr[u+1]
		kernel.ScatterAdd(1, m.rows[lo:hi], m.vals[lo:hi], a)
		k.flip(u, 1, b, -1)
		if !slices.Equal(a, b) {
			t.Fatalf("gaps of gapSkip+1: column %d adds differently in the gap kernel", u)
		}
	}
	// Values that change at every entry: runs too short, no copy.
	m = build(1000, 30, 1, 1000, 1)
	for i := range m.vals {
		m.vals[i] = T(i%3) + 1
	}
	if newGapColumns(m, 1, 1<<40) != nil {
		t.Error("copy made for runs of length 1")
	}
	// No room: no copy.
	if newGapColumns(build(1000, 30, 1, 1000, 2), 1, 100) != nil {
		t.Error("copy made with a budget of 100 bytes")
	}
}
