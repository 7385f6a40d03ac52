package binarynet

import (
	"runtime"
	"testing"
)

// TestGapColumnsFreed checks that gap-coded copies whose runs were mapped
// (about 10 MB here) are freed by cleanups once unreachable, and that this
// does not disturb a network that is still running.
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

// TestGapColumnsRunLimit checks the limit of one run per minRunLength
// entries at its edge, on one and several goroutines: a matrix with
// exactly nnz/minRunLength runs gets its copy, one with a run more does
// not, even when the runs in excess lie in columns the sample of
// runsClearlyShort does not read, so that writeRuns must stop.
func TestGapColumnsRunLimit(t *testing.T) {
	const cols, perCol = 20_000, 16
	// matrix has one run in every column, and 3 in extra columns that the
	// sample skips, from the last column down.
	matrix := func(extra int) *csc[float32] {
		m := &csc[float32]{indptr: make([]int64, cols+1)}
		for c := range cols {
			for i := range perCol {
				m.rows = append(m.rows, int32(3*i+c%3))
				m.vals = append(m.vals, 0.5)
			}
			m.indptr[c+1] = int64(len(m.rows))
		}
		for c := cols - 1; extra > 0; c-- {
			if c%runSample == 0 {
				continue
			}
			k := min(extra, 2) // extra runs in column c
			lo := m.indptr[c]
			m.vals[lo+4] = -1
			if k == 2 {
				m.vals[lo+5] = 0.5 // a third run
			} else {
				for i := lo + 5; i < m.indptr[c+1]; i++ {
					m.vals[i] = -1
				}
			}
			extra -= k
		}
		return m
	}
	limit := cols * perCol / minRunLength
	for _, tc := range []struct {
		name    string
		runs    int
		workers int
		want    bool
	}{
		{"at the limit, one goroutine", limit, 1, true},
		{"at the limit, four goroutines", limit, 4, true},
		{"one run more, one goroutine", limit + 1, 1, false},
		{"one run more, three goroutines", limit + 1, 3, false},
		{"far beyond the limit, two goroutines", limit + 10_000, 2, false},
	} {
		m := matrix(tc.runs - cols)
		if runsClearlyShort(m) {
			t.Fatalf("%s: the sample finds the runs clearly short", tc.name)
		}
		k := newGapColumns(m, tc.workers, 1<<40)
		if got := k != nil; got != tc.want {
			t.Fatalf("%s: copy made = %v, want %v", tc.name, got, tc.want)
		}
		if k == nil {
			continue
		}
		if got := len(k.runLen); got != tc.runs {
			t.Errorf("%s: %d runs, want %d", tc.name, got, tc.runs)
		}
		// Every column's runs cover its entries, and its codes are its gaps.
		for c := range cols {
			var sum int64
			for _, l := range k.runLen[k.runPtr[c]:k.runPtr[c+1]] {
				sum += int64(l)
			}
			if lo, hi := m.indptr[c], m.indptr[c+1]; sum != hi-lo {
				t.Fatalf("%s: column %d: runs cover %d entries, want %d", tc.name, c, sum, hi-lo)
			}
			prev := int32(-1)
			for i := m.indptr[c]; i < m.indptr[c+1]; i++ {
				if want := uint16(m.rows[i] - prev); k.gaps[i] != want {
					t.Fatalf("%s: column %d entry %d: code %d, want %d", tc.name, c, i, k.gaps[i], want)
				}
				prev = m.rows[i]
			}
		}
	}
}

// TestGapsLikelyLong checks the sample that lets the gap-coded copy skip
// writing one code per entry: a gap over gapSkip in a sampled column is
// seen, from -1 or between rows, one of gapSkip is not, nor one in a
// column the sample skips (the copy then finds it as it writes), and a
// matrix of at most gapSkip units has none.
func TestGapsLikelyLong(t *testing.T) {
	// matrix has n units and the given rows in column col, one row in
	// each other column.
	matrix := func(n, col int, rows ...int32) *csc[float32] {
		m := &csc[float32]{indptr: make([]int64, n+1)}
		for c := range n {
			if c == col {
				m.rows = append(m.rows, rows...)
			} else {
				m.rows = append(m.rows, int32(c%100))
			}
			m.indptr[c+1] = int64(len(m.rows))
		}
		m.vals = make([]float32, len(m.rows))
		return m
	}
	for _, tc := range []struct {
		name string
		m    *csc[float32]
		want bool
	}{
		{"gap of gapSkip+1 from -1, sampled", matrix(gapSkip+10, runSample, gapSkip), true},
		{"gap of gapSkip+1 between rows, sampled", matrix(gapSkip+10, 0, 3, gapSkip+4), true},
		{"gap of gapSkip, sampled", matrix(gapSkip+10, 0, 3, gapSkip+3), false},
		{"long gap in a skipped column", matrix(gapSkip+10, runSample+1, 0, gapSkip+5), false},
		{"at most gapSkip units", matrix(gapSkip, 0, gapSkip-1), false},
	} {
		if got := gapsLikelyLong(tc.m); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
