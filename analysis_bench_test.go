package binarynet

import (
	"sync"
	"testing"
	"time"
)

// defaultRun is a diff log of the command's default model
// (cmd/binarynet/default.json: the toolkit's clustered model with N_E =
// 2000, N_I = 500, Q = 10, R_Eplus = 3.7, kappa = 0, Bernoulli, sparse)
// after 20 sweeps of warm-up: 4,000 sweeps of N = 2,500 updates, 10 M
// updates (the default run records 3,000 sweeps), made once for the
// analysis benchmarks.
var defaultRun struct {
	once     sync.Once
	initial  []int8
	log      DiffLog
	e, i     []Range
	perMs    int           // steps per ms: N_E/tau_e + N_I/tau_i = 200 + 100
	simulate time.Duration // time of the recorded 10 M updates
	err      error
}

func defaultRunLog(b *testing.B) {
	b.Helper()
	d := &defaultRun
	d.once.Do(func() {
		p := DefaultClusteredParams()
		p.NE, p.NI, p.Q, p.REPlus, p.Kappa = 2000, 500, 10, new(3.7), 0
		nw, layout, err := NewClusteredNetwork("default", p, Options{WeightMode: WeightSparse, Seed: 1})
		if err != nil {
			d.err = err
			return
		}
		n := nw.N()
		if d.err = nw.Run(20*n, 1<<16); d.err != nil {
			return
		}
		if d.initial, d.err = nw.State(nil); d.err != nil {
			return
		}
		steps := 4000 * n
		if d.err = nw.EnableDiffLogging(steps); d.err != nil {
			return
		}
		t0 := time.Now()
		if d.err = nw.Run(steps, 1<<16); d.err != nil {
			return
		}
		d.simulate = time.Since(t0)
		d.log = nw.ConsumeDiffLog()
		d.e, d.i = layout.ERanges, layout.IRanges
		d.perMs = 300
	})
	if d.err != nil {
		b.Fatal(d.err)
	}
}

// benchAnalysis runs measure on the default run's log and reports its
// time per update and the simulation's time for comparison.
func benchAnalysis(b *testing.B, measure func() error) {
	defaultRunLog(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := measure(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	steps := float64(defaultRun.log.Len())
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/steps, "ns/update")
	b.ReportMetric(defaultRun.simulate.Seconds(), "sim-s")
	b.ReportMetric(float64(defaultRun.simulate.Nanoseconds())/steps, "sim-ns/update")
}

// BenchmarkAnalysisDefaultRun times each measure on the 10 M-update log
// of the default model; sim-s is the time the simulation took to make it.
func BenchmarkAnalysisDefaultRun(b *testing.B) {
	d := &defaultRun
	ms := func(x int) int { return x * d.perMs }
	whole := func(rs []Range) Range { return Range{rs[0].Start, rs[len(rs)-1].End} }
	b.Run("Covariance/E+I/100ms/dt=2ms", func(b *testing.B) {
		benchAnalysis(b, func() error {
			_, err := CovarianceFunctions(d.initial, d.log, []Range{whole(d.e), whole(d.i)}, ms(100), ms(2))
			return err
		})
	})
	b.Run("Covariance/E-clusters/100ms/dt=5ms", func(b *testing.B) {
		benchAnalysis(b, func() error {
			_, err := CovarianceFunctions(d.initial, d.log, d.e, ms(100), ms(5))
			return err
		})
	})
	b.Run("Covariance/E-clusters+E+I/100ms/dt=2ms", func(b *testing.B) {
		benchAnalysis(b, func() error {
			ch := append(append([]Range(nil), d.e...), whole(d.e), whole(d.i))
			_, err := CovarianceFunctions(d.initial, d.log, ch, ms(100), ms(2))
			return err
		})
	})
	units := func() ([]int32, []int) {
		var u []int32
		var g []int
		for k, r := range d.e {
			for i := range 10 {
				u = append(u, int32(r.Start+i))
				g = append(g, k)
			}
		}
		return u, g
	}
	b.Run("StateCorrelations/100units", func(b *testing.B) {
		benchAnalysis(b, func() error {
			u, g := units()
			_, err := StateCorrelations(d.initial, d.log, u, g)
			return err
		})
	})
	b.Run("CountCorrelations/100units/100ms", func(b *testing.B) {
		benchAnalysis(b, func() error {
			u, g := units()
			_, err := CountCorrelations(d.initial, d.log, u, g, ms(100))
			return err
		})
	})
	b.Run("VarianceSplit/E-units+E-clusters", func(b *testing.B) {
		benchAnalysis(b, func() error {
			var eu []Range
			for u := d.e[0].Start; u < d.e[len(d.e)-1].End; u++ {
				eu = append(eu, Range{u, u + 1})
			}
			_, err := ActivityVarianceSplit(d.initial, d.log, [][]Range{eu, d.e})
			return err
		})
	})
	b.Run("SpikeCounts/20pops/100ms", func(b *testing.B) {
		benchAnalysis(b, func() error {
			_, err := SpikeCountStatistics(d.initial, d.log, ms(100), append(append([]Range(nil), d.e...), d.i...))
			return err
		})
	})
	b.Run("ClusterStates/E-clusters/1ms", func(b *testing.B) {
		benchAnalysis(b, func() error {
			_, err := ClusterStatesFromDiffLog(d.initial, d.log, ms(1), d.e, 0.4, 0.2)
			return err
		})
	})
}
