package binarynet

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// rowsTestNetwork returns an initialized network of 80 units with fixed
// in-degree, Poisson (multapses) and Bernoulli blocks.
func rowsTestNetwork(t *testing.T, mode WeightMode, typ WeightType) *Network {
	t.Helper()
	return rowsTestNetworkOpts(t, Options{WeightMode: mode, WeightType: typ, Seed: 4})
}

// rowsTestNetworkOpts is rowsTestNetwork initialized with opts.
func rowsTestNetworkOpts(t *testing.T, opts Options) *Network {
	t.Helper()
	return eiTestNetwork(t, "rows", opts, func(e, i *BinaryNeuronPopulation) []Synapse {
		return []Synapse{
			NewFixedIndegreeSynapse(e, e, 0.2, 0.25),
			NewPoissonSynapse(e, i, 0.3, 0.5),
			NewPairwiseBernoulliSynapse(i, e, 0.4, -1),
			NewPairwiseBernoulliSynapse(i, i, 0.5, -0.75),
		}
	})
}

// gapCodedTestNetwork returns an initialized sparse network of 80 units
// whose values are implied and whose rows are kept as gap codes (see csc):
// Bernoulli blocks, and a fixed in-degree with multapses that repeats a
// few pairs. A unit's outgoing weights are all alike, so that its column
// has few runs and the flip kernel reads the codes.
func gapCodedTestNetwork(t *testing.T) *Network {
	t.Helper()
	nw := eiTestNetwork(t, "gaps", Options{WeightMode: WeightSparse, Seed: 5}, func(e, i *BinaryNeuronPopulation) []Synapse {
		return []Synapse{
			NewFixedIndegreeSynapse(e, e, 0.05, 0.25),
			NewPairwiseBernoulliSynapse(e, i, 0.3, 0.25),
			NewPairwiseBernoulliSynapse(i, e, 0.4, -1),
			NewPairwiseBernoulliSynapse(i, i, 0.5, -1),
		}
	})
	if m := nw.num.(*engine[float32]).sparse; m.gaps == nil || m.implied == nil {
		t.Fatalf("rows not kept as gap codes with implied values (%d codes, implied %v)", len(m.gaps), m.implied != nil)
	}
	return nw
}

// TestWeightRowsConcurrent reads the rows of a network that keeps its rows
// as gap codes from several goroutines while it runs, as CopyWeightRows
// and WeightRowBlock allow (under the race detector in CI): every reader
// gets the rows of Weights.
func TestWeightRowsConcurrent(t *testing.T) {
	nw := gapCodedTestNetwork(t)
	m, err := nw.Weights()
	if err != nil {
		t.Fatal(err)
	}
	want := mat.DenseCopyOf(m)
	n := nw.N()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	wg.Go(func() { errs[0] = nw.Run(20000, 100) })
	for g := 1; g < len(errs); g++ {
		wg.Go(func() {
			var blk WeightRowBlock[float64]
			for r0 := 0; r0 < n; r0 += 10 {
				r1 := min(r0+10, n)
				dst, err := CopyWeightRows[float64](nw, nil, r0, r1)
				if err == nil {
					err = blk.Load(nw, r0, r1)
				}
				if err != nil {
					errs[g] = err
					return
				}
				for i := range r1 - r0 {
					row := make([]float64, n)
					for k := blk.Indptr[i]; k < blk.Indptr[i+1]; k++ {
						row[blk.Cols[k]] = blk.Vals[k]
					}
					for c := range n {
						if w := want.At(r0+i, c); dst[i*n+c] != w || row[c] != w {
							errs[g] = fmt.Errorf("W[%d, %d]: CopyWeightRows %g, Load %g, want %g", r0+i, c, dst[i*n+c], row[c], w)
							return
						}
					}
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// eiTestNetwork returns a network of 60 excitatory and 20 inhibitory
// units (tau 1, threshold 0.5) with the synapses that blocks makes from
// them, initialized with opts.
func eiTestNetwork(t *testing.T, name string, opts Options, blocks func(e, i *BinaryNeuronPopulation) []Synapse) *Network {
	t.Helper()
	nw := NewNetwork(name)
	e := &BinaryNeuronPopulation{Name: "E", N: 60, Tau: 1, Threshold: 0.5}
	i := &BinaryNeuronPopulation{Name: "I", N: 20, Tau: 1, Threshold: 0.5}
	for _, p := range []*BinaryNeuronPopulation{e, i} {
		if err := nw.AddPopulation(p); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range blocks(e, i) {
		if err := nw.AddSynapse(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := nw.Initialize(opts); err != nil {
		t.Fatal(err)
	}
	return nw
}

// TestWeightRows checks, in both modes and types, that CopyWeightRows and
// WeightRowBlock.Load give exactly the rows of Weights for blocks of
// every size, visited in order (a Load continuing the last one) and out
// of order (a Load that searches).
func TestWeightRows(t *testing.T) {
	for _, tc := range []struct {
		mode     WeightMode
		typ      WeightType
		gapCoded bool // a network whose rows are kept as gap codes
	}{{WeightSparse, Float32, false}, {WeightDense, Float32, false}, {WeightSparse, Float64, false}, {WeightDense, Float64, false}, {WeightSparse, Float32, true}} {
		t.Run(fmt.Sprint(tc.mode, tc.typ, tc.gapCoded), func(t *testing.T) {
			nw := rowsTestNetwork(t, tc.mode, tc.typ)
			if tc.gapCoded {
				nw = gapCodedTestNetwork(t)
			}
			m, err := nw.Weights()
			if err != nil {
				t.Fatal(err)
			}
			n := nw.N()
			want := mat.DenseCopyOf(m)
			for _, rows := range []int{1, 7, 20, 80} {
				var blk WeightRowBlock[float64]
				var dst []float32
				starts := []int{}
				for r0 := 0; r0 < n; r0 += rows {
					starts = append(starts, r0)
				}
				// In order, then backwards.
				for k := range 2 * len(starts) {
					r0 := starts[k%len(starts)]
					if k >= len(starts) {
						r0 = starts[len(starts)-1-k%len(starts)]
					}
					r1 := min(r0+rows, n)
					if dst, err = CopyWeightRows(nw, dst, r0, r1); err != nil {
						t.Fatal(err)
					}
					if err := blk.Load(nw, r0, r1); err != nil {
						t.Fatal(err)
					}
					if blk.Start != r0 || len(blk.Indptr) != r1-r0+1 || blk.Indptr[0] != 0 {
						t.Fatalf("rows [%d, %d): Start %d, %d row pointers from %d", r0, r1, blk.Start, len(blk.Indptr), blk.Indptr[0])
					}
					for i := range r1 - r0 {
						row := make([]float64, n)
						last := -1
						for k := blk.Indptr[i]; k < blk.Indptr[i+1]; k++ {
							c := int(blk.Cols[k])
							if c <= last {
								t.Fatalf("row %d: columns not increasing at %d", r0+i, c)
							}
							last = c
							row[c] = blk.Vals[k]
						}
						for c := range n {
							w := want.At(r0+i, c)
							if got := float64(dst[i*n+c]); got != float64(float32(w)) {
								t.Fatalf("CopyWeightRows: W[%d, %d] = %g, want %g", r0+i, c, got, w)
							}
							if row[c] != w {
								t.Fatalf("Load: W[%d, %d] = %g, want %g", r0+i, c, row[c], w)
							}
						}
					}
				}
			}
		})
	}
}

// TestWeightRowsErrors checks the errors of bad row ranges and of a
// network not yet initialized.
func TestWeightRowsErrors(t *testing.T) {
	nw := rowsTestNetwork(t, WeightSparse, Float32)
	for _, r := range [][2]int{{-1, 3}, {5, 4}, {0, 81}} {
		if _, err := CopyWeightRows[float64](nw, nil, r[0], r[1]); !errors.Is(err, ErrInvalidParameter) {
			t.Errorf("CopyWeightRows %v: %v, want ErrInvalidParameter", r, err)
		}
		var b WeightRowBlock[float32]
		if err := b.Load(nw, r[0], r[1]); !errors.Is(err, ErrInvalidParameter) {
			t.Errorf("Load %v: %v, want ErrInvalidParameter", r, err)
		}
	}
	// A copy beyond the budget is refused before it is allocated.
	big := NewNetwork("big")
	p := &BinaryNeuronPopulation{Name: "P", N: 4000, Tau: 1, Threshold: 0.5}
	if err := big.AddPopulation(p); err != nil {
		t.Fatal(err)
	}
	if err := big.AddSynapse(NewFixedIndegreeSynapse(p, p, 0.005, 0.1)); err != nil {
		t.Fatal(err)
	}
	if err := big.Initialize(Options{WeightMode: WeightSparse, RAMBudgetGB: 0.05, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := CopyWeightRows[float64](big, nil, 0, 4000); !errors.Is(err, ErrMemoryBudget) {
		t.Errorf("CopyWeightRows of 128 MB with a 0.05 GiB budget: %v, want ErrMemoryBudget", err)
	}
	var blk WeightRowBlock[float64]
	if err := blk.Load(big, 0, 4000); err != nil {
		t.Errorf("Load of all 80,000 weights: %v", err)
	}
	if rows, err := CopyWeightRows[float64](big, nil, 0, 100); err != nil || len(rows) != 100*4000 {
		t.Errorf("CopyWeightRows of 100 rows: %d values, %v", len(rows), err)
	}
	fresh := NewNetwork("fresh")
	if _, err := CopyWeightRows[float32](fresh, nil, 0, 0); !errors.Is(err, ErrCallOrder) {
		t.Errorf("CopyWeightRows before Initialize: %v, want ErrCallOrder", err)
	}
	var b WeightRowBlock[float64]
	if err := b.Load(fresh, 0, 0); !errors.Is(err, ErrCallOrder) {
		t.Errorf("Load before Initialize: %v, want ErrCallOrder", err)
	}
}
