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
