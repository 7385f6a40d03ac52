package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/binarynet/binarynet/sweep"
)

// cmdTask runs one task of a task file.
var cmdTask = newTaskCommand(newPipelineRunner)

// newTaskCommand returns the task command running tasks with the runner
// that newRunner returns.
func newTaskCommand(newRunner func() sweep.Runner) *Command {
	return &Command{
		UsageLine: "task [-index I] [-overwrite] TASKFILE",
		Short:     "run one task of a task file (written by binarynet sweep)",
		Long: `
Task runs the task of index -index (0-based) of a task file. Without -index
the index comes from the environment of a job array: SLURM_ARRAY_TASK_ID,
JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs), SGE_TASK_ID (1-based),
PBS_ARRAYID or LSB_JOBINDEX (1-based), the first one set, plus
BINARYNET_TASK_OFFSET when set (for sweeps submitted as several arrays).

The task file's line, the sweep's copy of the base configuration and the
task's folder and tag are checked first: an edited task file or base
configuration is an error (exit 2). The outputs are written into a hidden
staging folder, renamed into the task's folder when complete, then
task_summary.json (provenance: binarynet version, task index, job and array
ids, host, seeds; the metrics; wall time) and last the completion marker
task_done.json with the size and SHA-256 of every file. A finished task is
skipped unless -overwrite; a task killed at any point leaves no marker and
runs again; a corrupted marker or output is reported and the task runs
again.`,
		Flag: func(fs *flag.FlagSet) Runner {
			index := fs.String("index", "", "task `index`, 0-based (default: from the scheduler's environment)")
			overwrite := fs.Bool("overwrite", false, "run the task again even if it finished")
			threads := fs.Int("threads", 0, "threads of the task (0: SLURM_CPUS_PER_TASK, else all cores)")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) != 1 {
					return usagef("want one task file, got %d arguments", len(args))
				}
				if *threads < 0 {
					return usagef("-threads %d: want >= 1 (0: the default)", *threads)
				}
				f, err := sweep.ReadFile(args[0])
				if err != nil {
					return sweepError(err)
				}
				i, source, err := sweep.ResolveIndex(*index, os.LookupEnv)
				if err != nil {
					return sweepError(err)
				}
				n := *threads
				if n == 0 {
					n = sweep.DefaultJobs(os.LookupEnv)
				}
				o, err := sweep.RunTask(ctx, f, i, newRunner(), sweep.TaskOptions{
					Overwrite: *overwrite, Threads: n,
					Prov: sweep.NewProvenance(i, source, os.LookupEnv),
				})
				if err != nil {
					return sweepError(err)
				}
				switch {
				case !o.Ran:
					fmt.Fprintf(env.Stdout, "task %d finished before, skipped\n", i)
				case o.Redo != "":
					fmt.Fprintf(env.Stdout, "task %d done in %.1f s (run again: %s)\n", i, o.Wall.Seconds(), message(errors.New(o.Redo)))
				default:
					fmt.Fprintf(env.Stdout, "task %d done in %.1f s\n", i, o.Wall.Seconds())
				}
				return nil
			}
		},
	}
}
