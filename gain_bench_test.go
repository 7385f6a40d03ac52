package binarynet

import (
	"fmt"
	"testing"
)

// BenchmarkRunGain times Run on the dense-5k and sparse-50k networks of
// BenchmarkRun with threshold units and with erfc units, so that the cost
// of a stochastic gain can be read against the deterministic path. With
// sigma 0.5, about half the spread of the fields, the network itself
// changes: stochastic units change state more often than threshold units,
// and every change costs a column of additions, so it also reports the
// changes per update and the time per change (ns/flip). With sigma 0.02
// the units are stochastic only close to their threshold, the dynamics
// are those of threshold units, and the difference in time is the cost of
// the gain alone: a random number and an erfc per update.
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
		}{{"heaviside", nil}, {"erfc", ErfcGain{Sigma: 0.5}}, {"erfc-sigma0.02", ErfcGain{Sigma: 0.02}}} {
			b.Run(fmt.Sprintf("%s/N=%d/%s", c.mode, c.n, g.name), func(b *testing.B) {
				nw, _ := benchEngineGain(b, c.mode, c.n, c.k, g.gain)
				benchRunSteps(b, nw, 20*c.n, runSteps)
				flips := countFlips(b, nw, 100_000)
				nsUpdate := float64(b.Elapsed().Nanoseconds()) / float64(b.N*runSteps)
				b.ReportMetric(flips, "flips/update")
				b.ReportMetric(nsUpdate/flips, "ns/flip")
			})
		}
	}
}

// countFlips runs steps more updates of nw with diff logging and returns
// the fraction that changed a state.
func countFlips(b *testing.B, nw *Network, steps int) float64 {
	b.Helper()
	if err := nw.EnableDiffLogging(steps); err != nil {
		b.Fatal(err)
	}
	if err := nw.Run(steps, 1000); err != nil {
		b.Fatal(err)
	}
	return float64(stateChanges(nw.ConsumeDiffLog().Deltas)) / float64(steps)
}
