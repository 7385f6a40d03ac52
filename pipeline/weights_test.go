package pipeline

import (
	"context"
	"encoding/binary"
	"io"
	"math"
	"path/filepath"
	"testing"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
	"gonum.org/v1/gonum/mat"
)

// TestWeightsFileContent checks, for dense and CSR weights files in both
// float types, that the arrays hold exactly the weights of the network
// the job builds, rows = post, columns increasing within a CSR row. The
// weights are streamed from the network's storage a block of rows at a
// time; a small tile size makes the small network span many blocks.
func TestWeightsFileContent(t *testing.T) {
	for _, tc := range []struct{ mode, dtype string }{
		{"dense", "float32"}, {"sparse", "float32"}, {"dense", "float64"}, {"sparse", "float64"},
	} {
		t.Run(tc.mode+"-"+tc.dtype, func(t *testing.T) {
			j := smallJob(t, "binary.weight_mode="+tc.mode, "binary.weight_dtype="+tc.dtype)
			dir := t.TempDir()
			sum, err := Run(context.Background(), j, dir, RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			nw := clusteredNetwork(t, j, "clustered")
			m, err := nw.Weights()
			if err != nil {
				t.Fatal(err)
			}
			want := mat.DenseCopyOf(m)
			n := nw.N()
			arrays := readNpz(t, filepath.Join(dir, j.Binary.OutputName+"_weights.npz"))
			floats := func(key string) []float64 {
				e, ok := arrays[key]
				if !ok {
					t.Fatalf("no %s", key)
				}
				size := 4
				if tc.dtype == "float64" {
					size = 8
				}
				out := make([]float64, len(e.data)/size)
				for i := range out {
					if size == 4 {
						out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(e.data[4*i:])))
					} else {
						out[i] = math.Float64frombits(binary.LittleEndian.Uint64(e.data[8*i:]))
					}
				}
				return out
			}
			ints := func(key string) []int64 {
				e := arrays[key]
				out := make([]int64, len(e.data)/8)
				for i := range out {
					out[i] = int64(binary.LittleEndian.Uint64(e.data[8*i:]))
				}
				return out
			}
			got := mat.NewDense(n, n, nil)
			var nnz int64
			if tc.mode == "dense" {
				w := floats("weights")
				if len(w) != n*n {
					t.Fatalf("%d weights, want %d", len(w), n*n)
				}
				got = mat.NewDense(n, n, w)
				for _, v := range w {
					if v != 0 {
						nnz++
					}
				}
			} else {
				data, cols, ptr := floats("weights_data"), ints("weights_indices"), ints("weights_indptr")
				if len(ptr) != n+1 || ptr[0] != 0 || ptr[n] != int64(len(data)) || len(cols) != len(data) {
					t.Fatalf("CSR arrays: %d row pointers from %d to %d, %d columns, %d values", len(ptr), ptr[0], ptr[n], len(cols), len(data))
				}
				for r := range n {
					for k := ptr[r]; k < ptr[r+1]; k++ {
						if k > ptr[r] && cols[k] <= cols[k-1] {
							t.Fatalf("row %d: columns %d, %d not increasing", r, cols[k-1], cols[k])
						}
						got.Set(r, int(cols[k]), data[k])
					}
				}
				nnz = int64(len(data))
			}
			if !mat.Equal(got, want) {
				t.Fatal("the weights file differs from the network's weights")
			}
			if sum.Synapses != nnz {
				t.Errorf("summary counts %d weights, the file holds %d", sum.Synapses, nnz)
			}
		})
	}
}

// TestWeightsStreamedInBlocks writes the weights of one network with
// tiles from one row to all rows and checks that every archive holds the
// same arrays as the one written in a single block.
func TestWeightsStreamedInBlocks(t *testing.T) {
	j := smallJob(t)
	nw := clusteredNetwork(t, j, "clustered")
	n := nw.N()
	indptr, err := new(binarynet.WeightRowBlock[float32]).RowPointers(nw)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, fn func(w *npz.Writer) (int64, error)) map[string]npyEntry {
		path := filepath.Join(t.TempDir(), name)
		w, err := npz.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fn(w); err != nil {
			t.Fatal(err)
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		return readNpz(t, path)
	}
	whole := write("csr.npz", func(w *npz.Writer) (int64, error) {
		return csrRows[float32](w, nw, indptr[n], nil)
	})
	wholeDense := write("dense.npz", func(w *npz.Writer) (int64, error) { return denseRows[float32](w, nw, 4*n*n, nil) })
	for _, tile := range []int64{1, 37, indptr[n] / 7} {
		got := write("csr.npz", func(w *npz.Writer) (int64, error) {
			return csrRows[float32](w, nw, tile, nil)
		})
		for _, key := range []string{"weights_data", "weights_indices", "weights_indptr"} {
			if string(got[key].data) != string(whole[key].data) {
				t.Errorf("tile %d: %s differs", tile, key)
			}
		}
		gotDense := write("dense.npz", func(w *npz.Writer) (int64, error) { return denseRows[float32](w, nw, int(tile)*4*n, nil) })
		if string(gotDense["weights"].data) != string(wholeDense["weights"].data) {
			t.Errorf("tile of %d rows: dense weights differ", tile)
		}
	}
	stop := make(chan struct{})
	close(stop)
	if _, err := csrRows[float32](npz.NewWriter(io.Discard), nw, 1, stop); err != errStopped {
		t.Errorf("stopped CSR writing: %v, want errStopped", err)
	}
	if _, err := denseRows[float32](npz.NewWriter(io.Discard), nw, 4*n, stop); err != errStopped {
		t.Errorf("stopped dense writing: %v, want errStopped", err)
	}
}

// TestRunOneWorkerSameFiles checks that a run on one thread (Workers 1:
// the weights written before the run, compression on the writing
// goroutine) writes the same arrays as a run on all cores.
func TestRunOneWorkerSameFiles(t *testing.T) {
	j := smallJob(t)
	var dirs [2]string
	for i, workers := range []int{0, 1} {
		dirs[i] = t.TempDir()
		if _, err := Run(context.Background(), j, dirs[i], RunOptions{Workers: workers}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{j.Binary.OutputName + ".npz", j.Binary.OutputName + "_weights.npz"} {
		a, b := readNpz(t, filepath.Join(dirs[0], name)), readNpz(t, filepath.Join(dirs[1], name))
		if len(a) != len(b) {
			t.Fatalf("%s: %d and %d arrays", name, len(a), len(b))
		}
		for key, e := range a {
			if f, ok := b[key]; !ok || f.descr != e.descr || string(f.data) != string(e.data) {
				t.Errorf("%s: array %s differs between 0 and 1 workers", name, key)
			}
		}
	}
}
