package binarynet

import (
	"fmt"
	"testing"
)

// BenchmarkRunGain times Run on the dense-5k and sparse-50k networks of
// BenchmarkRun with threshold units and with erfc units (sigma 0.5, about
// half the spread of the fields), so that the cost of a stochastic gain
// can be read against the deterministic path.
func BenchmarkRunGain(b *testing.B) {
	const runSteps = 10000 // per timed Run call
	for _, c := range []struct {
		mode WeightMode
		n, k int
	}{
		{WeightDense, 5000, 1000},
		{WeightSparse, 50000, 1250},
	} {
		for _, g := range []struct {
			name string
			gain Gain
		}{{"heaviside", nil}, {"erfc", ErfcGain{Sigma: 0.5}}} {
			b.Run(fmt.Sprintf("%s/N=%d/%s", c.mode, c.n, g.name), func(b *testing.B) {
				nw, _ := benchEngineGain(b, c.mode, c.n, c.k, g.gain)
				benchRunSteps(b, nw, 20*c.n, runSteps)
			})
		}
	}
}
