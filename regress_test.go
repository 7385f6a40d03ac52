package binarynet_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/binarynet/binarynet"
)

// TestPoissonRateOverflowIssue5 is the regression test for a Poisson rate
// so large that the number of connections drawn for a row overflowed its
// int count: in dense mode (which the memory estimate did not stop)
// Initialize silently built a network without any of those connections.
func TestPoissonRateOverflowIssue5(t *testing.T) {
	for _, mode := range []binarynet.WeightMode{binarynet.WeightDense, binarynet.WeightSparse} {
		for _, rate := range []float64{1e19, 1e300, 1 << 30} {
			nw := binarynet.NewNetwork("poisson")
			e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 4, Tau: 1}
			if err := nw.AddPopulation(e); err != nil {
				t.Fatal(err)
			}
			if err := nw.AddSynapse(binarynet.NewPoissonSynapse(e, e, rate, 0.5)); err != nil {
				t.Fatal(err)
			}
			err := nw.Initialize(binarynet.Options{WeightMode: mode})
			if !errors.Is(err, binarynet.ErrInvalidParameter) || !strings.Contains(err.Error(), "Poisson rate") {
				t.Errorf("%s, rate %g: Initialize returned %v, want an invalid Poisson rate", mode, rate, err)
			}
		}
		// A large but representable rate still works, with every pair
		// connected many times.
		nw := binarynet.NewNetwork("poisson")
		e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 4, Tau: 1}
		if err := nw.AddPopulation(e); err != nil {
			t.Fatal(err)
		}
		if err := nw.AddSynapse(binarynet.NewPoissonSynapse(e, e, 1000, 0.5)); err != nil {
			t.Fatal(err)
		}
		if err := nw.Initialize(binarynet.Options{WeightMode: mode}); err != nil {
			t.Fatal(err)
		}
		if k, _ := nw.NonZeroWeights(); k != 12 {
			t.Errorf("%s, rate 1000: %d connected pairs, want all 12", mode, k)
		}
	}
}

// TestFloat32OverflowIssue5 is the regression test for thresholds and
// weights that are finite as float64 but overflow float32: with Float32
// weights they became ±Inf, and the network ran on Inf and NaN fields.
// Found by FuzzNetwork.
func TestFloat32OverflowIssue5(t *testing.T) {
	build := func(threshold, j float64, typ binarynet.WeightType) error {
		nw := binarynet.NewNetwork("overflow")
		e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 5, Tau: 1, Threshold: threshold}
		if err := nw.AddPopulation(e); err != nil {
			return err
		}
		if err := nw.AddSynapse(binarynet.NewAllToAllSynapse(e, e, j)); err != nil {
			return err
		}
		return nw.Initialize(binarynet.Options{WeightType: typ})
	}
	for _, tc := range []struct {
		threshold, j float64
		param        string
	}{{0, 1e39, "j"}, {0, -math.MaxFloat64, "j"}, {1e39, 1, "threshold"}, {-4e38, 1, "threshold"}} {
		err := build(tc.threshold, tc.j, binarynet.Float32)
		if !errors.Is(err, binarynet.ErrInvalidParameter) || !strings.Contains(err.Error(), tc.param) || !strings.Contains(err.Error(), "float32") {
			t.Errorf("Float32, threshold %g, j %g: %v, want an error naming %s and float32", tc.threshold, tc.j, err, tc.param)
		}
		if err := build(tc.threshold, tc.j, binarynet.Float64); err != nil {
			t.Errorf("Float64, threshold %g, j %g: %v", tc.threshold, tc.j, err)
		}
	}
	if err := build(math.MaxFloat32, -math.MaxFloat32, binarynet.Float32); err != nil {
		t.Errorf("the largest float32 values: %v", err)
	}
	w := mat.NewDense(2, 2, []float64{0, 1e39, 1, 0})
	_, err := binarynet.NewNetworkFromWeights("w", w, nil, []float64{0, 0}, []int8{0, 1}, binarynet.Options{})
	if !errors.Is(err, binarynet.ErrInvalidParameter) || !strings.Contains(err.Error(), "weights[0, 1]") {
		t.Errorf("NewNetworkFromWeights with a weight of 1e39 in float32: %v", err)
	}
	_, err = binarynet.NewNetworkFromWeights("w", mat.NewDense(2, 2, nil), nil, []float64{0, -1e39}, []int8{0, 1}, binarynet.Options{})
	if !errors.Is(err, binarynet.ErrInvalidParameter) || !strings.Contains(err.Error(), "thresholds[1]") {
		t.Errorf("NewNetworkFromWeights with a threshold of -1e39 in float32: %v", err)
	}
}
