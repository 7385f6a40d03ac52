package pipeline

import (
	"errors"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/internal/kernel"
	"github.com/binarynet/binarynet/npz"
)

// weights starts writing <output_name>_weights.npz as the toolkit does:
// weight_mode, weight_dtype, weight_shape, seed, the population arrays,
// weight_format, then either weights (N x N, rows = post) or the CSR
// arrays weights_data, weights_indices (int64) and weights_indptr
// (int64). On another goroutine, so that the network runs meanwhile (on
// the caller's, before the run, when the outputs have one worker), it
// reads the network's weights a block of rows at a time in that layout
// (binarynet.WeightRowBlock, binarynet.CopyWeightRows) and compresses
// them, holding no copy of the whole matrix; wait returns the number of
// stored weights and the format once the archive is written. stop, when closed, makes the writing give
// up early.
func (o *outputs) weights(j *Job, nw *binarynet.Network, pops []population, stop <-chan struct{}) (wait func() (int64, string, error), err error) {
	b := &j.Binary
	w, err := o.archive(b.OutputName + "_weights.npz")
	if err != nil {
		return nil, err
	}
	write := weightArrays[float32](w, nw, b.WeightMode == "sparse", stop)
	if b.WeightDtype == "float64" {
		write = weightArrays[float64](w, nw, b.WeightMode == "sparse", stop)
	}
	format := "dense"
	if b.WeightMode == "sparse" {
		format = "csr"
	}
	n := nw.N()
	type result struct {
		nnz int64
		err error
	}
	done := make(chan result, 1)
	work := func() {
		err := weightHeader(w, b, n, pops, format)
		var nnz int64
		if err == nil {
			nnz, err = write()
		}
		done <- result{nnz, err}
	}
	if o.workers == 1 {
		work() // one thread: before the run, not beside it
	} else {
		go work()
	}
	return func() (int64, string, error) {
		r := <-done
		return r.nnz, format, r.err
	}, nil
}

// errStopped reports weights writing given up because the run stopped.
var errStopped = errors.New("pipeline: the run stopped")

// weightHeader writes the arrays of the weights file before the weights.
func weightHeader(w *npz.Writer, b *Binary, n int, pops []population, format string) error {
	if err := w.WriteString("weight_mode", b.WeightMode); err != nil {
		return err
	}
	if err := w.WriteString("weight_dtype", b.WeightDtype); err != nil {
		return err
	}
	if err := npz.WriteArray(w, "weight_shape", []int{2}, []int64{int64(n), int64(n)}); err != nil {
		return err
	}
	if err := npz.WriteScalar(w, "seed", int64(b.Seed)); err != nil {
		return err
	}
	if err := populationArrays(w, pops, false); err != nil {
		return err
	}
	return w.WriteString("weight_format", format)
}

// weightArrays returns the function that streams the weights of nw, rows
// = post, into w as the CSR arrays (csr true) or the dense rows of the
// weights file, and returns the number of non-zero weights.
func weightArrays[T float32 | float64](w *npz.Writer, nw *binarynet.Network, csr bool, stop <-chan struct{}) func() (int64, error) {
	if !csr {
		return func() (int64, error) { return denseRows[T](w, nw, denseTile, stop) }
	}
	return func() (int64, error) { return csrRows[T](w, nw, csrTile, stop) }
}

// csrTile is the number of weights csrRows copies and compresses at a
// time.
const csrTile int64 = 1 << 19

// csrRows streams the weights of nw into w as the CSR arrays
// weights_data, weights_indices (int64) and weights_indptr (int64), rows =
// post, columns increasing within a row. It reads the network's storage
// once, in blocks of rows of about tile entries (binarynet.WeightRowBlock),
// streaming the values and compressing the column indices into memory
// beside them (npz.BeginDeferred), so that no transposed copy of the
// matrix is held. It returns the number of stored weights and gives up
// when stop is closed.
func csrRows[T float32 | float64](w *npz.Writer, nw *binarynet.Network, tile int64, stop <-chan struct{}) (int64, error) {
	var blk binarynet.WeightRowBlock[T]
	indptr, err := blk.RowPointers(nw)
	if err != nil {
		return 0, err
	}
	n := len(indptr) - 1
	nnz := indptr[n]
	data, err := npz.BeginArray[T](w, "weights_data", int(nnz))
	if err != nil {
		return 0, err
	}
	cols, err := npz.BeginDeferred[int64](w, "weights_indices", int(nnz))
	if err != nil {
		return 0, err
	}
	wide := make([]int64, chunkValues)
	if err := eachRowBlock(n, indptr, tile, stop, func(r0, r1 int) error {
		if err := blk.Load(nw, r0, r1); err != nil {
			return err
		}
		if err := data.Write(blk.Vals); err != nil {
			return err
		}
		// The indices as int64, a cache-sized chunk at a time.
		for c := blk.Cols; len(c) > 0; {
			k := min(len(c), chunkValues)
			wide = wide[:k]
			for i, v := range c[:k] {
				wide[i] = int64(v)
			}
			if err := cols.Write(wide); err != nil {
				return err
			}
			c = c[k:]
		}
		return nil
	}); err != nil {
		return 0, err
	}
	if err := data.Close(); err != nil {
		return 0, err
	}
	if err := cols.Close(); err != nil {
		return 0, err
	}
	return nnz, npz.WriteArray(w, "weights_indptr", []int{n + 1}, indptr)
}

// eachRowBlock calls fn for consecutive blocks of rows [r0, r1) covering
// [0, n), each holding at most tile entries by indptr (or one row), and
// stops early when stop is closed.
func eachRowBlock(n int, indptr []int64, tile int64, stop <-chan struct{}, fn func(r0, r1 int) error) error {
	for r0 := 0; r0 < n; {
		if stopped(stop) {
			return errStopped
		}
		r1 := r0 + 1
		for r1 < n && indptr[r1+1]-indptr[r0] <= tile {
			r1++
		}
		if err := fn(r0, r1); err != nil {
			return err
		}
		r0 = r1
	}
	return nil
}

// denseTile is the number of bytes of weights denseRows copies and
// compresses at a time.
const denseTile = 4 << 20

// denseRows streams the weight matrix of nw into w as the N x N array
// weights, rows = post, in blocks of rows of at most tile bytes (or one
// row) read straight from the
// network's storage (CopyWeightRows), so that no transposed copy of the
// matrix is held. It returns the number of non-zero weights. It gives up
// when stop is closed.
func denseRows[T float32 | float64](w *npz.Writer, nw *binarynet.Network, tile int, stop <-chan struct{}) (int64, error) {
	n := nw.N()
	a, err := npz.BeginArray[T](w, "weights", n, n)
	if err != nil {
		return 0, err
	}
	rows := max(1, tile/(n*int(kernel.SizeOf[T]())))
	var buf []T
	var nnz int64
	for r0 := 0; r0 < n; r0 += rows {
		if stopped(stop) {
			return 0, errStopped
		}
		r1 := min(r0+rows, n)
		if buf, err = binarynet.CopyWeightRows(nw, buf, r0, r1); err != nil {
			return 0, err
		}
		for _, v := range buf {
			if v != 0 {
				nnz++
			}
		}
		if err := a.Write(buf); err != nil {
			return 0, err
		}
	}
	return nnz, a.Close()
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
