package sweep

import (
	"math"
	"strconv"
	"strings"
)

// IndexSource is an environment variable from which a task index is read.
type IndexSource struct {
	Var       string // variable name
	Scheduler string // what sets it
	Base      int    // index of the first task: 0 or 1
}

// IndexSources are the environment variables read by ResolveIndex, in the
// order they are tried.
var IndexSources = []IndexSource{
	{"SLURM_ARRAY_TASK_ID", "slurm", 0},
	{"JOB_COMPLETION_INDEX", "kubernetes", 0},
	{"SGE_TASK_ID", "sge", 1},
	{"PBS_ARRAYID", "pbs", 0},
	{"LSB_JOBINDEX", "lsf", 1},
}

// OffsetVar is the environment variable whose value is added to an index
// read from the environment: a sweep larger than the scheduler's largest
// array is submitted as several arrays, each with its own offset.
const OffsetVar = "BINARYNET_TASK_OFFSET"

// ResolveIndex returns the 0-based index of the task to run and where it
// came from: flag when it is not empty (the -index flag, 0-based), else the
// first of IndexSources that is set in the environment (lookup is
// os.LookupEnv or a stand-in), converted from the scheduler's base, plus
// OffsetVar if set. SGE sets SGE_TASK_ID to "undefined" outside arrays;
// that counts as unset. No flag and no variable, or a value that is not a
// non-negative integer, is an error naming it.
func ResolveIndex(flag string, lookup func(string) (string, bool)) (int, string, error) {
	if flag != "" {
		i, err := strconv.Atoi(strings.TrimSpace(flag))
		if err != nil || i < 0 {
			return 0, "", inputError("-index %q: want a task index >= 0", flag)
		}
		return i, "-index", nil
	}
	for _, s := range IndexSources {
		v, ok := lookup(s.Var)
		if !ok || v == "" || s.Var == "SGE_TASK_ID" && v == "undefined" {
			continue
		}
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < s.Base {
			return 0, "", inputError("%s=%q: want an integer >= %d", s.Var, v, s.Base)
		}
		i -= s.Base
		if off, ok := lookup(OffsetVar); ok && off != "" {
			k, err := strconv.Atoi(strings.TrimSpace(off))
			if err != nil || k < 0 || i > math.MaxInt-k {
				return 0, "", inputError("%s=%q: want an integer >= 0", OffsetVar, off)
			}
			i += k
		}
		return i, s.Var, nil
	}
	names := make([]string, len(IndexSources))
	for i, s := range IndexSources {
		names[i] = s.Var
	}
	return 0, "", inputError("no task index: give -index or run under a scheduler array (%s)", strings.Join(names, ", "))
}
