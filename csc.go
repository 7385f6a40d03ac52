package binarynet

import (
	"slices"
	"sync"

	"github.com/james-bowman/sparse"
	"gonum.org/v1/gonum/mat"
)

// csc is a square weight matrix in compressed sparse column form: the
// outgoing weights of unit c are vals[indptr[c]:indptr[c+1]] onto the rows
// (post units) rows[indptr[c]:indptr[c+1]]. A matrix built from blocks
// with one rule each has no array of values: implied gives them (see
// impliedValues). A matrix of at most gapSkip units whose build kept its
// samples may have no array of rows either: gaps holds them, one code per
// entry at the entry's position, the gap from the row before (the first
// from -1), which is the flip kernel's gap-coded copy as it is. Readers
// take rows and values column by column from a colReader; materialize
// writes the arrays out.
//
// Invariants: len(indptr) == n+1, indptr[0] == 0, indptr is
// non-decreasing, rows are strictly increasing within a column (so there
// are no duplicate entries), exactly one of rows and gaps is set, with
// length indptr[n] or more, and exactly one of vals and implied is set,
// with len(vals) == len(rows).
type csc[T float32 | float64] struct {
	indptr  []int64
	rows    []int32
	gaps    []uint16
	vals    []T
	implied *impliedValues[T]

	// decoded is the array of rows written out from gaps for the readers
	// that search a column (see rowArray).
	decoded struct {
		once sync.Once
		rows []int32
	}
}

// nnz returns the number of stored entries.
func (m *csc[T]) nnz() int64 { return m.indptr[len(m.indptr)-1] }

// sumDuplicates merges entries with the same row within each column of a
// matrix with an array of values, which sampling leaves adjacent, summing
// their values in stored order.
// Entries that sum to exactly zero are dropped. The columns are merged in
// ranges on the given number of goroutines, each range in place, and the
// ranges are then moved together.
func (m *csc[T]) sumDuplicates(workers int) {
	n := len(m.indptr) - 1
	type part struct {
		c0, c1 int
		kept   int64
	}
	parts := make([]part, max(1, min(workers, n/4096)))
	forRanges(n, len(parts), func(w, c0, c1 int) { parts[w] = part{c0, c1, m.mergeColumns(c0, c1)} })
	var out int64
	for _, p := range parts {
		start := m.indptr[p.c0]
		if shift := start - out; shift > 0 {
			copy(m.rows[out:], m.rows[start:start+p.kept])
			copy(m.vals[out:], m.vals[start:start+p.kept])
			for c := p.c0; c < p.c1; c++ {
				m.indptr[c] -= shift
			}
		}
		out += p.kept
	}
	m.indptr[n] = out
	m.rows, m.vals = m.rows[:out:out], m.vals[:out:out]
}

// mergeColumns merges the duplicate rows of columns [c0, c1) in place
// from the start of column c0, sets the new starts of the columns after
// c0 and returns the number of entries kept. It writes neither
// m.indptr[c0] nor m.indptr[c1], so that ranges side by side can be
// merged at once.
func (m *csc[T]) mergeColumns(c0, c1 int) int64 {
	start := m.indptr[c0]
	out, hi := start, start
	for c := c0; c < c1; c++ {
		lo := hi
		hi = m.indptr[c+1]
		if c > c0 {
			m.indptr[c] = out
		}
		for i := lo; i < hi; {
			row, sum := m.rows[i], m.vals[i]
			for i++; i < hi && m.rows[i] == row; i++ {
				sum += m.vals[i]
			}
			if sum != 0 {
				m.rows[out], m.vals[out] = row, sum
				out++
			}
		}
	}
	return out - start
}

// put writes the entry (row, v) at slot at of a column being filled, in a
// matrix with an array of values, and returns the next free slot. With
// merge, an entry whose row is that of the entry before it, at or after
// slot first (where the writer's part of the column begins), is added to
// that entry instead, in stored order, as sumDuplicates would add it.
func (m *csc[T]) put(at, first int64, row int32, v T, merge bool) int64 {
	if merge && at > first && m.rows[at-1] == row {
		m.vals[at-1] += v
		return at
	}
	m.rows[at], m.vals[at] = row, v
	return at + 1
}

// putRow is put for a matrix whose values are implied, into column col:
// it writes the row only, and with merge it counts an entry whose row is
// that of the entry before it as a further draw of that entry, in log.
func (m *csc[T]) putRow(at, first int64, col int, row int32, merge bool, log *repeatLog) int64 {
	if merge {
		if at > first && m.rows[at-1] == row {
			log.pending[col-log.base]++
			return at
		}
		log.settle(col, at-1-m.indptr[col])
	}
	m.rows[at] = row
	return at + 1
}

// checkCSC verifies the invariants of the csc type.
func checkCSC[T float32 | float64](m *csc[T], n int) error {
	if m.indptr[0] != 0 || m.indptr[n] != int64(len(m.rows)) {
		return checkpointError("sparse weights: indptr runs from %d to %d, want 0 to %d", m.indptr[0], m.indptr[n], len(m.rows))
	}
	for c := range n {
		lo, hi := m.indptr[c], m.indptr[c+1]
		if hi < lo {
			return checkpointError("sparse weights: indptr decreases at column %d", c)
		}
		prev := int32(-1)
		for k := lo; k < hi; k++ {
			r := m.rows[k]
			if r <= prev || int(r) >= n {
				return checkpointError("sparse weights: row %d in column %d is out of order or out of range", r, c)
			}
			prev = r
		}
	}
	return nil
}

// sparseMatrix is what a sparse input matrix offers: its non-zero entries
// and their number. *sparse.CSC, *sparse.CSR, *sparse.COO and *sparse.DOK
// implement it.
type sparseMatrix interface {
	mat.Matrix
	mat.NonZeroDoer
	NNZ() int
}

// forEachEntry calls fn for every entry of w that may be non-zero: the
// stored entries of a sparse matrix (duplicates included), all entries
// otherwise.
func forEachEntry(w mat.Matrix, fn func(i, j int, v float64)) {
	if sp, ok := w.(sparseMatrix); ok {
		sp.DoNonZero(fn)
		return
	}
	if d, ok := w.(*mat.Dense); ok {
		raw := d.RawMatrix()
		for i := range raw.Rows {
			for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
				fn(i, j, v)
			}
		}
		return
	}
	r, c := w.Dims()
	for i := range r {
		for j := range c {
			fn(i, j, w.At(i, j))
		}
	}
}

// cscFromMatrix converts w to a duplicate-free CSC with sorted rows:
// count per column, fill, sort each column, sum duplicates. Zeros are
// dropped.
func cscFromMatrix[T float32 | float64](w mat.Matrix, n int, check func(i, j int, v float64) bool) *csc[T] {
	indptr := make([]int64, n+1)
	forEachEntry(w, func(i, j int, v float64) {
		if v != 0 && check(i, j, v) {
			indptr[j+1]++
		}
	})
	for c := range n {
		indptr[c+1] += indptr[c]
	}
	m := &csc[T]{indptr: indptr, rows: make([]int32, indptr[n]), vals: make([]T, indptr[n])}
	cur := slices.Clone(indptr[:n])
	forEachEntry(w, func(i, j int, v float64) {
		if v != 0 && check(i, j, v) {
			m.rows[cur[j]], m.vals[cur[j]] = int32(i), T(v)
			cur[j]++
		}
	})
	type entry struct {
		row int32
		val T
	}
	var tmp []entry
	for c := range n {
		lo, hi := indptr[c], indptr[c+1]
		if slices.IsSorted(m.rows[lo:hi]) {
			continue
		}
		tmp = tmp[:0]
		for k := lo; k < hi; k++ {
			tmp = append(tmp, entry{m.rows[k], m.vals[k]})
		}
		slices.SortStableFunc(tmp, func(a, b entry) int { return int(a.row) - int(b.row) })
		for k, e := range tmp {
			m.rows[lo+int64(k)], m.vals[lo+int64(k)] = e.row, e.val
		}
	}
	m.sumDuplicates(1)
	return m
}

// toSparse returns a float64 copy of m as a *sparse.CSC, W[post, pre],
// with m's sorted, duplicate-free columns.
func (m *csc[T]) toSparse() *sparse.CSC {
	n := len(m.indptr) - 1
	nnz := m.nnz()
	indptr := make([]int, n+1)
	rows := make([]int, nnz)
	vals := make([]float64, nnz)
	for i, p := range m.indptr {
		indptr[i] = int(p)
	}
	r := m.columns()
	for c := range n {
		at := m.indptr[c]
		for k, row := range r.rows(c) {
			rows[at+int64(k)] = int(row)
		}
		for k, v := range r.vals(c) {
			vals[at+int64(k)] = float64(v)
		}
	}
	return sparse.NewCSC(n, n, indptr, rows, vals)
}
