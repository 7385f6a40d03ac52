package binarynet

import (
	"slices"

	"github.com/binarynet/binarynet/internal/kernel"
)

// colReader hands out the rows and values of a sparse matrix's columns one
// at a time: slices of its arrays, or, for rows kept as gap codes or
// values that are implied, buffers of its own that each call overwrites.
// A colReader is for one goroutine.
type colReader[T float32 | float64] struct {
	m      *csc[T]
	rbuf   []int32
	rbufOf int // the column decoded into rbuf, -1 for none
	vbuf   []T
}

// columns returns a reader of m's columns.
func (m *csc[T]) columns() *colReader[T] { return &colReader[T]{m: m, rbufOf: -1} }

// rows returns the rows of column c, valid until the next call of rows
// for another column. A column kept as gap codes is decoded once for
// consecutive calls, so that vals and then rows of one column decode it
// once.
func (r *colReader[T]) rows(c int) []int32 {
	m := r.m
	lo, hi := m.indptr[c], m.indptr[c+1]
	if m.rows != nil {
		return m.rows[lo:hi]
	}
	if r.rbufOf != c {
		r.rbuf = slices.Grow(r.rbuf[:0], int(hi-lo))[:hi-lo]
		decodeGaps(r.rbuf, m.gaps[lo:hi])
		r.rbufOf = c
	}
	return r.rbuf
}

// vals returns the values of column c, valid until the next call of vals
// or valSpan. It may decode the column's rows (see rows).
func (r *colReader[T]) vals(c int) []T {
	return r.valSpan(c, 0, int(r.m.indptr[c+1]-r.m.indptr[c]))
}

// valSpan returns the values of the entries k0 to k1-1 of column c, valid
// until the next call of vals or valSpan.
func (r *colReader[T]) valSpan(c, k0, k1 int) []T {
	m := r.m
	lo := m.indptr[c]
	if m.implied == nil {
		return m.vals[lo+int64(k0) : lo+int64(k1)]
	}
	rows := r.rows(c)[k0:k1]
	r.vbuf = slices.Grow(r.vbuf[:0], k1-k0)[:k1-k0]
	m.implied.fill(r.vbuf, rows, c, k0)
	return r.vbuf
}

// decodeGaps writes the rows of a column whose gap codes are codes (see
// csc.gaps) into dst (len(dst) == len(codes)).
func decodeGaps(dst []int32, codes []uint16) {
	row := int32(-1)
	for i, g := range codes {
		row += int32(g)
		dst[i] = row
	}
}

// materialize writes m's rows kept as gap codes and its implied values
// into arrays, on the given number of goroutines, and drops the codes and
// the implied form: the CSC kernel reads arrays. It does nothing for a
// matrix that has its arrays.
func (m *csc[T]) materialize(workers int) {
	m.materializeRows(workers)
	if m.implied == nil {
		return
	}
	n := len(m.indptr) - 1
	vals := kernel.MakeHuge[T](len(m.rows))
	forColumnRanges(n, workers, func(_, lo, hi int) {
		for c := lo; c < hi; c++ {
			a, b := m.indptr[c], m.indptr[c+1]
			m.implied.fill(vals[a:b], m.rows[a:b], c, 0)
		}
	})
	m.vals, m.implied = vals, nil
}

// materializeRows writes m's rows kept as gap codes into an array, and
// drops the codes; it does nothing when m has its array of rows. Only the
// constructors call it (see materialize), before anything else reads m.
func (m *csc[T]) materializeRows(workers int) {
	if m.rows != nil {
		return
	}
	m.rows, m.gaps = m.decodeAll(workers), nil
}

// rowArray returns m's rows as one array: its own, or, when it keeps its
// rows as gap codes, an array written out from them at the first call
// and shared by the later ones. It is safe for concurrent use, for the
// readers that search a column's rows (CopyWeightRows, WeightRowBlock),
// which may run concurrently with Run. The array takes 4 bytes per
// synapse, which the estimate of Initialize counts.
func (m *csc[T]) rowArray() []int32 {
	if m.rows != nil {
		return m.rows
	}
	m.decoded.once.Do(func() { m.decoded.rows = m.decodeAll(1) })
	return m.decoded.rows
}

// decodeAll returns the rows of a matrix that keeps them as gap codes, in
// one array, decoded on the given number of goroutines.
func (m *csc[T]) decodeAll(workers int) []int32 {
	n := len(m.indptr) - 1
	rows := kernel.MakeHuge[int32](len(m.gaps))
	forColumnRanges(n, workers, func(_, lo, hi int) {
		for c := lo; c < hi; c++ {
			a, b := m.indptr[c], m.indptr[c+1]
			decodeGaps(rows[a:b], m.gaps[a:b])
		}
	})
	return rows
}
