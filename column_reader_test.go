package binarynet

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGapCodedRowsFallback checks the two kernels of a matrix whose build
// kept its rows as gap codes: with the gap-coded copy (the matrix's own
// codes) and, when the budget leaves no room for its runs, with the CSC
// kernel over the rows and values written out. Both must give
// bit-identical fields for the same states.
func TestGapCodedRowsFallback(t *testing.T) {
	const n = 5000
	blocks := []block{
		{index: 0, rule: indegreeRule{p: 0.05, j: 0.3, multapses: true}, preStart: 0, preEnd: 4000, postStart: 0, postEnd: n},
		{index: 1, rule: indegreeRule{p: 0.05, j: -1.1, multapses: true}, preStart: 4000, preEnd: n, postStart: 0, postEnd: n},
	}
	l := newLayout(blocks, true)
	state := make([]int8, n)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range state {
		state[i] = int8(rng.IntN(2))
	}
	var fields [2][]float32
	for i, avail := range []float64{math.Inf(1), 0} {
		t.Run(fmt.Sprintf("avail=%g", avail), func(t *testing.T) {
			m, _, err := buildCSC[float32](l, n, 2, 7, 12)
			if err != nil {
				t.Fatal(err)
			}
			if m.gaps == nil || m.rows != nil || m.implied == nil {
				t.Fatalf("rows not kept as gap codes with implied values (%d codes, %d rows)", len(m.gaps), len(m.rows))
			}
			e := newEngine[float32](slices.Clone(state), make([]float64, n))
			e.sparse = m
			e.prepareKernel(2, avail)
			if copied := i == 0; (e.kern != nil) != copied || (m.rows != nil) == copied || (m.vals != nil) == copied {
				t.Fatalf("avail %g: kernel copy %v, %d rows, %d values", avail, e.kern != nil, len(m.rows), len(m.vals))
			}
			e.recomputeField()
			fields[i] = e.field
		})
	}
	if !slices.Equal(fields[0], fields[1]) {
		t.Error("the fields of the two kernels differ")
	}
}
