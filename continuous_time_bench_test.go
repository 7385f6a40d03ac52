package binarynet

import (
	"fmt"
	"testing"
)

// BenchmarkRunContinuousTime measures whole update steps with and without
// continuous time, as BenchmarkRun does (one op is one Run call of 10,000
// updates in batches of 1000; allocs/op must be 0 both ways): the
// difference is the cost of one exponential interval per step.
func BenchmarkRunContinuousTime(b *testing.B) {
	const runSteps = 10000
	for _, c := range []struct {
		mode WeightMode
		n, k int
	}{
		{WeightDense, 1000, 200},
		{WeightSparse, 10000, 100},
	} {
		for _, on := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/N=%d/K=%d/continuous=%v", c.mode, c.n, c.k, on), func(b *testing.B) {
				nw, _ := benchEngineTimed(b, c.mode, c.n, c.k, nil, on)
				benchRunSteps(b, nw, 20*c.n, runSteps)
			})
		}
	}
}

// BenchmarkClockTick measures the drawing of the intervals alone, per
// step, with and without writing them into a log.
func BenchmarkClockTick(b *testing.B) {
	const steps = 256
	times := make([]float64, steps)
	for _, logged := range []bool{false, true} {
		b.Run(fmt.Sprintf("logged=%v", logged), func(b *testing.B) {
			c := newClock(1, 1200)
			dst := times
			if !logged {
				dst = nil
			}
			b.ReportAllocs()
			for b.Loop() {
				c.tick(steps, dst)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*steps), "ns/step")
		})
	}
}
