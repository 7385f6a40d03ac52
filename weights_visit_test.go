package binarynet

import (
	"errors"
	"testing"

	"github.com/james-bowman/sparse"
	"gonum.org/v1/gonum/mat"
)

// TestVisitWeightColumns checks, in both weight modes and types, that the
// visit gives exactly the non-zero entries of Weights, column by column
// with increasing rows, and that an error of fn stops it.
func TestVisitWeightColumns(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode WeightMode
		typ  WeightType
	}{{"sparse float32", WeightSparse, Float32}, {"dense float32", WeightDense, Float32}, {"sparse float64", WeightSparse, Float64}} {
		t.Run(tc.name, func(t *testing.T) {
			nw := eiTestNetwork(t, "visit", Options{WeightMode: tc.mode, WeightType: tc.typ, Seed: 4}, func(e, i *BinaryNeuronPopulation) []Synapse {
				return []Synapse{
					NewFixedIndegreeSynapse(e, e, 0.2, 0.25),
					NewPoissonSynapse(e, i, 0.3, 0.5),
					NewPairwiseBernoulliSynapse(i, e, 0.4, -1),
				}
			})
			m, err := nw.Weights()
			if err != nil {
				t.Fatal(err)
			}
			want := map[[2]int]float64{}
			switch m := m.(type) {
			case *sparse.CSC:
				m.DoNonZero(func(i, j int, v float64) {
					if v != 0 {
						want[[2]int{i, j}] = v
					}
				})
			case *mat.Dense:
				r, c := m.Dims()
				for i := range r {
					for j := range c {
						if v := m.At(i, j); v != 0 {
							want[[2]int{i, j}] = v
						}
					}
				}
			}
			next, seen := 0, 0
			err = nw.VisitWeightColumns(func(pre int, post []int32, w []float64) error {
				if pre != next {
					t.Fatalf("column %d visited after %d", pre, next-1)
				}
				next++
				for k, r := range post {
					if k > 0 && post[k-1] >= r {
						t.Errorf("column %d: rows %v not increasing", pre, post)
					}
					if v, ok := want[[2]int{int(r), pre}]; !ok || v != w[k] {
						t.Errorf("W[%d, %d] = %v visited, Weights has %v (%v)", r, pre, w[k], v, ok)
					}
					seen++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if next != nw.N() || seen != len(want) {
				t.Errorf("visited %d columns and %d entries, want %d and %d", next, seen, nw.N(), len(want))
			}
			stop := errors.New("stop")
			calls := 0
			if err := nw.VisitWeightColumns(func(int, []int32, []float64) error { calls++; return stop }); err != stop || calls != 1 {
				t.Errorf("fn's error: got %v after %d calls, want it after 1", err, calls)
			}
		})
	}
	if err := NewNetwork("x").VisitWeightColumns(nil); !errors.Is(err, ErrCallOrder) {
		t.Errorf("before Initialize: %v, want ErrCallOrder", err)
	}
}
