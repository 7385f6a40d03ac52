package pipeline

import (
	"context"
	"testing"
)

// BenchmarkRunToolkitDefault runs the whole job of the toolkit's default
// configuration with R_Eplus = 7.25 and kappa = 0.5 (10,000 units, 23.8 M
// synapses, 3.2 M updates) and writes its files, without pictures, as
// "binarynet run --config default -O R_Eplus=7.25 -O kappa=0.5
// -plots=false" does.
func BenchmarkRunToolkitDefault(b *testing.B) {
	j := toolkitDefaultJob(b)
	for b.Loop() {
		s, err := Run(context.Background(), j, b.TempDir(), RunOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(s.BuildS, "build-s")
		b.ReportMetric(s.RunS+s.WarmupS, "run-s")
		b.ReportMetric(s.WriteS, "write-s")
	}
}

// toolkitDefaultJob returns the job of the toolkit's default
// configuration with R_Eplus = 7.25 and kappa = 0.5.
func toolkitDefaultJob(tb testing.TB) *Job {
	tb.Helper()
	cfg, err := Load("default")
	if err != nil {
		tb.Fatal(err)
	}
	for _, o := range []string{"R_Eplus=7.25", "kappa=0.5"} {
		if err := cfg.Override(o); err != nil {
			tb.Fatal(err)
		}
	}
	j, err := Resolve(cfg, Flags{})
	if err != nil {
		tb.Fatal(err)
	}
	return j
}
