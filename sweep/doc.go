// Package sweep runs parameter sweeps of the binarynet pipeline: many
// independent tasks, each one run of a base configuration with its own
// overrides, on the cores of one machine or as a job array of a cluster
// scheduler (SLURM, Kubernetes Indexed Jobs, SGE, PBS, LSF).
//
// # Axes and grid
//
// An axis is written KEY=VALUES (ParseAxis): a range start:stop:step that
// includes the stop when the steps reach it, computed in decimal
// arithmetic on the written digits (0:1:0.125 gives the 9 values 0.0,
// 0.125, ..., 1.0, the last one exactly 1.0), or a comma-separated list.
// A Grid combines axes, fixed overrides and network and initial-state
// seeds into tasks (Grid.Tasks): the first axis varies slowest and the
// seeds fastest.
//
// # Task file
//
// A task file (File, WriteFile, ReadFile) is text: one header line, then
// one line per task with its index, its full set of overrides, its tag and
// a checksum of the line, so that an edited or truncated file is detected
// when a task is run or collected. The base configuration is copied into
// the sweep's output root, whose path the header records relative to the
// task file: a copied task file and its folder form a self-contained
// sweep.
//
// # Tasks
//
// RunTask runs one task, selected by index (ResolveIndex reads it from a
// flag or from the scheduler's environment). Its outputs are written into
// a staging folder that is renamed into the task's deterministic, tagged
// folder when complete; then a summary with provenance and the task's
// metrics, and last a completion marker holding the size and SHA-256 of
// every output. A finished task is skipped on rerun unless overwritten; a
// task killed at any point leaves no marker, so it is run again; a
// corrupted marker or output is detected and reported. RunAll runs the
// tasks of a file on a number of workers, with results that do not depend
// on that number.
//
// # Collecting and scheduling
//
// Collect writes one CSV table with a row per task; SlurmScripts writes an
// sbatch array script and an aggregation job that runs collect after the
// array succeeded, and Submit submits both.
//
// The package does not know the model: a Runner validates overrides,
// names each task's folder and runs a task. The binarynet command
// provides the pipeline's Runner.
package sweep
