package binarynet

import (
	"runtime"
	"testing"
)

// TestGapColumnsFreed checks that gap-coded copies whose codes were
// mapped (36 MB here) are freed by cleanups once unreachable, and that
// this does not disturb a network that is still running.
func TestGapColumnsFreed(t *testing.T) {
	for range 2 {
		nw, e := benchEngine(t, WeightSparse, 600_000, 30)
		if e.kern == nil {
			t.Fatal("no gap-coded copy")
		}
		for range 3 {
			runtime.GC()
			if err := nw.Run(20_000, 1000); err != nil {
				t.Fatal(err)
			}
		}
	}
	runtime.GC()
}

// TestRunsClearlyShort checks the sample that spares counting the runs of
// every column: columns whose values alternate (as Poisson multiplicities
// make them) are clearly short, columns of one value are not, and a matrix
// too small to sample is never judged from a sample.
func TestRunsClearlyShort(t *testing.T) {
	// runs of the given length in each of cols columns of 64 entries.
	matrix := func(cols, run int) *csc[float32] {
		m := &csc[float32]{indptr: make([]int64, cols+1)}
		for c := range cols {
			for i := range 64 {
				m.rows = append(m.rows, int32(i))
				m.vals = append(m.vals, float32(1+(i/run)%2))
			}
			m.indptr[c+1] = int64(len(m.rows))
		}
		return m
	}
	for _, c := range []struct {
		name      string
		cols, run int
		want      bool
	}{
		{"runs of 2", 4096, 2, true},
		{"runs of 6", 4096, 6, true},
		{"runs of 8", 4096, 8, false},
		{"one value", 4096, 64, false},
		{"too small to sample", 16*runSample - 1, 1, false},
	} {
		if got := runsClearlyShort(matrix(c.cols, c.run)); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
