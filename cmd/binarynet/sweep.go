package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/sweep"
)

// cmdSweep expands a parameter sweep into a task file and runs it or
// writes its SLURM scripts.
var cmdSweep = newSweepCommand(newPipelineRunner)

// listFlag is a repeatable string flag.
type listFlag []string

// maxThreads bounds -threads: more goroutines per task than this only
// add overhead on any machine.
const maxThreads = 1024

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// newSweepCommand returns the sweep command running tasks with the
// runner that newRunner returns.
func newSweepCommand(newRunner func() sweep.Runner) *Command {
	return &Command{
		UsageLine: "sweep -config FILE [-O KEY=VALUE]... -S KEY=VALUES... [flags]",
		Short:     "expand a parameter sweep into a task file; run it here or on SLURM",
		Long: `
Sweep expands a grid of runs of the pipeline (the base YAML configuration
-config with the overrides -O, as binarynet task runs them) into a task
file, -o (default tasks.tsv): one header line, then one line per task with
its index, every override, its folder, its tag and a checksum of the line.
It prints the number of tasks.

Axes are -S KEY=VALUES: a range start:stop:step including the stop, in
decimal arithmetic (kappa=0:1:0.125 is the 9 values 0.0, 0.125, ..., 1.0),
or a comma-separated list (R_j=0.75,0.8). The first axis varies slowest.
-networks N adds the network seeds -network-seed S, S+1, ..., S+N-1 as the
key -network-seed-key; -init-seeds M adds M initial-state seeds per network
as -init-seed-key. Every key must be one the pipeline reads or one of the
base configuration; every value is checked before anything is written.

The base configuration is copied into the output root, by default a folder
named after the task file beside it (tasks.tsv: tasks/), or -out-root. Each
task writes its outputs into its own folder under the root, the pipeline's
<Connection type>/Rj<R_j>/<tag>/binary/<binary tag>, so a copied task file
and its folder form a self-contained sweep.

-run runs the tasks in this process, -jobs at a time (default: all cores,
or SLURM_CPUS_PER_TASK), each on one thread unless -threads; finished
tasks are skipped unless -overwrite, and the results do not depend on
-jobs or -threads. -slurm writes the sbatch scripts
beside the task file (STEM.sbatch, an array over the tasks with logs
ROOT/logs/NAME_%A_%a.out; STEM.collect.sbatch, binarynet collect with
--dependency=afterok on the array; STEM.submit.sh); -submit also submits
them with sbatch and prints "array ID collect ID".`,
		Flag: func(fs *flag.FlagSet) Runner {
			config := fs.String("config", "", "base YAML configuration `file`")
			var fixed, axes, extra listFlag
			fs.Var(&fixed, "O", "override `KEY=VALUE` applied to every task (repeatable)")
			fs.Var(&axes, "S", "sweep axis `KEY=VALUES`: start:stop:step or a comma-separated list (repeatable)")
			out := fs.String("o", "tasks.tsv", "task `file` to write")
			root := fs.String("out-root", "", "output root `dir`ectory (default: beside the task file, named after it)")
			networks := fs.Int("networks", 0, "number of network seeds per grid point (0: the configuration's seed)")
			netSeed := fs.Uint64("network-seed", 1, "first network seed")
			netKey := fs.String("network-seed-key", "binary.seed", "configuration `key` of the network seed")
			inits := fs.Int("init-seeds", 0, "number of initial-state seeds per network (0: none)")
			initSeed := fs.Uint64("init-seed", 1, "first initial-state seed")
			initKey := fs.String("init-seed-key", "binary.init_seed", "configuration `key` of the initial-state seed")
			run := fs.Bool("run", false, "run the tasks in this process")
			jobs := fs.Int("jobs", 0, "tasks run at once with -run (0: SLURM_CPUS_PER_TASK, else all cores)")
			threads := fs.Int("threads", 0, "threads of each task with -run (0: 1, so that -jobs J uses J cores); the results do not depend on it")
			overwrite := fs.Bool("overwrite", false, "with -run, run finished tasks again")
			slurm := fs.Bool("slurm", false, "write the sbatch scripts of the sweep")
			submit := fs.Bool("submit", false, "write the sbatch scripts and submit them (implies -slurm)")
			sbatch := fs.String("sbatch-path", "sbatch", "sbatch `program` used by -submit")
			so := sweep.SlurmOptions{}
			fs.StringVar(&so.Binary, "binary", "", "`path` of binarynet on the compute nodes (default: this executable)")
			fs.StringVar(&so.JobName, "job-name", "binarynet-sweep", "SLURM job `name`")
			fs.IntVar(&so.Throttle, "throttle", 0, "largest number of array tasks running at once (the array's %N; 0: no limit)")
			fs.IntVar(&so.CPUsPerTask, "cpus-per-task", 1, "sbatch --cpus-per-task of each array task")
			fs.StringVar(&so.Mem, "mem", "", "sbatch --mem of each array task, e.g. 4G (default: the cluster's)")
			fs.StringVar(&so.Time, "time", "", "sbatch --time of each job, e.g. 02:00:00 (default: the cluster's)")
			fs.StringVar(&so.Partition, "partition", "", "sbatch --partition (default: the cluster's)")
			fs.Var(&extra, "sbatch", "extra sbatch `option` for both jobs, e.g. --account=proj (repeatable)")
			fs.IntVar(&so.MaxArray, "max-array", 1000, "largest number of tasks in one array (the cluster's MaxArraySize - 1)")
			fs.StringVar(&so.Table, "table", "", "CSV `file` the aggregation job writes (default: the task file with .csv)")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q (axes are given with -S)", args[0])
				}
				if *config == "" {
					return usagef("-config: the base configuration file is required")
				}
				if *run && (*slurm || *submit) {
					return usagef("-run and -slurm/-submit exclude each other")
				}
				if *jobs < 0 {
					return usagef("-jobs %d: want >= 1 (0: the default)", *jobs)
				}
				if *threads < 0 || *threads > maxThreads {
					return usagef("-threads %d: want 1 to %d (0: the default)", *threads, maxThreads)
				}
				so.Extra = extra
				if *slurm || *submit {
					if so.Binary == "" {
						exe, err := os.Executable()
						if err != nil {
							return fmt.Errorf("-binary: %v", err)
						}
						so.Binary = exe
					}
					if err := so.Validate(); err != nil {
						return usageError{err}
					}
				}
				base, err := os.ReadFile(*config)
				if err != nil {
					return usagef("-config %q: %v", *config, errors.Unwrap(err))
				}
				g := &sweep.Grid{
					Networks: *networks, NetworkSeed: *netSeed, NetworkSeedKey: *netKey,
					InitSeeds: *inits, InitSeed: *initSeed, InitSeedKey: *initKey,
				}
				if *inits > 0 && *initKey == "" {
					return usagef("-init-seeds %d: give the configuration key of the initial-state seed with -init-seed-key", *inits)
				}
				for _, s := range fixed {
					o, err := sweep.ParseOverride(s)
					if err != nil {
						return usagef("-O: %v", err)
					}
					g.Fixed = append(g.Fixed, o)
				}
				for _, s := range axes {
					a, err := sweep.ParseAxis(s)
					if err != nil {
						return usagef("-S: %v", err)
					}
					g.Axes = append(g.Axes, a)
				}
				r := newRunner()
				f, err := sweep.Create(*out, *root, base, g, r)
				if err != nil {
					return sweepError(err)
				}
				fmt.Fprintf(env.Stdout, "%d tasks in %s, outputs under %s\n", len(f.Tasks), f.Path, f.RootDir())
				switch {
				case *run:
					n := *jobs
					if n == 0 {
						n = sweep.DefaultJobs(os.LookupEnv)
					}
					rep, err := sweep.RunAll(ctx, f, r, sweep.RunOptions{
						Jobs: n, Threads: *threads, Overwrite: *overwrite,
						Prov:     sweep.NewProvenance(0, "sweep -run", os.LookupEnv),
						Progress: taskProgress(env, len(f.Tasks)),
					})
					fmt.Fprintf(env.Stdout, "ran %d, skipped %d (finished before), failed %d\n", rep.Ran, rep.Skipped, len(rep.Failed))
					return sweepError(err)
				case *slurm || *submit:
					s, err := sweep.WriteSlurm(f, so)
					if err != nil {
						return sweepError(err)
					}
					fmt.Fprintf(env.Stdout, "wrote %s, %s and %s (%d array(s))\n", s.Array, s.Collect, s.Submit, len(s.Chunks))
					if *submit {
						sub, err := sweep.Submit(ctx, s, *sbatch)
						if err != nil {
							return err
						}
						fmt.Fprintf(env.Stdout, "array %s collect %s\n", strings.Join(sub.Arrays, " "), sub.Collect)
					}
				}
				return nil
			}
		},
	}
}

// taskProgress returns a RunOptions.Progress that reports each task on
// stderr.
func taskProgress(env *Env, total int) func(int, sweep.Outcome, error) {
	return func(i int, o sweep.Outcome, err error) {
		switch {
		case err != nil:
			fmt.Fprintf(env.Stderr, "task %d/%d failed: %s\n", i, total, message(err))
		case !o.Ran:
			fmt.Fprintf(env.Stderr, "task %d/%d finished before, skipped\n", i, total)
		case o.Redo != "":
			fmt.Fprintf(env.Stderr, "task %d/%d done in %.1f s (run again: %s)\n", i, total, o.Wall.Seconds(), message(errors.New(o.Redo)))
		default:
			fmt.Fprintf(env.Stderr, "task %d/%d done in %.1f s\n", i, total, o.Wall.Seconds())
		}
	}
}

// sweepError classifies an error of package sweep or of the pipeline for
// the exit status: bad input, an incomplete or corrupted sweep and
// invalid parameters exit with 2, a cancelled context with 3.
func sweepError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sweep.ErrInput), errors.Is(err, sweep.ErrIncomplete),
		errors.Is(err, sweep.ErrCorrupt), errors.Is(err, binarynet.ErrInvalidParameter):
		return usageError{err}
	case errors.Is(err, context.Canceled):
		return interruptedError{fmt.Errorf("%w (no marker written: the task runs again next time)", err)}
	}
	return err
}

// tableName is the default CSV table of a task file: its name with the
// extension .csv.
func tableName(taskFile string) string {
	return strings.TrimSuffix(taskFile, filepath.Ext(taskFile)) + ".csv"
}
