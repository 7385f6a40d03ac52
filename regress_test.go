package binarynet_test

import (
	"errors"
	"strings"
	"testing"

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
		if k, _ := nw.Synapses(); k != 12 {
			t.Errorf("%s, rate 1000: %d connected pairs, want all 12", mode, k)
		}
	}
}
