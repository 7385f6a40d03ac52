package sweep

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/binarynet/binarynet"
)

// DefaultJobs is the number of tasks run at once by default: the value of
// SLURM_CPUS_PER_TASK when it is a positive integer (inside a SLURM job),
// else the number of usable cores.
func DefaultJobs(lookup func(string) (string, bool)) int {
	if v, ok := lookup("SLURM_CPUS_PER_TASK"); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
			return n
		}
	}
	return runtime.GOMAXPROCS(0)
}

// RunOptions are the settings of RunAll.
type RunOptions struct {
	// Jobs is the number of tasks run at once (at least 1).
	Jobs int
	// Threads is the number of threads each task builds its network and
	// compresses its files with; 0 means 1, so that Jobs tasks use Jobs
	// cores, as an array task with --cpus-per-task=1 does. The outputs do
	// not depend on it.
	Threads int
	// Overwrite runs finished tasks again.
	Overwrite bool
	// Prov is the provenance template of every task.
	Prov Provenance
	// Progress, when not nil, is called after each task; the calls are
	// serialized (never two at once).
	Progress func(index int, o Outcome, err error)
}

// Report says what RunAll did.
type Report struct {
	Ran, Skipped int
	Failed       map[int]error // task index -> error
}

// RunAll runs the tasks of f that have not finished, opts.Jobs at a time,
// each with opts.Threads threads (default 1). A failing task does not
// stop the others; the error lists the failed tasks. Since every task
// depends only on its line, the outputs are the same for any number of
// jobs.
func RunAll(ctx context.Context, f *File, r Runner, opts RunOptions) (Report, error) {
	jobs := max(opts.Jobs, 1)
	threads := max(opts.Threads, 1)
	if _, err := f.checkBase(); err != nil {
		return Report{}, err
	}
	type result struct {
		o   Outcome
		err error
	}
	var progress sync.Mutex
	results, err := binarynet.RunEnsemble(ctx, len(f.Tasks), jobs, func(ctx context.Context, i int) (result, error) {
		o, err := RunTask(ctx, f, i, r, TaskOptions{Overwrite: opts.Overwrite, Threads: threads, Prov: opts.Prov})
		if opts.Progress != nil {
			progress.Lock()
			opts.Progress(i, o, err)
			progress.Unlock()
		}
		return result{o, err}, nil
	})
	rep := Report{Failed: map[int]error{}}
	for i, res := range results {
		switch {
		case res.err != nil:
			rep.Failed[i] = res.err
		case res.o.Ran:
			rep.Ran++
		default:
			rep.Skipped++
		}
	}
	if err != nil {
		return rep, err
	}
	if len(rep.Failed) > 0 {
		idx := make([]int, 0, len(rep.Failed))
		for i := range rep.Failed {
			idx = append(idx, i)
		}
		first := minKey(rep.Failed)
		return rep, fmt.Errorf("%d of %d tasks failed (%s); first: %w", len(rep.Failed), len(f.Tasks), formatIndices(idx), rep.Failed[first])
	}
	return rep, nil
}

// minKey returns the smallest key of m.
func minKey(m map[int]error) int {
	first := -1
	for i := range m {
		if first < 0 || i < first {
			first = i
		}
	}
	return first
}
