package pipeline_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/binarynet/binarynet/pipeline"
)

// Load the toolkit's default configuration, apply two overrides as
// "-O R_Eplus=7.25 -O kappa=0.5" does, and find the run's folder.
func ExampleResolve() {
	cfg, err := pipeline.Load("default")
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range []string{"R_Eplus=7.25", "kappa=0.5"} {
		if err := cfg.Override(o); err != nil {
			log.Fatal(err)
		}
	}
	job, err := pipeline.Resolve(cfg, pipeline.Flags{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(filepath.ToSlash(job.Dir("data")))
	fmt.Println(job.Binary.WeightMode, job.Model.N(), job.Model.Connection)
	// Output:
	// data/Poisson/Rj00_75/68bfc949f6/binary/faeaa406f2
	// sparse 10000 poisson
}

// Run a small configuration in the toolkit's format and list the files it
// writes.
func ExampleRun() {
	cfg, err := pipeline.Parse([]byte(`
N_E: 400
N_I: 100
Q: 4
R_Eplus: 2.5
kappa: 0.5
connection_type: poisson
binary: {warmup_steps: 1000, simulation_steps: 10000, sample_interval: 10, seed: 7}
`))
	if err != nil {
		log.Fatal(err)
	}
	job, err := pipeline.Resolve(cfg, pipeline.Flags{})
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "pipeline-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sum, err := pipeline.Run(context.Background(), job, dir, pipeline.RunOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sum.Files)
	fmt.Println(sum.Neurons, "units,", sum.Samples, "samples,", sum.WeightFormat, "weights")
	// Output:
	// [activity_trace_weights.npz activity_trace.npz params.yaml activity_trace_summary.yaml]
	// 500 units, 1000 samples, dense weights
}

// Run a small configuration in exact continuous time
// (binary.continuous_time: true): the trace then holds the time in ms of
// every update, sample and onset, and the summary the span of the
// recording. The configuration has 400/10 + 100/5 = 60 updates per ms, so
// the recording starts near 6001/60 = 100 ms and ends near 66000/60 =
// 1100 ms. The times depend only on the seed and the number of updates,
// not on the network or its trajectory.
func ExampleRun_continuousTime() {
	cfg, err := pipeline.Parse([]byte(`
N_E: 400
N_I: 100
Q: 4
R_Eplus: 2.5
kappa: 0.5
connection_type: poisson
binary: {warmup_steps: 6000, simulation_steps: 60000, sample_interval: 10, seed: 7, continuous_time: true}
`))
	if err != nil {
		log.Fatal(err)
	}
	job, err := pipeline.Resolve(cfg, pipeline.Flags{})
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "pipeline-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sum, err := pipeline.Run(context.Background(), job, dir, pipeline.RunOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d updates recorded from %.1f ms to %.1f ms (mean interval %.4f ms)\n",
		sum.LoggedSteps, sum.FirstStepMS, sum.LastStepMS, sum.StepMS)
	// Output:
	// 60000 updates recorded from 98.9 ms to 1103.5 ms (mean interval 0.0167 ms)
}

// A stimulus schedule in the configuration: cluster E1 and every I
// cluster are stimulated three times for 50 ms, every 100 ms from 50 ms
// into the recording (60 updates per ms in this model); the markers are
// what the trace's stimulus_* arrays hold.
func ExampleJob_StimulusMarkers() {
	cfg, err := pipeline.Parse([]byte(`
N_E: 400
N_I: 100
Q: 4
R_Eplus: 2.5
binary: {warmup_steps: 1000, simulation_steps: 20000}
stimulus:
  - populations: [E1, I]
    start_ms: 50
    stop_ms: 100
    amplitude: 0.3
    trials: 3
    period_ms: 100
`))
	if err != nil {
		log.Fatal(err)
	}
	job, err := pipeline.Resolve(cfg, pipeline.Flags{})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range job.StimulusMarkers() {
		fmt.Printf("trial %d: steps [%d, %d), %.0f to %.0f ms, %v %v, amplitude %g\n",
			m.Trial, m.Onset, m.Offset, m.OnsetMS, m.OffsetMS, m.Populations, m.Targets, m.Amplitude)
	}
	// Output:
	// trial 0: steps [3000, 6000), 50 to 100 ms, [E1 I] [1 4 5 6 7], amplitude 0.3
	// trial 1: steps [9000, 12000), 150 to 200 ms, [E1 I] [1 4 5 6 7], amplitude 0.3
	// trial 2: steps [15000, 18000), 250 to 300 ms, [E1 I] [1 4 5 6 7], amplitude 0.3
}

// A misspelt override is kept, as the toolkit keeps it, and has no effect
// (kappa keeps its default, 0); Unknown names it, so that it can be
// reported. The analysis section is the toolkit's, and is not named.
func ExampleJob_Unknown() {
	cfg, err := pipeline.Parse([]byte("R_Eplus: 7.25\nanalysis: {bins: 10}\n"))
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range []string{"kapa=0.5", "binary.sed=4"} {
		if err := cfg.Override(o); err != nil {
			log.Fatal(err)
		}
	}
	job, err := pipeline.Resolve(cfg, pipeline.Flags{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(job.Unknown, job.Model.Kappa)
	// Output:
	// [binary.sed kapa] 0
}
