package pipeline_test

import (
	"fmt"
	"log"
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
