package sweep

import (
	"context"
	"strconv"
)

// Runner is the model a sweep runs: it validates a task's overrides,
// names its folder and runs it. Its methods must be safe for concurrent
// use, and Run must write the same files for the same base and overrides,
// whatever else runs at the same time.
type Runner interface {
	// Plan checks the overrides against the base configuration (the
	// content of its file) and returns the task's tag and folder. An
	// unknown key or a bad value is an error naming it.
	Plan(base []byte, overrides []Override) (Plan, error)

	// Run runs one task, writing its outputs into job.Dir, an empty
	// folder that exists, and returns its metrics. Run should stop soon
	// when ctx is cancelled.
	Run(ctx context.Context, job Job) (Result, error)
}

// Plan is what a Runner says about a task before running it.
type Plan struct {
	// Tag identifies the task's configuration (e.g. a hash of it).
	Tag string
	// Dir is the task's folder relative to the sweep's output root,
	// slash-separated; it must not leave the root. Tasks of one sweep
	// have distinct folders.
	Dir string
}

// Job is one task as given to Runner.Run.
type Job struct {
	Base      string     // path of the base configuration file
	Overrides []Override // the task's overrides, in order
	Dir       string     // folder to write the outputs into
	Threads   int        // number of threads the task may use, >= 1
	Prov      Provenance // where and as what the task runs
}

// Result is what a task reports besides its files.
type Result struct {
	// Metrics become columns of the collected table, in this order;
	// every task of a sweep must report the same names.
	Metrics []Metric
}

// Metric is one named number of a task's result.
type Metric struct {
	Name  string
	Value float64
}

// formatFloat writes v so that it parses back to the same float64
// (NaN and infinities as NaN, +Inf, -Inf).
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
