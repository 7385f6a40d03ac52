package pipeline

import (
	"errors"
	"fmt"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
	"github.com/james-bowman/sparse"
	"gonum.org/v1/gonum/mat"
)

// csrBlockEntries is about how many weights one block of rows of the CSR
// transposition holds at a time (16 bytes each).
const csrBlockEntries = 1 << 20

// weights starts writing <output_name>_weights.npz as the toolkit does:
// weight_mode, weight_dtype, weight_shape, seed, the population arrays,
// weight_format, then either weights (N x N, rows = post) or the CSR
// arrays weights_data, weights_indices (int64) and weights_indptr
// (int64). It copies the weights out of the network and then converts and
// compresses the copy on another goroutine, so that the network can run
// meanwhile; wait returns the number of stored weights and the format
// once the archive is written. stop, when closed, makes the writing give
// up early.
func (o *outputs) weights(j *Job, nw *binarynet.Network, pops []population, stop <-chan struct{}) (wait func() (int64, string, error), err error) {
	b := &j.Binary
	w, err := o.archive(b.OutputName + "_weights.npz")
	if err != nil {
		return nil, err
	}
	m, err := nw.Weights()
	if err != nil {
		return nil, err
	}
	n := nw.N()
	type result struct {
		nnz    int64
		format string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		nnz, format, err := writeWeights(w, b, m, n, pops, stop)
		done <- result{nnz, format, err}
	}()
	return func() (int64, string, error) {
		r := <-done
		return r.nnz, r.format, r.err
	}, nil
}

// errStopped reports weights writing given up because the run stopped.
var errStopped = errors.New("pipeline: the run stopped")

// writeWeights writes the weights archive from the matrix m.
func writeWeights(w *npz.Writer, b *Binary, m mat.Matrix, n int, pops []population, stop <-chan struct{}) (int64, string, error) {
	format := "dense"
	if _, ok := m.(*sparse.CSC); ok {
		format = "csr"
	}
	if err := w.WriteString("weight_mode", b.WeightMode); err != nil {
		return 0, "", err
	}
	if err := w.WriteString("weight_dtype", b.WeightDtype); err != nil {
		return 0, "", err
	}
	if err := npz.WriteArray(w, "weight_shape", []int{2}, []int64{int64(n), int64(n)}); err != nil {
		return 0, "", err
	}
	if err := npz.WriteScalar(w, "seed", int64(b.Seed)); err != nil {
		return 0, "", err
	}
	if err := populationArrays(w, pops, false); err != nil {
		return 0, "", err
	}
	if err := w.WriteString("weight_format", format); err != nil {
		return 0, "", err
	}
	var nnz int64
	var err error
	switch m := m.(type) {
	case *mat.Dense:
		if b.WeightDtype == "float64" {
			nnz, err = denseRows[float64](w, m, stop)
		} else {
			nnz, err = denseRows[float32](w, m, stop)
		}
	case *sparse.CSC:
		nnz = int64(m.NNZ())
		if b.WeightDtype == "float64" {
			err = csrArrays[float64](w, m, stop)
		} else {
			err = csrArrays[float32](w, m, stop)
		}
	default:
		err = fmt.Errorf("pipeline: weights of type %T", m)
	}
	return nnz, format, err
}

// stopped reports whether stop is closed.
func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// denseRows writes the dense matrix as weights, row by row, and returns
// the number of non-zero entries.
func denseRows[T float32 | float64](w *npz.Writer, m *mat.Dense, stop <-chan struct{}) (int64, error) {
	r, c := m.Dims()
	a, err := npz.BeginArray[T](w, "weights", r, c)
	if err != nil {
		return 0, err
	}
	raw := m.RawMatrix()
	row := make([]T, c)
	var nnz int64
	for i := range r {
		if i%256 == 0 && stopped(stop) {
			return 0, errStopped
		}
		for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+c] {
			row[j] = T(v)
			if v != 0 {
				nnz++
			}
		}
		if err := a.Write(row); err != nil {
			return 0, err
		}
	}
	return nnz, a.Close()
}

// csrArrays writes the CSC matrix m (columns = pre, sorted duplicate-free
// rows = post) as the CSR arrays weights_data, weights_indices and
// weights_indptr of the same matrix, rows = post. The transposition runs
// by blocks of rows, so that it needs memory for one block only; within a
// row the column indices increase.
func csrArrays[T float32 | float64](w *npz.Writer, m *sparse.CSC, stop <-chan struct{}) error {
	raw := m.RawMatrix()
	rows, cols := m.Dims()
	nnz := len(raw.Ind)
	indptr := make([]int64, rows+1)
	for _, r := range raw.Ind {
		indptr[r+1]++
	}
	for r := range rows {
		indptr[r+1] += indptr[r]
	}
	perBlock := rows
	if nnz > 0 {
		perBlock = max(1, int(int64(csrBlockEntries)*int64(rows)/int64(nnz)))
	}
	// pass visits the weights in CSR order, handing each block's column
	// indices and values to emit.
	pass := func(emit func(cols []int32, vals []float64) error) error {
		cursor := make([]int, cols)
		copy(cursor, raw.Indptr[:cols])
		var bc []int32
		var bv []float64
		for r0 := 0; r0 < rows; r0 += perBlock {
			if stopped(stop) {
				return errStopped
			}
			r1 := min(rows, r0+perBlock)
			base := indptr[r0]
			size := int(indptr[r1] - base)
			bc, bv = growTo(bc, size), growTo(bv, size)
			next := make([]int64, r1-r0)
			copy(next, indptr[r0:r1])
			for c := range cols {
				p, end := cursor[c], raw.Indptr[c+1]
				for ; p < end && raw.Ind[p] < r1; p++ {
					r := raw.Ind[p]
					at := next[r-r0] - base
					bc[at], bv[at] = int32(c), raw.Data[p]
					next[r-r0]++
				}
				cursor[c] = p
			}
			if err := emit(bc[:size], bv[:size]); err != nil {
				return err
			}
		}
		return nil
	}
	data, err := npz.BeginArray[T](w, "weights_data", nnz)
	if err != nil {
		return err
	}
	buf := make([]T, 0, csrBlockEntries)
	err = pass(func(_ []int32, vals []float64) error {
		for len(vals) > 0 {
			part := vals[:min(len(vals), cap(buf))]
			vals = vals[len(part):]
			buf = buf[:0]
			for _, v := range part {
				buf = append(buf, T(v))
			}
			if err := data.Write(buf); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := data.Close(); err != nil {
		return err
	}
	ind, err := npz.BeginArray[int64](w, "weights_indices", nnz)
	if err != nil {
		return err
	}
	ibuf := make([]int64, 0, csrBlockEntries)
	err = pass(func(cs []int32, _ []float64) error {
		for len(cs) > 0 {
			part := cs[:min(len(cs), cap(ibuf))]
			cs = cs[len(part):]
			ibuf = ibuf[:0]
			for _, c := range part {
				ibuf = append(ibuf, int64(c))
			}
			if err := ind.Write(ibuf); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := ind.Close(); err != nil {
		return err
	}
	return npz.WriteArray(w, "weights_indptr", []int{rows + 1}, indptr)
}

// growTo returns s with length n, reallocated only when its capacity is
// too small.
func growTo[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
