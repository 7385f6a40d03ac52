package pipeline

import (
	"errors"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
)

// weights starts writing <output_name>_weights.npz as the toolkit does:
// weight_mode, weight_dtype, weight_shape, seed, the population arrays,
// weight_format, then either weights (N x N, rows = post) or the CSR
// arrays weights_data, weights_indices (int64) and weights_indptr
// (int64). It transposes the network's weights into that layout (CSR with
// int32 column indices, 8 bytes per weight in float32, or the dense rows)
// and then compresses them on another goroutine, so that the network can
// run meanwhile; wait returns the number of stored weights and the format
// once the archive is written. stop, when closed, makes the writing give
// up early.
func (o *outputs) weights(j *Job, nw *binarynet.Network, pops []population, stop <-chan struct{}) (wait func() (int64, string, error), err error) {
	b := &j.Binary
	w, err := o.archive(b.OutputName + "_weights.npz")
	if err != nil {
		return nil, err
	}
	var write func() (int64, error)
	if b.WeightDtype == "float64" {
		write, err = weightArrays[float64](w, nw, b.WeightMode == "sparse", stop)
	} else {
		write, err = weightArrays[float32](w, nw, b.WeightMode == "sparse", stop)
	}
	if err != nil {
		return nil, err
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
	go func() {
		err := weightHeader(w, b, n, pops, format)
		var nnz int64
		if err == nil {
			nnz, err = write()
		}
		done <- result{nnz, err}
	}()
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

// weightArrays copies the weights of nw, rows = post, into the CSR arrays
// (csr true) or the dense rows of the weights file, and returns the
// function that writes them into w and returns the number of non-zero
// weights.
func weightArrays[T float32 | float64](w *npz.Writer, nw *binarynet.Network, csr bool, stop <-chan struct{}) (func() (int64, error), error) {
	n := nw.N()
	if !csr {
		dense := make([]T, n*n)
		var nnz int64
		err := nw.VisitWeightColumns(func(pre int, post []int32, v []float64) error {
			for k, r := range post {
				dense[int(r)*n+pre] = T(v[k])
			}
			nnz += int64(len(post))
			return nil
		})
		if err != nil {
			return nil, err
		}
		return func() (int64, error) {
			return nnz, npz.WriteArray(w, "weights", []int{n, n}, dense)
		}, nil
	}
	indptr := make([]int64, n+1)
	err := nw.VisitWeightColumns(func(_ int, post []int32, _ []float64) error {
		for _, r := range post {
			indptr[r+1]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for r := range n {
		indptr[r+1] += indptr[r]
	}
	nnz := indptr[n]
	next := make([]int64, n)
	copy(next, indptr[:n])
	cols := make([]int32, nnz)
	data := make([]T, nnz)
	// Columns are visited in increasing order, so within each row the
	// column indices increase.
	err = nw.VisitWeightColumns(func(pre int, post []int32, v []float64) error {
		for k, r := range post {
			at := next[r]
			cols[at], data[at] = int32(pre), T(v[k])
			next[r]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return func() (int64, error) {
		if err := npz.WriteArray(w, "weights_data", []int{int(nnz)}, data); err != nil {
			return 0, err
		}
		if stopped(stop) {
			return 0, errStopped
		}
		if err := streamConvert(w, "weights_indices", cols, func(c int32) int64 { return int64(c) }); err != nil {
			return 0, err
		}
		return nnz, npz.WriteArray(w, "weights_indptr", []int{n + 1}, indptr)
	}, nil
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
