package binarynet

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestImpliedValues builds matrices whose values are implied, keeping the
// samples or drawing them twice, with 1 and 3 workers, and checks them
// against the plain construction: the rows and values of colReader, for
// whole columns and for spans of them, and those written out
// (materialize). Each layout mixes a large block that never repeats with
// small blocks whose pairs are drawn several times each (a fixed indegree
// from 2 units, multapses on), so that the repeats' counts, their sums in
// stored order and their offsets are all exercised, while the repeats stay
// few enough for implied values to pay. The small network keeps its rows
// as gap codes when it keeps its samples; the one of more than gapSkip
// units keeps an array of rows.
func TestImpliedValues(t *testing.T) {
	t.Parallel()
	// Blocks with the same first post unit have the same last one, as
	// populations do, which sampleRows assumes.
	layouts := []struct {
		name   string
		n      int
		blocks []block
	}{
		{"gap-codes", 3100, []block{ // 4 column buckets and 4 row chunks
			{index: 0, rule: bernoulliRule{p: 0.15, layers: 1, j: 0.3}, preStart: 0, preEnd: 3000, postStart: 0, postEnd: 3000},
			{index: 1, rule: indegreeRule{p: 10, j: -0.7, multapses: true}, preStart: 3000, preEnd: 3002, postStart: 0, postEnd: 3000},
			{index: 2, rule: indegreeRule{p: 25, j: 0.1, multapses: true}, preStart: 3002, preEnd: 3004, postStart: 3000, postEnd: 3100},
			{index: 3, rule: poissonRule{rate: 0.01, j: 1.5}, preStart: 0, preEnd: 3000, postStart: 3000, postEnd: 3100},
		}},
		{"rows", 70000, []block{
			{index: 0, rule: bernoulliRule{p: 0.0001, layers: 1, j: 0.3}, preStart: 0, preEnd: 69000, postStart: 0, postEnd: 69000},
			{index: 1, rule: indegreeRule{p: 2, j: -0.7, multapses: true}, preStart: 69000, preEnd: 69002, postStart: 69000, postEnd: 70000},
			{index: 2, rule: poissonRule{rate: 0.00005, j: 1.5}, preStart: 0, preEnd: 69000, postStart: 69000, postEnd: 70000},
		}},
	}
	for _, lt := range layouts {
		t.Run(lt.name, func(t *testing.T) { testImpliedValues(t, lt.n, lt.blocks) })
	}
}

func testImpliedValues(t *testing.T, n int, blocks []block) {
	l := newLayout(blocks, true)
	if !impliedPays(l.expected, l.repeats) {
		t.Fatalf("repeats bound %g of %g entries: implied values would not be used", l.repeats, l.expected)
	}
	want := referenceCSC[float32](t, blocks, n, 5)
	for _, workers := range []int{1, 3} {
		for _, budget := range []float64{1e-6, 12} { // draw twice, keep
			t.Run(fmt.Sprintf("workers=%d/budget=%g", workers, budget), func(t *testing.T) {
				got, _, err := buildCSC[float32](l, n, workers, 5, budget)
				if err != nil {
					t.Fatal(err)
				}
				if got.vals != nil || got.implied == nil || len(got.implied.reps) == 0 {
					t.Fatalf("values not implied, or no repeats recorded (vals %d, implied %v)", len(got.vals), got.implied != nil)
				}
				// A build that keeps its samples keeps the rows as gap
				// codes when n <= gapSkip; otherwise, as an array.
				if codes := budget > 1 && n <= gapSkip; (got.gaps != nil) != codes || (got.rows != nil) == codes {
					t.Fatalf("budget %g: %d gap codes and %d rows", budget, len(got.gaps), len(got.rows))
				}
				if !slices.Equal(got.indptr, want.indptr) {
					t.Fatalf("column pointers differ from the reference construction (nnz %d, want %d)", got.nnz(), want.nnz())
				}
				r := got.columns()
				rng := rand.New(rand.NewPCG(1, 2))
				for c := range n {
					lo, hi := want.indptr[c], want.indptr[c+1]
					if rows := r.rows(c); !slices.Equal(rows, want.rows[lo:hi]) {
						k := firstDifference(rows, want.rows[lo:hi])
						t.Fatalf("column %d, entry %d of %d: row %d, want %d", c, k, hi-lo, rows[k], want.rows[lo+int64(k)])
					}
					if v := r.vals(c); !slices.Equal(v, want.vals[lo:hi]) {
						k := firstDifference(v, want.vals[lo:hi])
						t.Fatalf("column %d, entry %d of %d (row %d): value %g, want %g", c, k, hi-lo, want.rows[lo+int64(k)], v[k], want.vals[lo+int64(k)])
					}
					if hi == lo {
						continue
					}
					k0 := rng.IntN(int(hi - lo))
					k1 := k0 + rng.IntN(int(hi-lo)-k0+1)
					if v := r.valSpan(c, k0, k1); !slices.Equal(v, want.vals[lo+int64(k0):lo+int64(k1)]) {
						k := firstDifference(v, want.vals[lo+int64(k0):lo+int64(k1)])
						t.Fatalf("column %d, entries %d to %d: value %g at %d, want %g", c, k0, k1, v[k], k0+k, want.vals[lo+int64(k0+k)])
					}
				}
				got.materialize(workers)
				if got.implied != nil || got.gaps != nil || !slices.Equal(got.rows, want.rows) || !slices.Equal(got.vals, want.vals) {
					t.Fatal("materialized rows or values differ from the reference construction")
				}
			})
		}
	}
}

// firstDifference returns the first index where a and b, of the same
// length, differ.
func firstDifference[E comparable](a, b []E) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return len(a)
}

// TestImpliedPays checks the choice of implied values against the bound on
// repeats: networks that never repeat and sparse ones with multapses use
// them, dense Poisson blocks do not.
func TestImpliedPays(t *testing.T) {
	tests := []struct {
		name  string
		rule  synapseRule
		nPre  int
		nPost int
		want  bool
	}{
		{"bernoulli", bernoulliRule{p: 0.5, layers: 1, j: 1}, 1000, 1000, true},
		{"indegree-1-in-40", indegreeRule{p: 0.025, j: 1, multapses: true}, 40000, 40000, true},
		{"indegree-1-in-10", indegreeRule{p: 0.1, j: 1, multapses: true}, 4000, 4000, false},
		{"poisson-0.2", poissonRule{rate: 0.2, j: 1}, 8000, 8000, false},
		{"poisson-0.01", poissonRule{rate: 0.01, j: 1}, 8000, 8000, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLayout([]block{{rule: tc.rule, preEnd: tc.nPre, postEnd: tc.nPost}}, ruleMayRepeat(tc.rule))
			if got := impliedPays(l.expected, l.repeats); got != tc.want {
				t.Errorf("impliedPays(%g, %g) = %v, want %v", l.expected, l.repeats, got, tc.want)
			}
		})
	}
}

// TestRepeatBound checks the bound on the expected number of pairs drawn
// more than once against drawn blocks of weight 1, whose values count the
// draws of each pair: the pairs with a value of 2 or more must be no more
// than the bound plus 4 standard deviations of a Poisson count, and, the
// bound being close for these rates, at least 0.7 of it.
func TestRepeatBound(t *testing.T) {
	tests := []struct {
		name        string
		rule        synapseRule
		nPre, nPost int
		exclude     bool
	}{
		{"indegree", indegreeRule{p: 0.2, j: 1, multapses: true}, 200, 400, false},
		{"indegree-exclude-self", indegreeRule{p: 0.2, j: 1, multapses: true}, 300, 300, true},
		{"poisson", poissonRule{rate: 0.1, j: 1}, 200, 400, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := max(tc.nPre, tc.nPost)
			blocks := []block{{rule: tc.rule, preEnd: tc.nPre, postEnd: tc.nPost, exclude: tc.exclude}}
			m := referenceCSC[float32](t, blocks, n, 3)
			var repeated float64
			for _, v := range m.vals {
				if v >= 2 {
					repeated++
				}
			}
			draws := tc.rule.expected(tc.nPre, tc.nPost)
			bound := repeatBound(draws, tc.nPre, tc.nPost)
			if repeated > bound+4*math.Sqrt(bound) || repeated < 0.7*bound {
				t.Errorf("%g pairs drawn more than once, bound %g", repeated, bound)
			}
		})
	}
}
