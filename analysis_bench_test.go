package binarynet

import (
	"sync"
	"testing"
	"time"
)

// defaultRun is the diff log of the command's default run (the clustered
// network of cmd/binarynet/default.json: 20 clusters of 200 E and 50 I
// units and a background unit, 10 sweeps of warm-up, then 2,000 sweeps of
// N = 5,001 updates), made once for the analysis benchmarks.
var defaultRun struct {
	once     sync.Once
	initial  []int8
	log      DiffLog
	e, i     []Range
	perUnit  int           // steps per time unit (tau = 10 for E), rounded
	simulate time.Duration // time of the recorded 10 M updates
	err      error
}

func defaultRunLog(b *testing.B) {
	b.Helper()
	d := &defaultRun
	d.once.Do(func() {
		p := ReferenceClusteredParams()
		p.G, p.PEPlus, p.RJ, p.TauE, p.TauI = 1.5, 9, 0.85, 10, 5
		nw, layout, err := NewClusteredNetwork("default", p)
		if err != nil {
			d.err = err
			return
		}
		if d.err = nw.Initialize(Options{WeightMode: WeightSparse, Seed: 1}); d.err != nil {
			return
		}
		n := nw.N()
		if d.err = nw.Run(10*n, 1<<16); d.err != nil {
			return
		}
		if d.initial, d.err = nw.State(nil); d.err != nil {
			return
		}
		steps := 2000 * n
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
		// Updates per time unit: sum_k N_k / tau_k = 4000/10 + 1000/5 + 1/10.
		d.perUnit = 600
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

// BenchmarkAnalysisDefaultRun times each measure on the 10 M-update log of
// the default run; sim-s is the time the simulation took to make it.
func BenchmarkAnalysisDefaultRun(b *testing.B) {
	d := &defaultRun
	b.Run("Covariance/E-clusters/10tau/dt=tau/2", func(b *testing.B) {
		benchAnalysis(b, func() error {
			_, err := CovarianceFunctions(d.initial, d.log, d.e, 10*d.perUnit, d.perUnit/2)
			return err
		})
	})
	b.Run("Covariance/E+I/50tau/dt=tau", func(b *testing.B) {
		benchAnalysis(b, func() error {
			ch := []Range{{d.e[0].Start, d.e[len(d.e)-1].End}, {d.i[0].Start, d.i[len(d.i)-1].End}}
			_, err := CovarianceFunctions(d.initial, d.log, ch, 50*d.perUnit, d.perUnit)
			return err
		})
	})
	b.Run("Covariance/E-clusters+E+I/50tau/dt=tau", func(b *testing.B) {
		benchAnalysis(b, func() error {
			ch := append(append([]Range(nil), d.e...), Range{d.e[0].Start, d.e[len(d.e)-1].End}, Range{d.i[0].Start, d.i[len(d.i)-1].End})
			_, err := CovarianceFunctions(d.initial, d.log, ch, 50*d.perUnit, d.perUnit)
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
	b.Run("StateCorrelations/200units", func(b *testing.B) {
		benchAnalysis(b, func() error {
			u, g := units()
			_, err := StateCorrelations(d.initial, d.log, u, g)
			return err
		})
	})
	b.Run("CountCorrelations/200units/10tau", func(b *testing.B) {
		benchAnalysis(b, func() error {
			u, g := units()
			_, err := CountCorrelations(d.initial, d.log, u, g, 10*d.perUnit)
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
	b.Run("SpikeCounts/40pops/10tau", func(b *testing.B) {
		benchAnalysis(b, func() error {
			_, err := SpikeCountStatistics(d.initial, d.log, 10*d.perUnit, append(append([]Range(nil), d.e...), d.i...))
			return err
		})
	})
	b.Run("ClusterStates/E-clusters/tau", func(b *testing.B) {
		benchAnalysis(b, func() error {
			_, err := ClusterStatesFromDiffLog(d.initial, d.log, d.perUnit, d.e, 0.4, 0.2)
			return err
		})
	})
}
