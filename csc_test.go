package binarynet

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSumDuplicatesParallel merges the duplicate rows of a matrix with
// multapses, empty columns and entries that cancel, on 1 to 4 goroutines,
// and checks every result against a merge written out column by column.
func TestSumDuplicatesParallel(t *testing.T) {
	const n = 4 * 4096 // enough columns for 4 ranges
	rng := rand.New(rand.NewPCG(9, 10))
	m := &csc[float32]{indptr: make([]int64, n+1)}
	for c := range n {
		if c%97 != 0 { // every 97th column is empty
			for r := int32(0); r < 40; r += int32(1 + rng.IntN(4)) {
				for range 1 + rng.IntN(3)/2 { // a multapse now and then
					v := float32(1 + rng.IntN(2))
					if rng.IntN(50) == 0 {
						// a pair that cancels: the entry is dropped
						m.rows, m.vals = append(m.rows, r), append(m.vals, -v)
					}
					m.rows, m.vals = append(m.rows, r), append(m.vals, v)
				}
			}
		}
		m.indptr[c+1] = int64(len(m.rows))
	}
	// The merge, column by column.
	want := &csc[float32]{indptr: make([]int64, n+1)}
	for c := range n {
		for i := m.indptr[c]; i < m.indptr[c+1]; {
			row, sum := m.rows[i], m.vals[i]
			for i++; i < m.indptr[c+1] && m.rows[i] == row; i++ {
				sum += m.vals[i]
			}
			if sum != 0 {
				want.rows, want.vals = append(want.rows, row), append(want.vals, sum)
			}
		}
		want.indptr[c+1] = int64(len(want.rows))
	}
	if len(want.rows) == len(m.rows) {
		t.Fatal("the matrix has no duplicates to merge")
	}
	for workers := 1; workers <= 4; workers++ {
		got := &csc[float32]{indptr: slices.Clone(m.indptr), rows: slices.Clone(m.rows), vals: slices.Clone(m.vals)}
		got.sumDuplicates(workers)
		if !slices.Equal(got.indptr, want.indptr) || !slices.Equal(got.rows, want.rows) || !slices.Equal(got.vals, want.vals) {
			t.Errorf("%d workers: the merged matrix differs", workers)
		}
		if err := checkCSC(got, n); err != nil {
			t.Errorf("%d workers: %v", workers, err)
		}
	}
}
