package sweep_test

import (
	"fmt"

	"github.com/binarynet/binarynet/sweep"
)

// A grid of 3 kappas and 2 network seeds: the first axis varies slowest,
// the seeds fastest.
func ExampleGrid() {
	kappa, _ := sweep.ParseAxis("kappa=0:1:0.5")
	g := &sweep.Grid{
		Fixed:          []sweep.Override{{Key: "R_Eplus", Value: "7.25"}},
		Axes:           []sweep.Axis{kappa},
		Networks:       2,
		NetworkSeed:    100,
		NetworkSeedKey: "binary.seed",
	}
	sets, _ := g.Overrides()
	for i, set := range sets {
		fmt.Println(i, set)
	}
	// Output:
	// 0 [R_Eplus=7.25 kappa=0.0 binary.seed=100]
	// 1 [R_Eplus=7.25 kappa=0.0 binary.seed=101]
	// 2 [R_Eplus=7.25 kappa=0.5 binary.seed=100]
	// 3 [R_Eplus=7.25 kappa=0.5 binary.seed=101]
	// 4 [R_Eplus=7.25 kappa=1.0 binary.seed=100]
	// 5 [R_Eplus=7.25 kappa=1.0 binary.seed=101]
}

// Task indices come from a flag or from the scheduler's environment; SGE
// counts from 1.
func ExampleResolveIndex() {
	env := map[string]string{"SGE_TASK_ID": "3"}
	i, source, _ := sweep.ResolveIndex("", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	fmt.Println(i, source)
	// Output:
	// 2 SGE_TASK_ID
}
